/**
 * Which way is better, per metric (issue 27, row 8), with the verdicts worked out by hand from
 * METHODOLOGY §6.1: a difference is "within noise" when the two 95 % intervals overlap, else better
 * or worse by the metric's direction — rates higher, times (TTFT, decode p50/p95 per token, wall)
 * lower. Never taken from compareRuns itself.
 */
import assert from 'node:assert/strict';
import type { MeasuredResult } from '../../src/contract/generated/run.js';
import { compareRuns, renderComparison } from '../../src/tools/compare-runs.js';
import { sampleResult, sampleRun } from '../../src/testing/sample-run.js';

type Metric = 'ttft_ms' | 'prefill_tps' | 'decode_tps' | 'decode_p50_latency_ms' | 'decode_p95_latency_ms';
/** A W1 result with 5 repetitions: each metric's headline is its median, with the interval given. */
function measured(figures: Record<Metric, [median: number, low: number, high: number]>): MeasuredResult {
  const spread = Object.fromEntries(Object.entries(figures).map(([m, [median, lo, hi]]) => [m, { n: 5, median, ci_low: lo, ci_high: hi, cv: 0.02 }]));
  const headlines = Object.fromEntries(Object.entries(figures).map(([m, [median]]) => [m, median]));
  return { ...sampleResult(headlines), repetitions: 5, spread } as MeasuredResult;
}

/** Baseline and candidate: every interval disjoint from its counterpart, so each verdict is decided. */
const BASELINE = measured({
  ttft_ms: [140, 138, 142],
  prefill_tps: [8000, 7900, 8100],
  decode_tps: [180, 178, 182],
  decode_p50_latency_ms: [5.5, 5.4, 5.6],
  decode_p95_latency_ms: [30, 29, 31],
});
const CANDIDATE = measured({
  ttft_ms: [120, 118, 122], // lower time: better, Δ = 120/140 − 1 = −14.3 %
  prefill_tps: [7000, 6900, 7100], // lower rate: worse, Δ = −12.5 %
  decode_tps: [200, 198, 202], // higher rate: better, Δ = +11.1 %
  decode_p50_latency_ms: [5.0, 4.9, 5.1], // lower time: better, Δ = −9.1 %
  decode_p95_latency_ms: [45, 43, 47], // higher time: worse, Δ = 45/30 − 1 = +50.0 %
});
/** The hand-worked verdict of CANDIDATE against BASELINE, per metric. */
const EXPECTED: Record<Metric, 'better' | 'worse'> = {
  ttft_ms: 'better',
  prefill_tps: 'worse',
  decode_tps: 'better',
  decode_p50_latency_ms: 'better',
  decode_p95_latency_ms: 'worse',
};

describe('compare: which way is better, per metric', () => {
  it('a worse p95 (higher) is worse; a lower TTFT and p50 are better; rates the other way', () => {
    const c = compareRuns([
      { label: 'base', run: sampleRun([BASELINE]) },
      { label: 'cand', run: sampleRun([CANDIDATE]) },
    ]);
    for (const [metric, verdict] of Object.entries(EXPECTED)) {
      const row = c.rows.find((r) => r.workload === 'chat-short' && r.metric === metric)!;
      assert.equal(row.verdicts[1], verdict, metric);
      assert.equal(row.better[1], verdict === 'better', metric);
    }
    const p95 = c.rows.find((r) => r.metric === 'decode_p95_latency_ms')!;
    assert.equal(p95.diff_pct[1]!.toFixed(1), '50.0');
    // In colour, a worse cell is red (SGR 31), a better one green (SGR 32).
    const line = renderComparison(c, true)
      .split('\n')
      .find((l) => l.includes('decode_p95_latency_ms') || l.includes('decode p95'))!;
    assert.match(line, /\x1b\[31m[^\x1b]*\+50\.0/);
  });
});
