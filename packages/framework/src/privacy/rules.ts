/**
 * The one privacy rule set (PRIVACY §1/§2), applied by the CLI before it signs a run and by the
 * results server before it stores one. Every free-form string of a run, keys included, may carry:
 * no IP or MAC address, no e-mail address, no absolute filesystem path, no host name outside the
 * model-hub/provider allowlist (detect.ts), and no copy of the suite's fixture text, even split
 * across fields (fixture-text.ts). `extras` stays free-form but bounded: scalar values, strings of
 * at most 64 safe characters, numbers within ±10^15, at most 64 entries and 2 KiB per result.
 *
 * The client does not refuse a finished run for this: scrubRun() turns local model paths into file
 * names, replaces findings in texts by placeholders (`<path>`, `<host>`, …) and drops offending
 * extras entries, saying what it did. The server refuses (422) and names the field.
 */
import { LlmSpeedError } from '../errors.js';
import { canonicalize } from '../signing/jcs.js';
import { findPersonalData, PLACEHOLDERS, scrubText, type PersonalDataKind } from './detect.js';
import { normalizeText } from './normalize.js';
import {
  fieldPieces,
  findFixtureText,
  FIXTURE_PIECE,
  FIXTURE_WINDOW,
  hasFixtureCopy,
  linedUpPieces,
  normalizeForFixtures,
  PIECE_MIN,
  shingleCopies,
  wordCopies,
  type PieceHit,
  type Span,
} from './fixture-text.js';

export type PrivacyRuleKind = PersonalDataKind | 'fixture-text' | 'extras' | 'free-text';

export interface PrivacyViolation {
  /** Where, as `results[0].extras.hostname` (the same notation as the 256-character invariant). */
  path: string;
  kind: PrivacyRuleKind;
  detail: string;
  /** For a copy split across fields: each field's path (`path` joins them for reading). */
  fields?: string[];
}

export const EXTRAS_STRING_LIMIT = 64;
export const EXTRAS_BYTES_LIMIT = 2048;
export const EXTRAS_ENTRIES_LIMIT = 64;
export const EXTRAS_NUMBER_LIMIT = 1e15;
/** Letters, digits, space and _ . , : + ( ) / = - (the same set as workload-result.schema.json's Extras). */
export const EXTRAS_SAFE_STRING = /^[A-Za-z0-9 _.,:+()/=-]*$/;

/**
 * The most free-form text one run may carry: letters and digits (normal form) over its distinct
 * free-form strings, keys included, and how many distinct strings. Measured on real runs (PRIVACY
 * §2; `node bench/privacy-rules.mjs`): 51 real llama-server runs of the CLI's end-to-end tests
 * carry at most 742 (four workloads, one failed with llama-server's last five log lines) and at
 * most 33 strings; the bundled drivers' shapes 133–623 in 10–25. A run that needs more is a
 * driver echoing text it should not.
 */
export const FREE_TEXT_LIMIT = 4096;
export const FREE_STRINGS_LIMIT = 128;
/** An error or skip reason the client shortens to make a run fit (characters kept). */
const SHORTENED_TEXT = 300;

const KIND_WORDS: Record<PrivacyRuleKind, string> = {
  ipv4: 'an IPv4 address',
  ipv6: 'an IPv6 address',
  mac: 'a MAC address',
  email: 'an e-mail address (or user@host)',
  path: 'an absolute filesystem path',
  hostname: 'a host name outside the model-hub/provider allowlist',
  'fixture-text': 'text copied from the suite fixtures (prompt text)',
  'free-text': 'more free-form text than a run may carry',
  extras: 'an extras value outside the extras rules',
};

export class PrivacyRuleError extends LlmSpeedError {
  readonly path: string;
  readonly kind: PrivacyRuleKind;
  constructor(violation: PrivacyViolation) {
    super('privacy-rules', `${violation.path} contains ${KIND_WORDS[violation.kind]}: ${violation.detail}; refused (PRIVACY §2).`, {
      suggestions: ['nothing was sent; remove the value (if a driver put it there, report it to the driver author)'],
    });
    this.name = 'PrivacyRuleError';
    this.path = violation.path;
    this.kind = violation.kind;
  }
}

