/**
 * `llm-speed-server --workers N`: node:cluster on one machine, one board in PostgreSQL.
 *
 * The primary process serves nothing: it migrates the database once, draws the daily IP salts and
 * hands them to its workers over IPC (never to disk or the database), forks the workers — which
 * share the listening socket — and replaces one that dies. Each worker is a whole server
 * (createServer) with its own verification threads and connection pool.
 *
 * Salts: the primary sends today's and tomorrow's salt (and yesterday's until 01:00 UTC) when a
 * worker asks at start-up and to every worker every ten minutes, so every worker hashes a client to the same value and none waits for IPC
 * at midnight. With LLM_SPEED_IP_SALT_SECRET set, each process derives the salts from the secret
 * itself (ip-hash.ts, secretSalts) and the primary sends none.
 */
import cluster, { type Worker } from 'node:cluster';
import { DailySaltIpHasher, randomSalts, type SaltSource } from './ip-hash.js';

const SALT_PUSH_MS = 10 * 60_000;
/**
 * A worker that dies before it has listened this long counts as a failed start: its replacement
 * waits, twice as long after each failed start in a row (REFORK_FIRST_MS up to REFORK_MAX_MS), so a
 * database that is away, or a setting every worker trips on, never makes the primary fork in a
 * tight loop. The primary itself never stops because a worker died: only SIGTERM/SIGINT stop it.
 */
export const START_GRACE_MS = 10_000;
const REFORK_FIRST_MS = 250;
const REFORK_MAX_MS = 30_000;
/** After SIGTERM, how long workers have to finish their requests before they are killed. */
export const SHUTDOWN_GRACE_MS = 30_000;

interface SaltsMessage {
  llmSpeed: 'salts';
  salts: Array<[number, string]>;
}
/** A worker asks once its listener is in place: what is sent before that is lost. */
interface SaltsRequest {
  llmSpeed: 'salts?';
}
interface ListeningMessage {
  llmSpeed: 'listening';
  url: string;
}

export function isWorker(): boolean {
  return cluster.isWorker;
}

export interface PrimaryOptions {
  workers: number;
  /** The secret mode: workers derive salts themselves. */
  secretSalts: boolean;
  /** Called once every worker listens. */
  onListening(url: string): void;
  log(line: string): void;
}

