/** @jsxRuntime automatic */
/** @jsxImportSource preact */
/** One workload of a run: its figures (both clocks where present), counts, flags in words, comparability, and its chart. */
import type { MeasuredResult } from '@llm-speed/framework';
import type { ClusterRow } from '../../repository.js';
import { MIN_CLUSTER_SIZE } from '../../outliers.js';
import { TOKEN_COUNT_WORDS, compactCount, flagInWords, num, workloadLabel } from '../format.js';
import { BatchChart, TierChart, TurnChart } from './charts.js';
import { FlagNote } from './tables.js';

/** The figures a card lists, in order: key, label, digits. */
const SIGNALS: Array<[keyof MeasuredResult, string, number]> = [
  ['ttft_ms', 'TTFT (ms)', 1],
  ['prefill_tps', 'prefill tok/s', 1],
  ['backend_prefill_tps', "prefill tok/s, backend's clock", 1],
  ['decode_tps', 'decode tok/s', 1],
  ['backend_decode_tps', "decode tok/s, backend's clock", 1],
  ['decode_p50_latency_ms', 'decode p50 (ms/token)', 2],
  ['decode_p95_latency_ms', 'decode p95 (ms/token)', 2],
  ['prompt_tokens', 'prompt tokens', 0],
  ['cached_prompt_tokens', 'of which from a prefix cache', 0],
  ['output_tokens', 'output tokens', 0],
  ['batch_size', 'batch', 0],
  ['context_tokens', 'context tokens', 0],
  ['wall_ms', 'wall (ms)', 0],
  ['prefix_cache_hit_rate', 'prefix-cache hit rate', 3],
  ['turn_p50_ms', 'turn p50 (ms)', 1],
  ['turn_p95_ms', 'turn p95 (ms)', 1],
];

function Figures({ r }: { r: MeasuredResult }) {
  const rows = SIGNALS.filter(([key]) => r[key] !== undefined && !(key.startsWith('backend_') && r[key] === null) && !(key === 'cached_prompt_tokens' && r[key] === null));
  return (
    <table class="metrics">
      {rows.map(([key, label, digits]) => (
        <tr>
          <th>{label}</th>
          <td class="n" data-signal={String(key)}>
            {typeof r[key] === 'number' ? num(r[key] as number, digits) : '—'}
          </td>
        </tr>
      ))}
      {r.token_counts ? (
        <tr>
          <th>token counts from</th>
          <td data-signal="token_counts">{TOKEN_COUNT_WORDS[r.token_counts] ?? r.token_counts}</td>
        </tr>
      ) : null}
    </table>
  );
}

function TierTable({ r }: { r: MeasuredResult }) {
  return (
    <div class="scroll">
      <table class="tiers">
        <tr>
          <th>context</th>
          <th>prefill tok/s</th>
          <th>decode tok/s</th>
          <th>TTFT (ms)</th>
          <th>note</th>
        </tr>
        {(r.tiers ?? []).map((t) => (
          <tr>
            <td class="n">{t.context_tokens}</td>
            <td class="n">{num(t.prefill_tps)}</td>
            <td class="n">{num(t.decode_tps)}</td>
            <td class="n">{num(t.ttft_ms)}</td>
            <td>{t.skipped ?? t.error ?? ''}</td>
          </tr>
        ))}
      </table>
    </div>
  );
}

function BatchTable({ r }: { r: MeasuredResult }) {
  return (
    <div class="scroll">
      <table class="batches">
        <tr>
          <th>batch</th>
          <th>aggregate tok/s</th>
          <th>per-stream tok/s</th>
          <th>p50 (ms)</th>
          <th>p95 (ms)</th>
          <th>note</th>
        </tr>
        {(r.batches ?? []).map((b) => (
          <tr>
            <td class="n">{b.batch}</td>
            <td class="n">{num(b.aggregate_tps)}</td>
            <td class="n">{num(b.per_stream_tps)}</td>
            <td class="n">{num(b.p50_ms, 2)}</td>
            <td class="n">{num(b.p95_ms, 2)}</td>
            <td>{b.error ?? ''}</td>
          </tr>
        ))}
      </table>
    </div>
  );
}

