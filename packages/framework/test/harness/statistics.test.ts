/**
 * The statistics of repetitions (harness/statistics.ts, METHODOLOGY §6.3), pinned by hand-worked
 * figures: t quantiles from a printed Student-t table (t(0.975, 2) = 4.303, t(0.975, 4) = 2.776,
 * t(0.975, 1) = 12.706), √(π/2) = 1.2533.
 */
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { conservativeMedian, MEDIAN_STANDARD_ERROR_FACTOR, relativeHalfWidth, spreadOfSamples, tQuantile } from '../../src/harness/statistics.js';

const close = (actual: number | null | undefined, expected: number, tolerance = 1e-3) =>
  assert.ok(actual !== null && actual !== undefined && Math.abs(actual - expected) <= tolerance, `${actual} ≉ ${expected}`);

describe('statistics of repetitions', () => {
  it('Student-t quantiles as a printed table gives them', () => {
    close(tQuantile(1), 12.706);
    close(tQuantile(2), 4.303);
    close(tQuantile(4), 2.776);
    close(tQuantile(9), 2.262);
    close(tQuantile(30), 2.042);
    close(MEDIAN_STANDARD_ERROR_FACTOR, 1.2533, 1e-4);
  });

  it('three repetitions by hand: the median, its t interval with the median standard error, the CV', () => {
    // 100, 102, 98: median 100, mean 100, s = √((0 + 4 + 4) / 2) = 2.
    // Half-width = 4.303 × 1.2533 × 2 / √3 = 6.227: [93.77, 106.23]. CV = 2 / 100.
    const s = spreadOfSamples([100, 102, 98], 'higher')!;
    assert.equal(s.n, 3);
    assert.equal(s.median, 100);
    close(s.ci_low, 93.773);
    close(s.ci_high, 106.227);
    close(s.cv, 0.02, 1e-12);
    close(relativeHalfWidth(s), 0.06227);
  });

  it('one repetition is a point: no interval, no CV; none is no spread at all', () => {
    assert.deepEqual(spreadOfSamples([42], 'higher'), { n: 1, median: 42, ci_low: null, ci_high: null, cv: null });
    assert.equal(spreadOfSamples([], 'higher'), null);
    assert.equal(spreadOfSamples([null, undefined, Number.NaN], 'lower'), null);
    assert.equal(relativeHalfWidth(spreadOfSamples([42], 'higher')), null);
  });

  it('repetitions that measured nothing are left out of n, not counted as zero', () => {
    const s = spreadOfSamples([null, 100, 102, undefined, 98], 'higher')!;
    assert.equal(s.n, 3);
    assert.equal(s.median, 100);
  });

  it('a single wild repetition never becomes the headline, and its interval says the figures disagree', () => {
    // 1e6 tok/s among ~900: the median stays 905; s = 446,810, half-width 2.776 × 1.2533 × s / √5 = 695,323.
    const s = spreadOfSamples([900, 905, 1e6, 910, 895], 'higher')!;
    assert.equal(s.median, 905);
    assert.equal(s.ci_low, 0, 'floored at 0: no rate is negative');
    close(s.ci_high, 696_228.48, 0.05);
    assert.ok(relativeHalfWidth(s)! > 0.05);
    // Two repetitions, one wild: of the two middle values the less flattering one (900, not their mean 500,450).
    assert.equal(spreadOfSamples([900, 1e6], 'higher')!.median, 900);
    assert.equal(spreadOfSamples([1e6, 900], 'higher')!.median, 900);
  });

  it('an even count publishes the less flattering middle value: the lower rate, the longer time', () => {
    assert.equal(conservativeMedian([1, 2, 3, 4], 'higher'), 2);
    assert.equal(conservativeMedian([4, 3, 2, 1], 'lower'), 3);
    assert.equal(conservativeMedian([5, 1, 3], 'lower'), 3);
    assert.throws(() => conservativeMedian([], 'higher'), RangeError);
  });

  it('properties: the median is one of the values, inside its interval; the interval narrows as agreeing repetitions accumulate', () => {
    fc.assert(
      fc.property(fc.array(fc.double({ min: 0, max: 1e7, noNaN: true }), { minLength: 1, maxLength: 50 }), fc.constantFrom('higher' as const, 'lower' as const), (xs, direction) => {
        const s = spreadOfSamples(xs, direction)!;
        assert.ok(xs.includes(s.median));
        assert.equal(s.n, xs.length);
        if (s.ci_low !== null && s.ci_high !== null) {
          assert.ok(s.ci_low <= s.median && s.median <= s.ci_high);
          assert.ok(s.ci_low >= 0);
        }
        const below = xs.filter((x) => x < s.median).length;
        const above = xs.filter((x) => x > s.median).length;
        assert.ok(below <= Math.floor(xs.length / 2) && above <= Math.floor(xs.length / 2), 'a median: at most half on either side');
      }),
    );
    const wide = relativeHalfWidth(spreadOfSamples([99, 101, 100], 'higher'))!;
    const narrow = relativeHalfWidth(spreadOfSamples([99, 101, 100, 99, 101, 100, 99, 101, 100], 'higher'))!;
    assert.ok(narrow < wide / 2, `${narrow} vs ${wide}`);
  });

  it('relative half-width around a zero median: infinite when the values disagree, zero when all are zero', () => {
    assert.equal(relativeHalfWidth({ n: 3, median: 0, ci_low: 0, ci_high: 1, cv: null }), Infinity);
    assert.equal(relativeHalfWidth(spreadOfSamples([0, 0, 0], 'higher')), 0);
  });
});
