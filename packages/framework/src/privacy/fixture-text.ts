/**
 * Finds prompt text copied from the shipped suites' fixtures (PRIVACY §1: no prompt or output text
 * leaves the machine). The fixtures are public, but a run that carries them is a channel for text,
 * and the same check catches a driver that echoes its prompt into an error or into extras.
 *
 * Text is compared on its letters and digits only, lower-cased, so re-spacing, line breaks or
 * punctuation do not hide a copy: 24 such characters in a row (about 32 characters of prose)
 * match. Pieces split across fields are caught two ways: the fields' texts are also joined in
 * payload order, and fields of 12+ such characters that all occur in a fixture are added up.
 */
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { SUITES_ROOT } from '../suite/load.js';

/** Letters and digits in a row that count as a copy (≈ 32 characters of English prose). */
export const FIXTURE_WINDOW = 24;
/** A field at least this long, wholly inside a fixture, counts toward a split copy. */
export const FIXTURE_PIECE = 12;

const KEEP = /[\p{L}\p{N}]/u;

const NOT_KEPT = /[^\p{L}\p{N}]+/gu;

/** The letters and digits of `text`, lower-cased (the form windows are compared in). */
export function fixtureForm(text: string): string {
  return text.replace(NOT_KEPT, '').toLowerCase();
}

/** The letters and digits of `text`, lower-cased, with each one's index in `text` (to cut a copy out). */
export function normalizeForFixtures(text: string): { norm: string; at: number[] } {
  let norm = '';
  const at: number[] = [];
  let i = 0;
  for (const ch of text) {
    if (KEEP.test(ch)) {
      norm += ch.toLowerCase();
      at.push(i);
    }
    i += ch.length;
  }
  return { norm, at };
}

interface FixtureIndex {
  windows: Set<string>;
  pieces: Set<string>;
}

let index: FixtureIndex | undefined;

/** Every string inside a JSON fixture, so escapes (\n, \") do not break a window. */
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

/** Built once per process from the shipped suites (a few hundred KB of sets). */
export function fixtureIndex(root = SUITES_ROOT): FixtureIndex {
  if (index && root === SUITES_ROOT) return index;
  const built: FixtureIndex = { windows: new Set(), pieces: new Set() };
  for (const text of fixtureTexts(root)) {
    const { norm } = normalizeForFixtures(text);
    for (let i = 0; i + FIXTURE_WINDOW <= norm.length; i++) built.windows.add(norm.slice(i, i + FIXTURE_WINDOW));
    for (let i = 0; i + FIXTURE_PIECE <= norm.length; i++) built.pieces.add(norm.slice(i, i + FIXTURE_PIECE));
  }
  if (root === SUITES_ROOT) index = built;
  return built;
}

/** Spans of `text` (original indexes) that copy fixture text. */
export function findFixtureText(text: string, fixtures: FixtureIndex = fixtureIndex()): Array<{ start: number; end: number }> {
  const { norm, at } = normalizeForFixtures(text);
  const spans: Array<{ start: number; end: number }> = [];
  for (let i = 0; i + FIXTURE_WINDOW <= norm.length; i++) {
    if (!fixtures.windows.has(norm.slice(i, i + FIXTURE_WINDOW))) continue;
    const start = at[i]!;
    const end = at[i + FIXTURE_WINDOW - 1]! + 1;
    const last = spans[spans.length - 1];
    if (last && start <= last.end) last.end = Math.max(last.end, end);
    else spans.push({ start, end });
  }
  return spans;
}

/** True when the whole of a normalized piece (≥ FIXTURE_PIECE characters) occurs in the fixtures. */
export function isFixturePiece(norm: string, fixtures: FixtureIndex = fixtureIndex()): boolean {
  if (norm.length < FIXTURE_PIECE) return false;
  for (let i = 0; i + FIXTURE_PIECE <= norm.length; i++) if (!fixtures.pieces.has(norm.slice(i, i + FIXTURE_PIECE))) return false;
  return true;
}

/** True when some window of `norm` is a fixture window (for texts joined across fields). */
export function hasFixtureWindow(norm: string, fixtures: FixtureIndex = fixtureIndex()): boolean {
  for (let i = 0; i + FIXTURE_WINDOW <= norm.length; i++) if (fixtures.windows.has(norm.slice(i, i + FIXTURE_WINDOW))) return true;
  return false;
}
