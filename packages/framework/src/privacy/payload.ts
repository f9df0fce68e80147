/**
 * Builds the exact object that gets signed and uploaded: the run with the local-only parts removed
 * (raw per-token timings unless opted in, the fingerprint hash in --strict-anon, every backend
 * but the one that ran), checked against run.schema.json, whose additionalProperties:false is the
 * "these fields and no others" promise.
 */
import type { RunPayload } from '../contract/generated/run.js';
import { check } from '../contract/validate.js';
import { ValidationError } from '../errors.js';
import type { PrivacyMode } from './modes.js';
import { enforceNumberBounds } from '../contract/bounds.js';
import { scrubRun } from './rules.js';

export interface UploadPayloadOptions {
  mode: PrivacyMode;
  includeRawTimings?: boolean;
  /** Receives one line per privacy scrub or bounds fix applied (shown to the user before upload). */
  notes?: string[];
}

export function buildUploadPayload(run: RunPayload, options: UploadPayloadOptions): RunPayload {
  // A deep copy: the caller keeps its run (with raw timings) for the local sidecar file.
  const payload = structuredClone(run) as RunPayload & Record<string, unknown>;
  delete payload.signature;
  delete payload.public_key;
  if (!options.includeRawTimings) for (const result of payload.results) delete result.raw_timings_ms;
  if (options.mode === 'strict-anon') delete payload.fingerprint.fingerprint_hash;
  payload.fingerprint.extras = { backends: uploadBackends(payload.results, options.mode === 'strict-anon') };
  // PRIVACY §2 rules (local paths, host names, addresses, fixture text, bounded extras) and the
  // schema's number bounds are applied here, by the framework, whatever the driver reported.
  const notes = [...scrubRun(payload).map((n) => `privacy: ${n}`), ...enforceNumberBounds(payload).map((n) => `bounds: ${n}`)];
  options.notes?.push(...notes);
  const problems = check('run', payload);
  if (problems.length > 0) {
    throw new ValidationError('upload payload', problems, ['this is a bug in llm-speed or a driver plugin; nothing was sent']);
  }
  return payload;
}

/**
 * fingerprint.extras.backends of a run: the backends its results ran on, whatever the fingerprint
 * came with — a fingerprint made for `detect` lists every installed backend, and the hosted
 * driver's detected version names each provider the user has an API key for. Neither is the
 * server's business. Empty in --strict-anon: each result already says backend and backend_version.
 */
export function uploadBackends(results: RunPayload['results'], strictAnon: boolean): Record<string, string> {
  const out: Record<string, string> = {};
  if (strictAnon) return out;
  for (const r of results) if (!(r.backend.slice(0, 40) in out)) out[r.backend.slice(0, 40)] = r.backend_version.slice(0, 120);
  return out;
}
