/**
 * Finds prompt text copied from the shipped suites' fixtures (PRIVACY §1: no prompt or output text
 * leaves the machine). The fixtures are public, but a run that carries them is a channel for text,
 * and the same check catches a driver that echoes its prompt into an error or into extras.
 *
 * Texts are compared in their fixture form: the normal form (normalize.ts: escapes, full-width and
 * homoglyph characters, case), then leetspeak read as letters (`0`→o, `1`/`l`→i, `3`→e, `4`/`@`→a,
 * `5`/`$`→s, `7`→t, `8`→b, `6`/`9`→g, `2`→z) and everything but letters dropped, so re-spacing,
 * punctuation and line breaks change nothing. Three ways of finding a copy:
 *
 * - shingles: 6-letter shingles of the text found in the fixtures, chained along the fixture with
 *   gaps of up to two letters and a drift of up to two per gap (a typo: a letter changed, added or
 *   dropped). A chain that covers 24 letters (about 30 characters of prose) is a copy, also with a
 *   typo every 8 letters;
 * - words: words of the text found in the fixtures in order, each 1 to 3 fixture words after the
 *   last (every other word, or every third): 5 words and 24 letters in a row are a copy;
 * - pieces: fields whose whole text (4 letters or more), or a 6-letter-or-longer exact stretch of
 *   it, occurs in the fixtures, that line up along a fixture (in any order of fields, at most 3
 *   letters apart) to cover 24 letters. This is what finds a copy cut into small pieces and
 *   spread over fields that are not next to each other.
 */
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { SUITES_ROOT } from '../suite/load.js';
import { normalizeText, originalIndex } from './normalize.js';

/** Letters a copy covers (≈ 30 characters of English prose). */
export const FIXTURE_WINDOW = 24;
/** Letters per shingle. */
export const SHINGLE = 6;
/** Fixture words a word chain may step over between two words of the text (every other word: 2). */
const WORD_STEP = 3;
/** Words a word chain needs besides its 24 letters (a few common words in order are no copy). */
const WORD_CHAIN_WORDS = 5;
/** Shortest whole field that counts as a piece (a stretch inside a longer field needs a whole shingle). */
export const PIECE_MIN = 4;
/** A field of this many letters that occurs whole in the fixtures adds up with others wherever they are. */
export const FIXTURE_PIECE = 12;
/** Letters allowed between two pieces that line up, and the shift two shingles of one chain may have. */
const PIECE_GAP = 3;
const DRIFT = 2;
/** A shingle or piece found more often than this in the fixtures is too common to be evidence. */
const MAX_OCCURRENCES = 64;

const LEET: Record<string, string> = { '0': 'o', '1': 'i', l: 'i', '|': 'i', '!': 'i', '2': 'z', '3': 'e', '4': 'a', '@': 'a', '5': 's', $: 's', '6': 'g', '7': 't', '8': 'b', '9': 'g' };
const LETTER = /\p{L}/u;

/** The letters of `text` in fixture form, with each one's index in the original text. */
export function normalizeForFixtures(text: string): { norm: string; at: number[]; words: Array<{ word: string; start: number }> } {
  const normal = normalizeText(text);
  let norm = '';
  const at: number[] = [];
  const words: Array<{ word: string; start: number }> = [];
  let inWord = false;
  for (let i = 0; i < normal.text.length; i++) {
    const c = normal.text[i]!;
    const code = c.charCodeAt(0);
    const letter = (code >= 97 && code <= 122 && c !== 'l') || (code >= 0x80 && LETTER.test(c)) ? c : LEET[c];
    if (letter !== undefined) {
      if (!inWord) words.push({ word: '', start: norm.length });
      words[words.length - 1]!.word += letter;
      norm += letter;
      at.push(originalIndex(normal, i));
      inWord = true;
    } else inWord = false;
  }
  return { norm, at, words };
}

/** The letters of `text` in fixture form (what shingles and pieces are compared in). */
export function fixtureForm(text: string): string {
  return normalizeForFixtures(text).norm;
}

export interface FixtureIndex {
  /** Every fixture's letters, one after another, each followed by a NUL (no shingle crosses it). */
  letters: string;
  shingles: Map<string, number[]>;
  /** Where each 4-letter stretch starts (to find short pieces without scanning). */
  quads: Map<string, number[]>;
  /** Every fixture's words, one after another, each fixture followed by an empty word. */
  words: string[];
  wordAt: Map<string, number[]>;
}

let index: FixtureIndex | undefined;

/** Every string inside a JSON fixture, so escapes (\n, \") do not break a copy. */
function jsonStrings(value: unknown, out: string[]): void {
  if (typeof value === 'string') out.push(value);
  else if (Array.isArray(value)) value.forEach((v) => jsonStrings(v, out));
  else if (value && typeof value === 'object') Object.values(value).forEach((v) => jsonStrings(v, out));
}

