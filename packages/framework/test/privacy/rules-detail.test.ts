/**
 * The privacy rules in detail (privacy/rules.ts): what each violation names (field, class, the text
 * found) — the server answers it with 422 — the extras bounds at their edges, the positions the
 * schema fixes, and what the client's scrub changes and says (PRIVACY §2). Runs are built by hand,
 * so each expected list is the whole answer, not "something was found".
 */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { assertPrivacyRules, buildUploadPayload, freeTextSize, PrivacyRuleError, privacyViolations, publicModelRef, scrubRun, type PrivacyViolation } from '../../src/privacy/index.js';
import { check } from '../../src/contract/validate.js';
import type { RunPayload } from '../../src/contract/generated/run.js';
import { canonicalize } from '../../src/signing/jcs.js';
import { SUITES_ROOT } from '../../src/suite/load.js';
import { sampleResult, sampleRun } from '../helpers/sample-run.js';

/** Prose from a shipped fixture, whitespace collapsed: what a driver echoing its prompt would leak. */
const PROSE = readFileSync(join(SUITES_ROOT, 'suite-v1', 'fixtures', 'w2-paragraphs.txt'), 'utf8')
  .replace(/\s+/g, ' ')
  .slice(400, 520);

const where = (violations: PrivacyViolation[]) => violations.map((v) => ({ path: v.path, kind: v.kind, fields: v.fields }));

describe('privacy rules: each violation names the field, the class and what was found', () => {
  it('a finding in a value, a key of extras and a flag, in payload order, with the text found', () => {
    const run = sampleRun([sampleResult({ error: 'connect ECONNREFUSED 10.0.0.5:8080', flags: ['quick', 'aa-bb-cc-dd-ee-ff'] })]);
    run.fingerprint.cpu_model = 'AMD Ryzen on alice-pc.lan';
    run.results[0]!.extras = { 'alice@example.com': 1 };
    assert.deepEqual(
      privacyViolations(run).map((v) => ({ path: v.path, kind: v.kind, detail: v.detail })),
      [
        { path: 'fingerprint.cpu_model', kind: 'hostname', detail: '"alice-pc.lan"' },
        { path: 'results[0].error', kind: 'ipv4', detail: '"10.0.0.5"' },
        { path: 'results[0].flags[1]', kind: 'mac', detail: '"aa-bb-cc-dd-ee-ff"' },
        { path: 'results[0].extras.alice@example.com', kind: 'email', detail: '"alice@example.com"' },
      ],
    );
  });

  it("a finding in a second result is named by that result's index; its extras too", () => {
    const run = sampleRun([sampleResult(), sampleResult({ workload: 'chat-long', extras: { host: 'db.internal', note: 'x'.repeat(65) } })]);
    assert.deepEqual(where(privacyViolations(run)), [
      { path: 'results[1].extras.note', kind: 'extras', fields: undefined },
      { path: 'results[1].extras.host', kind: 'hostname', fields: undefined },
    ]);
  });

  it('refuses with a typed error naming field and class, and saying nothing was sent', () => {
    const classes: Array<[string, string, RegExp]> = [
      ['10.0.0.5', 'ipv4', /an IPv4 address/],
      ['fe80::1ff:fe23:4567:890a', 'ipv6', /an IPv6 address/],
      ['aa:bb:cc:dd:ee:ff', 'mac', /a MAC address/],
      ['alice@example.com', 'email', /an e-mail address \(or user@host\)/],
      ['/home/alice/x.gguf', 'path', /an absolute filesystem path/],
      ['alice-pc.lan', 'hostname', /a host name outside the model-hub\/provider allowlist/],
      [PROSE.slice(0, 40), 'fixture-text', /text copied from the suite fixtures \(prompt text\)/],
    ];
    for (const [value, kind, words] of classes) {
      const run = sampleRun([sampleResult({ error: `failed: ${value}` })]);
      assert.throws(
        () => assertPrivacyRules(run),
        (e: unknown) => {
          assert.ok(e instanceof PrivacyRuleError, kind);
          assert.equal(e.kind, kind);
          assert.equal(e.path, 'results[0].error');
          assert.equal(e.code, 'privacy-rules');
          assert.equal(e.name, 'PrivacyRuleError');
          assert.match(e.message, new RegExp(`^results\\[0\\]\\.error contains ${words.source}: .+; refused \\(PRIVACY §2\\)\\.$`));
          assert.match(e.suggestions.join(' '), /nothing was sent/);
          return true;
        },
      );
    }
    const extras = sampleRun([sampleResult({ extras: { note: 'x'.repeat(65) } })]);
    assert.throws(() => assertPrivacyRules(extras), /^PrivacyRuleError: results\[0\]\.extras\.note contains an extras value outside the extras rules: /);
    assert.doesNotThrow(() => assertPrivacyRules(sampleRun()));
  });

  it('leaves the positions the schema fixes alone: a public key with "/" in it is base64, not a path', () => {
    // Standard base64 uses "/" and "+": one key in 64 begins with "/", and "+/" occurs inside others.
    for (const publicKey of ['/' + 'A'.repeat(42) + '=', 'AAAA+/' + 'A'.repeat(37) + '=']) {
      assert.equal(Buffer.from(publicKey, 'base64').length, 32);
      const run = { ...sampleRun(), public_key: publicKey, signature: 'eyJhbGciOiJFZERTQSJ9..' + 'A'.repeat(86) };
      assert.deepEqual(privacyViolations(run), [], publicKey);
    }
  });

  it("a bare string is named (root); a member left undefined (as a driver's object literal leaves it) is skipped, not a crash", () => {
    assert.deepEqual(privacyViolations('alice@example.com'), [{ path: '(root)', kind: 'email', detail: '"alice@example.com"' }]);
    const run = sampleRun([
      sampleResult({ error: undefined as never, model: { identifier: 'Qwen/Qwen2.5-7B-Instruct-GGUF', name: 'Qwen2.5-7B', quant: undefined as never, size: null, digest: null } }),
    ]);
    assert.deepEqual(privacyViolations(run), []);
  });
});

