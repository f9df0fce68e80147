/**
 * POST /v1/results: verify → privacy invariant → validate → privacy rules → store. Verification and
 * canonicalisation are the framework's (the same code the CLI signs with), never a copy.
 * Nothing is stored unless every step passes.
 */
import { createHash } from 'node:crypto';
import {
  assertPrivacyInvariant,
  canonicalHeaderSegment,
  canonicalize,
  canonicalPayloadBytes,
  check,
  publicKeyFromBase64,
  interruptedWorkloads,
  INTERRUPTED_RULE,
  plausibility,
  privacyViolations,
  RUN_AGAIN,
  verifyCompactJws,
  verifyRun,
  type RunPayload,
} from '@llm-speed/framework';
import type { InsertOutcome, NewResult } from './repository.js';
import { slugify } from './slug.js';
import { hardwareClassOf, workloadRowsOf } from './workload-rows.js';

export { hardwareClassOf };

/** A refused submission: HTTP status and a message saying what is wrong. */
export class IngestError extends Error {
  constructor(
    readonly status: number,
    message: string,
    readonly details?: string[],
    /** Extra fields of the JSON answer (a 409 names the original run). */
    readonly extra: Record<string, unknown> = {},
  ) {
    super(message);
  }
}

export interface IngestOutcome {
  id: string;
  created: boolean;
}

/** "r_" + 11 base64url characters (66 bits) of the content hash: same signed bytes, same id. */
export function resultIdFor(contentHash: string): string {
  return 'r_' + Buffer.from(contentHash, 'hex').toString('base64url').slice(0, 11);
}

