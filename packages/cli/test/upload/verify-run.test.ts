/**
 * `llm-speed verify-run` and `llm-speed verify`, run in-process with the oclif config of the
 * framework package; exit codes 0 (valid), 1 (invalid), 2 (could not check).
 */
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import * as ed from '@noble/ed25519';
import { canonicalize, generateKeyPair, signRun } from '@llm-speed/framework';
import { saveLocalRun } from '@llm-speed/framework';
import { sampleRun } from '@llm-speed/framework/testing';
import { recordingServer, type RecordingServer } from '../../../framework/test/upload/recording-server.js';

const PACKAGE_ROOT = fileURLToPath(new URL('../../', import.meta.url));

async function runCommand(name: 'verify-run' | 'verify', argv: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  const Command = (await import(`../../src/commands/${name}.js`)).default as { run(argv: string[], root: string): Promise<unknown> };
  let stdout = '';
  let stderr = '';
  const out = process.stdout.write.bind(process.stdout);
  const err = process.stderr.write.bind(process.stderr);
  process.stdout.write = ((chunk: string | Uint8Array) => ((stdout += chunk.toString()), true)) as typeof process.stdout.write;
  process.stderr.write = ((chunk: string | Uint8Array) => ((stderr += chunk.toString()), true)) as typeof process.stderr.write;
  let code: number;
  try {
    await Command.run(argv, PACKAGE_ROOT);
    // verify-run sets the exit code and returns its verdict, so oclif's --json prints it.
    code = Number(process.exitCode ?? 0);
  } catch (error) {
    const exit = (error as { oclif?: { exit?: number } }).oclif?.exit;
    if (exit === undefined) throw error;
    code = exit;
  } finally {
    process.stdout.write = out;
    process.stderr.write = err;
    process.exitCode = undefined;
  }
  return { code, stdout, stderr };
}

