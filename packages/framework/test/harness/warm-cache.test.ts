/**
 * `warm-cache` means a materially shorter prefill (METHODOLOGY §3.4): more than the 4 incidental
 * tokens any two prompts share AND at least 1 % of the prompt. The cases are the ones seen on real
 * servers (the real llama-server runs are in packages/cli/test/cli/openai-compat-llama.e2e.test.ts):
 *   - W1 through openai-compat after the warm-up: 1 of 131 prompt tokens (the BOS) — not warm;
 *   - W4's stream prompts ("Request 1 of 4.") share about 4 tokens with the previous batch's — not warm;
 *   - W2 on a long-running server: 4,057 of 4,058 — warm.
 */
import assert from 'node:assert/strict';
import type { DriverSession, GenerationEvent, GenerationRequest } from '../../src/contract/driver.js';
import { runWorkload, WARMUP_PROMPT } from '../../src/harness/runner.js';
import { isWarmReuse, ranOnWarmCache, WARM_CACHE_INCIDENTAL_TOKENS, WARM_CACHE_MIN_SHARE } from '../../src/harness/warm-cache.js';

describe('warm-cache: a materially shorter prefill, not any reused token', () => {
  it('the documented thresholds', () => {
    assert.equal(WARM_CACHE_INCIDENTAL_TOKENS, 4);
    assert.equal(WARM_CACHE_MIN_SHARE, 0.01);
  });

  it('the BOS token and a shared opening are incidental; a reused prompt is not', () => {
    assert.equal(isWarmReuse({ promptTokens: 131, cachedPromptTokens: 1 }), false, 'W1: the BOS token after the warm-up');
    assert.equal(isWarmReuse({ promptTokens: 1029, cachedPromptTokens: 4 }), false, 'W4: "Request 1 of" shared with the last batch');
    assert.equal(isWarmReuse({ promptTokens: 20, cachedPromptTokens: 4 }), false, '4 tokens are incidental even on a 20-token prompt');
    assert.equal(isWarmReuse({ promptTokens: 4058, cachedPromptTokens: 4057 }), true, "W2's case: the whole prompt from the cache");
    assert.equal(isWarmReuse({ promptTokens: 131, cachedPromptTokens: 5 }), true, '5 of 131 is 3.8 %: more than incidental and over 1 %');
    assert.equal(isWarmReuse({ promptTokens: 131, cachedPromptTokens: 0 }), false);
    assert.equal(isWarmReuse({}), false, 'nothing reported, nothing flagged');
  });

  it('on a long prompt, the share decides: 40 of 4,058 is 0.99 %, 41 is 1.01 %', () => {
    assert.equal(isWarmReuse({ promptTokens: 4058, cachedPromptTokens: 40 }), false);
    assert.equal(isWarmReuse({ promptTokens: 4058, cachedPromptTokens: 41 }), true);
  });

  it("without a prompt count anything beyond the incidental tokens counts; Ollama's uncounted reuse always does", () => {
    assert.equal(isWarmReuse({ cachedPromptTokens: 5 }), true);
    assert.equal(isWarmReuse({ cachedPromptTokens: 4 }), false);
    assert.equal(isWarmReuse({ promptTokens: 131, promptReuse: true }), true);
  });

  it('one warm stream makes the workload warm', () => {
    assert.equal(
      ranOnWarmCache([
        { promptTokens: 1029, cachedPromptTokens: 3 },
        { promptTokens: 1029, cachedPromptTokens: 900 },
      ]),
      true,
    );
    assert.equal(
      ranOnWarmCache([
        { promptTokens: 1029, cachedPromptTokens: 3 },
        { promptTokens: 1029, cachedPromptTokens: 4 },
      ]),
      false,
    );
    assert.equal(ranOnWarmCache([]), false);
  });

  describe('in the runner', () => {
    /** A backend that says it served `cached` of `prompt` tokens from its cache, for every timed request. */
    function reusingSession(prompt: number, cached: number): DriverSession {
      let t = 0;
      return {
        model: { identifier: 'm', name: 'm' },
        backendVersion: 'test',
        capabilities: { streaming: true, true_concurrency: true, prefix_cache_stats: true, exact_output_length: true },
        extras: {},
        async *generate(req: GenerationRequest): AsyncGenerator<GenerationEvent> {
          const warmup = req.prompt === WARMUP_PROMPT;
          for (let i = 0; i < req.maxTokens; i++) yield { type: 'tokens', t: (t += 10), count: 1 };
          yield { type: 'usage', promptTokens: warmup ? 8 : prompt, outputTokens: req.maxTokens, cachedPromptTokens: warmup ? 0 : cached };
          yield { type: 'done', t, stopReason: 'length' };
        },
        async close() {},
      };
    }
    const run = (session: DriverSession) =>
      runWorkload(
        { suiteVersion: 'suite-v1', suiteDigest: 'cd'.repeat(32), backend: 'b', session, signal: new AbortController().signal },
        { id: 'W1', name: 'chat-short', kind: 'single', outputTokens: 3, prompt: 'p' },
      );

    it('W1 with the BOS reused: not flagged, and the one cached token is still reported', async () => {
      const r = await run(reusingSession(131, 1));
      assert.ok(!r.flags.includes('warm-cache'), r.flags.join(', '));
      assert.equal(r.cached_prompt_tokens, 1);
    });

    it('W1 with its prompt reused: flagged, with the count', async () => {
      const r = await run(reusingSession(131, 130));
      assert.ok(r.flags.includes('warm-cache'));
      assert.equal(r.cached_prompt_tokens, 130);
    });
  });
});