/** Positions fixed by the schema (enum, pattern or format): not free text. `[]` is any index. */
const FIXED = new Set([
  'signature',
  'public_key',
  'started_at',
  'finished_at',
  'fingerprint.fingerprint_hash',
  'fingerprint.os_name',
  'fingerprint.os_version',
  'fingerprint.gpus[].kind',
  'results[].workload',
  'results[].suite_version',
  'results[].suite_digest',
  'results[].token_counts',
  'results[].backend_build.kind',
]);

interface Field {
  path: string;
  shape: string;
  text: string;
  isKey: boolean;
  replace(next: string): void;
  remove(): void;
}

/** Every free-form string of a run (values and keys), in payload order. */
function freeFields(run: unknown): Field[] {
  const fields: Field[] = [];
  const visit = (value: unknown, path: string, shape: string, replace: (v: string) => void, remove: () => void) => {
    if (typeof value === 'string') {
      if (!FIXED.has(shape)) fields.push({ path: path || '(root)', shape, text: value, isKey: false, replace, remove });
      return;
    }
    if (Array.isArray(value)) {
      value.forEach((item, i) =>
        visit(
          item,
          `${path}[${i}]`,
          `${shape}[]`,
          (v) => (value[i] = v),
          () => {
            value.splice(value.indexOf(item), 1);
          },
        ),
      );
      return;
    }
    if (typeof value === 'object' && value !== null) {
      const record = value as Record<string, unknown>;
      for (const key of Object.keys(record)) {
        const childPath = path ? `${path}.${key}` : key;
        const childShape = shape ? `${shape}.${key}` : key;
        const removeMember = () => delete record[key];
        const renameKey = (next: string) => {
          record[next] = record[key];
          delete record[key];
        };
        if (/\.extras$/.test(shape) || /^fingerprint\.extras\.backends$/.test(shape)) {
          fields.push({ path: childPath, shape: childShape, text: key, isKey: true, replace: renameKey, remove: removeMember });
        }
        visit(record[key], childPath, childShape, (v) => (record[key] = v), removeMember);
      }
    }
  };
  visit(
    run,
    '',
    '',
    () => undefined,
    () => undefined,
  );
  return fields;
}

function extrasViolations(result: unknown, index: number): PrivacyViolation[] {
  const extras = (result as { extras?: unknown } | null)?.extras;
  if (extras === undefined || extras === null) return [];
  const at = `results[${index}].extras`;
  if (typeof extras !== 'object' || Array.isArray(extras)) return [{ path: at, kind: 'extras', detail: 'extras must be an object of scalar values' }];
  const out: PrivacyViolation[] = [];
  const entries = Object.entries(extras as Record<string, unknown>);
  if (entries.length > EXTRAS_ENTRIES_LIMIT) out.push({ path: at, kind: 'extras', detail: `${entries.length} entries, at most ${EXTRAS_ENTRIES_LIMIT}` });
  for (const [key, value] of entries) {
    const path = `${at}.${key}`;
    if (value === null || typeof value === 'boolean') continue;
    if (typeof value === 'number') {
      if (!Number.isFinite(value) || Math.abs(value) > EXTRAS_NUMBER_LIMIT) out.push({ path, kind: 'extras', detail: `the number ${value} is outside ±10^15` });
    } else if (typeof value === 'string') {
      if (value.length > EXTRAS_STRING_LIMIT) out.push({ path, kind: 'extras', detail: `a string of ${value.length} characters, at most ${EXTRAS_STRING_LIMIT}` });
      else if (!EXTRAS_SAFE_STRING.test(value)) out.push({ path, kind: 'extras', detail: 'a string with characters outside letters, digits, space and _ . , : + ( ) / = -' });
    } else {
      out.push({ path, kind: 'extras', detail: `a ${Array.isArray(value) ? 'list' : typeof value}; extras hold scalar values only` });
    }
  }
  if (out.length === 0) {
    const bytes = Buffer.byteLength(canonicalize(extras));
    if (bytes > EXTRAS_BYTES_LIMIT) out.push({ path: at, kind: 'extras', detail: `${bytes} bytes of JSON, at most ${EXTRAS_BYTES_LIMIT}` });
  }
  return out;
}

