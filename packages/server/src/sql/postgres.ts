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

function executorOn(client: pg.Pool | pg.PoolClient, inTransaction: boolean): SqlExecutor {
  const query = async <T>(sql: string, params: readonly SqlValue[] = []) => (await client.query(statement(sql, params))) as unknown as Omit<pg.QueryResult, 'rows'> & { rows: T[] };
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
}

export class PostgresDatabase implements SqlDatabase {
  readonly dialect = 'postgres' as const;
  readonly pool: pg.Pool;
  private readonly outside: SqlExecutor;
  private closed = false;

  constructor(
    readonly url: string,
    options: PostgresOptions = {},
  ) {
    this.pool = new pg.Pool({ connectionString: url, max: options.poolSize ?? 10, types, application_name: 'llm-speed-server' });
    // An idle connection dropped by the server (restart, failover) must not take the process down.
    // After close() a connection may still be finishing (pool.end() does not wait for that): quiet then.
    this.pool.on('error', (error) => {
      if (!this.closed) process.stderr.write(`llm-speed-server: PostgreSQL connection lost: ${error.message}\n`);
    });
    this.outside = executorOn(this.pool, false);
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
      const client = await this.pool.connect();
      let broken = false;
      try {
        if (options.sessionLock) await client.query('SELECT pg_advisory_lock($1::bigint)', [options.sessionLock]);
        await client.query('BEGIN');
        const result = await fn(executorOn(client, true));
        await client.query('COMMIT');
        return result;
      } catch (error) {
        await client.query('ROLLBACK').catch(() => (broken = true));
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
    const client = await this.pool.connect();
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
