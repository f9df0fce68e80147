/**
 * Outlier flags (METHODOLOGY §6 "No hidden outliers"). A result is flagged when its decode_tps is
 * more than 3σ from the mean of the OTHER results in its cluster (leave-one-out). Why not the mean
 * and σ of all results including the candidate: an outlier inflates the σ it is measured against,
 * and with n points no z-score can exceed (n-1)/√n — at n = 5 that is 1.79, so a 3σ rule over all
 * points could never fire on a small cluster.
 *
 * MIN_CLUSTER_SIZE: flags are only computed once a cluster (model digest × backend × hardware
 * class, per workload) holds at least 5 results with a decode_tps, i.e. each candidate is judged
 * against at least 4 others. Smaller clusters flag nothing.
 *
 * SIGMA_FLOOR: σ is floored at 0.5 % of the others' mean so a cluster of identical numbers does not
 * flag a result that differs by rounding noise.
 */
export const MIN_CLUSTER_SIZE = 5;
export const SIGMA_THRESHOLD = 3;
export const SIGMA_FLOOR_FRACTION = 0.005;

export interface ClusterStats {
  n: number;
  min: number | null;
  median: number | null;
  max: number | null;
  mean: number | null;
}

/** z-score of each value against the others (NaN when the cluster is too small). */
export function leaveOneOutZ(values: number[]): number[] {
  const n = values.length;
  if (n < MIN_CLUSTER_SIZE) return values.map(() => Number.NaN);
  // Shift by the overall mean so the sums of squares stay well-conditioned.
  const shift = values.reduce((a, b) => a + b, 0) / n;
  let s = 0;
  let q = 0;
  for (const v of values) {
    s += v - shift;
    q += (v - shift) ** 2;
  }
  const m = n - 1;
  return values.map((v) => {
    const d = v - shift;
    const mean = (s - d) / m;
    // Sample variance of the others (m - 1 degrees of freedom).
    const variance = Math.max(0, (q - d * d - m * mean * mean) / (m - 1));
    const sigma = Math.max(Math.sqrt(variance), Math.abs(mean + shift) * SIGMA_FLOOR_FRACTION, Number.MIN_VALUE);
    return (d - mean) / sigma;
  });
}

export function isOutlier(z: number): boolean {
  return Number.isFinite(z) && Math.abs(z) > SIGMA_THRESHOLD;
}

export function clusterStats(values: number[]): ClusterStats {
  const n = values.length;
  if (n === 0) return { n, min: null, median: null, max: null, mean: null };
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(n / 2);
  const median = n % 2 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
  return { n, min: sorted[0], median, max: sorted[n - 1], mean: values.reduce((a, b) => a + b, 0) / n };
}
