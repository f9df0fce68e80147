/**
 * A figure with its spread, and differences that say whether they are one (METHODOLOGY §6.1):
 * the spread accessor, "within noise", the Δ % interval formed from the two CIs, the regression
 * gate's rule per metric direction, and the standing sentence. Every expected figure is worked
 * by hand in the comment beside it.
 */
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { betterOf, differenceOf, isRegression, MIN_RANKED_OTHERS, rankGroups, repetitionsOf, spreadOf, standingAmong, standingOf, type MetricSpread } from '../../src/index.js';
import { sampleResult } from '../helpers/sample-run.js';

const s = (median: number, ci_low: number | null = null, ci_high: number | null = null, n = ci_low === null ? 1 : 5): MetricSpread => ({ n, median, ci_low, ci_high, cv: n > 1 ? 0.02 : null });
const close = (actual: number | null, expected: number, what: string) => assert.ok(actual !== null && Math.abs(actual - expected) < 1e-3, `${what}: ${actual} ≠ ${expected}`);

describe('spread: one accessor, a missing spread is a point', () => {
  it('reads the agreed shape, and treats a result without it as n = 1 with no interval', () => {
    const plain = sampleResult({ decode_tps: 187.4 });
    assert.deepEqual(spreadOf(plain, 'decode_tps'), { n: 1, median: 187.4, ci_low: null, ci_high: null, cv: null });
    assert.equal(repetitionsOf(plain), 1);
    const repeated = { ...plain, repetitions: 7, spread: { decode_tps: { n: 7, median: 187.4, ci_low: 185.1, ci_high: 189.9, cv: 0.011 } } };
    assert.deepEqual(spreadOf(repeated, 'decode_tps'), { n: 7, median: 187.4, ci_low: 185.1, ci_high: 189.9, cv: 0.011 });
    assert.equal(repetitionsOf(repeated), 7);
    // A metric the spread does not list is a point too; a missing figure has n = 0.
    assert.deepEqual(spreadOf(repeated, 'ttft_ms'), { n: 1, median: 142.3, ci_low: null, ci_high: null, cv: null });
    assert.equal(spreadOf(sampleResult({ decode_tps: null }), 'decode_tps').n, 0);
  });

  it('never reads a malformed interval as a narrow one: n < 2, a missing or reversed bound, or nulls give no interval', () => {
    const bad = [
      { n: 1, median: 100, ci_low: 99, ci_high: 101, cv: null },
      { n: 5, median: 100, ci_low: null, ci_high: 101, cv: 0.01 },
      { n: 5, median: 100, ci_low: 102, ci_high: 98, cv: 0.01 },
      { n: 5, median: 100, ci_low: '99', ci_high: 101, cv: 0.01 },
      'not an object',
      null,
    ];
    for (const entry of bad) {
      const got = spreadOf({ ...sampleResult({ decode_tps: 100 }), spread: { decode_tps: entry } }, 'decode_tps');
      assert.equal(got.ci_low, null, JSON.stringify(entry));
      assert.equal(got.median, 100, 'the headline stays the figure');
    }
    // W4's batches carry the same shape for their own metrics.
    const point = { batch: 16, aggregate_tps: 640, per_stream_tps: 40, p50_ms: 25, p95_ms: 30, spread: { aggregate_tps: { n: 3, median: 640, ci_low: 630, ci_high: 655, cv: 0.01 } } };
    assert.deepEqual(spreadOf(point, 'aggregate_tps'), { n: 3, median: 640, ci_low: 630, ci_high: 655, cv: 0.01 });
  });
});

