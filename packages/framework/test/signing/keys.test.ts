import assert from 'node:assert/strict';
import { chmodSync, existsSync, mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
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
    const { writeFileSync } = await import('node:fs');
    writeFileSync(path, JSON.stringify(jwk), { mode: 0o600 });
    await assert.rejects(loadOrCreateKeyPair(dir), KeyFileError);
  });

  it('ephemeral keys are fresh each time and never create the key file', async () => {
    const a = await ephemeralKeyPair();
    const b = await ephemeralKeyPair();
    assert.notDeepEqual(a.publicKey, b.publicKey);
    assert.equal(existsSync(join(dir, 'keys')), false);
  });
});