function fixtureTexts(root: string): string[] {
  const texts: string[] = [];
  let suites: string[];
  try {
    suites = readdirSync(root);
  } catch {
    return texts;
  }
  for (const suite of suites) {
    const dir = join(root, suite, 'fixtures');
    let files: string[];
    try {
      if (!statSync(dir).isDirectory()) continue;
      files = readdirSync(dir);
    } catch {
      continue;
    }
    for (const file of files) {
      const text = readFileSync(join(dir, file), 'utf8');
      texts.push(text);
      if (file.endsWith('.json')) {
        try {
          jsonStrings(JSON.parse(text), texts);
        } catch {
          // a malformed fixture is the suite loader's business; its raw text is indexed above
        }
      }
    }
  }
  return texts;
}

function push<K>(map: Map<K, number[]>, key: K, value: number): void {
  const list = map.get(key);
  if (list) list.push(value);
  else map.set(key, [value]);
}

/** Built once per process from the shipped suites (about 130,000 letters). */
export function fixtureIndex(root = SUITES_ROOT): FixtureIndex {
  if (index && root === SUITES_ROOT) return index;
  const built: FixtureIndex = { letters: '', shingles: new Map(), quads: new Map(), words: [], wordAt: new Map() };
  for (const text of fixtureTexts(root)) {
    const { norm, words } = normalizeForFixtures(text);
    for (let i = 0; i + SHINGLE <= norm.length; i++) push(built.shingles, norm.slice(i, i + SHINGLE), built.letters.length + i);
    for (let i = 0; i + PIECE_MIN <= norm.length; i++) push(built.quads, norm.slice(i, i + PIECE_MIN), built.letters.length + i);
    built.letters += norm + '\0';
    for (const { word } of words) push(built.wordAt, word, built.words.push(word) - 1);
    built.words.push('');
  }
  if (root === SUITES_ROOT) index = built;
  return built;
}

export interface Span {
  start: number;
  end: number;
}

function merge(spans: Span[]): Span[] {
  const sorted = [...spans].sort((a, b) => a.start - b.start);
  const out: Span[] = [];
  for (const s of sorted) {
    const last = out[out.length - 1];
    if (last && s.start <= last.end) last.end = Math.max(last.end, s.end);
    else out.push({ ...s });
  }
  return out;
}

interface Chain {
  start: number;
  last: number;
  end: number;
  covered: number;
}

/** Spans of `norm` (letter indexes) that shingle chains of 24 covered letters run through. */
export function shingleCopies(norm: string, fixtures: FixtureIndex = fixtureIndex()): Span[] {
  const chains = new Map<number, Chain>();
  const spans: Span[] = [];
  for (let j = 0; j + SHINGLE <= norm.length; j++) {
    const positions = fixtures.shingles.get(norm.slice(j, j + SHINGLE));
    if (!positions || positions.length > MAX_OCCURRENCES) continue;
    for (const p of positions) {
      const diagonal = p - j;
      let from: Chain | undefined;
      for (let shift = -DRIFT; shift <= DRIFT; shift++) {
        const c = chains.get(diagonal + shift);
        if (c && c.last < j && j - c.last <= SHINGLE + DRIFT && (!from || c.covered > from.covered)) from = c;
      }
      const covered = from ? from.covered + j + SHINGLE - Math.max(from.end, j) : SHINGLE;
      const chain = { start: from?.start ?? j, last: j, end: j + SHINGLE, covered };
      const there = chains.get(diagonal);
      if (!there || there.last < j || there.covered < covered) chains.set(diagonal, chain);
      if (covered >= FIXTURE_WINDOW) spans.push({ start: chain.start, end: chain.end });
    }
  }
  return merge(spans);
}

/** A word found more often than this (a, the, of) is passed over by a word chain: it neither counts nor breaks it. */
const COMMON_WORD = 64;

/** Spans of `norm` (letter indexes) covered by a chain of words found in fixture order, skipping up to 2 fixture words each. */
export function wordCopies(words: Array<{ word: string; start: number }>, fixtures: FixtureIndex = fixtureIndex()): Span[] {
  const spans: Span[] = [];
  let previous = new Map<number, { letters: number; words: number; first: number }>();
  let passed = 0;
  words.forEach(({ word }, t) => {
    const positions = fixtures.wordAt.get(word) ?? [];
    if (positions.length > COMMON_WORD) {
      passed++;
      return;
    }
    const current = new Map<number, { letters: number; words: number; first: number }>();
    for (const p of positions) {
      let from: { letters: number; words: number; first: number } | undefined;
      for (let step = 1; step <= WORD_STEP * (passed + 1); step++) {
        const c = previous.get(p - step);
        if (c && (!from || c.letters > from.letters)) from = c;
      }
      const chain = { letters: (from?.letters ?? 0) + word.length, words: (from?.words ?? 0) + 1, first: from?.first ?? t };
      current.set(p, chain);
      if (chain.letters >= FIXTURE_WINDOW && chain.words >= WORD_CHAIN_WORDS) spans.push({ start: words[chain.first]!.start, end: words[t]!.start + word.length });
    }
    previous = current;
    passed = 0;
  });
  return merge(spans);
}