describe('differences: within noise, or a Δ % with its interval', () => {
  it('overlapping intervals are within noise; apart, the Δ interval runs from low ÷ high to high ÷ low', () => {
    // Baseline 100 [98, 102], candidate 110 [108, 112]: Δ = +10 %; 108 / 102 − 1 = +5.882 %, 112 / 98 − 1 = +14.286 %.
    const up = differenceOf(s(100, 98, 102), s(110, 108, 112), 'higher')!;
    close(up.pct, 10, 'Δ');
    close(up.low_pct, 5.882, 'low');
    close(up.high_pct, 14.286, 'high');
    assert.equal(up.verdict, 'better');
    assert.equal(up.intervals, 'both');
    // Candidate 101 [99, 103] overlaps [98, 102]: within noise, and its Δ interval (99/102 − 1 = −2.94 %, 103/98 − 1 = +5.10 %) holds 0.
    const same = differenceOf(s(100, 98, 102), s(101, 99, 103), 'higher')!;
    assert.equal(same.verdict, 'within-noise');
    assert.ok(same.low_pct < 0 && same.high_pct! > 0);
    // A time: 100 ms [98, 102] → 110 ms [108, 112] is worse.
    assert.equal(differenceOf(s(100, 98, 102), s(110, 108, 112), 'lower')!.verdict, 'worse');
    assert.equal(betterOf('ttft_ms'), 'lower');
    assert.equal(betterOf('decode_p95_latency_ms'), 'lower');
    assert.equal(betterOf('decode_tps'), 'higher');
  });

  it('a single measurement counts as its point; two single measurements say so ("noise unknown")', () => {
    // The board: two single-shot runs a minute apart, +92.8 %: no interval on either side.
    const shots = differenceOf(s(100), s(192.8), 'higher')!;
    close(shots.pct, 92.8, 'Δ');
    assert.equal(shots.intervals, 'none');
    // A point inside the other's interval is within noise of it; outside, not.
    assert.equal(differenceOf(s(100, 95, 105), s(103), 'higher')!.verdict, 'within-noise');
    assert.equal(differenceOf(s(100, 95, 105), s(106), 'higher')!.intervals, 'baseline');
    assert.equal(differenceOf(s(100, 95, 105), s(106), 'higher')!.verdict, 'better');
    // No figure, or a zero baseline: no ratio.
    assert.equal(differenceOf(s(0), s(5), 'higher'), null);
    assert.equal(differenceOf({ n: 0, median: null, ci_low: null, ci_high: null, cv: null }, s(5), 'higher'), null);
  });

  it('properties: within noise exactly when the Δ interval holds 0; swapping the runs swaps better and worse', () => {
    const spread = fc
      .tuple(fc.double({ min: 1, max: 1e4, noNaN: true }), fc.double({ min: 0, max: 0.3, noNaN: true }), fc.double({ min: 0, max: 0.3, noNaN: true }), fc.boolean())
      .map(([m, lo, hi, point]) => (point ? s(m) : s(m, m * (1 - lo), m * (1 + hi))));
    fc.assert(
      fc.property(spread, spread, fc.constantFrom('higher' as const, 'lower' as const), (a, b, better) => {
        const ab = differenceOf(a, b, better)!;
        const ba = differenceOf(b, a, better)!;
        // (Up to rounding: a bound within 1e-9 % of 0 is an interval touching the other's edge.)
        if (Math.abs(ab.low_pct) > 1e-9 && Math.abs(ab.high_pct!) > 1e-9) assert.equal(ab.verdict === 'within-noise', ab.low_pct < 0 && ab.high_pct! > 0);
        assert.equal(ab.verdict === 'within-noise', ba.verdict === 'within-noise');
        if (ab.verdict === 'better') assert.equal(ba.verdict, 'worse');
        assert.ok(ab.low_pct <= ab.pct + 1e-9 && ab.pct <= ab.high_pct! + 1e-9, 'the interval holds the Δ');
      }),
    );
  });
});

describe('the regression gate: worse by more than the threshold beyond the noise', () => {
  it('a rate regresses when even the upper end of its Δ interval is below −threshold', () => {
    // Decode 100 [98, 102] → 90 [88, 92]: Δ interval 88/102 − 1 = −13.73 % to 92/98 − 1 = −6.12 %.
    const d = differenceOf(s(100, 98, 102), s(90, 88, 92), 'higher')!;
    close(d.high_pct, -6.122, 'upper end');
    assert.equal(isRegression(d, 'higher', 5), true, 'even the best reading lost 6.1 % > 5 %');
    assert.equal(isRegression(d, 'higher', 7), false, 'but not 7 %');
    // −8 % at the median, but the intervals overlap: within noise, never a regression.
    const noisy = differenceOf(s(100, 90, 110), s(92, 85, 99), 'higher')!;
    assert.equal(noisy.verdict, 'within-noise');
    assert.equal(isRegression(noisy, 'higher', 0), false);
    // Better is never a regression.
    assert.equal(isRegression(differenceOf(s(100, 98, 102), s(120, 118, 122), 'higher')!, 'higher', 0), false);
  });

  it('a time regresses when even the lower end of its Δ interval is above +threshold', () => {
    // TTFT 100 ms [95, 105] → 120 ms [115, 125]: Δ interval 115/105 − 1 = +9.52 % to 125/95 − 1 = +31.6 %.
    const d = differenceOf(s(100, 95, 105), s(120, 115, 125), 'lower')!;
    close(d.low_pct, 9.524, 'lower end');
    assert.equal(isRegression(d, 'lower', 5), true);
    assert.equal(isRegression(d, 'lower', 10), false);
    // A faster TTFT is not a regression however large.
    assert.equal(isRegression(differenceOf(s(100, 95, 105), s(50, 45, 55), 'lower')!, 'lower', 0), false);
  });

  it('single measurements are compared as plain figures: −6 % fails a 5 % gate, −4 % passes', () => {
    assert.equal(isRegression(differenceOf(s(100), s(94), 'higher')!, 'higher', 5), true);
    assert.equal(isRegression(differenceOf(s(100), s(96), 'higher')!, 'higher', 5), false);
  });
});

