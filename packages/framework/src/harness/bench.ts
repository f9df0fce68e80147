/**
 * One `llm-speed bench` invocation as a library call: pick the backend, open the model once,
 * run each selected workload (its timed part repeated as METHODOLOGY §6.3 says), and assemble the
 * run payload. Saving, signing and
 * uploading happen after this, on the finished payload (output/ and upload/).
 */
import type { DriverContext, DriverSession } from '../contract/driver.js';
import type { Fingerprint, RunPayload } from '../contract/generated/run.js';
import type { MeasuredResult as WorkloadResult } from '../contract/generated/run.js';
import { assertValid } from '../contract/validate.js';
import { DriverError, errorMessage } from '../errors.js';
import type { DetectedDriver } from '../discovery/detect.js';
import { uploadBackends } from '../privacy/payload.js';
import { ACCELERATOR_UNUSED_FLAG, idleAccelerator, idleAcceleratorLine } from '../fingerprint/accelerator.js';
import { MachineSampler, IDLE_BASELINE_MS, type PowerMeterChoice } from '../meters/sampler.js';
import { rooflineOf } from '../roofline/roofline.js';
import { frameworkVersion } from '../version.js';
import { sessionNeeds, withRepetitions, type RunnableWorkload } from './plan.js';
import { powerFlags, systemPowerProbe, type PowerProbe } from './power.js';
import { interruptedResult, runWorkload, type ProgressListener, type WorkloadObserver } from './runner.js';
import { chooseDriver } from './select-backend.js';
import { clientCpuObserver, type ClientCpuOptions } from './client-cpu.js';

export interface BenchInput {
  detected: DetectedDriver[];
  ctx: DriverContext;
  workloads: RunnableWorkload[];
  suiteVersion: string;
  suiteDigest: string;
  backend?: string;
  model?: string;
  quick?: boolean;
  /** `--reps N`: exactly N repetitions of every workload (default: each workload's own policy, plan.ts). */
  reps?: number;
  strictAnon?: boolean;
  progress?: ProgressListener & { note(line: string): void };
  power?: PowerProbe;
  /** Meters that watch each workload's timed part (runner.ts WorkloadObserver). */
  observers?: readonly WorkloadObserver[];
  /** How the client's own CPU is read (harness/client-cpu.ts; default: this process, this machine's cores). */
  clientCpu?: ClientCpuOptions;
  /**
   * The machine sampler (meters/sampler.ts: energy, other processes' CPU, GPU clocks), made once the
   * backend is chosen; default: the real machine's. `false`: none (results carry no energy or machine object).
   */
  machine?: false | ((backend: string) => MachineSampler);
  /** `--power-meter` (default auto): which power meters the default machine sampler reads. */
  powerMeter?: PowerMeterChoice;
  /** How long the idle baseline is measured before the first workload (default IDLE_BASELINE_MS; 2 s with --quick). */
  idleBaselineMs?: number;
  collectFingerprint: (options: { backends: Record<string, string>; strictAnon: boolean }) => Promise<Fingerprint>;
  /** This machine's GPUs, asked while the model loads; without it no run is flagged accelerator-unused. */
  machineGpus?: () => Promise<Fingerprint['gpus']>;
}

export interface BenchOutcome {
  /** The full local record: results still carry raw_timings_ms. */
  run: RunPayload;
  backend: string;
  engineNote?: string;
  /** Ctrl-C during the run: some workloads are reported as interrupted. */
  interrupted: boolean;
}

/**
 * The shape of the results this CLI writes (run.schema.json `schema_version`): 2 = repeated
 * workloads with repetitions, spread and samples. A run without it is single-shot (METHODOLOGY §6.3).
 */
export const RESULT_SCHEMA_VERSION = 2;
/** Starts the sampler's meters and, when there are any, measures the idle baseline first. */
async function startMachine(machine: MachineSampler, input: BenchInput): Promise<void> {
  await machine.start();
  if (machine.tracks.length === 0 || input.ctx.signal.aborted) return;
  const ms = input.idleBaselineMs ?? (input.quick ? 2000 : IDLE_BASELINE_MS);
  input.progress?.note(
    `energy: ${machine.tracks
      .map((t) => t.meter)
      .filter((m, i, all) => all.indexOf(m) === i)
      .join(', ')}; measuring idle power for ${(ms / 1000).toFixed(0)} s`,
  );
  await machine.measureIdle(ms, input.ctx.signal);
}

