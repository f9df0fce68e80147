/**
 * Transcripts follow Ollama's API reference, github.com/ollama/ollama docs/api.md:
 * - "Version" (GET /api/version → {"version": "0.5.1"}),
 * - "List Local Models" (GET /api/tags → models[] with name, model, digest, details.parameter_size,
 *   details.quantization_level),
 * - "Show Model Information" (POST /api/show → details, model_info["<arch>.context_length"]),
 * - "Load a model" (POST /api/generate with an empty prompt loads it and answers one done object),
 * - "Generate a completion" / "Generate a chat completion", streaming: application/x-ndjson, one
 *   object per line with "response" (or "message.content"), the final one with done: true,
 *   done_reason, prompt_eval_count, eval_count and durations in nanoseconds ("Durations" section).
 */
import assert from 'node:assert/strict';
import { DriverError, runWorkload, WARMUP_PROMPT, type DriverContext, type DriverSession, type GenerationEvent, SUITE_SAMPLING } from '@llm-speed/framework';
import { startReplayServer, jsonResponse, type ReplayResponse, type ReplayServer } from '@llm-speed/framework/testing';
import { ollamaDriver, ollamaHost, ollamaPlacement } from '../src/index.js';

const MODEL = 'llama3.2:1b';
const created = '2024-11-24T16:00:00.000000Z';
const line = (obj: Record<string, unknown>) => `${JSON.stringify({ model: MODEL, created_at: created, ...obj })}\n`;
const tokenLine = (response: string) => line({ response, done: false });
const finalLine = (doneReason: string, promptCount: number, evalCount: number) =>
  line({
    response: '',
    done: true,
    done_reason: doneReason,
    context: [1, 2, 3],
    total_duration: 5_043_500_667,
    load_duration: 5_025_959,
    prompt_eval_count: promptCount,
    prompt_eval_duration: 325_953_000,
    eval_count: evalCount,
    eval_duration: 4_709_213_000,
  });
const chatLine = (content: string) => line({ message: { role: 'assistant', content }, done: false });
const ndjson = (chunks: ReplayResponse['chunks'], extra: Partial<ReplayResponse> = {}): ReplayResponse => ({
  status: 200,
  headers: { 'content-type': 'application/x-ndjson' },
  chunks,
  ...extra,
});

const TAGS = {
  models: [
    {
      name: MODEL,
      model: MODEL,
      modified_at: created,
      size: 1321098329,
      digest: 'baf6a787fdffd633537aa2eb51cfd54cb93ff08e28040095462bb63daf552878',
      details: { parent_model: '', format: 'gguf', family: 'llama', families: ['llama'], parameter_size: '1.2B', quantization_level: 'Q8_0' },
    },
  ],
};
const SHOW = {
  details: { parent_model: '', format: 'gguf', family: 'llama', families: ['llama'], parameter_size: '1.2B', quantization_level: 'Q8_0' },
  model_info: { 'general.architecture': 'llama', 'llama.context_length': 131072 },
};
const LOADED = { model: MODEL, created_at: created, response: '', done: true, done_reason: 'load' };

function baseRoutes(generate: ReplayResponse | ReplayResponse[]) {
  return [
    { method: 'GET', path: '/api/version', response: jsonResponse(200, { version: '0.5.1' }) },
    { method: 'GET', path: '/api/tags', response: jsonResponse(200, TAGS) },
    { method: 'POST', path: '/api/show', response: jsonResponse(200, SHOW) },
    // "List Running Models": the whole model in GPU memory (size_vram = size).
    {
      method: 'GET',
      path: '/api/ps',
      response: jsonResponse(200, {
        models: [{ name: MODEL, model: MODEL, size: 2_019_393_189, digest: TAGS.models[0]!.digest, details: SHOW.details, expires_at: '2024-11-24T16:10:00Z', size_vram: 2_019_393_189 }],
      }),
    },
    // The first /api/generate is the warm-up load; later ones are the timed generations.
    { method: 'POST', path: '/api/generate', response: jsonResponse(200, LOADED), times: 1 },
    { method: 'POST', path: '/api/generate', response: generate },
  ];
}

