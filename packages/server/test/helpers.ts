/**
 * Shared fixtures for the server tests: a schema-valid run, signing with the framework, a live
 * server — on SQLite or on PostgreSQL. `forEachBackend` runs a suite once per backend: the same
 * tests, not a copy; startTestServer and openTestRepository use the backend of the suite they run in.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { generateKeyPair, signRun, toCompactJws, type MeasuredResult, type RunPayload } from '@llm-speed/framework';
import { sampleResult, sampleRun } from '@llm-speed/framework/testing';
import { main } from '../src/cli.js';
import { createServer, PostgresResultsRepository, SqliteResultsRepository, type ResultsRepository, type RunningServer, type ServerOptions } from '../src/index.js';
import { numberPlaceholders } from '../src/sql/postgres.js';
import { createTestDatabase, postgresSkipped, queryAs, testPostgres, type TestDatabase } from './postgres.js';

export { sampleResult, sampleRun };

/**
 * Ranks every group however few runs and keys it holds: for the tests of pages, listings and
 * statistics, whose boards hold one test key's runs. The evidence rule itself (5 runs from 4 keys)
 * is tested in ranking.test.ts, on the default.
 */
export const RANK_EVERY_GROUP = { minRuns: 1, minKeys: 1 } as const;

export type Backend = 'sqlite' | 'postgres';
export const BACKENDS: readonly Backend[] = ['sqlite', 'postgres'];
let currentBackend: Backend = 'sqlite';

/** The backend of the suite now running. */
export function backend(): Backend {
  return currentBackend;
}

/**
 * `describe(title)` once per backend, titled "[sqlite]" / "[postgres]". On PostgreSQL the server
 * is started first (a failure to start fails the suite, unless LLM_SPEED_TEST_POSTGRES=skip).
 */
export function forEachBackend(title: string, body: (backend: Backend) => void, backends: readonly Backend[] = BACKENDS): void {
  for (const b of backends) {
    // Skipped whole (hooks too): a suite's after() must not stop a server its before() never started.
    const suite = b === 'postgres' && postgresSkipped() ? describe.skip : describe;
    suite(`${title} [${b}]`, function () {
      before(async function () {
        this.timeout(600_000);
        if (b === 'postgres') await testPostgres();
        currentBackend = b;
      });
      after(() => {
        currentBackend = 'sqlite';
      });
      body(b);
    });
  }
}

/** Raw SQL (`?` placeholders) on a test database, bypassing the repository: what an attacker with a connection could try. */
export type RawSql = (sql: string, params?: unknown[], as?: 'app' | 'owner') => Promise<Array<Record<string, unknown>>>;

function sqliteRaw(file: string): RawSql {
  return async (sql, params = []) => {
    const db = new Database(file);
    try {
      const statement = db.prepare(sql);
      return statement.reader ? (statement.all(...params) as Array<Record<string, unknown>>) : (statement.run(...params), []);
    } finally {
      db.close();
    }
  };
}

function postgresRaw(database: TestDatabase): RawSql {
  return (sql, params = [], as = 'app') => queryAs(as === 'owner' ? database.ownerUrl : database.appUrl, numberPlaceholders(sql), params);
}

/** Every row of every table, as text: what "stored in the database" means, on either backend. */
async function dumpTables(raw: RawSql, dialect: Backend): Promise<string> {
  const tables = (
    dialect === 'sqlite' ? await raw("SELECT name FROM sqlite_master WHERE type = 'table'") : await raw('SELECT tablename AS name FROM pg_tables WHERE schemaname = current_schema()', [], 'owner')
  ).map((t) => String(t.name));
  const parts: string[] = [];
  for (const table of tables) parts.push(table, JSON.stringify(await raw(`SELECT * FROM ${table}`, [], 'owner')));
  return parts.join('\n');
}

export interface TestRepository {
  repo: ResultsRepository;
  backend: Backend;
  sql: RawSql;
  close: () => Promise<void>;
}

