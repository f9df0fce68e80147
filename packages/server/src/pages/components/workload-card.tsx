/** @jsxRuntime automatic */
/** @jsxImportSource preact */
/** One workload of a run: its figures (both clocks where present), counts, flags in words, comparability, and its chart. */
import { comparability, hasInterval, relativeHalfWidth, spreadOf, unrankedSentence, type Fingerprint, type MeasuredResult } from '@llm-speed/framework';
import type { ClusterRow } from '../../repository.js';
import { MIN_CLUSTER_SIZE } from '../../outliers.js';
import { TOKEN_COUNT_WORDS, compactCount, flagInWords, num, sentenceCase, workloadLabel } from '../format.js';
import { idleGpu } from '../hardware-label.js';
import { BatchChart, TierChart, TurnChart } from './charts.js';
import { EnergyBlock } from './energy.js';
import { FlagNote } from './tables.js';

/** One row of a card's figures: the key its value and spread are read from, its label, digits. */
type Signal = [keyof MeasuredResult, string, number];

/** The figures a card lists, in order: key, label, digits. */
const SIGNALS: Signal[] = [
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

/**
 * W4 sets like beside like (issue 26.1, METHODOLOGY §1.4): the headline decode_tps and prefill_tps
 * are the largest batch's throughput over all its streams, while the backend's clock times one
 * stream; so the throughputs are labelled as such, and the backend's per-stream rates stand beside
 * llm-speed's own per-stream decode (the largest batch's per_stream_tps), never beside the throughput.
 */
function concurrentSignals(batch: number): Signal[] {
  const streams = `all ${batch} streams`;
  return [
    ['decode_tps', `output throughput, ${streams} (tok/s, prefill included)`, 1],
    ['prefill_tps', `prompt throughput, ${streams} (tok/s)`, 1],
    ['ttft_ms', 'TTFT, mean of the streams (ms)', 1],
    ['decode_p50_latency_ms', 'decode p50 (ms/token)', 2],
    ['decode_p95_latency_ms', 'decode p95 (ms/token)', 2],
    ['prompt_tokens', 'prompt tokens, all streams', 0],
    ['output_tokens', 'output tokens, all streams', 0],
    ['batch_size', 'largest batch', 0],
    ['context_tokens', 'context tokens, one stream', 0],
    ['wall_ms', 'wall (ms)', 0],
  ];
}

/** "±1.2 %" beside a figure with an interval (METHODOLOGY §6.1); nothing for a single measurement. */
function SpreadNote({ holder, metric }: { holder: object; metric: string }) {
  const s = spreadOf(holder, metric);
  if (!hasInterval(s)) return null;
  const half = relativeHalfWidth(s);
  return (
    <span class="ci" title={`95 % CI ${num(s.ci_low, 1)}–${num(s.ci_high, 1)} over ${s.n} repetitions`}>
      {' '}
      ±{half === null ? '—' : (half * 100).toFixed(1)} %
    </span>
  );
}

function FigureRow({ signal, label, value, digits, holder, metric }: { signal: string; label: string; value: unknown; digits: number; holder?: object; metric?: string }) {
  return (
    <tr>
      <th>{label}</th>
      <td class="n" data-signal={signal}>
        {typeof value === 'number' ? num(value, digits) : '—'}
        {holder && metric ? <SpreadNote holder={holder} metric={metric} /> : null}
      </td>
    </tr>
  );
}

/** W4's per-stream rows: one stream of the largest batch on llm-speed's clock, then the backend's clock for the same streams. */
function PerStreamRows({ r }: { r: MeasuredResult }) {
  const largest = (r.batches ?? []).find((b) => b.batch === r.batch_size) ?? (r.batches ?? []).at(-1);
  if (!largest) return null;
  const one = `one stream of ${largest.batch}`;
  return (
    <>
      <FigureRow signal="per_stream_tps" label={`${one}: decode tok/s, llm-speed's clock`} value={largest.per_stream_tps} digits={1} holder={largest} metric="per_stream_tps" />
      {typeof r.backend_decode_tps === 'number' ? (
        <FigureRow signal="backend_decode_tps" label={`${one}: decode tok/s, backend's clock`} value={r.backend_decode_tps} digits={1} holder={r} metric="backend_decode_tps" />
      ) : null}
      {typeof r.backend_prefill_tps === 'number' ? (
        <FigureRow signal="backend_prefill_tps" label={`${one}: prefill tok/s, backend's clock`} value={r.backend_prefill_tps} digits={1} holder={r} metric="backend_prefill_tps" />
      ) : null}
    </>
  );
}

function Figures({ r }: { r: MeasuredResult }) {
  const concurrent = r.workload === 'concurrent-decode' && Boolean(r.batches?.length);
  const signals = concurrent ? concurrentSignals(r.batch_size ?? r.batches!.at(-1)!.batch) : SIGNALS;
  const rows = signals.filter(([key]) => r[key] !== undefined && !(key.startsWith('backend_') && r[key] === null) && !(key === 'cached_prompt_tokens' && r[key] === null));
  return (
    <table class="metrics">
      {rows.slice(0, concurrent ? 2 : rows.length).map(([key, label, digits]) => (
        <FigureRow signal={String(key)} label={label} value={r[key]} digits={digits} holder={r} metric={String(key)} />
      ))}
      {concurrent ? <PerStreamRows r={r} /> : null}
      {concurrent ? rows.slice(2).map(([key, label, digits]) => <FigureRow signal={String(key)} label={label} value={r[key]} digits={digits} holder={r} metric={String(key)} />) : null}
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

/** A batch's own backend clock, where the CLI recorded it (repetitions: METHODOLOGY §1.4). */
function backendOfBatch(b: object, key: 'backend_decode_tps' | 'backend_prefill_tps'): number | null {
  const v = (b as Record<string, unknown>)[key];
  return typeof v === 'number' ? v : null;
}

function BatchTable({ r }: { r: MeasuredResult }) {
  const batches = r.batches ?? [];
  const backend = batches.some((b) => backendOfBatch(b, 'backend_decode_tps') !== null);
  return (
    <div class="scroll">
      <table class="batches">
        <tr>
          <th>batch</th>
          <th>throughput, all streams (tok/s)</th>
          <th>one stream: decode tok/s</th>
          {backend ? <th>one stream: backend's clock</th> : null}
          <th>p50 (ms)</th>
          <th>p95 (ms)</th>
          <th>note</th>
        </tr>
        {batches.map((b) => (
          <tr data-batch={b.batch}>
            <td class="n">{b.batch}</td>
            <td class="n" data-col="aggregate_tps">
              {num(b.aggregate_tps)}
              <SpreadNote holder={b} metric="aggregate_tps" />
            </td>
            <td class="n" data-col="per_stream_tps">
              {num(b.per_stream_tps)}
              <SpreadNote holder={b} metric="per_stream_tps" />
            </td>
            {backend ? (
              <td class="n" data-col="backend_decode_tps">
                {num(backendOfBatch(b, 'backend_decode_tps'))}
              </td>
            ) : null}
            <td class="n">{num(b.p50_ms, 2)}</td>
            <td class="n">{num(b.p95_ms, 2)}</td>
            <td>{b.error ?? ''}</td>
          </tr>
        ))}
      </table>
      <p>
        <small>
          Throughput counts every token the batch's streams generated over the batch's whole time, prefill included; one stream's decode is that stream's own rate, the figure to set beside the
          backend's clock. They differ even at batch 1 (METHODOLOGY §1.4).
        </small>
      </p>
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
  fingerprint: Pick<Fingerprint, 'gpus'>;
}

export function WorkloadCard({ result: r, index, flaggedZ, cluster, fingerprint }: WorkloadCardProps) {
  const wide = Boolean(r.tiers?.length || r.batches?.length || r.turns?.length);
  const extras = Object.entries(r.extras ?? {});
  const flags = r.flags ?? [];
  const verdict = comparability(r);
  const idle = idleGpu(fingerprint, r);
  return (
    <section class={`card workload${wide ? ' wide' : ''}`} id={`w-${index}`} data-workload={r.workload}>
      <h3>
        {workloadLabel(r.workload)}
        <FlagNote z={flaggedZ} />
      </h3>
      {verdict.comparable ? null : (
        <p class="not-comparable" data-unranked="workload">
          {sentenceCase(unrankedSentence(verdict))} Not counted in its group (METHODOLOGY §6.1).
        </p>
      )}
      {idle ? (
        <p class="notice" data-idle-gpu>
          Measured on the CPU: this machine has {idle.name}, which the backend left unused. These are the CPU's figures, listed apart from the GPU's.
        </p>
      ) : null}
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
      <EnergyBlock result={r} />
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
