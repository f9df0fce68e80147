/** @jsxRuntime automatic */
/** @jsxImportSource preact */
/** The charts of the pages: W3 decay, W4 scaling, W5 turns on a run page; the spread of every run on /m and /hw. */
import { hasInterval, spreadOf, type MeasuredResult } from '@llm-speed/framework';
import { clip, compactCount, duration, num } from '../format.js';
import { CHART_WIDTH, COLOURS, ChartFigure, FONT, Panel, maxOf, niceScale, tickText } from './chart-kit.js';

const tps = (v: number) => `${num(v)} tok/s`;

/** Each holder's 95 % interval of `metric` (compare/spread.ts), null where it is a single measurement. */
function intervalsOf(holders: object[], metric: string): Array<readonly [number, number] | null> {
  return holders.map((h) => {
    const s = spreadOf(h, metric);
    return hasInterval(s) ? ([s.ci_low, s.ci_high] as const) : null;
  });
}

/** The sentence every chart's caption ends with: what a bar is, and what a point without one is. */
function errorBarWords(intervals: Array<readonly unknown[] | null>): string {
  return intervals.some(Boolean)
    ? ' Bars: the 95 % confidence interval over the repetitions; a point without a bar is a single measurement.'
    : ' Every point is a single measurement (no repetitions, so no interval to draw).';
}
const pct = (v: number) => `${Math.round(v * 100)}%`;

/** W3: prefill and decode against context, each on its own axes (they differ by two orders of magnitude). */
export function TierChart({ id, result }: { id: string; result: MeasuredResult }) {
  const tiers = result.tiers ?? [];
  const categories = tiers.map((t) => compactCount(t.context_tokens));
  const notes = tiers.map((t) => (t.skipped ? 'skipped' : t.error ? 'failed' : null));
  const prefill = tiers.map((t) => t.prefill_tps);
  const decode = tiers.map((t) => t.decode_tps);
  const [prefillCi, decodeCi] = [intervalsOf(tiers, 'prefill_tps'), intervalsOf(tiers, 'decode_tps')];
  return (
    <ChartFigure
      id={id}
      title="W3 long-context decay: prefill and decode tok/s by context length"
      height={400}
      caption={`W3: prefill (top) and decode (bottom) tok/s at each context length, each on its own axis. Skipped tiers are marked.${errorBarWords([...prefillCi, ...decodeCi])}`}
    >
      <Panel
        top={0}
        height={195}
        categories={categories}
        xLabel="context tokens"
        left={{ scale: niceScale(maxOf([...prefill, ...prefillCi.map((c) => c?.[1] ?? null)])), colour: COLOURS.orange }}
        series={[{ label: 'prefill tok/s', colour: COLOURS.orange, values: prefill, format: tps, intervals: prefillCi }]}
        notes={notes}
      />
      <Panel
        top={205}
        height={195}
        categories={categories}
        xLabel="context tokens"
        left={{ scale: niceScale(maxOf([...decode, ...decodeCi.map((c) => c?.[1] ?? null)])), colour: COLOURS.blue }}
        series={[{ label: 'decode tok/s', colour: COLOURS.blue, values: decode, format: tps, intervals: decodeCi }]}
        notes={notes}
      />
    </ChartFigure>
  );
}

/**
 * W4: the batch's output throughput over all its streams (left axis) and one stream's own decode
 * rate (right axis) against batch size: two different quantities, each named as what it is
 * (METHODOLOGY §1.4), never one "decode" line beside another.
 */