describe('privacy rules: extras bounds at their edges', () => {
  const extrasViolations = (extras: Record<string, unknown>) => privacyViolations(sampleRun([sampleResult({ extras: extras as never })])).filter((v) => v.kind === 'extras');

  it('scalars only; strings of at most 64 safe characters; numbers within ±10^15', () => {
    const found = extrasViolations({
      ok64: 'x'.repeat(64),
      long: 'x'.repeat(65),
      unsafe: 'a;b',
      edge: -1e15,
      big: 1e15 + 1,
      inf: Number.POSITIVE_INFINITY,
      nan: Number.NaN,
      list: [1],
      nested: { a: 1 },
      yes: true,
      none: null,
    });
    assert.deepEqual(
      found.map((v) => v.path),
      ['results[0].extras.long', 'results[0].extras.unsafe', 'results[0].extras.big', 'results[0].extras.inf', 'results[0].extras.nan', 'results[0].extras.list', 'results[0].extras.nested'],
    );
    const detail = Object.fromEntries(found.map((v) => [v.path.split('.').pop(), v.detail]));
    assert.match(detail.long!, /65 characters, at most 64/);
    assert.match(detail.unsafe!, /characters outside letters, digits, space and _ \. , : \+ \( \) \/ = -/);
    assert.match(detail.big!, /the number 1000000000000001 is outside ±10\^15/);
    assert.match(detail.inf!, /the number Infinity is outside/);
    assert.match(detail.nan!, /the number NaN is outside/);
    assert.match(detail.list!, /^a list; extras hold scalar values only$/);
    assert.match(detail.nested!, /^a object; extras hold scalar values only$/);
  });

  it('extras that are not an object are one violation on the extras themselves; absent or null extras none', () => {
    for (const extras of [['a'], 'a', 5]) {
      assert.deepEqual(
        privacyViolations(sampleRun([sampleResult({ extras: extras as never })])).map((v) => [v.path, v.kind, v.detail]),
        [['results[0].extras', 'extras', 'extras must be an object of scalar values']],
        JSON.stringify(extras),
      );
    }
    assert.deepEqual(privacyViolations(sampleRun([sampleResult({ extras: null as never })])), []);
    const { extras: _e, ...noExtras } = sampleResult();
    assert.deepEqual(privacyViolations(sampleRun([noExtras as never])), []);
  });

  it('at most 64 entries and 2048 bytes of JSON: the edge is allowed, one more is not', () => {
    const entries = (n: number) => Object.fromEntries(Array.from({ length: n }, (_, i) => [`k${i}`, i]));
    assert.deepEqual(extrasViolations(entries(64)), []);
    assert.deepEqual(
      extrasViolations(entries(65)).map((v) => [v.path, v.detail]),
      [['results[0].extras', '65 entries, at most 64']],
    );
    // 2048 bytes exactly: 31 entries of {"kNN":"<54 x>"} plus padding, measured by the same JCS.
    const sized = (bytes: number) => {
      const extras: Record<string, string> = {};
      for (let i = 10; Buffer.byteLength(canonicalize(extras)) + 64 < bytes; i++) extras[`k${i}`] = 'x'.repeat(54);
      extras.last = '';
      extras.last = 'y'.repeat(bytes - Buffer.byteLength(canonicalize(extras)));
      assert.equal(Buffer.byteLength(canonicalize(extras)), bytes);
      return extras;
    };
    assert.deepEqual(extrasViolations(sized(2048)), []);
    assert.deepEqual(
      extrasViolations(sized(2049)).map((v) => [v.path, v.detail]),
      [['results[0].extras', '2049 bytes of JSON, at most 2048']],
    );
    // Entries that break a rule are reported first; the size is judged once they are gone.
    const both = { ...sized(2100), bad: 'a;b' };
    assert.deepEqual(
      extrasViolations(both).map((v) => v.path),
      ['results[0].extras.bad'],
    );
  });
});

