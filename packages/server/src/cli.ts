/**
 * `llm-speed-server [serve] --db <file.sqlite | postgres://…> …`, `migrate`, `export`, `import`.
 * Flags are mirrored by environment variables (see USAGE); the logic lives in the modules the
 * commands call (app.ts, cluster.ts, postgres-repository.ts, board-file.ts).
 */
import { createReadStream, createWriteStream, renameSync, rmSync } from 'node:fs';
import { finished } from 'node:stream/promises';
import { availableParallelism } from 'node:os';
import { parseArgs } from 'node:util';
import { createServer } from './app.js';
import { exportBoard, ImportError } from './board-file.js';
import { importBoard } from './board-import.js';
import { announceListening, isWorker, primarySalts, runPrimary, SHUTDOWN_GRACE_MS, workerId } from './cluster.js';
import { isConnectionLoss } from './sql/postgres.js';
import { secretSalts, SaltSecretError, type SaltSource } from './ip-hash.js';
import { describeDb, isPostgresUrl, openRepository } from './open-repository.js';
import { MigrationError, PostgresConnectError, PostgresResultsRepository } from './postgres-repository.js';
import type { ResultsRepository } from './repository.js';
import { SqliteResultsRepository } from './sqlite-repository.js';
import type { RateLimitOptions } from './rate-limit.js';
import { parseTrustProxy, TrustProxyError } from './trust-proxy.js';
import { rankingRule } from './ranking.js';
import { defaultVerifyThreads } from './verify-pool.js';

const USAGE = `usage: llm-speed-server [serve] --db <results.sqlite | postgres://user:pass@host/db> [--port 8787] [--host 127.0.0.1]
                        [--public-url https://example.org] [--trust-proxy <addresses/CIDRs>] [--workers N] [--verify-threads N]
                        [--rate-limit 60/1 | off] [--page-rate-limit 300/5 | off] [--card-dir DIR]
                        [--rank-min-runs 5] [--rank-min-keys 4]
       llm-speed-server migrate --db postgres://<owner role>@host/db [--app-role <role the server connects as>] [--json]
       llm-speed-server export --db <file | URL> [--out board.ndjson]     (default: standard output)
       llm-speed-server import --db <file | URL> [--in board.ndjson] [--json]
                        (into an empty board, as the owner role on PostgreSQL; default: standard input; every record
                        checked as a POST is, all or nothing)

  --db                 a .sqlite path (embedded, one process) or a postgres:// URL. Env: LLM_SPEED_DB, then DATABASE_URL.
  --workers N          processes sharing the port (node:cluster); PostgreSQL only. Default: 1 on SQLite, the core count
                       on PostgreSQL. Env: LLM_SPEED_WORKERS.
  --verify-threads N   signature/schema/privacy checks on N worker threads per process (0: on the main thread).
                       Default: cores / workers. Env: LLM_SPEED_VERIFY_THREADS.
  --public-url URL     the origin browsers reach this server at (permalinks, and the only origin dispute posts are
                       accepted from besides the listening address). Required with --trust-proxy. Env: LLM_SPEED_PUBLIC_URL.
  --trust-proxy 127.0.0.1,10.0.0.0/8   only behind your own reverse proxy: the addresses it connects from (comma-separated
                       IPs or CIDRs, or loopback / linklocal / uniquelocal). The client is the right-most
                       X-Forwarded-For entry outside these ranges (a port is dropped; an entry that is no address
                       is refused with 400). Env: LLM_SPEED_TRUST_PROXY.
  --rate-limit B/R     POSTs per client: bursts of B, refilled at R per second (default 60/1); "off" for benchmarks.
                       Per process: with --workers N a client may reach N × B. Env: LLM_SPEED_RATE_LIMIT.
  --page-rate-limit B/R  GETs per client (pages, JSON, cards): bursts of B, refilled at R per second (default 300/5;
                       drawing a share card that is not yet drawn costs 25); "off" disables. Env: LLM_SPEED_PAGE_RATE_LIMIT.
  --card-dir DIR       where drawn share cards are kept for good (default: <db>-cards beside a SQLite file; with
                       PostgreSQL none, i.e. memory only: give a directory all workers share). Env: LLM_SPEED_CARD_DIR.
  --rank-min-runs N, --rank-min-keys K   a group is ranked (has a best run, is on the board) from N comparable runs
                       signed by K different keys (default 5 and 4; lower them only on a board with few contributors).
                       Env: LLM_SPEED_RANK_MIN_RUNS, LLM_SPEED_RANK_MIN_KEYS.
  --app-role ROLE      migrate: the role the server connects as; granted SELECT/INSERT on the insert-only tables and
                       nothing more. Env: LLM_SPEED_APP_ROLE.
  LLM_SPEED_ADMIN_TOKEN=<token> enables withdrawals (POST /v1/results/<id>/withdraw with Authorization: Bearer <token>).
  LLM_SPEED_IP_SALT_SECRET=<32+ chars> servers on several machines derive each UTC day's IP salt from this secret
                       (HMAC of the date) so they hash a client alike; without it the salt is random per process
                       (per primary with --workers). See docs/PRIVACY.md.`;

