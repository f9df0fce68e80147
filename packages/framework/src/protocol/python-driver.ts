/**
 * The driver of a backend whose engine runs in the user's Python through a runner script the
 * plugin ships (protocol/python-runner.ts): MLX and exllamav2, and any future Python backend. What
 * every such driver does the same way lives here — probing the user's Python for the engine's
 * versions, starting the runner on open(), publishing a local model folder by its name only,
 * reporting the device the runner loaded the model on, streaming its lines as generation events,
 * closing the process — and a plugin states only what is its own: its script, capabilities, how
 * the probe's answer decides availability, its model list, its version string and extras.
 */
import type { Driver, DriverCapabilities, DriverContext, DriverDetection, DriverSession, ModelInfo, OpenOptions } from '../contract/driver.js';
import type { Extras } from '../contract/generated/workload-result.js';
import { publicModelName } from '../contract/model-ref.js';
import { DriverError } from '../errors.js';
import { missingModules, probePython, pythonFor, runnerBuild, runnerGeneration, startPythonRunner } from './python-runner.js';

/** What the version probe found in the user's Python. */
export interface PythonProbe {
  /** The interpreter asked (config `python`, LLM_SPEED_PYTHON, else python3). */
  python: string;
  ok: boolean;
  /** The probe's last stdout line, parsed as JSON (empty when it failed). */
  answer: Record<string, unknown>;
  /** Why it failed, in one line. */
  reason?: string;
}

export interface PythonRunnerDriverSpec {
  name: string;
  /** Absolute path of the runner script the plugin ships. */
  script: string;
  /**
   * Whether the engine can be made to emit exactly max_tokens. The rest is the runner's: it
   * streams, and serves one request at a time (so W4 is flagged serial) with no cache counters —
   * a spec may still say otherwise.
   */
  capabilities: Pick<DriverCapabilities, 'exact_output_length'> & Partial<DriverCapabilities>;
  /** Python code that prints one JSON line with the engine's versions and whatever detect() needs. */
  versionProbe: string;
  /** Deadline for the probe: importing an engine (torch, mlx) takes seconds on a cold disk. */
  probeTimeoutMs: number;
  /**
   * Modules the engine cannot run without: when Python lacks one (asked without importing,
   * missingModules()), the version probe is not run at all.
   */
  requiredModules?: string[];
  /** Deadline for loading the model, until the runner's "ready" line (default 10 min). */
  loadTimeoutMs?: number;
  /** The engine as the user knows it, for "Loading <model> with <engine>...". */
  engine: string;
  /** What to pass when --model is missing. */
  modelHint: string;
  /** Availability from the probe (called lazily: a platform check may answer without Python); an available answer gets the driver's capabilities. */
  detect(probe: () => Promise<PythonProbe>, ctx: DriverContext): Promise<DriverDetection>;
  listModels(ctx: DriverContext): Promise<ModelInfo[]>;
  /** The backend's version as results carry it, from the versions the probe or the runner reports. */
  backendVersion(versions: Record<string, unknown>): string;
  /** Arguments after the script (default: the model reference). */
  runnerArgs?(modelRef: string, options: OpenOptions): string[];
  /** Engine settings every result of a session carries. */
  extras(versions: Record<string, unknown>, options: OpenOptions): Extras;
}

/**
 * A version or message the probe or the runner reported, when it is text. Anything else (null, an
 * object from a broken engine build) is undefined, so a result says "unknown" where a bare
 * String() would have written "[object Object]" into a signed result.
 */
export function reportedText(value: unknown): string | undefined {
  return typeof value === 'string' && value !== '' ? value : undefined;
}

/** Runs the spec's version probe in the user's Python and parses its answer. */
export async function probeEngine(spec: Pick<PythonRunnerDriverSpec, 'versionProbe' | 'probeTimeoutMs' | 'requiredModules'>, ctx: Pick<DriverContext, 'config' | 'env'>): Promise<PythonProbe> {
  const python = pythonFor(ctx.config, ctx.env);
  if (spec.requiredModules?.length) {
    // Found missing without importing anything: the version probe (which imports torch) is skipped,
    // and the answer reads as the version probe's own import failure would.
    const missing = await missingModules(python, spec.requiredModules, ctx.env);
    if (missing && missing.length > 0) return { python, ok: true, answer: { error: `ModuleNotFoundError: No module named '${missing[0]}'` } };
  }
  const result = await probePython(python, spec.versionProbe, spec.probeTimeoutMs, ctx.env);
  if (!result.ok) return { python, ok: false, answer: {}, reason: result.reason };
  try {
    const answer = JSON.parse(result.stdout.split('\n').pop() ?? '') as unknown;
    if (answer !== null && typeof answer === 'object' && !Array.isArray(answer)) return { python, ok: true, answer: answer as Record<string, unknown> };
  } catch {
    // not JSON: said below
  }
  return { python, ok: false, answer: {}, reason: `${python} printed no JSON answer to the version probe` };
}

/** A runner driver's capabilities: the runner streams and serves one request at a time; the spec says the rest. */
export function runnerCapabilities(spec: Pick<PythonRunnerDriverSpec, 'capabilities'>): DriverCapabilities {
  return { streaming: true, true_concurrency: false, prefix_cache_stats: false, ...spec.capabilities };
}

export function createPythonRunnerDriver(spec: PythonRunnerDriverSpec): Driver {
  const capabilities = runnerCapabilities(spec);
  return {
    name: spec.name,
    async detect(ctx) {
      const detection = await spec.detect(() => probeEngine(spec, ctx), ctx);
      return detection.available && !detection.capabilities ? { ...detection, capabilities } : detection;
    },
    listModels: (ctx) => spec.listModels(ctx),
    async open(modelRef, options, ctx): Promise<DriverSession> {
      if (!modelRef) throw new DriverError(spec.name, 'no model given', { suggestions: [spec.modelHint] });
      ctx.log(`Loading ${modelRef} with ${spec.engine}...`);
      const runner = await startPythonRunner({
        driver: spec.name,
        python: pythonFor(ctx.config, ctx.env),
        script: spec.script,
        args: spec.runnerArgs?.(modelRef, options) ?? [modelRef],
        env: ctx.env,
        signal: ctx.signal,
        readyDeadlineMs: spec.loadTimeoutMs ?? 600_000,
      });
      const versions = (typeof runner.ready.versions === 'object' && runner.ready.versions !== null ? runner.ready.versions : {}) as Record<string, unknown>;
      return {
        // A local folder is published by its name only (PRIVACY: no paths, no usernames).
        model: { identifier: publicModelName(modelRef), name: publicModelName(modelRef) },
        backendVersion: spec.backendVersion(versions),
        capabilities,
        // The device the runner loaded the model on, as the engine reports it (kind and name).
        backendBuild: runnerBuild(runner.ready),
        extras: spec.extras(versions, options),
        generate: (request) => runnerGeneration(runner, request),
        close: () => runner.close(),
      };
    },
  };
}