describe('privacy rules: fixture text in one field, or split across several', () => {
  it('a copy inside one field is named by that field alone', () => {
    const run = sampleRun([sampleResult({ error: `echo: ${PROSE.slice(0, 40)}` })]);
    assert.deepEqual(
      privacyViolations(run).map((v) => [v.path, v.kind, v.fields]),
      [['results[0].error', 'fixture-text', undefined]],
    );
  });

  it('a copy split in payload order names exactly the fields that hold the first copied window', () => {
    const text = PROSE.replace(/[^A-Za-z0-9 ]/g, ' ');
    // Three extras values hold 10 + 10 + 10 letters-and-spaces of prose; a fourth, later one holds something else.
    const run = sampleRun([sampleResult({ extras: { a1: text.slice(0, 12), a2: text.slice(12, 24), a3: text.slice(24, 36), z9: 'unrelated 42' } })]);
    const [violation, ...more] = privacyViolations(run);
    assert.deepEqual(more, []);
    assert.equal(violation!.kind, 'fixture-text');
    assert.deepEqual(violation!.fields, ['results[0].extras.a1', 'results[0].extras.a2', 'results[0].extras.a3']);
    assert.equal(violation!.path, 'results[0].extras.a1, results[0].extras.a2, results[0].extras.a3');
    assert.match(violation!.detail, /split across 3 fields/);
  });

  it('fixture pieces scattered anywhere add up: 2 × 12 characters is a copy, 12 + 11 is not', () => {
    const letters = PROSE.replace(/[^A-Za-z]/g, '');
    const scattered = (a: string, b: string) => {
      const run = sampleRun([sampleResult({ error: a })]);
      run.fingerprint.cpu_model = b;
      return run;
    };
    const two = privacyViolations(scattered(letters.slice(0, 12), letters.slice(40, 52)));
    assert.deepEqual(where(two), [{ path: 'fingerprint.cpu_model, results[0].error', kind: 'fixture-text', fields: ['fingerprint.cpu_model', 'results[0].error'] }]);
    assert.equal(two[0]!.detail, 'fixture text split across 2 fields');
    assert.deepEqual(privacyViolations(scattered(letters.slice(0, 12), letters.slice(40, 51))), []);
  });

  it('the fields named are those the copy runs through: not an empty one inside it, not the next one, also where it ends the run', () => {
    const letters = PROSE.replace(/[^A-Za-z]/g, '');
    const [a, b, c] = [letters.slice(0, 8), letters.slice(8, 16), letters.slice(16, 24)];
    // "--" has no letter or digit; "on" begins right where the 24 copied letters end.
    const inside = sampleRun([sampleResult({ extras: { a1: a, dash: '--', a2: b, a3: c, z9: 'on' } })]);
    assert.deepEqual(where(privacyViolations(inside)), [
      {
        path: 'results[0].extras.a1, results[0].extras.a2, results[0].extras.a3',
        kind: 'fixture-text',
        fields: ['results[0].extras.a1', 'results[0].extras.a2', 'results[0].extras.a3'],
      },
    ]);
    // cli_version is the last free text of a run (started_at and finished_at are fixed).
    const last = sampleRun([sampleResult({ extras: { a1: a, a2: b } })]);
    last.cli_version = c;
    assert.deepEqual(where(privacyViolations(last)), [
      { path: 'results[0].extras.a1, results[0].extras.a2, cli_version', kind: 'fixture-text', fields: ['results[0].extras.a1', 'results[0].extras.a2', 'cli_version'] },
    ]);
  });

  it('a copy split over extras keys, in key order, is found among the keys whatever values lie between them', () => {
    const letters = PROSE.replace(/[^A-Za-z]/g, '');
    const keys = [letters.slice(0, 8), letters.slice(8, 16), letters.slice(16, 24)];
    const paths = keys.map((k) => `results[0].extras.${k}`);
    const run = sampleRun([sampleResult({ extras: Object.fromEntries(keys.map((k) => [k, 'on'])) })]);
    assert.deepEqual(where(privacyViolations(run)), [{ path: paths.join(', '), kind: 'fixture-text', fields: paths }]);
    // From a backend's name in fingerprint.extras.backends on to an extras key: the run's own member
    // names between them (workload, suite_version, …) are no free text and do not break the copy.
    // From letter 44 on: the fixture's letter before it is no "s", so the key "backends" that comes
    // first in the keys cannot lengthen the copy.
    const [head, tail] = [letters.slice(44, 55), letters.slice(55, 68)];
    const across = sampleRun([sampleResult({ extras: { [tail]: 'on' } })]);
    across.fingerprint.extras.backends = { [head]: '7410' };
    const both = [`fingerprint.extras.backends.${head}`, `results[0].extras.${tail}`];
    assert.deepEqual(where(privacyViolations(across)), [{ path: both.join(', '), kind: 'fixture-text', fields: both }]);
  });

  it('positions the schema fixes neither hide nor break a copy split around them (the run as the server parses it: keys sorted)', () => {
    // 11 letters are no piece and 13 are fewer than 24: only the two fields joined are a copy.
    const letters = PROSE.replace(/[^A-Za-z]/g, '');
    const [head, tail] = [letters.slice(0, 11), letters.slice(11, 24)];
    // The free texts just before and just after fixed positions, in RFC 8785 order (what the CLI signs).
    const cases: Array<{ fixed: string; before: string; after: string; plant: (run: RunPayload) => void }> = [
      {
        fixed: 'finished_at',
        before: 'cli_version',
        after: 'fingerprint.accelerator_summary',
        plant: (r) => ((r.cli_version = head), (r.fingerprint.accelerator_summary = tail)),
      },
      {
        fixed: 'fingerprint_hash, gpus[].kind',
        before: 'fingerprint.extras.backends.llama.cpp',
        after: 'fingerprint.gpus[0].name',
        plant: (r) => ((r.fingerprint.extras.backends['llama.cpp'] = head), (r.fingerprint.gpus[0]!.name = tail)),
      },
      {
        fixed: 'os_name, os_version, public_key',
        before: 'fingerprint.gpus[0].name',
        after: 'results[0].backend',
        plant: (r) => ((r.fingerprint.gpus[0]!.name = head), (r.results[0]!.backend = tail)),
      },
      {
        fixed: 'backend_build.kind',
        before: 'results[0].backend_build.devices[0]',
        after: 'results[0].backend_version',
        plant: (r) => ((r.results[0]!.backend_build!.devices = [head]), (r.results[0]!.backend_version = tail)),
      },
      {
        fixed: 'suite_digest, suite_version, token_counts, workload',
        before: 'results[0].model.size',
        after: 'results[1].backend',
        plant: (r) => ((r.results[0]!.model.size = head), (r.results[1]!.backend = tail)),
      },
    ];
    for (const { fixed, before, after, plant } of cases) {
      const run: RunPayload = {
        // Both results name a device that shares no letters with the fixture's next words, so the
        // copy's fields are exactly the two planted ones.
        ...sampleRun([
          sampleResult({ backend_build: { kind: 'cuda', devices: ['RTX 4090'] }, token_counts: 'backend' }),
          sampleResult({ workload: 'chat-long', backend_build: { kind: 'cuda', devices: ['RTX 4090'] } }),
        ]),
        public_key: 'A'.repeat(43) + '=',
      };
      plant(run);
      const parsed = JSON.parse(canonicalize(run)) as RunPayload;
      assert.deepEqual(check('run', parsed), [], fixed);
      assert.deepEqual(where(privacyViolations(parsed)), [{ path: `${before}, ${after}`, kind: 'fixture-text', fields: [before, after] }], fixed);
    }
  });

  it('the client replaces a copy by a placeholder and keeps the rest of the text', () => {
    const run = sampleRun([sampleResult({ error: `backend said: ${PROSE.slice(0, 40)} (truncated)` })]);
    const notes = scrubRun(run);
    assert.match(run.results[0]!.error!, /^backend said: .*<prompt text>.* \(truncated\)$/);
    assert.ok(!run.results[0]!.error!.includes(PROSE.slice(5, 35)));
    assert.deepEqual(notes, ['results[0].error: text copied from the suite fixtures (prompt text) replaced by a placeholder']);
    // A piece of a split copy is replaced whole.
    const split = sampleRun([sampleResult({ error: PROSE.replace(/[^A-Za-z]/g, '').slice(0, 12) })]);
    split.fingerprint.cpu_model = PROSE.replace(/[^A-Za-z]/g, '').slice(40, 52);
    scrubRun(split);
    assert.equal(split.results[0]!.error, '<prompt text>');
    assert.equal(split.fingerprint.cpu_model, '<prompt text>');
  });
});

