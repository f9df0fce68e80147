/**
 * How a spawned llama-server is sized for the default suite. Regressions: the W5 last turn (16,611
 * tokens with the chat template on the tiny model) was refused by a context sized from a
 * 3-characters-a-token estimate, and one server with W4's 16 slots of W5's context meant a
 * 256k-token KV cache. Sizing is the framework's (sessionNeeds), as `llm-speed bench` uses it.
 */
import assert from 'node:assert/strict';
import { loadSuite, sessionNeeds, type DriverSession, SUITE_SAMPLING } from '@llm-speed/framework';
import { llamaCppDriver } from '../../src/driver.js';
import { collectEvents, isAlive, llamaBinDir, makeContext, tinyModel } from './helpers.js';

type SpawnedSession = DriverSession & { readonly pid: number };

async function generate(session: DriverSession, request: { prompt?: string; messages?: Array<{ role: string; content: string }>; maxTokens: number }) {
  const events = await collectEvents(session, { ...request, cachePrompt: true, sampling: SUITE_SAMPLING } as never);
  const usage = events.find((e) => e.type === 'usage');
  assert.ok(usage?.type === 'usage', `no usage event: ${JSON.stringify(events.at(-1))}`);
  return usage;
}

describe('llama.cpp driver: the default suite on servers started once (shared schedule, the default)', function () {
  this.timeout(600_000);
  let session: SpawnedSession | undefined;
  after(async () => session?.close());

  it('starts one server for W1, W2 and W5 and one for W4 together, and restarts neither', async () => {
    const defaults = loadSuite('suite-v1').workloads.filter((w) => !w.definition.opt_in);
    const byId = (id: string) => defaults.find((w) => w.id === id)!;
    session = (await llamaCppDriver.open(await tinyModel(), sessionNeeds(defaults), makeContext({ llama_cpp_path: llamaBinDir() }))) as SpawnedSession;
    assert.equal(session.extras.llama_servers, 2);
    const single = session.pid;
    assert.equal(session.extras.parallel, 1);
    await session.prepare!(sessionNeeds([byId('W1')]));
    await session.prepare!(sessionNeeds([byId('W2')]));
    assert.equal(session.pid, single);

    // W4: its own server, sixteen separate slots of one W4 stream each (no shared pool: §1.6).
    const w4 = sessionNeeds([byId('W4')]);
    await session.prepare!(w4);
    const multi = session.pid;
    assert.notEqual(multi, single);
    assert.ok(isAlive(single), 'the single-slot server stays up for W5');
    assert.equal(session.extras.parallel, 16);
    assert.equal(session.extras.kv_unified, false);
    const slotCtx = session.extras.n_ctx as number;
    assert.ok(slotCtx >= w4.contextTokens && slotCtx < w4.contextTokens + 256, `W4 slot n_ctx ${slotCtx}`);
    const streams = await Promise.all(Array.from({ length: 16 }, (_, i) => generate(session!, { prompt: `Stream ${i} says hello`, maxTokens: 4 })));
    assert.ok(streams.every((u) => u.outputTokens === 4));

    // W5: back on the first server, which holds its whole trace.
    const w5 = byId('W5');
    assert.ok(w5.kind === 'agent-trace');
    await session.prepare!(sessionNeeds([w5]));
    assert.equal(session.pid, single, 'no restart for W5');
    const usage = await generate(session, { messages: w5.turns.at(-1)!, maxTokens: 4 });
    assert.ok(usage.promptTokens !== undefined && usage.promptTokens > 15_000, `the whole trace was sent: ${usage.promptTokens} tokens`);

    // A workload neither holds (W3's 32k tier) replaces the single-slot server, once; W4's stays.
    await session.prepare!({ contextTokens: 131_072, parallel: 1, perWorkload: [{ contextTokens: 131_072, parallel: 1 }] });
    assert.notEqual(session.pid, single);
    assert.equal(isAlive(single), false, 'the replaced server is stopped');
    assert.ok(isAlive(multi));
    assert.equal(session.extras.n_ctx, 32768);
    await session.close();
    assert.equal(isAlive(multi), false, 'close stops every server');
    session = undefined;
  });
});

