/**
 * A figure with its spread (METHODOLOGY §6.1), read one way everywhere that compares: the headline
 * value of a metric, how many repetitions stand behind it, and the 95 % confidence interval of the
 * headline statistic. Results carry it as `spread` (one entry per metric: n, median, ci_low,
 * ci_high, cv) and `repetitions`; a result without them — one from a CLI before repetitions, or a
 * `--quick` one — is a single measurement: n = 1, no interval. That is a point, never an error.
 */
/** The metrics a result's spread is keyed by (the agreed shape; W4's batches add their own). */
export const SPREAD_METRICS = ['ttft_ms', 'prefill_tps', 'decode_tps', 'decode_p50_latency_ms', 'decode_p95_latency_ms', 'backend_decode_tps', 'backend_prefill_tps'] as const;
export type SpreadMetric = (typeof SPREAD_METRICS)[number];

/** One metric's figure and its spread; the interval is null when n < 2 or the result has none. */
export interface MetricSpread {
  /** Repetitions behind the figure (1 for a single measurement). */
  n: number;
  /** The headline figure (the median of the repetitions); null when the result has none. */
  median: number | null;
  ci_low: number | null;
  ci_high: number | null;
  /** Sample standard deviation ÷ mean; null when n < 2. */
  cv: number | null;
}

/** The spread fields a result or a W4 batch may carry, read without trusting their shape. */
interface WithSpread {
  repetitions?: unknown;
  spread?: unknown;
  samples?: unknown;
}

const finite = (v: unknown): v is number => typeof v === 'number' && Number.isFinite(v);

/** Repetitions behind a result's headline figures: `repetitions`, else 1. */
export function repetitionsOf(result: object): number {
  const r = (result as WithSpread).repetitions;
  return finite(r) && r >= 1 ? Math.floor(r) : 1;
}

/** The raw spread entry of one metric, or undefined when the result has none for it. */
function rawEntry(holder: object, metric: string): Record<string, unknown> | undefined {
  const spread = (holder as WithSpread).spread;
  if (spread === null || typeof spread !== 'object' || Array.isArray(spread)) return undefined;
  const entry = (spread as Record<string, unknown>)[metric];
  return entry !== null && typeof entry === 'object' && !Array.isArray(entry) ? (entry as Record<string, unknown>) : undefined;
}

/**
 * One metric of a result (or of a W4 batch: pass the batch and `aggregate_tps` / `per_stream_tps`):
 * its headline figure, n, and interval. A missing or malformed spread entry is a single
 * measurement of the headline field. An interval is kept only when both bounds are finite, n ≥ 2
 * and low ≤ high: anything else is read as no interval, never as a narrow one.
 */
export function spreadOf(holder: object, metric: string): MetricSpread {
  const headline = (holder as Record<string, unknown>)[metric];
  const value = finite(headline) ? headline : null;
  const entry = rawEntry(holder, metric);
  if (!entry) return { n: value === null ? 0 : 1, median: value, ci_low: null, ci_high: null, cv: null };
  const n = finite(entry.n) && entry.n >= 1 ? Math.floor(entry.n) : 1;
  const median = value ?? (finite(entry.median) ? entry.median : null);
  const interval = n >= 2 && finite(entry.ci_low) && finite(entry.ci_high) && entry.ci_low <= entry.ci_high;
  return {
    n: median === null ? 0 : n,
    median,
    ci_low: interval ? (entry.ci_low as number) : null,
    ci_high: interval ? (entry.ci_high as number) : null,
    cv: n >= 2 && finite(entry.cv) ? entry.cv : null,
  };
}

/** Whether a figure has a confidence interval (n ≥ 2 and both bounds). */
export function hasInterval(s: MetricSpread): s is MetricSpread & { median: number; ci_low: number; ci_high: number } {
  return s.median !== null && s.ci_low !== null && s.ci_high !== null;
}

/**
 * The interval a comparison uses: the confidence interval, or for a single measurement the point
 * itself (zero width). Null when there is no figure.
 */
export function boundsOf(s: MetricSpread): [number, number] | null {
  if (s.median === null) return null;
  return hasInterval(s) ? [s.ci_low, s.ci_high] : [s.median, s.median];
}

/** Half the interval's width as a fraction of the median (0.05 = ±5 %); null without an interval. */
export function relativeHalfWidth(s: MetricSpread): number | null {
  if (!hasInterval(s) || s.median === 0) return null;
  return (s.ci_high - s.ci_low) / 2 / Math.abs(s.median);
}

/** One metric of every repetition, as the result's `samples` give them (nulls and non-numbers left out). */
export function samplesOf(result: object, metric: string): number[] {
  const samples = (result as WithSpread).samples;
  if (!Array.isArray(samples)) return [];
  return samples.map((s) => (s !== null && typeof s === 'object' ? (s as Record<string, unknown>)[metric] : undefined)).filter(finite);
}

/** How far apart two renderings of one figure may be: rounding for publication, never a real difference. */
function sameFigure(a: number, b: number): boolean {
  return Math.abs(a - b) <= Math.max(0.011, 1e-3 * Math.max(Math.abs(a), Math.abs(b)));
}

/**
 * Where a result's spread contradicts its own headline figures: a `spread` median that is not the
 * headline field, an interval that does not hold the median, or `samples` whose median is not the
 * headline (for an even count, anywhere between the two middle samples, whatever median
 * convention made it). A result altered after it was measured — a headline multiplied, a spread
 * narrowed by hand — shows here. Empty when consistent or when the result carries no spread.
 */
export function spreadProblems(result: object): string[] {
  const out: string[] = [];
  for (const metric of SPREAD_METRICS) {
    const headline = (result as Record<string, unknown>)[metric];
    if (!finite(headline)) continue;
    const entry = rawEntry(result, metric);
    if (entry && finite(entry.median) && !sameFigure(entry.median, headline)) {
      out.push(`${metric} ${headline} is not the median of its repetitions (${entry.median})`);
      continue;
    }
    if (entry && finite(entry.ci_low) && finite(entry.ci_high) && (headline < entry.ci_low - 0.011 || headline > entry.ci_high + 0.011)) {
      out.push(`${metric} ${headline} lies outside its own interval (${entry.ci_low}–${entry.ci_high})`);
      continue;
    }
    const samples = samplesOf(result, metric).sort((a, b) => a - b);
    if (samples.length === 0) continue;
    const lower = samples[Math.floor((samples.length - 1) / 2)]!;
    const upper = samples[Math.ceil((samples.length - 1) / 2)]!;
    if (!(headline >= lower || sameFigure(headline, lower)) || !(headline <= upper || sameFigure(headline, upper))) {
      out.push(`${metric} ${headline} is not the median of its ${samples.length} samples (${lower === upper ? lower : `${lower}–${upper}`})`);
    }
  }
  return out;
}
