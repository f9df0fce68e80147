/**
 * The final table of a bench run: one row per workload, the METHODOLOGY §3 signals, laid out for
 * the terminal it is printed on (80 columns off a terminal). Every headline is the median of the
 * workload's repetitions, with its 95 % interval as ±% of it and the repetitions behind it (n)
 * (METHODOLOGY §6.3). Prefill and decode appear twice: the client's clock (what llm-speed
 * measured) and the backend's own timers where it has them (METHODOLOGY §3.2) — as columns of
 * their own when the width allows, else on a line under the row; for W4, whose client figures
 * cover the whole batch while the backend times each stream, the two clocks are set side by side
 * per stream under the row instead. Notes (flags in words, errors, cache figures) always go on
 * lines under their row, wrapped to the width, so a long note never pushes the figures off the
 * screen or breaks a row in two.
 */
import type { RunPayload } from '../contract/generated/run.js';
import type { BackendBuild, MetricSpread } from '../contract/generated/workload-result.js';
import { NOISY_DECODE, NOISY_TTFT } from '../harness/runner.js';
import { relativeHalfWidth } from '../harness/statistics.js';
import { energyLines } from './energy-lines.js';

/** Columns when nothing says otherwise (a pipe, a file, CI logs). */
export const DEFAULT_TABLE_WIDTH = 80;

/** The width to lay the table out for: the terminal's, else 80. */
export function tableWidth(stream: { isTTY?: boolean; columns?: number }): number {
  return stream.isTTY && typeof stream.columns === 'number' && stream.columns > 20 ? stream.columns : DEFAULT_TABLE_WIDTH;
}

function cell(value: number | null | undefined, digits = 1): string {
  if (value === null || value === undefined) return '–';
  return value.toFixed(value >= 1000 ? 0 : digits);
}

/** "cuda: NVIDIA H200", "cpu", "unknown build". */
export function describeBuild(build: BackendBuild | undefined): string {
  if (!build || build.kind === 'unknown') return 'unknown build';
  return build.devices?.length ? `${build.kind}: ${build.devices.join(', ')}` : build.kind;
}

type Result = RunPayload['results'][number];

/** "±1.8%" for an interval of ±1.8 % of the median; '' where there is none (one repetition). */
export function plusMinus(spread: MetricSpread | undefined): string {
  const rel = relativeHalfWidth(spread);
  if (rel === null) return '';
  if (!Number.isFinite(rel)) return '±∞';
  const pct = rel * 100;
  return `±${pct >= 10 ? pct.toFixed(0) : pct.toFixed(1)}%`;
}

/**
 * Each flag in words (METHODOLOGY §3.7), so a reader learns what it means where it appears.
 * A flag this release does not know (a newer driver's) is shown as it is.
 */
const FLAG_WORDS: Record<string, string | ((r: Result) => string)> = {
  quick: 'quick (a smoke test: not ranked)',
  'short-output': 'short-output (fewer tokens than asked)',
  'no-output': 'no-output (no token came back)',
  'warm-cache': "warm-cache (part of a prompt came from the backend's cache)",
  'harness-gap': "harness-gap (llm-speed's decode below 0.95 × the backend's own)",
  'serial-concurrency': 'serial-concurrency (streams one after another)',
  'embedded-engine': 'embedded-engine (llama.cpp in-process)',
  'model-warmed': 'model-warmed (the model was loaded before timing)',
  'hosted-provider': "hosted-provider (the network and the provider's queue are in every figure)",
  'thermal-throttled': 'thermal-throttled',
  'on-battery': 'on-battery',
  interrupted: 'interrupted (stopped before it finished: never submitted)',
  'out-of-bounds': 'out-of-bounds (a figure outside its physical bound was dropped)',
  noisy: (r) => {
    const parts = [`decode ${plusMinus(r.spread?.decode_tps) || '–'}`, `TTFT ${plusMinus(r.spread?.ttft_ms) || '–'}`];
    return `noisy (${parts.join(', ')} at 95 % over ${r.repetitions ?? 1} repetitions; reproducible means within ±${NOISY_DECODE * 100} % / ±${NOISY_TTFT * 100} %: not ranked)`;
  },
};

function flagWords(flag: string, r: Result): string {
  const words = FLAG_WORDS[flag];
  return words === undefined ? flag : typeof words === 'string' ? words : words(r);
}

/** Notes a reader needs to read a row right: errors, flags in words, the cache figures. */
function notes(r: Result): string {
  const words: string[] = [];
  if (r.error) words.push(`error: ${r.error}`);
  for (const flag of r.flags) words.push(flagWords(flag, r));
  if (r.prefix_cache_hit_rate !== null) words.push(`cache ${(r.prefix_cache_hit_rate * 100).toFixed(0)}%`);
  if (r.cached_prompt_tokens) words.push(`${r.cached_prompt_tokens} prompt tokens cached`);
  if (r.token_counts && r.token_counts !== 'backend') words.push(`counts: ${r.token_counts}`);
  return words.join(', ');
}

