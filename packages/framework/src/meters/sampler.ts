/**
 * The machine sampler (METHODOLOGY §13.1, §13.6): one per bench run, started by the harness once the
 * backend is open. It reads every power meter the machine offers — energy counters where they exist,
 * power readings where not — and watches what else the machine does, and it is the runner's
 * WorkloadObserver: from each workload's first timed request to its last token it keeps readings,
 * and when the workload ends it writes the result's `energy` and `machine` objects and sets the
 * `busy-machine` and `throttled` flags.
 *
 * Cost while a request is timed: sysfs counters (RAPL, amdgpu hwmon) are read on an unref'd 100 ms
 * timer that runs only while a timed part or the idle baseline is measured, a few small files each tick; nvidia-smi and powermetrics run as child processes whose
 * lines are parsed as they come (10 a second per GPU). /proc is scanned only at the start and end
 * of a workload's timed part. bench/energy.mjs measures what this costs.
 */
import { spawn } from 'node:child_process';
import { loadavg } from 'node:os';
import { createInterface } from 'node:readline';
import type { MeasuredResult as WorkloadResult } from '../contract/generated/run.js';
import type { GpuClockEvent, MachineObservations } from '../contract/generated/workload-result.js';
import { now as defaultNow, type Clock } from '../harness/clock.js';
import type { GenerationRecord } from '../harness/measure.js';
import type { RunnableWorkload } from '../harness/plan.js';
import { linuxThrottleEvents } from '../harness/power.js';
import { superviseChild } from '../util/child-processes.js';
import type { WorkloadObserver } from '../harness/runner.js';
import { energyOf, MIN_PHASE_SAMPLES, noEnergy } from './energy.js';
import { findAmdGpuSensors, HWMON_ROOT, readAmdGpu, type AmdGpuSensor } from './hwmon.js';
import { HELP_QUERY_ARGS, NVIDIA_INTERVAL_MS, nvidiaArgs, nvidiaQuery, parseHeader, parseHelpQueryGpu, parseReading, THROTTLE_EVENTS, type NvidiaQuery } from './nvidia-smi.js';
import { phaseWindows } from './phases.js';
import { POWERMETRICS_ARGS, POWERMETRICS_INTERVAL_MS, PowermetricsParser } from './powermetrics.js';
import { backendPids, countCpus, CPU_ROOT, cpuSnapshot, otherShare, PROC_ROOT, readGovernors, readLoadavg, type CpuSnapshot } from './proc.js';
import { findRaplZones, POWERCAP_ROOT, RaplCounter } from './rapl.js';
import { EnergyTrack, type Interval } from './track.js';

/** `--power-meter`: every meter found (auto), none, or macOS powermetrics (root only). */
export const POWER_METER_CHOICES = ['auto', 'none', 'powermetrics'] as const;
export type PowerMeterChoice = (typeof POWER_METER_CHOICES)[number];

/** Other processes over this share of all CPU time during a workload's timed part: `busy-machine`. */
export const BUSY_MACHINE_SHARE = 0.1;
/** The idle baseline (METHODOLOGY §13.2): this long before the first workload, with the model loaded. */
export const IDLE_BASELINE_MS = 3000;
/**
 * sysfs meters are read every 100 ms (10 a second, nvidia-smi's rate), and only while a workload's
 * timed part or the idle baseline is measured: each timer wake-up costs the process far more than
 * the read itself (bench/energy.mjs on the loaded 2-core VM: 9 µs a read, an empty 50 ms interval
 * timer alone 3.2 ms of CPU a second).
 */
export const SYSFS_TICK_MS = 100;

export interface LineStream {
  stop(): void;
  readonly pid?: number;
}
/** Runs a command and hands each line of its stdout to `onLine`; `onExit` when it ends. */
export type SpawnLines = (command: string, args: readonly string[], onLine: (line: string) => void, onExit: (code: number | null) => void) => LineStream | undefined;
/** Runs a command to completion: its stdout, or undefined when it is missing or fails. */
export type RunTool = (command: string, args: readonly string[]) => Promise<string | undefined>;

export interface MachineSamplerOptions {
  backend: string;
  powerMeter?: PowerMeterChoice;
  platform?: NodeJS.Platform;
  isRoot?: boolean;
  /** Where /proc, the cpu, powercap and hwmon sysfs trees are (tests point them at fake trees). */
  roots?: { proc?: string; cpu?: string; powercap?: string; hwmon?: string };
  runTool?: RunTool;
  spawnLines?: SpawnLines;
  clock?: Clock;
  /** Epoch ms now: nvidia-smi stamps its readings in wall-clock time. */
  wallClock?: () => number;
  tickMs?: number;
  selfPid?: number;
  /** Waits `ms` (the idle baseline); tests advance a scripted clock instead. */
  sleep?: (ms: number, signal?: AbortSignal) => Promise<void>;
}

