import assert from 'node:assert/strict';
import { decodeLatenciesMs, decodeSpanMs, decodeTps, mean, percentile, pooledDecodeTps, pooledPrefillTps, prefillTps, rateOf, round, ttftMs } from '../../src/harness/metrics.js';

describe('metrics (METHODOLOGY §3.2 definitions, worked examples)', () => {
  it('TTFT is request sent → first generated token', () => {
    assert.equal(
      ttftMs(1000, [
        { t: 1142.5, count: 1 },
        { t: 1150, count: 1 },
      ]),
      142.5,
    );
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
    const arrivals = [
      { t: 0, count: 1 },
      { t: 45, count: 9 },
    ];
    assert.equal(decodeTps(arrivals, 10), 200);
    // their gap is shared equally: nine 5 ms tokens
    assert.deepEqual(decodeLatenciesMs(arrivals), Array(9).fill(5));
  });

  it('a token split across chunks is counted once when usage says so', () => {
    // A hosted stream sends 4 content chunks but usage reports 3 tokens (one token split in two chunks).
    const arrivals = [
      { t: 0, count: 1 },
      { t: 10, count: 1 },
      { t: 12, count: 1 },
      { t: 20, count: 1 },
    ];
    assert.equal(decodeTps(arrivals, 3), 100); // (3−1) / 20 ms
  });

  it('per-token latencies exclude the first token (it is prefill output)', () => {
    const arrivals = [
      { t: 100, count: 1 },
      { t: 104, count: 1 },
      { t: 110, count: 1 },
    ];
    assert.deepEqual(decodeLatenciesMs(arrivals), [4, 6]);
  });

  it('percentile interpolates linearly between closest ranks (R-7)', () => {
    assert.equal(percentile([1, 2, 3, 4], 50), 2.5);
    assert.equal(percentile([4, 1, 3, 2], 50), 2.5);
    assert.ok(Math.abs(percentile([10, 20, 30, 40, 50, 60, 70, 80, 90, 100], 95)! - 95.5) < 1e-9);
    assert.equal(percentile([7], 95), 7);
    assert.equal(percentile([], 50), null);
  });

  it('pooled decode: every step over every decode millisecond, not a mean of rates', () => {
    // 3 tokens over 10 ms (200 tok/s) and 11 tokens over 290 ms (34.5 tok/s): 12 steps in 300 ms.
    const a = [0, 5, 10].map((t) => ({ t, count: 1 }));
    const b = [
      { t: 0, count: 1 },
      { t: 290, count: 10 },
    ];
    assert.equal(
      pooledDecodeTps([
        { arrivals: a, outputTokens: 3 },
        { arrivals: b, outputTokens: 11 },
      ]),
      40,
    );
    assert.equal(pooledDecodeTps([{ arrivals: a.slice(0, 1), outputTokens: 1 }]), null);
  });

  it('pooled prefill counts only the prompt tokens the backend processed', () => {
    // 1000 new of 1000 in 10 ms, 1000 new of 3000 (2000 cached) in 40 ms: 2000 / 0.05 s.
    assert.equal(
      pooledPrefillTps([
        { promptTokens: 1000, cachedPromptTokens: 0, ttftMs: 10 },
        { promptTokens: 3000, cachedPromptTokens: 2000, ttftMs: 40 },
      ]),
      40000,
    );
    // Unknown cache: the whole prompt counts.
    assert.equal(pooledPrefillTps([{ promptTokens: 1000, cachedPromptTokens: null, ttftMs: 10 }]), 100000);
    assert.equal(pooledPrefillTps([{ promptTokens: null, cachedPromptTokens: null, ttftMs: 10 }]), null);
  });

  it("a backend's own timer pair becomes a rate only when both halves are there", () => {
    assert.equal(rateOf(255, 500), 510);
    assert.equal(rateOf(undefined, 500), null);
    assert.equal(rateOf(10, 0), null);
    assert.equal(rateOf(0, 500), 0, 'no tokens in a real time span is a rate of 0');
    assert.equal(rateOf(-1, 500), null);
    assert.equal(rateOf(Number.NaN, 500), null);
    assert.equal(rateOf(10, Number.NaN), null);
  });
});

describe('metrics at their edges', () => {
  // A backend may send an arrival that carries no token (text it holds back): it is no token.
  const withEmpty = [
    { t: 1010, count: 0 },
    { t: 1050, count: 1 },
    { t: 1055, count: 0 },
    { t: 1070, count: 2 },
    { t: 1090, count: 0 },
  ];

  it('arrivals that carry no token time nothing: TTFT, span and latencies skip them', () => {
    assert.equal(ttftMs(1000, withEmpty), 50);
    assert.equal(decodeSpanMs(withEmpty), 20);
    // One 2-token chunk 20 ms after the first token: two 10 ms tokens; the empty arrival in between changes nothing.
    assert.deepEqual(decodeLatenciesMs(withEmpty), [10, 10]);
    assert.equal(decodeTps(withEmpty, 3), 100); // 2 steps in 20 ms
    assert.equal(ttftMs(1000, [{ t: 1010, count: 0 }]), null);
    assert.equal(decodeSpanMs([{ t: 1010, count: 0 }]), null);
  });

  it('no decode rate without two tokens over a positive span', () => {
    assert.equal(
      decodeTps(
        [
          { t: 10, count: 1 },
          { t: 20, count: 1 },
        ],
        2,
      ),
      100,
    );
    assert.equal(
      decodeTps(
        [
          { t: 10, count: 1 },
          { t: 20, count: 1 },
        ],
        1,
      ),
      null,
    );
    assert.equal(decodeTps([{ t: 10, count: 2 }], 2), null, 'both tokens in one chunk: no span');
    assert.equal(
      decodeSpanMs([
        { t: 10, count: 1 },
        { t: 10, count: 1 },
      ]),
      null,
    );
    assert.equal(
      pooledDecodeTps([
        {
          arrivals: [
            { t: 0, count: 1 },
            { t: 10, count: 1 },
          ],
          outputTokens: 2,
        },
        {
          arrivals: [
            { t: 0, count: 1 },
            { t: 50, count: 1 },
          ],
          outputTokens: 1,
        },
      ]),
      100,
    );
    assert.equal(pooledDecodeTps([]), null);
  });

  it('no prefill rate for a TTFT of zero (a token that was there before the request)', () => {
    assert.equal(prefillTps(128, 0), null);
    assert.equal(prefillTps(128, -5), null);
    assert.equal(prefillTps(0, 64), null);
    assert.equal(
      pooledPrefillTps([
        { promptTokens: 1000, cachedPromptTokens: 0, ttftMs: 0 },
        { promptTokens: 500, cachedPromptTokens: 0, ttftMs: 10 },
      ]),
      50000,
    );
  });

  it('mean and percentiles of nothing are null, not NaN; rounding drops non-finite values', () => {
    assert.equal(mean([]), null);
    assert.equal(mean([1, 2, 6]), 3);
    assert.equal(percentile([], 50), null);
    assert.equal(round(Number.POSITIVE_INFINITY), null);
    assert.equal(round(Number.NaN), null);
    assert.equal(round(null), null);
    assert.equal(round(1.23456, 3), 1.235);
  });
});
