/** @jsxRuntime automatic */
/** @jsxImportSource preact */
/**
 * The parts every chart is drawn from: a nice scale, a panel with its own axes, a legend in a band
 * above the plot (never on a line), categorical x positions. Charts are SVG with a viewBox 360
 * units wide that the stylesheet scales to the column: at 375 px the 11-unit text is still ~10 px,
 * on a desktop the figure stops growing at 560 px.
 */
import type { ComponentChildren } from 'preact';
import { clip } from '../format.js';

export const CHART_WIDTH = 360;
export const FONT = 11;
export const COLOURS = { blue: '#0969da', orange: '#bc4c00', green: '#1a7f37', purple: '#8250df', grey: '#8c959f', red: '#cf222e' } as const;
const AXIS = '#8c959f';
const GRID = '#eaeef2';
/** Rough advance of one character at FONT (DejaVu/system sans): for legends and clipping only. */
const CHAR_WIDTH = FONT * 0.6;

export interface Scale {
  max: number;
  ticks: number[];
}

/** 0 to a round number at or above `maxValue`, with 3–5 round ticks. */
export function niceScale(maxValue: number, count = 4): Scale {
  if (!(maxValue > 0) || !Number.isFinite(maxValue)) return { max: 1, ticks: [0, 0.5, 1] };
  const raw = maxValue / count;
  const magnitude = 10 ** Math.floor(Math.log10(raw));
  const step = [1, 2, 2.5, 5, 10].map((m) => m * magnitude).find((s) => s >= raw * 0.999)!;
  const max = Math.ceil(maxValue / step - 1e-9) * step;
  const ticks: number[] = [];
  for (let i = 0; i * step <= max + step / 2; i++) ticks.push(Number((i * step).toPrecision(12)));
  return { max, ticks };
}

/** Tick text: 1500 → "1.5k", 12000 → "12k", 0.25 → "0.25". */
export function tickText(v: number): string {
  if (v >= 1000) return `${Number((v / 1000).toPrecision(3))}k`;
  return String(Number(v.toPrecision(3)));
}

export const maxOf = (values: Array<number | null | undefined>): number => values.reduce<number>((m, v) => (typeof v === 'number' && Number.isFinite(v) && v > m ? v : m), 0);

export interface Series {
  label: string;
  colour: string;
  values: Array<number | null>;
  axis?: 'left' | 'right';
  /** How a value reads in a point's tooltip. */
  format?: (v: number) => string;
  /** Each value's 95 % interval, drawn as an error bar; null (or absent) for a single measurement. */
  intervals?: Array<readonly [number, number] | null>;
}

export interface Axis {
  scale: Scale;
  colour?: string;
  format?: (v: number) => string;
}

export interface PanelProps {
  /** Top edge of the panel inside its SVG. */
  top: number;
  height: number;
  categories: string[];
  xLabel: string;
  left: Axis;
  right?: Axis;
  series: Series[];
  /** Drawn behind the lines, on the right axis. */
  bars?: Series;
  /** Per category, a word written in the plot where there is no value ("skipped"). */
  notes?: Array<string | null>;
}

interface LegendItem {
  label: string;
  colour: string;
  kind: 'line' | 'bar';
}

/** Legend items flowed left to right, wrapping; returns the elements and the band's height. */
function legend(items: LegendItem[], top: number): { height: number; elements: ComponentChildren } {
  let x = 4;
  let row = 0;
  const out: ComponentChildren[] = [];
  for (const item of items) {
    const width = 22 + item.label.length * CHAR_WIDTH + 14;
    if (x > 4 && x + width > CHART_WIDTH) {
      x = 4;
      row += 1;
    }
    const y = top + 12 + row * 16;
    out.push(
      <g class="legend-item">
        {item.kind === 'line' ? (
          <line x1={x} y1={y - 4} x2={x + 16} y2={y - 4} stroke={item.colour} stroke-width="2.5" />
        ) : (
          <rect x={x} y={y - 10} width="16" height="10" fill={item.colour} fill-opacity="0.35" />
        )}
        <text x={x + 22} y={y} font-size={FONT} fill={item.colour === COLOURS.grey ? '#57606a' : item.colour}>
          {item.label}
        </text>
      </g>,
    );
    x += width;
  }
  return { height: 18 + row * 16, elements: out };
}

/** Consecutive runs of present values: a line breaks where a value is missing. */
function segments(points: Array<{ x: number; y: number } | null>): Array<Array<{ x: number; y: number }>> {
  const out: Array<Array<{ x: number; y: number }>> = [[]];
  for (const p of points) {
    if (p) out[out.length - 1]!.push(p);
    else if (out[out.length - 1]!.length > 0) out.push([]);
  }
  return out.filter((s) => s.length > 1);
}

