/**
 * Verification off the event loop: signature, schema and privacy checks (and canonicalisation)
 * run on a pool of worker threads (piscina), so one process uses every core it is given while
 * its main thread keeps serving pages and talking to the database. `threads: 0` verifies on the
 * main thread instead — the same code (verify-worker.ts), for tests and small set-ups.
 */
import { availableParallelism } from 'node:os';
import { Piscina } from 'piscina';
import { IngestError } from './ingest.js';
import type { NewResult } from './repository.js';
import verifyTask, { type VerifyAnswer, type VerifyTask } from './verify-worker.js';

export interface Verifier {
  /** Worker threads verifying (0: on the main thread). */
  readonly threads: number;
  /** The record to store, or an IngestError saying why not. */
  verify(task: VerifyTask): Promise<NewResult>;
  /** Tasks finished on the pool's threads (0 when verifying on the main thread). */
  completedOnThreads(): number;
  close(): Promise<void>;
}

function unwrap(answer: VerifyAnswer): NewResult {
  if (answer.ok) return answer.result;
  throw new IngestError(answer.status, answer.message, answer.details);
}

/** Built: dist/verify-worker.js. Run from source (tests): a bootstrap that gives the thread its own tsx first. */
function workerFile(): string {
  return new URL(import.meta.url.endsWith('.ts') ? './verify-worker.dev.mjs' : './verify-worker.js', import.meta.url).href;
}

/** Default threads for a process that shares the machine with `processes - 1` others. */
export function defaultVerifyThreads(processes = 1): number {
  return Math.max(1, Math.floor(availableParallelism() / Math.max(1, processes)));
}

export function createVerifier(threads: number): Verifier {
  if (!(threads > 0)) {
    return { threads: 0, verify: async (task) => unwrap(await verifyTask(task)), completedOnThreads: () => 0, close: async () => {} };
  }
  const pool = new Piscina<VerifyTask, VerifyAnswer>({
    filename: workerFile(),
    minThreads: threads,
    maxThreads: threads,
    // Threads stay up: starting one costs the schema compilation again.
    idleTimeout: Number.POSITIVE_INFINITY,
  });
  return {
    threads,
    verify: async (task) => unwrap(await pool.run(task)),
    completedOnThreads: () => pool.completed,
    close: () => pool.destroy(),
  };
}