const COMMANDS = ['serve', 'migrate', 'export', 'import'] as const;
type Command = (typeof COMMANDS)[number];

/** A usage problem: message to stderr, exit code 2. */
class UsageError extends Error {}

function fail(message: string, code = 2): void {
  process.stderr.write(`${message}\n`);
  process.exitCode = code;
}

function integer(value: string | undefined, name: string, min: number): number | undefined {
  if (value === undefined || value === '') return undefined;
  const n = Number(value);
  if (!Number.isInteger(n) || n < min) throw new UsageError(`${name} must be an integer >= ${min}, got ${value}`);
  return n;
}

export async function main(argv: string[] = process.argv.slice(2)): Promise<void> {
  const command: Command = (COMMANDS as readonly string[]).includes(argv[0] ?? '') ? (argv[0] as Command) : 'serve';
  const args = command === 'serve' && argv[0] !== 'serve' ? argv : argv.slice(1);
  let values;
  try {
    ({ values } = parseArgs({
      args,
      options: {
        db: { type: 'string' },
        port: { type: 'string', default: '8787' },
        host: { type: 'string', default: '127.0.0.1' },
        'public-url': { type: 'string' },
        'trust-proxy': { type: 'string' },
        workers: { type: 'string' },
        'verify-threads': { type: 'string' },
        'rate-limit': { type: 'string' },
        'rank-min-runs': { type: 'string' },
        'page-rate-limit': { type: 'string' },
        'card-dir': { type: 'string' },
        'rank-min-keys': { type: 'string' },
        'app-role': { type: 'string' },
        out: { type: 'string' },
        in: { type: 'string' },
        json: { type: 'boolean', default: false },
        help: { type: 'boolean', short: 'h', default: false },
      },
    }));
  } catch (error) {
    return fail(`${(error as Error).message}\n${USAGE}`);
  }
  if (values.help) {
    process.stdout.write(USAGE + '\n');
    return;
  }
  const db = values.db ?? (process.env.LLM_SPEED_DB || process.env.DATABASE_URL || undefined);
  if (!db) return fail(`--db is required (or LLM_SPEED_DB / DATABASE_URL)\n${USAGE}`);
  try {
    if (command === 'migrate') return await migrate(db, values['app-role'] ?? (process.env.LLM_SPEED_APP_ROLE || undefined), values.json);
    if (command === 'export') return await exportCommand(db, values.out);
    if (command === 'import') return await importCommand(db, values.in, values.json);
    return await serve(db, values);
  } catch (error) {
    if (error instanceof UsageError || error instanceof TrustProxyError || error instanceof SaltSecretError) return fail(error.message);
    if (error instanceof MigrationError || error instanceof ImportError || error instanceof PostgresConnectError) return fail(`llm-speed-server ${command}: ${error.message}`, 1);
    throw error;
  }
}

