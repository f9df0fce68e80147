/**
 * "Interrupted means not submitted" (METHODOLOGY, Comparable groups): a run stopped with Ctrl-C
 * is kept on the machine that made it and never uploaded, by the CLI (`bench`, `bench --resume`)
 * or accepted by the server. One wording for all of them, so what Ctrl-C prints and what
 * `--resume` and the server answer agree.
 */
import type { WorkloadResult } from '../contract/generated/workload-result.js';

export const INTERRUPTED_FLAG = 'interrupted';

/** Why: an invocation's workloads are submitted together, all of them or none. */
export const INTERRUPTED_RULE = 'an interrupted run is never submitted: all of an invocation or none (METHODOLOGY §6.1)';

export const RUN_AGAIN = 'run the benchmark again to submit a complete one';

/**
 * CLIs before the `interrupted` flag said so only in `error`: "interrupted" (stopped mid-workload),
 * "interrupted before this workload started", or the abort reason "interrupted by the user"
 * inside a batch's or a turn's error.
 */
const LEGACY_ERROR = /^interrupted\b|interrupted by the user/;

/** An error text that only says the run was interrupted. */
export function isInterruptionText(error: string | null | undefined): boolean {
  return typeof error === 'string' && LEGACY_ERROR.test(error);
}

export function isInterrupted(result: Pick<WorkloadResult, 'flags' | 'error'>): boolean {
  return (result.flags ?? []).includes(INTERRUPTED_FLAG) || isInterruptionText(result.error);
}

/** The workloads of a run that carry the interruption, in run order. */
export function interruptedWorkloads(run: { results: ReadonlyArray<Pick<WorkloadResult, 'workload' | 'flags' | 'error'>> }): string[] {
  return run.results.filter(isInterrupted).map((r) => r.workload);
}

/** What `bench` prints after Ctrl-C (next to the `saved:` line): not uploaded, and why. */
export const INTERRUPTED_NOT_UPLOADED = `interrupted: the partial run is saved locally and not uploaded — ${INTERRUPTED_RULE}; ${RUN_AGAIN}`;
