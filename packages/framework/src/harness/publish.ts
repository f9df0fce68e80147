/**
 * What happens to a finished run: build the upload payload (privacy rules applied), sign it,
 * keep it locally, print it if asked, and upload it when the mode and the user's consent allow.
 * A failure never loses the run: the signed file is written before any network call, and an
 * upload failure names the `--resume` command that retries it. `--resume` comes back through
 * resumeRun here, so a retried upload passes the same consent and mode rules as a fresh one.
 */
import { writeFile } from 'node:fs/promises';
import { INTERRUPTED_NOT_UPLOADED, INTERRUPTED_RULE, RUN_AGAIN, interruptedWorkloads } from '../compare/interrupted.js';
import type { RunPayload } from '../contract/generated/run.js';
import { LlmSpeedError, UsageError, errorMessage } from '../errors.js';
import { buildUploadPayload, assertPrivacyInvariant, uploadHeaders, type PrivacyMode } from '../privacy/index.js';
import { canonicalPayloadBytes, ephemeralKeyPair, loadOrCreateKeyPair, signRun } from '../signing/index.js';
import {
  commandHint,
  consentFilePath,
  consentRequired,
  noConsentMessage,
  prepareResume,
  readConsent,
  recordConsent,
  promptConsent,
  readLocalRunInterrupted,
  resumeCommand,
  saveLocalRun,
  uploadRun,
  type HintContext,
  type NoConsent,
  type UploadResult,
} from '../upload/index.js';
import { frameworkVersion } from '../version.js';

export interface PublishOptions {
  mode: PrivacyMode;
  dryRun: boolean;
  /** The run was interrupted: it is kept locally but never uploaded as if it were complete. */
  interrupted?: boolean;
  upload: boolean;
  jsonPath?: string;
  printPayload: boolean;
  includeRawTimings: boolean;
  apiUrl: string;
  apiKey?: string;
  yes: boolean;
  configDir: string;
  runsDir: string;
  interactive: boolean;
  io: PublishIo;
  /** What printed commands carry over from this invocation (results server, config folder and file). */
  hints?: HintContext;
}

export interface PublishIo {
  out(text: string): void;
  err(text: string): void;
  input?: NodeJS.ReadableStream;
  output?: NodeJS.WritableStream;
}

export interface PublishOutcome {
  payload: RunPayload;
  savedPath?: string;
  upload?: { id: string; url: string };
  uploadSkipped?: string;
}

export async function publishRun(run: RunPayload, options: PublishOptions): Promise<PublishOutcome> {
  const rawTimings = run.results.map((r) => r.raw_timings_ms ?? []);
  const notes: string[] = [];
  const payload = buildUploadPayload(run, { mode: options.mode, includeRawTimings: options.includeRawTimings, notes });
  for (const note of notes) options.io.err(note);
  const keys = options.mode === 'strict-anon' ? await ephemeralKeyPair() : await loadOrCreateKeyPair(options.configDir);
  const signed = await signRun(payload, keys);
  const outcome: PublishOutcome = { payload: signed };

  if (options.printPayload) printPayload(signed, options);
  // --json PATH is an explicit request for the file, so it is honoured even in a dry run.
  const writeJson = async () => {
    if (!options.jsonPath) return;
    if (options.jsonPath === '-') options.io.out(JSON.stringify(signed, null, 2));
    else await writeFile(options.jsonPath, JSON.stringify(signed, null, 2) + '\n');
  };
  if (options.dryRun) {
    await writeJson();
    outcome.uploadSkipped = '--dry-run: not saved to the runs folder, not uploaded';
    return outcome;
  }
  // The payload's own flags count too: a library caller may not say it was interrupted.
  const interrupted = options.interrupted === true || interruptedWorkloads(signed).length > 0;
  outcome.savedPath = await saveLocalRun(signed, { runsDir: options.runsDir, rawTimings, mode: options.mode, interrupted });
  await writeJson();
  if (interrupted) {
    outcome.uploadSkipped = INTERRUPTED_NOT_UPLOADED;
    return outcome;
  }
  // PRIVACY §7: --json and --no-upload are offline modes.
  if (!options.upload || options.jsonPath) {
    // --upload: whatever turned uploads off here (a flag, LLM_SPEED_UPLOAD, the config file) must not refuse the pasted command.
    const later = resumeCommand(outcome.savedPath, options.mode, options.hints, ['--upload']);
    outcome.uploadSkipped = ['offline run: saved locally, not uploaded.', commandHint('to upload it later', later, options.hints)].join('\n');
    return outcome;
  }

  assertPrivacyInvariant(signed);
  const consent = await haveConsent(signed, options);
  if (consent !== true) {
    const { message, suggestions } = noConsentMessage(consent, outcome.savedPath, options.mode, options.hints, options.configDir);
    outcome.uploadSkipped = [message, ...suggestions].join('\n');
    return outcome;
  }
  try {
    outcome.upload = await uploadRun({
      run: signed,
      apiUrl: options.apiUrl,
      mode: options.mode,
      apiKey: options.apiKey,
      cliVersion: frameworkVersion,
      localPath: outcome.savedPath,
      hints: options.hints,
    });
  } catch (error) {
    if (error instanceof LlmSpeedError) throw error;
    throw new LlmSpeedError('upload', `upload failed: ${errorMessage(error)}; the signed run is kept at ${outcome.savedPath}.`, {
      suggestions: [commandHint('retry with', resumeCommand(outcome.savedPath, options.mode, options.hints), options.hints)],
    });
  }
  return outcome;
}

type ConsentOptions = Pick<PublishOptions, 'mode' | 'yes' | 'interactive' | 'configDir' | 'io'>;

