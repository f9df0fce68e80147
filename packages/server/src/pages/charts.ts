/** Inline SVG line charts (no client scripts): W3 decay over context length, W4 scaling over batch. */
import { html, num, type SafeHtml } from './html.js';

export interface Series {
  label: string;
  points: Array<{ x: number; y: number | null }>;
}

const W = 520;
const H = 240;
const PAD = { left: 56, right: 36, top: 16, bottom: 40 };
const COLOURS = ['#2563eb', '#dc2626', '#059669'];

export function lineChart(title: string, xLabel: string, series: Series[], id: string): SafeHtml {
  const xs = series.flatMap((s) => s.points.map((p) => p.x));
  const ys = series.flatMap((s) => s.points.map((p) => p.y).filter((y): y is number => y !== null && Number.isFinite(y)));
  if (xs.length === 0 || ys.length === 0) return html`<p>${title}: no data.</p>`;
  // Categorical x axis: context tiers and batch sizes are a handful of discrete values.
  const categories = [...new Set(xs)].sort((a, b) => a - b);
  const yMax = Math.max(...ys) * 1.1 || 1;
  const px = (x: number) => PAD.left + (categories.length === 1 ? 0.5 : categories.indexOf(x) / (categories.length - 1)) * (W - PAD.left - PAD.right);
  const py = (y: number) => H - PAD.bottom - (y / yMax) * (H - PAD.top - PAD.bottom);
  const lines = series.map((s, i) => {
    const pts = s.points.filter((p): p is { x: number; y: number } => p.y !== null && Number.isFinite(p.y));
    const colour = COLOURS[i % COLOURS.length];
    return html`<polyline fill="none" stroke="${colour}" stroke-width="2" points="${pts.map((p) => `${px(p.x).toFixed(1)},${py(p.y).toFixed(1)}`).join(' ')}"/>
${pts.map((p) => html`<circle cx="${px(p.x).toFixed(1)}" cy="${py(p.y).toFixed(1)}" r="3" fill="${colour}"><title>${s.label} ${p.x}: ${num(p.y)}</title></circle>`)}
<text x="${W - PAD.right}" y="${PAD.top + 14 * (i + 1)}" text-anchor="end" fill="${colour}" font-size="12">${s.label}</text>`;
  });
  const ticks = categories.map((c) => html`<text x="${px(c).toFixed(1)}" y="${H - PAD.bottom + 16}" text-anchor="middle" font-size="11">${c}</text>`);
  const yTicks = [0, 0.5, 1].map((f) => html`<text x="${PAD.left - 6}" y="${py(yMax * f).toFixed(1)}" text-anchor="end" font-size="11">${num(yMax * f, 0)}</text>`);
  return html`<figure><svg id="${id}" role="img" aria-label="${title}" width="${W}" height="${H}" viewBox="0 0 ${W} ${H}" xmlns="http://www.w3.org/2000/svg">
<title>${title}</title>
<line x1="${PAD.left}" y1="${H - PAD.bottom}" x2="${W - PAD.right}" y2="${H - PAD.bottom}" stroke="#999"/>
<line x1="${PAD.left}" y1="${PAD.top}" x2="${PAD.left}" y2="${H - PAD.bottom}" stroke="#999"/>
${ticks}${yTicks}${lines}
<text x="${(W + PAD.left) / 2}" y="${H - 6}" text-anchor="middle" font-size="12">${xLabel}</text>
</svg><figcaption>${title}</figcaption></figure>`;
}
