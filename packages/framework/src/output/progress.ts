/**
 * Live progress for a bench run: on a TTY one status line redrawn in place; elsewhere (CI, pipes)
 * plain lines, one per step. Steps (a workload, a W4 batch, a W5 turn, a W3 tier starting or
 * ending) fall between timed requests. During a request nothing is drawn per token: on the machine
 * being measured, per-token redraws took CPU from the backend (METHODOLOGY §3.5). A long request
 * (W3's 32k prefill takes minutes on a CPU) still shows it is alive: a timer redraws the status
 * line once a second — elapsed time, the phase (prefill until the first token, then decode) and the
 * tokens so far — read from the counters the harness keeps for its own measurement. Off a terminal
 * the same line is printed every 30 s instead of redrawn.
 */
import type { MeasuredResult as WorkloadResult } from '../contract/generated/run.js';
import type { InFlightGeneration } from '../harness/measure.js';
import type { ProgressListener } from '../harness/runner.js';
import type { RunnableWorkload } from '../harness/plan.js';

export interface ProgressReporter extends ProgressListener {
  readonly inFlight: Set<InFlightGeneration>;
  note(line: string): void;
  done(): void;
}

export interface ProgressOptions {
  /** How often the status line is redrawn on a terminal (default 1 s). */
  redrawMs?: number;
  /** How often a line is printed off a terminal while a step runs (default 30 s). */
  heartbeatMs?: number;
  /** The clock the elapsed time is read from (default performance.now). */
  clock?: () => number;
}

/** "9 s", "1 m 04 s". */
export function formatElapsed(ms: number): string {
  const s = Math.floor(ms / 1000);
  return s < 60 ? `${s} s` : `${Math.floor(s / 60)} m ${String(s % 60).padStart(2, '0')} s`;
}

/** Prefill until a stream's first token, then decode; with tokens counted so far. */
export function liveState(inFlight: Iterable<InFlightGeneration>): string | undefined {
  let streams = 0;
  let waiting = 0;
  let tokens = 0;
  for (const g of inFlight) {
    streams++;
    if (g.arrivals.length === 0) waiting++;
    tokens += g.arrivedTokens;
  }
  if (streams === 0) return undefined;
  const phase = waiting === streams ? 'prefill' : waiting > 0 ? `decode (${streams - waiting} of ${streams} streams)` : 'decode';
  return `${phase}${tokens > 0 ? ` · ${tokens} token${tokens === 1 ? '' : 's'}` : ''}`;
}

export function createProgress(stream: NodeJS.WriteStream = process.stderr, isTty = Boolean(stream.isTTY), options: ProgressOptions = {}): ProgressReporter {
  const clock = options.clock ?? (() => performance.now());
  const inFlight = new Set<InFlightGeneration>();
  let label = '';
  let stepStarted = 0;
  let drawn = false;
  let timer: NodeJS.Timeout | undefined;
  const clear = () => {
    if (drawn) stream.write('\r\x1b[2K');
    drawn = false;
  };
  const line = (text: string) => {
    clear();
    stream.write(text + '\n');
  };
  const status = () => [label, formatElapsed(clock() - stepStarted), liveState(inFlight)].filter(Boolean).join(' · ');
  const tick = () => {
    if (isTty) {
      clear();
      stream.write(`▶ ${status()}`);
      drawn = true;
    } else line(`  … ${status()}`);
  };
  const stopTimer = () => {
    if (timer) clearInterval(timer);
    timer = undefined;
  };
  return {
    inFlight,
    note: (text) => line(text),
    workloadStarted(workload: RunnableWorkload, step?: string) {
      label = `${workload.id} ${workload.name}${step ? ` · ${step}` : ''}`;
      stepStarted = clock();
      if (isTty) {
        clear();
        stream.write(`▶ ${label}`);
        drawn = true;
      } else line(`running ${label}`);
      // One timer for the run, unref'd: it never keeps the CLI alive, and it does no work per token.
      if (!timer) {
        timer = setInterval(tick, isTty ? (options.redrawMs ?? 1_000) : (options.heartbeatMs ?? 30_000));
        timer.unref();
      }
    },
    workloadFinished(workload: RunnableWorkload, result: WorkloadResult) {
      stopTimer();
      const figures = result.error ? `error: ${result.error}` : `decode ${fmt(result.decode_tps)} tok/s · TTFT ${fmt(result.ttft_ms)} ms · prefill ${fmt(result.prefill_tps)} tok/s`;
      line(`${result.error ? '✗' : '✓'} ${workload.id} ${workload.name}: ${figures}`);
    },
    done() {
      stopTimer();
      clear();
    },
  };
}

function fmt(value: number | null): string {
  if (value === null) return '–';
  return value >= 100 ? value.toFixed(0) : value.toFixed(1);
}