export async function runBench(input: BenchInput): Promise<BenchOutcome> {
  const startedAt = new Date();
  const chosen = chooseDriver(input.detected, input.backend);
  const driver = chosen.driver;
  const power = input.power ?? systemPowerProbe;
  const needs = sessionNeeds(input.workloads);

  input.progress?.note(`backend: ${driver.name} ${chosen.detection.version ?? ''}`.trim());
  // The machine's GPUs, probed while the model loads: a CPU run on a GPU machine is said before it starts.
  const gpusProbe = input.machineGpus?.().catch(() => undefined);
  let session: DriverSession;
  try {
    session = await driver.open(input.model, needs, chosen.context ?? input.ctx);
  } catch (error) {
    throw error instanceof DriverError ? error : new DriverError(driver.name, `could not open the model: ${errorMessage(error)}`);
  }

  const before = await power.read().catch(() => ({}));
  const results: WorkloadResult[] = [];
  const machine = input.machine === false ? undefined : (input.machine ?? ((backend) => new MachineSampler({ backend, powerMeter: input.powerMeter })))(driver.name);
  try {
    input.progress?.note(`model: ${session.model.identifier}${session.model.quant ? ` (${session.model.quant})` : ''}`);
    const runFlags = input.quick ? ['quick'] : [];
    const gpus = await gpusProbe;
    const idle = gpus ? idleAccelerator({ gpus }, session.backendBuild) : undefined;
    if (idle) {
      input.progress?.note(idleAcceleratorLine(idle, driver.name, session.gpuHint));
      runFlags.push(ACCELERATOR_UNUSED_FLAG);
    }
    // A meter that fails to start costs the run its energy figures, never its measurements.
    if (machine) await startMachine(machine, input).catch((error) => input.progress?.note(`warning: the machine sampler did not start: ${errorMessage(error)}`));
    const runCtx = {
      suiteVersion: input.suiteVersion,
      suiteDigest: input.suiteDigest,
      backend: driver.name,
      session,
      signal: input.ctx.signal,
      flags: runFlags,
      progress: input.progress,
      // The client's own CPU last: started after the other meters' start, so their set-up is not counted as the client's.
      observers: [...(input.observers ?? []), ...(machine ? [machine] : []), clientCpuObserver(input.clientCpu)],
    };
    for (const workload of withRepetitions(input.workloads, { reps: input.reps, quick: input.quick })) {
      // After Ctrl-C the rest are still reported, as interrupted: an invocation's results travel together.
      results.push(input.ctx.signal.aborted ? interruptedResult(runCtx, workload) : await runWorkload(runCtx, workload));
    }
  } finally {
    await machine?.close();
    await session.close().catch((error) => input.progress?.note(`warning: closing ${driver.name} failed: ${errorMessage(error)}`));
  }
  const after = await power.read().catch(() => ({}));
  const flags = powerFlags(before, after);
  for (const r of results) {
    for (const f of flags) if (!r.flags.includes(f)) r.flags.push(f);
    // Throttling seen only around the whole run (macOS's CPU speed limit) cannot be placed in one
    // workload: every result is then `throttled`; on Linux the sampler's own counters place it.
    if (flags.includes('thermal-throttled') && r.machine?.cpu_throttle_events == null && !r.flags.includes('throttled')) r.flags.push('throttled');
  }

  // The same rule buildUploadPayload applies to every payload: only what the results ran on.
  const fingerprint = await input.collectFingerprint({
    backends: uploadBackends(results as RunPayload['results'], input.strictAnon ?? false),
    strictAnon: input.strictAnon ?? false,
  });
  if (results.length === 0) throw new DriverError(driver.name, 'no workload ran (interrupted before the first one)');
  // The bandwidth roofline needs the device (the fingerprint's CPU, for CPU builds) and the model's shape.
  for (const r of results) r.roofline = rooflineOf(r, session.modelShape, fingerprint);
  const run: RunPayload = {
    schema_version: RESULT_SCHEMA_VERSION,
    fingerprint,
    results: results as RunPayload['results'],
    cli_version: frameworkVersion,
    started_at: startedAt.toISOString(),
    finished_at: new Date().toISOString(),
  };
  assertValid<RunPayload>('run', run, 'the run produced by this benchmark');
  return {
    run,
    backend: driver.name,
    engineNote: typeof session.extras.engine === 'string' ? session.extras.engine : undefined,
    interrupted: input.ctx.signal.aborted,
  };
}