/** Word-wraps `text` to `width`, every line after the first indented by `indent` (a word longer than a line stays whole). */
export function wrapText(text: string, width: number, indent = '', firstIndent = indent): string[] {
  const lines: string[] = [];
  let current = firstIndent;
  let empty = true;
  for (const word of text.split(' ').filter(Boolean)) {
    if (!empty && current.length + 1 + word.length > width) {
      lines.push(current);
      current = indent + word;
    } else current += (empty ? '' : ' ') + word;
    empty = false;
  }
  if (!empty) lines.push(current);
  return lines;
}

interface Column {
  title: string;
  value(r: Result): string;
  /** Left-aligned (text) rather than right-aligned (figures). */
  left?: boolean;
}

/** W4: the client's figures cover the batch, the backend's one stream: never side by side in one row. */
const perStreamBackend = (r: Result) => Boolean(r.batches);
/** A latency: "4.30 ms", or "–" when there is none (a p95 over fewer than 20 values). */
const ms = (value: number | null | undefined) => (value === null || value === undefined ? '–' : `${cell(value, 2)} ms`);
/** A figure with its unit and interval: "156.2 tok/s ±1.8%". */
const rate = (value: number | null | undefined, spread: MetricSpread | undefined, unit: string, digits = 1) => {
  const pm = value === null || value === undefined ? '' : plusMinus(spread);
  return `${cell(value, digits)} ${unit}${pm ? ` ${pm}` : ''}`;
};
/** A figure with its interval: "156.2±1.8%". */
const withSpread = (value: number | null | undefined, spread: MetricSpread | undefined, digits = 1) =>
  value === null || value === undefined ? cell(value, digits) : `${cell(value, digits)}${plusMinus(spread)}`;

const WORKLOAD: Column = { title: 'workload', value: (r) => r.workload + (r.batch_size > 1 ? ` ×${r.batch_size}` : ''), left: true };
const REPS: Column = { title: 'n', value: (r) => String(r.repetitions ?? 1) };
const TTFT: Column = { title: 'TTFT ms', value: (r) => withSpread(r.ttft_ms, r.spread?.ttft_ms) };
const PREFILL: Column = { title: 'prefill/s', value: (r) => withSpread(r.prefill_tps, r.spread?.prefill_tps) };
const PREFILL_BACKEND: Column = { title: '(backend)', value: (r) => (perStreamBackend(r) ? '–' : cell(r.backend_prefill_tps)) };
const DECODE: Column = { title: 'decode/s', value: (r) => withSpread(r.decode_tps, r.spread?.decode_tps) };
const DECODE_BACKEND: Column = { title: '(backend)', value: (r) => (perStreamBackend(r) ? '–' : cell(r.backend_decode_tps)) };
const P50: Column = { title: 'p50 ms', value: (r) => cell(r.decode_p50_latency_ms, 2) };
const P95: Column = { title: 'p95 ms', value: (r) => cell(r.decode_p95_latency_ms, 2) };
const TOKENS: Column = { title: 'in→out', value: (r) => `${r.prompt_tokens ?? '–'}→${r.output_tokens ?? '–'}` };

const GAP = '  ';

function layout(columns: Column[], results: Result[]): { widths: number[]; total: number } {
  const widths = columns.map((c) => Math.max(c.title.length, ...results.map((r) => c.value(r).length)));
  return { widths, total: widths.reduce((s, w) => s + w, 0) + GAP.length * (columns.length - 1) };
}

