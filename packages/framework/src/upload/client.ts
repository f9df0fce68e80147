/**
 * Sends a signed run to the results server: POST <api>/v1/results with the attached compact JWS
 * (application/jose), a deadline per attempt, and bounded retries with exponential backoff on
 * network errors and 5xx (a 4xx is the server refusing this run: retrying cannot help).
 * Nothing here deletes the local copy, so a failed upload never loses a run.
 */
import { request } from 'undici';
import type { RunPayload } from '../contract/generated/run.js';
import { check } from '../contract/validate.js';
import { LlmSpeedError, ValidationError, errorMessage } from '../errors.js';
import { assertPrivacyInvariant } from '../privacy/invariant.js';
import { uploadHeaders, type PrivacyMode } from '../privacy/modes.js';
import { toCompactJws, verifyRun } from '../signing/jws.js';
import { frameworkVersion } from '../version.js';
import { commandHint, resumeCommand, type HintContext } from './hints.js';
import { loadLocalRun, readLocalRunMode } from './local.js';

/** What one HTTP exchange returned; injectable so tests and other clients can swap the transport. */
export interface TransportResponse {
  status: number;
  body: string;
}
export type UploadTransport = (url: string, init: { method: 'POST'; headers: Record<string, string>; body: string; timeoutMs: number }) => Promise<TransportResponse>;

export class UploadFailedError extends LlmSpeedError {
  readonly status?: number;
  constructor(message: string, options: { status?: number; suggestions?: string[]; cause?: unknown } = {}) {
    super('upload', message, { suggestions: options.suggestions, cause: options.cause });
    this.name = 'UploadFailedError';
    this.status = options.status;
  }
}

export class TamperedRunError extends LlmSpeedError {
  constructor(path: string, reason: string) {
    super('tampered-run', `refusing to upload ${path}: its signature does not verify (${reason}). Nothing was sent.`, {
      suggestions: ['the file was changed after it was signed; run the benchmark again to get a new signed run'],
    });
    this.name = 'TamperedRunError';
  }
}

const undiciTransport: UploadTransport = async (url, init) => {
  const response = await request(url, {
    method: init.method,
    headers: init.headers,
    body: init.body,
    headersTimeout: init.timeoutMs,
    bodyTimeout: init.timeoutMs,
    signal: AbortSignal.timeout(init.timeoutMs),
  });
  return { status: response.statusCode, body: await response.body.text() };
};

export interface UploadOptions {
  run: RunPayload;
  apiUrl: string;
  mode: PrivacyMode;
  apiKey?: string;
  cliVersion?: string;
  /** Deadline per attempt (default 30 s). */
  timeoutMs?: number;
  /** Retries after the first attempt on network errors and 5xx (default 2: three attempts). */
  retries?: number;
  /** First backoff; doubles each retry (default 1 s). */
  backoffMs?: number;
  /** Where the run is saved, so a failure can name the exact --resume command. */
  localPath?: string;
  /** What that command must carry over from this invocation (results server, config folder, config file). */
  hints?: HintContext;
  fetchImpl?: UploadTransport;
}

export interface UploadResult {
  id: string;
  url: string;
}

function resultsEndpoint(apiUrl: string): string {
  return `${apiUrl.replace(/\/+$/, '')}/v1/results`;
}

/** Checks that must pass before a single byte goes out. */
async function assertSendable(run: RunPayload, mode: PrivacyMode): Promise<void> {
  assertPrivacyInvariant(run);
  if (mode === 'strict-anon' && run.fingerprint?.fingerprint_hash !== undefined) {
    throw new LlmSpeedError('privacy', 'refusing to upload: --strict-anon payload carries a fingerprint_hash; nothing was sent', {
      suggestions: ['re-run the benchmark with --strict-anon so the payload is built without it'],
    });
  }
  const problems = check('run', run);
  if (problems.length > 0) throw new ValidationError('upload payload', problems, ['nothing was sent']);
  const verdict = await verifyRun(run);
  if (!verdict.valid) throw new LlmSpeedError('signature', `refusing to upload an unsigned or invalid run: ${verdict.reason}; nothing was sent`);
}

