/**
 * `llm-speed compare`: side-by-side figures of saved or published runs, per workload and metric,
 * with the % difference against the first run. Different suite versions or model digests are
 * never compared silently: the comparison carries a warning naming them.
 */
import { existsSync } from 'node:fs';
import type { RunPayload } from '../contract/generated/run.js';
import type { WorkloadResult } from '../contract/generated/workload-result.js';
import { check } from '../contract/validate.js';
import { LlmSpeedError, ValidationError, errorMessage } from '../errors.js';
import { readRunSource, resolveRunSource } from '../upload/fetch-run.js';

export const COMPARED_METRICS = ['ttft_ms', 'prefill_tps', 'decode_tps', 'decode_p50_latency_ms', 'decode_p95_latency_ms', 'wall_ms'] as const;
type Metric = (typeof COMPARED_METRICS)[number];
/** Lower is better for latencies; the sign of "better" flips for them. */
const LOWER_IS_BETTER = new Set<Metric>(['ttft_ms', 'decode_p50_latency_ms', 'decode_p95_latency_ms', 'wall_ms']);

export interface LabelledRun {
  label: string;
  run: RunPayload;
}

export interface ComparisonRow {
  workload: string;
  metric: Metric;
  values: Array<number | null>;
  /** % difference of each run against the first (null for the first or when a value is missing). */
  diff_pct: Array<number | null>;
  /** Per run: true when it is better than the first, false when worse, null when equal or unknown. */
  better: Array<boolean | null>;
}

export interface Comparison {
  runs: string[];
  warnings: string[];
  rows: ComparisonRow[];
}

/** A run id (r_…), a permalink (…/r/<id>) or a local file. */
/**
 * A local file, a run id or a permalink, resolved exactly as verify-run resolves it: a self-hosted
 * permalink is read from its own server unless an API was named explicitly.
 */
export async function loadRunRef(ref: string, apiUrl?: string): Promise<LabelledRun> {
  if (!existsSync(ref) && !/^https?:\/\//i.test(ref) && !/^r_[A-Za-z0-9_-]+$/.test(ref)) {
    throw new LlmSpeedError('compare', `"${ref}" is neither a file nor a run id (r_…) nor a permalink (…/r/<id>)`, { exitCode: 2 });
  }
  let value: unknown;
  try {
    value = await readRunSource(resolveRunSource(ref, { apiUrl }));
  } catch (error) {
    throw new LlmSpeedError('compare', `cannot read ${ref}: ${errorMessage(error)}`, { suggestions: (error as LlmSpeedError).suggestions ?? [] });
  }
  const problems = check('run', value);
  if (problems.length > 0) throw new ValidationError(`run ${ref}`, problems.slice(0, 5));
  return { label: ref, run: value as RunPayload };
}

function distinct(values: Array<string | null | undefined>): string[] {
  return [...new Set(values.map((v) => v ?? '(none)'))];
}

export function compareRuns(runs: LabelledRun[]): Comparison {
  const warnings: string[] = [];
  const suites = distinct(runs.flatMap((r) => r.run.results.map((x) => x.suite_version)));
  if (suites.length > 1) warnings.push(`different suite versions (${suites.join(' vs ')}): the workloads differ, figures are not comparable`);
  const digests = distinct(runs.flatMap((r) => r.run.results.map((x) => x.model.digest)));
  if (digests.length > 1) warnings.push(`different model digests (${digests.map((d) => d.slice(0, 12)).join(' vs ')}): not the same weights`);
  const quick = runs.map((r) => r.run.results.some((x) => x.flags.includes('quick')));
  if (new Set(quick).size > 1) warnings.push('comparing a --quick run with a full run');

  const workloads = [...new Set(runs.flatMap((r) => r.run.results.map((x) => x.workload)))];
  const rows: ComparisonRow[] = [];
  for (const workload of workloads) {
    const results = runs.map((r) => r.run.results.find((x) => x.workload === workload) as WorkloadResult | undefined);
    for (const metric of COMPARED_METRICS) {
      const values = results.map((r) => (r ? (r[metric] ?? null) : null));
      const base = values[0];
      const diff_pct = values.map((v, i) => (i === 0 || v === null || base === null || base === undefined || base === 0 ? null : ((v - base) / base) * 100));
      const better = diff_pct.map((d) => (d === null || d === 0 ? null : LOWER_IS_BETTER.has(metric) ? d < 0 : d > 0));
      rows.push({ workload, metric, values, diff_pct, better });
    }
  }
  return { runs: runs.map((r) => r.label), warnings, rows };
}

export function renderComparison(c: Comparison, color: boolean): string {
  const paint = (text: string, better: boolean | null) =>
    !color || better === null ? text : `\x1b[${better ? 32 : 31}m${text}\x1b[0m`;
  const fmt = (v: number | null) => (v === null ? '–' : v >= 1000 ? v.toFixed(0) : v.toFixed(2));
  const header = ['workload', 'metric', ...c.runs.map((r, i) => (i === 0 ? r : `${r} (Δ%)`))];
  const table = c.rows.map((row) => [
    row.workload,
    row.metric,
    ...row.values.map((v, i) => (i === 0 || row.diff_pct[i] === null ? fmt(v) : `${fmt(v)} (${row.diff_pct[i]! >= 0 ? '+' : ''}${row.diff_pct[i]!.toFixed(1)}%)`)),
  ]);
  const widths = header.map((h, i) => Math.max(h.length, ...table.map((r) => r[i]!.length)));
  const lines = [header.map((h, i) => h.padEnd(widths[i]!)).join('  ')];
  c.rows.forEach((row, r) => {
    lines.push(table[r]!.map((cell, i) => paint(cell.padEnd(widths[i]!), i >= 3 ? row.better[i - 2] ?? null : null)).join('  ').trimEnd());
  });
  return [...c.warnings.map((w) => `warning: ${w}`), ...lines].join('\n');
}
