/**
 * The final table of a bench run: one row per workload, the METHODOLOGY §3 signals. Prefill and
 * decode appear twice: the client's clock (what llm-speed measured) and, beside it, the backend's
 * own timers where it has them (METHODOLOGY §3.2).
 */
import type { RunPayload } from '../contract/generated/run.js';
import type { BackendBuild } from '../contract/generated/workload-result.js';

const COLUMNS = ['workload', 'TTFT ms', 'prefill tok/s', '(backend)', 'decode tok/s', '(backend)', 'p50 ms', 'p95 ms', 'tokens in→out', 'notes'] as const;

function cell(value: number | null | undefined, digits = 1): string {
  if (value === null || value === undefined) return '–';
  return value.toFixed(value >= 1000 ? 0 : digits);
}

/** "cuda: NVIDIA H200", "cpu", "unknown build". */
export function describeBuild(build: BackendBuild | undefined): string {
  if (!build || build.kind === 'unknown') return 'unknown build';
  return build.devices?.length ? `${build.kind}: ${build.devices.join(', ')}` : build.kind;
}

/** Notes a reader needs to read a row right: errors, flags in words where a flag alone misleads, the cache figures. */
function notes(r: RunPayload['results'][number]): string {
  const words: string[] = [];
  if (r.error) words.push(`error: ${r.error}`);
  for (const flag of r.flags) words.push(flag === 'serial-concurrency' ? 'serial-concurrency (streams one after another)' : flag);
  if (r.prefix_cache_hit_rate !== null) words.push(`cache ${(r.prefix_cache_hit_rate * 100).toFixed(0)}%`);
  if (r.cached_prompt_tokens) words.push(`${r.cached_prompt_tokens} prompt tokens cached`);
  if (r.token_counts && r.token_counts !== 'backend') words.push(`counts: ${r.token_counts}`);
  return words.join(', ');
}

export function renderResultsTable(run: RunPayload): string {
  const rows = run.results.map((r) => [
    r.workload + (r.batch_size > 1 ? ` (batch ${r.batch_size})` : ''),
    cell(r.ttft_ms),
    cell(r.prefill_tps),
    cell(r.backend_prefill_tps),
    cell(r.decode_tps),
    cell(r.backend_decode_tps),
    cell(r.decode_p50_latency_ms, 2),
    cell(r.decode_p95_latency_ms, 2),
    `${r.prompt_tokens ?? '–'}→${r.output_tokens ?? '–'}`,
    notes(r),
  ]);
  const widths = COLUMNS.map((c, i) => Math.max(c.length, ...rows.map((row) => row[i]!.length)));
  const format = (row: readonly string[]) => row.map((v, i) => (i === 0 || i === row.length - 1 ? v.padEnd(widths[i]!) : v.padStart(widths[i]!))).join('  ').trimEnd();
  const first = run.results[0];
  const header = first
    ? `${first.backend} ${first.backend_version} · ${describeBuild(first.backend_build)} · ${first.model.identifier}${first.model.quant ? ` ${first.model.quant}` : ''} · ${first.suite_version}`
    : '';
  const details: string[] = [];
  for (const r of run.results) {
    for (const b of r.batches ?? []) details.push(`  W4 batch ${String(b.batch).padStart(2)}: aggregate ${cell(b.aggregate_tps)} tok/s, per stream ${cell(b.per_stream_tps)} tok/s, p50 ${cell(b.p50_ms, 2)} ms, p95 ${cell(b.p95_ms, 2)} ms`);
    if (r.batches && r.flags.includes('serial-concurrency')) details.push('  W4 streams ran one after another on this backend: the aggregate is not concurrent throughput');
    for (const t of r.tiers ?? []) details.push(`  W3 ${t.context_tokens} tokens: ${t.skipped ? `skipped (${t.skipped})` : `prefill ${cell(t.prefill_tps)} tok/s, decode ${cell(t.decode_tps)} tok/s, TTFT ${cell(t.ttft_ms)} ms`}`);
    if (r.turns) details.push(`  W5 ${r.turns.length} turns: turn p50 ${cell(r.turn_p50_ms)} ms, p95 ${cell(r.turn_p95_ms)} ms, wall ${cell(r.wall_ms)} ms`);
  }
  const legend = '(backend): the backend\'s own timers for the same requests (METHODOLOGY §3.2); – where it has none';
  return [header, format(COLUMNS), ...rows.map(format), legend, ...(details.length ? ['', ...details] : [])].join('\n');
}
