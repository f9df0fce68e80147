/**
 * How a spread is read and judged at its edges (METHODOLOGY §6.1), from the mutation run of the
 * compare area (issue 27): a malformed or partial spread is a single measurement, never a narrow
 * interval; an interval needs n ≥ 2 and low ≤ high; "the same figure" allows 0.011 or 0.1 %
 * (rounding for publication) and no more; a Δ against a baseline interval that reaches 0 has no
 * upper bound; the regression gate's threshold is strict ("more than PCT %"). Every expected value
 * is worked out in the comment beside it.
 */
import assert from 'node:assert/strict';
import { describeDifference, differenceOf, hasInterval, isRegression, relativeHalfWidth, repetitionsOf, samplesOf, spreadOf, spreadProblems, type MetricSpread } from '../../src/compare/index.js';

const single = (median: number): MetricSpread => ({ n: 1, median, ci_low: null, ci_high: null, cv: null });
const ci = (median: number, ci_low: number, ci_high: number): MetricSpread => ({ n: 5, median, ci_low, ci_high, cv: 0.02 });

describe('spread: reading', () => {
  it('repetitions: a whole number ≥ 1, else 1', () => {
    assert.equal(repetitionsOf({ repetitions: 5 }), 5);
    assert.equal(repetitionsOf({ repetitions: 5.9 }), 5);
    for (const bad of [0.5, 0, -3, Infinity, NaN, '5', null]) assert.equal(repetitionsOf({ repetitions: bad }), 1, String(bad));
    assert.equal(repetitionsOf({}), 1);
  });

  it('no spread, or a spread of the wrong shape: a single measurement of the headline', () => {
    for (const spread of [undefined, null, 'x', [], [{ n: 5 }], { decode_tps: null }, { decode_tps: [5] }, { decode_tps: 'n=5' }]) {
      assert.deepEqual(spreadOf({ decode_tps: 40, spread }, 'decode_tps'), single(40), JSON.stringify(spread));
    }
    assert.deepEqual(spreadOf({ decode_tps: null }, 'decode_tps'), { n: 0, median: null, ci_low: null, ci_high: null, cv: null });
  });

  it('an interval only with n ≥ 2 and finite low ≤ high; n floored; the median from the spread when the headline is absent', () => {
    const entry = (e: object) => spreadOf({ decode_tps: 40, spread: { decode_tps: { median: 40, ci_low: 38, ci_high: 42, cv: 0.03, ...e } } }, 'decode_tps');
    assert.deepEqual(entry({ n: 2 }), { n: 2, median: 40, ci_low: 38, ci_high: 42, cv: 0.03 });
    assert.deepEqual(entry({ n: 1 }), single(40));
    assert.deepEqual(entry({ n: 0 }), single(40), 'n below 1 reads as 1');
    assert.deepEqual(entry({ n: 7.8 }).n, 7);
    assert.deepEqual(entry({ n: 3, ci_low: 40, ci_high: 40 }), { n: 3, median: 40, ci_low: 40, ci_high: 40, cv: 0.03 }, 'a zero-width interval is still one');
    assert.deepEqual(entry({ n: 3, ci_low: 42, ci_high: 38 }), { n: 3, median: 40, ci_low: null, ci_high: null, cv: 0.03 }, 'low > high is no interval');
    assert.deepEqual(entry({ n: 3, ci_high: Infinity }).ci_low, null);
    assert.deepEqual(spreadOf({ decode_tps: null, spread: { decode_tps: { n: 4, median: 41.5, ci_low: 40, ci_high: 43, cv: null } } }, 'decode_tps'), {
      n: 4,
      median: 41.5,
      ci_low: 40,
      ci_high: 43,
      cv: null,
    });
  });

  it('hasInterval needs all three figures; the relative half-width is null without one or at a zero median', () => {
    assert.equal(hasInterval(ci(40, 38, 42)), true);
    assert.equal(hasInterval({ ...ci(40, 38, 42), median: null }), false);
    assert.equal(hasInterval({ ...ci(40, 38, 42), ci_low: null }), false);
    assert.equal(hasInterval({ ...ci(40, 38, 42), ci_high: null }), false);
    assert.equal(relativeHalfWidth(ci(40, 38, 42)), 0.05); // (42 − 38) / 2 / 40
    assert.equal(relativeHalfWidth(ci(0, -1, 1)), null);
    assert.equal(relativeHalfWidth(single(40)), null);
  });

  it('samples: each repetition’s figure, anything else left out', () => {
    assert.deepEqual(samplesOf({ samples: [null, { decode_tps: 3 }, 'x', { decode_tps: '4' }, { ttft_ms: 9 }, { decode_tps: 5 }] }, 'decode_tps'), [3, 5]);
    assert.deepEqual(samplesOf({ samples: 'x' }, 'decode_tps'), []);
  });
});

