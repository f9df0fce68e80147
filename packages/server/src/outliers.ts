/**
 * Outlier flags (server README, "Outlier flags"). A result is flagged when its decode_tps is more
 * than 3 robust σ from the MEDIAN of the OTHER results in its cluster (leave-one-out), where
 * robust σ = 1.4826 × MAD (median absolute deviation from that median) of the others — for
 * normally distributed numbers the same σ a standard deviation estimates.
 *
 * Why median/MAD and not mean/standard deviation: one value cannot move them. With the mean, one
 * submission of 1e200 tok/s owns the mean and the σ of every cluster it is in (and its squared
 * deviation overflows to Infinity, which used to let it escape the flag entirely); the median and
 * the MAD of the others do not notice it. Why leave-one-out: the candidate is judged against the
 * rest of its cluster, not against a reference it helped to make.
 *
 * Finite for every finite input: the values are scaled by 1/4 first (z does not depend on the
 * scale), so no difference of two doubles and no 1.4826 × MAD can overflow; a z that still leaves
 * the finite range (a huge deviation over a tiny σ) is clamped to ±Number.MAX_VALUE, which is
 * still flagged.
 *
 * MIN_CLUSTER_SIZE: flags are only computed once a cluster (a comparable group, see the
 * framework's groupOf) holds at least 5 comparable results with a decode_tps, i.e. each candidate is judged
 * against at least 4 others. Smaller clusters flag nothing.
 *
 * SIGMA_FLOOR_FRACTION: σ is floored at 0.5 % of the others' median so a cluster of (nearly)
 * identical numbers, whose MAD is 0, does not flag a result that differs by rounding noise.
 *
 * One key, one vote (issue 24.4). Every signing key has the same say in a group, however many runs
 * it posted: each run weighs 1 / (runs of its key), and the others' median and MAD are weighted
 * medians. Seven copies of an extreme value from one key weigh as much as one honest run, so they
 * cannot become the median that judges the honest runs. When every key posted equally often (one
 * key alone, or one run per key) the weights are equal and the statistics are exactly the
 * unweighted ones above.
 */
export const MIN_CLUSTER_SIZE = 5;
export const SIGMA_THRESHOLD = 3;
export const SIGMA_FLOOR_FRACTION = 0.005;
/** MAD → σ for normally distributed data: 1 / Φ⁻¹(3/4). */
export const MAD_TO_SIGMA = 1.4826;
/** Exact in binary; keeps every difference of two finite doubles finite. */
const SCALE = 0.25;

export interface ClusterStats {
  n: number;
  min: number | null;
  median: number | null;
  max: number | null;
  mean: number | null;
}

/** Midpoint of two finite doubles without overflow. */
function midpoint(a: number, b: number): number {
  return a / 2 + b / 2;
}

/** Median of `sorted` with the element at index `skip` left out (O(1)). */
function medianWithout(sorted: ArrayLike<number>, skip: number): number {
  const m = sorted.length - 1;
  const at = (j: number) => sorted[j < skip ? j : j + 1];
  return midpoint(at(Math.floor((m - 1) / 2)), at(Math.floor(m / 2)));
}

/**
 * Robust z-score of each value against the others (NaN for every value when the cluster is
 * below MIN_CLUSTER_SIZE). O(n log n) for the one sort, O(n) after it: the others' median takes
 * at most three distinct values across all candidates, and for each of those one sorted list of
 * deviations serves every candidate (its own deviation is left out by rank). Equal values leave
 * equal multisets behind, so z is a function of the value and is computed once per distinct value.
 */
export function leaveOneOutZ(values: readonly number[], keys?: readonly string[]): number[] {
  const n = values.length;
  if (n < MIN_CLUSTER_SIZE) return values.map(() => Number.NaN);
  const weights = keyWeights(keys, n);
  if (weights) return weightedLeaveOneOutZ(values, weights);
  const sorted = Float64Array.from(values, (v) => v * SCALE).sort();
  const deviationsFrom = new Map<number, Deviations>();
  const zSorted = new Float64Array(n);
  for (let k = 0; k < n; k++) {
    if (k > 0 && sorted[k] === sorted[k - 1]) {
      zSorted[k] = zSorted[k - 1];
      continue;
    }
    const median = medianWithout(sorted, k);
    let deviations = deviationsFrom.get(median);
    if (!deviations) deviationsFrom.set(median, (deviations = sortedDeviations(sorted, median)));
    const mad = medianWithout(deviations.sorted, deviations.rank[k]);
    const sigma = Math.max(MAD_TO_SIGMA * mad, Math.abs(median) * SIGMA_FLOOR_FRACTION, Number.MIN_VALUE);
    const z = (sorted[k] - median) / sigma;
    zSorted[k] = Math.max(-Number.MAX_VALUE, Math.min(Number.MAX_VALUE, z));
  }
  return values.map((v) => zSorted[lowerBound(sorted, v * SCALE)]);
}