/** Forks the workers and keeps them running until SIGTERM/SIGINT; resolves when all have stopped. */
export function runPrimary(options: PrimaryOptions): Promise<number> {
  const hasher = new DailySaltIpHasher(Date.now, randomSalts);
  const saltsMessage = (): SaltsMessage => ({ llmSpeed: 'salts', salts: hasher.shareable().map(([day, salt]) => [day, salt.toString('base64')]) });
  const listening = new Set<number>();
  /** When each worker started listening. */
  const listeningSince = new Map<number, number>();
  let stopping = false;
  let announced = false;
  let exitCode = 0;
  /** Failed starts in a row (reset by a worker that listened for START_GRACE_MS). */
  let failedStarts = 0;
  const pendingForks = new Set<NodeJS.Timeout>();

  const push = () => {
    if (options.secretSalts) return;
    const message = saltsMessage();
    for (const worker of Object.values(cluster.workers ?? {})) worker?.send(message);
  };
  const timer = setInterval(push, SALT_PUSH_MS);
  timer.unref();

  const fork = (): Worker => {
    const worker = cluster.fork();
    // A worker's IPC channel can fail as it dies: that must not take the primary with it.
    worker.on('error', (error) => options.log(`worker ${worker.id}: ${error.message}`));
    worker.on('message', (message: ListeningMessage | SaltsRequest) => {
      if (message?.llmSpeed === 'salts?' && !options.secretSalts) worker.send(saltsMessage(), (error) => error && options.log(`worker ${worker.id}: salts not sent: ${error.message}`));
      if (message?.llmSpeed !== 'listening') return;
      listening.add(worker.id);
      listeningSince.set(worker.id, Date.now());
      if (!announced && listening.size >= options.workers) {
        announced = true;
        options.onListening(message.url);
      }
    });
    return worker;
  };

  return new Promise((resolve) => {
    const stop = (code: number) => {
      if (stopping) return;
      stopping = true;
      exitCode = code;
      clearInterval(timer);
      for (const pending of pendingForks) clearTimeout(pending);
      pendingForks.clear();
      if (Object.keys(cluster.workers ?? {}).length === 0) return resolve(exitCode);
      for (const worker of Object.values(cluster.workers ?? {})) worker?.process.kill('SIGTERM');
      // Workers finish their requests in flight; one that hangs past the grace period is killed.
      setTimeout(() => {
        for (const worker of Object.values(cluster.workers ?? {})) {
          options.log(`worker ${worker?.id} still running ${SHUTDOWN_GRACE_MS / 1000} s after SIGTERM; killing it`);
          worker?.process.kill('SIGKILL');
        }
      }, SHUTDOWN_GRACE_MS).unref();
    };
    process.once('SIGTERM', () => stop(0));
    process.once('SIGINT', () => stop(0));
    cluster.on('exit', (worker, code, signal) => {
      listening.delete(worker.id);
      const since = listeningSince.get(worker.id);
      listeningSince.delete(worker.id);
      if (stopping) {
        if (Object.keys(cluster.workers ?? {}).length === 0) resolve(exitCode);
        return;
      }
      const started = since !== undefined && Date.now() - since >= START_GRACE_MS;
      failedStarts = started ? 0 : failedStarts + 1;
      const delay = failedStarts === 0 ? 0 : Math.min(REFORK_MAX_MS, REFORK_FIRST_MS * 2 ** (failedStarts - 1));
      options.log(
        `worker ${worker.id} exited (${signal ?? `code ${code}`})${since === undefined ? ' before it listened' : started ? '' : ` ${Math.round((Date.now() - since) / 1000)} s after it began listening`}; ` +
          `starting another${delay ? ` in ${(delay / 1000).toFixed(2)} s` : ''}`,
      );
      const pending = setTimeout(() => {
        pendingForks.delete(pending);
        if (!stopping) fork();
      }, delay);
      pendingForks.add(pending);
    });
    for (let i = 0; i < options.workers; i++) fork();
  });
}

/**
 * The worker's salt source: what the primary sent last. Waits for the first hand-over, so a
 * worker never hashes a client before it holds the salts every other worker holds.
 */
export async function primarySalts(timeoutMs = 30_000): Promise<SaltSource> {
  let salts = new Map<number, Buffer>();
  let warned = false;
  let first!: () => void;
  const received = new Promise<void>((resolve) => (first = resolve));
  process.on('message', (message: SaltsMessage) => {
    if (message?.llmSpeed !== 'salts') return;
    // Replaced, not merged: a day the primary no longer sends is forgotten here too.
    salts = new Map(message.salts.map(([day, salt]) => [day, Buffer.from(salt, 'base64')]));
    first();
  });
  process.send?.({ llmSpeed: 'salts?' } satisfies SaltsRequest);
  const timeout = new Promise<never>((_, reject) => setTimeout(() => reject(new Error('no IP salts from the primary process')), timeoutMs).unref());
  await Promise.race([received, timeout]);
  return (day) => {
    const salt = salts.get(day);
    if (salt) return salt;
    // Only if the primary stopped sending: still private, but this worker's hashes no longer match the others'.
    if (!warned) process.stderr.write(`llm-speed-server: worker ${cluster.worker?.id}: no IP salt from the primary for day ${day}; using a random one\n`);
    warned = true;
    return randomSalts(day);
  };
}

/** Tells the primary this worker listens. */
export function announceListening(url: string): void {
  process.send?.({ llmSpeed: 'listening', url } satisfies ListeningMessage);
}

export function workerId(): number | undefined {
  return cluster.worker?.id;
}
