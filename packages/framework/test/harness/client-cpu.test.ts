/**
 * The client's own CPU per token and share of a core (harness/client-cpu.ts, METHODOLOGY §3.5),
 * with a scripted session that spends a fake CPU meter as it streams: each expected figure is
 * worked out by hand in the comments. The real meter (process.cpuUsage) is exercised end to end in
 * the CLI's bench tests against a real llama-server.
 */
import assert from 'node:assert/strict';
import type { DriverSession, GenerationEvent } from '../../src/contract/driver.js';
import { CLIENT_LOAD_FLAG, clientCpuFigures, clientCpuObserver, isClientLoad } from '../../src/harness/client-cpu.js';
import type { RunnableWorkload } from '../../src/harness/plan.js';
import { runWorkload } from '../../src/harness/runner.js';

/**
 * A session on a fake clock and a fake CPU meter: every token takes `gapMs` of the clock and
 * `cpuPerToken` µs of the meter — the warm-up's tokens too, so a meter that counted the warm-up
 * would show it.
 */
function session(options: { gapMs: number; cpuPerToken: number; flags?: string[] }) {
  const state = { t: 0, cpu: 0 };
  const s: DriverSession = {
    model: { identifier: 'scripted', name: 'scripted' },
    backendVersion: '1',
    capabilities: { streaming: true, true_concurrency: true, prefix_cache_stats: false, exact_output_length: true },
    extras: {},
    ...(options.flags ? { flags: options.flags } : {}),
    async *generate(req): AsyncGenerator<GenerationEvent> {
      const n = req.maxTokens;
      for (let i = 0; i < n; i++) {
        state.t += options.gapMs;
        state.cpu += options.cpuPerToken;
        yield { type: 'tokens', t: state.t, count: 1 };
      }
      yield { type: 'usage', promptTokens: 10, outputTokens: n };
      yield { type: 'done', t: state.t, stopReason: 'length' };
    },
    async close() {},
  };
  return { session: s, state };
}

function run(s: ReturnType<typeof session>, workload: RunnableWorkload, cores: number) {
  const clock = () => s.state.t;
  return runWorkload(
    {
      suiteVersion: 'suite-v1',
      suiteDigest: 'cd'.repeat(32),
      backend: 'scripted',
      session: s.session,
      signal: new AbortController().signal,
      clock,
      observers: [clientCpuObserver({ cores, clock, cpuMicros: () => s.state.cpu })],
    },
    workload,
  );
}

const w1: RunnableWorkload = { id: 'W1', name: 'chat-short', kind: 'single', prompt: 'p', outputTokens: 256 };

describe('the client CPU meter', () => {
  it('records CPU µs per token and the share of a core over the timed part only, never the warm-up', async () => {
    // 256 tokens, 4 ms apart (1,024 ms) at 40 µs each: 10,240 µs. Per token 40 µs; share 10.24 / 1,024 = 0.01.
    // Had the 8 warm-up tokens been counted: (256 + 8) × 40 / 256 = 41.25 µs.
    const r = await run(session({ gapMs: 4, cpuPerToken: 40 }), w1, 2);
    assert.equal(r.extras.client_cpu_us_per_token, 40);
    assert.equal(r.extras.client_cpu_core_share, 0.01);
    assert.ok(!r.flags.includes(CLIENT_LOAD_FLAG));
  });

  it('flags client-load above 5 % of one core on a machine of up to 4 cores, and not on a bigger one', async () => {
    // 1 ms a token at 51 µs: 5.1 % of a core.
    const two = await run(session({ gapMs: 1, cpuPerToken: 51 }), w1, 2);
    assert.equal(two.extras.client_cpu_core_share, 0.051);
    assert.ok(two.flags.includes(CLIENT_LOAD_FLAG));
    assert.ok((await run(session({ gapMs: 1, cpuPerToken: 51 }), w1, 4)).flags.includes(CLIENT_LOAD_FLAG));
    assert.ok(!(await run(session({ gapMs: 1, cpuPerToken: 51 }), w1, 8)).flags.includes(CLIENT_LOAD_FLAG));
    // Exactly 5 % (50 µs a 1 ms token) is not over the share.
    assert.ok(!(await run(session({ gapMs: 1, cpuPerToken: 50 }), w1, 2)).flags.includes(CLIENT_LOAD_FLAG));
  });

  it('counts every timed generation of W4: all batches, all streams', async () => {
    // Batches 1 and 2 of 8 tokens: 24 tokens at 30 µs → 30 µs a token.
    const w4: RunnableWorkload = { id: 'W4', name: 'concurrent-decode', kind: 'concurrent', batchSizes: [1, 2], outputTokens: 8, promptForStream: () => 'x' };
    const r = await run(session({ gapMs: 2, cpuPerToken: 30 }), w4, 2);
    assert.equal(r.output_tokens, 16, 'the headline batch');
    assert.equal(r.extras.client_cpu_us_per_token, 30);
  });

  it('gives the embedded engine no figure and no flag: its CPU is the backend computing in this process', async () => {
    const r = await run(session({ gapMs: 1, cpuPerToken: 500, flags: ['embedded-engine'] }), w1, 2);
    assert.equal(r.extras.client_cpu_us_per_token, undefined);
    assert.equal(r.extras.client_cpu_core_share, undefined);
    assert.ok(!r.flags.includes(CLIENT_LOAD_FLAG));
  });

  it('the arithmetic: µs per token and share of one core; nothing divided by zero', () => {
    assert.deepEqual(clientCpuFigures(12_800, 256, 256), { usPerToken: 50, coreShare: 0.05 });
    assert.deepEqual(clientCpuFigures(100, 0, 0), { usPerToken: null, coreShare: null });
    assert.equal(isClientLoad(null, 1), false);
    assert.equal(isClientLoad(0.2, 5), false);
  });
});
