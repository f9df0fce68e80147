/**
 * Drives a Python "runner" script shipped by a driver plugin (mlx, exllamav2): the script loads a
 * model once and streams generation as JSON lines on stdout, read here with readNdjson so every
 * token is stamped on arrival on the harness clock.
 *
 * Runner protocol (the scripts in plugin-mlx/python and plugin-exllamav2/python implement it):
 *   started as `python -u <script> <args...>`; it loads the model, then prints
 *     {"event":"ready", "versions": {...}, "device": {"kind": "cuda"|"metal"|..., "name": "..."}}
 *   then reads one JSON request per stdin line:
 *     {"prompt": "..."} or {"messages": [...]}, plus {"max_tokens": N, "cache_prompt": bool,
 *      "sampling": {"temperature", "top_k", "top_p", "min_p", "repeat_penalty",
 *                   "presence_penalty", "frequency_penalty", "seed"}}
 *   and answers each with
 *     {"event":"token","n":<tokens in this line>,"t":<perf_counter s>}   (one or more)
 *     {"event":"done","prompt_tokens":P,"output_tokens":O,"stop_reason":"length"|"eos",
 *      "cached_tokens":C?, "timings": {"prompt_n","prompt_ms","decode_n","decode_ms"}?}
 *   or {"event":"error","message":"...","kind":"import"|"runtime"}.
 *   `timings` are the backend's own timers (mlx-lm's prompt_tps/generation_tps, exllamav2's
 *   time_prefill/time_generate) in the runner's terms: prompt tokens processed and their ms,
 *   decode tokens as the backend counts them for its rate and their ms.
 *   The runner's own "t" is kept for diagnostics only; timing uses the Node-side arrival time.
 * The process lives for the session (no model reload per request) and is killed on close, abort
 * or deadline, so no runner outlives the harness.
 */
import { spawn, execFile } from 'node:child_process';
import { delimiter } from 'node:path';
import { fileURLToPath } from 'node:url';
import { DriverError, TimeoutError, LlmSpeedError } from '../errors.js';
import { now as defaultNow, type Clock } from '../harness/clock.js';
import type { BackendBuild, BackendTimings, GenerationEvent, GenerationRequest } from '../contract/driver.js';
import { runnerSamplingFields } from '../contract/sampling.js';
import { readNdjson, type NdjsonValue } from './ndjson.js';
import { superviseChild } from '../util/child-processes.js';

export interface RunnerLine {
  /** The four events the runner protocol names, or another a newer runner sends (`string & {}`: see GenerationEvent's stopReason). */
  event: 'ready' | 'token' | 'done' | 'error' | (string & {});
  [key: string]: unknown;
}

export interface PythonRunnerOptions {
  /** Driver name, used in error messages. */
  driver: string;
  python: string;
  script: string;
  args?: string[];
  env?: NodeJS.ProcessEnv;
  signal?: AbortSignal;
  /** Deadline for the model load (until the "ready" line). */
  readyDeadlineMs?: number;
  clock?: Clock;
}

export interface RunnerRequestOptions {
  signal?: AbortSignal;
  /** Deadline for the whole request (until "done"). */
  deadlineMs?: number;
}

export interface PythonRunner {
  /** The "ready" line: versions and model details the runner reported after loading. */
  readonly ready: RunnerLine;
  /** Sends one request and yields the runner's lines with their arrival time, ending after "done". */
  request(payload: Record<string, unknown>, options?: RunnerRequestOptions): AsyncGenerator<{ line: RunnerLine; t: number }>;
  close(): Promise<void>;
}

const IMPORT_ERROR = /\b(ModuleNotFoundError|ImportError)\b[^\n]*/;

/** Turns what a dead runner left behind into one clear error. */
export function runnerFailure(driver: string, python: string, stderr: string, code: number | null, signalName: string | null): DriverError {
  const importLine = IMPORT_ERROR.exec(stderr)?.[0];
  if (importLine) {
    return new DriverError(driver, `${python} cannot import what the runner needs (${importLine.trim()})`, {
      suggestions: [`Install the missing package for ${python}, or point LLM_SPEED_PYTHON at a Python that has it.`],
    });
  }
  const tail = stderr.trim().split('\n').slice(-3).join(' | ').slice(0, 400);
  const how = signalName ? `was killed by ${signalName}` : `exited with code ${code}`;
  return new DriverError(driver, `the Python runner ${how}${tail ? `: ${tail}` : ''}`, {
    suggestions: ['Run the same model with the backend directly to see its full log.'],
  });
}

