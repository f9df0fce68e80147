/** @jsxRuntime automatic */
/** @jsxImportSource preact */
/** The charts of the pages: W3 decay, W4 scaling, W5 turns on a run page; the spread of every run on /m and /hw. */
import type { MeasuredResult } from '@llm-speed/framework';
import { clip, compactCount, duration, num } from '../format.js';
import { CHART_WIDTH, COLOURS, ChartFigure, FONT, Panel, maxOf, niceScale, tickText } from './chart-kit.js';

const tps = (v: number) => `${num(v)} tok/s`;
const pct = (v: number) => `${Math.round(v * 100)}%`;

/** W3: prefill and decode against context, each on its own axes (they differ by two orders of magnitude). */
export function TierChart({ id, result }: { id: string; result: MeasuredResult }) {
  const tiers = result.tiers ?? [];
  const categories = tiers.map((t) => compactCount(t.context_tokens));
  const notes = tiers.map((t) => (t.skipped ? 'skipped' : t.error ? 'failed' : null));
  const prefill = tiers.map((t) => t.prefill_tps);
  const decode = tiers.map((t) => t.decode_tps);
  return (
    <ChartFigure
      id={id}
      title="W3 long-context decay: prefill and decode tok/s by context length"
      height={400}
      caption="W3: prefill (top) and decode (bottom) tok/s at each context length, each on its own axis. Skipped tiers are marked."
    >
      <Panel
        top={0}
        height={195}
        categories={categories}
        xLabel="context tokens"
        left={{ scale: niceScale(maxOf(prefill)), colour: COLOURS.orange }}
        series={[{ label: 'prefill tok/s', colour: COLOURS.orange, values: prefill, format: tps }]}
        notes={notes}
      />
      <Panel
        top={205}
        height={195}
        categories={categories}
        xLabel="context tokens"
        left={{ scale: niceScale(maxOf(decode)), colour: COLOURS.blue }}
        series={[{ label: 'decode tok/s', colour: COLOURS.blue, values: decode, format: tps }]}
        notes={notes}
      />
    </ChartFigure>
  );
}

/** W4: aggregate tok/s (left axis) and per-stream tok/s (right axis) against batch size. */
export function BatchChart({ id, result }: { id: string; result: MeasuredResult }) {
  const batches = result.batches ?? [];
  const aggregate = batches.map((b) => b.aggregate_tps);
  const perStream = batches.map((b) => b.per_stream_tps);
  return (
    <ChartFigure
      id={id}
      title="W4 concurrent decode: aggregate and per-stream tok/s by batch size"
      height={230}
      caption="W4: aggregate tok/s across the streams (left axis) and each stream's own tok/s (right axis) at each batch size."
    >
      <Panel
        top={0}
        height={230}
        categories={batches.map((b) => String(b.batch))}
        xLabel="concurrent streams (batch size)"
        left={{ scale: niceScale(maxOf(aggregate)), colour: COLOURS.blue }}
        right={{ scale: niceScale(maxOf(perStream)), colour: COLOURS.orange }}
        series={[
          { label: 'aggregate tok/s (left)', colour: COLOURS.blue, values: aggregate, format: tps },
          { label: 'per-stream tok/s (right)', colour: COLOURS.orange, values: perStream, axis: 'right', format: tps },
        ]}
        notes={batches.map((b) => (b.error ? 'failed' : null))}
      />
    </ChartFigure>
  );
}

/** W5: per-turn TTFT and decode, each over bars of the turn's prefix-cache hit rate. */
export function TurnChart({ id, result }: { id: string; result: MeasuredResult }) {
  const turns = result.turns ?? [];
  const categories = turns.map((t) => String(t.turn));
  const hits = turns.map((t) => (typeof t.prefix_cache_hit_rate === 'number' ? t.prefix_cache_hit_rate : null));
  const hitAxis = { scale: { max: 1, ticks: [0, 0.5, 1] }, colour: COLOURS.grey, format: pct };
  const bars = { label: 'prefix-cache hits (right)', colour: COLOURS.grey, values: hits, format: pct };
  const ttft = turns.map((t) => t.ttft_ms);
  const decode = turns.map((t) => t.decode_tps);
  return (
    <ChartFigure
      id={id}
      title="W5 agent trace: TTFT and decode tok/s per turn, with prefix-cache hits"
      height={410}
      caption="W5: time to first token (top) and decode tok/s (bottom) per turn; grey bars: the share of the turn's prompt served from the prefix cache."
    >
      <Panel
        top={0}
        height={200}
        categories={categories}
        xLabel="turn"
        left={{ scale: niceScale(maxOf(ttft)), colour: COLOURS.purple }}
        right={hitAxis}
        bars={bars}
        series={[{ label: 'TTFT ms (left)', colour: COLOURS.purple, values: ttft, format: (v) => duration(v) }]}
      />
      <Panel
        top={210}
        height={200}
        categories={categories}
        xLabel="turn"
        left={{ scale: niceScale(maxOf(decode)), colour: COLOURS.blue }}
        right={hitAxis}
        bars={bars}
        series={[{ label: 'decode tok/s (left)', colour: COLOURS.blue, values: decode, format: tps }]}
      />
    </ChartFigure>
  );
}