async function serve(
  db: string,
  values: {
    port?: string;
    host?: string;
    'public-url'?: string;
    'trust-proxy'?: string;
    workers?: string;
    'verify-threads'?: string;
    'rate-limit'?: string;
    'rank-min-runs'?: string;
    'rank-min-keys'?: string;
    'page-rate-limit'?: string;
    'card-dir'?: string;
  },
): Promise<void> {
  const port = integer(values.port, '--port', 0);
  if (port === undefined || port > 65535) throw new UsageError(`--port must be 0-65535, got ${values.port}`);
  const trustProxy = parseTrustProxy(values['trust-proxy'] ?? process.env.LLM_SPEED_TRUST_PROXY);
  const publicUrl = values['public-url'] ?? (process.env.LLM_SPEED_PUBLIC_URL || undefined);
  if (publicUrl !== undefined && !isHttpUrl(publicUrl)) {
    throw new UsageError(`--public-url must be the http(s) URL browsers reach this server at, e.g. https://bench.example.org, got ${publicUrl}`);
  }
  if (trustProxy.length > 0 && publicUrl === undefined) {
    throw new UsageError(
      '--trust-proxy means browsers reach this server through a proxy, at an address it cannot know: give it with --public-url https://… ' +
        '(or LLM_SPEED_PUBLIC_URL). Dispute posts are accepted only from that origin, never from whatever Host a request names.',
    );
  }
  const postgres = isPostgresUrl(db);
  const workers = integer(values.workers ?? process.env.LLM_SPEED_WORKERS, '--workers', 1) ?? (postgres ? availableParallelism() : 1);
  if (workers > 1 && !postgres) {
    throw new UsageError(
      `--workers ${workers} needs PostgreSQL: a SQLite file has one writer, so several processes would only queue for it. ` +
        'Use --workers 1 (the default for SQLite), or --db postgres://… (README, "PostgreSQL").',
    );
  }
  const rateLimit = parseRateLimit(values['rate-limit'] ?? process.env.LLM_SPEED_RATE_LIMIT);
  const pageRateLimit = parseRateLimit(values['page-rate-limit'] ?? process.env.LLM_SPEED_PAGE_RATE_LIMIT, '--page-rate-limit');
  const cardDir = values['card-dir'] ?? (process.env.LLM_SPEED_CARD_DIR || undefined) ?? (!postgres && db !== ':memory:' ? `${db}-cards` : undefined);
  const ranking = rankingRule({
    minRuns: integer(values['rank-min-runs'] ?? process.env.LLM_SPEED_RANK_MIN_RUNS, '--rank-min-runs', 1),
    minKeys: integer(values['rank-min-keys'] ?? process.env.LLM_SPEED_RANK_MIN_KEYS, '--rank-min-keys', 1),
  });
  const verifyThreads = integer(values['verify-threads'] ?? process.env.LLM_SPEED_VERIFY_THREADS, '--verify-threads', 0) ?? defaultVerifyThreads(workers);
  const secret = process.env.LLM_SPEED_IP_SALT_SECRET || undefined;
  // Checked before anything starts, so a short secret stops the server with exit 2.
  const secretSource: SaltSource | undefined = secret ? secretSalts(secret) : undefined;
  const clustered = workers > 1;

  if (clustered && !isWorker()) {
    // Migrate once, here, before any worker opens the database.
    const repo = await openRepository(db);
    const warning = await privilegeWarning(repo);
    await repo.close();
    if (warning) process.stderr.write(`llm-speed-server: ${warning}\n`);
    const code = await runPrimary({
      workers,
      secretSalts: Boolean(secretSource),
      log: (line) => process.stderr.write(`llm-speed-server: ${line}\n`),
      onListening: (url) =>
        process.stderr.write(`llm-speed-server listening on ${url} (db ${describeDb(db)}; ${workers} workers × ${verifyThreads} verify threads)${notes(trustProxy, secretSource)}\n`),
    });
    process.exitCode = code;
    return;
  }

  const salts = secretSource ?? (clustered ? await primarySalts() : undefined);
  const start = () =>
    createServer({
      db,
      port,
      host: values.host,
      publicUrl,
      trustProxy,
      verifyThreads,
      rateLimit,
      pageRateLimit: pageRateLimit ?? (rateLimit === false ? false : undefined),
      cardCache: cardDir ? { dir: cardDir } : undefined,
      ranking,
      salts,
      // The primary migrated already; a worker only checks.
      postgres: clustered ? { migrate: false } : undefined,
      logTag: clustered ? `w${workerId()}` : undefined,
    });
  // A worker waits for a database that is away (a restart), then gives up and exits, so the primary
  // starts another: it never sits with its IPC channel open, neither listening nor gone.
  const running = clustered ? await startWorker(start) : await start();
  if (clustered) {
    announceListening(running.url);
  } else {
    const warning = await privilegeWarning(running.repository);
    if (warning) process.stderr.write(`llm-speed-server: ${warning}\n`);
    process.stderr.write(`llm-speed-server listening on ${running.url} (db ${describeDb(db)}; ${verifyThreads} verify threads)${notes(trustProxy, secretSource)}\n`);
  }
  // Stop accepting, let the requests in flight finish (each stored run is acknowledged), then exit.
  const stop = () => {
    setTimeout(() => {
      process.stderr.write(`llm-speed-server: requests still running ${SHUTDOWN_GRACE_MS / 1000} s after the signal; exiting\n`);
      process.exit(1);
    }, SHUTDOWN_GRACE_MS).unref();
    void running.close().then(
      () => process.exit(0),
      (error: unknown) => {
        process.stderr.write(`llm-speed-server: while stopping: ${(error as Error)?.message ?? String(error)}\n`);
        process.exit(1);
      },
    );
  };
  process.once('SIGINT', stop);
  process.once('SIGTERM', stop);
}

