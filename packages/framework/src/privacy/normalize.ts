/**
 * The one form every privacy rule reads (PRIVACY §2, "normalisation"): what a reader sees, not how
 * it was typed. Escapes are decoded (percent-encoding, repeatedly, and HTML character references),
 * then each character is put in Unicode compatibility form (NFKC/NFKD: full-width `１９２．１６８`
 * becomes `192.168`, `①` becomes `1`), stripped of combining marks and invisible characters (zero
 * width spaces, soft hyphens), mapped from a homoglyph to the ASCII character it imitates (Cyrillic
 * `а`, Greek `ο`, the division slash `∕`, the ideographic full stop `。`) and lower-cased.
 *
 * Each character of the normal form remembers which characters of the original text it came from,
 * so a finding can be cut out of the original (the client's scrub keeps the rest of an error).
 */
import { confusablesMap } from 'confusables';

export interface NormalText {
  /** The normal form. */
  text: string;
  /** For each UTF-16 unit of `text`: the original text's units [start[i], end[i]) it came from; null when unit i came from unit i (plain ASCII). */
  start: number[] | null;
  end: number[] | null;
}

/**
 * Punctuation look-alikes that neither NFKC nor the confusables table (letters and digits only)
 * folds: Unicode's confusables.txt (UTS #39) lists each as confusable with the ASCII character.
 * The IDNA label separators (RFC 3490 §3.1: U+3002, U+FF0E, U+FF61) are dots to a resolver too.
 */
const PUNCTUATION: Record<string, string> = {
  '\u2215': '/', // DIVISION SLASH
  '\u2044': '/', // FRACTION SLASH
  '\u2571': '/', // BOX DRAWINGS LIGHT DIAGONAL UPPER RIGHT TO LOWER LEFT
  '\u29f8': '/', // BIG SOLIDUS
  '\u1735': '/', // PHILIPPINE SINGLE PUNCTUATION
  '\u2cc6': '/', // COPTIC CAPITAL LETTER OLD COPTIC ESH
  '\u2216': '\\', // SET MINUS
  '\u29f5': '\\', // REVERSE SOLIDUS OPERATOR
  '\u29f9': '\\', // BIG REVERSE SOLIDUS
  '\u2572': '\\', // BOX DRAWINGS LIGHT DIAGONAL UPPER LEFT TO LOWER RIGHT
  '\u3002': '.', // IDEOGRAPHIC FULL STOP
  '\u0701': '.', // SYRIAC SUPRALINEAR FULL STOP
  '\u0702': '.', // SYRIAC SUBLINEAR FULL STOP
  '\ua60e': '.', // VAI FULL STOP
  '\ua4f8': '.', // LISU LETTER TONE MYA TI
  '\u06d4': '.', // ARABIC FULL STOP
  '\u2236': ':', // RATIO
  '\ua789': ':', // MODIFIER LETTER COLON
  '\u02d0': ':', // MODIFIER LETTER TRIANGULAR COLON
  '\u05c3': ':', // HEBREW PUNCTUATION SOF PASUQ
  '\u0589': ':', // ARMENIAN FULL STOP
  '\u0703': ':', // SYRIAC SUPRALINEAR COLON
  '\u0704': ':', // SYRIAC SUBLINEAR COLON
  '\u16ec': ':', // RUNIC MULTIPLE PUNCTUATION
  '\u2010': '-', // HYPHEN (NFKC leaves it)
  '\u2012': '-', // FIGURE DASH
  '\u2013': '-', // EN DASH
  '\u2014': '-', // EM DASH
  '\u2015': '-', // HORIZONTAL BAR
  '\u2212': '-', // MINUS SIGN
  '\u2043': '-', // HYPHEN BULLET
  '\u02d7': '-', // MODIFIER LETTER MINUS SIGN
  '\u2796': '-', // HEAVY MINUS SIGN
  '\u2e3a': '-', // TWO-EM DASH
};

/** HTML character references a browser decodes: numeric ones and the few named ones for these characters. */
const NAMED_REFERENCES: Record<string, string> = { sol: '/', bsol: '\\', period: '.', commat: '@', colon: ':', hyphen: '-', lowbar: '_', amp: '&', percnt: '%', num: '#', tilde: '~' };

