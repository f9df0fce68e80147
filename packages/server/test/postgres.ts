/**
 * The real PostgreSQL the server tests run against: started once per test run by
 * scripts/postgres-test.sh (initdb into a temp folder, 127.0.0.1 on a free port), stopped by a
 * root after-hook — and, should this process be killed, by the script's watchdog. Each test server
 * gets a database of its own, migrated by the owner role and served by the app role, as the README
 * tells operators to run it.
 *
 * LLM_SPEED_TEST_POSTGRES_URL=postgres://superuser@host/db uses a server you run instead.
 * LLM_SPEED_TEST_POSTGRES=skip runs the server tests on SQLite only (the PostgreSQL ones are
 * reported as pending); without it, a PostgreSQL that cannot be started fails the tests.
 */
import { execFileSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { fileURLToPath } from 'node:url';
import pg from 'pg';
import { PostgresResultsRepository } from '../src/index.js';

const SCRIPT = fileURLToPath(new URL('../../../scripts/postgres-test.sh', import.meta.url));
export const OWNER_ROLE = 'llm_speed_owner';
export const APP_ROLE = 'llm_speed_app';

export interface TestPostgres {
  /** The superuser's URL (database `postgres`). */
  superUrl: string;
  urlFor(database: string, role: 'owner' | 'app' | 'super'): string;
}

export interface TestDatabase {
  name: string;
  ownerUrl: string;
  appUrl: string;
  drop(): Promise<void>;
}

let started: Promise<TestPostgres> | undefined;
let scriptDir: string | undefined;
let databases = 0;

export function postgresSkipped(): boolean {
  return process.env.LLM_SPEED_TEST_POSTGRES === 'skip';
}

export function testPostgres(): Promise<TestPostgres> {
  started ??= start();
  return started;
}

async function start(): Promise<TestPostgres> {
  let superUrl = process.env.LLM_SPEED_TEST_POSTGRES_URL;
  if (!superUrl) {
    let out: string;
    try {
      // The watchdog watches this process: a killed test run leaves no server behind.
      out = execFileSync('bash', [SCRIPT, 'start', String(process.pid)], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'], timeout: 600_000 });
    } catch (error) {
      const { stderr: output } = error as { stderr?: unknown };
      const stderr = typeof output === 'string' ? output.trim() : '';
      throw new Error(
        `could not start a PostgreSQL for the server tests (scripts/postgres-test.sh start): ${stderr || (error as Error).message}\n` +
          "Install Debian's postgresql package, or set LLM_SPEED_TEST_POSTGRES=skip to run the server tests on SQLite only.",
        { cause: error },
      );
    }
    scriptDir = /^PG_TEST_DIR=(.*)$/m.exec(out)?.[1];
    superUrl = /^PG_TEST_URL=(.*)$/m.exec(out)?.[1];
    if (!superUrl) throw new Error(`scripts/postgres-test.sh start printed no URL:\n${out}`);
  }
  const passwords = { owner: randomBytes(18).toString('hex'), app: randomBytes(18).toString('hex') };
  const admin = new pg.Client({ connectionString: superUrl });
  await admin.connect();
  try {
    for (const [role, password] of [
      [OWNER_ROLE, passwords.owner],
      [APP_ROLE, passwords.app],
    ] as const) {
      const exists = (await admin.query('SELECT 1 FROM pg_roles WHERE rolname = $1', [role])).rowCount;
      await admin.query(`${exists ? 'ALTER' : 'CREATE'} ROLE ${role} LOGIN PASSWORD '${password}'`);
    }
  } finally {
    await admin.end();
  }
  const base = new URL(superUrl);
  return {
    superUrl,
    urlFor(database, role) {
      const url = new URL(base);
      url.pathname = `/${database}`;
      if (role !== 'super') {
        url.username = role === 'owner' ? OWNER_ROLE : APP_ROLE;
        url.password = passwords[role];
      }
      return url.toString();
    },
  };
}

/** Stops the PostgreSQL this run started (a root hook calls it once at the end). */
export function stopTestPostgres(): void {
  if (!scriptDir) return;
  const dir = scriptDir;
  scriptDir = undefined;
  started = undefined;
  execFileSync('bash', [SCRIPT, 'stop', dir], { stdio: 'inherit', timeout: 60_000 });
}

async function asSuperuser<T>(fn: (client: pg.Client) => Promise<T>): Promise<T> {
  const client = new pg.Client({ connectionString: (await testPostgres()).superUrl });
  await client.connect();
  try {
    return await fn(client);
  } finally {
    await client.end();
  }
}

/**
 * A fresh database owned by the owner role. `migrate` (default true) creates the schema as the
 * owner and grants the app role, as `llm-speed-server migrate --app-role` does.
 */
export async function createTestDatabase(options: { migrate?: boolean } = {}): Promise<TestDatabase> {
  const server = await testPostgres();
  const name = `llm_speed_t${process.pid}_${++databases}`;
  await asSuperuser((c) => c.query(`CREATE DATABASE ${name} OWNER ${OWNER_ROLE}`));
  const ownerUrl = server.urlFor(name, 'owner');
  if (options.migrate !== false) {
    const repo = await PostgresResultsRepository.connect(ownerUrl);
    try {
      await repo.migrate(APP_ROLE);
    } finally {
      await repo.close();
    }
  }
  return {
    name,
    ownerUrl,
    appUrl: server.urlFor(name, 'app'),
    drop: () => asSuperuser(async (c) => void (await c.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`))),
  };
}

/** One statement on a test database as the given role. */
export async function queryAs<T = Record<string, unknown>>(url: string, sql: string, params: unknown[] = []): Promise<T[]> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    return (await client.query(sql, params)).rows as T[];
  } finally {
    await client.end();
  }
}

// A root hook (registered while the test files load): one stop at the very end of the run.
if (typeof after === 'function') after(() => stopTestPostgres());
