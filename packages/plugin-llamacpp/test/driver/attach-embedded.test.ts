import assert from 'node:assert/strict';
import { SUITE_SAMPLING } from '@llm-speed/framework';
import { spawn } from 'node:child_process';
import type { GenerationEvent } from '@llm-speed/framework';
import { llamaCppDriver } from '../../src/driver.js';
import { openEmbedded } from '../../src/embedded/session.js';
import { spawnServer } from '../../src/server/spawn.js';
import { isAlive, llamaBinDir, makeContext, tinyModel, waitFor } from './helpers.js';

function tokenSum(events: GenerationEvent[]): number {
  return events.reduce((sum, e) => sum + (e.type === 'tokens' ? e.count : 0), 0);
}

describe('llama.cpp driver: attach and embedded', function () {
  this.timeout(600_000);
  let model: string;
  before(async () => {
    model = await tinyModel();
  });

  it('attaches to a llama-server it did not start and leaves it running on close', async () => {
    const server = await spawnServer({ binary: `${llamaBinDir()}/llama-server`, model, contextTokens: 256, parallel: 1, signal: new AbortController().signal });
    try {
      const ctx = makeContext({ llama_cpp_url: server.baseUrl });
      const detection = await llamaCppDriver.detect(ctx);
      assert.equal(detection.available, true);
      const session = await llamaCppDriver.open(undefined, { contextTokens: 256, parallel: 1 }, ctx);
      assert.equal(session.extras.mode, 'attach');
      const events: GenerationEvent[] = [];
      for await (const event of session.generate({ prompt: 'Hello', maxTokens: 16, cachePrompt: true, sampling: SUITE_SAMPLING, signal: new AbortController().signal })) events.push(event);
      assert.equal(tokenSum(events), 16);
      await session.close();
      assert.ok(isAlive(server.pid));
    } finally {
      await server.stop();
    }
    assert.equal(isAlive(server.pid), false);
  });

  for (const parallel of [1, 2]) {
    it(`takes concurrency and context from an attached server's /props (${parallel} slot${parallel > 1 ? 's' : ''}), not from the run`, async () => {
      const server = await spawnServer({ binary: `${llamaBinDir()}/llama-server`, model, contextTokens: 512, parallel, signal: new AbortController().signal });
      try {
        const ctx = makeContext({ llama_cpp_url: server.baseUrl });
        const detection = await llamaCppDriver.detect(ctx);
        // The run asks for sixteen streams of 4096 tokens; the server has what it has.
        const session = await llamaCppDriver.open(undefined, { contextTokens: 4096, parallel: 16 }, ctx);
        // A 1-slot server serves W4's streams one after another: the harness flags W4 serial.
        assert.equal(session.capabilities.true_concurrency, parallel > 1);
        // n_ctx per slot: W3 tiers beyond it are skipped instead of failing.
        assert.equal(session.capabilities.max_context_tokens, 512);
        assert.deepEqual(detection.capabilities, session.capabilities);
        await session.close();
      } finally {
        await server.stop();
      }
    });
  }

  it('generates exactly 32 tokens in-process through node-llama-cpp when no llama-server exists', async () => {
    const lines: string[] = [];
    const ctx = { ...makeContext({}), log: (line: string) => lines.push(line) };
    const detection = await llamaCppDriver.detect(ctx);
    assert.equal(detection.available, true);
    assert.match(detection.version ?? '', /^\d+\.\d+\.\d+ \([0-9a-f]{7}\), node-llama-cpp /);
    const session = await llamaCppDriver.open(model, { contextTokens: 256, parallel: 1 }, ctx);
    try {
      assert.equal(session.extras.engine, 'embedded');
      // detect() promises what the session does, less the model's context (unknown before one is chosen).
      const { max_context_tokens, ...promised } = session.capabilities;
      assert.equal(max_context_tokens, 32768);
      assert.deepEqual(detection.capabilities, promised);
      assert.ok(session.flags?.includes('embedded-engine'));
      // One line tells the user which engine runs and how to get the faster one.
      const notices = lines.filter((l) => /embedded llama\.cpp engine/.test(l));
      assert.equal(notices.length, 1, lines.join('\n'));
      assert.match(notices[0]!, /llama-server on PATH/);
      for (let round = 0; round < 2; round++) {
        const events: GenerationEvent[] = [];
        for await (const event of session.generate({ prompt: 'The quick brown fox', maxTokens: 32, cachePrompt: true, sampling: SUITE_SAMPLING, signal: new AbortController().signal }))
          events.push(event);
        assert.equal(tokenSum(events), 32);
        assert.deepEqual(
          events.slice(-2).map((e) => e.type),
          ['usage', 'done'],
        );
      }
      // W5 re-sends a growing conversation: the shared prefix is kept, as llama-server's cache_prompt does.
      const usageOf = async (prompt: string, cachePrompt: boolean) => {
        const events: GenerationEvent[] = [];
        for await (const event of session.generate({ prompt, maxTokens: 8, cachePrompt, sampling: SUITE_SAMPLING, signal: new AbortController().signal })) events.push(event);
        assert.equal(tokenSum(events), 8);
        return events.find((e) => e.type === 'usage') as Extract<GenerationEvent, { type: 'usage' }>;
      };
      const turn1 = 'The committee met on Monday to review the annual budget and the hiring plan for the spring.';
      await usageOf(turn1, true);
      const turn2 = await usageOf(`${turn1} The chair asked for a summary of the open questions.`, true);
      assert.ok(turn2.promptTokens !== undefined, `the engine reports prompt tokens: ${JSON.stringify(turn2)}`);
      assert.ok((turn2.cachedPromptTokens ?? 0) >= 15 && turn2.cachedPromptTokens! < turn2.promptTokens, JSON.stringify(turn2));
      assert.equal(session.capabilities.prefix_cache_stats, true);
      assert.equal((await usageOf(turn1, false)).cachedPromptTokens, 0);

      // W4 sends streams at once; one sequence serves them one after another, each complete.
      const streams = await Promise.all(
        ['alpha', 'beta', 'gamma'].map(async (word) => {
          const events: GenerationEvent[] = [];
          for await (const event of session.generate({ prompt: `Say ${word}`, maxTokens: 12, cachePrompt: true, sampling: SUITE_SAMPLING, signal: new AbortController().signal })) events.push(event);
          return events;
        }),
      );
      for (const events of streams) assert.equal(tokenSum(events), 12);
      const spans = streams
        .map((events) => events.filter((e) => e.type === 'tokens').map((e) => (e as { t: number }).t))
        .map((ts) => [ts[0]!, ts.at(-1)!])
        .sort((a, b) => a[0]! - b[0]!);
      for (let i = 1; i < spans.length; i++) assert.ok(spans[i]![0]! >= spans[i - 1]![1]!, `streams interleaved: ${JSON.stringify(spans)}`);
      // And W4 says so: the harness flags it serial-concurrency.
      assert.equal(session.capabilities.true_concurrency, false);
    } finally {
      await session.close();
    }
  });

  it('with batching, decodes simultaneous streams together, one sequence each (bench/embedded-batching.mjs measures whether it pays)', async () => {
    const engine = await openEmbedded(model, { contextTokens: 256, parallel: 3, batching: true });
    try {
      assert.equal(engine.sequences, 3);
      const streams = await Promise.all(
        ['alpha', 'beta', 'gamma'].map(async (word) => {
          const events: GenerationEvent[] = [];
          for await (const event of engine.generate({ prompt: `Say ${word}`, maxTokens: 12, cachePrompt: false, sampling: SUITE_SAMPLING, signal: new AbortController().signal })) events.push(event);
          return events;
        }),
      );
      for (const events of streams) assert.equal(tokenSum(events), 12);
      const spans = streams.map((events) => events.filter((e) => e.type === 'tokens').map((e) => (e as { t: number }).t)).map((ts) => [ts[0]!, ts.at(-1)!]);
      // Every stream had its first token before any stream had its last: they decoded together.
      assert.ok(Math.max(...spans.map((s) => s[0]!)) < Math.min(...spans.map((s) => s[1]!)), `streams ran one after another: ${JSON.stringify(spans)}`);
      await engine.prepare({ contextTokens: 256, parallel: 1 });
      assert.equal(engine.sequences, 1, 'sized per workload, like a spawned server');
    } finally {
      await engine.close();
    }
  });

  it('sends a chat (W5) and a plain prompt as the same tokens as llama-server does', async () => {
    const messages = [
      { role: 'system', content: 'You are a coding agent. Use the tools to read and write files.' },
      { role: 'user', content: 'The tests in tests/test_ledger.py fail. Find out why.' },
      { role: 'assistant', content: 'Reading the test file first.' },
      { role: 'tool', name: 'read_file', content: 'def test_balances_sum_to_zero():\n    assert sum(ledger.balances().values()) == 0\n' },
      { role: 'user', content: 'Go on.' },
    ];
    const promptTokensOf = async (session: Awaited<ReturnType<typeof llamaCppDriver.open>>, body: { prompt?: string; messages?: typeof messages }) => {
      let prompt = -1;
      for await (const e of session.generate({ ...body, maxTokens: 2, cachePrompt: false, sampling: SUITE_SAMPLING, signal: new AbortController().signal } as never))
        if (e.type === 'usage') prompt = e.promptTokens ?? -1;
      return prompt;
    };
    const embedded = await llamaCppDriver.open(model, { contextTokens: 512, parallel: 1 }, makeContext({}));
    const server = await llamaCppDriver.open(model, { contextTokens: 512, parallel: 1 }, makeContext({ llama_cpp_path: llamaBinDir() }));
    try {
      assert.equal(embedded.extras.engine, 'embedded');
      assert.equal(server.extras.engine, 'server');
      // Same chat template (ChatML, llama-server's fallback for a GGUF without one) and the same BOS rule.
      assert.equal(await promptTokensOf(embedded, { messages }), await promptTokensOf(server, { messages }));
      assert.equal(await promptTokensOf(embedded, { prompt: 'The quick brown fox' }), await promptTokensOf(server, { prompt: 'The quick brown fox' }));
    } finally {
      await embedded.close();
      await server.close();
    }
  });

  it('leaves no llama-server behind when the harness process exits without closing', async () => {
    const script = `
      import { spawnServer } from './packages/plugin-llamacpp/src/server/spawn.ts';
      const s = await spawnServer({ binary: process.argv[1], model: process.argv[2], contextTokens: 256, parallel: 1, signal: new AbortController().signal });
      console.log(s.pid);
      process.exit(0);`;
    const child = spawn(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', script, `${llamaBinDir()}/llama-server`, model], { stdio: ['ignore', 'pipe', 'inherit'] });
    let out = '';
    child.stdout.on('data', (d: Buffer) => (out += d.toString()));
    await new Promise((r) => child.once('exit', r));
    const pid = Number(out.trim());
    assert.ok(pid > 0, `child printed no pid: ${out}`);
    assert.ok(await waitFor(() => !isAlive(pid), 5_000), `llama-server ${pid} outlived its parent`);
  });
});