function lineError(driver: string, line: RunnerLine): DriverError {
  const message = typeof line.message === 'string' ? line.message : 'unknown error';
  if (line.kind === 'import') {
    return new DriverError(driver, `the Python runner cannot import what it needs: ${message}`, {
      suggestions: ['Install the missing package, or point LLM_SPEED_PYTHON at a Python that has it.'],
    });
  }
  return new DriverError(driver, `the Python runner reported an error: ${message}`);
}

/**
 * The protocol's Python side (python/llm_speed_runner.py: emit, fail, serve_forever), shipped with
 * the framework and put first on every runner's PYTHONPATH, so each runner script holds only its
 * engine's code. From dist/protocol/ or src/protocol/ alike, it is two folders up.
 */
export const RUNNER_PYTHON_DIR = fileURLToPath(new URL('../../python/', import.meta.url));

export async function startPythonRunner(options: PythonRunnerOptions): Promise<PythonRunner> {
  const { driver, python } = options;
  const clock = options.clock ?? defaultNow;
  const env = options.env ?? process.env;
  const child = spawn(python, ['-u', options.script, ...(options.args ?? [])], {
    env: { ...env, PYTHONPATH: [RUNNER_PYTHON_DIR, env.PYTHONPATH].filter(Boolean).join(delimiter), PYTHONUNBUFFERED: '1' },
    stdio: ['pipe', 'pipe', 'pipe'],
    windowsHide: true,
  });
  // A runner holds GPU memory: it must not outlive the CLI (util/child-processes.ts).
  superviseChild(child);
  let stderr = '';
  let spawnError: Error | undefined;
  child.stderr!.setEncoding('utf8');
  child.stderr!.on('data', (text: string) => {
    stderr = (stderr + text).slice(-8_000);
  });
  // Writing to a runner that died must surface as the runner's failure, not an EPIPE crash.
  child.stdin!.on('error', () => undefined);
  const exited = new Promise<{ code: number | null; signal: string | null }>((resolve) => {
    child.once('exit', (code, signal) => resolve({ code, signal }));
    // A process that never started emits 'error' and no 'exit'.
    child.once('error', (error) => {
      spawnError = error;
      resolve({ code: null, signal: null });
    });
  });

  let killedFor: LlmSpeedError | undefined;
  const kill = (reason: LlmSpeedError): void => {
    killedFor ??= reason;
    if (child.exitCode === null && child.signalCode === null) {
      child.kill('SIGTERM');
      setTimeout(() => child.kill('SIGKILL'), 2_000).unref();
    }
  };
  const onAbort = () => kill(new DriverError(driver, 'the run was aborted'));
  options.signal?.addEventListener('abort', onAbort, { once: true });

  const lines: AsyncIterator<NdjsonValue> = readNdjson(child.stdout!, clock)[Symbol.asyncIterator]();

  /** Next line, or the reason the runner is gone. */
  const next = async (): Promise<{ line: RunnerLine; t: number }> => {
    let item: IteratorResult<NdjsonValue>;
    try {
      item = await lines.next();
    } catch (error) {
      kill(new DriverError(driver, 'the Python runner printed something that is not a JSON line'));
      throw new DriverError(driver, `the Python runner's output is corrupt: ${(error as Error).message}`);
    }
    if (item.done) {
      const { code, signal } = await exited;
      if (killedFor) throw killedFor;
      if (spawnError) {
        throw new DriverError(driver, `cannot start ${python}: ${spawnError.message}`, {
          suggestions: ['Install Python 3, or set LLM_SPEED_PYTHON to the interpreter to use.'],
        });
      }
      throw runnerFailure(driver, python, stderr, code, signal);
    }
    const value = item.value.value;
    if (typeof value !== 'object' || value === null || typeof (value as RunnerLine).event !== 'string') {
      throw new DriverError(driver, `the Python runner sent a line without an "event": ${JSON.stringify(value).slice(0, 160)}`);
    }
    return { line: value as RunnerLine, t: item.value.t };
  };

  const withTimer = (ms: number | undefined, what: string): (() => void) => {
    if (ms === undefined) return () => undefined;
    const timer = setTimeout(() => kill(new TimeoutError(`${driver}: ${what}`, ms)), ms);
    timer.unref();
    return () => clearTimeout(timer);
  };

  const stopReady = withTimer(options.readyDeadlineMs ?? 600_000, 'loading the model in the Python runner');
  let ready: RunnerLine;
  try {
    for (;;) {
      const { line } = await next();
      if (line.event === 'ready') {
        ready = line;
        break;
      }
      if (line.event === 'error') {
        kill(lineError(driver, line));
        throw lineError(driver, line);
      }
    }
  } catch (error) {
    kill(error instanceof LlmSpeedError ? error : new DriverError(driver, String(error)));
    throw error;
  } finally {
    stopReady();
  }

  // One request at a time: the runner's stdout carries no request id. Concurrent callers (W4)
  // wait their turn, which is why runner-based sessions report serial concurrency.
  let turn: Promise<void> = Promise.resolve();
  return {
    ready,
    async *request(payload, requestOptions = {}) {
      const previous = turn;
      let release!: () => void;
      turn = new Promise<void>((resolve) => (release = resolve));
      let wrote = false;
      let finished = false;
      let stopTimer = () => undefined as void;
      const onRequestAbort = () => kill(new DriverError(driver, 'the request was aborted'));
      try {
        await previous;
        if (killedFor) throw killedFor;
        if (requestOptions.signal?.aborted) throw new DriverError(driver, 'the request was aborted');
        requestOptions.signal?.addEventListener('abort', onRequestAbort, { once: true });
        stopTimer = withTimer(requestOptions.deadlineMs, 'generation in the Python runner');
        child.stdin!.write(`${JSON.stringify(payload)}\n`);
        wrote = true;
        for (;;) {
          const item = await next();
          if (item.line.event === 'error') {
            // The runner reports a failed request and waits for the next one: still usable.
            finished = true;
            throw lineError(driver, item.line);
          }
          yield item;
          if (item.line.event === 'done') {
            finished = true;
            return;
          }
        }
      } finally {
        stopTimer();
        requestOptions.signal?.removeEventListener('abort', onRequestAbort);
        // A consumer that stops early leaves the runner mid-generation: its next lines would be
        // read as the next request's, so the process cannot be reused.
        if (wrote && !finished && !killedFor) kill(new DriverError(driver, 'the previous request did not finish; open a new session'));
        release();
      }
    },
    async close() {
      options.signal?.removeEventListener('abort', onAbort);
      if (child.exitCode !== null || child.signalCode !== null) return;
      child.stdin!.end();
      const grace = setTimeout(() => kill(new DriverError(driver, 'the Python runner was closed')), 3_000);
      grace.unref();
      await exited;
      clearTimeout(grace);
    },
  };
}

