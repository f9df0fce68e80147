/**
 * Runs kept on disk (<cache>/runs/). The file is exactly the payload JSON (signed or not), so
 * `jq < file` shows what is (or would be) uploaded (PRIVACY §5). What must stay on this machine
 * lives in sidecars next to it: raw per-token timings (`.timings.json`, never uploaded unless
 * opted in) and the privacy mode the run was made in (`.local.json`), which `--resume` needs and
 * the signed payload has no field for.
 */
import { readFile } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';
import type { RunPayload } from '../contract/generated/run.js';
import { LlmSpeedError } from '../errors.js';
import { writeOwnerOnly } from '../owner-only-file.js';
import { isPrivacyMode, type PrivacyMode } from '../privacy/modes.js';

export class LocalRunError extends LlmSpeedError {
  constructor(message: string, suggestions: string[] = []) {
    super('local-run', message, { suggestions });
    this.name = 'LocalRunError';
  }
}

/** `<started_at, ':' as '-'>-<fingerprint_hash or anon>.json`: sortable and valid on every OS. */
export function localRunFileName(run: Pick<RunPayload, 'started_at' | 'fingerprint'>): string {
  const stamp = run.started_at.replace(/:/g, '-');
  return `${stamp}-${run.fingerprint.fingerprint_hash ?? 'anon'}.json`;
}

export function timingsSidecarPath(runPath: string): string {
  return join(dirname(runPath), basename(runPath, '.json') + '.timings.json');
}

export function localMetaPath(runPath: string): string {
  return join(dirname(runPath), basename(runPath, '.json') + '.local.json');
}

export interface SaveLocalRunOptions {
  runsDir: string;
  /** Per-result raw decode intervals, index-aligned with run.results; kept locally only. */
  rawTimings?: number[][];
  /** The privacy mode the run was made in; kept locally so `--resume` sends it the same way. */
  mode?: PrivacyMode;
  /** The run was interrupted: recorded so `--resume` refuses it (compare/interrupted.ts). */
  interrupted?: boolean;
}

/** The local-only sidecar: never uploaded, never signed. */
interface LocalRunMeta {
  run: string;
  privacy_mode: PrivacyMode;
  interrupted?: true;
}

export async function saveLocalRun(run: RunPayload, options: SaveLocalRunOptions): Promise<string> {
  const path = join(options.runsDir, localRunFileName(run));
  // Before the run itself: a crash in between must not leave a run that resumes without its mode
  // (it would go up as a default-mode run).
  if (options.mode) {
    const meta: LocalRunMeta = { run: basename(path), privacy_mode: options.mode, ...(options.interrupted ? { interrupted: true as const } : {}) };
    await writeOwnerOnly(localMetaPath(path), JSON.stringify(meta) + '\n');
  }
  await writeOwnerOnly(path, JSON.stringify(run, null, 2) + '\n');
  if (options.rawTimings?.some((t) => t.length > 0)) {
    const sidecar = {
      run: basename(path),
      results: run.results.map((r, i) => ({ workload: r.workload, raw_timings_ms: options.rawTimings?.[i] ?? [] })),
    };
    await writeOwnerOnly(timingsSidecarPath(path), JSON.stringify(sidecar) + '\n');
  }
  return path;
}

export async function loadLocalRun(path: string): Promise<RunPayload> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === 'ENOENT') throw new LocalRunError(`no saved run at ${path}`, ['saved runs are in ~/.cache/llm-speed/runs/ (or $LLM_SPEED_CACHE_DIR/runs)']);
    throw new LocalRunError(`cannot read ${path}: ${(error as Error).message}`);
  }
  let run: unknown;
  try {
    run = JSON.parse(text);
  } catch (error) {
    throw new LocalRunError(`${path} is not valid JSON (${(error as Error).message})`, ['a saved run must be the JSON file llm-speed wrote; was it edited?']);
  }
  if (typeof run !== 'object' || run === null || Array.isArray(run)) throw new LocalRunError(`${path} does not hold a run (expected a JSON object)`);
  return run as RunPayload;
}

/**
 * The privacy mode recorded next to a saved run, or undefined when there is none (a run saved by
 * an older llm-speed, or copied without its sidecar). A sidecar that exists but cannot be read is
 * an error, not "no record": guessing would risk sending an anonymous run as a default one.
 */
export async function readLocalRunMode(runPath: string): Promise<PrivacyMode | undefined> {
  let text: string;
  try {
    text = await readFile(localMetaPath(runPath), 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw new LocalRunError(`cannot read ${localMetaPath(runPath)}: ${(error as Error).message}`);
  }
  let mode: unknown;
  try {
    mode = (JSON.parse(text) as Partial<LocalRunMeta> | null)?.privacy_mode;
  } catch {
    mode = undefined;
  }
  if (!isPrivacyMode(mode)) {
    throw new LocalRunError(`${localMetaPath(runPath)} does not record a privacy mode, so the mode ${basename(runPath)} was made in is unknown`, [
      'pass the mode it was made in (--anon or --strict-anon; neither for default) to --resume',
    ]);
  }
  return mode;
}

/**
 * Whether the sidecar next to a saved run records an interruption. The signed payload says so
 * too (the `interrupted` flag, or an older CLI's error text), and --resume checks both: the
 * sidecar alone would be lost when the run file is copied elsewhere.
 */
export async function readLocalRunInterrupted(runPath: string): Promise<boolean> {
  try {
    return (JSON.parse(await readFile(localMetaPath(runPath), 'utf8')) as Partial<LocalRunMeta> | null)?.interrupted === true;
  } catch {
    return false;
  }
}