export async function uploadRun(options: UploadOptions): Promise<UploadResult> {
  await assertSendable(options.run, options.mode);
  const url = resultsEndpoint(options.apiUrl);
  const headers = uploadHeaders(options.mode, { cliVersion: options.cliVersion ?? frameworkVersion, apiKey: options.apiKey });
  const body = toCompactJws(options.run);
  const send = options.fetchImpl ?? undiciTransport;
  const retries = Math.max(0, options.retries ?? 2);
  const backoffMs = options.backoffMs ?? 1000;
  const timeoutMs = options.timeoutMs ?? 30_000;
  // The command goes in the suggestions only: printed once, on its own line.
  const keep = options.localPath ? ` The signed run is kept at ${options.localPath}.` : '';
  const suggestions = options.localPath ? [commandHint('retry with', resumeCommand(options.localPath, options.mode, options.hints), options.hints)] : [];

  let lastProblem = '';
  for (let attempt = 0; attempt <= retries; attempt++) {
    if (attempt > 0) await new Promise((resolve) => setTimeout(resolve, backoffMs * 2 ** (attempt - 1)));
    let response: TransportResponse;
    try {
      response = await send(url, { method: 'POST', headers, body, timeoutMs });
    } catch (error) {
      lastProblem = errorMessage(error);
      continue;
    }
    if (response.status >= 200 && response.status < 300) return parseCreated(response.body, options.apiUrl);
    const detail = serverMessage(response.body);
    if (response.status < 500) {
      throw new UploadFailedError(`the results server refused the run (HTTP ${response.status}${detail ? `: ${detail}` : ''}).${keep}`, {
        status: response.status,
        suggestions,
      });
    }
    lastProblem = `HTTP ${response.status}${detail ? `: ${detail}` : ''}`;
  }
  throw new UploadFailedError(`upload to ${url} failed after ${retries + 1} attempts (last: ${lastProblem}).${keep}`, { suggestions });
}

function serverMessage(body: string): string {
  try {
    const parsed = JSON.parse(body) as { error?: unknown; message?: unknown };
    const text = parsed.error ?? parsed.message;
    if (typeof text === 'string') return text.slice(0, 300);
  } catch {
    // not JSON: fall through to the raw text
  }
  return body.trim().slice(0, 300);
}

function parseCreated(body: string, apiUrl: string): UploadResult {
  let parsed: { id?: unknown; url?: unknown };
  try {
    parsed = JSON.parse(body) as { id?: unknown; url?: unknown };
  } catch {
    throw new UploadFailedError(`the results server accepted the run but answered with something that is not JSON: ${body.slice(0, 200)}`);
  }
  if (typeof parsed.id !== 'string') throw new UploadFailedError('the results server accepted the run but returned no id');
  const url = typeof parsed.url === 'string' ? parsed.url : `${apiUrl.replace(/\/+$/, '')}/v1/results/${parsed.id}`;
  return { id: parsed.id, url };
}

const STRENGTH: Record<PrivacyMode, number> = { default: 0, anon: 1, 'strict-anon': 2 };

export interface ResumableRun {
  run: RunPayload;
  /** The mode it will be sent in. */
  mode: PrivacyMode;
  /** The mode it was made in, where known (the local sidecar, or the payload itself for strict-anon). */
  recorded?: PrivacyMode;
}

/**
 * Loads a saved run for `--resume`, checks its signature locally, and settles the mode it goes
 * out in: the one it was made in unless another is asked for, and never a weaker one — resuming
 * an --anon run in default mode would drop the anon header, a --strict-anon one would add our
 * User-Agent and the API key, and either way tie the run to this user after all. Nothing is sent.
 */
export async function prepareResume(path: string, requested?: PrivacyMode, hints: HintContext = {}): Promise<ResumableRun> {
  const run = await loadLocalRun(path);
  const verdict = await verifyRun(run);
  if (!verdict.valid) throw new TamperedRunError(path, verdict.reason ?? 'invalid signature');
  let recorded: PrivacyMode | undefined;
  try {
    recorded = await readLocalRunMode(path);
  } catch (error) {
    // An unreadable record only matters when there is nothing else to go by.
    if (!requested) throw error;
  }
  // The payload itself proves strict-anon (no fingerprint_hash), whatever the sidecar says.
  if (run.fingerprint?.fingerprint_hash === undefined) recorded = 'strict-anon';
  const mode = requested ?? recorded ?? 'default';
  if (recorded && STRENGTH[mode] < STRENGTH[recorded]) {
    throw new LlmSpeedError('privacy', `refusing to upload ${path} in ${mode} mode: it was made in ${recorded} mode, and a weaker mode would link it to you. Nothing was sent.`, {
      suggestions: [commandHint(`drop the mode you passed (flag, LLM_SPEED_MODE or the config file's "mode")`, resumeCommand(path, recorded, hints), hints)],
    });
  }
  if (mode === 'strict-anon' && run.fingerprint?.fingerprint_hash !== undefined) {
    throw new LlmSpeedError(
      'privacy',
      `cannot upload ${path} in strict-anon mode: it was made in ${recorded ?? 'default or --anon'} mode, so it carries a fingerprint_hash and your persistent key, and its signature forbids removing them. Nothing was sent.`,
      { suggestions: ['run the benchmark again with --strict-anon', ...(recorded ? [commandHint(`or upload it in the mode it was made in`, resumeCommand(path, recorded, hints), hints)] : [])] },
    );
  }
  return { run, mode, recorded };
}