/** Spans of `text` (original indexes) that copy fixture text. */
export function findFixtureText(text: string, fixtures: FixtureIndex = fixtureIndex()): Span[] {
  const { norm, at, words } = normalizeForFixtures(text);
  if (norm.length < FIXTURE_WINDOW) return [];
  const spans = merge([...shingleCopies(norm, fixtures), ...wordCopies(words, fixtures)]);
  return spans.map((s) => ({ start: at[s.start]!, end: at[s.end - 1]! + 1 }));
}

/** True when the letters (and words) of a text hold a copy: for texts joined across fields. */
export function hasFixtureCopy(norm: string, words: Array<{ word: string; start: number }>, fixtures: FixtureIndex = fixtureIndex()): boolean {
  return norm.length >= FIXTURE_WINDOW && (shingleCopies(norm, fixtures).length > 0 || wordCopies(words, fixtures).length > 0);
}

/** Where a field's text, or an exact stretch of it, occurs in the fixtures: the evidence a piece gives. */
export interface PieceHit {
  /** The field (its index among the run's free texts). */
  field: number;
  /** Fixture letter positions of the piece, and its length. */
  positions: number[];
  length: number;
}

/** Occurrences of `piece` (4 letters or more) in the fixture letters; null when there are too many to be evidence. */
function occurrences(piece: string, fixtures: FixtureIndex): number[] | null {
  const first = (piece.length >= SHINGLE ? fixtures.shingles.get(piece.slice(0, SHINGLE)) : fixtures.quads.get(piece.slice(0, PIECE_MIN))) ?? [];
  const found: number[] = [];
  for (const p of first) {
    if (fixtures.letters.startsWith(piece, p) && found.push(p) > MAX_OCCURRENCES) return null;
  }
  return found;
}

/** The pieces one field gives: its whole text when it occurs in the fixtures, else its exact stretches of 6 letters or more. */
export function fieldPieces(norm: string, field: number, fixtures: FixtureIndex = fixtureIndex()): PieceHit[] {
  if (norm.length < PIECE_MIN) return [];
  const whole = occurrences(norm, fixtures);
  if (whole && whole.length > 0) return [{ field, positions: whole, length: norm.length }];
  const hits: PieceHit[] = [];
  // Exact stretches: runs of shingles that follow each other on one fixture diagonal.
  const runs = new Map<number, { start: number; last: number }>();
  const ended: Array<{ start: number; end: number }> = [];
  for (let j = 0; j + SHINGLE <= norm.length; j++) {
    for (const p of fixtures.shingles.get(norm.slice(j, j + SHINGLE)) ?? []) {
      const run = runs.get(p - j);
      if (run && run.last === j - 1) run.last = j;
      else runs.set(p - j, { start: j, last: j });
    }
  }
  for (const run of runs.values()) ended.push({ start: run.start, end: run.last + SHINGLE });
  const longest = new Map<number, number>();
  for (const r of ended) if ((longest.get(r.start) ?? 0) < r.end) longest.set(r.start, r.end);
  for (const [start, end] of longest) {
    // Only maximal stretches: one that another stretch contains says nothing more.
    if (ended.some((r) => r.start < start && r.end >= end)) continue;
    const positions = occurrences(norm.slice(start, end), fixtures);
    if (positions && positions.length > 0) hits.push({ field, positions, length: end - start });
  }
  return hits;
}

/**
 * The fields whose pieces line up along a fixture, each at most 3 letters after the one before, to
 * cover 24 letters; [] when none do. Pieces of one field never line up with each other (a field's
 * own copy is the shingles' business), so common words of one error text add up to nothing.
 */
export function linedUpPieces(hits: PieceHit[]): number[] {
  const placed = hits.flatMap((h) => h.positions.map((p) => ({ field: h.field, start: p, end: p + h.length })));
  placed.sort((a, b) => a.start - b.start || a.end - b.end);
  const longest = Math.max(0, ...hits.map((h) => h.length));
  const best: Array<{ covered: number; fields: number[] }> = [];
  let window = 0;
  for (let i = 0; i < placed.length; i++) {
    const here = placed[i]!;
    let chain = { covered: here.end - here.start, fields: [here.field] };
    // A piece that starts further back than the longest piece is long ends before this one can follow it.
    while (placed[window]!.start + longest + PIECE_GAP < here.start) window++;
    for (let k = window; k < i; k++) {
      const before = placed[k]!;
      if (before.end > here.end || here.start > before.end + PIECE_GAP || here.start < before.start) continue;
      const from = best[k]!;
      if (from.fields.includes(here.field)) continue; // one field (or stretch) is one piece
      const covered = from.covered + here.end - Math.max(here.start, before.end);
      if (covered > chain.covered) chain = { covered, fields: [...from.fields, here.field] };
    }
    best.push(chain);
    if (chain.covered >= FIXTURE_WINDOW && chain.fields.length >= 2) return chain.fields;
  }
  return [];
}
