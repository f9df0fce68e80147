/**
 * The runner's bookkeeping with a scripted session whose events carry chosen timestamps, so each
 * expected figure can be worked out by hand (the arithmetic is in the comments). Real engines are
 * exercised in the e2e tests.
 */
import assert from 'node:assert/strict';
import type { BackendTimings, DriverSession, GenerationEvent, GenerationRequest } from '../../src/contract/driver.js';
import { SUITE_SAMPLING } from '../../src/contract/sampling.js';
import { check } from '../../src/contract/validate.js';
import { aggregatePrefillTps, batchPoint, cacheHitRate, runWorkload, WARMUP_PROMPT, WARMUP_TOKENS, type RunContext } from '../../src/harness/runner.js';
import type { GenerationRecord } from '../../src/harness/measure.js';
import type { RepetitionPolicy, RunnableWorkload } from '../../src/harness/plan.js';

/** The warm-up takes 5 s here: none of it may show up in a figure. */
const WARMUP_TTFT = 5_000;

interface Call {
  request: GenerationRequest;
  /** Clock when generate() started, and the last event time: the generation's interval. */
  start: number;
  end: number;
}

/** A clock the scripted session advances, so sent/arrival times are exact. */
function scriptedSession(script: (req: GenerationRequest, clock: { t: number }) => GenerationEvent[] | Error, options: Partial<DriverSession> = {}) {
  const clock = { t: 0 };
  const requests: GenerationRequest[] = [];
  const warmups: Call[] = [];
  const calls: Call[] = [];
  const session: DriverSession = {
    model: { identifier: 'llm-speed/synth-llama-tiny-F16', name: 'synthetic tiny', size: 'tiny', quant: 'F16', digest: 'ab'.repeat(32) },
    backendVersion: 'test 1',
    capabilities: { streaming: true, true_concurrency: true, prefix_cache_stats: true, exact_output_length: true },
    extras: { engine: 'scripted' },
    async *generate(req) {
      const warm = req.prompt === WARMUP_PROMPT;
      const call: Call = { request: req, start: clock.t, end: clock.t };
      if (warm) warmups.push(call);
      else {
        requests.push(req);
        calls.push(call);
      }
      const events = warm ? stream(clock, req.maxTokens, WARMUP_TTFT, 10) : script(req, clock);
      if (events instanceof Error) throw events;
      for (const e of events) {
        yield e;
        // Time passes once the consumer has the event: streams started together all start at the same t.
        if ('t' in e) {
          clock.t = Math.max(clock.t, e.t);
          call.end = Math.max(call.end, e.t);
        }
      }
    },
    async close() {},
    ...options,
  };
  return { session, clock, requests, warmups, calls };
}

function ctxFor(session: DriverSession, clock: { t: number }): RunContext {
  return { suiteVersion: 'suite-v1', suiteDigest: 'cd'.repeat(32), backend: 'scripted', session, signal: new AbortController().signal, clock: () => clock.t };
}

/** N tokens, one every `gap` ms (or after each of `gap`'s gaps), the first `ttft` ms after now. */
function stream(
  clock: { t: number },
  n: number,
  ttft: number,
  gap: number | number[],
  prompt = 100,
  cached?: number,
  backendTimings?: BackendTimings,
  countedBy?: 'backend' | 'tokenizer',
): GenerationEvent[] {
  const start = clock.t;
  const events: GenerationEvent[] = [];
  let t = start + ttft;
  for (let i = 0; i < n; i++) {
    if (i > 0) t += Array.isArray(gap) ? gap[i - 1]! : gap;
    events.push({ type: 'tokens', t, count: 1 });
  }
  events.push({ type: 'usage', promptTokens: prompt, outputTokens: n, cachedPromptTokens: cached, backendTimings, countedBy });
  events.push({ type: 'done', t: t + 1, stopReason: 'length', extras: { predicted_n: n } });
  return events;
}

const W1 = (outputTokens: number): RunnableWorkload => ({ id: 'W1', name: 'chat-short', kind: 'single', prompt: 'hello', outputTokens });

