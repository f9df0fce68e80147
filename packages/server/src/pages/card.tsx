/** @jsxRuntime automatic */
/** @jsxImportSource preact */
/**
 * The share card of a run: /r/<id>/card.png, 1200×630 (the size Open Graph and Twitter's large
 * card expect), drawn as SVG with the components' renderer (so submitted text is escaped like on
 * the pages) and rasterised by resvg (@resvg/resvg-js, prebuilt binaries from npm, no system
 * libraries). Only the run's own figures and its ranking state go on it (CardState), never a count or
 * a percentile that later runs would change; each state's card is cached under its own key.
 *
 * Font: DejaVu Sans from the `dejavu-fonts-ttf` npm package (Bitstream Vera licence with public-
 * domain DejaVu changes: free to redistribute and embed). resvg is given those two files and no
 * system fonts, so a card renders the same on every machine, with or without fonts installed.
 */
import { renderAsync } from '@resvg/resvg-js';
import { comparability, hasInterval, relativeHalfWidth, spreadOf, type MeasuredResult, type RunPayload } from '@llm-speed/framework';
import type { StoredResult } from '../repository.js';
import { backendLine, duration, efficiencyOf, isHosted, modelDetails, num, readableTime, unrankedWords, workloadLabel } from './format.js';
import { measuredOn } from './hardware-label.js';
import { renderToString } from './render.js';
import type { Headline } from './run-view.js';
import { CARD_FONTS, FAMILY, fitText } from './text-fit.js';

export { CARD_FONTS };

export const CARD_WIDTH = 1200;
export const CARD_HEIGHT = 630;
/** Bump when the card's drawing changes: it is part of the ETag, so caches fetch the new one. */
export const CARD_VERSION = 2;

/**
 * What the card says about ranking, besides the figures (issue 26.4): a card travels without its
 * page, so an unranked run's card says why in words, and never reads like a ranked one.
 * - unranked: the comparability rule keeps it out, for reasons in the run itself (quick, warm
 *   cache, …): fixed for good, so its card is too;
 * - pending: comparable, but its group holds too few runs to rank yet (this changes as runs arrive);
 * - hosted: a hosted API, ranked apart from local hardware;
 * - ranked.
 * Each state draws a different card (the state is in its cache key and ETag); none carries a
 * count that could go stale.
 */
export interface CardState {
  kind: 'ranked' | 'pending' | 'unranked' | 'hosted';
  /** The words on the card; null when ranked. */
  label: string | null;
}

/** The card's state from the stored run: the headline workload's comparability and its group's evidence. */
export function cardStateOf(stored: Pick<StoredResult, 'clusters'>, run: RunPayload, headline: Headline): CardState {
  const lead = (headline.index === null ? run.results[0] : run.results[headline.index]) as MeasuredResult | undefined;
  if (!lead || headline.decodeTps === null) return { kind: 'unranked', label: 'not ranked: no decode figure' };
  const verdict = comparability(lead);
  if (!verdict.comparable) return { kind: 'unranked', label: unrankedWords(verdict.codes) };
  if (headline.index === null) return { kind: 'unranked', label: 'not ranked: a W3 tier, not a workload headline' };
  if (!stored.clusters.get(headline.index)?.ranked) return { kind: 'pending', label: 'not ranked yet: too few runs of its kind' };
  if (isHosted(lead.backend, lead.backend_build?.kind ?? 'unknown')) return { kind: 'hosted', label: 'hosted API: network included, ranked apart' };
  return { kind: 'ranked', label: null };
}

function Text({ x, y, size, bold, fill = '#e6edf3', anchor, id, children }: { x: number; y: number; size: number; bold?: boolean; fill?: string; anchor?: 'end'; id?: string; children: string }) {
  return (
    <text id={id} x={x} y={y} font-size={size} font-weight={bold ? 'bold' : 'normal'} fill={fill} text-anchor={anchor} font-family={FAMILY}>
      {children}
    </text>
  );
}