/** Every rule the run breaks, each with the field path. An empty list means it may be published. */
export function privacyViolations(run: unknown): PrivacyViolation[] {
  const out: PrivacyViolation[] = [];
  const results = (run as { results?: unknown } | null)?.results;
  if (Array.isArray(results)) results.forEach((r, i) => out.push(...extrasViolations(r, i)));

  const fields = freeFields(run);
  // The same text in many places (a key in every result) is read once.
  const findings = new Map<string, ReturnType<typeof findPersonalData>>();
  for (const field of fields) {
    let found = findings.get(field.text);
    if (!found) findings.set(field.text, (found = findPersonalData(field.text)));
    for (const finding of found) {
      out.push({ path: field.path, kind: finding.kind, detail: JSON.stringify(field.text.slice(finding.start, finding.end)) });
    }
  }
  out.push(...fixtureViolations(fields));
  out.push(...freeTextViolations(fields));
  return out;
}

/** Letters and digits of a text in normal form (what the free-text limit counts). */
function countedCharacters(text: string): number {
  return normalizeText(text).text.match(/[\p{L}\p{N}]/gu)?.length ?? 0;
}

/** The free-form text a run carries: distinct free-form strings (keys included) and their letters and digits. */
export function freeTextSize(run: unknown): { strings: number; characters: number } {
  const distinct = new Set(freeFields(run).map((f) => f.text));
  let characters = 0;
  for (const text of distinct) characters += countedCharacters(text);
  return { strings: distinct.size, characters };
}

function freeTextViolations(fields: Field[]): PrivacyViolation[] {
  const distinct = new Map<string, Field>();
  for (const f of fields) if (!distinct.has(f.text)) distinct.set(f.text, f);
  let characters = 0;
  let longest: { field: Field; characters: number } | undefined;
  for (const [text, field] of distinct) {
    const n = countedCharacters(text);
    characters += n;
    if (!longest || n > longest.characters) longest = { field, characters: n };
  }
  if (characters <= FREE_TEXT_LIMIT && distinct.size <= FREE_STRINGS_LIMIT) return [];
  return [
    {
      path: longest!.field.path,
      kind: 'free-text',
      detail: `the run carries ${characters} letters and digits of free-form text in ${distinct.size} distinct strings, at most ${FREE_TEXT_LIMIT} in ${FREE_STRINGS_LIMIT} (the longest is here)`,
    },
  ];
}

type FixtureForm = ReturnType<typeof normalizeForFixtures>;

/** Several fields' fixture forms as one text, in payload order, with where each field starts. */
function joinForms(forms: FixtureForm[]): { form: FixtureForm; starts: number[] } {
  const starts: number[] = [];
  const form: FixtureForm = { norm: '', at: [], words: [] };
  for (const f of forms) {
    starts.push(form.norm.length);
    form.words.push(...f.words.map((w) => ({ word: w.word, start: w.start + form.norm.length })));
    form.norm += f.norm;
  }
  return { form, starts };
}

function copySpans(form: FixtureForm): Span[] {
  if (form.norm.length < FIXTURE_WINDOW) return [];
  return [...shingleCopies(form.norm), ...wordCopies(form.words)].sort((a, b) => a.start - b.start);
}

/**
 * Fixture text (fixture-text.ts): a copy inside one field is named by that field; a copy split
 * across fields is found in the values (and, separately, the keys) joined in payload order, or as
 * pieces of fields that line up along a fixture in any order, or as fields of 12 letters or more
 * that occur whole in the fixtures, adding up wherever they are.
 */
