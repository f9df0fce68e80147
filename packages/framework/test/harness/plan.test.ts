/**
 * How big a session must be for the workloads it runs (harness/plan.ts): worked by hand at 2.5
 * characters a token, plus the output and 64 tokens of headroom (4 × 64 for W5's chat template).
 */
import assert from 'node:assert/strict';
import { UsageError } from '../../src/errors.js';
import { contextNeeded, MAX_REPS, parallelNeeded, parseReps, repetitionPolicy, sessionNeeds, shouldRepeat, withRepetitions, type RunnableWorkload } from '../../src/harness/plan.js';

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

describe('repetition policies (plan.ts, METHODOLOGY §6.3)', () => {
  const spread = (rel: number) => ({ n: 3, median: 100, ci_low: 100 - 100 * rel, ci_high: 100 + 100 * rel, cv: 0.01 });

  it('the defaults: W1 and W2 adaptive to ±2 % with a budget, W4 and W5 three times within a budget, W3 once', () => {
    assert.deepEqual(repetitionPolicy(w1), { min: 3, max: 8, target: 0.02, budgetMs: 15_000 });
    assert.deepEqual(repetitionPolicy({ id: 'W2' }), { min: 3, max: 4, target: 0.02, budgetMs: 30_000 });
    assert.deepEqual(repetitionPolicy(w3), { min: 1, max: 1 });
    assert.deepEqual(repetitionPolicy(w4), { min: 3, max: 3, budgetMs: 45_000 });
    assert.deepEqual(repetitionPolicy(w5), { min: 3, max: 3, budgetMs: 45_000 });
    assert.deepEqual(repetitionPolicy({ id: 'W9' }), { min: 1, max: 1 }, 'a workload the defaults do not know runs once');
  });

  it('--reps N is exactly N, no budget, no early stop; --quick is once unless --reps says otherwise', () => {
    assert.deepEqual(repetitionPolicy(w1, { reps: 7 }), { min: 7, max: 7 });
    assert.deepEqual(repetitionPolicy(w4, { quick: true }), { min: 1, max: 1 });
    assert.deepEqual(repetitionPolicy(w4, { quick: true, reps: 2 }), { min: 2, max: 2 });
    assert.deepEqual(
      withRepetitions([w1, w4], { reps: 2 }).map((w) => w.repetitions),
      [
        { min: 2, max: 2 },
        { min: 2, max: 2 },
      ],
    );
    const preset = { ...w1, repetitions: { min: 4, max: 4 } };
    assert.deepEqual(withRepetitions([preset])[0]!.repetitions, { min: 4, max: 4 }, "a caller's own policy stands");
    assert.deepEqual(withRepetitions([preset], { quick: true })[0]!.repetitions, { min: 1, max: 1 });
  });

  it('adaptive: at least the minimum, then until decode is within ±target, never past the cap', () => {
    const policy = { min: 3, max: 10, target: 0.02 };
    assert.equal(shouldRepeat(policy, 1, 100, spread(0)), true, 'below the minimum, even when already precise');
    assert.equal(shouldRepeat(policy, 2, 100, spread(0.001)), true);
    assert.equal(shouldRepeat(policy, 3, 100, spread(0.021)), true, '±2.1 %: not yet');
    assert.equal(shouldRepeat(policy, 3, 100, spread(0.02)), false, '±2 %: precise enough');
    assert.equal(shouldRepeat(policy, 3, 100, null), true, 'no interval (no decode figure): on to the cap');
    assert.equal(shouldRepeat(policy, 10, 100, spread(0.5)), false, 'the cap');
  });

  it('the budget: no repetition starts that would end past it on the mean so far, whatever the minimum', () => {
    const policy = { min: 3, max: 3, budgetMs: 45_000 };
    // Two repetitions of 20 s: a third would end at ~60 s > 45 s.
    assert.equal(shouldRepeat(policy, 2, 40_000), false);
    // 1 of 20 s: a second ends at ~40 s ≤ 45 s.
    assert.equal(shouldRepeat(policy, 1, 20_000), true);
    // A first repetition of 50 s alone passed the budget: it stands, and no other starts.
    assert.equal(shouldRepeat(policy, 1, 50_000), false);
    assert.equal(shouldRepeat({ min: 5, max: 5 }, 4, 1e9), true, '--reps has no budget');
  });

  it('parses --reps: a whole number from 1 to 100, else a usage error (exit 2) naming the source and the value', () => {
    assert.equal(parseReps('1'), 1);
    assert.equal(parseReps(' 12 '), 12);
    assert.equal(parseReps(MAX_REPS), MAX_REPS);
    for (const bad of ['0', 'abc', '1e9', '1e2', '2.5', '-1', '', '101', '0x10', String(2 ** 60)]) {
      assert.throws(
        () => parseReps(bad),
        (e: unknown) => e instanceof UsageError && e.exitCode === 2 && e.message === `--reps must be a whole number of repetitions from 1 to 100; got "${bad.trim()}"`,
        bad,
      );
    }
    assert.throws(() => parseReps('0', 'LLM_SPEED_REPS'), /^UsageError: LLM_SPEED_REPS must be/);
  });
});
