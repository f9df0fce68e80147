/**
 * Live progress for a bench run: on a TTY one status line redrawn in place at each step (workload,
 * W4 batch, W5 turn); elsewhere (CI, pipes) plain lines, one per step. Steps fall between timed
 * requests, so nothing is printed while a generation is being timed: on the machine being
 * measured, per-token redraws took CPU from the backend (METHODOLOGY §3.5).
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
