/**
 * Several processes, one board (issue 17): the real `llm-speed-server --workers 2` (node:cluster)
 * on a real PostgreSQL. Connections are opened one per request, so the primary hands them to the
 * workers in turn; the access log says which worker answered. Also: SQLite refuses --workers > 1,
 * and two independent servers (two machines) given the same LLM_SPEED_IP_SALT_SECRET hash a
 * client alike.
 */
import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import http from 'node:http';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { main } from '../src/cli.js';
import { createServer, secretSalts } from '../src/index.js';
import { forEachBackend, sampleResult, sampleRun, signedToken } from './helpers.js';
import { createTestDatabase, type TestDatabase } from './postgres.js';

const CLI = fileURLToPath(new URL('./fixtures/llm-speed-server.ts', import.meta.url));
/** The access-log line: time, client hash, method, path, status, duration, worker. */
const LOG_LINE = /^\S+ ([0-9a-f]{16}) (GET|POST|HEAD) (\S+) (\d{3}) [\d.]+ms (w\d+)$/;

/** One request on a connection of its own (no keep-alive), so consecutive requests reach different workers. */
function request(url: string, method: string, body?: string, headers: Record<string, string> = {}): Promise<{ status: number; text: string }> {
  return new Promise((resolve, reject) => {
    const req = http.request(url, { method, agent: false, headers: body === undefined ? headers : { 'content-length': String(Buffer.byteLength(body)), ...headers } }, (res) => {
      let text = '';
      res.setEncoding('utf8');
      res.on('data', (chunk) => (text += chunk));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, text }));
    });
    req.on('error', reject);
    req.end(body);
  });
}

async function cli(argv: string[]): Promise<{ code: number; stderr: string }> {
  const err: string[] = [];
  // eslint-disable-next-line @typescript-eslint/unbound-method -- saved only to be put back on the same stream, never called unbound
  const [writeErr, exitCode] = [process.stderr.write, process.exitCode];
  process.stderr.write = ((chunk: string) => (err.push(String(chunk)), true)) as typeof process.stderr.write;
  process.exitCode = 0;
  try {
    await main(argv);
    return { code: Number(process.exitCode ?? 0), stderr: err.join('') };
  } finally {
    process.stderr.write = writeErr;
    process.exitCode = exitCode;
  }
}

