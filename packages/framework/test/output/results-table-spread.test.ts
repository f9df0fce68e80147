/**
 * The results table of a repeated run (METHODOLOGY §6.3): each headline with its interval as ±%
 * of it and the repetitions behind it, flags in words, and W4's two clocks like with like (issue
 * 26.1, 26.2). The spreads are written by hand, so every ±% below is worked out in a comment.
 */
import assert from 'node:assert/strict';
import { check } from '../../src/contract/validate.js';
import { plusMinus, renderResultsTable } from '../../src/output/results-table.js';
import { sampleResult, sampleRun } from '../../src/testing/sample-run.js';

const spread = (median: number, half: number | null, n: number) => ({
  n,
  median,
  ci_low: half === null ? null : median - half,
  ci_high: half === null ? null : median + half,
  cv: half === null ? null : 0.01,
});

describe('results table with repetitions', () => {
  it('±% is the half-width over the median, to one decimal under 10 %, whole above; nothing for one repetition', () => {
    assert.equal(plusMinus(spread(200, 3.6, 5)), '±1.8%'); // 3.6 / 200
    assert.equal(plusMinus(spread(50, 6.25, 3)), '±13%'); // 6.25 / 50 = 12.5 % → 13
    assert.equal(plusMinus(spread(42, null, 1)), '');
    assert.equal(plusMinus(undefined), '');
  });

  it('shows median ±% and n per row, noisy in words with its figures, and W4 per stream beside the backend', () => {
    const w1 = sampleResult({
      workload: 'chat-short',
      decode_tps: 200,
      ttft_ms: 50,
      prefill_tps: 2600,
      backend_decode_tps: 201.5,
      backend_prefill_tps: 3100,
      repetitions: 5,
      spread: { decode_tps: spread(200, 3.6, 5), ttft_ms: spread(50, 0.5, 5), prefill_tps: spread(2600, 26, 5) },
    });
    const w2 = sampleResult({
      workload: 'chat-long',
      decode_tps: 150,
      ttft_ms: 800,
      repetitions: 3,
      flags: ['noisy'],
      // Decode 12 / 150 = ±8.0 % (over 5 %: noisy); TTFT 40 / 800 = ±5.0 % (within 10 %).
      spread: { decode_tps: spread(150, 12, 3), ttft_ms: spread(800, 40, 3) },
    });
    const w4 = sampleResult({
      workload: 'concurrent-decode',
      batch_size: 16,
      decode_tps: 2006,
      prefill_tps: 13000,
      backend_decode_tps: 171.3,
      backend_prefill_tps: 13180,
      repetitions: 3,
      spread: { decode_tps: spread(2006, 20.06, 3) },
      batches: [
        { batch: 1, aggregate_tps: 136.2, per_stream_tps: 231.3, p50_ms: 4.3, p95_ms: 4.9, backend_decode_tps: 233, backend_prefill_tps: 1400, spread: { aggregate_tps: spread(136.2, 1.362, 3) } },
        {
          batch: 16,
          aggregate_tps: 2006,
          per_stream_tps: 125.4,
          p50_ms: 7.9,
          p95_ms: 9.9,
          backend_decode_tps: 171.3,
          backend_prefill_tps: 13180,
          spread: { aggregate_tps: spread(2006, 20.06, 3), per_stream_tps: spread(125.4, 2.508, 3) },
        },
      ],
    });
    const w5 = sampleResult({ workload: 'agent-trace', repetitions: 3, turns: [], turn_p50_ms: 120, turn_p95_ms: null, turn_max_ms: 410, wall_ms: 2100 });
    const run = { ...sampleRun([w1, w2, w4, w5]), schema_version: 2 };
    assert.deepEqual(check('run', run), []);
    const lines = renderResultsTable(run as never, { width: 200 }).split('\n');
    assert.match(lines[1]!, /^workload\s+n\s+TTFT ms\s+prefill\/s\s+\(backend\)\s+decode\/s\s+\(backend\)/);
    // 0.5 / 50 = 1.0 %, 26 / 2600 = 1.0 %, 3.6 / 200 = 1.8 %.
    assert.match(
      lines.find((l) => l.startsWith('chat-short'))!,
      /^chat-short\s+5\s+50\.0±1\.0%\s+2600±1\.0%\s+3100\s+200\.0±1\.8%\s+201\.5\s/,
    );
    const long = lines.findIndex((l) => l.startsWith('chat-long'));
    assert.match(lines[long]!, /^chat-long\s+3\s+800\.0±5\.0%\s+8421\s+.*150\.0±8\.0%/);
    assert.equal(lines[long + 1], '    noisy (decode ±8.0%, TTFT ±5.0% at 95 % over 3 repetitions; reproducible means within ±5 % / ±10 %: not ranked)');
    // W4: the row's backend cells are empty; under it, one stream on both clocks (issue 26.1: 16 × 171 is not 2006).
    const w4Row = lines.findIndex((l) => l.startsWith('concurrent-decode ×16'));
    assert.match(lines[w4Row]!, /^concurrent-decode ×16\s+3\s+142\.3\s+13000\s+–\s+2006±1\.0%\s+–\s/);
    // 2.508 / 125.4 = ±2.0 %.
    assert.equal(lines[w4Row + 1], "    one stream of 16: decode 125.4 tok/s ±2.0% on llm-speed's clock; backend's clock: decode 171.3 tok/s, prefill 13180 tok/s");
    assert.ok(lines.some((l) => /^concurrent-decode's decode\/s is output throughput: all streams' tokens over the batch's wall time, prefill included/.test(l)));
    // Each batch: throughput (prefill included) with its interval, per-stream decode beside the backend's.
    assert.ok(lines.includes("  W4 batch 1: throughput 136.2 tok/s ±1.0% (prefill included); per stream decode 231.3 tok/s, backend's clock 233.0 tok/s; p50 4.30 ms, p95 4.90 ms"), lines.join('\n'));
    assert.ok(lines.includes("  W4 batch 16: throughput 2006 tok/s ±1.0% (prefill included); per stream decode 125.4 tok/s ±2.0%, backend's clock 171.3 tok/s; p50 7.90 ms, p95 9.90 ms"));
    // Batch 1's two figures differ by design, and the table says why (issue 26.2).
    assert.ok(lines.some((l) => /W4 at batch 1: throughput counts the stream's prefill time \(its TTFT\), per-stream decode does not/.test(l)));
    // W5: the slowest turn, not a p95 over a handful of turns (issue 26.23).
    assert.ok(lines.includes('  W5 0 turns: turn p50 120.0 ms, slowest turn 410.0 ms, wall 2100 ms'), lines.join('\n'));
    assert.ok(lines.some((l) => /^Each figure is the median of n repetitions; ±: its 95 % confidence interval/.test(l)));
  });

  it('an older run (no spread) reads as one repetition, with no interval; its W5 p95 is named with the turns behind it', () => {
    const old = sampleResult({
      workload: 'agent-trace',
      turns: Array.from({ length: 11 }, (_, i) => ({ turn: i + 1, ttft_ms: 1, decode_tps: 1, prompt_tokens: 1, output_tokens: 1, wall_ms: 1 })),
      turn_p50_ms: 120,
      turn_p95_ms: 390,
    });
    const lines = renderResultsTable(sampleRun([old]) as never, { width: 200 }).split('\n');
    assert.match(
      lines.find((l) => l.startsWith('agent-trace'))!,
      /^agent-trace\s+1\s+142\.3\s+8421\s/,
    );
    assert.ok(lines.includes('  W5 11 turns: turn p50 120.0 ms, turn p95 390.0 ms (over 11 turns), wall 1530 ms'), lines.join('\n'));
  });
});
