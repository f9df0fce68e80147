/**
 * The one comparability rule (METHODOLOGY §6.1): what a group is, and which
 * results are kept out of every group and why. The server and `compare` both call this.
 */
import assert from 'node:assert/strict';
import fc from 'fast-check';
import type { MeasuredResult } from '../../src/contract/generated/run.js';
import { comparability, groupDifferences, groupKey, groupOf, isInterrupted, NOT_COMPARABLE_FLAGS, pairComparability, RANK_ADVICE, unrankedSentence } from '../../src/index.js';
import { loadSuite } from '../../src/suite/index.js';
import { sampleResult, sampleRun } from '../helpers/sample-run.js';

const fingerprint = sampleRun().fingerprint;
/** A batch of W4 as the runner writes it (METHODOLOGY §1.4). */
const batch = (size: number, per_stream_tps = 40) => ({ batch: size, aggregate_tps: size * per_stream_tps, per_stream_tps, p50_ms: 25, p95_ms: 30 });
const w4 = (overrides: Partial<MeasuredResult> = {}) =>
  sampleResult({ workload: 'concurrent-decode', batch_size: 16, output_tokens: 16 * 256, decode_tps: 640, batches: [1, 4, 8, 16].map((b) => batch(b)), ...overrides });

describe('comparable groups', () => {
  it('a group is suite version × workload × model × backend × engine × build × hardware class, and nothing else', () => {
    const base = sampleResult({ extras: { engine: 'server' }, backend_build: { kind: 'cuda', devices: ['NVIDIA H200'] } });
    const key = groupKey(groupOf(base, fingerprint));
    // Figures, versions and device names are not part of the group. (Typed as a whole result: groupOf
    // takes only the grouped fields, so a literal naming backend_version would be an excess property.)
    const otherVersion: MeasuredResult = { ...base, backend_version: '9999', backend_build: { kind: 'cuda' } };
    assert.equal(groupKey(groupOf(otherVersion, fingerprint)), key);
    const variants: Array<[string, MeasuredResult, typeof fingerprint]> = [
      ['suite version', { ...base, suite_version: 'suite-v2' }, fingerprint],
      ['workload', { ...base, workload: 'chat-long' }, fingerprint],
      ['model digest', { ...base, model: { ...base.model, digest: 'ee'.repeat(32) } }, fingerprint],
      ['backend', { ...base, backend: 'ollama' }, fingerprint],
      ['engine', { ...base, extras: { engine: 'embedded' } }, fingerprint],
      ['build', { ...base, backend_build: { kind: 'cpu' } }, fingerprint],
      ['hardware class', base, { ...fingerprint, fingerprint_hash: '0011223344556677' }],
    ];
    const keys = new Set([key]);
    for (const [what, result, fp] of variants) {
      const other = groupKey(groupOf(result, fp));
      assert.notEqual(other, key, `${what} must split the group`);
      keys.add(other);
      assert.equal(groupDifferences(groupOf(base, fingerprint), groupOf(result, fp)).length, 1, what);
    }
    assert.equal(keys.size, variants.length + 1);
    assert.deepEqual(groupDifferences(groupOf(base, fingerprint), groupOf({ ...base, extras: { engine: 'embedded' } }, fingerprint)), ['engine: server vs embedded']);
  });

  it('long-context-decay: the context of the headline tier is part of the group, skipped tiers are not', () => {
    const tier = (context_tokens: number, skipped?: string) => ({
      context_tokens,
      prefill_tps: skipped ? null : 900,
      decode_tps: skipped ? null : 40,
      ttft_ms: skipped ? null : 35,
      output_tokens: skipped ? null : 128,
      ...(skipped ? { skipped } : {}),
    });
    const w3 = (tiers: ReturnType<typeof tier>[]) => sampleResult({ workload: 'long-context-decay', tiers });
    const upTo64k = groupOf(w3([tier(32768), tier(65536), tier(131072, 'needs 131072 tokens of context; the model/backend holds 65536')]), fingerprint);
    const upTo128k = groupOf(w3([tier(32768), tier(65536), tier(131072)]), fingerprint);
    assert.equal(upTo64k.workload, 'long-context-decay @ 65536 tokens');
    assert.equal(upTo128k.workload, 'long-context-decay @ 131072 tokens');
    assert.notEqual(groupKey(upTo64k), groupKey(upTo128k), 'a 64k and a 128k headline are not one measurement');
    assert.equal(groupKey(upTo64k), groupKey(groupOf(w3([tier(32768), tier(65536), tier(131072, 'another reason')]), fingerprint)));
    assert.deepEqual(groupDifferences(upTo64k, upTo128k), ['workload: long-context-decay @ 65536 tokens vs long-context-decay @ 131072 tokens']);
    // Workloads without tiers keep their plain name.
    assert.equal(groupOf(sampleResult(), fingerprint).workload, sampleResult().workload);
  });

  it('falls back where a result says less: engine = backend, build = unknown, model = identifier + quant, hardware = summary', () => {
    const bare = sampleResult({ model: { identifier: 'llama3.1:8b', name: 'llama3.1', quant: 'Q4_0' }, backend: 'ollama', extras: {}, backend_build: undefined });
    const { fingerprint_hash: _, ...strictAnon } = fingerprint;
    const g = groupOf(bare, strictAnon);
    assert.equal(g.engine, 'ollama');
    assert.equal(g.build, 'unknown');
    assert.equal(g.model, 'model:llama3.1:8b|Q4_0');
    assert.equal(g.hardware_class, `summary:${fingerprint.accelerator_summary}`);
    assert.notEqual(groupKey(g), groupKey(groupOf({ ...bare, model: { ...bare.model, quant: 'Q8_0' } }, strictAnon)), 'another quant is another model');
  });

  it('a complete, clean result is comparable', () => {
    assert.deepEqual(comparability(sampleResult()), { comparable: true, reasons: [], codes: [] });
    assert.deepEqual(comparability(w4()), { comparable: true, reasons: [], codes: [] });
    assert.deepEqual(comparability(sampleResult({ flags: ['thermal-throttled'] })).comparable, true);
  });

  it('each excluding flag keeps a result out, with its reason in words', () => {
    const quick = comparability(sampleResult({ flags: ['quick'], output_tokens: 32 }));
    assert.deepEqual(quick, { comparable: false, reasons: ['quick run (32 of 256 tokens)'], codes: ['quick'] });
    const cases: Array<[Partial<MeasuredResult>, RegExp]> = [
      [{ flags: ['interrupted'], error: 'interrupted', output_tokens: 100 }, /^interrupted run/],
      [{ flags: ['short-output'], output_tokens: 200 }, /^short output \(200 of 256 tokens\)$/],
      [{ flags: ['no-output'], output_tokens: 0 }, /^no output tokens$/],
      [{ flags: ['warm-cache'] }, /^warm cache/],
      [{ flags: ['throttled'] }, /^throttled \(the GPU or CPU slowed its clocks/],
      [{ error: 'HTTP 500 from llama-server' }, /^failed: HTTP 500 from llama-server$/],
    ];
    for (const [overrides, reason] of cases) {
      const verdict = comparability(sampleResult(overrides));
      assert.equal(verdict.comparable, false, JSON.stringify(overrides));
      assert.ok(
        verdict.reasons.some((r) => reason.test(r)),
        `${JSON.stringify(overrides)} → ${verdict.reasons.join(' | ')}`,
      );
    }
    // Every documented flag is covered above or, for noisy and throttled (issue 22), below.
    assert.deepEqual([...NOT_COMPARABLE_FLAGS].sort(), ['interrupted', 'no-output', 'noisy', 'quick', 'short-output', 'throttled', 'warm-cache']);
  });

  it('serial-concurrency excludes W4 only: it says nothing about single-stream workloads', () => {
    const serial = comparability(w4({ flags: ['serial-concurrency'] }));
    assert.equal(serial.comparable, false);
    assert.match(serial.reasons[0]!, /one after another/);
    assert.equal(comparability(sampleResult({ flags: ['serial-concurrency'] })).comparable, true);
  });

  it('a result shorter than its suite is caught even when the flag was stripped (older or third-party clients)', () => {
    assert.deepEqual(comparability(sampleResult({ output_tokens: 32 })).reasons, ['shorter than suite-v1 asks (32 of 256 tokens)']);
    assert.deepEqual(comparability(w4({ batch_size: 2, output_tokens: 64, flags: ['quick'], batches: [batch(1), batch(2)] })).reasons, [
      'quick run (32 of 256 tokens a stream, largest batch 2 of 16)',
    ]);
    // The suite's sizes come from the suite itself, not from a copy here.
    const w1 = loadSuite('suite-v1').definition.workloads.find((w) => w.name === 'chat-short')!;
    assert.equal(comparability(sampleResult({ output_tokens: w1.output_tokens })).comparable, true);
    assert.equal(comparability(sampleResult({ output_tokens: w1.output_tokens - 1 })).comparable, false);
    // An unknown suite: only the flags decide.
    assert.equal(comparability(sampleResult({ suite_version: 'suite-v9', output_tokens: 3 })).comparable, true);
  });

  it('recognises an interruption by the flag and by the error texts of CLIs before the flag', () => {
    for (const error of ['interrupted', 'interrupted before this workload started', 'batch 16 failed: interrupted by the user', 'turn 3 failed: interrupted by the user']) {
      assert.equal(isInterrupted({ flags: [], error }), true, error);
      assert.deepEqual(comparability(sampleResult({ error })).reasons, ['interrupted run (stopped before it finished)'], 'said once, not again as a failure');
    }
    assert.equal(isInterrupted({ flags: ['interrupted'], error: null }), true);
    assert.equal(isInterrupted({ flags: [], error: 'HTTP 500: request was not interrupted' }), false);
    assert.deepEqual(comparability(sampleResult({ flags: ['interrupted'], error: 'interrupted' })).reasons, ['interrupted run (stopped before it finished)']);
  });
});

/** One W5 turn as the runner writes it; 128 output tokens a turn is the suite's (METHODOLOGY §1). */
const turn = (i: number, output_tokens = 128) => ({ turn: i, ttft_ms: 50, decode_tps: 124, prompt_tokens: 400 + i * 1400, output_tokens, wall_ms: 1100 });
/** W5 with `turns` turns; the suite's trace has 11 (METHODOLOGY §1: "an 11-turn coding-agent conversation"). */
const w5 = (turns = 11, overrides: Partial<MeasuredResult> = {}) =>
  sampleResult({
    workload: 'agent-trace',
    turns: Array.from({ length: turns }, (_, i) => turn(i + 1)),
    output_tokens: turns * 128,
    decode_tps: 124.3,
    backend_decode_tps: 124.1,
    ...overrides,
  });
/** A result carrying the agreed spread shape (repetitions, spread, samples), built by hand. */
const withSpread = (result: MeasuredResult, spread: Record<string, { n: number; median: number; ci_low: number | null; ci_high: number | null; cv: number | null }>, samples?: object[]) =>
  ({ ...result, repetitions: Object.values(spread)[0]?.n ?? 1, spread, ...(samples ? { samples } : {}) }) as MeasuredResult;
const entry = (median: number, ci_low: number, ci_high: number, n = 5) => ({ n, median, ci_low, ci_high, cv: 0.02 });

describe('comparable: the full shape of every workload (#26.17)', () => {
  it('a W5 trimmed to 2 turns of 128 tokens is "shorter than suite-v1 asks", flag or no flag', () => {
    assert.deepEqual(comparability(w5()), { comparable: true, reasons: [], codes: [] });
    // The audit's case: two full-length turns, re-signed and posted, no flag.
    assert.deepEqual(comparability(w5(2)), { comparable: false, reasons: ['shorter than suite-v1 asks (2 of 11 turns)'], codes: ['shorter-than-suite'] });
    // A --quick W5 (suite.json quick.max_turns 2, 32 tokens) says both.
    const quick = w5(2, { flags: ['quick'], turns: [turn(1, 32), turn(2, 32)], output_tokens: 64 });
    assert.deepEqual(comparability(quick).reasons, ['quick run (32 of 128 tokens a turn, 2 of 11 turns)']);
    // One short turn among full ones is caught: the shortest turn counts, not the average.
    const oneShort = w5(11, { turns: [...Array.from({ length: 10 }, (_, i) => turn(i + 1)), turn(11, 100)], output_tokens: 10 * 128 + 100 });
    assert.deepEqual(comparability(oneShort).reasons, ['shorter than suite-v1 asks (100 of 128 tokens a turn)']);
  });

  it('W3 lists every tier, run or skipped with its reason; W4 every batch up to its largest', () => {
    const tier = (context_tokens: number, skipped?: string) => ({
      context_tokens,
      prefill_tps: skipped ? null : 900,
      decode_tps: skipped ? null : 40,
      ttft_ms: skipped ? null : 35,
      output_tokens: skipped ? null : 256,
      ...(skipped ? { skipped } : {}),
    });
    const w3 = (tiers: ReturnType<typeof tier>[]) => sampleResult({ workload: 'long-context-decay', tiers });
    // METHODOLOGY §1: 32k / 64k / 128k, 256 tokens a tier.
    assert.equal(comparability(w3([tier(32768), tier(65536), tier(131072, 'needs 131072 tokens of context; the model/backend holds 65536')])).comparable, true);
    assert.deepEqual(comparability(w3([tier(32768), tier(65536)])).reasons, [
      'shorter than suite-v1 asks (no 131072-token tier (the suite asks for 32768, 65536, 131072, run or skipped with a reason))',
    ]);
    const shortTier = w3([tier(32768), { ...tier(65536), output_tokens: 200 }, tier(131072, 'too big')]);
    assert.deepEqual(comparability(shortTier).reasons, ['shorter than suite-v1 asks (200 of 256 tokens)']);
    // W4: batches 1, 4, 8, 16 (METHODOLOGY §1); one left out is not the suite's W4.
    assert.deepEqual(comparability(w4({ batches: [batch(1), batch(8), batch(16)] })).reasons, ['shorter than suite-v1 asks (no batch 4 (the suite runs 1, 4, 8, 16))']);
    assert.deepEqual(comparability(w4({ batches: undefined })).reasons, ['shorter than suite-v1 asks (no per-batch figures)']);
  });

  it("a client decode beyond 1.05 × the backend's own clock for the same requests is impossible: not ranked, with the reason", () => {
    // The audit's case: decode_tps tripled to 372.8 while backend_decode_tps said 124.1.
    const tripled = comparability(w5(11, { decode_tps: 372.8 }));
    assert.equal(tripled.comparable, false);
    assert.deepEqual(tripled.codes, ['impossible-decode']);
    assert.match(tripled.reasons[0]!, /^impossible figure: decode 372\.8 tok\/s is 3\.00 × the backend's own clock for the same requests \(124\.1 tok\/s\)/);
    // 1.05 × 124.1 = 130.305: at it, possible; past it, not.
    assert.equal(comparability(w5(11, { decode_tps: 130.3 })).comparable, true);
    assert.equal(comparability(w5(11, { decode_tps: 130.4 })).comparable, false);
    // Below the backend is the harness-gap flag's business, never impossible.
    assert.equal(comparability(w5(11, { decode_tps: 40 })).comparable, true);
    // No backend clock (vLLM, hosted): nothing to check against.
    assert.equal(comparability(w5(11, { decode_tps: 372.8, backend_decode_tps: null })).comparable, true);
    // The same rule for W1 (one request).
    assert.deepEqual(comparability(sampleResult({ decode_tps: 300, backend_decode_tps: 187 })).codes, ['impossible-decode']);
  });

  it("W4 sets the backend's per-stream clock against the largest batch's per-stream rate, never against the aggregate", () => {
    // METHODOLOGY §1.4: backend_decode_tps is per stream; the aggregate over 16 streams is 16 × that.
    assert.equal(comparability(w4({ decode_tps: 640, backend_decode_tps: 40 })).comparable, true, 'aggregate 640 over 16 streams of 40 each is not impossible');
    assert.equal(comparability(w4({ backend_decode_tps: 39 })).comparable, true, '40 / 39 = 1.026');
    const fast = w4({ backend_decode_tps: 30 });
    assert.deepEqual(comparability(fast).codes, ['impossible-decode'], '40 / 30 = 1.33');
    assert.match(comparability(fast).reasons[0]!, /per-stream decode 40 tok\/s is 1\.33 ×/);
  });
});

describe('comparable: noise, throttling and an unknown build (issue 22, #26.20)', () => {
  it('noisy and throttled results are stored and shown but not ranked, each with its reason and advice', () => {
    const noisy = comparability(sampleResult({ flags: ['noisy'] }));
    assert.deepEqual(noisy.codes, ['noisy']);
    assert.match(noisy.reasons[0]!, /^noisy \(/);
    const throttled = comparability(sampleResult({ flags: ['throttled'] }));
    assert.deepEqual(throttled.codes, ['throttled']);
    assert.match(throttled.reasons[0]!, /slowed its clocks for heat or power/);
    assert.equal(unrankedSentence(throttled), `not ranked: ${throttled.reasons[0]}. To be ranked: ${RANK_ADVICE.throttled}.`);
    // busy-machine, client-load and accelerator-unused are shown but ranked (the shared flag table).
    assert.equal(comparability(sampleResult({ flags: ['busy-machine', 'client-load', 'accelerator-unused'] })).comparable, true);
  });

  it('noisy is read from the spread too: decode CI half-width over 5 % of the median, TTFT over 10 %', () => {
    // Decode 100 [95, 105]: half-width 5 % — at the limit, ranked; [94.9, 105.1]: 5.1 %, noisy.
    const at = withSpread(sampleResult({ decode_tps: 100, ttft_ms: 140 }), { decode_tps: entry(100, 95, 105), ttft_ms: entry(140, 126, 154) });
    assert.equal(comparability(at).comparable, true, 'TTFT 140 [126, 154] is ±10 %: at its limit');
    const past = withSpread(sampleResult({ decode_tps: 100 }), { decode_tps: entry(100, 94.9, 105.1) });
    assert.deepEqual(comparability(past).reasons, ['noisy (decode 95 % CI ±5.1 % of its median (limit 5 %))']);
    const ttft = withSpread(sampleResult({ ttft_ms: 140 }), { ttft_ms: entry(140, 120, 160) });
    assert.deepEqual(comparability(ttft).reasons, ['noisy (TTFT 95 % CI ±14.3 % of its median (limit 10 %))']);
    // No spread (n = 1): a point, never noisy by itself.
    assert.equal(comparability(sampleResult()).comparable, true);
  });

  it('a spread that contradicts its headline (a figure altered after measuring) is not ranked', () => {
    const forged = withSpread(w5(11, { decode_tps: 372.8, backend_decode_tps: 400 }), { decode_tps: entry(124.3, 123, 125.5) });
    assert.deepEqual(comparability(forged).codes, ['inconsistent-spread']);
    assert.match(comparability(forged).reasons[0]!, /decode_tps 372\.8 is not the median of its repetitions \(124\.3\)/);
    // Samples: odd n, the middle one; even n, anywhere between the two middle ones (any median convention).
    const samples = (values: number[]) => values.map((decode_tps) => ({ decode_tps }));
    const odd = (headline: number) => ({ ...sampleResult({ decode_tps: headline }), repetitions: 3, samples: samples([100, 104, 101]) }) as MeasuredResult;
    assert.equal(comparability(odd(101)).comparable, true);
    assert.match(comparability(odd(104)).reasons[0]!, /decode_tps 104 is not the median of its 3 samples \(101\)/);
    const even = (headline: number) => ({ ...sampleResult({ decode_tps: headline }), repetitions: 4, samples: samples([100, 104, 101, 103]) }) as MeasuredResult;
    for (const ok of [101, 102, 103]) assert.equal(comparability(even(ok)).comparable, true, String(ok));
    assert.match(comparability(even(104)).reasons[0]!, /not the median of its 4 samples \(101–103\)/);
    // A single 1e6 tok/s repetition never makes the headline: its median is still the middle sample.
    const wild = { ...sampleResult({ decode_tps: 1e6, backend_decode_tps: null }), repetitions: 5, samples: samples([180, 185, 1e6, 183, 181]) } as MeasuredResult;
    assert.deepEqual(comparability(wild).codes, ['inconsistent-spread']);
  });

  it('an unknown build never forms a group of its own: not ranked, "build unknown" (#26.20)', () => {
    for (const backend_build of [undefined, { kind: 'unknown' as const }]) {
      const verdict = comparability(sampleResult({ backend_build }));
      assert.deepEqual(verdict.codes, ['build-unknown']);
      assert.match(verdict.reasons[0]!, /^build unknown \(the backend did not say whether it computed on the CPU or a GPU/);
    }
    // Hosted APIs say remote: a known build.
    assert.equal(comparability(sampleResult({ backend_build: { kind: 'remote' } })).comparable, true);
  });
});

describe('comparable: properties', () => {
  const FLAGS = ['quick', 'interrupted', 'short-output', 'no-output', 'warm-cache', 'serial-concurrency', 'noisy', 'throttled', 'busy-machine', 'client-load', 'harness-gap', 'thermal-throttled'];
  const results = fc.record({
    workload: fc.constantFrom('chat-short' as const, 'chat-long' as const, 'concurrent-decode' as const, 'agent-trace' as const),
    flags: fc.subarray(FLAGS),
    output_tokens: fc.integer({ min: 0, max: 5000 }),
    decode_tps: fc.option(fc.double({ min: 0.1, max: 1e5, noNaN: true }), { nil: null }),
    backend_decode_tps: fc.option(fc.double({ min: 0.1, max: 1e5, noNaN: true }), { nil: null }),
    build: fc.constantFrom('cpu' as const, 'cuda' as const, 'unknown' as const, null),
    error: fc.option(fc.constantFrom('HTTP 500', 'interrupted'), { nil: null }),
  });
  const build = (r: {
    workload: MeasuredResult['workload'];
    flags: string[];
    output_tokens: number;
    decode_tps: number | null;
    backend_decode_tps: number | null;
    build: 'cpu' | 'cuda' | 'unknown' | null;
    error: string | null;
  }) =>
    r.workload === 'concurrent-decode'
      ? w4({
          flags: r.flags,
          output_tokens: r.output_tokens,
          decode_tps: r.decode_tps,
          backend_decode_tps: r.backend_decode_tps,
          backend_build: r.build ? { kind: r.build } : undefined,
          error: r.error,
        })
      : r.workload === 'agent-trace'
        ? w5(11, { flags: r.flags, decode_tps: r.decode_tps, backend_decode_tps: r.backend_decode_tps, backend_build: r.build ? { kind: r.build } : undefined, error: r.error })
        : sampleResult({
            workload: r.workload,
            flags: r.flags,
            output_tokens: r.output_tokens,
            decode_tps: r.decode_tps,
            backend_decode_tps: r.backend_decode_tps,
            backend_build: r.build ? { kind: r.build } : undefined,
            error: r.error,
          });

  it('the verdict does not depend on the order of the flags (or their repetition)', () => {
    fc.assert(
      fc.property(results, fc.integer({ min: 0, max: 1000 }), (r, seed) => {
        const result = build(r);
        const shuffled = [...result.flags].sort((a, b) => ((a.charCodeAt(0) * seed) % 7) - ((b.charCodeAt(0) * seed) % 7)).reverse();
        const again = { ...result, flags: [...shuffled, ...shuffled] };
        assert.deepEqual(comparability(again), comparability(result));
      }),
    );
  });

  it('the group key of equal results is equal, and no flag or figure moves a result to another group', () => {
    fc.assert(
      fc.property(results, results, (a, b) => {
        const [ra, rb] = [build(a), build(b)];
        assert.equal(groupKey(groupOf(structuredClone(ra), fingerprint)), groupKey(groupOf(ra, fingerprint)));
        // Same workload and build: only flags, counts and figures differ, and none of them is the group.
        if (a.workload === b.workload && a.build === b.build) assert.equal(groupKey(groupOf(ra, fingerprint)), groupKey(groupOf(rb, fingerprint)));
      }),
    );
  });

  it('the pair rule is symmetric, and a result is like itself unless it is unfit to compare at all', () => {
    fc.assert(
      fc.property(results, results, (a, b) => {
        const [ra, rb] = [build(a), build(b)];
        assert.equal(pairComparability(ra, rb).comparable, pairComparability(rb, ra).comparable);
        const self = pairComparability(ra, structuredClone(ra));
        const unfit = comparability(ra).codes.some((c) => ['interrupted', 'failed', 'no-output', 'warm-cache', 'impossible-decode', 'inconsistent-spread'].includes(c));
        assert.equal(self.comparable, !unfit);
      }),
    );
  });
});

describe('comparable pairs: what compare may set side by side', () => {
  it('a quick and a full run never; two quick runs of one size yes; other hardware, model or backend yes; failed or warm-cache never', () => {
    const full = sampleResult();
    const quick = sampleResult({ flags: ['quick'], output_tokens: 32 });
    assert.deepEqual(pairComparability(full, quick).reasons, ['not the same size: full suite vs quick run (32 of 256 tokens)']);
    assert.equal(pairComparability(quick, sampleResult({ flags: ['quick'], output_tokens: 32, decode_tps: 300 })).comparable, true);
    assert.equal(pairComparability(full, sampleResult({ backend: 'ollama', model: { identifier: 'x', name: 'x', quant: 'Q4_0' } })).comparable, true);
    assert.equal(pairComparability(full, sampleResult({ flags: ['noisy', 'throttled'], backend_build: undefined })).comparable, true, 'noise and build are marks, not a different measurement');
    assert.deepEqual(pairComparability(full, sampleResult({ suite_version: 'suite-v2' })).reasons, ['suite version suite-v1 vs suite-v2 (other prompts)']);
    const failed = pairComparability(full, sampleResult({ error: 'HTTP 500 from llama-server' }));
    assert.deepEqual(failed.sides, [[], ['failed: HTTP 500 from llama-server']]);
    assert.equal(pairComparability(sampleResult({ flags: ['warm-cache'] }), full).comparable, false);
    // W4 served serially is another measurement than W4 served concurrently; two serial ones compare.
    assert.equal(pairComparability(w4(), w4({ flags: ['serial-concurrency'] })).comparable, false);
    assert.equal(pairComparability(w4({ flags: ['serial-concurrency'] }), w4({ flags: ['serial-concurrency'] })).comparable, true);
  });
});
