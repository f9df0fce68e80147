/**
 * What a run page says about a run beyond its own JSON: which figures head it, how it stands
 * among comparable runs of its model, where its hardware ranks, and which run to compare it with.
 * The population is defined once, here (and in words on /ranking).
 */
import { comparability, rankGroups, spreadOf, standingOf, type ComparabilityCode, type MeasuredResult, type RunPayload, type Standing as PeerStanding } from '@llm-speed/framework';
import type { RankingRule } from '../ranking.js';
import type { ClusterRow, Dispute, ResultsRepository, SpreadPoint, StoredResult } from '../repository.js';
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
  /** What carries the figures and their spread: the workload result, or W3's tier. */
  holder: object | null;
}

/**
 * W1 chat-short's decode tok/s and TTFT when it has them; else the first workload with a decode
 * tok/s; else W3's shortest measured context tier; else nothing.
 */
export function pickHeadline(run: RunPayload): Headline {
  const results = run.results as MeasuredResult[];
  const w1 = results.findIndex((r) => r.workload === 'chat-short' && typeof r.decode_tps === 'number');
  if (w1 >= 0) return { index: w1, workload: 'chat-short', decodeTps: results[w1]!.decode_tps, ttftMs: results[w1]!.ttft_ms, note: null, holder: results[w1]! };
  const missing = results.some((r) => r.workload === 'chat-short') ? 'W1 chat-short has no decode figure in this run' : 'this run has no W1 chat-short';
  const other = results.findIndex((r) => typeof r.decode_tps === 'number');
  if (other >= 0) {
    const r = results[other]!;
    return { index: other, workload: r.workload, decodeTps: r.decode_tps, ttftMs: r.ttft_ms, note: `from ${workloadLabel(r.workload)}: ${missing}`, holder: r };
  }
  for (const r of results) {
    const tier = r.tiers?.find((t) => typeof t.decode_tps === 'number');
    if (tier) {
      return {
        index: null,
        workload: r.workload,
        decodeTps: tier.decode_tps,
        ttftMs: tier.ttft_ms,
        note: `from ${workloadLabel(r.workload)} at ${tier.context_tokens} tokens of context: ${missing}`,
        holder: tier,
      };
    }
  }
  return { index: null, workload: null, decodeTps: null, ttftMs: null, note: 'no workload of this run measured a decode rate', holder: null };
}

/**
 * Where the headline stands, as the page says it:
 * - ranked: among the comparable runs of its setup in ranked groups (framework standingOf: only
 *   differences beyond both intervals count), and its hardware's place among the setup's groups
 *   by median (rankGroups);
 * - few-runs: comparable, but its group has too little evidence to rank yet (ranking.ts);
 * - not-comparable: kept out of every ranking by the comparability rule, with what would rank it;
 * - none: no workload measured a decode rate.
 */
export type Standing =
  | { kind: 'ranked'; workload: string; standing: PeerStanding; rank: number | null; classes: number; flagged: boolean }
  | { kind: 'few-runs'; workload: string; runs: number; keys: number; rule: RankingRule }
  | { kind: 'not-comparable'; workload: string; reasons: string[]; codes: ComparabilityCode[] }
  | { kind: 'none' };

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
  /** Every comparable run of the setup's plotted groups, for the chart of where this run stands (ranked runs only). */
  setupSpread: SpreadPoint[];
}

/** Hardware classes the run page's standing chart draws: the setup's groups with the highest medians. */
export const STANDING_ROWS = 12;

/** Four indexed queries beyond the result itself: the setup's groups, the standing's peers, the median run, the chart's runs. */
export async function loadRunView(repo: ResultsRepository, stored: StoredResult, extra: { disputes: Dispute[]; contributor?: string }): Promise<RunView> {
  const run = JSON.parse(stored.json) as RunPayload;
  const headline = pickHeadline(run);
  const base = { stored, run, ...extra, headline, standing: { kind: 'none' } as Standing, compareWith: null, setupGroups: [] as ClusterRow[], setupSpread: [] as SpreadPoint[] };
  if (headline.index === null || headline.decodeTps === null) return base;
  const group = stored.clusters.get(headline.index);
  if (!group) return base;
  const result = run.results[headline.index] as MeasuredResult;
  const workload = headline.workload!;
  const verdict = comparability(result);
  // A run that is not comparable, or whose group holds too little evidence, is not ranked (ranking.ts).
  const ranked = verdict.comparable && group.ranked;
  const [setupGroups, peers] = await Promise.all([repo.setupGroups(group.setupKey), ranked ? repo.setupPeers(group.setupKey, stored.id) : Promise.resolve([])]);
  let standing: Standing;
  if (!verdict.comparable) standing = { kind: 'not-comparable', workload, reasons: verdict.reasons, codes: verdict.codes };
  else if (!group.ranked) standing = { kind: 'few-runs', workload, runs: group.n, keys: group.keys, rule: repo.ranking };
  else {
    // Groups rank by their median, never their best run (METHODOLOGY §6.1).
    const order = rankGroups(setupGroups, (g) => ({ n: g.n, median: g.median, ci_low: null, ci_high: null, cv: null }));
    standing = {
      kind: 'ranked',
      workload,
      standing: standingOf(
        spreadOf(result, 'decode_tps'),
        peers.map((p) => ({ n: p.n, median: p.decodeTps, ci_low: p.ciLow, ci_high: p.ciHigh, cv: null })),
      ),
      rank: order.find((g) => g.group.clusterKey === group.clusterKey)?.rank ?? null,
      classes: order.length,
      flagged: stored.flagged.has(headline.index),
    };
  }
  let compareWith: CompareTarget | null = null;
  if (group.median !== null) {
    const median = await repo.medianRun(group, group.median, stored.id);
    if (median) compareWith = { id: median, why: 'the median run of its group (same hardware, model, backend and build)' };
  }
  const fastest = setupGroups.find((g) => g.clusterKey !== group.clusterKey && g.bestResultId && g.bestResultId !== stored.id);
  if (!compareWith && fastest) compareWith = { id: fastest.bestResultId!, why: `the best run on the fastest other hardware for this model (${fastest.hardwareLabel})` };
  const setupSpread = standing.kind === 'ranked' ? await repo.spread(setupGroups.slice(0, STANDING_ROWS)) : [];
  return { ...base, standing, compareWith, setupGroups, setupSpread };
}
