/**
 * Issue 24, finding 6: "The cluster does not survive its database." Restarting PostgreSQL under
 * load killed the workers with an unhandled pg 'error'; replacement workers that could not connect
 * neither exited nor listened (the port refused connections for 45 s after PostgreSQL was back); a
 * single-process server just exited; a worker killed within its first 10 s stopped the whole
 * server; SIGTERM reset requests in flight, so runs were stored but never acknowledged.
 *
 * These tests run the real `llm-speed-server` (node:cluster) against a PostgreSQL of their own
 * (scripts/postgres-test.sh, with synchronous_commit on, so that a commit PostgreSQL acknowledged
 * survives its crash), restart it with `pg_ctl restart -m immediate` and `-m fast` while clients
 * post runs, and kill workers at start-up and later. They assert that the service answers within
 * 10 s of PostgreSQL's return, that every answer in between is a 201 or a 503 with Retry-After (no
 * reset, no 500), and that every run acknowledged with 201 is in the database.
 */
import assert from 'node:assert/strict';
import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { readFileSync } from 'node:fs';
import http from 'node:http';
import net from 'node:net';
import { fileURLToPath } from 'node:url';
import pg from 'pg';
import { PostgresResultsRepository } from '../src/index.js';
import { postgresSkipped } from './postgres.js';
import { sampleResult, sampleRun, signedToken } from './helpers.js';

const CLI = fileURLToPath(new URL('./fixtures/llm-speed-server.ts', import.meta.url));
const SCRIPT = fileURLToPath(new URL('../../../scripts/postgres-test.sh', import.meta.url));
/** The promise under test: back within this long of PostgreSQL's return. */
const BACK_WITHIN_MS = 10_000;

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

interface OwnPostgres {
  dir: string;
  ownerUrl: string;
  appUrl: string;
  pgCtl(...args: string[]): void;
  stop(): void;
}

/** A PostgreSQL of this file's own (restarting the shared one would pull it from under other tests). */
async function ownPostgres(): Promise<OwnPostgres> {
  const out = execFileSync('bash', [SCRIPT, 'start', String(process.pid)], { encoding: 'utf8', timeout: 600_000 });
  const dir = /^PG_TEST_DIR=(.*)$/m.exec(out)![1]!;
  const superUrl = /^PG_TEST_URL=(.*)$/m.exec(out)![1]!;
  const owner = readFileSync(`${dir}/owner`, 'utf8').trim();
  const bindir = readFileSync(`${dir}/bindir`, 'utf8').trim();
  const pgCtl = (...args: string[]) => {
    const command = [`${bindir}/pg_ctl`, '-D', `${dir}/data`, '-l', `${dir}/data/server.log`, ...args];
    if (owner === execFileSync('id', ['-un'], { encoding: 'utf8' }).trim()) execFileSync(command[0]!, command.slice(1), { stdio: 'ignore', timeout: 120_000 });
    else execFileSync('runuser', ['-u', owner, '--', ...command], { stdio: 'ignore', timeout: 120_000 });
  };
  const admin = new pg.Client({ connectionString: superUrl });
  await admin.connect();
  try {
    // The test server runs with synchronous_commit off for speed; an acknowledged commit must survive a crash here.
    await admin.query('ALTER SYSTEM SET synchronous_commit = on');
    await admin.query('SELECT pg_reload_conf()');
    await admin.query("CREATE ROLE resilience_owner LOGIN PASSWORD 'owner-pw'");
    await admin.query("CREATE ROLE resilience_app LOGIN PASSWORD 'app-pw'");
    await admin.query('CREATE DATABASE resilience OWNER resilience_owner');
  } finally {
    await admin.end();
  }
  const url = (role: string, password: string) => {
    const u = new URL(superUrl);
    u.username = role;
    u.password = password;
    u.pathname = '/resilience';
    return u.toString();
  };
  const ownerUrl = url('resilience_owner', 'owner-pw');
  const repo = await PostgresResultsRepository.connect(ownerUrl);
  await repo.migrate('resilience_app');
  await repo.close();
  return { dir, ownerUrl, appUrl: url('resilience_app', 'app-pw'), pgCtl, stop: () => execFileSync('bash', [SCRIPT, 'stop', dir], { stdio: 'ignore', timeout: 120_000 }) };
}

interface Server {
  child: ChildProcess;
  url: string;
  stdout: string[];
  stderr: () => string;
}

/**
 * A port that is free now. The servers get a fixed port, as in production: with `--port 0` a
 * cluster whose workers were all gone at once would come back on another random port.
 */