describe('privacy rules: the client scrub says what it changed', () => {
  it('model paths become file names; texts get placeholders; offending extras and flags are dropped', () => {
    const run = sampleRun([
      sampleResult({
        model: { identifier: './models/x.gguf', name: '../y/', size: null, quant: null, digest: null },
        error: 'cannot reach alice-pc.lan',
        flags: ['quick', 'aa-bb-cc-dd-ee-ff'],
        extras: { slots: 4, where: '/home/alice', note: 'x'.repeat(65) },
      }),
    ]);
    const notes = scrubRun(run);
    const r = run.results[0]!;
    assert.equal(r.model.identifier, 'x.gguf');
    assert.equal(r.model.name, 'y');
    assert.equal(r.error, 'cannot reach <host>');
    assert.deepEqual(r.flags, ['quick']);
    assert.deepEqual(r.extras, { slots: 4 });
    assert.deepEqual(notes, [
      'results[0].model.identifier: a local path, published as its file name "x.gguf"',
      'results[0].model.name: a local path, published as its file name "y"',
      'results[0].extras.note: dropped, it held an extras value outside the extras rules (a string of 65 characters, at most 64)',
      'results[0].error: a host name outside the model-hub/provider allowlist replaced by a placeholder',
      'results[0].flags[1]: dropped, it held a MAC address',
      'results[0].extras.where: dropped, it held an absolute filesystem path ("/home/alice")',
    ]);
    assert.deepEqual(privacyViolations(run), []);
    assert.deepEqual(scrubRun(run), [], 'a clean run is left as it is');
  });

  it('extras over the entry or byte limit lose entries from the end until they fit, each one said', () => {
    const many = Object.fromEntries(Array.from({ length: 66 }, (_, i) => [`k${String(i).padStart(2, '0')}`, i]));
    const run = sampleRun([sampleResult({ extras: many })]);
    const notes = scrubRun(run);
    assert.deepEqual(Object.keys(run.results[0]!.extras), Object.keys(many).slice(0, 64));
    assert.deepEqual(notes, [
      'results[0].extras.k65: dropped, extras are limited to 64 entries and 2048 bytes per result',
      'results[0].extras.k64: dropped, extras are limited to 64 entries and 2048 bytes per result',
    ]);
    const heavy = Object.fromEntries(Array.from({ length: 40 }, (_, i) => [`k${String(i).padStart(2, '0')}`, 'x'.repeat(60)]));
    const big = sampleRun([sampleResult({ extras: heavy })]);
    scrubRun(big);
    const kept = Object.keys(big.results[0]!.extras);
    assert.deepEqual(kept, Object.keys(heavy).slice(0, kept.length), 'the first entries are kept');
    assert.ok(Buffer.byteLength(canonicalize(big.results[0]!.extras)) <= 2048);
    assert.ok(Buffer.byteLength(canonicalize({ ...big.results[0]!.extras, [`k${kept.length}`]: 'x'.repeat(60) })) > 2048, 'no more was dropped than needed');
  });

  it('a host name in a key of fingerprint.extras.backends (a driver that names itself so) becomes a placeholder as in its value', () => {
    // The key and the version under it share the path fingerprint.extras.backends.alice-pc.lan.
    const notes: string[] = [];
    const payload = buildUploadPayload(sampleRun([sampleResult({ backend: 'alice-pc.lan' })]), { mode: 'default', notes });
    assert.equal(payload.results[0]!.backend, '<host>');
    assert.deepEqual(payload.fingerprint.extras.backends, { '<host>': '7410' });
    assert.deepEqual(notes, [
      'privacy: fingerprint.extras.backends.alice-pc.lan (key): a host name outside the model-hub/provider allowlist replaced by a placeholder',
      'privacy: results[0].backend: a host name outside the model-hub/provider allowlist replaced by a placeholder',
    ]);
    // Key and value both hold it: each is scrubbed once, the value staying under the renamed key.
    const both: string[] = [];
    const twice = buildUploadPayload(sampleRun([sampleResult({ backend: 'alice-pc.lan', backend_version: 'b1 on alice-pc.lan' })]), { mode: 'default', notes: both });
    assert.deepEqual(twice.fingerprint.extras.backends, { '<host>': 'b1 on <host>' });
    assert.deepEqual([twice.results[0]!.backend, twice.results[0]!.backend_version], ['<host>', 'b1 on <host>']);
    assert.deepEqual(both, [
      'privacy: fingerprint.extras.backends.alice-pc.lan: a host name outside the model-hub/provider allowlist replaced by a placeholder',
      'privacy: fingerprint.extras.backends.alice-pc.lan (key): a host name outside the model-hub/provider allowlist replaced by a placeholder',
      'privacy: results[0].backend: a host name outside the model-hub/provider allowlist replaced by a placeholder',
      'privacy: results[0].backend_version: a host name outside the model-hub/provider allowlist replaced by a placeholder',
    ]);
  });

  it('copies split across fields are dropped one a round, however many there are', () => {
    // Four copies of 24 letters of fixture prose, each over three extras values of 8 letters, kept
    // apart by other entries of 10 letters that are no fixture text (a shorter one would read as a
    // typo inside one long copy): each round finds the first copy left.
    const letters = readFileSync(join(SUITES_ROOT, 'suite-v1', 'fixtures', 'w2-paragraphs.txt'), 'utf8')
      .replace(/\s+/g, ' ')
      .slice(400, 800)
      .replace(/[^A-Za-z]/g, '');
    const extras: Record<string, string> = {};
    for (const copy of [0, 1, 2, 3]) {
      for (const part of [0, 1, 2]) extras[`c${copy}${part}`] = letters.slice(24 * copy + 8 * part, 24 * copy + 8 * part + 8);
      extras[`s${copy}`] = 'qzqzqzqzqz';
    }
    const run = sampleRun([sampleResult({ extras })]);
    const notes = scrubRun(run);
    assert.deepEqual(run.results[0]!.extras, { s0: 'qzqzqzqzqz', s1: 'qzqzqzqzqz', s2: 'qzqzqzqzqz', s3: 'qzqzqzqzqz' });
    const dropped = ['c00', 'c01', 'c02', 'c10', 'c11', 'c12', 'c20', 'c21', 'c22', 'c30', 'c31', 'c32'];
    assert.deepEqual(
      notes,
      dropped.map((key) => `results[0].extras.${key}: dropped, it held text copied from the suite fixtures (prompt text) (fixture text split across 3 fields)`),
    );
  });

  it('what the scrub cannot mend is refused before anything is signed, naming the field', () => {
    // extras that are no object have no entry to drop (a driver bug: its author is told).
    const run = sampleRun([sampleResult({ extras: 'threads=4' as never })]);
    assert.throws(
      () => scrubRun(run),
      (e: unknown) => e instanceof PrivacyRuleError && e.path === 'results[0].extras' && e.kind === 'extras' && /report it to the driver author/.test(e.suggestions.join(' ')),
    );
    // Nor can a bare string be written back into anything: refused, not tried again and again.
    assert.throws(
      () => scrubRun('alice@example.com' as never),
      (e: unknown) => e instanceof PrivacyRuleError && e.path === '(root)' && e.kind === 'email',
    );
  });

  it('past the tenth flag or result, offending flags and extras entries are still dropped, not rewritten', () => {
    const others = () => Array.from({ length: 10 }, () => sampleResult());
    const flags = [...Array.from({ length: 10 }, (_, i) => `f${i}`), 'aa-bb-cc-dd-ee-ff'];
    const run = sampleRun([...others(), sampleResult({ flags, extras: { slots: 4, where: '/home/alice' } })]);
    assert.deepEqual(scrubRun(run), ['results[10].flags[10]: dropped, it held a MAC address', 'results[10].extras.where: dropped, it held an absolute filesystem path ("/home/alice")']);
    assert.deepEqual(run.results[10]!.flags, flags.slice(0, 10));
    assert.deepEqual(run.results[10]!.extras, { slots: 4 });
    const many = Object.fromEntries(Array.from({ length: 65 }, (_, i) => [`k${String(i).padStart(2, '0')}`, i]));
    const big = sampleRun([...others(), sampleResult({ extras: many })]);
    assert.deepEqual(scrubRun(big), ['results[10].extras.k64: dropped, extras are limited to 64 entries and 2048 bytes per result']);
  });

  it('an entry is dropped once, with one note, however many rules it breaks', () => {
    const two = sampleRun([sampleResult({ extras: { slots: 4, where: 'at 10.0.0.5 on alice-pc.lan' } })]);
    assert.deepEqual(scrubRun(two), ['results[0].extras.where: dropped, it held an IPv4 address ("10.0.0.5")']);
    assert.deepEqual(two.results[0]!.extras, { slots: 4 });
    // The 65th entry is over the entry limit and unsafe: dropped for the limit, and not said again.
    const extras = { ...Object.fromEntries(Array.from({ length: 64 }, (_, i) => [`k${String(i).padStart(2, '0')}`, i])), k64: 'a;b' };
    const run = sampleRun([sampleResult({ extras })]);
    assert.deepEqual(scrubRun(run), ['results[0].extras.k64: dropped, extras are limited to 64 entries and 2048 bytes per result']);
    assert.equal(Object.keys(run.results[0]!.extras).length, 64);
  });

  it('dropping for size stops as soon as the extras fit: exactly 2048 bytes are kept', () => {
    // {"k10":"x…",…,"k40":"x…"}: 2 braces, 30 commas and 31 entries of 8 bytes plus their x's;
    // 30 of 57 x's and one of 58: 2 + 30 + 30 × 65 + 66 = 2048 bytes. "k41":"x" adds 10.
    const fit: Record<string, string> = {};
    for (let i = 10; i < 40; i++) fit[`k${i}`] = 'x'.repeat(57);
    fit.k40 = 'x'.repeat(58);
    assert.equal(Buffer.byteLength(canonicalize(fit)), 2048, 'the sum above');
    const run = sampleRun([sampleResult({ extras: { ...fit, k41: 'x' } })]);
    assert.deepEqual(scrubRun(run), ['results[0].extras.k41: dropped, extras are limited to 64 entries and 2048 bytes per result']);
    assert.deepEqual(run.results[0]!.extras, fit);
  });

  it('the payload the user is shown carries the scrub notes, prefixed', () => {
    const notes: string[] = [];
    buildUploadPayload(sampleRun([sampleResult({ error: 'at 10.0.0.5' })]), { mode: 'default', notes });
    assert.deepEqual(notes, ['privacy: results[0].error: an IPv4 address replaced by a placeholder']);
  });
});

