/**
 * The published arithmetic against slow references written from METHODOLOGY §3.2, over generated
 * inputs (fast-check). Each reference is the definition spelled out the plain way — an insertion
 * sort and the R-7 formula in its textbook 1-based form, a token-by-token walk of the arrivals —
 * so it shares no code and no shortcut with harness/metrics.ts.
 */
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { decodeLatenciesMs, decodeTps, percentile, pooledDecodeTps, pooledPrefillTps, type TokenArrival } from '../../src/harness/metrics.js';

const RUNS = { numRuns: 300 };
const close = (a: number, b: number) => Math.abs(a - b) <= 1e-9 * Math.max(1, Math.abs(a), Math.abs(b));

function insertionSort(values: readonly number[]): number[] {
  const out: number[] = [];
  for (const v of values) {
    let i = out.length;
    while (i > 0 && out[i - 1]! > v) i--;
    out.splice(i, 0, v);
  }
  return out;
}

/** Hyndman & Fan's definition 7: h = (n − 1)·p + 1 (1-based); Q = x⌊h⌋ + (h − ⌊h⌋)(x⌊h⌋+1 − x⌊h⌋). */
function r7(values: readonly number[], p: number): number | null {
  if (values.length === 0) return null;
  const x = insertionSort(values);
  const h = (x.length - 1) * (p / 100) + 1;
  const k = Math.floor(h);
  if (k >= x.length) return x[x.length - 1]!;
  return x[k - 1]! + (h - k) * (x[k]! - x[k - 1]!);
}

const latency = fc.double({ min: 0, max: 10_000, noNaN: true, noDefaultInfinity: true });
/** Arrivals in time order, as a stream gives them: gaps ≥ 0, 0–4 tokens each (0: a chunk without a token). */
const arrivals = fc.array(fc.record({ gap: fc.double({ min: 0, max: 500, noNaN: true, noDefaultInfinity: true }), count: fc.integer({ min: 0, max: 4 }) }), { maxLength: 40 }).map((steps) => {
  let t = 1000;
  return steps.map(({ gap, count }) => ({ t: (t += gap), count }) as TokenArrival);
});

describe('metrics against slow references (property tests)', () => {
  it('percentile is R-7 (METHODOLOGY §3.2), for any values and any p in 0–100', () => {
    assert.equal(percentile([1, 2, 3, 4], 50), 2.5); // the document's own example
    fc.assert(
      fc.property(fc.array(latency, { maxLength: 60 }), fc.double({ min: 0, max: 100, noNaN: true }), (values, p) => {
        const got = percentile(values, p);
        const want = r7(values, p);
        if (want === null) return assert.equal(got, null);
        assert.ok(got !== null && close(got, want), `p${p} of ${values.length} values: ${got} vs ${want}`);
      }),
      RUNS,
    );
  });

  it('percentile: p0 is the minimum, p100 the maximum, never decreasing in p, and blind to order', () => {
    fc.assert(
      fc.property(fc.array(latency, { minLength: 1, maxLength: 60 }), fc.double({ min: 0, max: 100, noNaN: true }), fc.double({ min: 0, max: 100, noNaN: true }), (values, a, b) => {
        assert.equal(percentile(values, 0), Math.min(...values));
        assert.equal(percentile(values, 100), Math.max(...values));
        const [lo, hi] = a <= b ? [a, b] : [b, a];
        assert.ok(percentile(values, lo)! <= percentile(values, hi)! + 1e-9);
        assert.equal(percentile([...values].reverse(), a), percentile(values, a));
      }),
      RUNS,
    );
  });

  it('decode latencies: one per token after the first arrival, the gap shared by its chunk; they sum to the span', () => {
    fc.assert(
      fc.property(arrivals, (list) => {
        // Token by token: every token of an arrival after the first one carrying tokens gets gap ÷ count.
        const want: number[] = [];
        let last: number | null = null;
        for (const a of list) {
          if (a.count === 0) continue;
          for (let k = 0; k < a.count && last !== null; k++) want.push((a.t - last) / a.count);
          last = a.t;
        }
        const got = decodeLatenciesMs(list);
        assert.equal(got.length, want.length);
        got.forEach((v, i) => assert.ok(close(v, want[i]!), `${v} vs ${want[i]}`));
        const carrying = list.filter((a) => a.count > 0);
        if (carrying.length > 1) {
          const span = carrying.at(-1)!.t - carrying[0]!.t;
          assert.ok(
            close(
              got.reduce((s, v) => s + v, 0),
              span,
            ),
          );
        }
      }),
      RUNS,
    );
  });

  it('decode tok/s is (N − 1) / (t_last − t_first); pooled, Σ(N − 1) / Σ span over the generations that have both', () => {
    const generation = fc.record({ arrivals, outputTokens: fc.integer({ min: 0, max: 200 }) });
    fc.assert(
      fc.property(fc.array(generation, { maxLength: 6 }), (gens) => {
        let steps = 0;
        let ms = 0;
        for (const g of gens) {
          const times = g.arrivals.filter((a) => a.count > 0).map((a) => a.t);
          const span = times.length ? times[times.length - 1]! - times[0]! : 0;
          const one = decodeTps(g.arrivals, g.outputTokens);
          if (span > 0 && g.outputTokens >= 2) {
            assert.ok(one !== null && close(one, (g.outputTokens - 1) / (span / 1000)));
            steps += g.outputTokens - 1;
            ms += span;
          } else assert.equal(one, null);
        }
        const pooled = pooledDecodeTps(gens);
        if (ms > 0) assert.ok(pooled !== null && close(pooled, steps / (ms / 1000)));
        else assert.equal(pooled, null);
      }),
      RUNS,
    );
  });

  it('pooled prefill tok/s counts only the tokens processed: Σ(prompt − cached) / Σ TTFT', () => {
    const turn = fc.record({
      promptTokens: fc.option(fc.integer({ min: 0, max: 20_000 })),
      cachedPromptTokens: fc.option(fc.integer({ min: 0, max: 25_000 })),
      // A clock reads whole microseconds at best: no denormal TTFTs; 0 and negatives (a broken clock) are skipped.
      ttftMs: fc.option(fc.oneof(fc.constant(0), fc.constant(-1), fc.double({ min: 0.001, max: 5000, noNaN: true }))),
    });
    fc.assert(
      fc.property(fc.array(turn, { maxLength: 8 }), (turns) => {
        let tokens = 0;
        let ms = 0;
        for (const t of turns) {
          if (t.promptTokens === null || t.promptTokens === 0 || t.ttftMs === null || !(t.ttftMs > 0)) continue;
          // More "cached" than the prompt holds cannot be: at most the whole prompt was cached.
          tokens += Math.max(0, t.promptTokens - (t.cachedPromptTokens ?? 0));
          ms += t.ttftMs;
        }
        const got = pooledPrefillTps(turns);
        if (ms > 0) assert.ok(got !== null && close(got, tokens / (ms / 1000)), `${got} vs ${tokens / (ms / 1000)}`);
        else assert.equal(got, null);
      }),
      RUNS,
    );
  });
});
