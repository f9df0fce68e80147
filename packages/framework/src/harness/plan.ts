/**
 * What the runner needs of a workload: the requests to send, already materialised from the
 * suite's fixture bytes. The suite module builds these; the runner never reads fixture files.
 */
import type { ChatMessage, OpenOptions } from '../contract/driver.js';
import type { WorkloadName } from '../contract/generated/workload-result.js';
import { UsageError } from '../errors.js';
import { relativeHalfWidth, type MetricSpread } from './statistics.js';

interface PlanBase {
  id: string;
  name: WorkloadName;
  outputTokens: number;
  /** How often the timed part is repeated (METHODOLOGY §6.3); absent: once. */
  repetitions?: RepetitionPolicy;
}

export type RunnableWorkload =
  | (PlanBase & { kind: 'single'; prompt: string })
  /** `promptForStream(stream, batch)`: each stream of each batch gets its own prompt bytes. */
  | (PlanBase & { kind: 'concurrent'; batchSizes: number[]; promptForStream: (stream: number, batch?: number) => string })
  | (PlanBase & { kind: 'context-tiers'; tiers: Array<{ contextTokens: number; prompt: () => string }> })
  | (PlanBase & { kind: 'agent-trace'; turns: ChatMessage[][] });

/**
 * Sizing only, before any backend tokenizer is at hand: 2.5 characters a token. English prose runs
 * ~4 characters a token, but W5's code and test output ran 2.8 on the 32k-vocab tiny model, and a
 * context sized too small fails the last, longest turn (measured: 16,611 tokens against 16,128).
 */
const estimateTokens = (text: string) => Math.ceil(text.length / 2.5);

/** Context a session must hold for this workload (prompt + output, with headroom for templates). */
export function contextNeeded(workload: RunnableWorkload): number {
  const headroom = 64;
  switch (workload.kind) {
    case 'single':
      return estimateTokens(workload.prompt) + workload.outputTokens + headroom;
    case 'concurrent':
      return estimateTokens(workload.promptForStream(0)) + workload.outputTokens + headroom;
    case 'context-tiers':
      return Math.max(...workload.tiers.map((t) => t.contextTokens));
    case 'agent-trace': {
      const last = workload.turns[workload.turns.length - 1] ?? [];
      return estimateTokens(last.map((m) => m.content).join('\n')) + workload.outputTokens + headroom * 4;
    }
  }
}

export function parallelNeeded(workload: RunnableWorkload): number {
  return workload.kind === 'concurrent' ? Math.max(...workload.batchSizes) : 1;
}

/** What one session must hold to run all these workloads: open() gets it for all, prepare() for one. */
export function sessionNeeds(workloads: RunnableWorkload[]): OpenOptions {
  return {
    contextTokens: Math.max(...workloads.map((w) => contextNeeded(w))),
    parallel: Math.max(...workloads.map(parallelNeeded)),
    perWorkload: workloads.map((w) => ({ contextTokens: contextNeeded(w), parallel: parallelNeeded(w) })),
  };
}

/**
 * How many times a workload's timed part runs (METHODOLOGY §6.3). Every repetition is reported;
 * the policy only says when to stop starting new ones.
 */
export interface RepetitionPolicy {
  /** The precision rule may stop no earlier than this many repetitions (the budget may). */
  min: number;
  /** Never more than this many. */
  max: number;
  /** Adaptive: stop once decode tok/s's 95 % interval is within ±target of its median (0.02 = ±2 %). */
  target?: number;
  /**
   * Time budget of the timed part: no repetition after the first starts when the time so far plus
   * one more repetition (their mean so far) would pass it. The first always runs.
   */
  budgetMs?: number;
}

/** The most repetitions `--reps` takes: a run carries every repetition's figures. */
export const MAX_REPS = 100;

/**
 * The default repetitions of suite-v1's workloads, sized so that the default suite (W1, W2, W4,
 * W5) stays under 30 s on an H200 with the 1b synthetic model and under 3 minutes on a 2-core CPU
 * with the tiny one. On the H200 the single-shot suite's workloads took 6.3 s: W1 ~0.3 s (256
 * tokens at ~900 tok/s), W2 ~1.3 s, W4's four batches ~3.1 s, W5's trace ~1.9 s; three of each
 * are ~20 s of timed work, 24 s at the caps below, which leaves the rest of 30 s to starting the
 * server and loading the model. On the CPU the budgets stop the slow workloads early (README
 * "Benchmarks" has the measured times). W1 and W2 are adaptive: at least 3 repetitions, then
 * until decode tok/s is within ±2 % at 95 %. W3's long contexts run once unless `--reps` asks.
 */
export const DEFAULT_REPETITIONS: Readonly<Record<string, RepetitionPolicy>> = {
  W1: { min: 3, max: 8, target: 0.02, budgetMs: 15_000 },
  W2: { min: 3, max: 4, target: 0.02, budgetMs: 30_000 },
  W3: { min: 1, max: 1 },
  W4: { min: 3, max: 3, budgetMs: 45_000 },
  W5: { min: 3, max: 3, budgetMs: 45_000 },
};

export interface RepetitionOptions {
  /** `--reps N`: exactly N repetitions of every workload, no budget, no early stop. */
  reps?: number;
  /** `--quick`: one repetition (unless `reps` says otherwise). */
  quick?: boolean;
}

export function repetitionPolicy(workload: Pick<RunnableWorkload, 'id'>, options: RepetitionOptions = {}): RepetitionPolicy {
  if (options.reps !== undefined) return { min: options.reps, max: options.reps };
  if (options.quick) return { min: 1, max: 1 };
  return DEFAULT_REPETITIONS[workload.id] ?? { min: 1, max: 1 };
}

/** The workloads with their repetition policies set. */
export function withRepetitions(workloads: readonly RunnableWorkload[], options: RepetitionOptions = {}): RunnableWorkload[] {
  // A policy the caller already set stands unless --reps or --quick says otherwise.
  return workloads.map((w) => ({ ...w, repetitions: options.reps === undefined && !options.quick && w.repetitions ? w.repetitions : repetitionPolicy(w, options) }));
}

/**
 * Whether another repetition starts, after `done` of them took `elapsedMs` of timed time and
 * decode tok/s has the spread `decode` so far. In order: the cap, the time budget (it wins over
 * `min`, so a slow machine stays within it), the minimum, then the precision target.
 */
export function shouldRepeat(policy: RepetitionPolicy, done: number, elapsedMs: number, decode?: MetricSpread | null): boolean {
  if (done >= policy.max) return false;
  if (policy.budgetMs !== undefined && done > 0 && elapsedMs + elapsedMs / done > policy.budgetMs) return false;
  if (done < policy.min) return true;
  if (policy.target === undefined) return true;
  const rel = relativeHalfWidth(decode);
  return rel === null || rel > policy.target;
}

/**
 * `--reps` / `LLM_SPEED_REPS` / `reps:` as given: a whole number from 1 to MAX_REPS, else a usage
 * error naming where it came from.
 */
export function parseReps(raw: string | number, source = '--reps'): number {
  const text = String(raw).trim();
  const value = /^[0-9]+$/.test(text) ? Number(text) : NaN;
  if (!Number.isSafeInteger(value) || value < 1 || value > MAX_REPS) {
    throw new UsageError(`${source} must be a whole number of repetitions from 1 to ${MAX_REPS}; got "${text}"`, [
      'leave it out for the default (adaptive: W1 and W2 repeat until decode is within ±2 %, W4 and W5 three times within a time budget)',
      '--quick runs each workload once',
    ]);
  }
  return value;
}