/** A repository on a fresh database of the current backend (no HTTP server). */
export async function openTestRepository(): Promise<TestRepository> {
  if (currentBackend === 'postgres') {
    const database = await createTestDatabase();
    const repo = await PostgresResultsRepository.open(database.appUrl);
    return { repo, backend: 'postgres', sql: postgresRaw(database), close: async () => (await repo.close(), await database.drop()) };
  }
  const dir = mkdtempSync(join(tmpdir(), 'llm-speed-repo-'));
  const file = join(dir, 'results.sqlite');
  const repo = await SqliteResultsRepository.open(file);
  return { repo, backend: 'sqlite', sql: sqliteRaw(file), close: async () => (await repo.close(), rmSync(dir, { recursive: true, force: true })) };
}

/** A W3 + W4 pair so pages have both charts to draw. */
export function chartResults(): MeasuredResult[] {
  return [
    sampleResult({
      workload: 'long-context-decay',
      decode_tps: null,
      tiers: [
        { context_tokens: 32768, prefill_tps: 2100.5, decode_tps: 61.25, ttft_ms: 15600 },
        { context_tokens: 65536, prefill_tps: 1700.25, decode_tps: 48.5, ttft_ms: 38500 },
        { context_tokens: 131072, prefill_tps: null, decode_tps: null, ttft_ms: null, skipped: 'model context is 65536 tokens' },
      ],
    }),
    sampleResult({
      workload: 'concurrent-decode',
      decode_tps: 95.5,
      batches: [
        { batch: 1, aggregate_tps: 95.5, per_stream_tps: 95.5, p50_ms: 10.4, p95_ms: 11.9 },
        { batch: 4, aggregate_tps: 301.75, per_stream_tps: 75.4, p50_ms: 13.2, p95_ms: 15.1 },
        { batch: 8, aggregate_tps: 480.125, per_stream_tps: 60.0, p50_ms: 16.6, p95_ms: 19.3 },
        { batch: 16, aggregate_tps: 640.0, per_stream_tps: 40.0, p50_ms: 25.0, p95_ms: 29.8 },
      ],
    }),
  ];
}

/** A W5 agent trace: per-turn TTFT and decode, the prefix cache warming from the second turn on. */
export function turnResult(overrides: Partial<MeasuredResult> = {}): MeasuredResult {
  const turns = Array.from({ length: 11 }, (_, i) => ({
    turn: i + 1,
    ttft_ms: i === 0 ? 410.5 : 95 + 9 * i,
    decode_tps: 181 - 2.5 * i,
    prompt_tokens: 900 + 380 * i,
    output_tokens: 128,
    wall_ms: 1200 + 40 * i,
    prefix_cache_hit_rate: i === 0 ? 0 : Math.min(0.97, 0.55 + 0.045 * i),
  }));
  return sampleResult({
    workload: 'agent-trace',
    ttft_ms: 148.2,
    prefill_tps: 6120.4,
    decode_tps: 168.6,
    prompt_tokens: turns.reduce((n, t) => n + t.prompt_tokens, 0),
    output_tokens: 11 * 128,
    wall_ms: turns.reduce((n, t) => n + t.wall_ms, 0),
    prefix_cache_hit_rate: 0.81,
    turns,
    turn_p50_ms: 1400,
    turn_p95_ms: 1590,
    ...overrides,
  });
}

/** Every suite-v1 workload, with both clocks, token counts and a build: what a full `llm-speed bench` uploads. */
export function fullResults(): MeasuredResult[] {
  const build = { kind: 'cuda' as const, devices: ['NVIDIA GeForce RTX 4090'] };
  const common = { backend_build: build, token_counts: 'backend' as const };
  const [w3, w4] = chartResults();
  return [
    sampleResult({ ...common, backend_prefill_tps: 8610.2, backend_decode_tps: 190.3, cached_prompt_tokens: 0 }),
    sampleResult({
      ...common,
      workload: 'chat-long',
      ttft_ms: 611.8,
      prefill_tps: 6702.4,
      decode_tps: 171.2,
      prompt_tokens: 4100,
      output_tokens: 1024,
      context_tokens: 5124,
      wall_ms: 6600,
      backend_decode_tps: 173.9,
    }),
    { ...w3!, ...common },
    { ...w4!, ...common, batch_size: 16, output_tokens: 16 * 256 },
    turnResult(common),
  ];
}

