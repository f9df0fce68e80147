/**
 * What a run page says about a run beyond its own JSON: which figures head it, how it stands
 * among comparable runs of its model, where its hardware ranks, and which run to compare it with.
 * The population is defined once, here (and in words on the page, STANDING_RULE).
 */
import type { MeasuredResult, RunPayload } from '@llm-speed/framework';
import type { ClusterRow, Dispute, ResultsRepository, StoredResult } from '../repository.js';
import { workloadLabel } from './format.js';

/** The two figures in large type, and where they come from. */
export interface Headline {
  /** Index into run.results of the workload the figures are from; null when no workload has them. */
  index: number | null;
  workload: string | null;
  decodeTps: number | null;
  ttftMs: number | null;
  /** Set when the figures are not W1's (a run without W1, or with W1 failed), saying whose they are. */
  note: string | null;
}

/**
 * W1 chat-short's decode tok/s and TTFT when it has them; else the first workload with a decode
 * tok/s; else W3's shortest measured context tier; else nothing.
 */
export function pickHeadline(run: RunPayload): Headline {
  const results = run.results as MeasuredResult[];
  const w1 = results.findIndex((r) => r.workload === 'chat-short' && typeof r.decode_tps === 'number');
  if (w1 >= 0) return { index: w1, workload: 'chat-short', decodeTps: results[w1]!.decode_tps, ttftMs: results[w1]!.ttft_ms, note: null };
  const missing = results.some((r) => r.workload === 'chat-short') ? 'W1 chat-short has no decode figure in this run' : 'this run has no W1 chat-short';
  const other = results.findIndex((r) => typeof r.decode_tps === 'number');
  if (other >= 0) {
    const r = results[other]!;
    return { index: other, workload: r.workload, decodeTps: r.decode_tps, ttftMs: r.ttft_ms, note: `from ${workloadLabel(r.workload)}: ${missing}` };
  }
  for (const r of results) {
    const tier = r.tiers?.find((t) => typeof t.decode_tps === 'number');
    if (tier) {
      return { index: null, workload: r.workload, decodeTps: tier.decode_tps, ttftMs: tier.ttft_ms, note: `from ${workloadLabel(r.workload)} at ${tier.context_tokens} tokens of context: ${missing}` };
    }
  }
  return { index: null, workload: null, decodeTps: null, ttftMs: null, note: 'no workload of this run measured a decode rate' };
}

/** The page's sentence defining the population of the percentile and the hardware rank. */
export const STANDING_RULE =
  "Comparable runs of this model: the same suite version, workload, model digest, backend, engine and build, on any hardware (the board's group rule, hardware left open); comparable (not quick, interrupted, warm-cache, short, failed or serial W4), not flagged, not withdrawn; this run not counted. N % of them have a strictly lower decode tok/s (rounded down). Hardware classes rank by their group's median (METHODOLOGY §6.1).";

export type Standing =
  | { kind: 'ranked'; workload: string; others: number; slower: number; percent: number; rank: number | null; classes: number; flagged: boolean }
  | { kind: 'not-comparable'; workload: string; reasons: string[] }
  | { kind: 'none' };

/** Percent of `others` that are slower, rounded down (never 100 unless every one is slower). */
export function percentFaster(slower: number, others: number): number {
  return others === 0 ? 0 : Math.floor((100 * slower) / others);
}

export interface CompareTarget {
  id: string;
  /** Why this run: "the median run of its group" or "the fastest hardware class's best run". */
  why: string;
}

export interface RunView {
  stored: StoredResult;
  run: RunPayload;
  disputes: Dispute[];
  contributor?: string;
  headline: Headline;
  standing: Standing;
  compareWith: CompareTarget | null;
  /** The groups of the headline's setup (one per hardware class), best median first. */
  setupGroups: ClusterRow[];
}

/** Three indexed queries beyond the result itself: the setup's groups, the standing count, the median run. */
export async function loadRunView(repo: ResultsRepository, stored: StoredResult, extra: { disputes: Dispute[]; contributor?: string }): Promise<RunView> {
  const run = JSON.parse(stored.json) as RunPayload;
  const headline = pickHeadline(run);
  const base = { stored, run, ...extra, headline, standing: { kind: 'none' } as Standing, compareWith: null, setupGroups: [] as ClusterRow[] };
  if (headline.index === null || headline.decodeTps === null) return base;
  const group = stored.clusters.get(headline.index);
  if (!group) return base;
  // A run that is not comparable, or whose group holds too little evidence, is not ranked (ranking.ts).
  const reasons = stored.notComparable.get(headline.index) ?? (group.notRanked ? [group.notRanked] : undefined);
  const [setupGroups, counts] = await Promise.all([repo.setupGroups(group.setupKey), reasons ? Promise.resolve(undefined) : repo.setupStanding(group.setupKey, headline.decodeTps, stored.id)]);
  const standing: Standing = reasons
    ? { kind: 'not-comparable', workload: headline.workload!, reasons }
    : {
        kind: 'ranked',
        workload: headline.workload!,
        others: counts!.others,
        slower: counts!.slower,
        percent: percentFaster(counts!.slower, counts!.others),
        rank: setupGroups.findIndex((g) => g.clusterKey === group.clusterKey) + 1 || null,
        classes: setupGroups.length,
        flagged: stored.flagged.has(headline.index),
      };
  let compareWith: CompareTarget | null = null;
  if (group.median !== null) {
    const median = await repo.medianRun(group, group.median, stored.id);
    if (median) compareWith = { id: median, why: 'the median run of its group (same hardware, model, backend and build)' };
  }
  const fastest = setupGroups.find((g) => g.clusterKey !== group.clusterKey && g.bestResultId && g.bestResultId !== stored.id);
  if (!compareWith && fastest) compareWith = { id: fastest.bestResultId!, why: `the best run on the fastest other hardware for this model (${fastest.acceleratorSummary})` };
  return { ...base, standing, compareWith, setupGroups };
}
