import assert from 'node:assert/strict';
import { chmodSync, existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ephemeralKeyPair, keyFilePath, loadOrCreateKeyPair, KeyFileError, signRun, verifyRun } from '../../src/signing/index.js';
import { sampleRun } from '../helpers/sample-run.js';

describe('signing keys', () => {
  let dir: string;
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'llm-speed-keys-'));
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it('creates the persistent key on first use: file 0600 in a 0700 folder, and reuses it', async () => {
    const first = await loadOrCreateKeyPair(dir);
    const path = keyFilePath(dir);
    assert.equal(path, join(dir, 'keys', 'ed25519.key'));
    assert.equal(statSync(path).mode & 0o777, 0o600);
    assert.equal(statSync(join(dir, 'keys')).mode & 0o777, 0o700);
    const second = await loadOrCreateKeyPair(dir);
    assert.deepEqual(second.publicKey, first.publicKey);
    assert.deepEqual(second.secretKey, first.secretKey);
    assert.deepEqual(await verifyRun(await signRun(sampleRun(), second)), { valid: true });
  });

  it('concurrent first runs agree on one key', async () => {
    const pairs = await Promise.all([1, 2, 3, 4].map(() => loadOrCreateKeyPair(dir)));
    const onDisk = await loadOrCreateKeyPair(dir);
    for (const p of pairs) assert.deepEqual(p.publicKey, onDisk.publicKey);
  });

  it('refuses a key file readable by group or others, saying chmod 600 <path>', async () => {
    await loadOrCreateKeyPair(dir);
    const path = keyFilePath(dir);
    for (const mode of [0o644, 0o640, 0o604]) {
      chmodSync(path, mode);
      await assert.rejects(loadOrCreateKeyPair(dir), (error: unknown) => {
        assert.ok(error instanceof KeyFileError);
        assert.ok(error.message.includes(`chmod 600 ${path}`), error.message);
        return true;
      });
    }
    chmodSync(path, 0o600);
    await loadOrCreateKeyPair(dir);
  });

  it('refuses a corrupt key file instead of silently replacing the identity', async () => {
    await loadOrCreateKeyPair(dir);
    const path = keyFilePath(dir);
    const jwk = JSON.parse(readFileSync(path, 'utf8')) as { x: string };
    jwk.x = 'A'.repeat(43);
    writeFileSync(path, JSON.stringify(jwk), { mode: 0o600 });
    await assert.rejects(loadOrCreateKeyPair(dir), (error: unknown) => {
      assert.ok(error instanceof KeyFileError);
      assert.equal(error.message, `the signing key ${path} is corrupt (its public half does not match its private half)`);
      assert.deepEqual(error.suggestions, [`mv ${path} ${path}.broken`]);
      return true;
    });
    assert.equal(JSON.parse(readFileSync(path, 'utf8')).x, 'A'.repeat(43), 'the file is left as it was');
  });

  it('names the mode it refuses and the one command that fixes it; the error is typed', async () => {
    await loadOrCreateKeyPair(dir);
    const path = keyFilePath(dir);
    chmodSync(path, 0o644);
    await assert.rejects(loadOrCreateKeyPair(dir), (error: unknown) => {
      assert.ok(error instanceof KeyFileError);
      assert.equal(error.code, 'key-file');
      assert.equal(error.name, 'KeyFileError');
      assert.match(error.message, /is readable by other users \(mode 0644\); refusing to use it/);
      assert.deepEqual(error.suggestions, [`chmod 600 ${path}`]);
      return true;
    });
  });

  it('refuses a key file that is not JSON, or not an Ed25519 private key, and leaves it in place', async () => {
    const { publicKey, secretKey } = await loadOrCreateKeyPair(dir);
    const path = keyFilePath(dir);
    const good = { kty: 'OKP', crv: 'Ed25519', d: Buffer.from(secretKey).toString('base64url'), x: Buffer.from(publicKey).toString('base64url') };
    const cases: Array<[string, string, RegExp, string]> = [
      ['not JSON', '{"kty":', /is not valid JSON$/, `move it away to create a new key (later runs get a new public key): mv ${path} ${path}.broken`],
      ['kty EC', JSON.stringify({ ...good, kty: 'EC' }), /is not an Ed25519 private key$/, `mv ${path} ${path}.broken`],
      ['crv X25519', JSON.stringify({ ...good, crv: 'X25519' }), /is not an Ed25519 private key$/, `mv ${path} ${path}.broken`],
      ['d of 31 bytes', JSON.stringify({ ...good, d: Buffer.from(secretKey.subarray(1)).toString('base64url') }), /is not an Ed25519 private key$/, `mv ${path} ${path}.broken`],
      ['no d', JSON.stringify({ ...good, d: undefined }), /is not an Ed25519 private key$/, `mv ${path} ${path}.broken`],
    ];
    for (const [what, text, message, suggestion] of cases) {
      writeFileSync(path, text, { mode: 0o600 });
      await assert.rejects(loadOrCreateKeyPair(dir), (error: unknown) => {
        assert.ok(error instanceof KeyFileError, what);
        assert.match(error.message, message, what);
        assert.ok(error.message.includes(path), what);
        assert.deepEqual(error.suggestions, [suggestion], what);
        return true;
      });
      assert.equal(readFileSync(path, 'utf8'), text, `${what}: the file is left as it was`);
    }
  });

  it('reads a key file without the public half (x), deriving it from d', async () => {
    const { publicKey, secretKey } = await loadOrCreateKeyPair(dir);
    writeFileSync(keyFilePath(dir), JSON.stringify({ kty: 'OKP', crv: 'Ed25519', d: Buffer.from(secretKey).toString('base64url') }), { mode: 0o600 });
    assert.deepEqual((await loadOrCreateKeyPair(dir)).publicKey, publicKey);
  });

  it('leaves no temporary file beside the key, also when concurrent runs raced', async () => {
    await Promise.all([1, 2, 3].map(() => loadOrCreateKeyPair(dir)));
    assert.deepEqual(readdirSync(join(dir, 'keys')), ['ed25519.key']);
  });

  it('ephemeral keys are fresh each time and never create the key file', async () => {
    const a = await ephemeralKeyPair();
    const b = await ephemeralKeyPair();
    assert.notDeepEqual(a.publicKey, b.publicKey);
    assert.equal(existsSync(join(dir, 'keys')), false);
  });
});