/** Reads the body as a compact JWS (the CLI's upload) or a signed run JSON (detached signature). */
async function verifiedRun(body: string): Promise<RunPayload> {
  const text = body.trim();
  if (text.length === 0) throw new IngestError(400, 'empty body: POST the compact JWS of a signed run (Content-Type: application/jose)');
  if (text.startsWith('{')) {
    let run: RunPayload;
    try {
      run = JSON.parse(text) as RunPayload;
    } catch {
      throw new IngestError(400, 'body is neither a compact JWS nor valid JSON');
    }
    if (typeof run !== 'object' || run === null || !run.signature || !run.public_key) {
      throw new IngestError(400, 'unsigned run: sign it with the llm-speed CLI and POST the compact JWS');
    }
    const verdict = await verifyRun(run).catch((e: unknown) => ({ valid: false, reason: String((e as Error)?.message ?? e) }));
    if (!verdict.valid) throw new IngestError(400, `signature does not verify: ${verdict.reason ?? 'invalid signature'}`);
    // The header stored is the server's own serialisation, never the client's bytes (verifyRun has shown they are the same).
    const [, signature] = run.signature.split('..');
    return { ...run, signature: `${canonicalHeaderSegment(publicKeyFromBase64(run.public_key))}..${signature}` };
  }
  if (!/^[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+$/.test(text)) {
    throw new IngestError(400, 'not a compact JWS (header.payload.signature): sign the run with the llm-speed CLI');
  }
  try {
    return (await verifyCompactJws(text)).payload;
  } catch (error) {
    throw new IngestError(400, `signature does not verify: ${(error as Error)?.message ?? String(error)}`);
  }
}

/**
 * Every check before storing — signature, schema, privacy invariant, interrupted runs — with no
 * side effect: what the verification threads run (verify-pool.ts). Throws IngestError.
 */
export async function verifyAndCheck(body: string): Promise<RunPayload> {
  const run = await verifiedRun(body);
  try {
    assertPrivacyInvariant(run);
  } catch (error) {
    throw new IngestError(400, (error as Error)?.message ?? String(error));
  }
  const problems = check('run', run);
  if (problems.length > 0) throw new IngestError(400, 'run does not match run.schema.json', problems.slice(0, 20));
  refuseInterrupted(run);
  refuseImpossible(run);
  // The CLI applies the same rules before signing (scrubRun); a run that still breaks one was not
  // made by it, or was edited: refused whole, naming each field (PRIVACY §2).
  const violations = privacyViolations(run);
  if (violations.length > 0) {
    const first = violations[0]!;
    throw new IngestError(
      422,
      `refused by the privacy rules: ${first.path} contains ${first.kind === 'fixture-text' ? 'prompt text copied from the suite fixtures' : first.kind === 'extras' ? 'an extras value outside the extras rules' : first.kind === 'free-text' ? 'more free-form text than a run may carry' : `personal data (${first.kind})`}; nothing was stored`,
      violations.slice(0, 20).map((v) => `${v.path}: ${v.kind}: ${v.detail}`),
    );
  }
  return run;
}

/** `store` is where the accepted record goes: the repository's insert, or a batcher in front of it. */
export async function ingest(body: string, store: (result: NewResult) => InsertOutcome | Promise<InsertOutcome>, receivedAt: string, options: { anon?: boolean } = {}): Promise<IngestOutcome> {
  const outcome = await store(toNewResult(await verifyAndCheck(body), receivedAt, options));
  const conflict = ownershipConflict(outcome);
  if (conflict) throw conflict;
  return outcome;
}

/** By the `interrupted` flag, or the error texts of CLIs from before the flag. */
function refuseInterrupted(run: RunPayload): void {
  const workloads = interruptedWorkloads(run);
  if (workloads.length === 0) return;
  throw new IngestError(422, `interrupted run refused (${workloads.join(', ')} did not finish): ${INTERRUPTED_RULE}; ${RUN_AGAIN}`);
}

/** sha256 hex of the run's canonical payload, public_key and signature left out: the measurement, whoever signed it. */
export function payloadHashOf(run: RunPayload): string {
  return createHash('sha256').update(canonicalPayloadBytes(run)).digest('hex');
}

/**
 * The refusal of a submission whose measurement is already on the board (InsertOutcome.conflict):
 * 409, naming the original run.
 */
export function ownershipConflict(outcome: InsertOutcome): IngestError | undefined {
  if (!outcome.conflict) return undefined;
  const message =
    outcome.conflict === 'withdrawn'
      ? `this measurement was withdrawn as ${outcome.id} and cannot come back, under this key or any other (METHODOLOGY §5, §9)`
      : `this measurement is already on the board as ${outcome.id}, signed first by another key: one measurement, one owner (METHODOLOGY §5). Re-signing a published run does not make it yours; run the benchmark yourself`;
  return new IngestError(409, message, undefined, { original: outcome.id });
}

/**
 * A decode rate the device's memory cannot feed (METHODOLOGY §13.5) is not a measurement: refused
 * when the device's bandwidth is a hard limit and the model's shape is known. Where the limit is
 * only a platform maximum (a CPU) the run is stored and the comparability rule keeps it unranked.
 */
function refuseImpossible(run: RunPayload): void {
  for (const [i, result] of run.results.entries()) {
    const verdict = plausibility(result, run.fingerprint);
    if (verdict.verdict === 'impossible') throw new IngestError(422, `physically impossible result refused: results[${i}] (${result.workload}) ${verdict.message}; nothing was stored`);
  }
}

/** The stored record: the canonical JSON text plus the keys listings and clusters need. */
export function toNewResult(run: RunPayload, receivedAt: string, options: { anon?: boolean } = {}): NewResult {
  const json = canonicalize(run);
  const contentHash = createHash('sha256').update(json, 'utf8').digest('hex');
  return {
    id: resultIdFor(contentHash),
    contentHash,
    payloadHash: payloadHashOf(run),
    json,
    publicKey: run.public_key as string,
    receivedAt,
    acceleratorSummary: run.fingerprint.accelerator_summary,
    fingerprintHash: run.fingerprint.fingerprint_hash ?? null,
    hardwareSlug: slugify(run.fingerprint.accelerator_summary),
    anon: options.anon === true,
    workloads: workloadRowsOf(run),
  };
}