/** The lines of a fitted text, one <text> each, the first baseline at `y`. */
function Lines({ x, y, lines, size, bold, fill, id }: { x: number; y: number; lines: string[]; size: number; bold?: boolean; fill?: string; id: string }) {
  return (
    <g id={id} data-size={size}>
      {lines.map((line, i) => (
        <Text x={x} y={Math.round(y + i * size * 1.12)} size={size} bold={bold} fill={fill}>
          {line}
        </Text>
      ))}
    </g>
  );
}

/** "±1.2 %" for a figure with an interval; "" for a single measurement. */
function plusMinus(holder: object | null, metric: string): string {
  if (!holder) return '';
  const s = spreadOf(holder, metric);
  const half = hasInterval(s) ? relativeHalfWidth(s) : null;
  return half === null ? '' : ` ±${(half * 100).toFixed(1)} %`;
}

const WIDE = 1080;

export function cardSvg(id: string, run: RunPayload, headline: Headline, state: CardState = { kind: 'ranked', label: null }): string {
  const lead = (headline.index === null ? run.results[0] : run.results[headline.index]) as MeasuredResult;
  const decode = headline.decodeTps === null ? '—' : num(headline.decodeTps);
  const ttft = duration(headline.ttftMs);
  const others = (run.results as MeasuredResult[])
    .filter((r, i) => i !== headline.index && typeof r.decode_tps === 'number')
    .map((r) => `${workloadLabel(r.workload).split(' ')[0]} ${num(r.decode_tps)}`)
    .join(' · ');
  const muted = '#9198a1';
  const amber = '#d29922';
  // The model's name whole (issue 26.7): shrunk to fit one line, else wrapped to two.
  const name = fitText(lead.model.name, { width: WIDE, max: 60, min: 30, bold: true });
  const details = fitText([modelDetails(lead.model), lead.suite_version].filter(Boolean).join(' · '), { width: WIDE, max: 30, min: 20, maxLines: 1 });
  const hardware = fitText(measuredOn(run.fingerprint, lead), { width: WIDE, max: 32, min: 20 });
  const backend = fitText(backendLine(lead), { width: WIDE, max: 26, min: 18, maxLines: 1 });
  const efficiency = efficiencyOf(lead);
  const energy = efficiency.tpsPerW === null ? '' : ` · ${num(efficiency.tpsPerW, efficiency.tpsPerW < 10 ? 2 : 1)} tok/s/W`;
  const footer = fitText(`${readableTime(run.finished_at)}${others ? ` · decode tok/s ${others}` : ''}`, { width: WIDE, max: 22, min: 16, maxLines: 1 });

  // Top to bottom; the big figures take what the text above and below leaves.
  const nameTop = 100 + name.size;
  const nameBottom = nameTop + (name.lines.length - 1) * name.size * 1.12;
  const detailsY = Math.round(nameBottom + 12 + details.size * 1.2);
  const footerY = 604;
  const backendY = footerY - 44;
  const hardwareY = backendY - 12 - (hardware.lines.length - 1) * hardware.size * 1.12 - hardware.size * 0.6;
  const labelY = Math.round(hardwareY - hardware.size - 28);
  const statusY = state.label ? labelY : null;
  const figureLabelY = statusY === null ? labelY : labelY - 44;
  const room = figureLabelY - 40 - detailsY;
  // Each big figure fits its half of the card (measured, like every text on it).
  const big = (text: string) => Math.min(room, fitText(text, { width: 500, max: 120, min: 40, maxLines: 1, bold: true }).size);
  const figureY = figureLabelY - 44;
  return renderToString(
    <svg xmlns="http://www.w3.org/2000/svg" width={CARD_WIDTH} height={CARD_HEIGHT} viewBox={`0 0 ${CARD_WIDTH} ${CARD_HEIGHT}`} data-state={state.kind}>
      <rect width={CARD_WIDTH} height={CARD_HEIGHT} fill="#0d1117" />
      <rect width="12" height={CARD_HEIGHT} fill={state.kind === 'ranked' ? '#2f81f7' : amber} />
      <Text x={60} y={78} size={34} bold fill="#2f81f7">
        llm-speed
      </Text>
      <Text x={1140} y={78} size={26} fill={muted} anchor="end">
        {`signed run ${id}`}
      </Text>
      <Lines id="card-model" x={60} y={nameTop} lines={name.lines} size={name.size} bold />
      <Lines id="card-details" x={60} y={detailsY} lines={details.lines} size={details.size} fill={muted} />
      <Text x={60} y={figureY} size={big(decode)} bold fill={state.kind === 'unranked' || state.kind === 'pending' ? '#c9d1d9' : '#e6edf3'}>
        {decode}
      </Text>
      <Text x={60} y={figureLabelY} size={28} fill={muted} id="card-decode-label">
        {`tok/s ${headline.workload === 'concurrent-decode' ? 'throughput, all streams' : 'decode'}${plusMinus(headline.holder, 'decode_tps')}${headline.workload ? ` · ${workloadLabel(headline.workload).split(' ')[0]}` : ''}${energy}`}
      </Text>
      <Text x={660} y={figureY} size={big(ttft)} bold>
        {ttft}
      </Text>
      <Text x={660} y={figureLabelY} size={28} fill={muted}>
        {`to first token${plusMinus(headline.holder, 'ttft_ms')}`}
      </Text>
      {state.label && statusY !== null ? (
        <Text x={60} y={statusY} size={30} bold fill={amber} id="card-status">
          {state.label.toUpperCase().replace(/^(NOT RANKED(?: YET)?):/, '$1 ·')}
        </Text>
      ) : null}
      <Lines id="card-hardware" x={60} y={Math.round(hardwareY)} lines={hardware.lines} size={hardware.size} />
      <Lines id="card-backend" x={60} y={backendY} lines={backend.lines} size={backend.size} fill={muted} />
      <Lines id="card-footer" x={60} y={footerY} lines={footer.lines} size={footer.size} fill={muted} />
    </svg>,
  );
}