function TurnTable({ r }: { r: MeasuredResult }) {
  return (
    <details>
      <summary>Every turn ({(r.turns ?? []).length})</summary>
      <div class="scroll">
        <table class="turns">
          <tr>
            <th>turn</th>
            <th>TTFT (ms)</th>
            <th>decode tok/s</th>
            <th>prompt</th>
            <th>output</th>
            <th>wall (ms)</th>
            <th>cache hit</th>
          </tr>
          {(r.turns ?? []).map((t) => (
            <tr>
              <td class="n">{t.turn}</td>
              <td class="n">{num(t.ttft_ms)}</td>
              <td class="n">{num(t.decode_tps)}</td>
              <td class="n">{t.prompt_tokens ?? '—'}</td>
              <td class="n">{t.output_tokens ?? '—'}</td>
              <td class="n">{num(t.wall_ms, 0)}</td>
              <td class="n">{num(t.prefix_cache_hit_rate ?? null, 3)}</td>
            </tr>
          ))}
        </table>
      </div>
    </details>
  );
}

export interface WorkloadCardProps {
  result: MeasuredResult;
  index: number;
  flaggedZ?: number;
  cluster?: ClusterRow;
  notComparable?: string[];
}

export function WorkloadCard({ result: r, index, flaggedZ, cluster, notComparable }: WorkloadCardProps) {
  const wide = Boolean(r.tiers?.length || r.batches?.length || r.turns?.length);
  const extras = Object.entries(r.extras ?? {});
  const flags = r.flags ?? [];
  return (
    <section class={`card workload${wide ? ' wide' : ''}`} id={`w-${index}`} data-workload={r.workload}>
      <h3>
        {workloadLabel(r.workload)}
        <FlagNote z={flaggedZ} />
      </h3>
      {notComparable ? <p class="not-comparable">Not comparable — not ranked, not counted in its group: {notComparable.join('; ')} (METHODOLOGY §6.1).</p> : null}
      <div class={wide ? 'charts' : undefined}>
        <div class="scroll">
          <Figures r={r} />
        </div>
        {r.tiers?.length ? <TierChart id={`chart-w3-${index}`} result={r} /> : null}
        {r.batches?.length ? <BatchChart id={`chart-w4-${index}`} result={r} /> : null}
        {r.turns?.length ? <TurnChart id={`chart-w5-${index}`} result={r} /> : null}
      </div>
      {r.tiers?.length ? <TierTable r={r} /> : null}
      {r.batches?.length ? <BatchTable r={r} /> : null}
      {r.turns?.length ? <TurnTable r={r} /> : null}
      {r.error ? <p class="error">Error: {r.error}</p> : null}
      {flags.length ? (
        <ul class="flags">
          {flags.map((f) => (
            <li>
              <code>{f}</code>: {flagInWords(f)}
            </li>
          ))}
        </ul>
      ) : null}
      {cluster && cluster.n > 0 ? (
        <p class="group">
          <small>
            Its group ({cluster.n} comparable run{cluster.n === 1 ? '' : 's'} on this hardware, model, backend and build): decode tok/s min {num(cluster.min)} · median {num(cluster.median)} · max{' '}
            {num(cluster.max)}; {cluster.flaggedCount} flagged
            {cluster.n < MIN_CLUSTER_SIZE ? ` (outliers are flagged from ${MIN_CLUSTER_SIZE} runs on)` : ''}
            {cluster.notRanked ? `; ${cluster.notRanked}` : ''}.
          </small>
        </p>
      ) : null}
      {extras.length ? (
        <p>
          <small>Extras: {extras.map(([k, v]) => `${k}=${String(v)}`).join(', ')}</small>
        </p>
      ) : null}
      {r.tiers?.length ? (
        <p>
          <small>Context tiers: {(r.tiers ?? []).map((t) => compactCount(t.context_tokens)).join(', ')}.</small>
        </p>
      ) : null}
    </section>
  );
}