/** How long a starting worker waits for PostgreSQL before it exits (and is replaced). */
export const WORKER_START_WAIT_MS = 60_000;

/**
 * Starts a cluster worker's server, trying again while PostgreSQL cannot be reached (first after
 * 250 ms, then twice as long each time, at most 2 s apart) for up to WORKER_START_WAIT_MS; any other
 * failure, or the wait running out, ends the process with exit code 1.
 */
async function startWorker<T>(start: () => Promise<T>): Promise<T> {
  const deadline = Date.now() + WORKER_START_WAIT_MS;
  for (let delay = 250, told = ''; ; delay = Math.min(2000, delay * 2)) {
    try {
      return await start();
    } catch (error) {
      const message = (error as Error)?.message ?? String(error);
      const waiting = (error instanceof PostgresConnectError || isConnectionLoss(error)) && Date.now() + delay < deadline;
      if (!waiting) {
        process.stderr.write(`llm-speed-server: worker ${workerId()}: ${message}; exiting\n`);
        process.exit(1);
      }
      if (told !== message) process.stderr.write(`llm-speed-server: worker ${workerId()}: ${message}; waiting for PostgreSQL\n`);
      told = message;
      await new Promise((resolve) => setTimeout(resolve, delay));
    }
  }
}

function isHttpUrl(value: string): boolean {
  try {
    const url = new URL(value);
    return (url.protocol === 'http:' || url.protocol === 'https:') && url.search === '' && url.hash === '';
  } catch {
    return false;
  }
}

/** `60/1` → bursts of 60, one more per second; `off` → none; unset → the default. */
function parseRateLimit(value: string | undefined, flag = '--rate-limit'): RateLimitOptions | false | undefined {
  if (value === undefined || value === '') return undefined;
  if (value === 'off') return false;
  const m = /^(\d+(?:\.\d+)?)\/(\d+(?:\.\d+)?)$/.exec(value);
  const [capacity, refillPerSecond] = m ? [Number(m[1]), Number(m[2])] : [NaN, NaN];
  if (!(capacity >= 1) || !(refillPerSecond > 0)) throw new UsageError(`${flag} must be <burst>/<per second> (e.g. 60/1) or off, got ${value}`);
  return { capacity, refillPerSecond };
}