/** `pricePerKwh`: the user's tariff, for the energy lines' cost (METHODOLOGY §13.3); never stored. */
export function renderResultsTable(run: RunPayload, options: { width?: number; pricePerKwh?: number } = {}): string {
  const width = options.width ?? DEFAULT_TABLE_WIDTH;
  const results = run.results;
  // The backend's clock as columns when they fit, else under each row that has it.
  const wide = [WORKLOAD, REPS, TTFT, PREFILL, PREFILL_BACKEND, DECODE, DECODE_BACKEND, P50, P95, TOKENS];
  const medium = [WORKLOAD, REPS, TTFT, PREFILL, DECODE, P50, P95, TOKENS];
  const narrow = [WORKLOAD, REPS, TTFT, PREFILL, DECODE, TOKENS];
  const backendInline = layout(wide, results).total <= width;
  // The widest layout that fits: the backend's clock, then the latency percentiles move under the row.
  const columns = backendInline ? wide : layout(medium, results).total <= width ? medium : narrow;
  const latencyInline = columns !== narrow;
  const { widths } = layout(columns, results);
  const format = (values: string[]) =>
    values
      .map((v, i) => (columns[i]!.left ? v.padEnd(widths[i]!) : v.padStart(widths[i]!)))
      .join(GAP)
      .trimEnd();

  const lines: string[] = [];
  const first = results[0];
  if (first) {
    const header = `${first.backend} ${first.backend_version} · ${describeBuild(first.backend_build)} · ${first.model.identifier}${first.model.quant ? ` ${first.model.quant}` : ''} · ${first.suite_version}`;
    lines.push(...wrapText(header, width, '  ', ''));
  }
  lines.push(format(columns.map((c) => c.title)));
  const under = '    ';
  for (const r of results) {
    lines.push(format(columns.map((c) => c.value(r))));
    if (!latencyInline) lines.push(`${under}per-token decode latency: p50 ${ms(r.decode_p50_latency_ms)}, p95 ${ms(r.decode_p95_latency_ms)}`);
    if (perStreamBackend(r)) lines.push(...wrapText(perStreamLine(r), width, under + '  ', under));
    else if (!backendInline && (r.backend_prefill_tps != null || r.backend_decode_tps != null)) {
      lines.push(`${under}backend's clock: prefill ${cell(r.backend_prefill_tps)}/s, decode ${cell(r.backend_decode_tps)}/s`);
    }
    const note = notes(r);
    if (note) lines.push(...wrapText(note, width, under));
  }
  const anyBackend = results.some((r) => r.backend_prefill_tps != null || r.backend_decode_tps != null);
  const legend = !anyBackend
    ? "prefill/s, decode/s: tokens per second on llm-speed's clock (the backend reported no timers of its own, METHODOLOGY §3.2)"
    : backendInline
      ? "prefill/s, decode/s: tokens per second on llm-speed's clock; (backend): the backend's own timers for the same requests (METHODOLOGY §3.2), – where it has none"
      : "prefill/s, decode/s: tokens per second on llm-speed's clock; the backend's own timers for the same requests under a row where it has them (METHODOLOGY §3.2)";
  lines.push(...wrapText(legend, width, '  ', ''));
  lines.push(
    ...wrapText(
      'Each figure is the median of n repetitions; ±: its 95 % confidence interval, as a share of the median (none for n = 1). p95 – : fewer than 20 values behind it (METHODOLOGY §6.3, §3.2)',
      width,
      '  ',
      '',
    ),
  );
  if (results.some(perStreamBackend)) {
    lines.push(...wrapText("concurrent-decode's decode/s is output throughput: all streams' tokens over the batch's wall time, prefill included (METHODOLOGY §1.4)", width, '  ', ''));
  }

  const details: string[] = [];
  for (const r of results) {
    for (const b of r.batches ?? []) {
      const backend = b.backend_decode_tps != null ? `, backend's clock ${rate(b.backend_decode_tps, b.spread?.backend_decode_tps, 'tok/s')}` : '';
      details.push(
        `W4 batch ${b.batch}: throughput ${rate(b.aggregate_tps, b.spread?.aggregate_tps, 'tok/s')} (prefill included); per stream decode ${rate(b.per_stream_tps, b.spread?.per_stream_tps, 'tok/s')}${backend}; p50 ${ms(b.p50_ms)}, p95 ${ms(b.p95_ms)}`,
      );
    }
    if (r.batches?.some((b) => b.batch === 1)) {
      details.push("W4 at batch 1: throughput counts the stream's prefill time (its TTFT), per-stream decode does not, so the first is the lower");
    }
    if (r.batches && r.flags.includes('serial-concurrency')) details.push('W4 streams ran one after another on this backend: the throughput is not concurrent throughput');
    for (const t of r.tiers ?? [])
      details.push(
        `W3 ${t.context_tokens} tokens: ${t.skipped ? `skipped (${t.skipped})` : `prefill ${rate(t.prefill_tps, t.spread?.prefill_tps, 'tok/s')}, decode ${rate(t.decode_tps, t.spread?.decode_tps, 'tok/s')}, TTFT ${rate(t.ttft_ms, t.spread?.ttft_ms, 'ms')}`}`,
      );
    if (r.turns) {
      // turn_p95_ms is published only over 20 turns or more; older runs carry a p95 over 11.
      const slowest = r.turn_max_ms != null ? `slowest turn ${cell(r.turn_max_ms)} ms` : `turn p95 ${cell(r.turn_p95_ms)} ms (over ${r.turns.length} turns)`;
      details.push(`W5 ${r.turns.length} turns: turn p50 ${cell(r.turn_p50_ms)} ms, ${slowest}, wall ${cell(r.wall_ms)} ms`);
    }
  }
  details.push(...energyLines(run, options.pricePerKwh));
  if (details.length) lines.push('', ...details.flatMap((d) => wrapText(d, width, '    ', '  ')));
  return lines.join('\n');
}

/**
 * W4 under its row, like with like (METHODOLOGY §1.4): the backend times each stream, so its
 * figures stand beside llm-speed's per-stream decode of the same batch, not beside the batch's
 * throughput in the row.
 */
function perStreamLine(r: Result): string {
  const top = r.batches?.[r.batches.length - 1];
  const client = top ? rate(top.per_stream_tps, top.spread?.per_stream_tps, 'tok/s') : '–';
  const backend =
    r.backend_decode_tps != null || r.backend_prefill_tps != null
      ? `; backend's clock: decode ${rate(r.backend_decode_tps, r.spread?.backend_decode_tps, 'tok/s')}, prefill ${rate(r.backend_prefill_tps, r.spread?.backend_prefill_tps, 'tok/s')}`
      : '';
  return `one stream of ${r.batch_size}: decode ${client} on llm-speed's clock${backend}`;
}