describe('publicModelRef: a local path becomes its file or folder name, nothing else changes', () => {
  it('recognises every local spelling and keeps hub ids, tags and URLs', () => {
    const cases: Array<[string, string]> = [
      ['/home/alice/models/x.gguf', 'x.gguf'],
      ['~/models/mlx-model/', 'mlx-model'],
      ['./x.gguf', 'x.gguf'],
      ['../models/y.gguf', 'y.gguf'],
      ['.\\models\\z.gguf', 'z.gguf'],
      ['C:\\Users\\alice\\m\\y.gguf', 'y.gguf'],
      ['D:/models/w.gguf', 'w.gguf'],
      ['\\\\nas\\share\\v.gguf', 'v.gguf'],
      ['file:///home/alice/u.gguf', 'u.gguf'],
      ['/home/alice/models//', 'models'],
      ['Qwen/Qwen2.5-7B-Instruct', 'Qwen/Qwen2.5-7B-Instruct'],
      ['hf.co/bartowski/Llama-3.2-3B-Instruct-GGUF:Q4_K_M', 'hf.co/bartowski/Llama-3.2-3B-Instruct-GGUF:Q4_K_M'],
      ['.hidden-model', '.hidden-model'],
      ['...', '...'],
      ['/', '/'],
    ];
    for (const [ref, expected] of cases) assert.equal(publicModelRef(ref), expected, ref);
  });
});