describe('llm-speed-server: refusals before anything starts (exit 2)', () => {
  it('refuses more than one worker with a message naming the fix (exit 2), and --workers 0', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'llm-speed-workers-'));
    try {
      const refused = await cli(['--db', join(dir, 'results.sqlite'), '--workers', '2', '--port', '0']);
      assert.equal(refused.code, 2);
      assert.match(refused.stderr, /--workers 2 needs PostgreSQL: a SQLite file has one writer.*--db postgres:\/\//);
      const zero = await cli(['--db', join(dir, 'results.sqlite'), '--workers', '0']);
      assert.equal(zero.code, 2);
      assert.match(zero.stderr, /--workers must be an integer >= 1, got 0/);
      for (const bad of ['abc', '1.5']) {
        const refusedBad = await cli(['--db', join(dir, 'results.sqlite'), '--workers', bad]);
        assert.equal(refusedBad.code, 2, bad);
        assert.ok(refusedBad.stderr.includes(`--workers must be an integer >= 1, got ${bad}`), refusedBad.stderr);
      }
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('a malformed --rate-limit, --app-role on SQLite, and a salt secret short enough to guess', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'llm-speed-flags-'));
    const db = join(dir, 'results.sqlite');
    const saved = process.env.LLM_SPEED_IP_SALT_SECRET;
    try {
      for (const [argv, message] of [
        [['--db', db, '--rate-limit', '60'], /--rate-limit must be <burst>\/<per second> \(e\.g\. 60\/1\) or off, got 60/],
        [['--db', db, '--rate-limit', '0/1'], /--rate-limit must be/],
        [['migrate', '--db', db, '--app-role', 'llm_speed_app'], /--app-role is for PostgreSQL/],
      ] as const) {
        const refused = await cli([...argv]);
        assert.equal(refused.code, 2, argv.join(' '));
        assert.match(refused.stderr, message);
      }
      process.env.LLM_SPEED_IP_SALT_SECRET = 'too short';
      const short = await cli(['--db', db, '--port', '0']);
      assert.equal(short.code, 2);
      assert.match(short.stderr, /LLM_SPEED_IP_SALT_SECRET must be at least 32 characters/);
    } finally {
      if (saved === undefined) delete process.env.LLM_SPEED_IP_SALT_SECRET;
      else process.env.LLM_SPEED_IP_SALT_SECRET = saved;
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

forEachBackend(
  'several processes, one board',
  () => {
    let db: TestDatabase;
    let child: ChildProcess | undefined;
    afterEach(async function () {
      this.timeout(60_000);
      if (child && child.exitCode === null) {
        child.kill('SIGKILL');
        await new Promise((resolve) => child!.once('exit', resolve));
      }
      child = undefined;
      await db?.drop();
    });

    it('llm-speed-server --workers 2: ingest through both workers, one hash per client from both, clean stop on SIGTERM', async function () {
      this.timeout(180_000);
      db = await createTestDatabase();
      child = spawn(process.execPath, [...process.execArgv, CLI, '--db', db.appUrl, '--workers', '2', '--verify-threads', '1', '--port', '0'], {
        stdio: ['ignore', 'pipe', 'pipe'],
        env: { ...process.env, LLM_SPEED_IP_SALT_SECRET: '', LLM_SPEED_ADMIN_TOKEN: '' },
      });
      const stdout: string[] = [];
      let stderr = '';
      let pending = '';
      child.stdout!.setEncoding('utf8').on('data', (chunk: string) => {
        const lines = (pending + chunk).split('\n');
        pending = lines.pop()!;
        stdout.push(...lines);
      });
      const url = await new Promise<string>((resolve, reject) => {
        child!.stderr!.setEncoding('utf8').on('data', (chunk: string) => {
          stderr += chunk;
          const m = /listening on (http:\/\/\S+) \(db (\S+); 2 workers × 1 verify threads\)/.exec(stderr);
          if (m) resolve(m[1]!);
        });
        child!.once('exit', (code) => reject(new Error(`server exited (${code}) before listening:\n${stderr}`)));
      });
      assert.match(stderr, /\(db postgres:\/\/llm_speed_app:\*\*\*@/, 'the password is masked');

      const ids: string[] = [];
      for (let i = 0; i < 12; i++) {
        const token = await signedToken(sampleRun([sampleResult({ decode_tps: 150 + i })], new Date(Date.UTC(2026, 10, 24, 10, i)).toISOString()));
        const res = await request(`${url}/v1/results`, 'POST', token, { 'content-type': 'application/jose' });
        assert.equal(res.status, 201, res.text);
        ids.push(JSON.parse(res.text).id);
      }
      // Whichever worker stored a result, every worker serves it.
      for (const id of ids) for (let k = 0; k < 2; k++) assert.equal((await request(`${url}/v1/results/${id}`, 'GET')).status, 200);
      assert.equal(JSON.parse((await request(`${url}/healthz`, 'GET')).text).results, 12);
      await new Promise((resolve) => setTimeout(resolve, 200)); // the last log lines

      const lines = stdout.map((l) => LOG_LINE.exec(l)).filter((m): m is RegExpExecArray => m !== null);
      assert.ok(lines.length >= 12 + 24 + 1, stdout.join('\n'));
      const posts = lines.filter((m) => m[2] === 'POST' && m[4] === '201');
      assert.deepEqual([...new Set(posts.map((m) => m[5]))].sort(), ['w1', 'w2'], 'both workers stored results');
      assert.deepEqual([...new Set(lines.map((m) => m[1]))].length, 1, 'one client, one hash, whichever worker answered');

      child.kill('SIGTERM');
      const code = await new Promise<number | null>((resolve) => child!.once('exit', (exitCode) => resolve(exitCode)));
      assert.equal(code, 0, stderr);
    });

    it('two servers on two machines with the same LLM_SPEED_IP_SALT_SECRET: one board, one hash per client', async () => {
      db = await createTestDatabase();
      const salts = secretSalts('the operator secret shared by every machine');
      const logs: string[][] = [[], []];
      const servers = await Promise.all(logs.map((log) => createServer({ db: db.appUrl, port: 0, rateLimit: false, salts, log: (line) => log.push(line) })));
      try {
        const [one, two] = servers;
        const a = await request(`${one!.url}/v1/results`, 'POST', await signedToken(sampleRun()), { 'content-type': 'application/jose' });
        assert.equal(a.status, 201);
        const b = await request(`${two!.url}/v1/results/${JSON.parse(a.text).id}`, 'GET');
        assert.equal(b.status, 200, 'stored through one machine, served by the other');
        const hash = (line: string) => line.split(' ')[1];
        assert.equal(hash(logs[0]![0]!), hash(logs[1]![0]!));
      } finally {
        await Promise.all(servers.map((s) => s.close()));
      }
    });
  },
  ['postgres'],
);