const BUILD_KINDS = new Set<BackendBuild['kind']>(['cpu', 'cuda', 'rocm', 'metal', 'vulkan', 'sycl', 'opencl', 'musa', 'cann', 'remote', 'unknown']);

/** The ready line's `device` ({"kind", "name"}) as a BackendBuild; unknown when the runner did not say. */
export function runnerBuild(ready: RunnerLine): BackendBuild {
  const device = typeof ready.device === 'object' && ready.device !== null ? (ready.device as { kind?: unknown; name?: unknown }) : {};
  const kind = typeof device.kind === 'string' && BUILD_KINDS.has(device.kind as BackendBuild['kind']) ? (device.kind as BackendBuild['kind']) : 'unknown';
  const name = typeof device.name === 'string' && device.name.trim() ? device.name.trim().slice(0, 64) : undefined;
  return name ? { kind, devices: [name] } : { kind };
}

function finiteOrUndefined(value: unknown): number | undefined {
  return typeof value === 'number' && Number.isFinite(value) && value >= 0 ? value : undefined;
}

/** The done line's `timings` in the contract's terms. */
function runnerTimings(line: RunnerLine): BackendTimings | undefined {
  if (typeof line.timings !== 'object' || line.timings === null) return undefined;
  const t = line.timings as Record<string, unknown>;
  return { promptTokens: finiteOrUndefined(t.prompt_n), promptMs: finiteOrUndefined(t.prompt_ms), decodeTokens: finiteOrUndefined(t.decode_n), decodeMs: finiteOrUndefined(t.decode_ms) };
}