const MARKS_AND_INVISIBLES = /[\p{M}\p{Default_Ignorable_Code_Point}]/gu;
const NEEDS_DECODING = /%[0-9a-f]{2}|&(?:#x[0-9a-f]{1,6}|#[0-9]{1,7}|[a-z]+);/i;
const PLAIN = /^[\x20-\x7e\t\n\r]*$/;

interface Piece {
  char: string;
  start: number;
  end: number;
}

/** One pass of escape decoding; null when nothing was decoded. */
function decodeEscapes(pieces: Piece[]): Piece[] | null {
  const out: Piece[] = [];
  let changed = false;
  for (let i = 0; i < pieces.length;) {
    const here = pieces[i]!;
    if (here.char === '%') {
      // A run of %XX bytes is decoded as UTF-8 (a bad sequence byte by byte, as Latin-1).
      const bytes: number[] = [];
      const from: Piece[] = [];
      let j = i;
      while (j + 2 < pieces.length && pieces[j]!.char === '%' && /^[0-9a-f]{2}$/i.test(pieces[j + 1]!.char + pieces[j + 2]!.char)) {
        bytes.push(parseInt(pieces[j + 1]!.char + pieces[j + 2]!.char, 16));
        from.push(pieces[j]!, pieces[j + 2]!);
        j += 3;
      }
      if (bytes.length > 0) {
        changed = true;
        out.push(...decodeBytes(bytes, from));
        i = j;
        continue;
      }
    } else if (here.char === '&') {
      let j = i + 1;
      let name = '';
      while (j < pieces.length && j - i <= 10 && /[#0-9a-z]/i.test(pieces[j]!.char)) name += pieces[j++]!.char;
      if (j < pieces.length && pieces[j]!.char === ';' && name.length > 0) {
        const lower = name.toLowerCase();
        const code = lower.startsWith('#x') ? parseInt(lower.slice(2), 16) : lower.startsWith('#') ? parseInt(lower.slice(1), 10) : NaN;
        const char = Number.isInteger(code) && code > 0 && code <= 0x10ffff ? String.fromCodePoint(code) : NAMED_REFERENCES[lower];
        if (char !== undefined) {
          changed = true;
          out.push({ char, start: here.start, end: pieces[j]!.end });
          i = j + 1;
          continue;
        }
      }
    }
    out.push(here);
    i++;
  }
  return changed ? out : null;
}

function decodeBytes(bytes: number[], from: Piece[]): Piece[] {
  const out: Piece[] = [];
  let text: string;
  try {
    text = decodeURIComponent(bytes.map((b) => '%' + b.toString(16).padStart(2, '0')).join(''));
  } catch {
    return bytes.map((b, k) => ({ char: String.fromCharCode(b), start: from[2 * k]!.start, end: from[2 * k + 1]!.end }));
  }
  let byte = 0;
  for (const char of text) {
    const length = Buffer.byteLength(char);
    out.push({ char, start: from[2 * byte]!.start, end: from[2 * (byte + length) - 1]!.end });
    byte += length;
  }
  return out;
}

/** The ASCII (or other) characters one character reads as. */
function fold(char: string): string {
  let out = '';
  for (const part of char.normalize('NFKD').replace(MARKS_AND_INVISIBLES, '')) {
    const mapped = part.charCodeAt(0) < 0x80 ? part : (PUNCTUATION[part] ?? confusablesMap.get(part) ?? part);
    out += mapped.toLowerCase().normalize('NFKD').replace(MARKS_AND_INVISIBLES, '');
  }
  return out;
}

/** The normal form of `text` with its map back to the original (see the module comment). */
export function normalizeText(text: string): NormalText {
  if (PLAIN.test(text) && !NEEDS_DECODING.test(text)) return { text: text.toLowerCase(), start: null, end: null };
  let pieces: Piece[] = [];
  let at = 0;
  for (const char of text) {
    pieces.push({ char, start: at, end: at + char.length });
    at += char.length;
  }
  // %252F is %2F once decoded, and "/" twice: a few rounds, as a browser or shell would go on.
  for (let round = 0; round < 4; round++) {
    const next = decodeEscapes(pieces);
    if (!next) break;
    pieces = next;
  }
  const out = { text: '', start: [] as number[], end: [] as number[] };
  for (const piece of pieces) {
    const folded = fold(piece.char);
    for (let k = 0; k < folded.length; k++) {
      out.start.push(piece.start);
      out.end.push(piece.end);
    }
    out.text += folded;
  }
  return out;
}

/** The span [start, end) of the normal form as a span of the original text. */
export function originalSpan(normal: NormalText, start: number, end: number): { start: number; end: number } {
  if (!normal.start || !normal.end) return { start, end };
  if (end <= start) return { start: normal.start[start] ?? 0, end: normal.start[start] ?? 0 };
  return { start: normal.start[start]!, end: normal.end[end - 1]! };
}

/** Where unit `i` of the normal form came from in the original text. */
export function originalIndex(normal: NormalText, i: number): number {
  return normal.start ? normal.start[i]! : i;
}