describe('llama.cpp driver: one server with a unified KV pool (LLM_SPEED_LLAMA_CPP_SCHEDULE=unified)', function () {
  this.timeout(600_000);
  let session: SpawnedSession | undefined;
  after(async () => session?.close());

  it("starts once with W4's slots and one KV pool that holds W4's streams or W5's whole trace, and never restarts", async () => {
    const defaults = loadSuite('suite-v1').workloads.filter((w) => !w.definition.opt_in);
    const byId = (id: string) => defaults.find((w) => w.id === id)!;
    const all = sessionNeeds(defaults);
    const ctx = makeContext({ llama_cpp_path: llamaBinDir() });
    session = (await llamaCppDriver.open(await tinyModel(), all, { ...ctx, env: { ...ctx.env, LLM_SPEED_LLAMA_CPP_SCHEDULE: 'unified' } })) as SpawnedSession;
    const first = session.pid;
    assert.equal(session.extras.parallel, 16);
    assert.equal(session.extras.kv_unified, true);
    // The pool: the larger of W4's 16 streams and W5's conversation, in 256-token steps.
    const w4 = sessionNeeds([byId('W4')]);
    const w5Needs = sessionNeeds([byId('W5')]);
    const wanted = Math.max(16 * w4.contextTokens, w5Needs.contextTokens);
    assert.equal(wanted, 16 * w4.contextTokens, 'on the tiny model W4 holds the most');
    const pool = session.extras.kv_tokens as number;
    assert.ok(pool >= wanted && pool < wanted + 256, `pool ${pool} for ${wanted}`);

    for (const id of ['W1', 'W2', 'W4', 'W5']) await session.prepare!(sessionNeeds([byId(id)]));
    assert.equal(session.pid, first, 'no restart for any default workload');

    // W4's sixteen streams decode at once on it.
    const streams = await Promise.all(Array.from({ length: 16 }, (_, i) => generate(session!, { prompt: `Stream ${i} says hello`, maxTokens: 4 })));
    assert.ok(streams.every((u) => u.outputTokens === 4));

    // W5's last, longest turn fits one slot of the pool.
    const w5 = byId('W5');
    assert.ok(w5.kind === 'agent-trace');
    await session.prepare!(sessionNeeds([w5]));
    const usage = await generate(session, { messages: w5.turns.at(-1)!, maxTokens: 4 });
    assert.equal(usage.outputTokens, 4);
    assert.ok(usage.promptTokens !== undefined && usage.promptTokens > 15_000, `the whole trace was sent: ${usage.promptTokens} tokens`);
    assert.equal(session.pid, first);

    // A workload the pool cannot hold (W3's 32k tier: the tiny model's trained context) restarts it, once.
    await session.prepare!({ contextTokens: 131_072, parallel: 1, perWorkload: [{ contextTokens: 131_072, parallel: 1 }] });
    assert.notEqual(session.pid, first);
    assert.equal(isAlive(first), false, 'the replaced server is stopped');
    assert.equal(session.extras.n_ctx, 32768);
    assert.equal(session.extras.kv_unified, false, 'one slot needs no shared pool');
  });
});

describe('llama.cpp driver: a spawned server sized per workload (LLM_SPEED_LLAMA_CPP_SCHEDULE=per-workload)', function () {
  this.timeout(600_000);
  let session: SpawnedSession | undefined;
  after(async () => session?.close());

  it('starts with one slot, restarts for W4 slots and W5 context between workloads, and fits the whole W5 trace', async () => {
    const defaults = loadSuite('suite-v1').workloads.filter((w) => !w.definition.opt_in);
    const byId = (id: string) => defaults.find((w) => w.id === id)!;
    const ctx = makeContext({ llama_cpp_path: llamaBinDir() });
    session = (await llamaCppDriver.open(await tinyModel(), sessionNeeds(defaults), { ...ctx, env: { ...ctx.env, LLM_SPEED_LLAMA_CPP_SCHEDULE: 'per-workload' } })) as SpawnedSession;
    assert.equal(session.capabilities.true_concurrency, true);
    assert.equal(session.extras.parallel, 1);
    assert.equal(session.extras.kv_unified, false);
    const first = session.pid;
    // W1 and W2 fit the first server: no restart.
    await session.prepare!(sessionNeeds([byId('W1')]));
    await session.prepare!(sessionNeeds([byId('W2')]));
    assert.equal(session.pid, first);

    // W4: sixteen slots, each about one W4 stream — not sixteen times W5's context.
    const w4 = sessionNeeds([byId('W4')]);
    await session.prepare!(w4);
    assert.notEqual(session.pid, first);
    assert.equal(isAlive(first), false, 'the replaced server is stopped');
    assert.equal(session.extras.parallel, 16);
    const slotCtx = session.extras.n_ctx as number;
    assert.ok(slotCtx >= w4.contextTokens && slotCtx < w4.contextTokens + 256, `W4 slot n_ctx ${slotCtx}`);
    assert.equal((await generate(session, { prompt: 'Hello there', maxTokens: 4 })).outputTokens, 4);

    // W5: one slot with the longest turn; the whole conversation is accepted and generates.
    const w5 = byId('W5');
    assert.ok(w5.kind === 'agent-trace');
    await session.prepare!(sessionNeeds([w5]));
    assert.equal(session.extras.parallel, 1);
    const usage = await generate(session, { messages: w5.turns.at(-1)!, maxTokens: 4 });
    assert.equal(usage.outputTokens, 4);
    assert.ok(usage.promptTokens !== undefined, `llama-server reports prompt tokens: ${JSON.stringify(usage)}`);
    assert.ok(usage.promptTokens > 15_000, `the whole trace was sent: ${usage.promptTokens} tokens`);
    assert.ok(usage.promptTokens + w5.outputTokens <= (session.extras.n_ctx as number));

    // W3's 128k tier: never past the context the model was trained for (32k for the tiny model);
    // the harness skips the tiers beyond max_context_tokens.
    assert.equal(session.capabilities.max_context_tokens, 32768);
    await session.prepare!({ contextTokens: 131_072, parallel: 1 });
    assert.equal(session.extras.n_ctx, 32768);
  });
});