function context(host: string): DriverContext {
  return { config: { ollama_host: host }, cacheDir: '/nonexistent', env: {}, signal: new AbortController().signal, log: () => undefined };
}

async function collect(session: DriverSession, maxTokens: number, prompt = 'Why is the sky blue?') {
  const events: GenerationEvent[] = [];
  for await (const e of session.generate({ prompt, maxTokens, cachePrompt: true, sampling: SUITE_SAMPLING, signal: new AbortController().signal })) events.push(e);
  return events;
}

describe('ollama driver', () => {
  let server: ReplayServer | undefined;
  afterEach(async () => {
    await server?.close();
    server = undefined;
  });

  it('detects the daemon via /api/version and lists models with digest, size and quant', async () => {
    server = await startReplayServer(baseRoutes(ndjson([])));
    const detection = await ollamaDriver.detect(context(server.url));
    assert.equal(detection.available, true);
    assert.equal(detection.version, '0.5.1');
    assert.equal(detection.capabilities?.exact_output_length, false);
    const models = await ollamaDriver.listModels(context(server.url));
    assert.deepEqual(models, [{ identifier: MODEL, name: MODEL, digest: `sha256:${TAGS.models[0]!.digest}`, size: '1.2B', quant: 'Q8_0' }]);
  });

  it('reports a daemon that is not running as unavailable with a reason', async () => {
    server = await startReplayServer([]);
    const url = server.url;
    await server.close();
    server = undefined;
    const detection = await ollamaDriver.detect(context(url));
    assert.equal(detection.available, false);
    assert.match(detection.reason!, /no Ollama daemon answers at http:\/\/127\.0\.0\.1:\d+.*ollama serve/);
  });

  it('warms the model before any timed request and flags the session', async () => {
    server = await startReplayServer(baseRoutes(ndjson([tokenLine('The'), finalLine('length', 8, 1)])));
    const session = await ollamaDriver.open(MODEL, { contextTokens: 4096, parallel: 1 }, context(server.url));
    const generatesBefore = server.requests.filter((r) => r.path === '/api/generate');
    assert.equal(generatesBefore.length, 1, 'the warm-up request was sent during open');
    assert.deepEqual(generatesBefore[0]!.json, { model: MODEL, prompt: '', stream: false, keep_alive: '10m', options: { num_ctx: 4096 } });
    assert.ok(session.flags?.includes('model-warmed'));
    assert.deepEqual(session.model, { identifier: MODEL, name: MODEL, size: '1.2B', quant: 'Q8_0', digest: `sha256:${TAGS.models[0]!.digest}` });
    assert.equal(session.capabilities.max_context_tokens, 131072);
    await collect(session, 1);
    const generates = server.requests.filter((r) => r.path === '/api/generate');
    assert.equal(generates.length, 2, 'warm-up first, then the timed generation');
    await session.close();
  });

  it('between repetitions of a workload, evicts the repeated prompt from its cache: a one-token generation on the warm-up text, with the same num_ctx', async () => {
    // Ollama cannot be told per request not to reuse a prompt: without this, the second
    // repetition of W1 would find the first's prompt in the runner's slot (issue 22).
    server = await startReplayServer(baseRoutes(ndjson([tokenLine('The'), tokenLine(' sky'), finalLine('length', 8, 2)])));
    const session = await ollamaDriver.open(MODEL, { contextTokens: 1024, parallel: 1 }, context(server.url));
    const result = await runWorkload(
      { suiteVersion: 'suite-v1', suiteDigest: '0'.repeat(64), backend: 'ollama', session, signal: new AbortController().signal },
      { id: 'W1', name: 'chat-short', kind: 'single', prompt: 'Why is the sky blue?', outputTokens: 2, repetitions: { min: 3, max: 3 } },
    );
    assert.equal(result.error, null);
    assert.equal(result.repetitions, 3);
    const sent = server.requests.filter((r) => r.path === '/api/generate').map((r) => r.json as { prompt: string; options?: { num_predict?: number; num_ctx?: number } });
    assert.deepEqual(
      sent.map((r) => [r.prompt, r.options?.num_predict]),
      [
        ['', undefined], // the model load in open()
        [WARMUP_PROMPT, 8], // the runner's warm-up
        ['Why is the sky blue?', 2],
        [WARMUP_PROMPT, 1], // evicted before repetition 2
        ['Why is the sky blue?', 2],
        [WARMUP_PROMPT, 1],
        ['Why is the sky blue?', 2],
      ],
    );
    assert.ok(
      sent.slice(1).every((r) => r.options?.num_ctx === 2048),
      'the same num_ctx: a different one would reload the model',
    );
    assert.ok(!result.flags.includes('warm-cache'), result.flags.join(', '));
    await session.close();
  });

  it('reloads untimed with the num_ctx each workload needs, capped at the model context', async () => {
    server = await startReplayServer([...baseRoutes(jsonResponse(200, LOADED)).slice(0, 4), { method: 'POST', path: '/api/generate', response: jsonResponse(200, LOADED) }]);
    const session = await ollamaDriver.open(MODEL, { contextTokens: 200_000, parallel: 1 }, context(server.url));
    await session.prepare!({ contextTokens: 600, parallel: 1 });
    await session.prepare!({ contextTokens: 600, parallel: 1 }); // unchanged: no reload
    await session.prepare!({ contextTokens: 19_000, parallel: 1 });
    const loads = server.requests.filter((r) => r.path === '/api/generate').map((r) => r.json as { prompt: string; options: { num_ctx: number } });
    assert.ok(
      loads.every((l) => l.prompt === ''),
      'only empty-prompt loads, nothing timed',
    );
    assert.deepEqual(
      loads.map((l) => l.options.num_ctx),
      [131072, 2048, 19000],
    );
    assert.equal(session.extras.num_ctx, 19000);
  });

  it('streams a normal completion: one tokens event per line, Ollama counters in usage and extras', async () => {
    server = await startReplayServer(baseRoutes(ndjson([tokenLine('The'), tokenLine(' sky'), tokenLine(' is'), finalLine('length', 8, 3)])));
    const session = await ollamaDriver.open(MODEL, { contextTokens: 1024, parallel: 1 }, context(server.url));
    const events = await collect(session, 3);
    assert.deepEqual(
      events.map((e) => e.type),
      ['tokens', 'tokens', 'tokens', 'usage', 'done'],
    );
    assert.ok(events.filter((e) => e.type === 'tokens').every((e) => (e as { count: number }).count === 1));
    // Ollama's own timers (prompt_eval_*, eval_*, in ns) are the backend's clock.
    assert.deepEqual(events[3], { type: 'usage', promptTokens: 8, outputTokens: 3, promptReuse: false, backendTimings: { promptTokens: 8, promptMs: 325.953, decodeTokens: 3, decodeMs: 4709.213 } });
    const done = events[4] as Extract<GenerationEvent, { type: 'done' }>;
    assert.equal(done.stopReason, 'length');
    assert.deepEqual(done.extras, { prompt_eval_count: 8, prompt_eval_duration_ms: 325.95, eval_count: 3, eval_duration_ms: 4709.21, load_duration_ms: 5.03 });
    const sent = server.requests.at(-1)!.json as Record<string, unknown>;
    assert.equal(sent.raw, true);
    assert.equal(sent.stream, true);
    // The suite's sampling in Ollama's option names (docs/modelfile.md), not the daemon's defaults.
    assert.deepEqual(sent.options, { temperature: 0, top_k: 1, top_p: 1, min_p: 0, repeat_penalty: 1, presence_penalty: 0, frequency_penalty: 0, seed: 42, num_predict: 3, num_ctx: 2048 });
    assert.equal(sent.keep_alive, '10m');
  });

  it('handles several lines in one chunk and lines split across chunks', async () => {
    const all = tokenLine('a') + tokenLine('b') + tokenLine('c');
    const final = finalLine('length', 4, 4);
    server = await startReplayServer(
      baseRoutes(ndjson([all + tokenLine('d').slice(0, 20), { data: tokenLine('d').slice(20), delayMs: 20 }, { data: final.slice(0, 30), delayMs: 20 }, final.slice(30)])),
    );
    const session = await ollamaDriver.open(MODEL, { contextTokens: 1024, parallel: 1 }, context(server.url));
    const events = await collect(session, 4);
    const tokens = events.filter((e) => e.type === 'tokens') as Array<{ t: number }>;
    assert.equal(tokens.length, 4);
    assert.equal(tokens[0]!.t, tokens[2]!.t, 'lines of one chunk share its arrival time');
    assert.ok(tokens[3]!.t > tokens[2]!.t, 'the split line is stamped when its second half arrives');
    assert.deepEqual(
      events.find((e) => e.type === 'usage'),
      { type: 'usage', promptTokens: 4, outputTokens: 4, promptReuse: false, backendTimings: { promptTokens: 4, promptMs: 325.953, decodeTokens: 4, decodeMs: 4709.213 } },
    );
  });

  it('reports end-of-sequence before the requested length (done_reason "stop")', async () => {
    server = await startReplayServer(baseRoutes(ndjson([tokenLine('Blue'), tokenLine('.'), finalLine('stop', 8, 2)])));
    const session = await ollamaDriver.open(MODEL, { contextTokens: 1024, parallel: 1 }, context(server.url));
    const events = await collect(session, 128);
    assert.equal(events.filter((e) => e.type === 'tokens').length, 2);
    assert.deepEqual(
      events.find((e) => e.type === 'usage'),
      { type: 'usage', promptTokens: 8, outputTokens: 2, promptReuse: false, backendTimings: { promptTokens: 8, promptMs: 325.953, decodeTokens: 2, decodeMs: 4709.213 } },
    );
    assert.equal((events.at(-1) as { stopReason?: string }).stopReason, 'eos');
  });

  it('rejects promptly when the daemon drops the connection mid-stream', async () => {
    server = await startReplayServer(baseRoutes(ndjson([tokenLine('The'), tokenLine(' sky'), tokenLine(' is'), finalLine('length', 8, 3)], { dropAfterChunks: 2 })));
    const session = await ollamaDriver.open(MODEL, { contextTokens: 1024, parallel: 1 }, context(server.url));
    const seen: string[] = [];
    await assert.rejects(
      (async () => {
        for await (const e of session.generate({ prompt: 'x', maxTokens: 3, cachePrompt: true, sampling: SUITE_SAMPLING, signal: new AbortController().signal })) seen.push(e.type);
      })(),
      (error: unknown) => error instanceof DriverError && /stream (broke|ended)/.test(error.message),
    );
    assert.deepEqual(seen, ['tokens', 'tokens']);
  });

  it('turns an error line in the stream into a DriverError', async () => {
    server = await startReplayServer(baseRoutes(ndjson([tokenLine('The'), `${JSON.stringify({ error: 'an error was encountered while running the model' })}\n`])));
    const session = await ollamaDriver.open(MODEL, { contextTokens: 1024, parallel: 1 }, context(server.url));
    await assert.rejects(collect(session, 3), /Ollama reported an error mid-stream: an error was encountered/);
  });

  it('waits for a slow first token, stamping it on arrival', async () => {
    server = await startReplayServer(baseRoutes(ndjson([tokenLine('The'), tokenLine(' sky'), finalLine('length', 8, 2)], { firstChunkDelayMs: 300 })));
    const session = await ollamaDriver.open(MODEL, { contextTokens: 1024, parallel: 1 }, context(server.url));
    const start = performance.now();
    const events = await collect(session, 2);
    const first = events.find((e) => e.type === 'tokens') as { t: number };
    assert.ok(first.t - start >= 250, `first token stamped at arrival (${(first.t - start).toFixed(0)} ms after the request)`);
    assert.equal(events.filter((e) => e.type === 'tokens').length, 2);
  });

  it('streams /api/chat for a conversation (W5), counting message.content lines', async () => {
    server = await startReplayServer([
      ...baseRoutes(ndjson([])),
      {
        method: 'POST',
        path: '/api/chat',
        response: ndjson([
          chatLine('Hel'),
          chatLine('lo'),
          line({ message: { role: 'assistant', content: '' }, done: true, done_reason: 'stop', prompt_eval_count: 20, eval_count: 2, eval_duration: 1_000_000 }),
        ]),
      },
    ]);
    const session = await ollamaDriver.open(MODEL, { contextTokens: 1024, parallel: 1 }, context(server.url));
    const events: GenerationEvent[] = [];
    const messages = [
      { role: 'system' as const, content: 'You are terse.' },
      { role: 'user' as const, content: 'Say hello.' },
    ];
    for await (const e of session.generate({ messages, maxTokens: 16, cachePrompt: true, sampling: SUITE_SAMPLING, signal: new AbortController().signal })) events.push(e);
    assert.equal(events.filter((e) => e.type === 'tokens').length, 2);
    assert.deepEqual(
      events.find((e) => e.type === 'usage'),
      { type: 'usage', promptTokens: 20, outputTokens: 2, promptReuse: false, backendTimings: { promptTokens: 20, promptMs: undefined, decodeTokens: 2, decodeMs: 1 } },
    );
    const sent = server.requests.find((r) => r.path === '/api/chat')!.json as Record<string, unknown>;
    assert.deepEqual(sent.messages, messages);
  });

  it("reads where Ollama put the model from /api/ps: cpu, Metal, or a GPU it does not name, with ollama ps's split", async () => {
    assert.deepEqual(ollamaPlacement({ size: 1000, size_vram: 0 }, 'linux'), { build: { kind: 'cpu' }, processor: '100% CPU' });
    assert.deepEqual(ollamaPlacement({ size: 1000, size_vram: 1000 }, 'darwin'), { build: { kind: 'metal' }, processor: '100% GPU' });
    assert.deepEqual(ollamaPlacement({ size: 1000, size_vram: 630 }, 'linux'), { build: { kind: 'unknown' }, processor: '37%/63% CPU/GPU' });
    assert.deepEqual(ollamaPlacement(undefined), { build: { kind: 'unknown' } });
    server = await startReplayServer(baseRoutes(ndjson([])));
    const session = await ollamaDriver.open(MODEL, { contextTokens: 1024, parallel: 1 }, context(server.url));
    assert.equal(session.extras.processor, '100% GPU');
    assert.deepEqual(session.backendBuild, { kind: process.platform === 'darwin' ? 'metal' : 'unknown' });
  });

  it('says the prompt was reused when Ollama evaluated fewer tokens than any tokenizer makes of it', async () => {
    // 4,000 characters of prompt; Ollama evaluated one token: the rest came from its cache.
    server = await startReplayServer(baseRoutes(ndjson([tokenLine('a'), finalLine('length', 1, 1)])));
    const session = await ollamaDriver.open(MODEL, { contextTokens: 4096, parallel: 1 }, context(server.url));
    const events = await collect(session, 1, 'word '.repeat(800));
    assert.equal((events.find((e) => e.type === 'usage') as { promptReuse?: boolean }).promptReuse, true);
  });

  it('fails open with a clear message for a model Ollama does not have', async () => {
    server = await startReplayServer(baseRoutes(ndjson([])));
    await assert.rejects(ollamaDriver.open('qwen2.5:7b', { contextTokens: 1024, parallel: 1 }, context(server.url)), /no model "qwen2\.5:7b".*/);
  });

  it('resolves the host from config, LLM_SPEED_OLLAMA_HOST, OLLAMA_HOST (scheme and port optional)', () => {
    assert.equal(ollamaHost({ config: { ollama_host: 'http://box:1234/' }, env: { OLLAMA_HOST: 'x' } }), 'http://box:1234');
    assert.equal(ollamaHost({ config: {}, env: { LLM_SPEED_OLLAMA_HOST: 'http://a:1', OLLAMA_HOST: 'b' } }), 'http://a:1');
    assert.equal(ollamaHost({ config: {}, env: { OLLAMA_HOST: '0.0.0.0' } }), 'http://127.0.0.1:11434');
    assert.equal(ollamaHost({ config: {}, env: { OLLAMA_HOST: 'gpu-box:8080' } }), 'http://gpu-box:8080');
    assert.equal(ollamaHost({ config: {}, env: {} }), 'http://127.0.0.1:11434');
  });
});
