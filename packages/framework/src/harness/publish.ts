/**
 * What happens to a finished run: build the upload payload (privacy rules applied), sign it,
 * keep it locally, print it if asked, and upload it when the mode and the user's consent allow.
 * A failure never loses the run: the signed file is written before any network call, and an
 * upload failure names the `--resume` command that retries it.
 */
import { writeFile } from 'node:fs/promises';
import type { RunPayload } from '../contract/generated/run.js';
import { LlmSpeedError, errorMessage } from '../errors.js';
import { buildUploadPayload, assertPrivacyInvariant, type PrivacyMode } from '../privacy/index.js';
import { ephemeralKeyPair, loadOrCreateKeyPair, signRun } from '../signing/index.js';
import { consentRequired, readConsent, recordConsent, promptConsent, saveLocalRun, uploadRun } from '../upload/index.js';
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
  io: { out(text: string): void; err(text: string): void; input?: NodeJS.ReadableStream; output?: NodeJS.WritableStream };
}

export interface PublishOutcome {
  payload: RunPayload;
  savedPath?: string;
  upload?: { id: string; url: string };
  uploadSkipped?: string;
}

export async function publishRun(run: RunPayload, options: PublishOptions): Promise<PublishOutcome> {
  const rawTimings = run.results.map((r) => r.raw_timings_ms ?? []);
  const payload = buildUploadPayload(run, { mode: options.mode, includeRawTimings: options.includeRawTimings });
  const keys = options.mode === 'strict-anon' ? await ephemeralKeyPair() : await loadOrCreateKeyPair(options.configDir);
  const signed = await signRun(payload, keys);
  const outcome: PublishOutcome = { payload: signed };

  if (options.printPayload) options.io.out(JSON.stringify(signed, null, 2));
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
  outcome.savedPath = await saveLocalRun(signed, { runsDir: options.runsDir, rawTimings });
  await writeJson();
  if (options.interrupted) {
    outcome.uploadSkipped = 'interrupted: the partial run is saved locally and not uploaded; run the benchmark again to submit a complete one';
    return outcome;
  }
  // PRIVACY §7: --json and --no-upload are offline modes.
  if (!options.upload || options.jsonPath) {
    outcome.uploadSkipped = 'offline run: saved locally, not uploaded';
    return outcome;
  }

  assertPrivacyInvariant(signed);
  const fingerprintHash = signed.fingerprint.fingerprint_hash;
  if (consentRequired(options.mode) && !(await readConsent(options.configDir))) {
    let agreed = options.yes;
    if (!agreed && options.interactive) agreed = await promptConsent({ input: options.io.input, output: options.io.output });
    if (!agreed) {
      outcome.uploadSkipped = `not uploaded: no consent yet. Run interactively, or pass --yes, then: llm-speed bench --resume ${outcome.savedPath}`;
      return outcome;
    }
    await recordConsent(options.configDir, { cliVersion: frameworkVersion, fingerprintHash });
  }
  try {
    outcome.upload = await uploadRun({
      run: signed,
      apiUrl: options.apiUrl,
      mode: options.mode,
      apiKey: options.apiKey,
      cliVersion: frameworkVersion,
      localPath: outcome.savedPath,
    });
  } catch (error) {
    if (error instanceof LlmSpeedError) throw error;
    throw new LlmSpeedError('upload', `upload failed: ${errorMessage(error)}; the run is kept at ${outcome.savedPath}`, {
      suggestions: [`llm-speed bench --resume ${outcome.savedPath}`],
    });
  }
  return outcome;
}
