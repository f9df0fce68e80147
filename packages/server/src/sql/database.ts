/**
 * The one seam between the repository's SQL and a database engine. The repository writes each
 * query once, in the SQL both engines speak (`?` placeholders, `ON CONFLICT`, `RETURNING`, quoted
 * camelCase aliases); an adapter runs it on better-sqlite3 or node-postgres. What differs between
 * the engines — DDL, triggers, roles, how a version is recorded — lives in each adapter's schema
 * module, not here.
 */
import { createHash } from 'node:crypto';

export type SqlValue = string | number | null;

export interface SqlExecutor {
  all<T>(sql: string, params?: readonly SqlValue[]): Promise<T[]>;
  get<T>(sql: string, params?: readonly SqlValue[]): Promise<T | undefined>;
  /** Number of rows changed. */
  run(sql: string, params?: readonly SqlValue[]): Promise<number>;
  /**
   * Inside a transaction: waits until no other transaction holds any of `keys`, then holds them
   * until this one ends. Take every key a transaction needs in ONE call (they are taken in a fixed
   * order, so two transactions never wait for each other). SQLite has one writer at a time
   * anyway: a no-op there.
   */
  lock(keys: readonly string[]): Promise<void>;
}

export type Dialect = 'sqlite' | 'postgres';

export interface SqlDatabase extends SqlExecutor {
  readonly dialect: Dialect;
  /** Runs `fn` in one transaction: all of it is committed, or none of it. */
  transaction<T>(fn: (tx: SqlExecutor) => Promise<T>): Promise<T>;
  close(): Promise<void>;
}

/** A signed 64-bit lock key (PostgreSQL advisory locks) for any string. */
export function lockKey(name: string): string {
  return createHash('sha256').update(name, 'utf8').digest().readBigInt64BE(0).toString();
}
