/**
 * Where prefill and decode happened, from the timed generations' records (METHODOLOGY §13.2):
 * prefill runs from a request leaving to its first token, decode from the first token to the last.
 * Requests whose spans overlap (W4's streams) are one batch: its prefill runs from the first
 * request to the last stream's first token — the batch's prompts are processed together, as
 * §1.4's prefill rate counts them — and its decode from there to the last token of any stream.
 * Sequential requests (repetitions, W3's tiers, W5's turns) each add their own windows.
 */
import type { Interval } from './track.js';
import { outputTokensOf, type GenerationRecord } from '../harness/measure.js';

export interface PhaseWindows {
  prefill: Interval[];
  decode: Interval[];
  /** Prompt tokens the backend processed (cached ones excluded); null when a request's count is unknown. */
  prefillTokens: number | null;
  /** Decode steps: output tokens minus the first of each request (which prefill produced). */
  decodeTokens: number;
  outputTokens: number;
}

function firstArrival(r: GenerationRecord): number | undefined {
  return r.arrivals.find((a) => a.count > 0)?.t;
}

function lastArrival(r: GenerationRecord): number | undefined {
  for (let i = r.arrivals.length - 1; i >= 0; i--) if (r.arrivals[i]!.count > 0) return r.arrivals[i]!.t;
  return undefined;
}

/** Records grouped into batches of overlapping spans, in time order. */
export function batchesOf(records: readonly GenerationRecord[]): GenerationRecord[][] {
  const sorted = [...records].sort((a, b) => a.sentAt - b.sentAt);
  const batches: GenerationRecord[][] = [];
  let end = -Infinity;
  for (const r of sorted) {
    if (batches.length > 0 && r.sentAt < end) batches[batches.length - 1]!.push(r);
    else batches.push([r]);
    end = Math.max(end, r.endedAt);
  }
  return batches;
}

export function phaseWindows(records: readonly GenerationRecord[]): PhaseWindows {
  const prefill: Interval[] = [];
  const decode: Interval[] = [];
  let prefillTokens: number | null = 0;
  let decodeTokens = 0;
  let outputTokens = 0;
  for (const batch of batchesOf(records)) {
    const start = Math.min(...batch.map((r) => r.sentAt));
    const firsts = batch.map(firstArrival).filter((t): t is number => t !== undefined);
    const lasts = batch.map(lastArrival).filter((t): t is number => t !== undefined);
    if (firsts.length > 0) {
      const lastFirst = Math.max(...firsts);
      prefill.push({ from: start, to: lastFirst });
      const end = Math.max(...lasts);
      if (end > lastFirst) decode.push({ from: lastFirst, to: end });
    }
    for (const r of batch) {
      const out = outputTokensOf(r);
      outputTokens += out;
      if (firstArrival(r) !== undefined) decodeTokens += Math.max(0, out - 1);
      if (r.promptTokens === undefined) prefillTokens = null;
      else if (prefillTokens !== null) prefillTokens += Math.max(0, r.promptTokens - (r.cachedPromptTokens ?? 0));
    }
  }
  return { prefill, decode, prefillTokens, decodeTokens, outputTokens };
}
