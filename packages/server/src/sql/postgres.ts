/**
 * node-postgres behind the SqlDatabase seam: a pool per process, `?` placeholders numbered
 * `$1…$n`, bigint (count(*), identity columns) read as JS numbers, and transactions retried when
 * PostgreSQL reports a serialization failure or a deadlock (the body runs again from scratch).
 */
import { createHash } from 'node:crypto';
import pg from 'pg';
import type { SqlDatabase, SqlExecutor, SqlValue } from './database.js';

const INT8_OID = 20;
const RETRYABLE = new Set(['40001', '40P01']);
const MAX_ATTEMPTS = 5;

/** count(*) and identity columns are bigint; every value this schema stores fits a double exactly. */
const types = {
  getTypeParser: ((oid: number, format?: 'text' | 'binary') =>
    oid === INT8_OID && format !== 'binary' ? (text: string) => Number(text) : (pg.types.getTypeParser(oid, format as 'text') as (value: string) => unknown)) as typeof pg.types.getTypeParser,
};

const numbered = new Map<string, string>();
/** `?` → `$1, $2, …` (the repository's SQL carries no `?` inside literals). */
export function numberPlaceholders(sql: string): string {
  let out = numbered.get(sql);
  if (out === undefined) {
    let n = 0;
    out = sql.replace(/\?/g, () => `$${++n}`);
    numbered.set(sql, out);
  }
  return out;
}

const names = new Map<string, string>();
/**
 * Statements with parameters are prepared once per connection under a name derived from their
 * text, so PostgreSQL parses and plans each of them once rather than on every ingest. Without
 * parameters (DDL, several statements at once) they go as simple queries.
 */
function statement(sql: string, params: readonly SqlValue[]): pg.QueryConfig<SqlValue[]> {
  const text = numberPlaceholders(sql);
  if (params.length === 0) return { text };
  let name = names.get(text);
  if (!name) names.set(text, (name = `llm_speed_${createHash('sha1').update(text).digest('hex').slice(0, 20)}`));
  return { name, text, values: params as SqlValue[] };
}

/** SQLSTATE classes and node errors that mean the server is gone, not that the statement is wrong. */
const CONNECTION_CODES = new Set(['ECONNREFUSED', 'ECONNRESET', 'ETIMEDOUT', 'EPIPE', 'EHOSTUNREACH', 'ENOTFOUND', '57P01', '57P02', '57P03']);
const CONNECTION_WORDS = /Connection terminated|connection timeout|timeout exceeded when trying to connect|Client has encountered a connection error|Connection closed/i;

/** Whether `error` says the connection to PostgreSQL is lost (or cannot be made), rather than that a statement failed. */
export function isConnectionLoss(error: unknown): boolean {
  const raw = (error as { code?: unknown })?.code;
  const code = typeof raw === 'string' ? raw : '';
  return CONNECTION_CODES.has(code) || code.startsWith('08') || CONNECTION_WORDS.test(String((error as Error)?.message ?? ''));
}

/** Refused at once while PostgreSQL is known to be away (PostgresDatabase's backoff): answered as a lost connection. */
export class PostgresUnavailableError extends Error {
  readonly code = 'ECONNREFUSED';
  constructor(retryInMs: number, cause: unknown) {
    super(`PostgreSQL is unreachable (${(cause as Error)?.message ?? String(cause)}); trying again in ${retryInMs} ms`);
    this.name = 'PostgresUnavailableError';
  }
}

/**
 * While PostgreSQL is away, requests are refused at once rather than each opening a connection
 * that fails: after a lost connection the next attempt waits 100 ms, then twice as long each time
 * it fails again, up to MAX_BACKOFF_MS; the first success ends it. MAX_BACKOFF_MS is what bounds
 * how long the service stays away after PostgreSQL is back.
 */
export const MAX_BACKOFF_MS = 2000;
const FIRST_BACKOFF_MS = 100;

class Backoff {
  private retryAt = 0;
  private delay = 0;
  private lastCause: unknown;
  /** Whether PostgreSQL ever answered: before that a failure is the opener's to report, not "lost". */
  private reached = false;
  constructor(private readonly log: (line: string) => void) {}

  /** Throws while the wait after a lost connection lasts. */
  check(): void {
    const left = this.retryAt - Date.now();
    if (left > 0) throw new PostgresUnavailableError(left, this.lastCause);
  }

  /** A query or connection failed: a lost connection starts (or lengthens) the wait. */
  failed(error: unknown): void {
    if (!isConnectionLoss(error)) return;
    if (this.delay === 0 && this.reached) this.log(`PostgreSQL connection lost (${(error as Error)?.message ?? String(error)}); answering 503 and reconnecting with backoff`);
    this.delay = Math.min(MAX_BACKOFF_MS, Math.max(FIRST_BACKOFF_MS, this.delay * 2));
    this.retryAt = Date.now() + this.delay;
    this.lastCause = error;
  }

  succeeded(): void {
    if (this.delay !== 0 && this.reached) this.log('PostgreSQL is back');
    this.reached = true;
    this.delay = 0;
    this.retryAt = 0;
  }
}