export interface SpreadRow {
  label: string;
  href?: string;
  /** Small text after the label (backend, build). */
  detail?: string;
  median: number | null;
  points: Array<{ value: number; flagged: boolean; resultId: string }>;
}

const ROW_HEIGHT = 54;
/** Dots closer than this (in viewBox units) are drawn as one, its tooltip counting them: bounded markup at any board size. */
const DOT_BIN = 1.5;

/**
 * One row per group, every comparable run of it as a dot (a link to the run), the group's median
 * as a bar, flagged outliers as hollow red rings: the spread the board promises, not an average.
 */
export function SpreadPlot({ id, title, rows }: { id: string; title: string; rows: SpreadRow[] }) {
  const scale = niceScale(maxOf(rows.flatMap((r) => [r.median, ...r.points.map((p) => p.value)])));
  const left = 8;
  const right = CHART_WIDTH - 14;
  const top = 26;
  const height = top + rows.length * ROW_HEIGHT + 30;
  const xAt = (v: number) => left + (Math.min(v, scale.max) / scale.max) * (right - left);
  const axisY = top + rows.length * ROW_HEIGHT + 4;
  return (
    <ChartFigure id={id} title={title} height={height} caption={`${title}. Each dot is one comparable run (it links to the run); the dark bar is the group's median; red rings are flagged outliers.`}>
      <g class="legend">
        <circle cx="10" cy="12" r="3.5" fill={COLOURS.blue} fill-opacity="0.6" />
        <text x="18" y="16" font-size={FONT} fill="#57606a">
          one run
        </text>
        <line x1="78" y1="5" x2="78" y2="19" stroke="#1f2328" stroke-width="3" />
        <text x="86" y="16" font-size={FONT} fill="#57606a">
          median
        </text>
        <circle cx="140" cy="12" r="3.5" fill="none" stroke={COLOURS.red} stroke-width="1.5" />
        <text x="148" y="16" font-size={FONT} fill="#57606a">
          flagged
        </text>
        <text x={right} y="16" text-anchor="end" font-size={FONT} fill="#57606a">
          decode tok/s
        </text>
      </g>
      {scale.ticks.map((t) => (
        <g>
          <line x1={xAt(t).toFixed(1)} y1={top} x2={xAt(t).toFixed(1)} y2={axisY} stroke="#eaeef2" />
          <text x={xAt(t).toFixed(1)} y={axisY + 14} text-anchor="middle" font-size={FONT} fill="#57606a">
            {tickText(t)}
          </text>
        </g>
      ))}
      {rows.map((row, i) => {
        const y = top + i * ROW_HEIGHT;
        const band = y + 40;
        const bins = new Map<number, { value: number; flagged: boolean; resultIds: string[] }>();
        for (const p of row.points) {
          const key = Math.round(xAt(p.value) / DOT_BIN) * 10 + (p.flagged ? 1 : 0);
          const bin = bins.get(key) ?? { value: p.value, flagged: p.flagged, resultIds: [] };
          bin.resultIds.push(p.resultId);
          bins.set(key, bin);
        }
        const label = clip(row.label, 52);
        return (
          <g class="spread-row">
            <text x={left} y={y + 12} font-size={FONT} fill="#1f2328">
              {row.href ? <a href={row.href}>{label}</a> : label}
            </text>
            {row.detail ? (
              <text x={left} y={y + 25} font-size={FONT - 1} fill="#57606a">
                {clip(row.detail, 60)}
              </text>
            ) : null}
            <line x1={left} y1={band} x2={right} y2={band} stroke="#d0d7de" />
            {[...bins.values()].map((b) => {
              const tip = `${num(b.value)} tok/s${b.resultIds.length > 1 ? ` (${b.resultIds.length} runs)` : ` · ${b.resultIds[0]}`}${b.flagged ? ' · flagged' : ''}`;
              const dot = b.flagged ? (
                <circle class="run flagged" cx={xAt(b.value).toFixed(1)} cy={band} r="4" fill="none" stroke={COLOURS.red} stroke-width="1.5">
                  <title>{tip}</title>
                </circle>
              ) : (
                <circle class="run" cx={xAt(b.value).toFixed(1)} cy={band} r="4" fill={COLOURS.blue} fill-opacity="0.55">
                  <title>{tip}</title>
                </circle>
              );
              return <a href={`/r/${b.resultIds[0]}`}>{dot}</a>;
            })}
            {row.median !== null && (
              <line class="median" x1={xAt(row.median).toFixed(1)} y1={band - 9} x2={xAt(row.median).toFixed(1)} y2={band + 9} stroke="#1f2328" stroke-width="3">
                <title>{`median ${num(row.median)} tok/s`}</title>
              </line>
            )}
          </g>
        );
      })}
    </ChartFigure>
  );
}