describe('spread: consistency with the headline', () => {
  const withEntry = (headline: number, e: object, samples?: object[]) => ({ decode_tps: headline, spread: { decode_tps: { n: 5, cv: 0.02, ...e } }, ...(samples ? { samples } : {}) });

  it('"the same figure" is within max(0.011, 0.1 % of the larger): rounding, not a change', () => {
    assert.deepEqual(spreadProblems(withEntry(5.3, { median: 5.31, ci_low: 5, ci_high: 6 })), []); // 0.01 ≤ 0.011
    assert.match(spreadProblems(withEntry(5.3, { median: 5.32, ci_low: 5, ci_high: 6 }))[0]!, /not the median of its repetitions/); // 0.02 > 0.011
    assert.deepEqual(spreadProblems(withEntry(1000, { median: 1001.0005, ci_low: 990, ci_high: 1010 })), []); // 1.0005 ≤ 0.001 × 1001.0005
    assert.match(spreadProblems(withEntry(1000, { median: 1001.2, ci_low: 990, ci_high: 1010 }))[0]!, /not the median/); // 1.2 > 1.0012
  });

  it('a headline outside its own interval by more than 0.011 is named; within 0.011 is rounding', () => {
    assert.match(spreadProblems(withEntry(53, { median: 53, ci_low: 50, ci_high: 52 }))[0]!, /53 lies outside its own interval \(50–52\)/);
    assert.match(spreadProblems(withEntry(49, { median: 49, ci_low: 50, ci_high: 52 }))[0]!, /lies outside/);
    assert.deepEqual(spreadProblems(withEntry(50, { median: 50, ci_low: 50.005, ci_high: 52 })), []); // 0.005 below: rounding
    assert.deepEqual(spreadProblems(withEntry(52, { median: 52, ci_low: 50, ci_high: 51.995 })), []); // 0.005 above: rounding
  });

  it('samples: the headline lies between the two middle samples', () => {
    const samples = [10, 11, 12, 13].map((decode_tps) => ({ decode_tps }));
    assert.deepEqual(spreadProblems(withEntry(11.5, { median: 11.5, ci_low: 10, ci_high: 13 }, samples)), []);
    assert.match(spreadProblems(withEntry(10.5, { median: 10.5, ci_low: 10, ci_high: 13 }, samples))[0]!, /10\.5 is not the median of its 4 samples \(11–12\)/);
    assert.match(spreadProblems(withEntry(12.5, { median: 12.5, ci_low: 10, ci_high: 13 }, samples))[0]!, /not the median of its 4 samples/);
  });
});

describe('difference: words, open intervals and the strict gate', () => {
  it('describes a Δ with its interval, within noise, single measurements and an open upper end', () => {
    // 110 [108, 112] vs 100 [98, 102]: +10.0 %, 108/102 − 1 = +5.9 %, 112/98 − 1 = +14.3 %.
    assert.equal(describeDifference(differenceOf(ci(100, 98, 102), ci(110, 108, 112), 'higher')!), '+10.0 % (+5.9 % … +14.3 %)');
    assert.equal(describeDifference(differenceOf(ci(100, 98, 102), ci(101, 99, 103), 'higher')!), 'within noise (+1.0 %)');
    assert.equal(describeDifference(differenceOf(single(100), single(90), 'higher')!), '−10.0 % (single measurements: noise unknown)');
    assert.equal(describeDifference(differenceOf(single(100), single(100), 'higher')!), '±0.0 % (single measurements: noise unknown)');
    // A baseline interval reaching 0 has no upper bound for the ratio: 50 [45, 55] vs 10 [0, 20]:
    // +400.0 %, 45/20 − 1 = +125.0 %, upper ∞.
    const open = differenceOf(ci(10, 0, 20), ci(50, 45, 55), 'higher')!;
    assert.equal(open.high_pct, null);
    assert.equal(describeDifference(open), '+400.0 % (+125.0 % … ∞)');
  });

  it('the gate is strict: exactly the threshold is not "more than" it', () => {
    // A rate 50 → 25: −50 % exactly; a time 20 → 30: +50 % exactly (single measurements: points).
    assert.equal(isRegression(differenceOf(single(50), single(25), 'higher')!, 'higher', 50), false);
    assert.equal(isRegression(differenceOf(single(50), single(25), 'higher')!, 'higher', 49.9), true);
    assert.equal(isRegression(differenceOf(single(20), single(30), 'lower')!, 'lower', 50), false);
    assert.equal(isRegression(differenceOf(single(20), single(30), 'lower')!, 'lower', 49.9), true);
  });
});
