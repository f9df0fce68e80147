/**
 * W1–W4 on a cold prefix, with a real llama-server that outlives the runs (attached, as a user's
 * long-running server is): the same workloads run twice, and the second run must not read a
 * prompt the server still holds. The case: the second run's W2 read 97,388 prefill tok/s
 * because llama-server served 4,057 of 4,058 prompt tokens from its cache. When reuse happens
 * anyway (here forced by a session that asks for it), the result says so: warm-cache.
 */
import assert from 'node:assert/strict';
import { loadSuite, runWorkload, suitePlans, type DriverSession, type RunnableWorkload } from '@llm-speed/framework';
import { llamaCppDriver } from '../../src/driver.js';
import { spawnServer, type SpawnedServer } from '../../src/server/spawn.js';
import { llamaBinDir, makeContext, tinyModel } from './helpers.js';

describe('llama.cpp: W1–W4 run cold on an attached llama-server, or are flagged', function () {
  this.timeout(600_000);
  let server: SpawnedServer;
  let session: DriverSession;
  let plans: RunnableWorkload[];
  before(async () => {
    server = await spawnServer({ binary: `${llamaBinDir()}/llama-server`, model: await tinyModel(), contextTokens: 6144, parallel: 1, signal: new AbortController().signal });
    session = await llamaCppDriver.open(undefined, { contextTokens: 6144, parallel: 1 }, makeContext({ llama_cpp_url: server.baseUrl }));
    // The suite's own W1 and W2 prompts, with short outputs: the prompts are what a cache would hold.
    plans = suitePlans(loadSuite('suite-v1'), ['W1', 'W2']).map((w) => ({ ...w, outputTokens: 8 }) as RunnableWorkload);
  });
  after(async () => {
    await session?.close();
    await server?.stop();
  });

  const run = async (s: DriverSession) => {
    const results = [];
    for (const w of plans) results.push(await runWorkload({ suiteVersion: 'suite-v1', suiteDigest: '0'.repeat(64), backend: 'llama.cpp', session: s, signal: new AbortController().signal }, w));
    return results;
  };

  it('a second run reuses nothing: cache_n is 0, no flag, and the prompt is processed again', async () => {
    const first = await run(session);
    const second = await run(session);
    for (const r of [...first, ...second]) {
      assert.equal(r.error, null, r.error ?? '');
      assert.equal(r.cached_prompt_tokens, 0, `${r.workload}: llama-server served ${r.cached_prompt_tokens} prompt tokens from its cache`);
      assert.equal(r.extras.cache_n, 0);
      assert.ok(!r.flags.includes('warm-cache'), `${r.workload}: ${r.flags.join(', ')}`);
      assert.equal(r.extras.prompt_n, r.prompt_tokens, 'llama-server processed the whole prompt');
      assert.equal(r.extras.warmup, true, 'an untimed warm-up preceded the timed request');
      // No log given: the binary serving the URL says it (a CPU build; `unknown` before issue 26.20).
      assert.deepEqual(r.backend_build, { kind: 'cpu' }, 'the attached server is this CPU build');
      assert.ok((r.backend_prefill_tps ?? 0) > 0 && (r.backend_decode_tps ?? 0) > 0, 'llama-server timed it too');
      assert.equal(r.token_counts, 'backend');
    }
    assert.ok(second[1]!.prompt_tokens! > 3000, 'W2 carries its ~4k-token prompt');
  });

  it('when the server reuses the prompt anyway, the result is flagged warm-cache with the cached count', async () => {
    // A driver that does not turn reuse off per request: W2 on the long-running server that has
    // processed W2's prompt before (above). The warm-up in between does not protect: llama-server
    // keeps earlier prompts in its RAM prompt cache and restores them (measured: 4,057 of 4,058).
    const reusing: DriverSession = { ...session, generate: (request) => session.generate({ ...request, cachePrompt: true }) };
    const ctx = { suiteVersion: 'suite-v1', suiteDigest: '0'.repeat(64), backend: 'llama.cpp', session: reusing, signal: new AbortController().signal };
    await runWorkload(ctx, plans[1]!);
    const again = await runWorkload(ctx, plans[1]!);
    assert.ok((again.cached_prompt_tokens ?? 0) > 3000, `cached ${again.cached_prompt_tokens}`);
    assert.ok(again.flags.includes('warm-cache'), again.flags.join(', '));
    assert.equal(again.prefix_cache_hit_rate, null, 'a single-request workload reports the reuse as a flag and a count, not as a hit rate');
  });
});
