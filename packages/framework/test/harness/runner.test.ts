/**
 * The runner's bookkeeping with a scripted session whose events carry chosen timestamps, so each
 * expected figure can be worked out by hand. Real engines are exercised in the e2e tests.
 */
import assert from 'node:assert/strict';
import type { DriverSession, GenerationEvent, GenerationRequest } from '../../src/contract/driver.js';
import { check } from '../../src/contract/validate.js';
import { runWorkload, type RunContext } from '../../src/harness/runner.js';
import type { RunnableWorkload } from '../../src/harness/plan.js';

/** A clock the scripted session advances, so sent/arrival times are exact. */
function scriptedSession(script: (req: GenerationRequest, clock: { t: number }) => GenerationEvent[] | Error, options: Partial<DriverSession> = {}) {
  const clock = { t: 0 };
  const requests: GenerationRequest[] = [];
  const session: DriverSession = {
    model: { identifier: 'llm-speed/synth-llama-tiny-F16', name: 'synthetic tiny', size: 'tiny', quant: 'F16', digest: 'ab'.repeat(32) },
    backendVersion: 'test 1',
    capabilities: { streaming: true, true_concurrency: true, prefix_cache_stats: true, exact_output_length: true },
    extras: { engine: 'scripted' },
    async *generate(req) {
      requests.push(req);
      const events = script(req, clock);
      if (events instanceof Error) throw events;
      for (const e of events) {
        if ('t' in e) clock.t = Math.max(clock.t, e.t);
        yield e;
      }
    },
    async close() {},
    ...options,
  };
  return { session, clock, requests };
}

function ctxFor(session: DriverSession, clock: { t: number }): RunContext {
  return { suiteVersion: 'suite-v1', suiteDigest: 'cd'.repeat(32), backend: 'scripted', session, signal: new AbortController().signal, clock: () => clock.t };
}

/** N tokens, one every `gap` ms, the first `ttft` ms after now. */
function stream(clock: { t: number }, n: number, ttft: number, gap: number, prompt = 100, cached?: number): GenerationEvent[] {
  const start = clock.t;
  const events: GenerationEvent[] = [];
  for (let i = 0; i < n; i++) events.push({ type: 'tokens', t: start + ttft + i * gap, count: 1 });
  events.push({ type: 'usage', promptTokens: prompt, outputTokens: n, cachedPromptTokens: cached });
  events.push({ type: 'done', t: start + ttft + (n - 1) * gap + 1, stopReason: 'length', extras: { predicted_n: n } });
  return events;
}

