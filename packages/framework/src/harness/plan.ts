/**
 * What the runner needs of a workload: the requests to send, already materialised from the
 * suite's fixture bytes. The suite module builds these; the runner never reads fixture files.
 */
import type { ChatMessage } from '../contract/driver.js';
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

/** Context a session must hold for this workload (prompt + output, with headroom for templates). */
export function contextNeeded(workload: RunnableWorkload, estimateTokens: (text: string) => number): number {
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