/** First index of ascending `sorted` whose value is >= `x`. */
function lowerBound(sorted: Float64Array, x: number): number {
  let lo = 0;
  let hi = sorted.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (sorted[mid] < x) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

interface Deviations {
  /** |value − median| in ascending order. */
  sorted: Float64Array;
  /** rank[j]: where the deviation of sorted value j landed in `sorted`. */
  rank: Int32Array;
}

/** Absolute deviations of ascending `values` from `median`, sorted by merging outwards from it (O(n)). */
function sortedDeviations(values: ArrayLike<number>, median: number): Deviations {
  const n = values.length;
  const out = new Float64Array(n);
  const rank = new Int32Array(n);
  let right = 0;
  while (right < n && values[right] <= median) right++;
  let left = right - 1;
  for (let r = 0; r < n; r++) {
    const fromLeft = right >= n || (left >= 0 && median - values[left] <= values[right] - median);
    const j = fromLeft ? left-- : right++;
    out[r] = Math.abs(values[j] - median);
    rank[j] = r;
  }
  return { sorted: out, rank };
}

export function isOutlier(z: number): boolean {
  return Number.isFinite(z) && Math.abs(z) > SIGMA_THRESHOLD;
}

/**
 * n, min, median, max and mean of a cluster; finite for finite input (no sum can overflow). With
 * `keys`, the median and mean weigh each key equally (each run 1 / runs of its key).
 */
export function clusterStats(values: readonly number[], keys?: readonly string[]): ClusterStats {
  const n = values.length;
  if (n === 0) return { n, min: null, median: null, max: null, mean: null };
  const weights = keyWeights(keys, n);
  if (weights) {
    const order = values.map((_, i) => i).sort((a, b) => values[a]! - values[b]!);
    const sorted = new WeightedSorted(
      order.map((i) => values[i]!),
      order.map((i) => weights[i]!),
    );
    const total = weights.reduce((a, b) => a + b, 0);
    const mean = values.reduce((sum, v, i) => sum + (v / total) * weights[i]!, 0);
    return { n, min: sorted.values[0]!, median: sorted.medianWithout(-1), max: sorted.values[n - 1]!, mean };
  }
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(n / 2);
  const median = n % 2 ? sorted[mid] : midpoint(sorted[mid - 1], sorted[mid]);
  const mean = values.reduce((sum, v) => sum + v / n, 0);
  return { n, min: sorted[0], median, max: sorted[n - 1], mean };
}

/**
 * Each run's weight, 1 / (runs of its key); undefined when every key posted equally often (then the
 * weights are all equal and the unweighted statistics are the same numbers, computed exactly).
 */
function keyWeights(keys: readonly string[] | undefined, n: number): number[] | undefined {
  if (!keys) return undefined;
  if (keys.length !== n) throw new RangeError(`${keys.length} keys for ${n} values`);
  const counts = new Map<string, number>();
  for (const k of keys) counts.set(k, (counts.get(k) ?? 0) + 1);
  const distinct = new Set(counts.values());
  if (distinct.size <= 1) return undefined;
  return keys.map((k) => 1 / counts.get(k)!);
}

/**
 * Ascending values with weights, and the weighted median with one of them left out, in O(log n).
 * The weighted median is the value where the cumulative weight reaches half the total; when it
 * lands exactly on half (within rounding), the midpoint of that value and the next, as the
 * unweighted median of an even count does.
 */
class WeightedSorted {
  /** prefix[k]: the weight of values[0..k-1]. */
  private readonly prefix: Float64Array;
  constructor(
    readonly values: readonly number[],
    readonly weights: readonly number[],
  ) {
    this.prefix = new Float64Array(values.length + 1);
    for (let k = 0; k < values.length; k++) this.prefix[k + 1] = this.prefix[k]! + weights[k]!;
  }

  /** The weighted median without the value at sorted position `skip` (-1: leave nothing out). */
  medianWithout(skip: number): number {
    const n = this.values.length;
    const left = skip < 0 ? 0 : this.weights[skip]!;
    const half = (this.prefix[n]! - left) / 2;
    const eps = this.prefix[n]! * 1e-12;
    /** Weight up to and including position k, `skip` not counted. */
    const upTo = (k: number) => this.prefix[k + 1]! - (skip >= 0 && k >= skip ? left : 0);
    let lo = 0;
    let hi = n - 1;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (upTo(mid) >= half - eps) hi = mid;
      else lo = mid + 1;
    }
    if (lo === skip) lo += 1;
    if (Math.abs(upTo(lo) - half) <= eps) {
      let next = lo + 1;
      if (next === skip) next += 1;
      if (next < n) return midpoint(this.values[lo]!, this.values[next]!);
    }
    return this.values[lo]!;
  }
}

/** leaveOneOutZ with key weights: the others' weighted median, and their weighted MAD around it. */
function weightedLeaveOneOutZ(values: readonly number[], weights: readonly number[]): number[] {
  const n = values.length;
  const scaled = values.map((v) => v * SCALE);
  const order = scaled.map((_, i) => i).sort((a, b) => scaled[a]! - scaled[b]!);
  const position = new Int32Array(n);
  order.forEach((i, p) => (position[i] = p));
  const sorted = new WeightedSorted(
    order.map((i) => scaled[i]!),
    order.map((i) => weights[i]!),
  );
  /** For each median met, the deviations of every value from it, sorted, and where each value's deviation landed. */
  const deviationsFrom = new Map<number, { sorted: WeightedSorted; rank: Int32Array }>();
  return values.map((_, i) => {
    const median = sorted.medianWithout(position[i]!);
    let deviations = deviationsFrom.get(median);
    if (!deviations) {
      const byDeviation = scaled.map((_, j) => j).sort((a, b) => Math.abs(scaled[a]! - median) - Math.abs(scaled[b]! - median));
      const rank = new Int32Array(n);
      byDeviation.forEach((j, r) => (rank[j] = r));
      deviations = {
        sorted: new WeightedSorted(
          byDeviation.map((j) => Math.abs(scaled[j]! - median)),
          byDeviation.map((j) => weights[j]!),
        ),
        rank,
      };
      deviationsFrom.set(median, deviations);
    }
    const mad = deviations.sorted.medianWithout(deviations.rank[i]!);
    const sigma = Math.max(MAD_TO_SIGMA * mad, Math.abs(median) * SIGMA_FLOOR_FRACTION, Number.MIN_VALUE);
    const z = (scaled[i]! - median) / sigma;
    return Math.max(-Number.MAX_VALUE, Math.min(Number.MAX_VALUE, z));
  });
}