/**
 * PRIVACY §7: saved consent, else --yes, else the prompt on a terminal; a yes is saved (and the
 * user told where, to revoke it). Without consent: whether the user said no or could not be asked.
 */
async function haveConsent(signed: RunPayload, options: ConsentOptions): Promise<true | NoConsent> {
  if (!consentRequired(options.mode) || (await readConsent(options.configDir))) return true;
  let agreed = options.yes;
  if (!agreed && options.interactive) {
    agreed = await promptConsent({ input: options.io.input, output: options.io.output }, options.configDir);
    if (!agreed) return 'declined';
  }
  if (!agreed) return 'no-terminal';
  await recordConsent(options.configDir, { cliVersion: frameworkVersion, fingerprintHash: signed.fingerprint.fingerprint_hash });
  options.io.err(`upload consent recorded in ${consentFilePath(options.configDir)} (delete that file to revoke it)`);
  return true;
}

/**
 * --print-payload: the bytes exactly as they sit inside the JWS that is POSTed (RFC 8785
 * canonical JSON, without public_key and signature, which travel in the JWS header and
 * signature), and on stderr how they travel — not a pretty-printed rendering of the stored file,
 * which is neither the bytes sent nor the bytes signed.
 */
export function payloadPreview(signed: RunPayload, options: { mode: PrivacyMode; apiUrl: string; apiKey?: string }): { payload: string; note: string } {
  const payload = new TextDecoder().decode(canonicalPayloadBytes(signed));
  const encodedHeader = String(signed.signature ?? '').split('.')[0] ?? '';
  const header = Buffer.from(encodedHeader, 'base64url').toString('utf8');
  // The key itself is never echoed: a terminal log or a shared screenshot must not leak it.
  const headers = uploadHeaders(options.mode, { cliVersion: frameworkVersion, apiKey: options.apiKey ? '<api-key>' : undefined });
  const lines = Object.entries(headers).map(([name, value]) => `  ${name}: ${value}`);
  const note = [
    '--print-payload: stdout holds the exact payload bytes (the newline after them is not part of them).',
    `They would be sent base64url-encoded as the payload of a compact JWS (protected header ${header}, then an Ed25519 signature),`,
    `in POST ${options.apiUrl.replace(/\/+$/, '')}/v1/results with these headers:`,
    ...lines,
  ].join('\n');
  return { payload, note };
}

function printPayload(signed: RunPayload, options: { mode: PrivacyMode; apiUrl: string; apiKey?: string; io: PublishIo }): void {
  const { payload, note } = payloadPreview(signed, options);
  options.io.out(payload);
  options.io.err(note);
}

export interface ResumeRunOptions {
  path: string;
  /** The mode asked for (flag, LLM_SPEED_MODE or config); undefined: the mode the run was made in. */
  mode?: PrivacyMode;
  /** False for --no-upload (or upload: false in the environment or config). */
  upload: boolean;
  printPayload?: boolean;
  apiUrl: string;
  apiKey?: string;
  yes: boolean;
  configDir: string;
  interactive: boolean;
  io: PublishIo;
  /** What printed commands carry over from this invocation (results server, config folder and file). */
  hints?: HintContext;
  /** Passed to uploadRun (tests shorten them). */
  retries?: number;
  backoffMs?: number;
}

/** Before anything is printed or sent: a run saved after Ctrl-C stays on this machine, as `bench` said. */
async function refuseInterrupted(run: RunPayload, path: string): Promise<void> {
  const workloads = interruptedWorkloads(run);
  if (workloads.length === 0 && !(await readLocalRunInterrupted(path))) return;
  const which = workloads.length > 0 ? ` (${workloads.join(', ')} did not finish)` : '';
  throw new LlmSpeedError('interrupted', `not uploaded: ${path} is an interrupted run${which} — ${INTERRUPTED_RULE}. Nothing was sent; ${RUN_AGAIN}.`, {
    suggestions: ['llm-speed bench with the same backend, model and workloads'],
  });
}

/**
 * `llm-speed bench --resume <path>`: the saved run goes up under the same rules as a fresh one —
 * in the mode it was made in (never a weaker one), only when uploads are on, only with consent,
 * and never when the run was interrupted. Everything that can refuse does so before a byte is sent.
 */
export async function resumeRun(options: ResumeRunOptions): Promise<{ mode: PrivacyMode; upload: UploadResult }> {
  const { run, mode } = await prepareResume(options.path, options.mode, options.hints);
  await refuseInterrupted(run, options.path);
  if (options.printPayload) printPayload(run, { ...options, mode });
  if (!options.upload) {
    throw new UsageError(
      `not uploaded: uploads are turned off (--no-upload, LLM_SPEED_UPLOAD or "upload": false in the config file), and --resume only uploads. Nothing was sent; ${options.path} is kept.`,
      [commandHint('to send it', resumeCommand(options.path, mode, options.hints, ['--upload']), options.hints)],
    );
  }
  assertPrivacyInvariant(run);
  const consent = await haveConsent(run, { ...options, mode });
  if (consent !== true) {
    const { message, suggestions } = noConsentMessage(consent, options.path, mode, options.hints, options.configDir);
    throw new LlmSpeedError('consent', message, { suggestions });
  }
  const upload = await uploadRun({
    run,
    apiUrl: options.apiUrl,
    mode,
    apiKey: options.apiKey,
    cliVersion: frameworkVersion,
    localPath: options.path,
    hints: options.hints,
    retries: options.retries,
    backoffMs: options.backoffMs,
  });
  return { mode, upload };
}
