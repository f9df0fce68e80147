/** @jsxRuntime automatic */
/** @jsxImportSource preact */
/**
 * Text that fits the share card (issue 26.7): measured with the renderer and font the card is drawn
 * with (resvg and DejaVu Sans, the SVG's own bounding box), never guessed from a character count,
 * so a long model name is shrunk or wrapped to two lines instead of losing its size and quant.
 * Only what cannot fit at the smallest size is shortened, in the middle: the start and the end of
 * a name (family, size, quant) are what tell it apart.
 */
import { createRequire } from 'node:module';
import { Resvg } from '@resvg/resvg-js';
import { renderToString } from './render.js';

const require = createRequire(import.meta.url);
export const CARD_FONTS = ['dejavu-fonts-ttf/ttf/DejaVuSans.ttf', 'dejavu-fonts-ttf/ttf/DejaVuSans-Bold.ttf'].map((f) => require.resolve(f));
export const FAMILY = 'DejaVu Sans';

/** The size widths are measured at; a text's width scales with its font size. */
const REFERENCE_SIZE = 100;

const measured = new Map<string, number>();

/** The drawn width of `text` in px at `size`, as resvg lays it out with the card's font. */
export function textWidth(text: string, size: number, bold = false): number {
  if (text === '') return 0;
  const key = `${bold ? 'b' : 'r'}\u0000${text}`;
  let width = measured.get(key);
  if (width === undefined) {
    const svg = renderToString(
      <svg xmlns="http://www.w3.org/2000/svg" width="60000" height="300">
        <text x="0" y="200" font-size={REFERENCE_SIZE} font-weight={bold ? 'bold' : 'normal'} font-family={FAMILY}>
          {text}
        </text>
      </svg>,
    );
    const box = new Resvg(svg, { font: { loadSystemFonts: false, fontFiles: CARD_FONTS, defaultFontFamily: FAMILY } }).getBBox();
    width = box ? box.x + box.width : text.length * REFERENCE_SIZE * 0.6;
    // Bounded: a card measures a handful of strings, and the board's names repeat.
    if (measured.size > 2000) measured.clear();
    measured.set(key, width);
  }
  return (width * size) / REFERENCE_SIZE;
}

export interface FittedText {
  lines: string[];
  size: number;
}

/** Where a name may break: after a space, or after a - _ / . that joins its words. */
function breakPoints(text: string): number[] {
  const out: number[] = [];
  for (let i = 1; i < text.length - 1; i++) if (/[\s\-_/.:]/.test(text[i - 1]!) && !/\s/.test(text[i]!)) out.push(i);
  return out;
}

/** The text shortened in the middle to fit `width` at `size`: "llm-speed synthetic … 1b Q4_0". */
function middleEllipsis(text: string, width: number, size: number, bold: boolean): string {
  let keep = text.length;
  while (keep > 2) {
    keep -= Math.max(1, Math.floor(keep / 20));
    const head = Math.ceil(keep * 0.45);
    const candidate = `${text.slice(0, head).trimEnd()} … ${text.slice(text.length - (keep - head)).trimStart()}`;
    if (textWidth(candidate, size, bold) <= width) return candidate;
  }
  return text.slice(0, 1);
}

/**
 * `text` in at most `maxLines` lines of `width` px: the largest size from `max` down to `min`
 * that holds it on one line, else on two lines broken where the longer line is shortest, else at
 * `min` with each line shortened in the middle.
 */
export function fitText(text: string, options: { width: number; max: number; min: number; maxLines?: 1 | 2; bold?: boolean }): FittedText {
  const { width, max, min, bold = false } = options;
  const at = (size: number) => textWidth(text, size, bold);
  const one = Math.min(max, Math.floor((max * width) / at(max)));
  if (one >= min || options.maxLines === 1 || (options.maxLines ?? 2) < 2) {
    if (one >= min) return { lines: [text], size: one };
    return { lines: [middleEllipsis(text, width, min, bold)], size: min };
  }
  // The break that makes the longer line shortest, a space preferred to a hyphen unless the hyphen balances the lines clearly better.
  let best: { lines: string[]; longest: number; score: number } | null = null;
  for (const i of breakPoints(text)) {
    const lines = [text.slice(0, i).trimEnd(), text.slice(i).trimStart()];
    const longest = Math.max(...lines.map((l) => textWidth(l, REFERENCE_SIZE, bold)));
    const score = longest * (/\s/.test(text[i - 1]!) ? 1 : 1.1);
    if (!best || score < best.score) best = { lines, longest, score };
  }
  if (best) {
    const size = Math.min(max, Math.floor((REFERENCE_SIZE * width) / best.longest));
    if (size >= min) return { lines: best.lines, size };
    return { lines: best.lines.map((l) => (textWidth(l, min, bold) <= width ? l : middleEllipsis(l, width, min, bold))), size: min };
  }
  // One long word: cut it in two where it fits.
  const half = Math.ceil(text.length / 2);
  const lines = [text.slice(0, half), text.slice(half)];
  const size = Math.min(max, Math.floor((REFERENCE_SIZE * width) / Math.max(...lines.map((l) => textWidth(l, REFERENCE_SIZE, bold)))));
  if (size >= min) return { lines, size };
  return { lines: lines.map((l) => (textWidth(l, min, bold) <= width ? l : middleEllipsis(l, width, min, bold))), size: min };
}
