/** @jsxRuntime automatic */
/** @jsxImportSource preact */
/**
 * The share card of a run: /r/<id>/card.png, 1200×630 (the size Open Graph and Twitter's large
 * card expect), drawn as SVG with the components' renderer (so submitted text is escaped like on
 * the pages) and rasterised by resvg (@resvg/resvg-js, prebuilt binaries from npm, no system
 * libraries). Only what never changes goes on it — the run's own figures, not its standing among
 * later runs — so the PNG is immutable and served with a year's cache.
 *
 * Font: DejaVu Sans from the `dejavu-fonts-ttf` npm package (Bitstream Vera licence with public-
 * domain DejaVu changes: free to redistribute and embed). resvg is given those two files and no
 * system fonts, so a card renders the same on every machine, with or without fonts installed.
 */
import { createRequire } from 'node:module';
import { renderAsync } from '@resvg/resvg-js';
import type { MeasuredResult, RunPayload } from '@llm-speed/framework';
import { backendLine, clip, duration, modelDetails, num, readableTime, workloadLabel } from './format.js';
import { renderToString } from './render.js';
import type { Headline } from './run-view.js';

export const CARD_WIDTH = 1200;
export const CARD_HEIGHT = 630;
/** Bump when the card's drawing changes: it is part of the ETag, so caches fetch the new one. */
export const CARD_VERSION = 1;

const require = createRequire(import.meta.url);
export const CARD_FONTS = ['dejavu-fonts-ttf/ttf/DejaVuSans.ttf', 'dejavu-fonts-ttf/ttf/DejaVuSans-Bold.ttf'].map((f) => require.resolve(f));
const FAMILY = 'DejaVu Sans';

/** Characters that fit `width` px at `size` px: DejaVu Sans bold averages ~0.63 em, regular ~0.58 em. */
const fits = (width: number, size: number, bold = false) => Math.floor(width / (size * (bold ? 0.66 : 0.6)));

function Text({ x, y, size, bold, fill = '#e6edf3', anchor, children }: { x: number; y: number; size: number; bold?: boolean; fill?: string; anchor?: 'end'; children: string }) {
  return (
    <text x={x} y={y} font-size={size} font-weight={bold ? 'bold' : 'normal'} fill={fill} text-anchor={anchor} font-family={FAMILY}>
      {children}
    </text>
  );
}

export function cardSvg(id: string, run: RunPayload, headline: Headline): string {
  const lead = (headline.index === null ? run.results[0] : run.results[headline.index]) as MeasuredResult;
  const decode = headline.decodeTps === null ? '—' : num(headline.decodeTps);
  const ttft = duration(headline.ttftMs);
  const others = (run.results as MeasuredResult[])
    .filter((r, i) => i !== headline.index && typeof r.decode_tps === 'number')
    .map((r) => `${workloadLabel(r.workload).split(' ')[0]} ${num(r.decode_tps)}`)
    .join(' · ');
  const muted = '#9198a1';
  /** The big figures share 1080 px: each gets the size that fits its half. */
  const big = (text: string) => Math.min(120, Math.floor(540 / (text.length * 0.68)));
  return renderToString(
    <svg xmlns="http://www.w3.org/2000/svg" width={CARD_WIDTH} height={CARD_HEIGHT} viewBox={`0 0 ${CARD_WIDTH} ${CARD_HEIGHT}`}>
      <rect width={CARD_WIDTH} height={CARD_HEIGHT} fill="#0d1117" />
      <rect width="12" height={CARD_HEIGHT} fill="#2f81f7" />
      <Text x={60} y={78} size={34} bold fill="#2f81f7">
        llm-speed
      </Text>
      <Text x={1140} y={78} size={26} fill={muted} anchor="end">
        {`signed run ${id}`}
      </Text>
      <Text x={60} y={178} size={60} bold>
        {clip(lead.model.name, fits(1080, 60, true))}
      </Text>
      <Text x={60} y={228} size={30} fill={muted}>
        {clip([modelDetails(lead.model), lead.suite_version].filter(Boolean).join(' · '), fits(1080, 30))}
      </Text>
      <Text x={60} y={385} size={big(decode)} bold>
        {decode}
      </Text>
      <Text x={60} y={435} size={30} fill={muted}>
        {`tok/s decode${headline.workload ? ` · ${workloadLabel(headline.workload)}` : ''}`}
      </Text>
      <Text x={660} y={385} size={big(ttft)} bold>
        {ttft}
      </Text>
      <Text x={660} y={435} size={30} fill={muted}>
        time to first token
      </Text>
      <Text x={60} y={512} size={32}>
        {clip(run.fingerprint.accelerator_summary, fits(1080, 32))}
      </Text>
      <Text x={60} y={556} size={26} fill={muted}>
        {clip(backendLine(lead), fits(1080, 26))}
      </Text>
      <Text x={60} y={602} size={22} fill={muted}>
        {clip(`${readableTime(run.finished_at)}${others ? ` · decode tok/s ${others}` : ''}`, fits(1080, 22))}
      </Text>
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
