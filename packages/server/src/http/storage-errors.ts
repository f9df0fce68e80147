/**
 * Failures of the storage rather than of the request — a full disk, a read-only or revoked
 * database, a lost PostgreSQL connection — answer 503 with Retry-After and words that say what is
 * wrong, and each is logged with its cause (issue 24.7). A 500 "internal error" is left for bugs.
 */

export interface StorageFailure {
  /** What is wrong, in words for the client and the log. */
  cause: string;
  /** Seconds after which trying again may help. */
  retryAfter: number;
}

/** SQLite result codes (better-sqlite3's SqliteError.code), by prefix. */
const SQLITE: Array<[RegExp, string, number]> = [
  [/^SQLITE_FULL/, 'the disk holding the database is full', 60],
  [/^SQLITE_READONLY/, 'the database file is read-only to this process', 60],
  [/^SQLITE_(PERM|AUTH)/, 'this process may not write the database file', 60],
  [/^SQLITE_CANTOPEN/, 'the database file cannot be opened', 60],
  [/^SQLITE_IOERR/, 'a disk I/O error on the database file', 60],
  [/^SQLITE_(BUSY|LOCKED)/, 'the database is locked by another process', 5],
  [/^SQLITE_NOMEM/, 'the database ran out of memory', 30],
];

/** Errors of the node runtime (the card store's files, sockets to PostgreSQL). */
const SYSTEM: Record<string, [string, number]> = {
  ENOSPC: ['the disk is full', 60],
  EDQUOT: ['the disk quota is used up', 60],
  EROFS: ['the file system is read-only', 60],
  EACCES: ['this process may not write where it must', 60],
  EPERM: ['this process may not write where it must', 60],
  ECONNREFUSED: ['the database server refuses connections (restarting?)', 5],
  ECONNRESET: ['the connection to the database server was lost', 5],
  EPIPE: ['the connection to the database server was lost', 5],
  ETIMEDOUT: ['the database server does not answer', 5],
  EHOSTUNREACH: ['the database server cannot be reached', 5],
};

/** PostgreSQL SQLSTATEs (exact, or by two-character class). */
const POSTGRES: Record<string, [string, number]> = {
  '53100': ['the disk holding the database is full', 60],
  '53000': ['the database server is out of resources', 30],
  '53200': ['the database server is out of memory', 30],
  '53300': ['the database server has no connection left', 5],
  '42501': ["the server's database role may not do this (permission denied): the operator must grant it (llm-speed-server migrate --app-role)", 300],
  '25006': ['the database is read-only (a standby?)', 60],
  '57P01': ['the database server is shutting down', 5],
  '57P02': ['the database server is restarting after a crash', 5],
  '57P03': ['the database server is starting up', 5],
  '08': ['the connection to the database server failed', 5],
};

/** The pool's own errors while PostgreSQL is away carry no code. */
const CONNECTION_WORDS =
  /Connection terminated|connection timeout|timeout exceeded when trying to connect|Client has encountered a connection error|the database system is (starting up|shutting down|in recovery mode)/i;

export function storageFailure(error: unknown): StorageFailure | undefined {
  const code = typeof (error as { code?: unknown })?.code === 'string' ? (error as { code: string }).code : '';
  for (const [pattern, cause, retryAfter] of SQLITE) if (pattern.test(code)) return { cause, retryAfter };
  const known = SYSTEM[code] ?? POSTGRES[code] ?? (code.length === 5 ? POSTGRES[code.slice(0, 2)] : undefined);
  if (known) return { cause: known[0], retryAfter: known[1] };
  if (CONNECTION_WORDS.test(String((error as Error)?.message ?? ''))) return { cause: 'the connection to the database server was lost', retryAfter: 5 };
  return undefined;
}

/** The answer's words: what is wrong, that nothing was changed, when to try again. */
export function storageMessage(failure: StorageFailure): string {
  return `the results database cannot be used right now: ${failure.cause}; nothing was stored or changed by this request; try again in ${failure.retryAfter} s`;
}
