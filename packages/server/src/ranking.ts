/**
 * When a group is ranked (METHODOLOGY §6.1, "Enough evidence to rank"; issue 24.4). A group takes
 * part in the board — it has a best run, it is listed on /cheatsheet and /v1/leaderboard, its runs
 * have a standing and its hardware a rank — only when its comparable, non-withdrawn runs are at
 * least MIN_RANKED_RUNS, signed by at least MIN_RANKED_KEYS different keys. Below that its runs are
 * stored and shown, as "not enough runs to rank".
 *
 * Why these numbers:
 * - 5 runs: the outlier statistics judge each run against at least 4 others (MIN_CLUSTER_SIZE);
 *   with fewer, an extreme run cannot even be flagged, so it must not be anyone's "best".
 * - 4 keys: each key has one vote in the statistics (outliers.ts). A run is judged against the
 *   other runs; when its own key posted nothing else, against the other keys alone. With three
 *   keys, one honest and one extreme key would then tie, and the midpoint of 100 and 10⁷ judges
 *   the honest run. With four, one key can never hold half the votes a run is judged by. What no
 *   threshold stops is one person with several keys: that is what disputes are for (§9).
 *
 * A board with few contributors (a team's own fleet, one key) may set lower thresholds
 * (`--rank-min-runs`, `--rank-min-keys`): the rule is applied when the board is read, so changing
 * it needs no migration, and every page and JSON answer says which rule ranked it.
 */
import { MIN_CLUSTER_SIZE } from './outliers.js';

export const MIN_RANKED_RUNS = MIN_CLUSTER_SIZE;
export const MIN_RANKED_KEYS = 4;

/** The evidence a group needs to be ranked. */
export interface RankingRule {
  minRuns: number;
  minKeys: number;
}

export const DEFAULT_RANKING: RankingRule = { minRuns: MIN_RANKED_RUNS, minKeys: MIN_RANKED_KEYS };

/** What a group holds: its comparable, non-withdrawn runs with a decode figure, and how many keys signed them. */
export interface GroupEvidence {
  runs: number;
  keys: number;
}

/** A rule from settings: whole numbers of at least 1, or a RangeError naming the bad one. */
export function rankingRule(rule: { minRuns?: number; minKeys?: number } = {}): RankingRule {
  const out = { minRuns: rule.minRuns ?? DEFAULT_RANKING.minRuns, minKeys: rule.minKeys ?? DEFAULT_RANKING.minKeys };
  for (const [name, value] of Object.entries(out)) {
    if (!Number.isInteger(value) || value < 1) throw new RangeError(`ranking ${name} must be a whole number of at least 1, got ${String(value)}`);
  }
  return out;
}

export function isRanked(evidence: GroupEvidence, rule: RankingRule = DEFAULT_RANKING): boolean {
  return evidence.runs >= rule.minRuns && evidence.keys >= rule.minKeys;
}

/** The words shown for a group that is not ranked (and for its runs). */
export function notRankedReason(evidence: GroupEvidence, rule: RankingRule = DEFAULT_RANKING): string {
  const plural = (n: number, word: string) => `${n} ${word}${n === 1 ? '' : 's'}`;
  return `not enough runs to rank: its group holds ${plural(evidence.runs, 'comparable run')} from ${plural(evidence.keys, 'key')}; a group is ranked from ${plural(rule.minRuns, 'run')} by ${plural(rule.minKeys, 'different key')}`;
}

/** One comparable run of a group, as the best-run choice sees it. */
export interface RankedMember {
  resultId: string;
  decodeTps: number;
  publicKey: string;
  hardwareClass: string;
}

/**
 * The place for a hardware-plausibility check: why a run's figure is not possible on its hardware
 * (say, decode above the memory bandwidth allows for the model's size), or undefined. A run for
 * which this answers is never a group's best run. Nothing is checked yet: the bandwidth-share work
 * of a sibling issue will supply the bound.
 */
export function implausibleOnHardware(_member: RankedMember): string | undefined {
  return undefined;
}
