/**
 * What the runner needs of a workload: the requests to send, already materialised from the
 * suite's fixture bytes. The suite module builds these; the runner never reads fixture files.
 */
import type { ChatMessage, OpenOptions } from '../contract/driver.js';
import type { WorkloadName } from '../contract/generated/workload-result.js';

interface PlanBase {
  id: string;
  name: WorkloadName;
  outputTokens: number;
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