describe('workload runner', () => {
  it('W1-shaped single workload: figures, flags and schema', async () => {
    const { session, clock } = scriptedSession((_, c) => stream(c, 11, 50, 10, 128));
    const w: RunnableWorkload = { id: 'W1', name: 'chat-short', kind: 'single', prompt: 'hello', outputTokens: 11 };
    const r = await runWorkload(ctxFor(session, clock), w);
    assert.equal(r.ttft_ms, 50);
    assert.equal(r.prefill_tps, 2560); // 128 tokens / 0.05 s
    assert.equal(r.decode_tps, 100); // 10 intervals in 100 ms
    assert.equal(r.decode_p50_latency_ms, 10);
    assert.equal(r.output_tokens, 11);
    assert.equal(r.prompt_tokens, 128);
    assert.equal(r.context_tokens, 139);
    assert.equal(r.error, null);
    assert.deepEqual(r.flags, []);
    assert.equal(r.extras.engine, 'scripted');
    assert.equal(r.extras.predicted_n, 11);
    assert.equal(r.raw_timings_ms?.length, 10);
    assert.deepEqual(check('workload-result', r), []);
  });

  it('prepares the session for each workload before timing it, and reports the prepared extras', async () => {
    const prepared: Array<{ contextTokens: number; parallel: number; at: number }> = [];
    const { session, clock } = scriptedSession((_, c) => stream(c, 3, 10, 10));
    session.prepare = async (needs) => {
      clock.t += 5_000; // a server restart: must not show up in any figure
      prepared.push({ ...needs, at: clock.t });
      session.extras = { engine: 'scripted', parallel: needs.parallel };
    };
    const r = await runWorkload(ctxFor(session, clock), { id: 'W4', name: 'concurrent-decode', kind: 'concurrent', batchSizes: [1, 2], outputTokens: 3, promptForStream: () => 'x'.repeat(25) });
    assert.deepEqual(prepared.map(({ parallel }) => parallel), [2]);
    assert.equal(prepared[0]!.contextTokens, 10 + 3 + 64, 'a 25-character prompt is sized at 2.5 characters a token, plus output and headroom');
    assert.equal(r.extras.parallel, 2);
    assert.ok(r.wall_ms < 5_000, `restart time leaked into wall_ms: ${r.wall_ms}`);
    assert.equal(r.ttft_ms, 10);
  });

  it('a session that cannot be prepared fails that workload with a reason', async () => {
    const { session, clock } = scriptedSession((_, c) => stream(c, 3, 10, 10));
    session.prepare = async () => {
      throw new Error('llama-server exited while loading: out of memory');
    };
    const r = await runWorkload(ctxFor(session, clock), { id: 'W1', name: 'chat-short', kind: 'single', prompt: 'x', outputTokens: 3 });
    assert.match(r.error ?? '', /out of memory/);
  });

  it("a driver's sent event starts TTFT after its untimed preparation", async () => {
    // The llama.cpp server path renders the chat template first (40 ms here), then sends the generation.
    const { session, clock } = scriptedSession((_, c) => [{ type: 'sent', t: c.t + 40 } as GenerationEvent, ...stream({ t: c.t + 40 }, 3, 25, 10, 100)]);
    const r = await runWorkload(ctxFor(session, clock), { id: 'W1', name: 'chat-short', kind: 'single', prompt: 'x', outputTokens: 3 });
    assert.equal(r.ttft_ms, 25);
    assert.equal(r.prefill_tps, 4000); // 100 tokens / 0.025 s
  });

  it('fewer tokens than asked is flagged, not hidden', async () => {
    const { session, clock } = scriptedSession((_, c) => stream(c, 5, 10, 10));
    const r = await runWorkload(ctxFor(session, clock), { id: 'W1', name: 'chat-short', kind: 'single', prompt: 'x', outputTokens: 8 });
    assert.deepEqual(r.flags, ['short-output']);
    assert.equal(r.output_tokens, 5);
  });

  it('a failing backend yields a result with error, never a thrown run', async () => {
    const { session, clock } = scriptedSession(() => new Error('llama-server exited with code 139'));
    const r = await runWorkload(ctxFor(session, clock), { id: 'W1', name: 'chat-short', kind: 'single', prompt: 'x', outputTokens: 8 });
    assert.match(r.error ?? '', /exited with code 139/);
    assert.ok(r.flags.includes('no-output'));
    assert.deepEqual(check('workload-result', r), []);
  });

  it('W4 aggregates simultaneous streams and flags serial backends', async () => {
    const { session, clock, requests } = scriptedSession((_, c) => stream(c, 5, 20, 10), {
      capabilities: { streaming: true, true_concurrency: false, prefix_cache_stats: false, exact_output_length: true },
    });
    const w: RunnableWorkload = { id: 'W4', name: 'concurrent-decode', kind: 'concurrent', batchSizes: [1, 4], outputTokens: 5, promptForStream: (i, b) => `prompt ${i}/${b}` };
    const r = await runWorkload(ctxFor(session, clock), w);
    assert.equal(requests.length, 5);
    assert.deepEqual(requests.slice(1).map((q) => q.prompt), ['prompt 0/4', 'prompt 1/4', 'prompt 2/4', 'prompt 3/4']);
    assert.equal(r.batches?.length, 2);
    const b4 = r.batches![1]!;
    assert.equal(b4.batch, 4);
    assert.equal(b4.per_stream_tps, 100);
    assert.ok(r.flags.includes('serial-concurrency'));
    assert.equal(r.batch_size, 4);
    assert.equal(r.output_tokens, 20);
    assert.deepEqual(check('workload-result', r), []);
  });

  it('W3 skips tiers beyond the context the model holds, with a reason', async () => {
    const { session, clock } = scriptedSession((_, c) => stream(c, 4, 100, 10, 32768));
    const w: RunnableWorkload = {
      id: 'W3', name: 'long-context-decay', kind: 'context-tiers', outputTokens: 4,
      tiers: [32768, 65536].map((n) => ({ contextTokens: n, prompt: () => 'x'.repeat(10) })),
    };
    const ctx = { ...ctxFor(session, clock), maxContextTokens: 40000 };
    const r = await runWorkload(ctx, w);
    assert.equal(r.tiers?.length, 2);
    assert.equal(r.tiers![0]!.skipped, undefined);
    assert.equal(r.tiers![0]!.prefill_tps, 327680);
    assert.match(r.tiers![1]!.skipped ?? '', /needs 65536 tokens of context; the model\/backend holds 40000/);
    assert.deepEqual(check('workload-result', r), []);
  });

  it('W5 reports per-turn figures, turn percentiles and the prefix-cache hit rate', async () => {
    let turn = 0;
    const { session, clock, requests } = scriptedSession((_, c) => {
      turn++;
      return stream(c, 3, 10, 5, 1000 * turn, turn === 1 ? 0 : 1000 * (turn - 1));
    });
    const turns = [1, 2, 3].map((n) => Array.from({ length: n }, (_, i) => ({ role: 'user' as const, content: `m${i}` })));
    const r = await runWorkload(ctxFor(session, clock), { id: 'W5', name: 'agent-trace', kind: 'agent-trace', turns, outputTokens: 3 });
    assert.equal(requests.length, 3);
    assert.deepEqual(requests[2]!.messages?.map((m) => m.content), ['m0', 'm1', 'm2']);
    assert.equal(r.turns?.length, 3);
    assert.equal(r.turns![1]!.prefix_cache_hit_rate, 0.5);
    // (0 + 1000 + 2000) cached of (1000 + 2000 + 3000) prompt tokens
    assert.equal(r.prefix_cache_hit_rate, 0.5);
    assert.equal(r.output_tokens, 9);
    assert.ok(r.turn_p50_ms !== null && r.turn_p95_ms !== null);
    assert.deepEqual(check('workload-result', r), []);
  });

  it('W5 prefers backend cache counters read around the trace', async () => {
    let reads = 0;
    const { session, clock } = scriptedSession((_, c) => stream(c, 2, 10, 5), {
      readCacheCounters: async () => (reads++ === 0 ? { queries: 100, hits: 10 } : { queries: 300, hits: 160 }),
    });
    const r = await runWorkload(ctxFor(session, clock), { id: 'W5', name: 'agent-trace', kind: 'agent-trace', turns: [[{ role: 'user', content: 'a' }]], outputTokens: 2 });
    assert.equal(r.prefix_cache_hit_rate, 0.75);
  });
});