describe('llm-speed verify-run', () => {
  let dir: string;
  let server: RecordingServer | undefined;
  let path: string;
  let stored: string;
  beforeEach(async () => {
    dir = mkdtempSync(join(tmpdir(), 'llm-speed-verify-'));
    const signed = await signRun(sampleRun(), await generateKeyPair());
    path = await saveLocalRun(signed, { runsDir: dir });
    stored = canonicalize(signed); // what the server stores and serves
  });
  afterEach(async () => {
    await server?.close();
    server = undefined;
    rmSync(dir, { recursive: true, force: true });
  });

  it('exit 0 for a valid local file, with --json', async () => {
    const human = await runCommand('verify-run', [path]);
    assert.equal(human.code, 0);
    assert.match(human.stdout, /^valid: /);
    const json = await runCommand('verify-run', [path, '--json']);
    assert.equal(json.code, 0);
    assert.equal((JSON.parse(json.stdout) as { valid: boolean }).valid, true);
  });

  it('exit 1 when one byte of the file was changed', async () => {
    writeFileSync(path, readFileSync(path, 'utf8').replace('"cpu_cores": 32', '"cpu_cores": 33'));
    const result = await runCommand('verify-run', [path, '--json']);
    assert.equal(result.code, 1);
    const verdict = JSON.parse(result.stdout) as { valid: boolean; reason: string };
    assert.equal(verdict.valid, false);
    assert.match(verdict.reason, /does not match the payload/);
  });

  it('exit 2 when the file is missing or not JSON', async () => {
    assert.equal((await runCommand('verify-run', [join(dir, 'missing.json')])).code, 2);
    writeFileSync(join(dir, 'broken.json'), '{');
    assert.equal((await runCommand('verify-run', [join(dir, 'broken.json')])).code, 2);
  });

  it('fetches <api>/v1/results/<id> for a bare id and for a /r/<id> page URL', async () => {
    server = await recordingServer((req) => (req.url === '/v1/results/r_abcdefghijk' ? { status: 200, body: stored } : { status: 404, body: { error: 'not found' } }));
    const byId = await runCommand('verify-run', ['r_abcdefghijk', '--api-url', server.url]);
    assert.equal(byId.code, 0, byId.stderr);
    const byPage = await runCommand('verify-run', [`${server.url}/r/r_abcdefghijk`]);
    assert.equal(byPage.code, 0, byPage.stderr);
    assert.deepEqual(
      server.requests.map((r) => `${r.method} ${r.url}`),
      ['GET /v1/results/r_abcdefghijk', 'GET /v1/results/r_abcdefghijk'],
    );
    assert.equal((await runCommand('verify-run', ['r_unknown0000', '--api-url', server.url])).code, 2);

    // Without the flag, the configured results server (here LLM_SPEED_API_URL) is asked, not the public one.
    process.env.LLM_SPEED_API_URL = server.url;
    try {
      assert.equal((await runCommand('verify-run', ['r_abcdefghijk'])).code, 0);
    } finally {
      delete process.env.LLM_SPEED_API_URL;
    }
    assert.equal(server.requests.filter((r) => r.url === '/v1/results/r_abcdefghijk').length, 3);
  });

  it('exit 1 for a tampered stored run, exit 2 when the server is unreachable', async () => {
    server = await recordingServer([{ status: 200, body: stored.replace('"decode_tps":187.4', '"decode_tps":190') }]);
    assert.equal((await runCommand('verify-run', ['r_abcdefghijk', '--api-url', server.url])).code, 1);
    const dead = server.url;
    await server.close();
    server = undefined;
    assert.equal((await runCommand('verify-run', ['r_abcdefghijk', '--api-url', dead])).code, 2);
  });

  it('exit 1 for a validly signed run whose header carries a kid (issue 24.1): the reason names the member', async () => {
    const keys = await generateKeyPair();
    const x = Buffer.from(keys.publicKey).toString('base64url');
    const header = Buffer.from(`{"alg":"EdDSA","jwk":{"crv":"Ed25519","kty":"OKP","x":"${x}"},"kid":"alice.smith@example.com","typ":"llm-speed-run+jws"}`).toString('base64url');
    const run = sampleRun();
    const input = `${header}.${Buffer.from(canonicalize(run)).toString('base64url')}`;
    const sig = Buffer.from(await ed.signAsync(new TextEncoder().encode(input), keys.secretKey)).toString('base64url');
    const file = join(dir, 'kid.json');
    writeFileSync(file, JSON.stringify({ ...run, public_key: Buffer.from(keys.publicKey).toString('base64'), signature: `${header}..${sig}` }));
    const result = await runCommand('verify-run', [file, '--json']);
    assert.equal(result.code, 1);
    assert.match((JSON.parse(result.stdout) as { reason: string }).reason, /JWS header has members other than alg, typ and jwk: "kid"/);
  });
});

describe('llm-speed verify', () => {
  it("in this checkout: the CLI's version, the checkout's HEAD and the SHA-256 of its package-lock.json", async () => {
    const result = await runCommand('verify', ['--json']);
    assert.equal(result.code, 0);
    const info = JSON.parse(result.stdout) as { version: string; commit: string; commit_source: string; dependencies_sha256: string; dependencies_source: string };
    const { version } = JSON.parse(readFileSync(join(PACKAGE_ROOT, 'package.json'), 'utf8')) as { version: string };
    const git = (...args: string[]) => execFileSync('git', args, { cwd: PACKAGE_ROOT, encoding: 'utf8' }).trim();
    assert.equal(info.version, version);
    assert.equal(info.commit, git('rev-parse', 'HEAD'));
    assert.equal(info.commit_source, 'git');
    assert.equal(
      info.dependencies_sha256,
      createHash('sha256')
        .update(readFileSync(join(git('rev-parse', '--show-toplevel'), 'package-lock.json')))
        .digest('hex'),
    );
    assert.equal(info.dependencies_source, 'package-lock.json (checkout root)');
  });

  it('without a lockfile, hashes sorted name@version lines of the installed closure', async () => {
    const { installedDependencyLines } = await import('@llm-speed/framework');
    const lines = installedDependencyLines(PACKAGE_ROOT);
    assert.ok(lines.some((l) => l.startsWith('@noble/ed25519@3.')));
    assert.ok(lines.some((l) => l.startsWith('undici@')));
    assert.deepEqual([...lines].sort(), lines);
  });
});
