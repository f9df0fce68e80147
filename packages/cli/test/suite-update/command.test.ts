/**
 * `llm-speed self-update` in-process: it trusts only the key shipped in suites/trust.json (a
 * manifest signed by any other key is refused, nothing written), and LLM_SPEED_SUITES_URL picks
 * the manifest. The signed success path is covered by update.test.ts through updateSuites().
 */
import assert from 'node:assert/strict';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { existsSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { keygenAsync, signAsync } from '@noble/ed25519';
import SelfUpdate from '../../src/commands/self-update.js';
import { canonicalize } from '@llm-speed/framework';
import { manifestUrlFrom, DEFAULT_MANIFEST_URL } from '@llm-speed/framework';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const b64u = (bytes: Uint8Array | string) => Buffer.from(bytes).toString('base64url');

describe('llm-speed self-update (command)', () => {
  let server: Server;
  let manifest = '';
  let requests: string[] = [];
  let tmp: string;
  const saved = { data: process.env.LLM_SPEED_DATA_DIR, url: process.env.LLM_SPEED_SUITES_URL };
  const restore = (name: string, value: string | undefined) => (value === undefined ? delete process.env[name] : (process.env[name] = value));

  before(async () => {
    server = createServer((req, res) => {
      requests.push(req.url ?? '');
      res.writeHead(200, { 'content-type': 'application/json' }).end(manifest);
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  });
  after(() => new Promise<void>((resolve) => server.close(() => resolve())));
  beforeEach(() => {
    requests = [];
    tmp = mkdtempSync(join(tmpdir(), 'llm-speed-self-update-cmd-'));
    process.env.LLM_SPEED_DATA_DIR = join(tmp, 'data');
  });
  afterEach(() => {
    restore('LLM_SPEED_DATA_DIR', saved.data);
    restore('LLM_SPEED_SUITES_URL', saved.url);
    process.exitCode = undefined;
    rmSync(tmp, { recursive: true, force: true });
  });

  const url = () => `http://127.0.0.1:${(server.address() as AddressInfo).port}/suites/manifest.json`;

  it('refuses a manifest signed by a key other than the shipped one, and writes nothing', async () => {
    const { secretKey } = await keygenAsync();
    const body = { manifest_version: 1, suites: [{ version: 'suite-v9-test', files: [{ path: 'suite.json', sha256: '0'.repeat(64), url: 'x/suite.json' }] }] };
    const header = b64u(JSON.stringify({ alg: 'EdDSA', kid: 'llm-speed-suites-1' }));
    const sig = await signAsync(new TextEncoder().encode(`${header}.${b64u(canonicalize(body))}`), secretKey);
    manifest = JSON.stringify({ ...body, signature: `${header}..${b64u(sig)}` });
    await assert.rejects(SelfUpdate.run(['--manifest-url', url()], ROOT), /signature does not verify with the trusted suite key/);
    assert.deepEqual(requests, ['/suites/manifest.json'], 'no suite file was fetched');
    assert.ok(!existsSync(join(tmp, 'data', 'suites')) || readdirSync(join(tmp, 'data', 'suites')).length === 0);
  });

  it('reads the manifest named by LLM_SPEED_SUITES_URL, and refuses it unsigned', async () => {
    manifest = JSON.stringify({ manifest_version: 1, suites: [] });
    process.env.LLM_SPEED_SUITES_URL = url();
    await assert.rejects(SelfUpdate.run([], ROOT), /the suite manifest is unsigned/);
    assert.deepEqual(requests, ['/suites/manifest.json']);
  });

  it('picks the manifest URL: flag, then LLM_SPEED_SUITES_URL, then the project default', () => {
    assert.equal(manifestUrlFrom('http://a/m.json', { LLM_SPEED_SUITES_URL: 'http://b/m.json' }), 'http://a/m.json');
    assert.equal(manifestUrlFrom(undefined, { LLM_SPEED_SUITES_URL: 'http://b/m.json' }), 'http://b/m.json');
    assert.equal(manifestUrlFrom(undefined, {}), DEFAULT_MANIFEST_URL);
  });
});