const realSleep = (ms: number, signal?: AbortSignal) =>
  new Promise<void>((resolve) => {
    const timer = setTimeout(resolve, ms);
    signal?.addEventListener('abort', () => (clearTimeout(timer), resolve()), { once: true });
  });

interface GpuPoint {
  t: number;
  mhz?: number;
  events?: string[];
}

interface Streamed {
  track(index: number): EnergyTrack;
  lastT(): number | undefined;
  intervalMs: number;
  /** The child process ended: nothing more will come, so nobody waits for it. */
  exited?: boolean;
}

const execTool: RunTool = async (command, args) => {
  const { execa } = await import('execa');
  const r = await execa(command, [...args], { reject: false, timeout: 5000, stdin: 'ignore', windowsHide: true });
  return r.failed || r.exitCode !== 0 || typeof r.stdout !== 'string' ? undefined : r.stdout;
};

const spawnLinesDefault: SpawnLines = (command, args, onLine, onExit) => {
  let child;
  try {
    child = spawn(command, [...args], { stdio: ['ignore', 'pipe', 'ignore'], windowsHide: true });
  } catch {
    return undefined;
  }
  // Never outlives the CLI, even on a signal (util/child-processes.ts).
  superviseChild(child);
  child.on('error', () => onExit(null));
  child.on('exit', (code) => onExit(code));
  createInterface({ input: child.stdout }).on('line', onLine);
  child.unref();
  (child.stdout as unknown as { unref?: () => void }).unref?.();
  return {
    pid: child.pid,
    stop: () => {
      if (child.exitCode === null) child.kill('SIGTERM');
    },
  };
};

interface WorkloadStart {
  t: number;
  cpu?: CpuSnapshot;
  throttle?: number;
  governor: string | null;
}

export class MachineSampler implements WorkloadObserver {
  readonly tracks: EnergyTrack[] = [];
  /** Why a meter the machine might have is not read (shown in energy.reason when none is). */
  readonly problems: string[] = [];
  private readonly idle = new Map<EnergyTrack, number | null>();
  private idleMs: number | null = null;
  private idleReason = 'it is measured before the first workload';
  private readonly clock: Clock;
  private readonly wall: () => number;
  private readonly platform: NodeJS.Platform;
  private readonly streams: LineStream[] = [];
  private readonly streamed: Streamed[] = [];
  private readonly tickers: Array<(t: number) => void> = [];
  private readonly gpuPoints: GpuPoint[] = [];
  private timer: NodeJS.Timeout | undefined;
  private waiters: Array<() => void> = [];
  private started: WorkloadStart | undefined;
  private closed = false;

  constructor(private readonly options: MachineSamplerOptions) {
    this.clock = options.clock ?? defaultNow;
    this.wall = options.wallClock ?? Date.now;
    this.platform = options.platform ?? process.platform;
  }

  /** Finds the meters and starts reading them. */
  async start(): Promise<void> {
    const choice = this.options.powerMeter ?? 'auto';
    if (choice === 'none') {
      this.problems.push('energy not measured (--power-meter none)');
      return;
    }
    if (this.platform === 'darwin') {
      if (choice !== 'powermetrics') this.problems.push('macOS: powermetrics needs root; run as root with --power-meter powermetrics to measure energy');
      else if (!(this.options.isRoot ?? process.getuid?.() === 0)) this.problems.push('powermetrics needs root: run llm-speed as root (sudo) with --power-meter powermetrics');
      else this.startPowermetrics();
      return;
    }
    if (choice === 'powermetrics') {
      this.problems.push('powermetrics exists on macOS only');
      return;
    }
    await this.startNvidia();
    if (this.platform === 'linux') {
      this.startAmdGpu();
      this.startRapl();
    }
    if (this.tickers.length > 0) this.tick();
    // The first line of a child-process meter takes a moment (nvidia-smi starts in ~0.1–0.5 s).
    if (this.streamed.length > 0) await this.waitFor(() => this.streamed.every((s) => s.exited || s.lastT() !== undefined), 3000);
  }

