/**
 * scripts/suite-manifest.mjs end to end: a key made by `keygen`, a manifest made by `build` and
 * signed by `sign` is what `self-update` accepts when that key is trusted — and refuses otherwise.
 * Files are served by a loopback replay server; the script runs for real (it reads the built dist).
 */
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, readdirSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { LlmSpeedError } from '../../src/errors.js';
import { updateSuites } from '../../src/suite-update/index.js';
import { startReplayServer, type ReplayRoute, type ReplayServer } from '../../src/testing/replay-server.js';

const SCRIPT = fileURLToPath(new URL('../../../../scripts/suite-manifest.mjs', import.meta.url));
const SUITE_DIR = fileURLToPath(new URL('../../suites/suite-v1-test/', import.meta.url));

describe('scripts/suite-manifest.mjs (maintainers: keygen, build, sign)', function () {
  this.timeout(60_000);
  let dir: string;
  let server: ReplayServer | undefined;
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'llm-speed-manifest-'));
  });
  afterEach(async () => {
    await server?.close();
    rmSync(dir, { recursive: true, force: true });
  });

  const script = (...args: string[]) => execFileSync(process.execPath, [SCRIPT, ...args], { cwd: dir, encoding: 'utf8' });

  it('signs a manifest that self-update installs with the new key, and refuses with the shipped one', async () => {
    const trusted = JSON.parse(script('keygen', 'suite.key', '--kid', 'test-suites-1')) as { kid: string; public_key: string };
    assert.equal(statSync(join(dir, 'suite.key')).mode & 0o777, 0o600);

    // A relative base URL: file URLs resolve against the manifest's own URL, wherever it is served.
    script('build', '--base-url', 'suites', '--out', 'manifest.json', 'suite-v1-test');
    script('sign', 'suite.key', 'manifest.json');
    const files = ['suite.json', ...readdirSync(join(SUITE_DIR, 'fixtures')).map((f) => `fixtures/${f}`)];
    const routes: ReplayRoute[] = files.map((path) => ({ method: 'GET', path: `/suites/suite-v1-test/${path}`, response: { status: 200, chunks: [readFileSync(join(SUITE_DIR, path), 'utf8')] } }));
    routes.push({ method: 'GET', path: '/manifest.json', response: { status: 200, chunks: [readFileSync(join(dir, 'manifest.json'), 'utf8')] } });
    server = await startReplayServer(routes);

    const suitesDir = join(dir, 'installed');
    const options = { manifestUrl: `${server.url}/manifest.json`, suitesDir, shippedDir: join(dir, 'none-shipped') };
    await assert.rejects(
      updateSuites({ ...options, trustedKeys: [{ kid: 'llm-speed-suites-1', publicKey: 'Bn5A92rg4UV1fPUMxTTOcqpdTmhS/V45ediuWA15xGM=' }] }),
      (e: unknown) => e instanceof LlmSpeedError && /does not verify/.test(e.message),
    );
    const report = await updateSuites({ ...options, trustedKeys: [{ kid: trusted.kid, publicKey: trusted.public_key }] });
    assert.deepEqual(
      report.versions.map((v) => [v.version, v.status]),
      [['suite-v1-test', 'installed']],
    );
  });
});
