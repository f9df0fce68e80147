/**
 * How big a session must be for the workloads it runs (harness/plan.ts): worked by hand at 2.5
 * characters a token, plus the output and 64 tokens of headroom (4 × 64 for W5's chat template).
 */
import assert from 'node:assert/strict';
import { contextNeeded, parallelNeeded, sessionNeeds, type RunnableWorkload } from '../../src/harness/plan.js';

const w1: RunnableWorkload = { id: 'W1', name: 'chat-short', kind: 'single', prompt: 'x'.repeat(250), outputTokens: 128 };
const w3: RunnableWorkload = { id: 'W3', name: 'long-context-decay', kind: 'context-tiers', outputTokens: 64, tiers: [4096, 32768, 8192].map((n) => ({ contextTokens: n, prompt: () => '' })) };
const w4: RunnableWorkload = { id: 'W4', name: 'concurrent-decode', kind: 'concurrent', outputTokens: 256, batchSizes: [1, 16, 4], promptForStream: (i) => 'y'.repeat(i === 0 ? 25 : 1000) };
const w5: RunnableWorkload = {
  id: 'W5',
  name: 'agent-trace',
  kind: 'agent-trace',
  outputTokens: 32,
  turns: [
    [{ role: 'user', content: 'z'.repeat(5000) }],
    [
      { role: 'user', content: 'a'.repeat(99) },
      { role: 'assistant', content: 'b'.repeat(100) },
    ],
  ],
};

describe('session sizing (plan.ts)', () => {
  it('a single prompt: its tokens at 2.5 characters each, the output and 64 tokens of headroom', () => {
    assert.equal(contextNeeded(w1), 100 + 128 + 64);
  });

  it("W4: the first stream's prompt sizes every stream", () => {
    assert.equal(contextNeeded(w4), 10 + 256 + 64);
  });

  it('W3: the largest tier, which already holds prompt, output and headroom', () => {
    assert.equal(contextNeeded(w3), 32768);
  });

  it("W5: the last turn's messages joined by line breaks, the output and four times the headroom", () => {
    // 99 + 1 + 100 = 200 characters → 80 tokens; the first turn's 5000 characters are not the last turn.
    assert.equal(contextNeeded(w5), 80 + 32 + 256);
    assert.equal(contextNeeded({ ...w5, turns: [] }), 0 + 32 + 256);
  });

  it('parallel: the largest W4 batch, else one stream', () => {
    assert.equal(parallelNeeded(w4), 16);
    assert.equal(parallelNeeded(w1), 1);
  });

  it('a session for several workloads holds the largest context and the most streams any of them needs', () => {
    assert.deepEqual(sessionNeeds([w1, w4, w3]), {
      contextTokens: 32768,
      parallel: 16,
      perWorkload: [
        { contextTokens: 292, parallel: 1 },
        { contextTokens: 330, parallel: 16 },
        { contextTokens: 32768, parallel: 1 },
      ],
    });
    assert.deepEqual(sessionNeeds([w3, w1]), {
      contextTokens: 32768,
      parallel: 1,
      perWorkload: [
        { contextTokens: 32768, parallel: 1 },
        { contextTokens: 292, parallel: 1 },
      ],
    });
    assert.deepEqual(sessionNeeds([w5, w1]), {
      contextTokens: 368,
      parallel: 1,
      perWorkload: [
        { contextTokens: 368, parallel: 1 },
        { contextTokens: 292, parallel: 1 },
      ],
    });
  });
});