describe('standing: ranking only real differences', () => {
  const others = (list: Array<[number, number, number]>) => list.map(([m, lo, hi]) => s(m, lo, hi));

  it('counts the runs slower and faster beyond both intervals, and those within noise, in the sentence a person would post', () => {
    // Subject 100 [98, 102]. Slower beyond noise: 80 [78, 82], 90 [88, 92], 95 [93, 97.9]; within: 99 [97, 101], 103 [101.5, 104];
    // faster: 110 [108, 112]. 3 of 6 slower → 50 %.
    const st = standingOf(
      s(100, 98, 102),
      others([
        [80, 78, 82],
        [90, 88, 92],
        [95, 93, 97.9],
        [99, 97, 101],
        [103, 101.5, 104],
        [110, 108, 112],
      ]),
    );
    assert.deepEqual({ ...st, sentence: undefined }, { n: 6, slower: 3, faster: 1, within_noise: 2, single: 0, percent: 50, sentence: undefined });
    assert.equal(st.sentence, 'faster than 50 % of 6 comparable runs; within noise of 2');
  });

  it('never says "faster than 0 %" alone; with few runs it says how many and what would rank it', () => {
    const slowest = standingOf(
      s(50, 49, 51),
      others([
        [80, 78, 82],
        [90, 88, 92],
        [95, 93, 97],
        [99, 97, 101],
        [50.5, 49.5, 51.5],
      ]),
    );
    assert.equal(slowest.percent, 0);
    assert.equal(slowest.sentence, 'faster than none of 5 comparable runs beyond noise: slower than 4; within noise of 1');
    assert.doesNotMatch(slowest.sentence, /0 %/);
    assert.equal(
      standingOf(
        s(100, 98, 102),
        others([
          [100, 99, 101],
          [101, 99, 103],
          [99, 97, 101],
          [100.5, 98, 102],
        ]),
      ).sentence,
      'within noise of all 4 comparable runs',
    );
    // The case: one other comparable run. No percentile; the counts and what would give one.
    const one = standingOf(s(100, 98, 102), others([[90, 88, 92]]));
    assert.equal(one.percent, null);
    assert.equal(one.sentence, `1 other comparable run so far: faster than 1 beyond noise; ${MIN_RANKED_OTHERS - 1} more would give it a percentile`);
    assert.equal(standingOf(s(100), []).sentence, `the first comparable run of its kind: ${MIN_RANKED_OTHERS} more would give it a percentile`);
  });

  it('single measurements on both sides are counted, and the sentence says their noise is unknown', () => {
    const st = standingOf(s(100), [s(90), s(95), s(80), s(120)]);
    assert.equal(st.single, 4);
    assert.equal(st.sentence, 'faster than 75 % of 4 comparable runs (all compared as single measurements without an interval: noise unknown)');
    // From whole results, by their spread (a plain result is a point).
    assert.equal(standingAmong(sampleResult({ decode_tps: 100 }), [sampleResult({ decode_tps: 90 })]).slower, 1);
  });

  it('property: slower + faster + within noise = n, and percent = ⌊slower ÷ n × 100⌋ from MIN_RANKED_OTHERS on', () => {
    const spread = fc.tuple(fc.double({ min: 1, max: 1000, noNaN: true }), fc.double({ min: 0, max: 0.2, noNaN: true })).map(([m, w]) => s(m, m * (1 - w), m * (1 + w)));
    fc.assert(
      fc.property(spread, fc.array(spread, { maxLength: 30 }), (subject, rest) => {
        const st = standingOf(subject, rest);
        assert.equal(st.slower + st.faster + st.within_noise, st.n);
        assert.equal(st.n, rest.length);
        assert.equal(st.percent, st.n >= MIN_RANKED_OTHERS ? Math.floor((st.slower / st.n) * 100) : null);
        assert.doesNotMatch(st.sentence, /faster than 0 %/);
      }),
    );
  });

  it('groups rank by their median, fastest first, each naming the neighbours it is within noise of', () => {
    const groups = [
      { id: 'a', s: s(100, 95, 105) },
      { id: 'b', s: s(180, 170, 190) },
      { id: 'c', s: s(103, 99, 107) },
      { id: 'd', s: s(60) },
    ];
    const ranked = rankGroups(groups, (g) => g.s);
    assert.deepEqual(
      ranked.map((r) => [r.group.id, r.rank, r.within_noise_of]),
      [
        ['b', 1, []],
        ['c', 2, [2]],
        ['a', 3, [1]],
        ['d', 4, []],
      ],
    );
  });
});
