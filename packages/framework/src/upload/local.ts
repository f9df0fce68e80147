/**
 * Runs kept on disk (<cache>/runs/). The file is exactly the payload JSON (signed or not), so
 * `jq < file` shows what is (or would be) uploaded (PRIVACY §5); raw per-token timings, which are
 * never uploaded unless opted in, live in a `.timings.json` sidecar next to it.
 */
import { randomBytes } from 'node:crypto';
import { chmod, mkdir, readFile, rename, unlink, writeFile } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';
import type { RunPayload } from '../contract/generated/run.js';
import { LlmSpeedError } from '../errors.js';

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

/** Temp file + rename: a reader never sees half a run, and a crash never leaves one. */
async function writeAtomic(path: string, text: string): Promise<void> {
  const temp = join(dirname(path), `.${basename(path)}.${process.pid}.${randomBytes(6).toString('hex')}.tmp`);
  try {
    await writeFile(temp, text, { mode: 0o600, flag: 'wx' });
    await rename(temp, path);
  } catch (error) {
    await unlink(temp).catch(() => undefined);
    throw error;
  }
}

export interface SaveLocalRunOptions {
  runsDir: string;
  /** Per-result raw decode intervals, index-aligned with run.results; kept locally only. */
  rawTimings?: number[][];
}

export async function saveLocalRun(run: RunPayload, options: SaveLocalRunOptions): Promise<string> {
  await mkdir(options.runsDir, { recursive: true, mode: 0o700 });
  const path = join(options.runsDir, localRunFileName(run));
  await writeAtomic(path, JSON.stringify(run, null, 2) + '\n');
  await chmod(path, 0o600).catch(() => undefined);
  if (options.rawTimings?.some((t) => t.length > 0)) {
    const sidecar = {
      run: basename(path),
      results: run.results.map((r, i) => ({ workload: r.workload, raw_timings_ms: options.rawTimings?.[i] ?? [] })),
    };
    await writeAtomic(timingsSidecarPath(path), JSON.stringify(sidecar) + '\n');
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