  /** Why energy is not measured, for results when no meter is read. */
  noMeterReason(): string {
    const base = this.problems.length > 0 ? this.problems.join('; ') : 'no power meter found (no nvidia-smi, amdgpu hwmon or RAPL counters)';
    return base.slice(0, 300);
  }

  /** sysfs readings every tick from now until stopTicking(), the first one now. */
  private startTicking(): void {
    if (this.tickers.length === 0 || this.timer) return;
    this.tick();
    this.timer = setInterval(() => this.tick(), this.options.tickMs ?? SYSFS_TICK_MS);
    this.timer.unref();
  }

  private stopTicking(): void {
    if (this.timer) clearInterval(this.timer);
    this.timer = undefined;
  }

  private tick(): void {
    const t = this.clock();
    for (const read of this.tickers) read(t);
    this.wake();
  }

  private wake(): void {
    const waiters = this.waiters;
    this.waiters = [];
    for (const w of waiters) w();
  }

  /** Resolves when `done()` holds or after `timeoutMs` of real time, re-checking after every reading. */
  private async waitFor(done: () => boolean, timeoutMs: number): Promise<boolean> {
    const deadline = performance.now() + timeoutMs;
    while (!done()) {
      const left = deadline - performance.now();
      if (left <= 0 || this.closed) return false;
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, Math.min(left, 50));
        timer.unref();
        this.waiters.push(() => (clearTimeout(timer), resolve()));
      });
    }
    return true;
  }

  private startRapl(): void {
    const found = findRaplZones(this.options.roots?.powercap ?? POWERCAP_ROOT);
    if (found.problem) this.problems.push(found.problem);
    for (const zone of found.zones) {
      const counter = new RaplCounter(zone);
      const track = new EnergyTrack('rapl', zone.domain, zone.zone, this.options.tickMs ?? SYSFS_TICK_MS);
      this.tracks.push(track);
      this.tickers.push((t) => {
        const joules = counter.read();
        if (joules !== undefined) track.addEnergy(t, joules);
      });
    }
  }

  private startAmdGpu(): void {
    for (const sensor of findAmdGpuSensors(this.options.roots?.hwmon ?? HWMON_ROOT)) this.addAmdGpu(sensor);
  }

  private addAmdGpu(sensor: AmdGpuSensor): void {
    const track = new EnergyTrack(sensor.kind === 'energy' ? 'amdgpu-energy' : 'amdgpu-power', 'gpu', sensor.hwmon, this.options.tickMs ?? SYSFS_TICK_MS);
    this.tracks.push(track);
    this.tickers.push((t) => {
      const r = readAmdGpu(sensor);
      if (!r) return;
      if (sensor.kind === 'energy') track.addEnergy(t, r.value);
      else track.addPower(t, r.value);
      if (r.clockMhz !== undefined) this.gpuPoints.push({ t, mhz: r.clockMhz });
    });
  }

  private async startNvidia(): Promise<void> {
    const help = await (this.options.runTool ?? execTool)('nvidia-smi', HELP_QUERY_ARGS);
    if (help === undefined) return;
    const query = nvidiaQuery(parseHelpQueryGpu(help));
    if (!query) {
      this.problems.push('this nvidia-smi offers no power or energy field');
      return;
    }
    this.followNvidia(query);
  }

  private followNvidia(query: NvidiaQuery): void {
    const byIndex = new Map<number, EnergyTrack>();
    const kindOf = new Map<number, 'energy' | 'power'>();
    let units: string[] | undefined;
    let last: number | undefined;
    const source: Streamed = {
      intervalMs: NVIDIA_INTERVAL_MS,
      lastT: () => last,
      track: (index) => byIndex.get(index)!,
    };
    const onLine = (line: string) => {
      if (!units) {
        units = parseHeader(line);
        return;
      }
      const reading = parseReading(line, query, units);
      if (!reading) return;
      const arrival = this.clock();
      // The reading's own time: its wall-clock stamp moved onto the harness clock, unless the two disagree.
      let t = arrival;
      if (reading.epochMs !== undefined) {
        const stamped = reading.epochMs - (this.wall() - arrival);
        if (stamped <= arrival + 5 && stamped > arrival - 2000) t = stamped;
      }
      // The first reading of a GPU decides its meter: the energy counter when it answers, else power.
      if (!kindOf.has(reading.index)) {
        const kind = reading.joules !== undefined ? 'energy' : reading.watts !== undefined ? 'power' : undefined;
        if (!kind) return;
        kindOf.set(reading.index, kind);
        const track = new EnergyTrack(kind === 'energy' ? 'nvidia-smi-energy' : 'nvidia-smi-power', 'gpu', `GPU ${reading.index}`, NVIDIA_INTERVAL_MS);
        byIndex.set(reading.index, track);
        this.tracks.push(track);
      }
      const track = byIndex.get(reading.index)!;
      if (kindOf.get(reading.index) === 'energy' && reading.joules !== undefined) track.addEnergy(t, reading.joules);
      else if (reading.watts !== undefined) track.addPower(t, reading.watts);
      if (reading.smClockMhz !== undefined || reading.events) this.gpuPoints.push({ t, mhz: reading.smClockMhz, events: reading.events });
      // Every GPU's line of one query shares a time; the stream counts as read to there once all have it.
      last = Math.min(...[...byIndex.values()].map((tr) => tr.lastT ?? -Infinity));
      this.wake();
    };
    const stream = (this.options.spawnLines ?? spawnLinesDefault)('nvidia-smi', nvidiaArgs(query), onLine, (code) => {
      source.exited = true;
      if (!this.closed && byIndex.size === 0) this.problems.push(`nvidia-smi ended (exit ${code ?? 'unknown'}) before its first reading`);
      this.wake();
    });
    if (!stream) return;
    this.streams.push(stream);
    this.streamed.push(source);
  }

  private startPowermetrics(): void {
    const parser = new PowermetricsParser();
    let track: EnergyTrack | undefined;
    let last: number | undefined;
    const onLine = (line: string) => {
      const block = parser.line(line);
      if (!block) return;
      const t = this.clock();
      track ??= (() => {
        const created = new EnergyTrack('powermetrics', block.domain, 'SoC', POWERMETRICS_INTERVAL_MS);
        this.tracks.push(created);
        return created;
      })();
      track.addAverage(t, block.watts, block.elapsedMs);
      last = t;
      this.wake();
    };
    const source: Streamed = { intervalMs: POWERMETRICS_INTERVAL_MS, lastT: () => last, track: () => track! };
    const stream = (this.options.spawnLines ?? spawnLinesDefault)('powermetrics', POWERMETRICS_ARGS, onLine, () => {
      source.exited = true;
      this.wake();
    });
    if (!stream) {
      this.problems.push('powermetrics could not be started');
      return;
    }
    this.streams.push(stream);
    this.streamed.push(source);
  }

  /** Makes sure every meter has a reading at or after t (sysfs: read now; child processes: wait for their next line). */
  private async flush(t: number): Promise<void> {
    if (this.tickers.length > 0) this.tick();
    if (this.streamed.length === 0) return;
    const slowest = Math.max(...this.streamed.map((s) => s.intervalMs));
    await this.waitFor(() => this.streamed.every((s) => s.exited || (s.lastT() ?? -Infinity) >= t), Math.max(1000, 5 * slowest));
  }

  /**
   * The idle baseline: mean power over `ms` with the model loaded and nothing generating. A meter
   * with fewer than MIN_PHASE_SAMPLES readings in that time has none (its net figures are null).
   */
  async measureIdle(ms = IDLE_BASELINE_MS, signal?: AbortSignal): Promise<void> {
    if (this.tracks.length === 0) return;
    this.startTicking();
    await this.flush(this.clock());
    const from = this.clock();
    await (this.options.sleep ?? realSleep)(ms, signal);
    const to = this.clock();
    await this.flush(to);
    this.stopTicking();
    this.idleMs = to - from;
    const few: string[] = [];
    for (const track of this.tracks) {
      const joules = track.joulesIn({ from, to });
      const samples = track.samplesIn({ from, to });
      if (joules === undefined || samples < MIN_PHASE_SAMPLES) {
        this.idle.set(track, null);
        few.push(`${track.meter} read ${samples} times in ${Math.round(to - from)} ms`);
      } else this.idle.set(track, joules / ((to - from) / 1000));
    }
    this.idleReason = few.length ? `too few idle readings (${few.join(', ')})` : '';
  }

  async timedStart(): Promise<void> {
    const t = this.clock();
    this.startTicking();
    this.started = {
      t,
      cpu: this.platform === 'linux' ? this.cpuSnapshot() : undefined,
      throttle: this.platform === 'linux' ? await linuxThrottleEvents(this.options.roots?.cpu ?? CPU_ROOT) : undefined,
      governor: this.platform === 'linux' ? readGovernors(this.options.roots?.cpu ?? CPU_ROOT) : null,
    };
  }

  private cpuSnapshot(): CpuSnapshot | undefined {
    const root = this.options.roots?.proc ?? PROC_ROOT;
    // The backend's own processes outside llm-speed's tree (an attached server, a daemon) are found once.
    this.backendPids ??= backendPids({ root, backend: this.options.backend });
    return cpuSnapshot({ root, selfPid: this.options.selfPid ?? process.pid, backend: this.options.backend, backendPids: this.backendPids });
  }
  private backendPids: number[] | undefined;

  async timedEnd(_workload: RunnableWorkload, result: WorkloadResult, records: readonly GenerationRecord[]): Promise<void> {
    const start = this.started;
    this.started = undefined;
    if (!start) return;
    const t = this.clock();
    // The machine's side first, at the end of the timed part; then wait for the meters' next readings.
    const end = this.platform === 'linux' ? this.cpuSnapshot() : undefined;
    const throttleEnd = start.throttle !== undefined ? await linuxThrottleEvents(this.options.roots?.cpu ?? CPU_ROOT) : undefined;
    await this.flush(t);
    this.stopTicking();
    const window: Interval = { from: start.t, to: t };
    result.machine = this.observations(start, end, window, throttleEnd);
    result.energy =
      this.tracks.length === 0
        ? noEnergy(this.noMeterReason())
        : energyOf({ tracks: this.tracks, idle: this.idle, idleMs: this.idleMs, idleReason: this.idleReason, total: window, windows: phaseWindows(records) });
    const flags: string[] = [];
    if ((result.machine.other_cpu_share ?? 0) > BUSY_MACHINE_SHARE) flags.push('busy-machine');
    const throttleEvents = new Set<string>(THROTTLE_EVENTS);
    if ((result.machine.gpu_clock_events ?? []).some((e) => throttleEvents.has(e)) || (result.machine.cpu_throttle_events ?? 0) > 0) flags.push('throttled');
    for (const f of flags) if (!result.flags.includes(f)) result.flags.push(f);
    // Readings before this workload's end are no longer needed (the next one starts later).
    for (const track of this.tracks) track.prune(t);
    const kept = this.gpuPoints.findIndex((p) => p.t >= t);
    this.gpuPoints.splice(0, kept < 0 ? this.gpuPoints.length : kept);
  }

  private observations(start: WorkloadStart, end: CpuSnapshot | undefined, window: Interval, throttleEnd: number | undefined): MachineObservations {
    const linux = this.platform === 'linux';
    const points = this.gpuPoints.filter((p) => p.t >= window.from && p.t <= window.to);
    const clocks = points.map((p) => p.mhz).filter((m): m is number => m !== undefined);
    const events = [...new Set(points.flatMap((p) => p.events ?? []))].sort() as GpuClockEvent[];
    const load = linux ? readLoadavg(this.options.roots?.proc ?? PROC_ROOT) : this.platform === 'win32' ? null : (loadavg()[0] ?? null);
    const share = start.cpu && end ? otherShare(start.cpu, end) : null;
    return {
      cpus: linux ? countCpus(this.options.roots?.proc ?? PROC_ROOT) : null,
      other_cpu_share: share === null ? null : Number(share.toFixed(4)),
      load_1m: load === null ? null : Number(load.toFixed(2)),
      cpu_governor: start.governor,
      cpu_throttle_events: start.throttle !== undefined && throttleEnd !== undefined ? Math.max(0, throttleEnd - start.throttle) : null,
      gpu_sm_clock_mhz_min: clocks.length ? Math.min(...clocks) : null,
      gpu_sm_clock_mhz_max: clocks.length ? Math.max(...clocks) : null,
      ...(points.some((p) => p.events) ? { gpu_clock_events: events } : {}),
      reason: linux ? (share === null ? 'the CPU times of procfs could not be read' : null) : `other processes' CPU is measured on Linux only (${this.platform})`,
    };
  }

  /** Stops every meter. */
  async close(): Promise<void> {
    this.closed = true;
    this.stopTicking();
    for (const s of this.streams) s.stop();
    this.wake();
  }

  /**
   * The meters' child processes (nvidia-smi, powermetrics), whose CPU bench/energy.mjs counts. The
   * in-process cost is measured there too, by A/B: getrusage cannot time a 20 µs tick.
   */
  overhead(): { childPids: number[] } {
    return { childPids: this.streams.map((s) => s.pid).filter((p): p is number => p !== undefined) };
  }
}
