/**
 * Live progress for a bench run. On a TTY one status line is redrawn at most every 100 ms
 * (what runs, tokens so far, current tok/s); elsewhere (CI, pipes) plain lines, one per step.
 * Throttled so that printing never competes with the stream being timed.
 */
import type { MeasuredResult as WorkloadResult } from '../contract/generated/run.js';
import type { ProgressListener } from '../harness/runner.js';
import type { RunnableWorkload } from '../harness/plan.js';

export interface ProgressReporter extends ProgressListener {
  note(line: string): void;
  done(): void;
}

export function createProgress(stream: NodeJS.WriteStream = process.stderr, isTty = Boolean(stream.isTTY)): ProgressReporter {
  let label = '';
  let lastDraw = 0;
  let drawn = false;
  const clear = () => {
    if (drawn) stream.write('\r\x1b[2K');
    drawn = false;
  };
  const line = (text: string) => {
    clear();
    stream.write(text + '\n');
  };
  return {
    note: (text) => line(text),
    workloadStarted(workload: RunnableWorkload, step?: string) {
      label = `${workload.id} ${workload.name}${step ? ` · ${step}` : ''}`;
      if (isTty) {
        clear();
        stream.write(`▶ ${label}`);
        drawn = true;
      } else line(`running ${label}`);
    },
    tokens(_workload, tokensSoFar, tokPerSec) {
      if (!isTty) return;
      const t = performance.now();
      if (t - lastDraw < 100) return;
      lastDraw = t;
      clear();
      stream.write(`▶ ${label} · ${tokensSoFar} tokens${tokPerSec ? ` · ${tokPerSec.toFixed(1)} tok/s` : ''}`);
      drawn = true;
    },
    workloadFinished(workload: RunnableWorkload, result: WorkloadResult) {
      const figures = result.error
        ? `error: ${result.error}`
        : `decode ${fmt(result.decode_tps)} tok/s · TTFT ${fmt(result.ttft_ms)} ms · prefill ${fmt(result.prefill_tps)} tok/s`;
      line(`${result.error ? '✗' : '✓'} ${workload.id} ${workload.name}: ${figures}`);
    },
    done: clear,
  };
}

function fmt(value: number | null): string {
  if (value === null) return '–';
  return value >= 100 ? value.toFixed(0) : value.toFixed(1);
}
