import assert from 'node:assert/strict';
import { SUITE_SAMPLING } from '@llm-speed/framework';
import type { DriverSession, GenerationEvent } from '@llm-speed/framework';
import { llamaCppDriver } from '../../src/driver.js';
import { isAlive, llamaBinDir, makeContext, tinyModel, waitFor } from './helpers.js';

async function collect(session: DriverSession, maxTokens: number, prompt = 'The quick brown fox'): Promise<GenerationEvent[]> {
  const events: GenerationEvent[] = [];
  for await (const event of session.generate({ prompt, maxTokens, cachePrompt: true, sampling: SUITE_SAMPLING, signal: new AbortController().signal })) events.push(event);
  return events;
}

describe('llama.cpp driver: spawned llama-server', function () {
  this.timeout(600_000);
  let model: string;
  before(async () => {
    llamaBinDir();
    model = await tinyModel();
  });

  it('detects the built llama-server and its version', async () => {
    const detection = await llamaCppDriver.detect(makeContext({ llama_cpp_path: llamaBinDir() }));
    assert.equal(detection.available, true);
    assert.match(detection.version ?? '', /\S/);
    assert.notEqual(detection.version, 'unknown');
    // The release and commit the build script passes from the bundle: "0.5.0 (de3ff81)", never "b1".
    assert.match(detection.version ?? '', /^\d+\.\d+\.\d+ \([0-9a-f]{7}\)$/);
    // This machine's build: CPU only, as its own --list-devices says.
    assert.deepEqual(detection.build, { kind: 'cpu' });
  });

  it('generates exactly 32 tokens with llama-server timings, then stops the process', async () => {
    const session = await llamaCppDriver.open(model, { contextTokens: 256, parallel: 1 }, makeContext({ llama_cpp_path: llamaBinDir() }));
    const pid = (session as typeof session & { pid: number }).pid;
    assert.ok(isAlive(pid));
    const events = await collect(session, 32);
    const tokens = events.filter((e) => e.type === 'tokens');
    assert.equal(
      tokens.reduce((sum, e) => sum + (e.type === 'tokens' ? e.count : 0), 0),
      32,
    );
    for (let i = 1; i < tokens.length; i++) assert.ok((tokens[i] as { t: number }).t >= (tokens[i - 1] as { t: number }).t);
    assert.deepEqual(
      events.slice(-2).map((e) => e.type),
      ['usage', 'done'],
    );
    const usage = events.at(-2) as Extract<GenerationEvent, { type: 'usage' }>;
    assert.equal(usage.outputTokens, 32);
    assert.ok((usage.promptTokens ?? 0) > 0);
    const done = events.at(-1) as Extract<GenerationEvent, { type: 'done' }>;
    assert.equal(done.extras?.predicted_n, 32);
    assert.equal(typeof done.extras?.predicted_per_second, 'number');
    assert.equal(session.extras.engine, 'server');
    assert.equal(session.extras.n_ctx, 256, 'n_ctx read from /props');

    // A second identical prompt reuses the cached prefix.
    const again = await collect(session, 8);
    const usage2 = again.at(-2) as Extract<GenerationEvent, { type: 'usage' }>;
    assert.ok((usage2.cachedPromptTokens ?? 0) > 0);

    await session.close();
    assert.equal(isAlive(pid), false);
  });

  it('names a corrupt GGUF file before spawning anything', async () => {
    const { writeFileSync } = await import('node:fs');
    const { tempDir } = await import('./helpers.js');
    const dir = tempDir();
    try {
      const bad = `${dir.path}/broken.gguf`;
      writeFileSync(bad, 'not a gguf file at all');
      await assert.rejects(llamaCppDriver.open(bad, { contextTokens: 256, parallel: 1 }, makeContext({ llama_cpp_path: llamaBinDir() })), (error: Error) => error.message.includes(bad));
      await assert.rejects(llamaCppDriver.open(`${dir.path}/missing.gguf`, { contextTokens: 256, parallel: 1 }, makeContext({ llama_cpp_path: llamaBinDir() })), /missing\.gguf/);
    } finally {
      dir.remove();
    }
  });

  it('throws a DriverError when the server dies mid-stream, without hanging', async () => {
    const session = await llamaCppDriver.open(model, { contextTokens: 4096, parallel: 1 }, makeContext({ llama_cpp_path: llamaBinDir() }));
    const pid = (session as typeof session & { pid: number }).pid;
    try {
      let seen = 0;
      await assert.rejects(
        (async () => {
          for await (const event of session.generate({ prompt: 'Once upon a time', maxTokens: 3500, cachePrompt: false, sampling: SUITE_SAMPLING, signal: new AbortController().signal })) {
            if (event.type === 'tokens') {
              seen += event.count;
              if (seen >= 4 && isAlive(pid)) process.kill(pid, 'SIGKILL');
            }
          }
        })(),
        (error: Error) => error.name === 'DriverError',
      );
      assert.ok(await waitFor(() => !isAlive(pid), 5_000));
    } finally {
      await session.close();
    }
  });

  it("detect() promises the capabilities the session reports (less the model's context, unknown before one is chosen)", async () => {
    const ctx = makeContext({ llama_cpp_path: llamaBinDir() });
    const detection = await llamaCppDriver.detect(ctx);
    const session = await llamaCppDriver.open(model, { contextTokens: 256, parallel: 1 }, ctx);
    try {
      const { max_context_tokens, ...rest } = session.capabilities;
      assert.equal(max_context_tokens, 32768);
      assert.deepEqual(detection.capabilities, rest);
    } finally {
      await session.close();
    }
  });

  it('prepare() starts the server again after it crashed, even when its slots fit', async () => {
    const session = (await llamaCppDriver.open(model, { contextTokens: 256, parallel: 1 }, makeContext({ llama_cpp_path: llamaBinDir() }))) as DriverSession & { pid: number };
    try {
      const crashed = session.pid;
      process.kill(crashed, 'SIGKILL');
      assert.ok(await waitFor(() => !isAlive(crashed), 5_000));
      await session.prepare!({ contextTokens: 128, parallel: 1 });
      assert.notEqual(session.pid, crashed);
      assert.ok(isAlive(session.pid));
      const events = await collect(session, 8);
      assert.equal(
        events.reduce((sum, e) => sum + (e.type === 'tokens' ? e.count : 0), 0),
        8,
      );
      // A server that is running and fits is kept.
      const restarted = session.pid;
      await session.prepare!({ contextTokens: 128, parallel: 1 });
      assert.equal(session.pid, restarted);
    } finally {
      await session.close();
    }
  });

  it('stops the server when the context signal aborts', async () => {
    const controller = new AbortController();
    const session = await llamaCppDriver.open(model, { contextTokens: 256, parallel: 1 }, makeContext({ llama_cpp_path: llamaBinDir() }, controller.signal));
    const pid = (session as typeof session & { pid: number }).pid;
    assert.ok(isAlive(pid));
    controller.abort();
    assert.ok(await waitFor(() => !isAlive(pid), 10_000));
    await session.close();
  });
});
