/**
 * The final table of a bench run: one row per workload, the METHODOLOGY §3 signals, laid out for
 * the terminal it is printed on (80 columns off a terminal). Prefill and decode appear twice: the
 * client's clock (what llm-speed measured) and the backend's own timers where it has them
 * (METHODOLOGY §3.2) — as columns of their own when the width allows, else on a line under the
 * row. Notes (flags, errors, cache figures) always go on lines under their row, wrapped to the
 * width, so a long note never pushes the figures off the screen or breaks a row in two.
 */
import type { RunPayload } from '../contract/generated/run.js';
import type { BackendBuild } from '../contract/generated/workload-result.js';
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

/** Notes a reader needs to read a row right: errors, flags in words where a flag alone misleads, the cache figures. */
function notes(r: Result): string {
  const words: string[] = [];
  if (r.error) words.push(`error: ${r.error}`);
  for (const flag of r.flags) words.push(flag === 'serial-concurrency' ? 'serial-concurrency (streams one after another)' : flag);
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

const WORKLOAD: Column = { title: 'workload', value: (r) => r.workload + (r.batch_size > 1 ? ` ×${r.batch_size}` : ''), left: true };
const TTFT: Column = { title: 'TTFT ms', value: (r) => cell(r.ttft_ms) };
const PREFILL: Column = { title: 'prefill/s', value: (r) => cell(r.prefill_tps) };
const PREFILL_BACKEND: Column = { title: '(backend)', value: (r) => cell(r.backend_prefill_tps) };
const DECODE: Column = { title: 'decode/s', value: (r) => cell(r.decode_tps) };
const DECODE_BACKEND: Column = { title: '(backend)', value: (r) => cell(r.backend_decode_tps) };
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
  const wide = [WORKLOAD, TTFT, PREFILL, PREFILL_BACKEND, DECODE, DECODE_BACKEND, P50, P95, TOKENS];
  const narrow = [WORKLOAD, TTFT, PREFILL, DECODE, P50, P95, TOKENS];
  const backendInline = layout(wide, results).total <= width;
  const columns = backendInline ? wide : narrow;
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
    if (!backendInline && (r.backend_prefill_tps != null || r.backend_decode_tps != null)) {
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

  const details: string[] = [];
  for (const r of results) {
    for (const b of r.batches ?? [])
      details.push(
        `W4 batch ${String(b.batch).padStart(2)}: aggregate ${cell(b.aggregate_tps)} tok/s, per stream ${cell(b.per_stream_tps)} tok/s, p50 ${cell(b.p50_ms, 2)} ms, p95 ${cell(b.p95_ms, 2)} ms`,
      );
    if (r.batches && r.flags.includes('serial-concurrency')) details.push('W4 streams ran one after another on this backend: the aggregate is not concurrent throughput');
    for (const t of r.tiers ?? [])
      details.push(`W3 ${t.context_tokens} tokens: ${t.skipped ? `skipped (${t.skipped})` : `prefill ${cell(t.prefill_tps)} tok/s, decode ${cell(t.decode_tps)} tok/s, TTFT ${cell(t.ttft_ms)} ms`}`);
    if (r.turns) details.push(`W5 ${r.turns.length} turns: turn p50 ${cell(r.turn_p50_ms)} ms, p95 ${cell(r.turn_p95_ms)} ms, wall ${cell(r.wall_ms)} ms`);
  }
  details.push(...energyLines(run, options.pricePerKwh));
  if (details.length) lines.push('', ...details.flatMap((d) => wrapText(d, width, '    ', '  ')));
  return lines.join('\n');
}
