/**
 * Which key publishRun signs with (PRIVACY §3): the persistent key in default and --anon (so a
 * logged-in contributor is credited), a fresh in-memory key in --strict-anon that never touches
 * the key file. publishRun chooses; upload.test.ts chooses in its own helper, so this is the test
 * of publishRun's choice.
 */
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { publishRun } from '../../src/harness/publish.js';
import { keyFilePath, loadOrCreateKeyPair, publicKeyToBase64, verifyRun } from '../../src/signing/index.js';
import type { PrivacyMode } from '../../src/privacy/index.js';
import { publishOptions } from '../helpers/publish-options.js';
import { sampleRun } from '../helpers/sample-run.js';

describe('publishRun: the signing key per privacy mode', () => {
  let dir: string;
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'llm-speed-publish-keys-'));
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  const publish = async (mode: PrivacyMode, configDir = join(dir, 'config')) => {
    const outcome = await publishRun(sampleRun(), publishOptions({ apiUrl: 'http://127.0.0.1:9', configDir, runsDir: join(dir, 'runs') }, { mode, upload: false }));
    assert.deepEqual(await verifyRun(outcome.payload), { valid: true });
    return outcome.payload.public_key;
  };

  for (const mode of ['default', 'anon'] as const) {
    it(`${mode}: signs with the persistent key, the same one on every run`, async () => {
      const persistent = publicKeyToBase64((await loadOrCreateKeyPair(join(dir, 'config'))).publicKey);
      assert.equal(await publish(mode), persistent);
      assert.equal(await publish(mode), persistent);
    });

    it(`${mode}: creates the persistent key on first use`, async () => {
      const configDir = join(dir, 'fresh-config');
      const key = await publish(mode, configDir);
      assert.ok(existsSync(keyFilePath(configDir)));
      assert.equal(key, publicKeyToBase64((await loadOrCreateKeyPair(configDir)).publicKey));
    });
  }

  it('strict-anon: a fresh key on every run, never the persistent one, and no key file is created', async () => {
    const configDir = join(dir, 'strict-config');
    const first = await publish('strict-anon', configDir);
    const second = await publish('strict-anon', configDir);
    assert.notEqual(first, second);
    assert.equal(existsSync(keyFilePath(configDir)), false);
    const persistent = publicKeyToBase64((await loadOrCreateKeyPair(configDir)).publicKey);
    assert.notEqual(await publish('strict-anon', configDir), persistent);
  });
});
