/**
 * `llm-speed compare` (and `/compare`, which calls compareRuns): side-by-side figures of saved or
 * published runs, per workload and metric, each with its interval, and each later run against
 * the first: "within noise" when the two 95 % intervals overlap, else the Δ % with its interval
 * (METHODOLOGY §6.1). A Δ is given only for results that measured the same work (the pair rule of
 * compare/comparable.ts); the table marks every other pair, and says why under it. With a
 * threshold, the regression gate: did the candidate get worse by more than that, beyond the noise?
 */
import { existsSync } from 'node:fs';
import { basename, dirname, resolve, sep } from 'node:path';
import { comparability, groupDifferences, groupKey, groupOf, pairComparability, type ComparabilityCode, type ComparableGroup } from '../compare/comparable.js';
import { betterOf, differenceOf, isRegression, type Difference } from '../compare/difference.js';
import { relativeHalfWidth, repetitionsOf, spreadOf, type MetricSpread } from '../compare/spread.js';
import type { RunPayload } from '../contract/generated/run.js';
import type { WorkloadResult } from '../contract/generated/workload-result.js';
import { check } from '../contract/validate.js';
import { LlmSpeedError, UsageError, ValidationError, errorMessage } from '../errors.js';
import { readRunSource, resolveRunSource } from '../upload/fetch-run.js';
import { FILE_KINDS, classifyDocument, sidecarRunPath } from './validate-files.js';

export const COMPARED_METRICS = ['ttft_ms', 'prefill_tps', 'decode_tps', 'decode_p50_latency_ms', 'decode_p95_latency_ms', 'wall_ms'] as const;
type Metric = (typeof COMPARED_METRICS)[number];

/**
 * What the regression gate judges by default: the figures a result carries a spread for. wall_ms
 * is shown but not gated: it is a whole workload's duration, with no interval of its own.
 */
export const GATED_METRICS = ['ttft_ms', 'prefill_tps', 'decode_tps', 'decode_p50_latency_ms', 'decode_p95_latency_ms'] as const satisfies readonly Metric[];

/** Flags shown as marks beside a run's figures: they do not stop a comparison but colour it. */
const MARK_FLAGS = ['noisy', 'throttled', 'busy-machine', 'client-load', 'harness-gap', 'accelerator-unused'] as const;

export interface LabelledRun {
  /** The short name a column carries: a run id or a file name (never a whole path). */
  label: string;
  run: RunPayload;
  /** What the user named: the file path, run id or permalink. */
  source?: string;
}

/** How one run's figure stands against the first run's. */
export type CellVerdict = 'baseline' | 'within-noise' | 'better' | 'worse' | 'noise-unknown' | 'not-comparable' | 'missing';

export interface ComparisonRow {
  workload: string;
  metric: Metric;
  values: Array<number | null>;
  /** Each run's figure with its n and interval (n = 1 and no interval for a single measurement). */
  spreads: MetricSpread[];
  /**
   * Δ % of each run against the first; null for the first, where a value is missing, and for a
   * pair that did not measure the same work (no Δ is given for it).
   */
  diff_pct: Array<number | null>;
  /** The Δ with its interval and verdict, where diff_pct has one. */
  differences: Array<Difference | null>;
  /** Per run: true when better than the first beyond the noise, false when worse, null otherwise. */
  better: Array<boolean | null>;
  verdicts: CellVerdict[];
}

/** One run's standing on one workload, by the comparability rule. */
export interface RunStanding {
  /** The group's key (the server's cluster key for the same result). */
  group: string;
  /** Whether the result may be ranked on a board (the server's rule). */
  comparable: boolean;
  /** Why it is not ranked, in words; empty when it is. */
  reasons: string[];
  codes: ComparabilityCode[];
  /** Where its group differs from the first run's (empty for the first run and for the same group). */
  differences: string[];
  /** Whether its figures may be set against the first run's: the pair rule (a Δ is given). */
  pair_comparable: boolean;
  /** Why not, in words; empty when they may. */
  pair_reasons: string[];
  /** Repetitions behind its figures (1: a single measurement). */
  repetitions: number;
  /** Flags that colour its figures without stopping a comparison (noisy, throttled, busy-machine, …). */
  marks: string[];
}

export interface WorkloadStanding {
  workload: string;
  /** Per run, index-aligned with `runs`; null where a run lacks the workload. */
  runs: Array<RunStanding | null>;
  /** True when every run that has the workload is comparable and all are in one group. */
  comparable: boolean;
}