function privilegeWarning(repo: ResultsRepository): Promise<string | undefined> {
  return repo instanceof PostgresResultsRepository ? repo.privilegeWarning() : Promise.resolve(undefined);
}

function notes(trustProxy: string[], secret: SaltSource | undefined): string {
  return (
    (trustProxy.length > 0 ? `; trusting X-Forwarded-For from ${trustProxy.join(', ')}` : '') +
    (secret ? '; IP salts derived from LLM_SPEED_IP_SALT_SECRET' : '') +
    (process.env.LLM_SPEED_ADMIN_TOKEN ? '' : '; withdrawals disabled (LLM_SPEED_ADMIN_TOKEN unset)')
  );
}

async function migrate(db: string, appRole: string | undefined, json: boolean): Promise<void> {
  if (!isPostgresUrl(db)) {
    // SQLite has no roles; opening it brings its derived tables up to date.
    if (appRole) throw new UsageError('--app-role is for PostgreSQL; a SQLite file has no roles');
    const repo = await SqliteResultsRepository.open(db);
    await repo.close();
    process.stdout.write(json ? JSON.stringify({ db, dialect: 'sqlite', up_to_date: true }) + '\n' : `${db}: up to date\n`);
    return;
  }
  const target = await PostgresResultsRepository.connect(db);
  try {
    const { applied, rederived, status } = await target.migrate(appRole);
    if (json) {
      process.stdout.write(
        JSON.stringify({ db: describeDb(db), dialect: 'postgres', applied, rederived, schema_version: status.schemaVersion, derived_version: status.derivedVersion, app_role: status.appRole }) + '\n',
      );
    } else {
      process.stdout.write(
        `${describeDb(db)}: schema ${status.schemaVersion}, derived ${status.derivedVersion}` +
          `${applied.length ? `; applied migration${applied.length > 1 ? 's' : ''} ${applied.join(', ')}` : '; no migration pending'}` +
          `${rederived ? '; listings re-derived' : ''}${status.appRole ? `; app role ${status.appRole} granted` : '; no app role (--app-role)'}\n`,
      );
    }
  } finally {
    await target.close();
  }
}

async function exportCommand(db: string, out: string | undefined): Promise<void> {
  const repo = await openRepository(db);
  try {
    if (!out) {
      const counts = await exportBoard(repo, process.stdout);
      process.stderr.write(`exported ${counts.result} results, ${counts.withdrawal} withdrawals, ${counts.dispute} disputes, ${counts.contributor_link} contributor links\n`);
      return;
    }
    // Written next to the target and renamed when complete: a failed export never leaves a file that looks whole.
    const partial = `${out}.partial`;
    const stream = createWriteStream(partial, { mode: 0o600 });
    try {
      const counts = await exportBoard(repo, stream);
      stream.end();
      await finished(stream);
      renameSync(partial, out);
      process.stderr.write(`exported ${counts.result} results, ${counts.withdrawal} withdrawals, ${counts.dispute} disputes, ${counts.contributor_link} contributor links to ${out}\n`);
    } catch (error) {
      stream.destroy();
      rmSync(partial, { force: true });
      throw error;
    }
  } finally {
    await repo.close();
  }
}

async function importCommand(db: string, input: string | undefined, json: boolean): Promise<void> {
  const repo = await openRepository(db);
  try {
    const counts = await importBoard(repo, input ? createReadStream(input) : process.stdin);
    process.stdout.write(
      json
        ? JSON.stringify(counts) + '\n'
        : `imported ${counts.results} results, ${counts.withdrawals} withdrawals, ${counts.disputes} disputes (${counts.messages} messages), ${counts.contributorLinks} contributor links into ${describeDb(db)}; listings derived\n`,
    );
  } finally {
    await repo.close();
  }
}