async function freePort(): Promise<number> {
  const probe = net.createServer();
  await new Promise<void>((resolve) => probe.listen(0, '127.0.0.1', resolve));
  const { port } = probe.address() as net.AddressInfo;
  await new Promise((resolve) => probe.close(resolve));
  return port;
}

async function startServer(db: string, args: string[] = []): Promise<Server> {
  const child = spawn(process.execPath, [...process.execArgv, CLI, '--db', db, '--verify-threads', '1', '--rate-limit', 'off', '--port', String(await freePort()), ...args], {
    stdio: ['ignore', 'pipe', 'pipe'],
    env: { ...process.env, LLM_SPEED_IP_SALT_SECRET: '', LLM_SPEED_ADMIN_TOKEN: '' },
  });
  const stdout: string[] = [];
  let pending = '';
  child.stdout!.setEncoding('utf8').on('data', (chunk: string) => {
    const lines = (pending + chunk).split('\n');
    pending = lines.pop()!;
    stdout.push(...lines);
  });
  let stderr = '';
  const url = await new Promise<string>((resolve, reject) => {
    child.stderr!.setEncoding('utf8').on('data', (chunk: string) => {
      stderr += chunk;
      const m = /listening on (http:\/\/\S+) /.exec(stderr);
      if (m) resolve(m[1]!);
    });
    child.once('exit', (code) => reject(new Error(`server exited (${code}) before listening:\n${stderr}`)));
  });
  return { child, url, stdout, stderr: () => stderr };
}

async function stopServer(server: Server | undefined): Promise<number | null> {
  if (!server || server.child.exitCode !== null) return server?.child.exitCode ?? null;
  const exited = new Promise<number | null>((resolve) => server.child.once('exit', (code) => resolve(code)));
  server.child.kill('SIGTERM');
  const timer = setTimeout(() => server.child.kill('SIGKILL'), 60_000);
  const code = await exited;
  clearTimeout(timer);
  return code;
}

/** One POST on a connection of its own (so the primary deals them to the workers in turn). */
function post(url: string, body: string): Promise<{ status: number; text: string; retryAfter?: string } | { error: string }> {
  return new Promise((resolve) => {
    const req = http.request(
      `${url}/v1/results`,
      { method: 'POST', agent: false, timeout: 30_000, headers: { 'content-type': 'application/jose', 'content-length': String(Buffer.byteLength(body)) } },
      (res) => {
        let text = '';
        res.setEncoding('utf8');
        res.on('data', (chunk) => (text += chunk));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, text, retryAfter: res.headers['retry-after'] as string | undefined }));
        res.on('error', (error) => resolve({ error: (error as NodeJS.ErrnoException).code ?? error.message }));
      },
    );
    req.on('timeout', () => req.destroy(new Error('timeout')));
    req.on('error', (error) => resolve({ error: (error as NodeJS.ErrnoException).code ?? error.message }));
    req.end(body);
  });
}

let serial = 0;
/** A run no other post of this file carries (ownership would answer 200 or 409 for a repeat). */
async function freshToken(): Promise<string> {
  serial += 1;
  return signedToken(sampleRun([sampleResult({ decode_tps: 100 + (serial % 1000) / 100 })], new Date(Date.UTC(2026, 0, 1) + serial * 1000).toISOString()));
}

/** Clients posting fresh runs until stopped; every answer is kept. */
function load(url: string, clients: number) {
  const answers: Array<{ status: number; text: string; retryAfter?: string } | { error: string }> = [];
  let running = true;
  const loops = Array.from({ length: clients }, async () => {
    while (running) {
      answers.push(await post(url, await freshToken()));
      await sleep(20);
    }
  });
  return {
    answers,
    async stop() {
      running = false;
      await Promise.all(loops);
    },
  };
}

/** Posts until one is stored; the time from `since` until it was. */
async function backAfter(url: string, since: number, log: () => string = () => ''): Promise<number> {
  for (;;) {
    const answer = await post(url, await freshToken());
    if ('status' in answer && answer.status === 201) return Date.now() - since;
    if (Date.now() - since > 60_000) assert.fail(`not back 60 s after PostgreSQL: last answer ${JSON.stringify(answer)}\n${log()}`);
    await sleep(100);
  }
}