function fixtureViolations(fields: Field[]): PrivacyViolation[] {
  const byText = new Map<string, FixtureForm>();
  const forms = fields.map((f) => {
    let form = byText.get(f.text);
    if (!form) byText.set(f.text, (form = normalizeForFixtures(f.text)));
    return form;
  });
  const split = (involved: number[]): PrivacyViolation[] => {
    const ordered = [...new Set(involved)].sort((a, b) => a - b).map((i) => fields[i]!);
    return [{ path: ordered.map((f) => f.path).join(', '), fields: ordered.map((f) => f.path), kind: 'fixture-text', detail: `fixture text split across ${ordered.length} fields` }];
  };
  for (const keys of [false, true]) {
    const members = fields.map((_, i) => i).filter((i) => fields[i]!.isKey === keys);
    const { form, starts } = joinForms(members.map((i) => forms[i]!));
    if (!hasFixtureCopy(form.norm, form.words)) continue;
    const whole = fields.map((_, i) => i).filter((i) => copySpans(forms[i]!).length > 0);
    if (whole.length > 0) return whole.map((i) => ({ path: fields[i]!.path, kind: 'fixture-text' as const, detail: `${fields[i]!.text.length} characters matching the fixtures` }));
    const first = copySpans(form)[0]!;
    return split(members.filter((i, k) => forms[i]!.norm.length > 0 && starts[k]! < first.end && starts[k]! + forms[i]!.norm.length > first.start));
  }
  const wholePieces = forms.flatMap((f, i) => (f.norm.length >= FIXTURE_PIECE ? fieldPieces(f.norm, i).filter((h) => h.length === f.norm.length) : []));
  if (wholePieces.reduce((sum, h) => sum + h.length, 0) >= FIXTURE_WINDOW) return split(wholePieces.map((h) => h.field));
  // Pieces are looked for in each stretch between punctuation, so that pieces put into one error
  // text out of order (`retried: <piece 3> ; <piece 1>`) line up as well as pieces in separate fields.
  const parts: Array<{ field: number; norm: string }> = [];
  forms.forEach((form, i) => {
    parts.push({ field: i, norm: form.norm });
    const stretches = fields[i]!.text.split(PUNCTUATION);
    if (stretches.length > 1) for (const part of stretches) if (part.length >= PIECE_MIN) parts.push({ field: i, norm: normalizeForFixtures(part).norm });
  });
  // A text met again (a key in every result) gives the same pieces: looked up once.
  const seen = new Map<string, PieceHit[]>();
  const hits = parts.flatMap((p, k) => {
    let found = seen.get(p.norm);
    if (!found) seen.set(p.norm, (found = fieldPieces(p.norm, 0)));
    return found.map((h) => ({ ...h, field: k }));
  });
  const lined = linedUpPieces(hits);
  return lined.length > 0 ? split(lined.map((k) => parts[k]!.field)) : [];
}

const PUNCTUATION = /[^\p{L}\p{N}\s]+/u;

/** Throws PrivacyRuleError for the first rule the run breaks (the server answers it with 422). */
export function assertPrivacyRules(run: unknown): void {
  const [first] = privacyViolations(run);
  if (first) throw new PrivacyRuleError(first);
}

/** A model reference that is a local path becomes its file or folder name; anything else is kept. */
export function publicModelRef(ref: string): string {
  const trimmed = ref.replace(/[\\/]+$/, '');
  const local = /^(\/|~|\.{1,2}[\\/]|[A-Za-z]:[\\/]|\\\\|file:)/.test(trimmed);
  if (!local) return ref;
  const name = trimmed.replace(/\\/g, '/').split('/').pop();
  return name && name.length > 0 ? name : ref;
}

/**
 * The client side (before signing): local model paths become file names, personal data in texts
 * becomes placeholders, and offending extras entries or flags are dropped. Edits `run` in place and
 * returns one line per change, for the user. Throws PrivacyRuleError when a rule is still broken
 * and nothing more can be mended (a driver bug: nothing is signed).
 */
export function scrubRun(run: { results?: Array<{ model?: { identifier?: string; name?: string }; extras?: Record<string, unknown> }> }): string[] {
  const notes: string[] = [];
  (run.results ?? []).forEach((result, i) => {
    for (const key of ['identifier', 'name'] as const) {
      const value = result.model?.[key];
      if (typeof value !== 'string') continue;
      const next = publicModelRef(value);
      if (next !== value) {
        result.model![key] = next;
        notes.push(`results[${i}].model.${key}: a local path, published as its file name ${JSON.stringify(next)}`);
      }
    }
  });

  // Some findings show only once others are mended (a copy split across fields once the whole
  // copies are replaced, each further split copy one round later, the size of extras once their bad
  // entries are gone), so rounds go on while one changes the run. Each change removes a value or
  // turns a finding into a placeholder, which no rule finds, so it ends.
  for (;;) {
    const violations = privacyViolations(run);
    if (violations.length === 0) return notes;
    const before = JSON.stringify(run);
    // A key and the value under it share a path (fingerprint.extras.backends.<name>): a violation
    // there is looked for in both, the value first (once the key is renamed, the value's replace()
    // would write under the old name).
    const byPath = new Map<string, Field[]>();
    for (const f of freeFields(run)) byPath.set(f.path, f.isKey ? [...(byPath.get(f.path) ?? []), f] : [f, ...(byPath.get(f.path) ?? [])]);
    const removedExtras = new Set<string>();
    for (const violation of violations) {
      if (violation.kind === 'free-text') {
        fitFreeText(run, notes);
        continue;
      }
      for (const path of violation.fields ?? [violation.path]) {
        const extrasEntry = /^(results\[\d+\]\.extras)\.(.+)$/.exec(path);
        if (extrasEntry || (violation.kind === 'extras' && /^results\[\d+\]\.extras$/.test(path))) {
          dropExtras(run, path, violation, removedExtras, notes);
          continue;
        }
        for (const field of byPath.get(path) ?? []) {
          if (/\.flags\[\d+\]$/.test(path)) {
            field.remove();
            notes.push(`${path}: dropped, it held ${KIND_WORDS[violation.kind]}`);
            continue;
          }
          const next = violation.kind === 'fixture-text' ? scrubFixture(field.text) : scrubText(field.text);
          if (next !== field.text) {
            field.replace(next);
            field.text = next;
            notes.push(`${path}${field.isKey ? ' (key)' : ''}: ${KIND_WORDS[violation.kind]} replaced by a placeholder`);
          }
        }
      }
    }
    if (JSON.stringify(run) === before) throw new PrivacyRuleError(violations[0]!);
  }
}

