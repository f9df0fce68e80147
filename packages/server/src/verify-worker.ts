/**
 * One verification task on a pool thread (verify-pool.ts): ingest's checks and the canonical
 * record, nothing stored. A refusal comes back as data — an Error crossing threads keeps its
 * message but loses its class, its status and its details.
 */
import { IngestError, toNewResult, verifyAndCheck } from './ingest.js';
import type { NewResult } from './repository.js';

export interface VerifyTask {
  body: string;
  receivedAt: string;
  anon: boolean;
}

export type VerifyAnswer = { ok: true; result: NewResult } | { ok: false; status: number; message: string; details?: string[] };

export default async function verifyTask(task: VerifyTask): Promise<VerifyAnswer> {
  try {
    const run = await verifyAndCheck(task.body);
    return { ok: true, result: toNewResult(run, task.receivedAt, { anon: task.anon }) };
  } catch (error) {
    if (error instanceof IngestError) return { ok: false, status: error.status, message: error.message, ...(error.details ? { details: error.details } : {}) };
    throw error;
  }
}
