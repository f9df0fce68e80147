/**
 * W5's cache figures count only what the trace itself reuses (METHODOLOGY §3.4), against the real
 * llama-server. Regressions from issue 26: the warm-up's BOS token came back as `cache_n` 1 on
 * turn 1 of every llama.cpp run (26.18), and on an attached server a second W5 reused the first
 * run's conversation — a turn-1 hit rate of 0.9973, nothing flagged (26.19).
 */
import assert from 'node:assert/strict';
import { loadSuite, runWorkload, suitePlans, type DriverSession, type RunContext } from '@llm-speed/framework';
import { llamaCppDriver } from '../../src/driver.js';
import { spawnServer } from '../../src/server/spawn.js';
import { llamaBinDir, makeContext, tempDir, tinyModel } from './helpers.js';

const suite = loadSuite('suite-v1');
// The quick W5 (two turns): turn 2 re-sends turn 1 and its answer, so it must hit the cache.
const [w5] = suitePlans(suite, ['W5'], { quick: true });

function runContext(session: DriverSession): RunContext {
  return { suiteVersion: suite.version, suiteDigest: suite.digest, backend: 'llama.cpp', session, signal: new AbortController().signal };
}

async function traceOn(session: DriverSession) {
  const result = await runWorkload(runContext(session), w5!);
  assert.equal(result.error, null, `W5 failed: ${result.error}`);
  return result;
}

describe('llama.cpp driver: W5 counts only its own prefix reuse', function () {
  this.timeout(600_000);
  let model: string;
  before(async () => {
    llamaBinDir();
    model = await tinyModel();
  });

  it('spawned: turn 1 reuses nothing after the warm-up (not its BOS token); turn 2 reuses turn 1', async () => {
    const session = await llamaCppDriver.open(model, { contextTokens: 8192, parallel: 1 }, makeContext({ llama_cpp_path: llamaBinDir() }));
    try {
      const result = await traceOn(session);
      assert.equal(result.extras.warmup, true, 'the warm-up ran first');
      assert.equal(result.turns![0]!.prefix_cache_hit_rate, 0, `turn 1 hit rate ${result.turns![0]!.prefix_cache_hit_rate}`);
      // Turn 2 re-sends turn 1's prompt: (nearly) all of it comes from the cache.
      const [t1, t2] = result.turns!;
      const reused = (t2!.prefix_cache_hit_rate ?? 0) * (t2!.prompt_tokens ?? 0);
      assert.ok(reused >= 0.9 * (t1!.prompt_tokens ?? Infinity), `turn 2 reused ${reused} of turn 1's ${t1!.prompt_tokens} tokens`);
      assert.ok(!result.flags.includes('warm-cache'), `flags: ${result.flags.join(', ')}`);
    } finally {
      await session.close();
    }
  });

  for (const slotActions of [false, true]) {
    it(`attached${slotActions ? ' (slot actions enabled)' : ''}: a second W5 on the same server does not reuse the first run's conversation`, async () => {
      const slots = tempDir();
      const abort = new AbortController();
      const server = await spawnServer({
        binary: `${llamaBinDir()}/llama-server`,
        model,
        contextTokens: 8192,
        parallel: 1,
        ...(slotActions ? { slotSavePath: slots.path } : {}),
        signal: abort.signal,
      });
      try {
        const first = await llamaCppDriver.open(undefined, { contextTokens: 8192, parallel: 1 }, makeContext({ llama_cpp_url: server.baseUrl }));
        const before = await traceOn(first);
        await first.close();
        const second = await llamaCppDriver.open(undefined, { contextTokens: 8192, parallel: 1 }, makeContext({ llama_cpp_url: server.baseUrl }));
        const again = await traceOn(second);
        await second.close();
        assert.equal(again.turns![0]!.prefix_cache_hit_rate, 0, `second run's turn 1 hit rate ${again.turns![0]!.prefix_cache_hit_rate}`);
        // The same trace, the same cache figures: the first run left nothing the second counted.
        assert.equal(again.cached_prompt_tokens, before.cached_prompt_tokens);
        assert.equal(again.prefix_cache_hit_rate, before.prefix_cache_hit_rate);
        assert.ok(!again.flags.includes('warm-cache'), `flags: ${again.flags.join(', ')}`);
      } finally {
        await server.stop();
        abort.abort();
        slots.remove();
      }
    });
  }

  it("a driver that cannot forget: W5's first turn still asks for a cold prefix, so the previous trace in the slot is not reused", async () => {
    const abort = new AbortController();
    const server = await spawnServer({ binary: `${llamaBinDir()}/llama-server`, model, contextTokens: 8192, parallel: 1, signal: abort.signal });
    try {
      const first = await llamaCppDriver.open(undefined, { contextTokens: 8192, parallel: 1 }, makeContext({ llama_cpp_url: server.baseUrl }));
      await traceOn(first);
      const second = await llamaCppDriver.open(undefined, { contextTokens: 8192, parallel: 1 }, makeContext({ llama_cpp_url: server.baseUrl }));
      // What a driver without forgetPrompts() does: the server's slot still holds the first trace,
      // but turn 1 is sent with cache_prompt false (METHODOLOGY §3.4), which llama-server honours
      // whatever its slot holds. (A backend that reuses anyway is flagged warm-cache: runner.test.ts.)
      delete second.forgetPrompts;
      const again = await traceOn(second);
      assert.equal(again.turns![0]!.prefix_cache_hit_rate, 0, `turn 1 hit rate ${again.turns![0]!.prefix_cache_hit_rate}`);
      assert.ok(!again.flags.includes('warm-cache'), `flags: ${again.flags.join(', ')}`);
      // Turn 2 still reuses turn 1's prompt.
      const [t1, t2] = again.turns!;
      const reused = (t2!.prefix_cache_hit_rate ?? 0) * (t2!.prompt_tokens ?? 0);
      assert.ok(reused >= 0.9 * (t1!.prompt_tokens ?? Infinity), `turn 2 reused ${reused} of turn 1's ${t1!.prompt_tokens} tokens`);
    } finally {
      await server.stop();
      abort.abort();
    }
  });
});
