/**
 * A board that ranks only real differences (METHODOLOGY §6.1): where one result stands among the
 * comparable results of its group or setup, counting only the runs it is faster or slower than
 * beyond both confidence intervals, and naming the ones within noise; and the order of groups by
 * their medians. The run page's standing sentence comes from here.
 */
import { RANK_ADVICE, type Comparability } from './comparable.js';
import { betterOf, differenceOf, type Better } from './difference.js';
import { spreadOf, type MetricSpread } from './spread.js';

/**
 * A percentile needs this many comparable runs besides the one ranked (a group of five, as the
 * outlier rule asks of a group): with fewer, the sentence says how many there are instead.
 */
export const MIN_RANKED_OTHERS = 4;

export interface Standing {
  /** Comparable runs it was measured against (itself not counted). */
  n: number;
  /** Runs it is faster than beyond both intervals. */
  slower: number;
  /** Runs faster than it beyond both intervals. */
  faster: number;
  /** Runs whose interval overlaps its own. */
  within_noise: number;
  /** Of the n, those compared as single measurements on both sides (noise unknown). */
  single: number;
  /** slower ÷ n, in whole percent rounded down; null below MIN_RANKED_OTHERS or for n = 0. */
  percent: number | null;
  /** The sentence a person would post: "faster than 62 % of 48 comparable runs; within noise of 9". */
  sentence: string;
}

const runs = (n: number) => `${n} comparable run${n === 1 ? '' : 's'}`;

/**
 * Where `subject` stands among `others` (the comparable results of its group or setup, without
 * itself) on one metric: a run counts as slower or faster only when the two intervals do not
 * overlap; a single measurement (no interval) counts as its point. `better` is the metric's
 * direction (decode tok/s: higher).
 */
export function standingOf(subject: MetricSpread, others: MetricSpread[], better: Better = 'higher'): Standing {
  let slower = 0;
  let faster = 0;
  let within = 0;
  let single = 0;
  let n = 0;
  for (const other of others) {
    // Seen from the other run: the subject is the candidate against it.
    const d = differenceOf(other, subject, better);
    if (!d) continue;
    n += 1;
    if (d.intervals === 'none') single += 1;
    if (d.verdict === 'better') slower += 1;
    else if (d.verdict === 'worse') faster += 1;
    else within += 1;
  }
  const percent = n >= MIN_RANKED_OTHERS ? Math.floor((slower / n) * 100) : null;
  return { n, slower, faster, within_noise: within, single, percent, sentence: sentenceOf({ n, slower, faster, within, single, percent, subject }) };
}

function sentenceOf(s: { n: number; slower: number; faster: number; within: number; single: number; percent: number | null; subject: MetricSpread }): string {
  const noise = s.within > 0 ? `; within noise of ${s.within}` : '';
  const singles = s.single > 0 ? ` (${s.single === s.n ? 'all' : s.single} compared as single measurements without an interval: noise unknown)` : '';
  if (s.n === 0) return `the first comparable run of its kind: ${MIN_RANKED_OTHERS} more would give it a percentile`;
  if (s.percent === null) {
    const parts = [s.slower > 0 ? `faster than ${s.slower} beyond noise` : '', s.faster > 0 ? `slower than ${s.faster} beyond noise` : '', s.within > 0 ? `within noise of ${s.within}` : ''];
    const more = MIN_RANKED_OTHERS - s.n;
    return `${s.n} other ${runs(s.n).slice(String(s.n).length + 1)} so far: ${parts.filter(Boolean).join(', ')}${singles}; ${more} more would give it a percentile`;
  }
  if (s.within === s.n) return `within noise of all ${runs(s.n)}${singles}`;
  if (s.slower === 0) return `faster than none of ${runs(s.n)} beyond noise: slower than ${s.faster}${noise}${singles}`;
  return `faster than ${s.percent} % of ${runs(s.n)}${noise}${singles}`;
}

export interface RankedGroup<T> {
  group: T;
  /** 1 for the fastest median. */
  rank: number;
  /** Indexes (into the ranked list) of the groups whose interval overlaps this one's: not really ahead or behind. */
  within_noise_of: number[];
}

/**
 * Groups in order of their median (METHODOLOGY §6.1: a group's standing is its median, never its
 * best run), fastest first for a rate, with the neighbours each is within noise of. `spread`
 * gives a group's median and, where known, the interval of that median.
 */
export function rankGroups<T>(groups: T[], spread: (group: T) => MetricSpread, better: Better = 'higher'): Array<RankedGroup<T>> {
  const known = groups.map((group) => ({ group, s: spread(group) })).filter((g) => g.s.median !== null);
  known.sort((a, b) => (better === 'higher' ? b.s.median! - a.s.median! : a.s.median! - b.s.median!));
  return known.map((g, i) => ({
    group: g.group,
    rank: i + 1,
    within_noise_of: known.flatMap((o, j) => (j !== i && differenceOf(o.s, g.s, better)?.verdict === 'within-noise' ? [j] : [])),
  }));
}

/** standingOf for whole results: the subject's and the others' spread of one metric (default decode tok/s). */
export function standingAmong(subject: object, others: object[], metric = 'decode_tps'): Standing {
  return standingOf(
    spreadOf(subject, metric),
    others.map((o) => spreadOf(o, metric)),
    betterOf(metric),
  );
}

/**
 * The sentence for a result that is not ranked: why, and what would rank it — "not ranked: quick
 * run (32 of 256 tokens). To be ranked: run the full suite, without --quick."
 */
export function unrankedSentence(verdict: Pick<Comparability, 'reasons' | 'codes'>): string {
  const advice = [...new Set(verdict.codes.map((c) => RANK_ADVICE[c]))];
  return `not ranked: ${verdict.reasons.join('; ')}. To be ranked: ${advice.join('; ')}.`;
}
