/**
 * better-sqlite3 behind the async SqlDatabase seam. The driver is synchronous, so every call
 * completes before it returns; what needs care is the transaction: its body is async, and another
 * request's query must not land inside it (it would read uncommitted rows, or commit them with
 * its own). Transactions therefore queue one after another, and a query from outside waits while
 * one is open.
 */
import Database from 'better-sqlite3';
import type { SqlDatabase, SqlExecutor, SqlValue } from './database.js';

type Statement = Database.Statement<unknown[], unknown>;

export class SqliteDatabase implements SqlDatabase {
  readonly dialect = 'sqlite' as const;
  readonly db: Database.Database;
  private readonly statements = new Map<string, Statement>();
  /** Settles when the last queued transaction has ended. */
  private queue: Promise<void> = Promise.resolve();
  /** Settles when the open transaction ends (undefined: none is open). */
  private current: Promise<void> | undefined;
  /** Runs straight on the connection: inside a transaction, or when none is open. */
  private readonly direct: SqlExecutor = {
    all: async <T>(sql: string, params: readonly SqlValue[] = []) => this.statement(sql).all(...params) as T[],
    get: async <T>(sql: string, params: readonly SqlValue[] = []) => this.statement(sql).get(...params) as T | undefined,
    run: async (sql: string, params: readonly SqlValue[] = []) => this.statement(sql).run(...params).changes,
    lock: async () => {},
  };

  constructor(file: string) {
    this.db = new Database(file);
    this.db.pragma('journal_mode = WAL');
    this.db.pragma('synchronous = NORMAL');
    this.db.pragma('foreign_keys = ON');
  }

  private statement(sql: string): Statement {
    let statement = this.statements.get(sql);
    if (!statement) this.statements.set(sql, (statement = this.db.prepare(sql)));
    return statement;
  }

  private async outside(): Promise<void> {
    while (this.current) await this.current;
  }

  async all<T>(sql: string, params?: readonly SqlValue[]): Promise<T[]> {
    await this.outside();
    return this.direct.all<T>(sql, params);
  }

  async get<T>(sql: string, params?: readonly SqlValue[]): Promise<T | undefined> {
    await this.outside();
    return this.direct.get<T>(sql, params);
  }

  async run(sql: string, params?: readonly SqlValue[]): Promise<number> {
    await this.outside();
    return this.direct.run(sql, params);
  }

  async lock(): Promise<void> {}

  async transaction<T>(fn: (tx: SqlExecutor) => Promise<T>): Promise<T> {
    const previous = this.queue;
    let release!: () => void;
    this.queue = new Promise((resolve) => (release = resolve));
    await previous;
    this.current = this.queue;
    try {
      // IMMEDIATE: take the write lock now, so a second process fails at BEGIN rather than mid-way.
      this.db.exec('BEGIN IMMEDIATE');
      try {
        const result = await fn(this.direct);
        this.db.exec('COMMIT');
        return result;
      } catch (error) {
        if (this.db.inTransaction) this.db.exec('ROLLBACK');
        throw error;
      }
    } finally {
      this.current = undefined;
      release();
    }
  }

  /** Synchronous DDL (schema set-up, which runs before anything else can). */
  exec(sql: string): void {
    this.db.exec(sql);
  }

  async close(): Promise<void> {
    await this.outside();
    this.db.close();
  }
}