export function BatchChart({ id, result }: { id: string; result: MeasuredResult }) {
  const batches = result.batches ?? [];
  const aggregate = batches.map((b) => b.aggregate_tps);
  const perStream = batches.map((b) => b.per_stream_tps);
  const [aggregateCi, perStreamCi] = [intervalsOf(batches, 'aggregate_tps'), intervalsOf(batches, 'per_stream_tps')];
  return (
    <ChartFigure
      id={id}
      title="W4 concurrent decode: throughput of all streams and one stream's decode tok/s by batch size"
      height={230}
      caption={`W4: output throughput over all the batch's streams, prefill included (left axis), and one stream's own decode tok/s (right axis) at each batch size.${errorBarWords([...aggregateCi, ...perStreamCi])}`}
    >
      <Panel
        top={0}
        height={230}
        categories={batches.map((b) => String(b.batch))}
        xLabel="concurrent streams (batch size)"
        left={{ scale: niceScale(maxOf([...aggregate, ...aggregateCi.map((c) => c?.[1] ?? null)])), colour: COLOURS.blue }}
        right={{ scale: niceScale(maxOf([...perStream, ...perStreamCi.map((c) => c?.[1] ?? null)])), colour: COLOURS.orange }}
        series={[
          { label: 'throughput, all streams (left)', colour: COLOURS.blue, values: aggregate, format: tps, intervals: aggregateCi },
          { label: 'one stream (right)', colour: COLOURS.orange, values: perStream, axis: 'right', format: tps, intervals: perStreamCi },
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
      caption="W5: time to first token (top) and decode tok/s (bottom) per turn; grey bars: the share of the turn's prompt served from the prefix cache. A repeated trace shows each turn's median over the repetitions."
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

export interface SpreadPoint {
  value: number;
  /** Its 95 % interval; null for a single measurement. */
  ciLow: number | null;
  ciHigh: number | null;
  flagged: boolean;
  resultId: string;
  /** The run a page is about: drawn larger, in its own colour. */
  highlight?: boolean;
}

export interface SpreadRow {
  label: string;
  href?: string;
  /** Small text after the label (backend, build). */
  detail?: string;
  median: number | null;
  points: SpreadPoint[];
}

const ROW_HEIGHT = 54;
/** Dots closer than this (in viewBox units) are drawn as one, its tooltip counting them: bounded markup at any board size. */
const DOT_BIN = 1.5;

/** Characters of a row's label on its first line. */
const LABEL_CHARS = 52;

/**
 * A row label that fits one line whole, else cut at the last ", " or " + " that fits, the rest
 * going to the line under it: "H200 144 GB + Intel Xeon Platinum 8468, 16 cores," then "128 GB
 * RAM" — a hardware label keeps its cores and memory instead of ending in an ellipsis.
 */
export function splitLabel(text: string, max: number): [string, string] {
  if (text.length <= max) return [text, ''];
  const cut = Math.max(text.lastIndexOf(', ', max - 1), text.lastIndexOf(' + ', max - 1));
  if (cut <= 0) return [clip(text, max), ''];
  const joint = text.startsWith(', ', cut) ? 1 : 0;
  return [text.slice(0, cut + joint), text.slice(cut + (joint ? 2 : 1)).replace(/^\+ /, '+ ')];
}

/**
 * One row per group, every comparable run of it as a dot (a link to the run) with its 95 %
 * interval as an error bar, the group's median as a bar, flagged outliers as hollow red rings:
 * the spread the board promises, not an average. A run without repetitions is a dot alone, and the
 * legend says so.
 */
export function SpreadPlot({ id, title, rows, axis = 'decode tok/s' }: { id: string; title: string; rows: SpreadRow[]; axis?: string }) {
  const scale = niceScale(maxOf(rows.flatMap((r) => [r.median, ...r.points.map((p) => Math.max(p.value, p.ciHigh ?? 0))])));
  const left = 8;
  const right = CHART_WIDTH - 14;
  const top = 44;
  const height = top + rows.length * ROW_HEIGHT + 30;
  const xAt = (v: number) => left + (Math.min(v, scale.max) / scale.max) * (right - left);
  const axisY = top + rows.length * ROW_HEIGHT + 4;
  const bin = (v: number) => Math.round(xAt(v) / DOT_BIN);
  return (
    <ChartFigure
      id={id}
      title={title}
      height={height}
      caption={`${title}. Each dot is one comparable run (it links to the run), the line through it its 95 % confidence interval; a dot without a line is a single measurement, with no interval. The dark bar is the group's median; red rings are flagged outliers.`}
    >
      <g class="legend">
        <line x1="4" y1="12" x2="24" y2="12" stroke={COLOURS.blue} stroke-width="1.5" />
        <circle cx="14" cy="12" r="3.5" fill={COLOURS.blue} fill-opacity="0.6" />
        <text x="30" y="16" font-size={FONT} fill="#57606a">
          one run, its 95 % CI
        </text>
        <circle cx="154" cy="12" r="3.5" fill={COLOURS.blue} fill-opacity="0.6" />
        <text x="162" y="16" font-size={FONT} fill="#57606a">
          single measurement
        </text>
        <line x1="10" y1="25" x2="10" y2="39" stroke="#1f2328" stroke-width="3" />
        <text x="18" y="36" font-size={FONT} fill="#57606a">
          median
        </text>
        <circle cx="72" cy="32" r="3.5" fill="none" stroke={COLOURS.red} stroke-width="1.5" />
        <text x="80" y="36" font-size={FONT} fill="#57606a">
          flagged
        </text>
        <text x={right} y="36" text-anchor="end" font-size={FONT} fill="#57606a">
          {axis}
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
        const bins = new Map<number, { value: number; flagged: boolean; highlight: boolean; resultIds: string[] }>();
        const whiskers = new Map<string, { low: number; high: number; n: number }>();
        for (const p of row.points) {
          const key = bin(p.value) * 10 + (p.flagged ? 1 : 0) + (p.highlight ? 2 : 0);
          const b = bins.get(key) ?? { value: p.value, flagged: p.flagged, highlight: Boolean(p.highlight), resultIds: [] };
          b.resultIds.push(p.resultId);
          bins.set(key, b);
          if (p.ciLow !== null && p.ciHigh !== null) {
            const wkey = `${bin(p.ciLow)}:${bin(p.ciHigh)}`;
            const w = whiskers.get(wkey) ?? { low: p.ciLow, high: p.ciHigh, n: 0 };
            w.n += 1;
            whiskers.set(wkey, w);
          }
        }
        const [label, rest] = splitLabel(row.label, LABEL_CHARS);
        const detail = [rest, row.detail].filter(Boolean).join(' · ');
        return (
          <g class="spread-row">
            <text x={left} y={y + 12} font-size={FONT} fill="#1f2328">
              {row.href ? <a href={row.href}>{label}</a> : label}
            </text>
            {detail ? (
              <text x={left} y={y + 25} font-size={FONT - 1} fill="#57606a">
                {clip(detail, 60)}
              </text>
            ) : null}
            <line x1={left} y1={band} x2={right} y2={band} stroke="#d0d7de" />
            {[...whiskers.values()].map((w) => (
              <g class="ci">
                <line x1={xAt(w.low).toFixed(1)} y1={band} x2={xAt(w.high).toFixed(1)} y2={band} stroke={COLOURS.blue} stroke-width="1.5" />
                <line x1={xAt(w.low).toFixed(1)} y1={band - 4} x2={xAt(w.low).toFixed(1)} y2={band + 4} stroke={COLOURS.blue} stroke-width="1.5" />
                <line x1={xAt(w.high).toFixed(1)} y1={band - 4} x2={xAt(w.high).toFixed(1)} y2={band + 4} stroke={COLOURS.blue} stroke-width="1.5" />
                <title>{`95 % CI ${num(w.low)}–${num(w.high)} tok/s${w.n > 1 ? ` (${w.n} runs)` : ''}`}</title>
              </g>
            ))}
            {[...bins.values()].map((b) => {
              const tip = `${num(b.value)} tok/s${b.resultIds.length > 1 ? ` (${b.resultIds.length} runs)` : ` · ${b.resultIds[0]}`}${b.flagged ? ' · flagged' : ''}`;
              const dot = b.flagged ? (
                <circle class="run flagged" cx={xAt(b.value).toFixed(1)} cy={band} r="4" fill="none" stroke={COLOURS.red} stroke-width="1.5">
                  <title>{tip}</title>
                </circle>
              ) : (
                <circle
                  class={b.highlight ? 'run this-run' : 'run'}
                  cx={xAt(b.value).toFixed(1)}
                  cy={band}
                  r={b.highlight ? '6' : '4'}
                  fill={b.highlight ? COLOURS.orange : COLOURS.blue}
                  fill-opacity={b.highlight ? '0.9' : '0.55'}
                >
                  <title>{b.highlight ? `this run: ${tip}` : tip}</title>
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
