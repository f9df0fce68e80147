/**
 * A difference between two figures that says whether it is one (METHODOLOGY §6.1): "within noise"
 * when their 95 % confidence intervals overlap, else the Δ % with its interval. One function for
 * `llm-speed compare`, `/compare`, the regression gate and the run page's standing.
 */
import { boundsOf, hasInterval, type MetricSpread } from './spread.js';

/** Which way is better: throughput up, time down. */
export type Better = 'higher' | 'lower';

/** Metrics where lower is better (times); every other compared metric is a rate. */
const LOWER_IS_BETTER = /(_ms|_latency_ms)$/;

export function betterOf(metric: string): Better {
  return LOWER_IS_BETTER.test(metric) ? 'lower' : 'higher';
}

export type Verdict = 'within-noise' | 'better' | 'worse';

export interface Difference {
  /** Δ % of the candidate's figure against the baseline's: (candidate ÷ baseline − 1) × 100. */
  pct: number;
  /**
   * The interval of that Δ %, from the two intervals: the lowest candidate over the highest
   * baseline, to the highest candidate over the lowest baseline (a single measurement counts as
   * its point). Null where a baseline bound is ≤ 0, so the ratio has no upper bound.
   */
  low_pct: number;
  high_pct: number | null;
  /**
   * within-noise when the intervals overlap — equivalently, when the Δ interval holds 0 — else
   * better or worse by the metric's direction.
   */
  verdict: Verdict;
  /** Which figures had an interval: when neither had, noise is unknown and the verdict compares two points. */
  intervals: 'both' | 'baseline' | 'candidate' | 'none';
}

/**
 * The candidate's figure against the baseline's; null when either is missing or the baseline is
 * not positive (no ratio to take).
 */
export function differenceOf(baseline: MetricSpread, candidate: MetricSpread, better: Better): Difference | null {
  const [b, c] = [boundsOf(baseline), boundsOf(candidate)];
  if (!b || !c || baseline.median === null || candidate.median === null || !(baseline.median > 0)) return null;
  const pct = (candidate.median / baseline.median - 1) * 100;
  const low_pct = (c[0] / b[1] - 1) * 100;
  const high_pct = b[0] > 0 ? (c[1] / b[0] - 1) * 100 : null;
  const overlap = c[0] <= b[1] && c[1] >= b[0];
  const up = c[0] > b[1];
  const verdict: Verdict = overlap ? 'within-noise' : up === (better === 'higher') ? 'better' : 'worse';
  const [hb, hc] = [hasInterval(baseline), hasInterval(candidate)];
  return { pct, low_pct, high_pct, verdict, intervals: hb && hc ? 'both' : hb ? 'baseline' : hc ? 'candidate' : 'none' };
}

/**
 * Whether a difference is a regression past `thresholdPct` beyond the noise (the gate of
 * `compare --fail-on-regression`, METHODOLOGY §6.1): the whole Δ interval lies on the worse side
 * of ±threshold. For a rate (higher is better) the interval's upper end is still more than
 * threshold % below the baseline — even the candidate's best reading against the baseline's worst
 * lost more than that; for a time (lower is better) its lower end is more than threshold % above.
 * A single measurement counts as its point, so two of them are compared as plain figures.
 */
export function isRegression(d: Difference, better: Better, thresholdPct: number): boolean {
  if (d.verdict !== 'worse') return false;
  if (better === 'higher') return d.high_pct !== null && d.high_pct < -thresholdPct;
  return d.low_pct > thresholdPct;
}

/** "+10.0 % (+7.1 … +13.0)", "within noise (−1.2 %)", "−8.3 % (n = 1: noise unknown)". */
export function describeDifference(d: Difference): string {
  const pct = (v: number) => `${v > 0 ? '+' : v < 0 ? '−' : '±'}${Math.abs(v).toFixed(1)} %`;
  if (d.verdict === 'within-noise' && d.intervals !== 'none') return `within noise (${pct(d.pct)})`;
  if (d.intervals === 'none') return `${pct(d.pct)} (single measurements: noise unknown)`;
  const range = `${pct(d.low_pct)} … ${d.high_pct === null ? '∞' : pct(d.high_pct)}`;
  return `${pct(d.pct)} (${range})`;
}