describe('privacy rules: the free-form text a run may carry (4,096 letters and digits in 128 distinct strings)', () => {
  // sampleRun()'s distinct free texts, by hand: "AMD Ryzen 9 7950X3D" 16, "RTX 4090" 7, the
  // accelerator summary 34, "llama.cpp" 8 (key and backend), "7410" 4 (version and backend_version),
  // "Qwen/Qwen2.5-7B-Instruct-GGUF" 24, "Qwen2.5-7B-Instruct" 16, "7B" 2, "Q4_K_M" 4, the digest 64,
  // "0.1.0" 3, "backends" 8 (a key of fingerprint.extras, free text like any extras key), and
  // the backend build's device "NVIDIA GeForce RTX 4090" 20: 13 strings, 210 letters and digits.
  const BASE = 210;

  it('counts letters and digits of distinct strings, keys included, once however often they occur', () => {
    assert.deepEqual(freeTextSize(sampleRun()), { strings: 13, characters: BASE });
    assert.deepEqual(freeTextSize(sampleRun([sampleResult(), sampleResult({ workload: 'chat-long' })])), { strings: 13, characters: BASE }, 'a second result with the same texts adds nothing');
    assert.deepEqual(freeTextSize(sampleRun([sampleResult({ extras: { note: 'ａｂ-c d' } })])), { strings: 15, characters: BASE + 4 + 4 }, '"note" 4, "ａｂ-c d" 4 in normal form');
  });

  it('4,096 is allowed, 4,097 is refused, naming the longest text', () => {
    const fill = (extra: number) => {
      // 210 + 1943 + 1943 = 4096.
      const run = sampleRun([sampleResult({ error: 'x'.repeat(1943) })]);
      run.results[0]!.tiers = [{ context_tokens: 4096, prefill_tps: null, decode_tps: null, ttft_ms: null, error: 'y'.repeat(1943 + extra) }];
      return run;
    };
    assert.deepEqual(freeTextSize(fill(0)).characters, 4096);
    assert.deepEqual(privacyViolations(fill(0)), []);
    assert.deepEqual(
      privacyViolations(fill(1)).map((v) => [v.path, v.kind, v.detail]),
      [['results[0].tiers[0].error', 'free-text', 'the run carries 4097 letters and digits of free-form text in 15 distinct strings, at most 4096 in 128 (the longest is here)']],
    );
    assert.throws(() => assertPrivacyRules(fill(1)), /^PrivacyRuleError: results\[0\]\.tiers\[0\]\.error contains more free-form text than a run may carry: /);
  });

  it('128 distinct strings are allowed, 129 are refused', () => {
    const keys = (from: number, n: number) => Object.fromEntries(Array.from({ length: n }, (_, i) => [`k${from + i}`, i]));
    const run = (n: number) => sampleRun([sampleResult({ extras: keys(100, 64) }), sampleResult({ extras: keys(200, n - 13 - 64) })]);
    assert.equal(freeTextSize(run(128)).strings, 128);
    assert.deepEqual(privacyViolations(run(128)), []);
    assert.deepEqual(
      privacyViolations(run(129)).map((v) => v.kind),
      ['free-text'],
    );
  });

  it('the client shortens the longest error texts to 300 characters, then drops extras entries, until the run fits, and says so', () => {
    const run = sampleRun([sampleResult({ error: 'x'.repeat(2000) })]);
    run.results[0]!.tiers = [
      { context_tokens: 4096, prefill_tps: null, decode_tps: null, ttft_ms: null, error: 'y'.repeat(2000) },
      { context_tokens: 8192, prefill_tps: null, decode_tps: null, ttft_ms: null, skipped: 'z'.repeat(1000) },
    ];
    // 210 + 2000 + 2000 + 1000 = 5210; the first 2000 cut to 300 (and the ellipsis, no letter) leaves 3510.
    const notes = scrubRun(run);
    assert.equal(run.results[0]!.error, 'x'.repeat(300) + '…');
    assert.equal(run.results[0]!.tiers[0]!.error, 'y'.repeat(2000));
    assert.deepEqual(notes, ['results[0].error: shortened to 300 characters, a run carries at most 4096 letters and digits of free-form text']);
    assert.deepEqual(privacyViolations(run), []);
    // 13 + 64 + 60 = 137 distinct strings: the second result's last 9 extras entries go, the measurements stay.
    const many = sampleRun([
      sampleResult({ extras: Object.fromEntries(Array.from({ length: 64 }, (_, i) => [`a${i}`, i])) }),
      sampleResult({ extras: Object.fromEntries(Array.from({ length: 60 }, (_, i) => [`b${i}`, i])) }),
    ]);
    const dropped = scrubRun(many);
    assert.deepEqual(
      Object.keys(many.results[1]!.extras),
      Array.from({ length: 51 }, (_, i) => `b${i}`),
    );
    assert.equal(dropped.length, 9);
    assert.equal(dropped[0], 'results[1].extras.b59: dropped, a run carries at most 128 distinct free-form strings and 4096 letters and digits');
    assert.equal(many.results[1]!.decode_tps, 187.4);
    // Nothing left to cut: 9 other strings and 121 model identifiers (no extras, no errors) are refused before signing.
    const names = sampleRun(Array.from({ length: 121 }, (_, i) => sampleResult({ model: { identifier: `m${i}`, name: 'Qwen2.5-7B-Instruct', size: null, quant: null, digest: null } })));
    assert.throws(
      () => scrubRun(names),
      (e: unknown) => e instanceof PrivacyRuleError && e.kind === 'free-text',
    );
  });
});