let keys: Awaited<ReturnType<typeof generateKeyPair>> | undefined;

export async function testKeys() {
  keys ??= await generateKeyPair();
  return keys;
}

export async function signedToken(run: RunPayload): Promise<string> {
  return toCompactJws(await signRun(run, await testKeys()));
}

export interface TestServer extends RunningServer {
  backend: Backend;
  dir: string;
  /** SQLite only: the database file. */
  dbFile: string;
  /** The database the server uses, as the app role (PostgreSQL) or a second connection (SQLite). */
  sql: RawSql;
  /** Every stored row of every table, as text. */
  dump(): Promise<string>;
  logs: string[];
  post(path: string, body: string | object, headers?: Record<string, string>): Promise<{ status: number; json: any; text: string }>;
  get(path: string, headers?: Record<string, string>): Promise<{ status: number; text: string; headers: Headers }>;
  stop(): Promise<void>;
}

/** A live server on a fresh database of the current backend (or of `on`). */
export async function startTestServer(options: Partial<ServerOptions> = {}, on: Backend = currentBackend): Promise<TestServer> {
  const dir = mkdtempSync(join(tmpdir(), 'llm-speed-server-'));
  const dbFile = join(dir, 'results.sqlite');
  const database = on === 'postgres' ? await createTestDatabase() : undefined;
  const logs: string[] = [];
  let running: RunningServer;
  try {
    running = await createServer({ db: database?.appUrl ?? dbFile, host: '127.0.0.1', port: 0, log: (line) => logs.push(line), rateLimit: false, ...options });
  } catch (error) {
    await database?.drop();
    rmSync(dir, { recursive: true, force: true });
    throw error;
  }
  const sql = database ? postgresRaw(database) : sqliteRaw(dbFile);
  return {
    ...running,
    backend: database ? 'postgres' : 'sqlite',
    dir,
    dbFile,
    sql,
    dump: () => dumpTables(sql, database ? 'postgres' : 'sqlite'),
    logs,
    async post(path, body, headers = {}) {
      const isText = typeof body === 'string';
      const res = await fetch(running.url + path, {
        method: 'POST',
        headers: { 'content-type': isText ? 'application/jose' : 'application/json', ...headers },
        body: isText ? body : JSON.stringify(body),
      });
      const text = await res.text();
      let json: unknown;
      try {
        json = JSON.parse(text);
      } catch {
        json = undefined;
      }
      return { status: res.status, json, text };
    },
    async get(path, headers = {}) {
      const res = await fetch(running.url + path, { headers });
      return { status: res.status, text: await res.text(), headers: res.headers };
    },
    async stop() {
      try {
        await running.close();
      } finally {
        await database?.drop();
        rmSync(dir, { recursive: true, force: true });
      }
    },
  };
}

/** Runs the `llm-speed-server` CLI in-process; returns its exit code and what it wrote. */
export async function runServerCli(argv: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  const out: string[] = [];
  const err: string[] = [];
  // eslint-disable-next-line @typescript-eslint/unbound-method -- saved only to be put back on the same stream, never called unbound
  const [write, writeErr, exitCode] = [process.stdout.write, process.stderr.write, process.exitCode];
  process.stdout.write = ((chunk: string) => (out.push(String(chunk)), true)) as typeof process.stdout.write;
  process.stderr.write = ((chunk: string) => (err.push(String(chunk)), true)) as typeof process.stderr.write;
  process.exitCode = 0;
  try {
    await main(argv);
    return { code: Number(process.exitCode ?? 0), stdout: out.join(''), stderr: err.join('') };
  } finally {
    process.stdout.write = write;
    process.stderr.write = writeErr;
    process.exitCode = exitCode;
  }
}