/**
 * Over the free-text limit: the longest error and skip texts are cut to their first 300
 * characters, the longest first, until the run fits; then extras entries are dropped, the last
 * result's last entries first (the measurements stay; a run with nothing left to cut is refused).
 */
function fitFreeText(run: { results?: Array<{ extras?: Record<string, unknown> }> }, notes: string[]): void {
  const fits = () => {
    const size = freeTextSize(run);
    return size.characters <= FREE_TEXT_LIMIT && size.strings <= FREE_STRINGS_LIMIT;
  };
  const long = freeFields(run)
    .filter((f) => /(?:^|\.)(?:error|skipped)$/.test(f.shape) && f.text.length > SHORTENED_TEXT)
    .sort((a, b) => b.text.length - a.text.length);
  for (const field of long) {
    if (fits()) return;
    field.replace(field.text.slice(0, SHORTENED_TEXT) + '…');
    notes.push(`${field.path}: shortened to ${SHORTENED_TEXT} characters, a run carries at most ${FREE_TEXT_LIMIT} letters and digits of free-form text`);
  }
  const results = run.results ?? [];
  for (let i = results.length - 1; i >= 0; i--) {
    const extras = results[i]!.extras;
    if (!extras || typeof extras !== 'object') continue;
    for (const key of Object.keys(extras).reverse()) {
      if (fits()) return;
      delete extras[key];
      notes.push(`results[${i}].extras.${key}: dropped, a run carries at most ${FREE_STRINGS_LIMIT} distinct free-form strings and ${FREE_TEXT_LIMIT} letters and digits`);
    }
  }
}

function scrubFixture(text: string): string {
  const spans = findFixtureText(text);
  if (spans.length === 0) return PLACEHOLDERS['fixture-text']; // a piece of a split copy
  let out = '';
  let at = 0;
  for (const s of spans) {
    out += text.slice(at, s.start) + PLACEHOLDERS['fixture-text'];
    at = s.end;
  }
  return out + text.slice(at);
}

function dropExtras(run: { results?: Array<{ extras?: Record<string, unknown> }> }, path: string, violation: PrivacyViolation, removed: Set<string>, notes: string[]): void {
  const m = /^results\[(\d+)\]\.extras(?:\.(.+))?$/.exec(path);
  const extras = m ? run.results?.[Number(m[1])]?.extras : undefined;
  if (!m || !extras) return;
  if (m[2] !== undefined) {
    if (removed.has(path) || !(m[2] in extras)) return;
    delete extras[m[2]];
    removed.add(path);
    notes.push(`${path}: dropped, it held ${KIND_WORDS[violation.kind]} (${violation.detail})`);
    return;
  }
  // The whole object is too big or too many: drop entries from the end until it fits.
  const keys = Object.keys(extras);
  while (keys.length > 0 && (keys.length > EXTRAS_ENTRIES_LIMIT || Buffer.byteLength(canonicalize(extras)) > EXTRAS_BYTES_LIMIT)) {
    const key = keys.pop()!;
    delete extras[key];
    notes.push(`${path}.${key}: dropped, extras are limited to ${EXTRAS_ENTRIES_LIMIT} entries and ${EXTRAS_BYTES_LIMIT} bytes per result`);
  }
}