/** A transaction holding a lock that makes every INSERT into results wait (until PostgreSQL goes away). */
async function holdResultsLock(db: OwnPostgres): Promise<pg.Client> {
  const client = new pg.Client({ connectionString: db.ownerUrl });
  client.on('error', () => undefined);
  await client.connect();
  await client.query('BEGIN');
  await client.query('LOCK TABLE results IN SHARE MODE');
  return client;
}

async function storedIds(db: OwnPostgres): Promise<Set<string>> {
  const client = new pg.Client({ connectionString: db.ownerUrl });
  await client.connect();
  try {
    return new Set((await client.query<{ id: string }>('SELECT id FROM results')).rows.map((r) => r.id));
  } finally {
    await client.end();
  }
}

/** The workers of a cluster primary, by pid. */
function workerPids(primary: ChildProcess): number[] {
  try {
    // Node processes only: the TypeScript loader runs a helper process of its own beside them.
    return execFileSync('ps', ['-o', 'pid=,comm=', '--ppid', String(primary.pid)], { encoding: 'utf8' })
      .split('\n')
      .map((l) => l.trim().split(/\s+/))
      .filter(([pid, comm]) => Number(pid) > 0 && comm === 'node')
      .map(([pid]) => Number(pid));
  } catch {
    return [];
  }
}

const suite = postgresSkipped() ? describe.skip : describe;

