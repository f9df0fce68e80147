/**
 * What measuring cost: the llm-speed process's own CPU time over each workload's timed part,
 * per token and as a share of one core, recorded in the result's extras; and the `client-load`
 * flag when that share is large enough, on a machine small enough, to have taken a measurable part
 * of the machine from a backend computing on the same cores (METHODOLOGY §3.5).
 *
 * Process CPU counts every thread of this process (the event loop, V8's compiler and collector
 * helpers) and the kernel's work on its behalf (socket reads, wakeups): all of it is CPU the
 * backend did not get. A backend in its own process (llama-server, Ollama, a runner) is not in it;
 * the embedded engine runs inside this process, so its results get no figure.
 */
import { availableParallelism } from 'node:os';
import { outputTokensOf } from './measure.js';
import { round } from './metrics.js';
import type { WorkloadObserver } from './runner.js';
import { now as defaultNow, type Clock } from './clock.js';

/** A share of one core above which the client's CPU is flagged, on machines of up to CLIENT_LOAD_MAX_CORES cores. */
export const CLIENT_LOAD_SHARE = 0.05;
/** Above this many cores, 5 % of one core is under 1.25 % of the machine: below what repeated runs resolve. */
export const CLIENT_LOAD_MAX_CORES = 4;
export const CLIENT_LOAD_FLAG = 'client-load';

export interface ClientCpuOptions {
  /** Cores of this machine (default os.availableParallelism()). */
  cores?: number;
  /** Process CPU time so far, in µs (default process.cpuUsage(): user + system). */
  cpuMicros?: () => number;
  clock?: Clock;
}

const processCpuMicros = (): number => {
  const { user, system } = process.cpuUsage();
  return user + system;
};

/** The figures for one workload: CPU µs per generated token, and CPU time over wall time (1 = one core). */
export function clientCpuFigures(cpuMicros: number, wallMs: number, tokens: number): { usPerToken: number | null; coreShare: number | null } {
  return {
    usPerToken: tokens > 0 ? cpuMicros / tokens : null,
    coreShare: wallMs > 0 ? cpuMicros / 1000 / wallMs : null,
  };
}

/** Whether a workload's client share is flagged (see CLIENT_LOAD_SHARE). */
export function isClientLoad(coreShare: number | null, cores: number): boolean {
  return coreShare !== null && cores <= CLIENT_LOAD_MAX_CORES && coreShare > CLIENT_LOAD_SHARE;
}

/**
 * The observer that records `client_cpu_us_per_token` and `client_cpu_core_share` in each result's
 * extras (over the workload's timed part: every timed generation, never the warm-up or a restart)
 * and flags `client-load`.
 */
export function clientCpuObserver(options: ClientCpuOptions = {}): WorkloadObserver {
  const cpu = options.cpuMicros ?? processCpuMicros;
  const clock = options.clock ?? defaultNow;
  const cores = options.cores ?? availableParallelism();
  let startCpu = 0;
  let startWall = 0;
  return {
    timedStart() {
      startWall = clock();
      startCpu = cpu();
    },
    timedEnd(_workload, result, records) {
      const spent = cpu() - startCpu;
      const wall = clock() - startWall;
      // The embedded engine computes inside this process: its CPU is the backend's, not the client's.
      if (result.flags.includes('embedded-engine')) return;
      const tokens = records.reduce((sum, r) => sum + outputTokensOf(r), 0);
      const { usPerToken, coreShare } = clientCpuFigures(spent, wall, tokens);
      if (usPerToken !== null) result.extras.client_cpu_us_per_token = round(usPerToken, 1);
      if (coreShare !== null) result.extras.client_cpu_core_share = round(coreShare, 4);
      if (isClientLoad(coreShare, cores) && !result.flags.includes(CLIENT_LOAD_FLAG)) result.flags.push(CLIENT_LOAD_FLAG);
    },
  };
}
