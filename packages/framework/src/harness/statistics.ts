/**
 * The statistics of repeated measurements (METHODOLOGY §6.3): the headline of a figure is the
 * median of its repetitions, and its spread is a 95 % confidence interval around that median and
 * the coefficient of variation. The arithmetic comes from well-kept libraries (simple-statistics
 * for the sample statistics, jStat for Student-t quantiles); this module only says which
 * statistic is used for what.
 */
// jStat ships no types: the shim is referenced here so that every compilation that reaches this
// file (the package's, and each package's tests') finds it; an import cannot name a script file.
// eslint-disable-next-line @typescript-eslint/triple-slash-reference
/// <reference path="../types/jstat.d.ts" />
import { mean as sampleMean, sampleStandardDeviation } from 'simple-statistics';
import jstat from 'jstat';
import type { MetricSpread } from '../contract/generated/workload-result.js';

/** The confidence level of every published interval. */
export const CONFIDENCE = 0.95;

/**
 * √(π/2): the standard error of a sample median over that of a sample mean for normally
 * distributed noise (the median's asymptotic variance is π/2 · σ²/n). An interval around the
 * median is this much wider than the mean's t interval. For small n the true ratio is smaller
 * (1 at n = 2, 1.16 at n = 3), so the interval errs on the wide side there.
 */
export const MEDIAN_STANDARD_ERROR_FACTOR = Math.sqrt(Math.PI / 2);

/** Which way is better: tok/s higher, milliseconds lower. Decides which middle value an even count publishes. */
export type Direction = 'higher' | 'lower';

/** One metric over the repetitions: the shape of `spread.<metric>` (schemas/workload-result.schema.json). */
export type { MetricSpread };

/** Student-t quantile: the multiplier of a two-sided interval at CONFIDENCE with `df` degrees of freedom. */
export function tQuantile(df: number): number {
  return jstat.jStat.studentt.inv(1 - (1 - CONFIDENCE) / 2, df) as number;
}

/**
 * The median, with one rule for even counts: of the two middle values, the one that flatters
 * less (the lower rate, the longer time). Any value between them is a median; taking the
 * average would let one wild repetition of two (a 1e6 tok/s glitch beside 900 tok/s) make the
 * headline half of it. With an odd count this is the ordinary median.
 */
export function conservativeMedian(values: readonly number[], direction: Direction): number {
  if (values.length === 0) throw new RangeError('median of no values');
  const sorted = [...values].sort((a, b) => a - b);
  const mid = (sorted.length - 1) / 2;
  if (Number.isInteger(mid)) return sorted[mid]!;
  return direction === 'higher' ? sorted[Math.floor(mid)]! : sorted[Math.ceil(mid)]!;
}

/**
 * The spread of one metric over the repetitions that measured it (nulls are repetitions that did
 * not, and are left out of n). The interval is a Student-t interval around the median with the
 * median's standard error: median ± t(0.975, n − 1) · √(π/2) · s / √n, floored at 0 (every
 * figure here is non-negative). Null when no repetition gave a value.
 */
export function spreadOfSamples(values: ReadonlyArray<number | null | undefined>, direction: Direction): MetricSpread | null {
  const xs = values.filter((v): v is number => typeof v === 'number' && Number.isFinite(v));
  if (xs.length === 0) return null;
  const median = conservativeMedian(xs, direction);
  if (xs.length < 2) return { n: 1, median, ci_low: null, ci_high: null, cv: null };
  const sd = sampleStandardDeviation(xs);
  const half = (tQuantile(xs.length - 1) * MEDIAN_STANDARD_ERROR_FACTOR * sd) / Math.sqrt(xs.length);
  const m = sampleMean(xs);
  return { n: xs.length, median, ci_low: Math.max(0, median - half), ci_high: median + half, cv: m > 0 ? sd / m : null };
}

/**
 * The interval's half-width as a share of the median (0.02 = ±2 %): what the adaptive stop
 * rule and the `noisy` flag compare. Null without an interval; Infinity around a zero median.
 */
export function relativeHalfWidth(spread: MetricSpread | null | undefined): number | null {
  if (!spread || spread.ci_high === null) return null;
  const half = spread.ci_high - spread.median;
  return spread.median > 0 ? half / spread.median : half > 0 ? Infinity : 0;
}