suite('a cluster that survives its database (issue 24.6)', function () {
  this.timeout(600_000);
  let db: OwnPostgres;
  let server: Server | undefined;
  before(async () => {
    db = await ownPostgres();
  });
  afterEach(async () => {
    await stopServer(server);
    server = undefined;
    // Whatever a test did to it, PostgreSQL runs for the next one.
    try {
      db.pgCtl('-w', '-t', '60', 'start');
    } catch {
      // already running
    }
  });
  after(() => db?.stop());

  for (const workers of [2, 1]) {
    it(`--workers ${workers}: PostgreSQL restarted under load (immediate, then fast): back within 10 s each time, only 201 or 503 meanwhile, no acknowledged run lost`, async () => {
      server = await startServer(db.appUrl, ['--workers', String(workers)]);
      const traffic = load(server.url, 4);
      await sleep(1500);
      const back: number[] = [];
      for (const mode of ['immediate', 'fast']) {
        // Inserts wait on a lock inside their transactions, so connections die while checked out of the
        // pool (the case that killed the workers), not only idle ones.
        const blocker = await holdResultsLock(db);
        await sleep(600);
        db.pgCtl('-w', '-t', '60', '-m', mode, 'restart');
        await blocker.end().catch(() => undefined);
        back.push(await backAfter(server.url, Date.now()));
        await sleep(1000);
      }
      await traffic.stop();
      for (const [i, ms] of back.entries()) assert.ok(ms <= BACK_WITHIN_MS, `back ${ms} ms after restart ${i + 1}`);
      assert.equal(server.child.exitCode, null, `the server is still running:\n${server.stderr()}`);
      const answers = traffic.answers;
      const unexpected = answers.filter((a) => !('status' in a) || (a.status !== 201 && a.status !== 503));
      assert.deepEqual(unexpected, [], 'every answer is a 201 or a 503');
      for (const a of answers) if ('status' in a && a.status === 503) assert.ok(Number(a.retryAfter) > 0, 'a 503 says when to retry');
      assert.ok(answers.filter((a) => 'status' in a && a.status === 201).length > 10, 'the load was stored before and after');
      const acknowledged = answers.flatMap((a) => ('status' in a && a.status === 201 ? [JSON.parse(a.text).id as string] : []));
      const stored = await storedIds(db);
      assert.deepEqual(
        acknowledged.filter((id) => !stored.has(id)),
        [],
        'every acknowledged run is stored',
      );
      assert.doesNotMatch(server.stderr(), /Unhandled|unhandled 'error'|exited during start-up/);
      assert.equal(await stopServer(server), 0);
    });
  }

  it('workers killed at start-up and later, and a replacement that cannot reach PostgreSQL: the primary never stops, the service is back within 10 s', async () => {
    // Killed before it listened: the primary starts another (before: the whole server stopped).
    const child = spawn(process.execPath, [...process.execArgv, CLI, '--db', db.appUrl, '--workers', '2', '--verify-threads', '1', '--rate-limit', 'off', '--port', String(await freePort())], {
      stdio: ['ignore', 'pipe', 'pipe'],
      env: { ...process.env, LLM_SPEED_IP_SALT_SECRET: '', LLM_SPEED_ADMIN_TOKEN: '' },
    });
    let stderr = '';
    child.stderr!.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk));
    child.stdout!.resume();
    let early: number[] = [];
    for (let i = 0; i < 100 && early.length === 0; i++) {
      early = workerPids(child);
      await sleep(50);
    }
    process.kill(early[0]!, 'SIGKILL');
    const url = await new Promise<string>((resolve, reject) => {
      const poll = setInterval(() => {
        const m = /listening on (http:\/\/\S+) /.exec(stderr);
        if (m) {
          clearInterval(poll);
          resolve(m[1]!);
        } else if (child.exitCode !== null) {
          clearInterval(poll);
          reject(new Error(`the primary stopped:\n${stderr}`));
        }
      }, 50);
    });
    server = { child, url, stdout: [], stderr: () => stderr };
    assert.match(stderr, /worker \d+ exited \(SIGKILL\) before it listened; starting another/);
    assert.equal(((await post(url, await freshToken())) as { status: number }).status, 201);

    // Killed seconds after it served: replaced again.
    const [victim] = workerPids(child);
    process.kill(victim!, 'SIGKILL');
    await sleep(500);
    assert.equal(child.exitCode, null, stderr);
    assert.ok((await backAfter(url, Date.now(), () => stderr)) <= BACK_WITHIN_MS);

    // PostgreSQL stops; a worker dies; its replacement cannot connect and waits (never hangs half-started).
    db.pgCtl('-w', '-t', '60', '-m', 'fast', 'stop');
    const [second] = workerPids(child);
    process.kill(second!, 'SIGKILL');
    const during = await post(url, await freshToken());
    assert.ok('status' in during ? during.status === 503 : true, `while PostgreSQL is away: ${JSON.stringify(during)}`);
    for (let i = 0; i < 100 && !/waiting for PostgreSQL/.test(stderr); i++) await sleep(100);
    assert.match(stderr, /worker \d+: .*waiting for PostgreSQL/);
    db.pgCtl('-w', '-t', '60', 'start');
    const ready = Date.now();

    assert.ok((await backAfter(url, ready, () => stderr)) <= BACK_WITHIN_MS);
    // The replacement connected and serves: two workers listen again, the primary never stopped.
    for (let i = 0; i < 150 && workerPids(child).length < 2; i++) await sleep(100);
    assert.equal(workerPids(child).length, 2);
    assert.equal(child.exitCode, null, stderr);
    assert.equal(await stopServer(server), 0);
  });

  for (const [what, dbOf, args] of [
    ['--workers 2 on PostgreSQL', () => db.appUrl, ['--workers', '2']],
    ['one process on SQLite', () => ':memory:', []],
  ] as const) {
    it(`SIGTERM (${what}) lets the requests in flight finish: each stored run is acknowledged, none is reset`, async () => {
      server = await startServer(dbOf(), [...args]);
      const { port } = new URL(server.url);
      const tokens = await Promise.all(Array.from({ length: 6 }, () => freshToken()));
      // Each request sends its headers and half its body, then waits for the signal.
      const sockets = tokens.map((token) => {
        const socket = net.connect(Number(port), '127.0.0.1');
        let answer = '';
        socket.setEncoding('utf8').on('data', (chunk: string) => (answer += chunk));
        const done = new Promise<string>((resolve) => {
          socket.on('close', () => resolve(answer));
          socket.on('error', (error) => resolve(`error ${(error as NodeJS.ErrnoException).code}`));
        });
        socket.write(`POST /v1/results HTTP/1.1\r\nHost: 127.0.0.1:${port}\r\nContent-Type: application/jose\r\nContent-Length: ${token.length}\r\nConnection: close\r\n\r\n`);
        socket.write(token.slice(0, token.length >> 1));
        return { socket, token, done };
      });
      await sleep(500);
      const exited = new Promise<number | null>((resolve) => server!.child.once('exit', (code) => resolve(code)));
      server.child.kill('SIGTERM');
      await sleep(300);
      // The rest of each body (the socket stays open for the answer, as any HTTP client keeps it).
      for (const { socket, token } of sockets) socket.write(token.slice(token.length >> 1));
      const answers = await Promise.all(sockets.map((s) => s.done));
      for (const answer of answers) assert.match(answer, /^HTTP\/1\.1 201 /, answer.slice(0, 200));
      assert.equal(await exited, 0, server.stderr());
      if (dbOf() !== ':memory:') {
        const stored = await storedIds(db);
        for (const answer of answers) assert.ok(stored.has(JSON.parse(answer.slice(answer.indexOf('\r\n\r\n') + 4)).id));
      }
    });
  }
});