describe('workload runner', () => {
  it('W1-shaped single workload: figures, flags and schema', async () => {
    const { session, clock } = scriptedSession((_, c) => stream(c, 11, 50, 10, 128));
    const r = await runWorkload(ctxFor(session, clock), W1(11));
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

  it('warms up untimed before the first timed request of every workload, with a text no suite prompt starts like', async () => {
    const { session, clock, warmups, calls } = scriptedSession((_, c) => stream(c, 3, 10, 10));
    let prepared = 0;
    session.prepare = async () => {
      prepared++;
    };
    const r1 = await runWorkload(ctxFor(session, clock), W1(3));
    const r5 = await runWorkload(ctxFor(session, clock), { id: 'W5', name: 'agent-trace', kind: 'agent-trace', outputTokens: 3, turns: [[{ role: 'user', content: 'a' }]] });
    assert.equal(prepared, 2);
    assert.equal(warmups.length, 2, 'one warm-up per workload');
    for (const w of warmups) {
      assert.equal(w.request.maxTokens, WARMUP_TOKENS);
      assert.equal(w.request.cachePrompt, false);
      assert.deepEqual(w.request.sampling, SUITE_SAMPLING);
    }
    // Each warm-up ends before that workload's first timed request starts.
    assert.ok(warmups[0]!.end <= calls[0]!.start && warmups[1]!.end <= calls[1]!.start);
    // The 5 s warm-up is in no figure: TTFT and wall time are the timed request's alone.
    assert.equal(r1.ttft_ms, 10);
    assert.ok(r1.wall_ms < 100 && r5.wall_ms < 100, `${r1.wall_ms} / ${r5.wall_ms}`);
    assert.equal(r1.extras.warmup, true);
    assert.equal(r1.extras.warmup_ms, WARMUP_TTFT + (WARMUP_TOKENS - 1) * 10 + 1);
    assert.equal(r5.extras.warmup, true);
    assert.ok(!/^~/.test('hello'));
  });

  it('observers see exactly the timed part: after prepare and the warm-up, every timed record, before the result is finished', async () => {
    const { session, clock, warmups, calls } = scriptedSession((_, c) => stream(c, 4, 10, 10));
    const seen: string[] = [];
    let startedAt = -1;
    session.prepare = async () => void seen.push('prepare');
    const observer = {
      timedStart: () => {
        seen.push('timedStart');
        startedAt = clock.t;
      },
      timedEnd: (_w: RunnableWorkload, result: { flags: string[] }, records: readonly GenerationRecord[]) => {
        seen.push(`timedEnd:${records.length}`);
        result.flags.push('observed');
      },
    };
    const failing = {
      timedEnd: () => {
        throw new Error('meter broke');
      },
    };
    const w4: RunnableWorkload = { id: 'W4', name: 'concurrent-decode', kind: 'concurrent', batchSizes: [1, 2], outputTokens: 4, promptForStream: () => 'x' };
    const r = await runWorkload({ ...ctxFor(session, clock), observers: [observer, failing] }, w4);
    // One prepare, then the warm-up, then the meters start; three timed streams (1 + 2) end it.
    assert.deepEqual(seen, ['prepare', 'timedStart', 'timedEnd:3']);
    assert.ok(warmups[0]!.end <= startedAt && startedAt <= calls[0]!.start);
    assert.ok(r.flags.includes('observed'), 'an observer may flag the result');
    // The failing meter is counted, and the workload keeps its figures.
    assert.equal(r.extras.observer_failures, 1);
    assert.equal(r.error, null);
    assert.ok(r.decode_tps !== null);
  });

  it('tells progress nothing while a request is timed: every call falls between generations', async () => {
    const { session, clock, calls } = scriptedSession((_, c) => stream(c, 20, 10, 10));
    const seen: number[] = [];
    // Any method a listener might have, per token or per step, is recorded with the time it was called.
    const progress = new Proxy({}, { get: () => () => void seen.push(clock.t) }) as RunContext['progress'];
    await runWorkload({ ...ctxFor(session, clock), progress }, { id: 'W4', name: 'concurrent-decode', kind: 'concurrent', batchSizes: [1, 2], outputTokens: 20, promptForStream: () => 'x' });
    assert.ok(seen.length >= 3, 'the workload and each batch were announced');
    for (const t of seen) for (const c of calls) assert.ok(t <= c.start || t >= c.end, `a progress call at ${t} ms, inside a generation timed from ${c.start} to ${c.end}`);
  });

  it('sends the suite sampling on every request; W1–W4 and the first turn of W5 ask for a cold prefix, later W5 turns for reuse', async () => {
    const { session, clock, requests } = scriptedSession((_, c) => stream(c, 2, 10, 10));
    await runWorkload(ctxFor(session, clock), W1(2));
    await runWorkload(ctxFor(session, clock), { id: 'W3', name: 'long-context-decay', kind: 'context-tiers', outputTokens: 2, tiers: [{ contextTokens: 512, prompt: () => 'x' }] });
    await runWorkload(ctxFor(session, clock), { id: 'W4', name: 'concurrent-decode', kind: 'concurrent', batchSizes: [2], outputTokens: 2, promptForStream: () => 'y' });
    const a = { role: 'user' as const, content: 'a' };
    await runWorkload(ctxFor(session, clock), { id: 'W5', name: 'agent-trace', kind: 'agent-trace', outputTokens: 2, turns: [[a], [a, { role: 'user', content: 'b' }]] });
    // W5's conversation starts cold (nothing an earlier repetition, run or the warm-up left may
    // serve its first turn) and then reuses what the turns before built.
    assert.deepEqual(
      requests.map((r) => r.cachePrompt),
      [false, false, false, false, false, true],
    );
    for (const r of requests) assert.deepEqual(r.sampling, SUITE_SAMPLING);
    assert.deepEqual(SUITE_SAMPLING, { temperature: 0, topK: 1, topP: 1, minP: 0, repeatPenalty: 1, presencePenalty: 0, frequencyPenalty: 0, seed: 42 });
  });

  it("flags warm-cache when W1–W4 or W5's first turn reused a cached prefix anyway (counted or not), never W5's later turns", async () => {
    const cached = scriptedSession((_, c) => stream(c, 3, 10, 10, 4058, 4057));
    const w1 = await runWorkload(ctxFor(cached.session, cached.clock), W1(3));
    assert.ok(w1.flags.includes('warm-cache'));
    assert.equal(w1.cached_prompt_tokens, 4057);
    assert.equal(w1.prefix_cache_hit_rate, null);
    const reuse = scriptedSession((_, c) => stream(c, 3, 10, 10).map((e) => (e.type === 'usage' ? { ...e, promptReuse: true } : e)));
    assert.ok((await runWorkload(ctxFor(reuse.session, reuse.clock), W1(3))).flags.includes('warm-cache'));
    const cold = scriptedSession((_, c) => stream(c, 3, 10, 10, 128, 0));
    const r = await runWorkload(ctxFor(cold.session, cold.clock), W1(3));
    assert.deepEqual(r.flags, []);
    assert.equal(r.cached_prompt_tokens, 0);
    // W5's later turns reuse the conversation by design; its first has nothing of the trace to
    // reuse, so a hit there is a prompt from before the trace (issue 26.19: a previous run's).
    const twoTurns = { id: 'W5', name: 'agent-trace', kind: 'agent-trace', outputTokens: 3, turns: [[{ role: 'user', content: 'a' }], [{ role: 'user', content: 'a b' }]] } as const;
    let call = 0;
    const growing = scriptedSession((_, c) => (call++ === 0 ? stream(c, 3, 10, 10, 128, 0) : stream(c, 3, 10, 10, 4058, 4057)));
    const w5 = await runWorkload(ctxFor(growing.session, growing.clock), { ...twoTurns, turns: twoTurns.turns.map((t) => [...t]) });
    assert.ok(!w5.flags.includes('warm-cache'), `flags: ${w5.flags.join(', ')}`);
    const stale = await runWorkload(ctxFor(cached.session, cached.clock), { ...twoTurns, turns: twoTurns.turns.map((t) => [...t]) });
    assert.ok(stale.flags.includes('warm-cache'));
    const a = { role: 'user' as const, content: 'a' };
    const trace: RunnableWorkload = { id: 'W5', name: 'agent-trace', kind: 'agent-trace', outputTokens: 3, turns: [[a], [a, a]] };
    // Turn 1 of 2 served from the cache (a previous run's prompt on an attached server): flagged.
    const warmStart = await runWorkload(ctxFor(cached.session, cached.clock), trace);
    assert.ok(warmStart.flags.includes('warm-cache'));
    // Turn 1 cold, turn 2 reusing turn 1's prefix: W5 by design, not flagged.
    let turn = 0;
    const byDesign = scriptedSession((_, c) => stream(c, 3, 10, 10, 4058, turn++ === 0 ? 0 : 4057));
    assert.ok(!(await runWorkload(ctxFor(byDesign.session, byDesign.clock), trace)).flags.includes('warm-cache'));
  });

  it('asks the session to forget cached prompts after the warm-up of W5 only (METHODOLOGY §3.4), and says whether it could', async () => {
    const order: string[] = [];
    let fail = false;
    const { session, clock, warmups } = scriptedSession((req, c) => (order.push(req.cachePrompt ? 'turn' : 'timed'), stream(c, 2, 10, 10)), {
      forgetPrompts: async () => {
        order.push(`forget after ${warmups.length} warm-up(s)`);
        if (fail) throw new Error('no slot actions');
      },
    });
    const w1 = await runWorkload(ctxFor(session, clock), W1(2));
    assert.equal(w1.extras.prompts_forgotten, undefined);
    const w5 = await runWorkload(ctxFor(session, clock), { id: 'W5', name: 'agent-trace', kind: 'agent-trace', outputTokens: 2, turns: [[{ role: 'user', content: 'a' }]] });
    // W5's first turn asks for a cold prefix as W1's request does (cachePrompt false, §3.4).
    assert.deepEqual(order, ['timed', 'forget after 2 warm-up(s)', 'timed']);
    assert.equal(w5.extras.prompts_forgotten, true);
    fail = true;
    const failed = await runWorkload(ctxFor(session, clock), { id: 'W5', name: 'agent-trace', kind: 'agent-trace', outputTokens: 2, turns: [[{ role: 'user', content: 'a' }]] });
    assert.equal(failed.extras.prompts_forgotten, false);
    assert.equal(failed.error, null, 'a driver that could not forget does not fail the workload');
  });

  it("carries both clocks: the backend's own rates beside the client's, and flags a harness gap below 0.95", async () => {
    // Client: 10 steps in 100 ms = 100 tok/s. Backend: 10 steps in 95 ms = 105.26 (ratio 0.95: no gap).
    const close = scriptedSession((_, c) => stream(c, 11, 50, 10, 128, 0, { promptTokens: 128, promptMs: 32, decodeTokens: 10, decodeMs: 95 }));
    const r = await runWorkload(ctxFor(close.session, close.clock), W1(11));
    assert.equal(r.decode_tps, 100);
    assert.equal(r.backend_decode_tps, 105.26);
    assert.equal(r.backend_prefill_tps, 4000); // 128 / 0.032 s
    assert.equal(r.token_counts, 'backend');
    assert.ok(!r.flags.includes('harness-gap'));
    // Backend 10 steps in 50 ms = 200 tok/s; the client saw 100: half the speed went missing in the harness.
    const gap = scriptedSession((_, c) => stream(c, 11, 50, 10, 128, 0, { decodeTokens: 10, decodeMs: 50 }));
    const g = await runWorkload(ctxFor(gap.session, gap.clock), W1(11));
    assert.equal(g.backend_decode_tps, 200);
    assert.equal(g.backend_prefill_tps, null, 'no prompt timer, no figure');
    assert.ok(g.flags.includes('harness-gap'));
    assert.deepEqual(check('workload-result', g), []);
  });

  it('says where the token counts came from: backend usage, the model tokenizer, or counted arrivals', async () => {
    const tokenizer = scriptedSession((_, c) => stream(c, 3, 10, 10, 100, undefined, undefined, 'tokenizer'));
    assert.equal((await runWorkload(ctxFor(tokenizer.session, tokenizer.clock), W1(3))).token_counts, 'tokenizer');
    const arrivals = scriptedSession((_, c) => stream(c, 3, 10, 10).filter((e) => e.type !== 'usage'));
    const r = await runWorkload(ctxFor(arrivals.session, arrivals.clock), W1(3));
    assert.equal(r.token_counts, 'arrivals');
    assert.equal(r.prompt_tokens, null);
    assert.equal(r.backend_decode_tps, null);
  });

  it("reports the session's backend build, or unknown", async () => {
    const built = scriptedSession((_, c) => stream(c, 2, 10, 10), { backendBuild: { kind: 'cuda', devices: ['NVIDIA H200'] } });
    assert.deepEqual((await runWorkload(ctxFor(built.session, built.clock), W1(2))).backend_build, { kind: 'cuda', devices: ['NVIDIA H200'] });
    const plain = scriptedSession((_, c) => stream(c, 2, 10, 10));
    assert.deepEqual((await runWorkload(ctxFor(plain.session, plain.clock), W1(2))).backend_build, { kind: 'unknown' });
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
    assert.deepEqual(
      prepared.map(({ parallel }) => parallel),
      [2],
    );
    assert.equal(prepared[0]!.contextTokens, 10 + 3 + 64, 'a 25-character prompt is sized at 2.5 characters a token, plus output and headroom');
    assert.equal(r.extras.parallel, 2);
    assert.ok(r.wall_ms < 5_000, `restart time leaked into wall_ms: ${r.wall_ms}`);
    assert.equal(r.ttft_ms, 10);
  });

  it('a session that cannot be prepared fails that workload with a reason', async () => {
    const { session, clock, warmups } = scriptedSession((_, c) => stream(c, 3, 10, 10));
    session.prepare = async () => {
      throw new Error('llama-server exited while loading: out of memory');
    };
    const r = await runWorkload(ctxFor(session, clock), { id: 'W1', name: 'chat-short', kind: 'single', prompt: 'x', outputTokens: 3 });
    assert.match(r.error ?? '', /out of memory/);
    assert.equal(warmups.length, 0, 'no warm-up on a backend that did not come up');
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

  describe('W4 concurrent-decode', () => {
    /**
     * Stream i of a batch: first token 20 + 5·i ms after the batch starts, then one every 10 ms,
     * 5 tokens of a 100-token prompt; the backend times each stream at 4 steps in 40 ms and its
     * prompt at 100 tokens in 10 ms.
     */
    function w4Session(capabilities?: Partial<DriverSession['capabilities']>) {
      return scriptedSession(
        (req, c) => {
          const i = Number(/prompt (\d+)\//.exec(req.prompt ?? '')![1]);
          return stream(c, 5, 20 + 5 * i, 10, 100, 0, { promptTokens: 100, promptMs: 10, decodeTokens: 4, decodeMs: 40 });
        },
        { capabilities: { streaming: true, true_concurrency: true, prefix_cache_stats: false, exact_output_length: true, ...capabilities } },
      );
    }
    const w4: RunnableWorkload = { id: 'W4', name: 'concurrent-decode', kind: 'concurrent', batchSizes: [1, 4], outputTokens: 5, promptForStream: (i, b) => `prompt ${i}/${b}` };

    it("sends a batch's streams together: their generation intervals overlap", async () => {
      const { session, clock, calls } = w4Session();
      await runWorkload(ctxFor(session, clock), w4);
      const batch4 = calls.slice(1);
      assert.equal(batch4.length, 4);
      // Every stream started before any of them ended (one after another, each would start at the previous one's end).
      const lastStart = Math.max(...batch4.map((c) => c.start));
      const firstEnd = Math.min(...batch4.map((c) => c.end));
      assert.ok(lastStart < firstEnd, `streams did not overlap: ${JSON.stringify(batch4.map((c) => [c.start, c.end]))}`);
    });

    it('hand-worked headline: aggregate decode, aggregate prefill, means, sums and pooled percentiles of the largest batch', async () => {
      const { session, clock, requests } = w4Session();
      const r = await runWorkload(ctxFor(session, clock), w4);
      assert.equal(requests.length, 5);
      assert.deepEqual(
        requests.slice(1).map((q) => q.prompt),
        ['prompt 0/4', 'prompt 1/4', 'prompt 2/4', 'prompt 3/4'],
      );
      const [b1, b4] = r.batches!;
      // Batch 1: 5 tokens; last token 20 + 4·10 = 60 ms after the start: 5 / 0.060 s.
      assert.equal(b1!.aggregate_tps, 83.33);
      // Batch 4: 4 × 5 = 20 tokens; the last token of any stream at 20 + 15 + 40 = 75 ms: 20 / 0.075 s.
      assert.equal(b4!.aggregate_tps, 266.67);
      // Each stream: 4 steps in 40 ms = 100 tok/s; their mean is 100.
      assert.equal(b4!.per_stream_tps, 100);
      assert.equal(b4!.p50_ms, 10);
      // 16 pooled latencies: fewer than 20 behind a p95, so none is published (METHODOLOGY §3.2).
      assert.equal(b4!.p95_ms, null);
      // Like with like: the backend's per-stream clock beside the client's per-stream figure.
      assert.equal(b4!.backend_decode_tps, 100);
      assert.equal(b4!.backend_prefill_tps, 10000);
      // The headline is the largest batch's aggregate, not its per-stream rate.
      assert.equal(r.batch_size, 4);
      assert.equal(r.decode_tps, 266.67);
      // Prefill: 4 × 100 prompt tokens until the last stream's first token, 20 + 15 = 35 ms: 400 / 0.035 s.
      assert.equal(r.prefill_tps, 11428.57);
      assert.equal(r.ttft_ms, 27.5); // (20 + 25 + 30 + 35) / 4
      assert.equal(r.prompt_tokens, 400);
      assert.equal(r.output_tokens, 20);
      assert.equal(r.context_tokens, 105);
      assert.equal(r.wall_ms, 76); // last done: 35 + 40 + 1
      assert.equal(r.decode_p50_latency_ms, 10);
      // The backend's clock is per stream: 16 steps in 160 ms, 400 prompt tokens in 40 ms.
      assert.equal(r.backend_decode_tps, 100);
      assert.equal(r.backend_prefill_tps, 10000);
      assert.ok(!r.flags.includes('harness-gap'), 'the client saw the same per-stream rate as the backend');
      assert.deepEqual(r.flags, []);
      assert.deepEqual(check('workload-result', r), []);
    });

    it("W4's prefill leaves out a stream whose text the backend withheld (no first token to time)", async () => {
      // llama-server holds back text it cannot decode yet (byte tokens of a synthetic model) and may
      // end a stream having sent none of it: stream 3 arrives with usage but no token event.
      const { session, clock } = w4Session();
      const inner = session.generate.bind(session);
      session.generate = (req) =>
        /prompt 3\//.test(req.prompt ?? '')
          ? (async function* () {
              for await (const e of inner(req)) if (e.type !== 'tokens') yield e;
            })()
          : inner(req);
      const r = await runWorkload(ctxFor(session, clock), w4);
      // Streams 0–2: 300 prompt tokens until the last of their first tokens, 20 + 10 = 30 ms.
      assert.equal(r.prefill_tps, 10000);
    });

    it('flags a backend without true concurrency serial', async () => {
      const { session, clock } = w4Session({ true_concurrency: false });
      const r = await runWorkload(ctxFor(session, clock), w4);
      assert.ok(r.flags.includes('serial-concurrency'));
    });
  });

  it('W3 skips tiers beyond the context the model holds, with a reason', async () => {
    const { session, clock } = scriptedSession((_, c) => stream(c, 4, 100, 10, 32768));
    const w: RunnableWorkload = {
      id: 'W3',
      name: 'long-context-decay',
      kind: 'context-tiers',
      outputTokens: 4,
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

  describe('W5 agent-trace', () => {
    /**
     * Turn k of 3: a prompt of 1000·k tokens of which 1000·(k − 1) were cached; turn 1: 3 tokens,
     * TTFT 10 ms, one every 5 ms; turn 2: 5 tokens, TTFT 20, every 10; turn 3: 11 tokens, TTFT 40,
     * gaps of 12, 14, ... 28 ms and a last one of 110 ms (290 ms in all). The backend reports 1000 prompt tokens in 10 ms and
     * the decode span itself.
     */
    const shapes = [
      { n: 3, ttft: 10, gaps: [5, 5] },
      { n: 5, ttft: 20, gaps: [10, 10, 10, 10] },
      { n: 11, ttft: 40, gaps: [12, 14, 16, 18, 20, 22, 24, 26, 28, 110] },
    ];
    function w5Session() {
      let turn = 0;
      return scriptedSession((_, c) => {
        const { n, ttft, gaps } = shapes[turn]!;
        turn++;
        const span = gaps.reduce((a, b) => a + b, 0);
        return stream(c, n, ttft, gaps, 1000 * turn, 1000 * (turn - 1), { promptTokens: 1000, promptMs: 10, decodeTokens: n - 1, decodeMs: span });
      });
    }
    const turns = [1, 2, 3].map((n) => Array.from({ length: n }, (_, i) => ({ role: 'user' as const, content: `m${i}` })));
    const w5: RunnableWorkload = { id: 'W5', name: 'agent-trace', kind: 'agent-trace', turns, outputTokens: 11 };

    it('hand-worked aggregates: pooled decode, prefill over processed tokens, sums, means and percentiles', async () => {
      const { session, clock, requests } = w5Session();
      const r = await runWorkload(ctxFor(session, clock), w5);
      assert.equal(requests.length, 3);
      assert.deepEqual(
        requests[2]!.messages?.map((m) => m.content),
        ['m0', 'm1', 'm2'],
      );
      // Pooled decode: (2 + 4 + 10) steps in (10 + 40 + 290) ms = 16 / 0.34 s (a mean of the turns' 200, 100, 34.48 would say 111.49).
      assert.equal(r.decode_tps, 47.06);
      assert.deepEqual(
        r.turns!.map((t) => t.decode_tps),
        [200, 100, 34.48],
      );
      // Prefill over processed tokens: (1000 + 1000 + 1000) in (10 + 20 + 40) ms = 3000 / 0.07 s.
      assert.equal(r.prefill_tps, 42857.14);
      assert.equal(r.ttft_ms, 23.33); // (10 + 20 + 40) / 3
      assert.equal(r.prompt_tokens, 6000); // 1000 + 2000 + 3000 sent
      assert.equal(r.cached_prompt_tokens, 3000); // 0 + 1000 + 2000 served from the cache
      assert.equal(r.output_tokens, 19);
      assert.equal(r.context_tokens, 3011); // the last turn's prompt and output
      assert.equal(r.prefix_cache_hit_rate, 0.5); // 3000 / 6000
      assert.deepEqual(
        r.turns!.map((t) => t.prefix_cache_hit_rate),
        [0, 0.5, 0.6667],
      );
      // Turn walls: 10 + 10 + 1 = 21, 20 + 40 + 1 = 61, 40 + 290 + 1 = 331 ms.
      assert.deepEqual(
        r.turns!.map((t) => t.wall_ms),
        [21, 61, 331],
      );
      assert.equal(r.turn_p50_ms, 61);
      // A p95 over 3 turns would be 304 (rank 1.9: 61 + 0.9 × (331 − 61)), a stand-in for the
      // slowest turn: published as what it is, the maximum (METHODOLOGY §1.5).
      assert.equal(r.turn_p95_ms, null);
      assert.equal(r.turn_max_ms, 331);
      assert.equal(r.wall_ms, 413); // 21 + 61 + 331, turns back to back
      // Pooled latencies, sorted: 5, 5, 10 ×4, 12, 14, ... 28, 110. p50 at rank 7.5 = (14 + 16) / 2;
      // a p95 (rank 14.25 = 28 + 0.25 × 82 = 48.5) over 16 values is not published.
      assert.equal(r.decode_p50_latency_ms, 15);
      assert.equal(r.decode_p95_latency_ms, null);
      assert.equal(r.raw_timings_ms?.length, 16);
      // The backend's clock pooled the same way: 3000 prompt tokens in 30 ms; 16 steps in 340 ms.
      assert.equal(r.backend_prefill_tps, 100000);
      assert.equal(r.backend_decode_tps, 47.06);
      // Turns 1 and 2 stopped short of the 11 tokens asked; W5 reuses its cache by design.
      assert.deepEqual(r.flags, ['short-output']);
      assert.deepEqual(check('workload-result', r), []);
    });

    it('prefers backend cache counters read around the trace', async () => {
      let reads = 0;
      const { session, clock } = scriptedSession((_, c) => stream(c, 2, 10, 5), {
        readCacheCounters: async () => (reads++ === 0 ? { queries: 100, hits: 10 } : { queries: 300, hits: 160 }),
      });
      const r = await runWorkload(ctxFor(session, clock), { id: 'W5', name: 'agent-trace', kind: 'agent-trace', turns: [[{ role: 'user', content: 'a' }]], outputTokens: 2 });
      assert.equal(r.prefix_cache_hit_rate, 0.75);
    });
  });
});

describe('workload runner: what each result says when something is missing or goes wrong', () => {
  const W3 = (tiers: number[], outputTokens = 4): RunnableWorkload => ({
    id: 'W3',
    name: 'long-context-decay',
    kind: 'context-tiers',
    outputTokens,
    tiers: tiers.map((n) => ({ contextTokens: n, prompt: () => `tier ${n}` })),
  });
  const W4 = (batchSizes: number[], outputTokens = 3): RunnableWorkload => ({
    id: 'W4',
    name: 'concurrent-decode',
    kind: 'concurrent',
    batchSizes,
    outputTokens,
    promptForStream: (i, b) => `p${i}/${b}`,
  });
  const W5 = (n: number, outputTokens = 3): RunnableWorkload => ({
    id: 'W5',
    name: 'agent-trace',
    kind: 'agent-trace',
    outputTokens,
    turns: Array.from({ length: n }, (_, k) => [{ role: 'user' as const, content: `turn ${k + 1}` }]),
  });

  it('sends each workload its own prompt bytes', async () => {
    const { session, clock, requests } = scriptedSession((_, c) => stream(c, 2, 10, 10));
    await runWorkload(ctxFor(session, clock), W1(2));
    await runWorkload(ctxFor(session, clock), W3([512]));
    assert.deepEqual(
      requests.map((r) => r.prompt),
      ['hello', 'tier 512'],
    );
  });

  it("carries the run's flags and the session's, once each", async () => {
    const { session, clock } = scriptedSession((_, c) => stream(c, 2, 10, 10), { flags: ['embedded-engine', 'quick'] });
    const r = await runWorkload({ ...ctxFor(session, clock), flags: ['quick', 'on-battery'] }, W1(2));
    assert.deepEqual(r.flags, ['quick', 'on-battery', 'embedded-engine']);
  });

  it('a warm-up that failed or produced nothing is said (warmup: false), with its time; the workload still runs', async () => {
    for (const broken of [() => new Error('busy'), (c: { t: number }) => stream(c, 0, 30, 10)]) {
      const { session, clock } = scriptedSession((_, c) => stream(c, 2, 10, 10));
      const inner = session.generate.bind(session);
      session.generate = (req) =>
        req.prompt === WARMUP_PROMPT
          ? (async function* () {
              const events = broken(clock);
              if (events instanceof Error) throw events;
              for (const e of events) {
                if ('t' in e) clock.t = e.t;
                yield e;
              }
            })()
          : inner(req);
      clock.t = 1_000;
      const r = await runWorkload(ctxFor(session, clock), W1(2));
      assert.equal(r.extras.warmup, false);
      assert.equal(r.error, null);
      assert.equal(r.decode_tps, 100);
    }
    // The warm-up's time is its own: 5 s warm-up started at t = 1000.
    const { session, clock } = scriptedSession((_, c) => stream(c, 2, 10, 10));
    clock.t = 1_000;
    const r = await runWorkload(ctxFor(session, clock), W1(2));
    assert.equal(r.extras.warmup_ms, WARMUP_TTFT + (WARMUP_TOKENS - 1) * 10 + 1);
    assert.match(String(WARMUP_PROMPT), /\w{4}/, 'the warm-up asks for real text');
  });

  it('keeps scalar extras (numbers to 4 places) and drops the rest', async () => {
    const { session, clock } = scriptedSession((_, c) => stream(c, 2, 10, 10), {
      extras: { none: null, text: 'x', yes: false, n: 1.234567, inf: Number.POSITIVE_INFINITY, nan: Number.NaN, obj: { a: 1 } as never, list: [1] as never },
    });
    const r = await runWorkload(ctxFor(session, clock), W1(2));
    for (const k of ['none', 'text', 'yes', 'n']) assert.ok(k in r.extras, k);
    assert.equal(r.extras.n, 1.2346);
    assert.equal(r.extras.none, null);
    assert.equal(r.extras.yes, false);
    for (const k of ['inf', 'nan', 'obj', 'list']) assert.ok(!(k in r.extras), k);
  });

  it('token counts: the least direct source any generation of a result used', async () => {
    const sources = ['backend', 'arrivals', 'tokenizer', 'backend'] as const;
    const { session, clock } = scriptedSession((req, c) => {
      const i = Number(/p(\d+)\//.exec(req.prompt ?? '')?.[1] ?? 0);
      const events = stream(c, 3, 10, 10, 100, 0, undefined, sources[i] === 'tokenizer' ? 'tokenizer' : undefined);
      return sources[i] === 'arrivals' ? events.filter((e) => e.type !== 'usage') : events;
    });
    assert.equal((await runWorkload(ctxFor(session, clock), W4([4]))).token_counts, 'arrivals');
  });

  it('harness gap: exactly 0.95 of the backend is not flagged, below it is', async () => {
    // Backend: 200 steps in 1000 ms = 200 tok/s. Client: 19 steps in 100 ms = 190 tok/s = 0.95 × 200.
    const at = scriptedSession((_, c) => stream(c, 20, 10, [...new Array(18).fill(5), 10], 100, 0, { decodeTokens: 200, decodeMs: 1000 }));
    const r = await runWorkload(ctxFor(at.session, at.clock), W1(20));
    assert.equal(r.decode_tps, 190);
    assert.ok(!r.flags.includes('harness-gap'));
    const below = scriptedSession((_, c) => stream(c, 20, 10, [...new Array(18).fill(5), 11], 100, 0, { decodeTokens: 200, decodeMs: 1000 }));
    assert.ok((await runWorkload(ctxFor(below.session, below.clock), W1(20))).flags.includes('harness-gap'));
  });

  describe('W4', () => {
    it('one stream that reused a cached prefix flags the whole workload warm-cache', async () => {
      const { session, clock } = scriptedSession((req, c) => stream(c, 3, 10, 10, 100, req.prompt === 'p2/4' ? 64 : 0));
      const r = await runWorkload(ctxFor(session, clock), W4([4]));
      assert.ok(r.flags.includes('warm-cache'));
      assert.equal(r.cached_prompt_tokens, 64);
    });

    it('a failed stream fails its batch, and the result names the batch', async () => {
      const { session, clock } = scriptedSession((req, c) => (req.prompt === 'p1/2' ? new Error('slot unavailable') : stream(c, 3, 10, 10)));
      const r = await runWorkload(ctxFor(session, clock), W4([1, 2]));
      assert.deepEqual(
        r.batches!.map((b) => b.error ?? null),
        [null, 'slot unavailable'],
      );
      assert.equal(r.error, 'batch 2 failed: slot unavailable');
      assert.ok(r.flags.includes('no-output'));
      const ok = scriptedSession((_, c) => stream(c, 3, 10, 10));
      const fine = await runWorkload(ctxFor(ok.session, ok.clock), W4([1, 2]));
      assert.equal(fine.error, null);
      assert.deepEqual(
        fine.batches!.map((b) => b.error ?? null),
        [null, null],
      );
    });

    it('streams without a first token or a prompt count are left out of the means and sums, not counted as zero', async () => {
      // Stream 0: no token at all (and no usage); streams 1 and 2: TTFT 10 and 30 ms, 100 prompt tokens.
      const { session, clock } = scriptedSession((req, c) => {
        const i = Number(/p(\d+)\//.exec(req.prompt ?? '')![1]);
        if (i === 0) return [{ type: 'done', t: c.t + 5, stopReason: 'length' }];
        return stream(c, 3, i === 1 ? 10 : 30, 10, 100);
      });
      const r = await runWorkload(ctxFor(session, clock), W4([3]));
      assert.equal(r.ttft_ms, 20); // (10 + 30) / 2
      assert.equal(r.prompt_tokens, null, 'a stream without a prompt count: no sum that pretends to be complete');
      assert.equal(r.context_tokens, 103); // the longest known prompt + the output asked for
      assert.equal(r.batches![0]!.per_stream_tps, 100);
      const none = scriptedSession((_, c) => stream(c, 3, 10, 10).filter((e) => e.type !== 'usage'));
      assert.equal((await runWorkload(ctxFor(none.session, none.clock), W4([2]))).context_tokens, null);
    });

    it("W4's own arithmetic: nothing to time gives null, never Infinity or NaN", () => {
      const rec = (arrivals: Array<{ t: number; count: number }>, promptTokens?: number): GenerationRecord => ({
        sentAt: 0,
        endedAt: 100,
        arrivals,
        arrivedTokens: arrivals.reduce((s, a) => s + a.count, 0),
        promptTokens,
        extras: {},
      });
      assert.equal(aggregatePrefillTps(0, [rec([{ t: 20, count: 1 }], 100)]), 5000);
      assert.equal(
        aggregatePrefillTps(0, [
          rec(
            [
              { t: 5, count: 0 },
              { t: 20, count: 1 },
            ],
            100,
          ),
        ]),
        5000,
        'the first arrival that carried a token',
      );
      assert.equal(aggregatePrefillTps(0, [rec([{ t: 20, count: 1 }])]), null, 'no prompt count');
      assert.equal(aggregatePrefillTps(20, [rec([{ t: 20, count: 1 }], 100)]), null, 'no time elapsed');
      assert.equal(aggregatePrefillTps(0, []), null);
      assert.equal(batchPoint(2, 50, [rec([{ t: 50, count: 1 }]), rec([])]).aggregate_tps, null, 'no time elapsed');
      assert.deepEqual(
        batchPoint(2, 0, [
          rec([
            { t: 10, count: 1 },
            { t: 20, count: 1 },
          ]),
          rec([{ t: 10, count: 1 }]),
        ]),
        { batch: 2, aggregate_tps: 150, per_stream_tps: 100, p50_ms: 10, p95_ms: null, backend_prefill_tps: null, backend_decode_tps: null },
      );
    });

    it('sets the signal listener limit for its largest batch: no MaxListenersExceededWarning', async () => {
      const warnings: string[] = [];
      const onWarning = (w: Error) => warnings.push(w.name);
      process.on('warning', onWarning);
      try {
        const { session, clock } = scriptedSession((req, c) => {
          req.signal.addEventListener('abort', () => undefined);
          return stream(c, 2, 10, 10);
        });
        const ctx = { ...ctxFor(session, clock), signal: new AbortController().signal };
        await runWorkload(ctx, W4([1, 24]));
        await new Promise((r) => setImmediate(r));
      } finally {
        process.off('warning', onWarning);
      }
      assert.deepEqual(
        warnings.filter((w) => w === 'MaxListenersExceededWarning'),
        [],
      );
    });
  });

  describe('W3', () => {
    it('runs a tier that needs exactly the context the model holds; the headline is the last tier run', async () => {
      const { session, clock } = scriptedSession((req, c) => stream(c, 4, req.prompt === 'tier 1024' ? 100 : 50, 10, 1000));
      const r = await runWorkload({ ...ctxFor(session, clock), maxContextTokens: 1024 }, W3([512, 1024, 2048]));
      assert.deepEqual(
        r.tiers!.map((t) => t.skipped ?? null),
        [null, null, 'needs 2048 tokens of context; the model/backend holds 1024'],
      );
      assert.deepEqual(
        r.tiers!.slice(0, 2).map((t) => t.error),
        [null, null],
      );
      assert.equal(r.ttft_ms, 100);
      assert.equal(r.prefill_tps, 10000);
      assert.equal(r.decode_tps, 100);
      assert.equal(r.prefix_cache_hit_rate, null);
      assert.equal(r.error, null);
    });

    it("every tier skipped, or a tier failing, is the result's error", async () => {
      const { session, clock } = scriptedSession((req, c) => (req.prompt === 'tier 1024' ? new Error('out of memory') : stream(c, 4, 50, 10, 1000)));
      const skipped = await runWorkload({ ...ctxFor(session, clock), maxContextTokens: 256 }, W3([512, 1024]));
      assert.equal(skipped.error, 'every context tier was skipped: needs 512 tokens of context; the model/backend holds 256');
      const failed = await runWorkload(ctxFor(session, clock), W3([512, 1024]));
      assert.equal(failed.tiers![1]!.error, 'out of memory');
      assert.equal(failed.error, 'out of memory', "the last tier ran and failed: its error is the result's");
      const earlier = await runWorkload(ctxFor(session, clock), W3([1024, 2048]));
      assert.equal(earlier.error, '1024-token tier failed: out of memory');
      const steps: string[] = [];
      await runWorkload({ ...ctxFor(session, clock), progress: { workloadStarted: (_w, step) => void (step && steps.push(step)), workloadFinished: () => undefined } }, W3([2048, 32768]));
      assert.deepEqual(steps, ['2k context', '32k context']);
    });
  });

  describe('W5', () => {
    it('a failed turn ends the trace and names the turn; later turns are not sent', async () => {
      let n = 0;
      const { session, clock, requests } = scriptedSession((_, c) => (++n === 2 ? new Error('context overflow') : stream(c, 3, 10, 10)));
      const steps: string[] = [];
      const r = await runWorkload({ ...ctxFor(session, clock), progress: { workloadStarted: (_w, step) => void (step && steps.push(step)), workloadFinished: () => undefined } }, W5(3));
      assert.equal(requests.length, 2);
      assert.equal(r.error, 'turn 2 failed: context overflow');
      assert.deepEqual(
        r.turns!.map((t) => t.error),
        [null, 'context overflow'],
      );
      assert.deepEqual(steps, ['turn 1/3', 'turn 2/3']);
    });

    it('a turn without a prompt count leaves the prompt sum and the context unknown, and TTFT the mean of the turns that had one', async () => {
      let n = 0;
      const { session, clock } = scriptedSession((_, c) => {
        n++;
        if (n === 1) return stream(c, 3, 10, 10, 100);
        if (n === 2) return stream(c, 3, 30, 10).filter((e) => e.type !== 'usage');
        return [{ type: 'done', t: c.t + 5, stopReason: 'length' }];
      });
      const r = await runWorkload(ctxFor(session, clock), W5(3));
      assert.equal(r.prompt_tokens, null);
      assert.equal(r.context_tokens, null);
      assert.equal(r.ttft_ms, 20);
    });

    it('no turn at all: no figures, no NaN', async () => {
      const { session, clock } = scriptedSession((_, c) => stream(c, 3, 10, 10));
      const r = await runWorkload(ctxFor(session, clock), W5(0));
      assert.equal(r.prompt_tokens, null);
      assert.equal(r.context_tokens, null);
      assert.equal(r.ttft_ms, null);
      assert.equal(r.decode_tps, null);
    });
  });

  describe('prefix-cache hit rate', () => {
    const rec = (promptTokens?: number, cachedPromptTokens?: number): GenerationRecord => ({ sentAt: 0, endedAt: 1, arrivals: [], arrivedTokens: 0, promptTokens, cachedPromptTokens, extras: {} });

    it('counters read around the trace win when they moved; otherwise the per-request usage', () => {
      assert.equal(cacheHitRate([rec(100, 50)], { queries: 100, hits: 10 }, { queries: 300, hits: 160 }), 0.75);
      assert.equal(cacheHitRate([rec(100, 50)], { queries: 100, hits: 10 }, { queries: 100, hits: 10 }), 0.5, 'counters that did not move say nothing');
      assert.equal(cacheHitRate([rec(100, 50)], undefined, { queries: 300, hits: 160 }), 0.5);
    });

    it('pools the requests that reported both counts; null when none did or no prompt token was sent', () => {
      assert.equal(cacheHitRate([rec(100, 50), rec(300, 250), rec(400)]), 0.75); // 300 / 400
      assert.equal(cacheHitRate([rec(100, 50), rec(undefined, 30)]), 0.5);
      assert.equal(cacheHitRate([rec(100), rec(200)]), null);
      assert.equal(cacheHitRate([rec(0, 0)]), null);
      assert.equal(cacheHitRate([]), null);
    });
  });

  it('an interrupted workload says so even when nothing failed', async () => {
    const controller = new AbortController();
    const { session, clock } = scriptedSession((_, c) => {
      controller.abort();
      return stream(c, 2, 10, 10);
    });
    const r = await runWorkload({ ...ctxFor(session, clock), signal: controller.signal }, W1(2));
    assert.equal(r.error, 'interrupted');
    assert.ok(r.flags.includes('interrupted'));
  });

  it('a workload that throws reports the time until it failed', async () => {
    const { session, clock } = scriptedSession((_, c) => stream(c, 2, 10, 10));
    session.prepare = async () => {
      clock.t += 250;
      throw new Error('cannot restart');
    };
    clock.t = 10_000;
    const r = await runWorkload(ctxFor(session, clock), W1(2));
    assert.equal(r.error, 'cannot restart');
    assert.equal(r.wall_ms, 0, 'nothing was timed: preparing is outside every figure');
  });
});

describe('repetitions (METHODOLOGY §6.3)', () => {
  /** W1 whose k-th timed request (1-based) decodes at rates[k − 1] tok/s: 11 tokens, TTFT 50 ms, 10 equal gaps. */
  function ratesSession(rates: number[], extra: (k: number) => Record<string, number> = () => ({})) {
    let k = 0;
    return scriptedSession((_, c) => {
      const rate = rates[k++] ?? rates[rates.length - 1]!;
      return stream(c, 11, 50, 1000 / rate, 128, 0, { promptTokens: 128, promptMs: 40, decodeTokens: 10, decodeMs: 10_000 / rate }).map((e) =>
        e.type === 'done' ? { ...e, extras: { ...e.extras, ...extra(k) } } : e,
      ) as GenerationEvent[];
    });
  }
  const repeated = (policy: RepetitionPolicy, outputTokens = 11): RunnableWorkload => ({ ...W1(outputTokens), repetitions: policy });

  it('three fixed repetitions: the median is the headline, each repetition is a sample, the interval is hand-worked, one warm-up, one observation', async () => {
    const { session, clock, warmups, requests } = ratesSession([110, 100, 90]);
    const seen: string[] = [];
    const observer = { timedStart: () => void seen.push('start'), timedEnd: (_w: RunnableWorkload, _r: unknown, records: readonly GenerationRecord[]) => void seen.push(`end:${records.length}`) };
    const r = await runWorkload({ ...ctxFor(session, clock), observers: [observer] }, repeated({ min: 3, max: 3 }));
    assert.equal(requests.length, 3);
    assert.equal(warmups.length, 1, 'the warm-up precedes the first repetition only: it is not a repetition');
    assert.deepEqual(seen, ['start', 'end:3'], 'observers watch all repetitions as one timed part');
    assert.equal(r.repetitions, 3);
    assert.deepEqual(
      r.samples!.map((s) => s.decode_tps),
      [110, 100, 90],
    );
    assert.equal(r.decode_tps, 100);
    // 110, 100, 90: s = 10; half-width 4.303 × 1.2533 × 10 / √3 = 31.13; CV 10 / 100.
    assert.deepEqual(r.spread!.decode_tps, { n: 3, median: 100, ci_low: 68.87, ci_high: 131.13, cv: 0.1 });
    // TTFT was 50 ms every time: an interval of zero width.
    assert.deepEqual(r.spread!.ttft_ms, { n: 3, median: 50, ci_low: 50, ci_high: 50, cv: 0 });
    // The backend's clock per repetition too: 10 steps in 10,000 / rate ms.
    assert.deepEqual(
      r.samples!.map((s) => s.backend_decode_tps),
      [110, 100, 90],
    );
    assert.equal(r.backend_decode_tps, 100);
    assert.equal(r.spread!.backend_decode_tps!.n, 3);
    // ±31 % is far over ±5 %: noisy.
    assert.ok(r.flags.includes('noisy'), r.flags.join(', '));
    assert.equal(r.raw_timings_ms!.length, 30, "every repetition's per-token timings, kept locally");
    assert.deepEqual(check('workload-result', r), []);
  });

  it('a single wild repetition (a 1e6 tok/s glitch) never becomes the headline; the result is flagged noisy', async () => {
    const { session, clock } = ratesSession([900, 905, 1e6, 910, 895]);
    const r = await runWorkload(ctxFor(session, clock), repeated({ min: 5, max: 5 }));
    assert.equal(r.decode_tps, 905);
    assert.ok(
      r.samples!.some((s) => s.decode_tps === 1e6),
      'the wild repetition is reported, not dropped',
    );
    assert.ok(r.flags.includes('noisy'));
    const two = ratesSession([900, 1e6]);
    assert.equal((await runWorkload(ctxFor(two.session, two.clock), repeated({ min: 2, max: 2 }))).decode_tps, 900, 'of two, the less flattering');
  });

  it('adaptive: stops once decode is within ±2 %, after at least three', async () => {
    // 100, 101, 99: ±3.1 % (4.303 × 1.2533 × 1 / √3): one more. With 100: s = 0.8165,
    // ±3.182 × 1.2533 × 0.8165 / 2 = ±1.63 %: stop at four.
    const { session, clock, requests } = ratesSession([100, 101, 99, 100, 100, 100]);
    const r = await runWorkload(ctxFor(session, clock), repeated({ min: 3, max: 10, target: 0.02 }));
    assert.equal(requests.length, 4);
    assert.equal(r.repetitions, 4);
    assert.equal(r.decode_tps, 100, 'an even count: the lower of the two middle values (100, 100)');
    assert.equal(r.spread!.decode_tps!.ci_high, 101.63);
    assert.ok(!r.flags.includes('noisy'));
    // Precise from the start: still three, the minimum.
    const steady = ratesSession([100]);
    assert.equal((await runWorkload(ctxFor(steady.session, steady.clock), repeated({ min: 3, max: 10, target: 0.02 }))).repetitions, 3);
  });

  it('the time budget stops the series: each repetition here takes 151 ms of timed time', async () => {
    // TTFT 50 ms + 10 gaps of 10 ms + 1 ms to the end = 151 ms.
    const one = ratesSession([100]);
    assert.equal((await runWorkload(ctxFor(one.session, one.clock), repeated({ min: 3, max: 3, budgetMs: 150 }))).repetitions, 1, 'the first always runs');
    const two = ratesSession([100]);
    const r = await runWorkload(ctxFor(two.session, two.clock), repeated({ min: 3, max: 3, budgetMs: 400 }));
    assert.equal(r.repetitions, 2, '302 + 151 would pass 400');
    assert.equal(r.spread!.decode_tps!.n, 2);
  });

  it('a failed repetition ends the series: no retry, the earlier repetitions stay, the result carries the error', async () => {
    let k = 0;
    const { session, clock, requests } = scriptedSession((_, c) => (++k === 2 ? new Error('llama-server exited with code 139') : stream(c, 11, 50, 10, 128)));
    const r = await runWorkload(ctxFor(session, clock), repeated({ min: 3, max: 3 }));
    assert.equal(requests.length, 2);
    assert.equal(r.repetitions, 2);
    assert.equal(r.error, 'llama-server exited with code 139');
    assert.ok(r.flags.includes('no-output'));
    assert.equal(r.spread!.decode_tps!.n, 1, 'the failed repetition measured no decode');
    assert.equal(r.decode_tps, 100);
    assert.deepEqual(check('workload-result', r), []);
  });

  it('an interrupt ends the series after the repetition in flight', async () => {
    const controller = new AbortController();
    let k = 0;
    const { session, clock, requests } = scriptedSession((_, c) => {
      if (++k === 2) controller.abort();
      return stream(c, 11, 50, 10, 128);
    });
    const r = await runWorkload({ ...ctxFor(session, clock), signal: controller.signal }, repeated({ min: 5, max: 5 }));
    assert.equal(requests.length, 2);
    assert.ok(r.flags.includes('interrupted'));
  });

  it('every repetition of W1 asks for a cold prefix, and one that got a warm one flags the result (the counts say the most any reused)', async () => {
    let k = 0;
    const { session, clock, requests } = scriptedSession((_, c) => stream(c, 11, 50, 10, 128, ++k === 2 ? 127 : 0));
    const r = await runWorkload(ctxFor(session, clock), repeated({ min: 3, max: 3 }));
    assert.deepEqual(
      requests.map((q) => q.cachePrompt),
      [false, false, false],
    );
    assert.deepEqual(
      r.samples!.map((s) => s.cached_prompt_tokens),
      [0, 127, 0],
    );
    assert.equal(r.cached_prompt_tokens, 127);
    assert.ok(r.flags.includes('warm-cache'));
  });

  it('asks a session that cannot refuse reuse per request to evict the repeated prompt between repetitions, never before the first; a failing eviction is not fatal', async () => {
    const { session, clock, requests } = ratesSession([100]);
    const order: string[] = [];
    const inner = session.generate.bind(session);
    session.generate = (req) => {
      if (req.prompt !== WARMUP_PROMPT) order.push('timed');
      return inner(req);
    };
    session.evictPromptCache = async () => {
      order.push('evict');
      if (order.length > 3) throw new Error('daemon busy');
    };
    const r = await runWorkload(ctxFor(session, clock), repeated({ min: 3, max: 3 }));
    assert.deepEqual(order, ['timed', 'evict', 'timed', 'evict', 'timed']);
    assert.equal(requests.length, 3);
    assert.equal(r.error, null);
  });

  it("extras keep what every repetition's request agrees on, never one request's own timer", async () => {
    const { session, clock } = ratesSession([100, 110, 90], (k) => ({ prompt_ms: 40 + k, slot: 0 }));
    const r = await runWorkload(ctxFor(session, clock), repeated({ min: 3, max: 3 }));
    assert.equal(r.extras.predicted_n, 11, 'the same in every repetition');
    assert.equal(r.extras.slot, 0);
    assert.ok(!('prompt_ms' in r.extras), 'differs per request: pooled in backend_prefill_tps, per repetition in samples');
    assert.equal(r.extras.engine, 'scripted', "the session's own extras stay");
  });

  it('names each repetition to progress, between timed requests only', async () => {
    const { session, clock } = scriptedSession((_, c) => stream(c, 3, 10, 10));
    const steps: string[] = [];
    const progress = { workloadStarted: (_w: RunnableWorkload, step?: string) => void (step && steps.push(step)), workloadFinished: () => undefined };
    await runWorkload(
      { ...ctxFor(session, clock), progress },
      { id: 'W4', name: 'concurrent-decode', kind: 'concurrent', batchSizes: [1, 2], outputTokens: 3, promptForStream: (i, b) => `p${i}/${b}`, repetitions: { min: 2, max: 2 } },
    );
    assert.deepEqual(steps, ['repetition 1', 'repetition 1 · batch 1', 'repetition 1 · batch 2', 'repetition 2', 'repetition 2 · batch 1', 'repetition 2 · batch 2']);
  });

  it('W4: each batch is repeated; its figures are the medians, with spread and samples; the headline is the largest batch', async () => {
    // Repetition k: every stream decodes 5 tokens 10·k ms apart after a 20 ms TTFT.
    let calls = 0;
    const { session, clock } = scriptedSession((req, c) => {
      const rep = req.prompt!.endsWith('/1') ? ++calls : calls;
      return stream(c, 5, 20, 10 * rep, 100, 0, { promptTokens: 100, promptMs: 10, decodeTokens: 4, decodeMs: 40 * rep });
    });
    const r = await runWorkload(ctxFor(session, clock), {
      id: 'W4',
      name: 'concurrent-decode',
      kind: 'concurrent',
      batchSizes: [1, 2],
      outputTokens: 5,
      promptForStream: (i, b) => `p${i}/${b}`,
      repetitions: { min: 3, max: 3 },
    });
    const [b1, b2] = r.batches!;
    assert.deepEqual(
      b2!.samples!.map((s) => s.per_stream_tps),
      [100, 50, 33.33],
    );
    // Per stream, 4 steps in 40·k ms: 100, 50, 33.33 tok/s on both clocks.
    assert.equal(b2!.per_stream_tps, 50);
    assert.equal(b2!.backend_decode_tps, 50);
    assert.equal(b2!.spread!.per_stream_tps!.n, 3);
    assert.equal(b1!.samples!.length, 3);
    // Batch 2's throughput, repetition k: 10 tokens by 20 + 40·k ms: 166.67, 100, 71.43.
    assert.deepEqual(
      b2!.samples!.map((s) => s.aggregate_tps),
      [166.67, 100, 71.43],
    );
    assert.equal(r.decode_tps, 100);
    assert.deepEqual(r.spread!.decode_tps, b2!.spread!.aggregate_tps, "the headline's spread is the largest batch's throughput's");
    assert.equal(r.batch_size, 2);
    assert.deepEqual(check('workload-result', r), []);
  });

  it("W5: each repetition of the trace starts cold; turns carry their medians and each repetition's figures", async () => {
    // A backend that keeps every conversation: turn 1 of the second trace would find the first's.
    const cachedTurns: number[] = [];
    let n = 0;
    const { session, clock, requests } = scriptedSession((req, c) => {
      n++;
      const turn = req.messages!.length;
      // Turn 2 always reuses turn 1's 1000 tokens; turn 1 of a repetition after the first reuses
      // the previous trace's unless the request asked for none.
      const cached = turn === 2 ? 1000 : n > 1 && req.cachePrompt ? 999 : 0;
      cachedTurns.push(cached);
      return stream(c, 3, 10 * turn, 5 * (n > 2 ? 2 : 1), 1000 * turn, cached);
    });
    const trace = (k: number) => Array.from({ length: k }, (_, i) => ({ role: 'user' as const, content: `m${i}` }));
    const w5: RunnableWorkload = { id: 'W5', name: 'agent-trace', kind: 'agent-trace', outputTokens: 3, turns: [trace(1), trace(2)], repetitions: { min: 2, max: 2 } };
    const r = await runWorkload(ctxFor(session, clock), w5);
    assert.deepEqual(
      requests.map((q) => q.cachePrompt),
      [false, true, false, true],
    );
    assert.deepEqual(cachedTurns, [0, 1000, 0, 1000]);
    assert.ok(!r.flags.includes('warm-cache'));
    assert.equal(r.repetitions, 2);
    assert.equal(r.turns!.length, 2, 'one entry per turn of the suite, not per request');
    assert.deepEqual(
      r.turns!.map((t) => t.samples!.length),
      [2, 2],
    );
    // Turn 2's decode: 2 steps in 10 ms (first trace), in 20 ms (second): 200 and 100; the lower middle of two is 100.
    assert.deepEqual(
      r.turns![1]!.samples!.map((s) => s.decode_tps),
      [200, 100],
    );
    assert.equal(r.turns![1]!.decode_tps, 100);
    // Turn walls: trace 1: 10 + 10 + 1 = 21, 20 + 10 + 1 = 31; trace 2: 21, 20 + 20 + 1 = 41. Slowest turn per trace: 31, 41 → 41.
    assert.deepEqual(
      r.samples!.map((s) => s.turn_max_ms),
      [31, 41],
    );
    assert.equal(r.turn_max_ms, 41);
    assert.equal(r.turn_p95_ms, null, 'a p95 over 2 turns is not published');
    assert.equal(r.prefix_cache_hit_rate, 0.3333); // (0 + 1000) / (1000 + 2000) per trace
    assert.deepEqual(check('workload-result', r), []);
  });
});