function executorOn(client: pg.Pool | pg.PoolClient, inTransaction: boolean, backoff?: Backoff): SqlExecutor {
  const query = async <T>(sql: string, params: readonly SqlValue[] = []) => {
    backoff?.check();
    try {
      const result = (await client.query(statement(sql, params))) as unknown as Omit<pg.QueryResult, 'rows'> & { rows: T[] };
      backoff?.succeeded();
      return result;
    } catch (error) {
      backoff?.failed(error);
      throw error;
    }
  };
  return {
    all: async <T>(sql: string, params?: readonly SqlValue[]) => (await query<T>(sql, params)).rows,
    get: async <T>(sql: string, params?: readonly SqlValue[]) => (await query<T>(sql, params)).rows[0],
    run: async (sql: string, params?: readonly SqlValue[]) => (await query(sql, params)).rowCount ?? 0,
    lock: async (keys: readonly string[]) => {
      if (!inTransaction) throw new Error('lock() outside a transaction');
      if (keys.length === 0) return;
      // Ascending key order, in one statement: two transactions never hold locks the other waits for.
      await client.query('SELECT count(pg_advisory_xact_lock(k)) FROM (SELECT DISTINCT unnest($1::bigint[]) AS k ORDER BY k) AS ordered', [keys]);
    },
  };
}

export interface PostgresOptions {
  /** Connections per process (default 10). */
  poolSize?: number;
  /** Where connection losses and recoveries are reported (default: stderr). */
  log?: (line: string) => void;
}

/** A connection attempt that takes longer than this fails (and counts as a lost connection). */
const CONNECT_TIMEOUT_MS = 5000;

export class PostgresDatabase implements SqlDatabase {
  readonly dialect = 'postgres' as const;
  readonly pool: pg.Pool;
  private readonly outside: SqlExecutor;
  private readonly backoff: Backoff;
  private closed = false;

  constructor(
    readonly url: string,
    options: PostgresOptions = {},
  ) {
    const log = options.log ?? ((line: string) => process.stderr.write(`llm-speed-server: ${line}\n`));
    this.backoff = new Backoff((line) => !this.closed && log(line));
    this.pool = new pg.Pool({ connectionString: url, max: options.poolSize ?? 10, types, application_name: 'llm-speed-server', connectionTimeoutMillis: CONNECT_TIMEOUT_MS });
    // An idle connection dropped by the server (restart, failover) must not take the process down.
    // After close() a connection may still be finishing (pool.end() does not wait for that): quiet then.
    this.pool.on('error', (error) => {
      if (!this.closed) log(`PostgreSQL connection lost: ${error.message}`);
    });
    this.outside = executorOn(this.pool, false, this.backoff);
  }

  /**
   * A client of the pool with an 'error' listener for as long as it is checked out: the pool
   * listens only to idle clients, and a checked-out client whose connection dies (a restart of
   * PostgreSQL mid-transaction) would otherwise throw its 'error' event and end the process.
   */
  private async checkout(): Promise<{ client: pg.PoolClient; lost: () => unknown }> {
    this.backoff.check();
    let client: pg.PoolClient;
    try {
      client = await this.pool.connect();
    } catch (error) {
      this.backoff.failed(error);
      throw error;
    }
    let lost: unknown;
    const onError = (error: Error) => {
      lost = error;
      this.backoff.failed(error);
    };
    client.on('error', onError);
    const release = client.release.bind(client);
    client.release = ((destroy?: boolean | Error) => {
      client.removeListener('error', onError);
      return release(destroy ?? (lost ? true : undefined));
    }) as typeof client.release;
    return { client, lost: () => lost };
  }

  all<T>(sql: string, params?: readonly SqlValue[]): Promise<T[]> {
    return this.outside.all<T>(sql, params);
  }

  get<T>(sql: string, params?: readonly SqlValue[]): Promise<T | undefined> {
    return this.outside.get<T>(sql, params);
  }

  run(sql: string, params?: readonly SqlValue[]): Promise<number> {
    return this.outside.run(sql, params);
  }

  lock(keys: readonly string[]): Promise<void> {
    return this.outside.lock(keys);
  }

  /**
   * `options.sessionLock`: an advisory lock held from before BEGIN until after COMMIT (migrations).
   * Taken inside the transaction instead, a catalog look-up after the wait could still answer from
   * what this connection cached before the other process committed its tables.
   */
  async transaction<T>(fn: (tx: SqlExecutor) => Promise<T>, options: { sessionLock?: string } = {}): Promise<T> {
    for (let attempt = 1; ; attempt++) {
      const { client, lost } = await this.checkout();
      let broken = false;
      try {
        if (options.sessionLock) await client.query('SELECT pg_advisory_lock($1::bigint)', [options.sessionLock]);
        await client.query('BEGIN');
        const result = await fn(executorOn(client, true, this.backoff));
        await client.query('COMMIT');
        this.backoff.succeeded();
        return result;
      } catch (error) {
        this.backoff.failed(error);
        if (lost()) broken = true;
        else await client.query('ROLLBACK').catch(() => (broken = true));
        if (attempt < MAX_ATTEMPTS && RETRYABLE.has((error as { code?: string }).code ?? '')) continue;
        throw error;
      } finally {
        if (options.sessionLock && !broken) await client.query('SELECT pg_advisory_unlock($1::bigint)', [options.sessionLock]).catch(() => (broken = true));
        client.release(broken);
      }
    }
  }

  /** One connection for a sequence of statements that must share a session (migrations). */
  async withClient<T>(fn: (client: pg.PoolClient) => Promise<T>): Promise<T> {
    const { client } = await this.checkout();
    try {
      return await fn(client);
    } finally {
      client.release();
    }
  }

  async close(): Promise<void> {
    this.closed = true;
    await this.pool.end();
  }
}