export async function renderCardPng(svg: string): Promise<Buffer> {
  const image = await renderAsync(svg, { font: { loadSystemFonts: false, fontFiles: CARD_FONTS, defaultFontFamily: FAMILY, sansSerifFamily: FAMILY }, fitTo: { mode: 'original' } });
  return image.asPng();
}

/**
 * Rendered cards by run id, least recently used dropped first, bounded by count and bytes; one
 * render per id at a time however many requests ask for it at once (a link shared in a busy
 * channel brings every preview crawler at the same moment).
 */
export class CardCache {
  private readonly cards = new Map<string, Buffer>();
  private readonly pending = new Map<string, Promise<Buffer>>();
  private bytes = 0;

  constructor(
    private readonly maxEntries = 256,
    private readonly maxBytes = 32 * 1024 * 1024,
  ) {}

  get size(): number {
    return this.cards.size;
  }

  get totalBytes(): number {
    return this.bytes;
  }

  async get(id: string, render: () => Promise<Buffer>): Promise<Buffer> {
    const hit = this.cards.get(id);
    if (hit) {
      this.cards.delete(id);
      this.cards.set(id, hit);
      return hit;
    }
    let pending = this.pending.get(id);
    if (!pending) {
      pending = render().finally(() => this.pending.delete(id));
      this.pending.set(id, pending);
      const png = await pending;
      this.put(id, png);
      return png;
    }
    return pending;
  }

  private put(id: string, png: Buffer): void {
    if (png.length > this.maxBytes) return;
    this.cards.set(id, png);
    this.bytes += png.length;
    for (const [key, value] of this.cards) {
      if (this.cards.size <= this.maxEntries && this.bytes <= this.maxBytes) break;
      this.cards.delete(key);
      this.bytes -= value.length;
    }
  }
}
