import assert from 'node:assert/strict';
import { decodeLatenciesMs, decodeTps, percentile, prefillTps, ttftMs } from '../../src/harness/metrics.js';

describe('metrics (METHODOLOGY FAQ definitions, worked examples)', () => {
  it('TTFT is request sent → first generated token', () => {
    assert.equal(ttftMs(1000, [{ t: 1142.5, count: 1 }, { t: 1150, count: 1 }]), 142.5);
    assert.equal(ttftMs(1000, []), null);
  });

  it('prefill tok/s = prompt_tokens / TTFT seconds', () => {
    // 128 prompt tokens, first token after 64 ms → 2000 tok/s
    assert.equal(prefillTps(128, 64), 2000);
    assert.equal(prefillTps(undefined, 64), null);
    assert.equal(prefillTps(128, null), null);
  });

  it('decode tok/s uses N−1 intervals between first and last token (llama-bench tg semantics)', () => {
    // 5 tokens, 10 ms apart: 4 decode steps in 40 ms → 100 tok/s
    const arrivals = [0, 10, 20, 30, 40].map((t) => ({ t, count: 1 }));
    assert.equal(decodeTps(arrivals, 5), 100);
    assert.equal(decodeTps(arrivals.slice(0, 1), 1), null);
  });

  it('a chunk carrying several tokens counts every token (backend count wins)', () => {
    // Two chunks: first token at 0, then 9 tokens together at 45 ms → 10 tokens, 9 steps in 45 ms
    const arrivals = [{ t: 0, count: 1 }, { t: 45, count: 9 }];
    assert.equal(decodeTps(arrivals, 10), 200);
    // their gap is shared equally: nine 5 ms tokens
    assert.deepEqual(decodeLatenciesMs(arrivals), Array(9).fill(5));
  });

  it('a token split across chunks is counted once when usage says so', () => {
    // A hosted stream sends 4 content chunks but usage reports 3 tokens (one token split in two chunks).
    const arrivals = [{ t: 0, count: 1 }, { t: 10, count: 1 }, { t: 12, count: 1 }, { t: 20, count: 1 }];
    assert.equal(decodeTps(arrivals, 3), 100); // (3−1) / 20 ms
  });

  it('per-token latencies exclude the first token (it is prefill output)', () => {
    const arrivals = [{ t: 100, count: 1 }, { t: 104, count: 1 }, { t: 110, count: 1 }];
    assert.deepEqual(decodeLatenciesMs(arrivals), [4, 6]);
  });

  it('percentile interpolates linearly between closest ranks (R-7)', () => {
    assert.equal(percentile([1, 2, 3, 4], 50), 2.5);
    assert.equal(percentile([4, 1, 3, 2], 50), 2.5);
    assert.ok(Math.abs(percentile([10, 20, 30, 40, 50, 60, 70, 80, 90, 100], 95)! - 95.5) < 1e-9);
    assert.equal(percentile([7], 95), 7);
    assert.equal(percentile([], 50), null);
  });
});