export interface Comparison {
  /** The columns' short labels. */
  runs: string[];
  /** What each label stands for (a path, a run id, a permalink), index-aligned with runs. */
  sources: string[];
  warnings: string[];
  /** Per workload: which runs may be compared, and why not. */
  comparability: WorkloadStanding[];
  rows: ComparisonRow[];
  /** With a threshold (`--fail-on-regression`): the gate's verdict on the second run against the first. */
  gate?: GateReport;
}

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
  return { label: ref, run: value as RunPayload, source: ref };
}

/**
 * Column labels a person can read (#26.9): a run id as it is, a permalink by its run id, a file by
 * its name — with as many parent folders as it takes to tell two files of one name apart, and
 * "#2" for the same file named twice.
 */
export function shortLabels(refs: string[]): string[] {
  const base = refs.map((ref) => {
    if (/^https?:\/\//i.test(ref)) {
      const id = /\/(r_[A-Za-z0-9_-]+)\/?$/.exec(ref.replace(/[?#].*$/, ''));
      return id ? id[1]! : ref;
    }
    if (/^r_[A-Za-z0-9_-]+$/.test(ref) && !existsSync(ref)) return ref;
    return null;
  });
  const files = refs.map((ref, i) => (base[i] === null ? resolve(ref).split(sep).filter(Boolean) : null));
  const labels = refs.map((ref, i) => {
    if (base[i] !== null) return base[i]!;
    const parts = files[i]!;
    for (let depth = 1; depth <= parts.length; depth++) {
      const label = parts.slice(-depth).join('/');
      const clash = files.some((other, j) => j !== i && other !== null && other.join('/') !== parts.join('/') && other.slice(-depth).join('/') === label);
      if (!clash) return label;
    }
    return basename(ref) || dirname(ref);
  });
  const seen = new Map<string, number>();
  return labels.map((label) => {
    const count = (seen.get(label) ?? 0) + 1;
    seen.set(label, count);
    return count === 1 ? label : `${label}#${count}`;
  });
}

/** Loads every ref (in parallel) and names each by its short label. */
export async function loadRuns(refs: string[], apiUrl?: string): Promise<LabelledRun[]> {
  const runs = await Promise.all(refs.map((ref) => loadRunRef(ref, apiUrl)));
  const labels = shortLabels(refs);
  return runs.map((r, i) => ({ ...r, label: labels[i]! }));
}

/** The run's hardware in words: its summary, and the class (fingerprint hash) when the summaries agree. */
function hardwareShown(a: LabelledRun, b: LabelledRun): [Partial<ComparableGroup>, Partial<ComparableGroup>] {
  const [sa, sb] = [a.run.fingerprint.accelerator_summary, b.run.fingerprint.accelerator_summary];
  if (sa === sb) return [{}, {}];
  return [{ hardware_class: sa }, { hardware_class: sb }];
}

function resultOf(run: LabelledRun, workload: string): WorkloadResult | undefined {
  return run.run.results.find((x) => x.workload === workload);
}

/** Per workload: each run's group, rank-comparability and pair-comparability, against the first run that has the workload. */
export function workloadStandings(runs: LabelledRun[]): WorkloadStanding[] {
  const workloads = [...new Set(runs.flatMap((r) => r.run.results.map((x) => x.workload)))];
  return workloads.map((workload) => {
    let first: { run: LabelledRun; result: WorkloadResult; group: ComparableGroup } | undefined;
    const standings = runs.map((r): RunStanding | null => {
      const result = resultOf(r, workload);
      if (!result) return null;
      const group = groupOf(result, r.run.fingerprint);
      first ??= { run: r, result, group };
      const base = first;
      const { comparable, reasons, codes } = comparability(result);
      const pair = base.result === result ? null : pairComparability(base.result, result);
      const pairReasons = pair ? [...pair.reasons, ...pair.sides[0].map((x) => `${base.run.label}: ${x}`), ...pair.sides[1].map((x) => `${r.label}: ${x}`)] : [];
      const flags = new Set(result.flags ?? []);
      if (codes.includes('noisy')) flags.add('noisy');
      return {
        group: groupKey(group),
        comparable,
        reasons,
        codes,
        differences: groupDifferences(base.group, group, hardwareShown(base.run, r)),
        pair_comparable: pair ? pair.comparable : true,
        pair_reasons: pairReasons,
        repetitions: repetitionsOf(result),
        marks: MARK_FLAGS.filter((f) => flags.has(f)),
      };
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

export interface CompareOptions {
  /** Run the regression gate on the second run against the first, with this threshold in %. */
  failOnRegressionPct?: number;
  /** The metrics the gate judges (default GATED_METRICS). */
  gateMetrics?: readonly Metric[];
}

export function compareRuns(runs: LabelledRun[], options: CompareOptions = {}): Comparison {
  const standings = workloadStandings(runs);
  const warnings = standingWarnings(runs, standings);

  const rows: ComparisonRow[] = [];
  for (const standing of standings) {
    const { workload } = standing;
    const results = runs.map((r) => resultOf(r, workload));
    const firstIndex = results.findIndex((r) => r !== undefined);
    for (const metric of COMPARED_METRICS) {
      const spreads = results.map((r) => (r ? spreadOf(r, metric) : { n: 0, median: null, ci_low: null, ci_high: null, cv: null }));
      const values = spreads.map((s) => s.median);
      const better = betterOf(metric);
      const differences = spreads.map((s, i) => {
        if (i <= firstIndex || !standing.runs[i]?.pair_comparable) return null;
        return differenceOf(spreads[firstIndex]!, s, better);
      });
      const verdicts = spreads.map((s, i): CellVerdict => {
        if (i === firstIndex) return 'baseline';
        if (s.median === null || values[firstIndex] == null) return 'missing';
        const d = differences[i];
        if (!d) return 'not-comparable';
        if (d.intervals === 'none' && d.verdict !== 'within-noise') return 'noise-unknown';
        return d.verdict;
      });
      rows.push({
        workload,
        metric,
        values,
        spreads,
        diff_pct: differences.map((d) => (d ? d.pct : null)),
        differences,
        better: differences.map((d) => (d === null || d.verdict === 'within-noise' ? null : d.verdict === 'better')),
        verdicts,
      });
    }
  }
  const comparison: Comparison = { runs: runs.map((r) => r.label), sources: runs.map((r) => r.source ?? r.label), warnings, comparability: standings, rows };
  if (options.failOnRegressionPct !== undefined) comparison.gate = regressionGate(runs, comparison, options.failOnRegressionPct, options.gateMetrics ?? GATED_METRICS);
  return comparison;
}

/** One metric that got worse past the threshold beyond the noise, or a workload that broke. */
export interface GateFinding {
  workload: string;
  /** The metric, or null for a workload that failed in the candidate. */
  metric: Metric | null;
  baseline: number | null;
  candidate: number | null;
  difference: Difference | null;
  /** In words: "decode_tps −12.3 % (−15.0 … −9.8 %), past −5 % beyond the noise". */
  text: string;
}

export interface GateReport {
  threshold_pct: number;
  metrics: Metric[];
  baseline: string;
  candidate: string;
  /** True when nothing regressed and every baseline workload could be judged. */
  passed: boolean;
  regressions: GateFinding[];
  /** Workloads of the baseline the gate could not judge, with why: missing, or not the same work. */
  unjudged: Array<{ workload: string; reason: string }>;
  /** 0 passed, 1 a regression, 3 nothing regressed but a workload could not be judged. */
  exit_code: 0 | 1 | 3;
  /** One line: what the gate decided. */
  summary: string;
}

/** Results whose candidate broke: a failure, an interruption or no output where the baseline had figures. */
const BROKEN: ReadonlySet<ComparabilityCode> = new Set(['failed', 'interrupted', 'no-output']);

/**
 * The regression gate (METHODOLOGY §6.1): the second run (candidate) against the first
 * (baseline), per workload of the baseline and per metric, failing on any metric whose whole Δ
 * interval lies past the threshold on the worse side (isRegression), and on a workload that
 * failed in the candidate. A baseline workload the candidate lacks, or measured differently
 * (another suite, size or shape: no Δ), cannot be judged: the gate says so and does not pass.
 */
export function regressionGate(runs: LabelledRun[], comparison: Pick<Comparison, 'comparability' | 'rows'>, thresholdPct: number, metrics: readonly Metric[]): GateReport {
  const [baseline, candidate] = runs;
  if (!baseline || !candidate || runs.length !== 2)
    throw new UsageError(`the regression gate compares exactly two runs, a baseline and a candidate; got ${runs.length}`, ['llm-speed compare <baseline> <candidate> --fail-on-regression 5']);
  const regressions: GateFinding[] = [];
  const unjudged: GateReport['unjudged'] = [];
  for (const base of baseline.run.results) {
    const standing = comparison.comparability.find((s) => s.workload === base.workload);
    const cand = resultOf(candidate, base.workload);
    const [bs, cs] = [standing?.runs[0], standing?.runs[1]];
    if (!cand || !bs || !cs) {
      unjudged.push({ workload: base.workload, reason: `not measured in ${candidate.label}` });
      continue;
    }
    const broken = cs.codes.flatMap((c, i) => (BROKEN.has(c) ? [cs.reasons[i]!] : []));
    const baseBroken = bs.codes.some((c) => BROKEN.has(c));
    if (broken.length > 0 && !baseBroken) {
      regressions.push({ workload: base.workload, metric: null, baseline: null, candidate: null, difference: null, text: `${base.workload}: ${broken.join('; ')} in ${candidate.label}` });
      continue;
    }
    if (!cs.pair_comparable) {
      unjudged.push({ workload: base.workload, reason: `not the same measurement: ${cs.pair_reasons.join('; ')}` });
      continue;
    }
    for (const metric of metrics) {
      const row = comparison.rows.find((r) => r.workload === base.workload && r.metric === metric);
      const d = row?.differences[1];
      if (!row || !d) continue;
      const better = betterOf(metric);
      if (!isRegression(d, better, thresholdPct)) continue;
      regressions.push({
        workload: base.workload,
        metric,
        baseline: row.values[0] ?? null,
        candidate: row.values[1] ?? null,
        difference: d,
        text: `${base.workload} ${metric}: ${fmt(row.values[0] ?? null)} → ${fmt(row.values[1] ?? null)}, ${deltaText(d)}: worse by more than ${thresholdPct} % beyond the noise${d.intervals === 'none' ? ' (single measurements: compared as plain figures)' : ''}`,
      });
    }
  }
  const exit_code = regressions.length > 0 ? 1 : unjudged.length > 0 ? 3 : 0;
  const summary =
    exit_code === 1
      ? `regression: ${regressions.length} figure${regressions.length === 1 ? '' : 's'} of ${candidate.label} worse than ${baseline.label} by more than ${thresholdPct} % beyond the noise`
      : exit_code === 3
        ? `no regression found, but ${unjudged.map((u) => u.workload).join(', ')} could not be judged`
        : `no regression: no figure of ${candidate.label} is worse than ${baseline.label} by more than ${thresholdPct} % beyond the noise`;
  return { threshold_pct: thresholdPct, metrics: [...metrics], baseline: baseline.label, candidate: candidate.label, passed: exit_code === 0, regressions, unjudged, exit_code, summary };
}

/**
 * A regression threshold as given on the command line: a percentage from 0 (any worsening beyond
 * the noise fails) up to, not including, 100 (a rate cannot fall by 100 % or more, so such a gate
 * could never fire on one). "5" and "5%" both mean 5 %.
 */
export function parseThreshold(raw: string): number {
  const text = raw.trim().replace(/\s*%$/, '');
  const value = /^[0-9]+(\.[0-9]+)?$/.test(text) ? Number(text) : NaN;
  if (!Number.isFinite(value) || value >= 100) {
    throw new UsageError(`--fail-on-regression takes a percentage from 0 up to (not including) 100; got "${raw}"`, [
      'e.g. --fail-on-regression 5: fail when a figure got worse by more than 5 % beyond the noise',
    ]);
  }
  return value;
}

/** Metrics named for the gate, checked against the compared ones. */
export function parseGateMetrics(names: string[] | undefined): Metric[] {
  if (!names || names.length === 0) return [...GATED_METRICS];
  const known = new Set<string>(COMPARED_METRICS);
  const bad = names.find((n) => !known.has(n));
  if (bad !== undefined) throw new UsageError(`unknown metric "${bad}" for the regression gate; known: ${COMPARED_METRICS.join(', ')}`);
  return [...new Set(names)] as Metric[];
}

const fmt = (v: number | null) => (v === null ? '–' : v >= 1000 ? v.toFixed(0) : v.toFixed(2));
const signed = (v: number) => `${v > 0 ? '+' : v < 0 ? '−' : '±'}${Math.abs(v).toFixed(1)}`;

/** "+10.0 % [+7.9, +12.2]", "within noise, +0.8 %", "+92.8 %, n = 1". */
function deltaText(d: Difference): string {
  if (d.intervals === 'none') return `${signed(d.pct)} %, n = 1`;
  if (d.verdict === 'within-noise') return `within noise, ${signed(d.pct)} %`;
  return `${signed(d.pct)} % [${signed(d.low_pct)}, ${d.high_pct === null ? '+∞' : signed(d.high_pct)}]`;
}

/** A figure and its interval: "187.40 ±1.2 %" (half the 95 % CI, of the median), or the bare figure for n = 1. */
function valueText(s: MetricSpread): string {
  const half = relativeHalfWidth(s);
  return half === null ? fmt(s.median) : `${fmt(s.median)} ±${(half * 100).toFixed(1)} %`;
}

function cellText(row: ComparisonRow, i: number): string {
  const value = valueText(row.spreads[i]!);
  const verdict = row.verdicts[i];
  if (verdict === 'baseline' || verdict === 'missing') return value;
  if (verdict === 'not-comparable') return `${value} (no Δ)`;
  return `${value} (${deltaText(row.differences[i]!)})`;
}

/** The standing row's cell: "baseline", "same group", "other group [2]", "not comparable [1]", with repetitions. */
function standingCell(s: RunStanding | null, index: number, note: (text: string) => number): string {
  if (!s) return '–';
  const reps = `${s.repetitions} rep${s.repetitions === 1 ? '' : 's'}`;
  const marks = s.marks.length ? `, ${s.marks.join(', ')}` : '';
  if (index === 0) return `baseline, ${reps}${marks}`;
  if (!s.pair_comparable) return `NOT COMPARABLE [${note(s.pair_reasons.join('; '))}], ${reps}`;
  if (s.differences.length > 0) return `other group [${note(`different groups: ${s.differences.join('; ')}`)}], ${reps}${marks}`;
  return `same group, ${reps}${marks}`;
}

/** The notes under a table: [n] and the text; and the rank-comparability of each run (the board's rule). */
function tableNotes(c: Comparison) {
  const notes: string[] = [];
  const note = (text: string, who: string) => {
    const line = `${who}: ${text}`;
    const at = notes.indexOf(line);
    if (at >= 0) return at + 1;
    notes.push(line);
    return notes.length;
  };
  const standingCells = new Map<string, string[]>();
  for (const w of c.comparability) {
    const first = w.runs.findIndex((s) => s !== null);
    standingCells.set(
      w.workload,
      w.runs.map((s, i) => standingCell(s, i - first, (text) => note(text, `${c.runs[i]} on ${w.workload}`))),
    );
  }
  const single = c.rows.some((r) => r.differences.some((d) => d?.intervals === 'none'));
  return { notes, standingCells, single };
}

/**
 * The table in text: per workload a standing row (same group, other group, NOT COMPARABLE, with
 * the repetitions and marks) and one row per metric; each figure with its interval, each later
 * run's with its Δ against the first or "no Δ"; numbered notes under it say why.
 */
export function renderComparison(c: Comparison, color: boolean): string {
  const paint = (text: string, better: boolean | null) => (!color || better === null ? text : `\x1b[${better ? 32 : 31}m${text}\x1b[0m`);
  const { notes, standingCells, single } = tableNotes(c);
  const header = ['workload', 'metric', ...c.runs.map((r, i) => (i === 0 ? r : `${r} (Δ)`))];
  const table: Array<{ cells: string[]; better: Array<boolean | null> }> = [];
  for (const w of c.comparability) {
    table.push({ cells: [w.workload, 'standing', ...standingCells.get(w.workload)!], better: [] });
    for (const row of c.rows.filter((r) => r.workload === w.workload)) {
      table.push({ cells: [w.workload, row.metric, ...row.values.map((_, i) => cellText(row, i))], better: row.better });
    }
  }
  const widths = header.map((h, i) => Math.max(h.length, ...table.map((r) => r.cells[i]!.length)));
  const lines = [
    header
      .map((h, i) => h.padEnd(widths[i]!))
      .join('  ')
      .trimEnd(),
  ];
  for (const row of table) {
    lines.push(
      row.cells
        .map((cell, i) => paint(cell.padEnd(widths[i]!), i >= 2 ? (row.better[i - 2] ?? null) : null))
        .join('  ')
        .trimEnd(),
    );
  }
  const named = c.runs.flatMap((r, i) => (c.sources[i] !== undefined && c.sources[i] !== r ? [`${r} = ${c.sources[i]}`] : []));
  const legend = `figures: median ±half its 95 % CI; Δ against ${c.runs[0]} [its interval]; "within noise": the intervals overlap${single ? '; n = 1: single measurements, noise unknown' : ''} (METHODOLOGY §6.1)`;
  const gate = c.gate ? [`gate (${c.gate.threshold_pct} %): ${c.gate.summary}`, ...c.gate.regressions.map((r) => `  ${r.text}`), ...c.gate.unjudged.map((u) => `  ${u.workload}: ${u.reason}`)] : [];
  return [...lines, ...notes.map((n, i) => `[${i + 1}] ${n}`), ...c.warnings.map((w) => `warning: ${w}`), legend, ...(named.length > 0 ? [`runs: ${named.join(', ')}`] : []), ...gate].join('\n');
}

/** Each compared metric in words, with its unit: the CLI's Markdown table and the /compare page. */
export const METRIC_WORDS: Readonly<Record<Metric, string>> = {
  ttft_ms: 'TTFT (ms)',
  prefill_tps: 'prefill tok/s',
  decode_tps: 'decode tok/s',
  decode_p50_latency_ms: 'decode p50 (ms/token)',
  decode_p95_latency_ms: 'decode p95 (ms/token)',
  wall_ms: 'wall (ms)',
};

/**
 * Escapes what Markdown table cells cannot hold as text. An underscore is left alone: GitHub's
 * Markdown never reads one inside a word (r_…, decode_tps) as emphasis.
 */
function md(text: string): string {
  return text
    .replace(/\\/g, '\\\\')
    .replace(/\|/g, '\\|')
    .replace(/\n/g, ' ')
    .replace(/([*`[\]<>])/g, '\\$1');
}

/**
 * The same table in GitHub-flavoured Markdown, for a CI job summary ($GITHUB_STEP_SUMMARY): the
 * gate's verdict first, then one table with a standing row per workload, then the notes.
 */
export function renderComparisonMarkdown(c: Comparison, options: { title?: string } = {}): string {
  const { notes, standingCells, single } = tableNotes(c);
  const out: string[] = [`## ${md(options.title ?? `llm-speed compare: ${c.runs.join(' vs ')}`)}`, ''];
  if (c.gate) {
    const icon = c.gate.exit_code === 0 ? '✅' : c.gate.exit_code === 1 ? '❌' : '⚠️';
    out.push(`${icon} **${md(c.gate.summary)}** (threshold ${c.gate.threshold_pct} %, metrics: ${c.gate.metrics.join(', ')})`, '');
    for (const r of c.gate.regressions) out.push(`- ${md(r.text)}`);
    for (const u of c.gate.unjudged) out.push(`- ${md(`${u.workload}: ${u.reason}`)}`);
    if (c.gate.regressions.length + c.gate.unjudged.length > 0) out.push('');
  }
  out.push(`| workload | metric | ${c.runs.map((r, i) => md(i === 0 ? r : `${r} (Δ)`)).join(' | ')} |`, `|---|---|${c.runs.map(() => '---:|').join('')}`);
  for (const w of c.comparability) {
    out.push(`| ${md(w.workload)} | standing | ${standingCells.get(w.workload)!.map(md).join(' | ')} |`);
    for (const row of c.rows.filter((r) => r.workload === w.workload && r.values.some((v) => v !== null))) {
      const cells = row.values.map((_, i) => {
        const text = md(cellText(row, i));
        return row.better[i] === false ? `**${text}** 🔻` : row.better[i] === true ? `${text} 🔺` : text;
      });
      out.push(`| ${md(w.workload)} | ${METRIC_WORDS[row.metric]} | ${cells.join(' | ')} |`);
    }
  }
  out.push('');
  for (const [i, n] of notes.entries()) out.push(`${i + 1}. ${md(n)}`);
  for (const w of c.warnings) out.push(`- ⚠️ ${md(w)}`);
  out.push(
    '',
    `_Figures: median ± half its 95 % confidence interval. Δ: against ${md(c.runs[0]!)}, with its interval; "within noise" when the intervals overlap${single ? '; n = 1: single measurements, noise unknown' : ''} (METHODOLOGY §6.1)._`,
    '',
  );
  return out.join('\n');
}
