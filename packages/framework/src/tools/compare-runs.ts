/**
 * `llm-speed compare`: side-by-side figures of saved or published runs, per workload and metric,
 * with the % difference against the first run. Figures are shown whatever they are, but never
 * compared silently across groups: by the one rule the server ranks with (compare/comparable.ts),
 * each workload whose runs are in different groups, or that a run may not be compared on, carries
 * a warning saying why.
 */
import { existsSync } from 'node:fs';
import { comparability, groupDifferences, groupOf, groupKey, type ComparableGroup } from '../compare/comparable.js';
import type { RunPayload } from '../contract/generated/run.js';
import type { WorkloadResult } from '../contract/generated/workload-result.js';
import { check } from '../contract/validate.js';
import { LlmSpeedError, ValidationError, errorMessage } from '../errors.js';
import { readRunSource, resolveRunSource } from '../upload/fetch-run.js';
import { FILE_KINDS, classifyDocument, sidecarRunPath } from './validate-files.js';

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

/** One run's standing on one workload, by the comparability rule. */
export interface RunStanding {
  /** The group's key (the server's cluster key for the same result). */
  group: string;
  comparable: boolean;
  /** Why it is not comparable, in words; empty when it is. */
  reasons: string[];
  /** Where its group differs from the first run's (empty for the first run and for the same group). */
  differences: string[];
}

export interface WorkloadStanding {
  workload: string;
  /** Per run, index-aligned with `runs`; null where a run lacks the workload. */
  runs: Array<RunStanding | null>;
  /** True when every run that has the workload is comparable and all are in one group. */
  comparable: boolean;
}

export interface Comparison {
  runs: string[];
  warnings: string[];
  /** Per workload: which runs may be compared, and why not. */
  comparability: WorkloadStanding[];
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
  const source = resolveRunSource(ref, { apiUrl });
  try {
    value = await readRunSource(source);
  } catch (error) {
    throw new LlmSpeedError('compare', `cannot read ${ref}: ${errorMessage(error)}`, { suggestions: (error as LlmSpeedError).suggestions ?? [] });
  }
  // A file the CLI wrote that is not a run (a sidecar, a config) is named as what it is, not dumped as schema errors.
  const kind = source.kind === 'file' ? classifyDocument(value, source.path) : 'run';
  if (kind === 'run-local' || kind === 'run-timings') {
    throw new LlmSpeedError('compare', `${ref} is ${FILE_KINDS[kind].what}, not a run; compare the run file it belongs to: ${sidecarRunPath(source.kind === 'file' ? source.path : ref, value)}`, {
      exitCode: 2,
    });
  }
  // "config" is what anything unrecognised is taken for: only a file that really is one is called one.
  const really = kind === 'config' ? Object.keys(value as object).length > 0 && check('config', value).length === 0 : kind !== 'run' && kind !== null;
  if (kind && really) {
    throw new LlmSpeedError('compare', `${ref} is ${FILE_KINDS[kind].what}, not a run; compare runs saved by \`llm-speed bench\` (in the runs folder of the cache), run ids or permalinks`, {
      exitCode: 2,
    });
  }
  const problems = check('run', value);
  if (problems.length > 0) throw new ValidationError(`run ${ref}`, problems.slice(0, 5));
  return { label: ref, run: value as RunPayload };
}

/** The run's hardware in words: its summary, and the class (fingerprint hash) when the summaries agree. */
function hardwareShown(a: LabelledRun, b: LabelledRun): [Partial<ComparableGroup>, Partial<ComparableGroup>] {
  const [sa, sb] = [a.run.fingerprint.accelerator_summary, b.run.fingerprint.accelerator_summary];
  if (sa === sb) return [{}, {}];
  return [{ hardware_class: sa }, { hardware_class: sb }];
}

/** Per workload: each run's group and comparability, measured against the first run that has the workload. */
export function workloadStandings(runs: LabelledRun[]): WorkloadStanding[] {
  const workloads = [...new Set(runs.flatMap((r) => r.run.results.map((x) => x.workload)))];
  return workloads.map((workload) => {
    let first: { run: LabelledRun; group: ComparableGroup } | undefined;
    const standings = runs.map((r): RunStanding | null => {
      const result = r.run.results.find((x) => x.workload === workload);
      if (!result) return null;
      const group = groupOf(result, r.run.fingerprint);
      first ??= { run: r, group };
      const { comparable, reasons } = comparability(result);
      return { group: groupKey(group), comparable, reasons, differences: groupDifferences(first.group, group, hardwareShown(first.run, r)) };
    });
    const present = standings.filter((s): s is RunStanding => s !== null);
    return { workload, runs: standings, comparable: present.every((s) => s.comparable && s.group === present[0]!.group) };
  });
}

/**
 * One line per distinct reason, naming the workloads it applies to, so two runs from different
 * machines say "different hardware" once rather than once per workload.
 */
function standingWarnings(runs: LabelledRun[], standings: WorkloadStanding[]): string[] {
  const byMessage = new Map<string, string[]>();
  const add = (message: string, workload: string) => byMessage.set(message, [...(byMessage.get(message) ?? []), workload]);
  for (const w of standings) {
    const firstIndex = w.runs.findIndex((s) => s !== null);
    w.runs.forEach((s, i) => {
      if (!s) return;
      if (!s.comparable) add(`${runs[i]!.label} is not comparable: ${s.reasons.join('; ')}`, w.workload);
      if (s.differences.length > 0) add(`${runs[firstIndex]!.label} and ${runs[i]!.label} are in different groups (${s.differences.join('; ')})`, w.workload);
    });
  }
  return [...byMessage].map(([message, workloads]) => `${workloads.join(', ')}: ${message}`);
}

export function compareRuns(runs: LabelledRun[]): Comparison {
  const standings = workloadStandings(runs);
  const warnings = standingWarnings(runs, standings);

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
  return { runs: runs.map((r) => r.label), warnings, comparability: standings, rows };
}

export function renderComparison(c: Comparison, color: boolean): string {
  const paint = (text: string, better: boolean | null) => (!color || better === null ? text : `\x1b[${better ? 32 : 31}m${text}\x1b[0m`);
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
    lines.push(
      table[r]!.map((cell, i) => paint(cell.padEnd(widths[i]!), i >= 3 ? (row.better[i - 2] ?? null) : null))
        .join('  ')
        .trimEnd(),
    );
  });
  return [...c.warnings.map((w) => `warning: ${w}`), ...lines].join('\n');
}