/** One plot with its own axes, legend band above it and x labels below. */
export function Panel(props: PanelProps) {
  const { top, height, categories, left, right, series, bars, notes } = props;
  const items: LegendItem[] = [
    ...(bars ? [{ label: bars.label, colour: bars.colour, kind: 'bar' as const }] : []),
    ...series.map((s) => ({ label: s.label, colour: s.colour, kind: 'line' as const })),
  ];
  const key = legend(items, top);
  const plotLeft = 44;
  const plotRight = CHART_WIDTH - (right ? 44 : 12);
  const plotTop = top + key.height + 6;
  const plotBottom = top + height - 30;
  const n = categories.length;
  const pad = Math.min(24, (plotRight - plotLeft) / (2 * Math.max(n, 1)));
  const xAt = (i: number) => (n <= 1 ? (plotLeft + plotRight) / 2 : plotLeft + pad + (i * (plotRight - plotLeft - 2 * pad)) / (n - 1));
  const yAt = (v: number, axis: Axis) => plotBottom - (Math.min(v, axis.scale.max) / axis.scale.max) * (plotBottom - plotTop);
  const axisOf = (s: Series) => (s.axis === 'right' && right ? right : left);
  const barWidth = Math.max(4, Math.min(22, ((plotRight - plotLeft) / Math.max(n, 1)) * 0.55));
  const fmt = (axis: Axis, v: number) => (axis.format ?? tickText)(v);
  return (
    <g class="panel">
      {key.elements}
      {left.scale.ticks.map((t) => (
        <g>
          <line x1={plotLeft} y1={yAt(t, left).toFixed(1)} x2={plotRight} y2={yAt(t, left).toFixed(1)} stroke={GRID} />
          <text x={plotLeft - 5} y={(yAt(t, left) + 4).toFixed(1)} text-anchor="end" font-size={FONT} fill={left.colour ?? '#57606a'}>
            {fmt(left, t)}
          </text>
        </g>
      ))}
      {right?.scale.ticks.map((t) => (
        <text x={plotRight + 5} y={(yAt(t, right) + 4).toFixed(1)} font-size={FONT} fill={right.colour ?? '#57606a'}>
          {fmt(right, t)}
        </text>
      ))}
      <line x1={plotLeft} y1={plotBottom} x2={plotRight} y2={plotBottom} stroke={AXIS} />
      <line x1={plotLeft} y1={plotTop} x2={plotLeft} y2={plotBottom} stroke={left.colour ?? AXIS} />
      {right && <line x1={plotRight} y1={plotTop} x2={plotRight} y2={plotBottom} stroke={right.colour ?? AXIS} />}
      {bars &&
        right &&
        bars.values.map((v, i) =>
          v === null ? null : (
            <rect
              class="bar"
              x={(xAt(i) - barWidth / 2).toFixed(1)}
              y={yAt(v, right).toFixed(1)}
              width={barWidth.toFixed(1)}
              height={(plotBottom - yAt(v, right)).toFixed(1)}
              fill={bars.colour}
              fill-opacity="0.3"
            >
              <title>{`${bars.label}, ${categories[i]}: ${(bars.format ?? tickText)(v)}`}</title>
            </rect>
          ),
        )}
      {series.map((s) => {
        const axis = axisOf(s);
        const points = s.values.map((v, i) => (v === null || !Number.isFinite(v) ? null : { x: xAt(i), y: yAt(v, axis) }));
        return (
          <g class="series">
            {segments(points).map((seg) => (
              <polyline fill="none" stroke={s.colour} stroke-width="2" points={seg.map((p) => `${p.x.toFixed(1)},${p.y.toFixed(1)}`).join(' ')} />
            ))}
            {points.map((p, i) => {
              const ci = p ? s.intervals?.[i] : null;
              if (!p || !ci) return null;
              const [low, high] = [yAt(ci[0], axis), yAt(ci[1], axis)];
              return (
                <g class="ci">
                  <line x1={p.x.toFixed(1)} y1={high.toFixed(1)} x2={p.x.toFixed(1)} y2={low.toFixed(1)} stroke={s.colour} stroke-width="1.5" />
                  <line x1={(p.x - 4).toFixed(1)} y1={high.toFixed(1)} x2={(p.x + 4).toFixed(1)} y2={high.toFixed(1)} stroke={s.colour} stroke-width="1.5" />
                  <line x1={(p.x - 4).toFixed(1)} y1={low.toFixed(1)} x2={(p.x + 4).toFixed(1)} y2={low.toFixed(1)} stroke={s.colour} stroke-width="1.5" />
                  <title>{`${s.label}, ${categories[i]}: 95 % CI ${(s.format ?? tickText)(ci[0])}–${(s.format ?? tickText)(ci[1])}`}</title>
                </g>
              );
            })}
            {points.map((p, i) =>
              p ? (
                <circle cx={p.x.toFixed(1)} cy={p.y.toFixed(1)} r="3.5" fill={s.colour}>
                  <title>{`${s.label}, ${categories[i]}: ${(s.format ?? tickText)(s.values[i]!)}`}</title>
                </circle>
              ) : null,
            )}
          </g>
        );
      })}
      {notes?.map((note, i) =>
        note ? (
          <text x={xAt(i).toFixed(1)} y={((plotTop + plotBottom) / 2).toFixed(1)} text-anchor="middle" font-size={FONT - 1} fill="#57606a">
            {clip(note, 14)}
          </text>
        ) : null,
      )}
      {categories.map((c, i) => (
        <text x={xAt(i).toFixed(1)} y={plotBottom + 14} text-anchor="middle" font-size={FONT} fill="#1f2328">
          {c}
        </text>
      ))}
      <text x={((plotLeft + plotRight) / 2).toFixed(1)} y={top + height - 3} text-anchor="middle" font-size={FONT} fill="#57606a">
        {props.xLabel}
      </text>
    </g>
  );
}

/** The figure around one or more panels: an SVG with a title for screen readers, and a caption. */
export function ChartFigure({ id, title, height, caption, children }: { id: string; title: string; height: number; caption?: string; children: ComponentChildren }) {
  return (
    <figure>
      <svg
        id={id}
        class="chart"
        role="img"
        aria-label={title}
        viewBox={`0 0 ${CHART_WIDTH} ${height}`}
        width={CHART_WIDTH}
        height={height}
        xmlns="http://www.w3.org/2000/svg"
        font-family="system-ui, sans-serif"
      >
        <title>{title}</title>
        {children}
      </svg>
      <figcaption>{caption ?? title}</figcaption>
    </figure>
  );
}
