/**
 * The persistent signing key (<configDir>/keys/ed25519.key, PRIVACY §3) and the ephemeral one for
 * --strict-anon. The file holds a private OKP JWK (RFC 8037: d = secret, x = public, base64url),
 * readable by its owner only.
 */
import * as ed from '@noble/ed25519';
import { randomBytes } from 'node:crypto';
import { chmod, link, mkdir, readFile, stat, unlink, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { LlmSpeedError } from '../errors.js';
import { b64url, generateKeyPair, type KeyPair } from './jws.js';

export class KeyFileError extends LlmSpeedError {
  constructor(message: string, suggestions: string[] = []) {
    super('key-file', message, { suggestions });
    this.name = 'KeyFileError';
  }
}

export function keyFilePath(configDir: string): string {
  return join(configDir, 'keys', 'ed25519.key');
}

interface PrivateJwk {
  kty: 'OKP';
  crv: 'Ed25519';
  d: string;
  x: string;
}

async function readKeyFile(path: string): Promise<KeyPair> {
  if (process.platform !== 'win32') {
    const { mode } = await stat(path);
    if ((mode & 0o077) !== 0) {
      throw new KeyFileError(`the signing key ${path} is readable by other users (mode ${(mode & 0o777).toString(8).padStart(4, '0')}); refusing to use it. Fix it with: chmod 600 ${path}`, [
        `chmod 600 ${path}`,
      ]);
    }
  }
  let jwk: Partial<PrivateJwk>;
  try {
    jwk = JSON.parse(await readFile(path, 'utf8')) as Partial<PrivateJwk>;
  } catch {
    throw new KeyFileError(`the signing key ${path} is not valid JSON`, [`move it away to create a new key (later runs get a new public key): mv ${path} ${path}.broken`]);
  }
  const secretKey = typeof jwk.d === 'string' ? new Uint8Array(Buffer.from(jwk.d, 'base64url')) : new Uint8Array();
  if (jwk.kty !== 'OKP' || jwk.crv !== 'Ed25519' || secretKey.length !== 32) {
    throw new KeyFileError(`the signing key ${path} is not an Ed25519 private key`, [`mv ${path} ${path}.broken`]);
  }
  const publicKey = await ed.getPublicKeyAsync(secretKey);
  if (jwk.x !== undefined && jwk.x !== b64url(publicKey)) {
    throw new KeyFileError(`the signing key ${path} is corrupt (its public half does not match its private half)`, [`mv ${path} ${path}.broken`]);
  }
  return { secretKey, publicKey };
}

/**
 * The persistent keypair, created on first use (folder 0700, file 0600). Creation is atomic and
 * exclusive: the key is written to a temp file and hard-linked into place, so two concurrent first
 * runs agree on one key and nobody reads a half-written file.
 */
export async function loadOrCreateKeyPair(configDir: string): Promise<KeyPair> {
  const path = keyFilePath(configDir);
  try {
    return await readKeyFile(path);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
  }
  const folder = join(configDir, 'keys');
  await mkdir(folder, { recursive: true, mode: 0o700 });
  await chmod(folder, 0o700).catch(() => undefined);
  const keys = await generateKeyPair();
  const jwk: PrivateJwk = { kty: 'OKP', crv: 'Ed25519', d: b64url(keys.secretKey), x: b64url(keys.publicKey) };
  const temp = join(folder, `.ed25519.key.${process.pid}.${randomBytes(6).toString('hex')}`);
  await writeFile(temp, JSON.stringify(jwk) + '\n', { mode: 0o600, flag: 'wx' });
  try {
    await link(temp, path);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
    return await readKeyFile(path); // another run created it first: use that one
  } finally {
    await unlink(temp).catch(() => undefined);
  }
  return keys;
}

/** A fresh in-memory keypair for one --strict-anon run; never reads or writes the key file. */
export function ephemeralKeyPair(): Promise<KeyPair> {
  return generateKeyPair();
}
