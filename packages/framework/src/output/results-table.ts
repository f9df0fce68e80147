/** The final table of a bench run: one row per workload, the METHODOLOGY §3 signals. */
import type { RunPayload } from '../contract/generated/run.js';

const COLUMNS = ['workload', 'TTFT ms', 'prefill tok/s', 'decode tok/s', 'p50 ms', 'p95 ms', 'tokens in→out', 'notes'] as const;

function cell(value: number | null | undefined, digits = 1): string {
  if (value === null || value === undefined) return '–';
  return value.toFixed(value >= 1000 ? 0 : digits);
}

export function renderResultsTable(run: RunPayload): string {
  const rows = run.results.map((r) => [
    r.workload + (r.batch_size > 1 ? ` (batch ${r.batch_size})` : ''),
    cell(r.ttft_ms),
    cell(r.prefill_tps),
    cell(r.decode_tps),
    cell(r.decode_p50_latency_ms, 2),
    cell(r.decode_p95_latency_ms, 2),
    `${r.prompt_tokens ?? '–'}→${r.output_tokens ?? '–'}`,
    [r.error ? `error: ${r.error}` : '', ...r.flags, r.prefix_cache_hit_rate !== null ? `cache ${(r.prefix_cache_hit_rate * 100).toFixed(0)}%` : '']
      .filter(Boolean)
      .join(', '),
  ]);
  const widths = COLUMNS.map((c, i) => Math.max(c.length, ...rows.map((row) => row[i]!.length)));
  const format = (row: readonly string[]) => row.map((v, i) => (i === 0 || i === row.length - 1 ? v.padEnd(widths[i]!) : v.padStart(widths[i]!))).join('  ').trimEnd();
  const first = run.results[0];
  const header = first
    ? `${first.backend} ${first.backend_version} · ${first.model.identifier}${first.model.quant ? ` ${first.model.quant}` : ''} · ${first.suite_version}`
    : '';
  const details: string[] = [];
  for (const r of run.results) {
    for (const b of r.batches ?? []) details.push(`  W4 batch ${String(b.batch).padStart(2)}: aggregate ${cell(b.aggregate_tps)} tok/s, per stream ${cell(b.per_stream_tps)} tok/s, p50 ${cell(b.p50_ms, 2)} ms, p95 ${cell(b.p95_ms, 2)} ms`);
    for (const t of r.tiers ?? []) details.push(`  W3 ${t.context_tokens} tokens: ${t.skipped ? `skipped (${t.skipped})` : `prefill ${cell(t.prefill_tps)} tok/s, decode ${cell(t.decode_tps)} tok/s, TTFT ${cell(t.ttft_ms)} ms`}`);
    if (r.turns) details.push(`  W5 ${r.turns.length} turns: turn p50 ${cell(r.turn_p50_ms)} ms, p95 ${cell(r.turn_p95_ms)} ms, wall ${cell(r.wall_ms)} ms`);
  }
  return [header, format(COLUMNS), ...rows.map(format), ...(details.length ? ['', ...details] : [])].join('\n');
}