/** Turns runner lines of one request into the contract's generation events. */
export async function* runnerGeneration(runner: PythonRunner, request: GenerationRequest, deadlineMs?: number): AsyncGenerator<GenerationEvent> {
  const payload: Record<string, unknown> = {
    max_tokens: request.maxTokens,
    cache_prompt: request.cachePrompt,
    sampling: runnerSamplingFields(request.sampling),
    ...(request.messages ? { messages: request.messages } : { prompt: request.prompt ?? '' }),
  };
  for await (const { line, t } of runner.request(payload, { signal: request.signal, deadlineMs })) {
    if (line.event === 'token') {
      const n = typeof line.n === 'number' && line.n > 0 ? line.n : 1;
      yield { type: 'tokens', t, count: n };
    } else if (line.event === 'done') {
      const cached = finiteOrUndefined(line.cached_tokens);
      const timings = runnerTimings(line);
      yield {
        type: 'usage',
        promptTokens: typeof line.prompt_tokens === 'number' ? line.prompt_tokens : undefined,
        outputTokens: typeof line.output_tokens === 'number' ? line.output_tokens : undefined,
        ...(cached !== undefined ? { cachedPromptTokens: cached } : {}),
        ...(timings ? { backendTimings: timings } : {}),
      };
      const extras = typeof line.extras === 'object' && line.extras !== null ? (line.extras as Record<string, string | number | boolean | null>) : undefined;
      yield { type: 'done', t, stopReason: typeof line.stop_reason === 'string' ? line.stop_reason : undefined, extras };
    }
  }
}

export interface ProbeResult {
  ok: boolean;
  stdout: string;
  /** Why it failed, in one line (missing module, interpreter not found, timeout). */
  reason?: string;
}

/** Runs a snippet in the user's Python with a deadline, e.g. `import mlx_lm; print(mlx_lm.__version__)`. */
export function probePython(python: string, code: string, deadlineMs = 20_000, env: NodeJS.ProcessEnv = process.env): Promise<ProbeResult> {
  return new Promise((resolve) => {
    execFile(python, ['-c', code], { timeout: deadlineMs, killSignal: 'SIGKILL', windowsHide: true, env: { ...env, PYTHONWARNINGS: 'ignore' } }, (error, stdout, stderr) => {
      if (!error) return resolve({ ok: true, stdout: stdout.trim() });
      const e = error as NodeJS.ErrnoException & { killed?: boolean };
      let reason: string;
      if (e.code === 'ENOENT') reason = `${python} not found`;
      else if (e.killed) reason = `${python} did not answer within ${Math.round(deadlineMs / 1000)} s`;
      else reason = IMPORT_ERROR.exec(stderr)?.[0]?.trim() ?? (stderr.trim().split('\n').pop() || e.message);
      resolve({ ok: false, stdout: stdout.trim(), reason: reason.slice(0, 200) });
    });
  });
}

/** The short deadline of missingModules(): Python's start-up, never an import. */
export const MODULE_PROBE_DEADLINE_MS = 5_000;

/**
 * The modules of `modules` that `python` does not have, found without importing any of them
 * (importlib.util.find_spec reads the import path only): tens of milliseconds where importing
 * vllm or exllamav2 imports torch, seconds. `detect` asks this first and imports only what is
 * there. Undefined when the interpreter did not answer (missing, broken, too slow).
 */
export async function missingModules(python: string, modules: readonly string[], env: NodeJS.ProcessEnv = process.env, deadlineMs = MODULE_PROBE_DEADLINE_MS): Promise<string[] | undefined> {
  const code = `import importlib.util, json\nprint(json.dumps([m for m in ${JSON.stringify(modules)} if importlib.util.find_spec(m) is None]))`;
  const probe = await probePython(python, code, deadlineMs, env);
  if (!probe.ok) return undefined;
  try {
    const missing = JSON.parse(probe.stdout.split('\n').pop() ?? '') as unknown;
    return Array.isArray(missing) ? missing.filter((m): m is string => typeof m === 'string') : undefined;
  } catch {
    return undefined;
  }
}

/** The Python a driver should run: config `python`, then LLM_SPEED_PYTHON, then python3. */
export function pythonFor(config: Record<string, unknown>, env: NodeJS.ProcessEnv): string {
  const configured = config.python ?? env.LLM_SPEED_PYTHON;
  return typeof configured === 'string' && configured ? configured : 'python3';
}
