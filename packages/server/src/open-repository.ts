/** `--db`: a postgres:// URL selects PostgreSQL; anything else is a SQLite file (the embedded default). */
import { PostgresResultsRepository, type PostgresOpenOptions } from './postgres-repository.js';
import type { ResultsRepository } from './repository.js';
import { SqliteResultsRepository } from './sqlite-repository.js';

export function isPostgresUrl(db: string): boolean {
  return PostgresResultsRepository.isUrl(db);
}

export function openRepository(db: string, options: PostgresOpenOptions = {}): Promise<ResultsRepository> {
  return isPostgresUrl(db) ? PostgresResultsRepository.open(db, options) : SqliteResultsRepository.open(db, { ranking: options.ranking });
}

/** A database URL with its password masked, for messages and logs. */
export function describeDb(db: string): string {
  if (!isPostgresUrl(db)) return db;
  try {
    const url = new URL(db);
    if (url.password) url.password = '***';
    return url.toString();
  } catch {
    return 'postgres://(unparsable URL)';
  }
}
