/**
 * Transcripts follow the OpenAI API reference: "Create chat completion → streaming" (objects
 * `chat.completion.chunk`, `data: [DONE]` terminator, `stream_options.include_usage` adds a final
 * chunk with `usage` and empty `choices`) and "Create completion" (`text_completion` chunks with
 * `choices[].text`). vLLM's OpenAI-compatible server documents the same shapes.
 */
import assert from 'node:assert/strict';
import { streamOpenAiCompletion, listOpenAiModels, joinApiUrl, HttpStatusError, DriverError, SUITE_SAMPLING, type GenerationEvent } from '../../src/index.js';
import { startReplayServer, sseResponse, jsonResponse, type ReplayServer } from '../../src/testing/index.js';

const completionChunk = (text: string, finish: string | null = null) =>
  `data: ${JSON.stringify({ id: 'cmpl-1', object: 'text_completion', created: 1, model: 'm', choices: [{ index: 0, text, logprobs: null, finish_reason: finish }] })}\n\n`;
const chatChunk = (content: string | undefined, finish: string | null = null, role = false) =>
  `data: ${JSON.stringify({ id: 'chatcmpl-1', object: 'chat.completion.chunk', created: 1, model: 'm', choices: [{ index: 0, delta: { ...(role ? { role: 'assistant' } : {}), ...(content !== undefined ? { content } : {}) }, finish_reason: finish }] })}\n\n`;
const usageChunk = (prompt: number, completion: number, cached?: number) =>
  `data: ${JSON.stringify({ id: 'x', object: 'chat.completion.chunk', created: 1, model: 'm', choices: [], usage: { prompt_tokens: prompt, completion_tokens: completion, total_tokens: prompt + completion, ...(cached !== undefined ? { prompt_tokens_details: { cached_tokens: cached } } : {}) } })}\n\n`;
const DONE = 'data: [DONE]\n\n';

async function collect(gen: AsyncIterable<GenerationEvent>): Promise<GenerationEvent[]> {
  const out: GenerationEvent[] = [];
  for await (const e of gen) out.push(e);
  return out;
}

describe('streamOpenAiCompletion', () => {
  let server: ReplayServer | undefined;
  afterEach(async () => {
    await server?.close();
    server = undefined;
  });

  it('streams a completion: one tokens event per chunk, usage, done with finish_reason; asks for usage', async () => {
    server = await startReplayServer([
      { method: 'POST', path: '/v1/completions', response: sseResponse([completionChunk(' a'), completionChunk(' b'), completionChunk(' c', 'length'), usageChunk(5, 3), DONE]) },
    ]);
    const events = await collect(streamOpenAiCompletion({ baseUrl: server.url, path: '/v1/completions', sampling: SUITE_SAMPLING, body: { model: 'm', prompt: 'hi', max_tokens: 3 } }));
    assert.deepEqual(
      events.filter((e) => e.type === 'tokens').map((e) => (e as { count: number }).count),
      [1, 1, 1],
    );
    assert.deepEqual(
      events.find((e) => e.type === 'usage'),
      { type: 'usage', promptTokens: 5, outputTokens: 3, cachedPromptTokens: undefined },
    );
    const done = events.at(-1)!;
    assert.equal(done.type, 'done');
    assert.equal((done as { stopReason?: string }).stopReason, 'length');
    const sent = server.requests[0]!.json as Record<string, unknown>;
    assert.equal(sent.stream, true);
    assert.deepEqual(sent.stream_options, { include_usage: true });
    assert.equal(sent.max_tokens, 3);
  });

  it("sends the request's sampling: every OpenAI field, and the extended ones only where the server takes them", async () => {
    server = await startReplayServer([{ method: 'POST', path: '/v1/completions', response: sseResponse([completionChunk(' a', 'length'), DONE]) }]);
    const sampling = { ...SUITE_SAMPLING, seed: 7 };
    await collect(streamOpenAiCompletion({ baseUrl: server.url, path: '/v1/completions', sampling, body: { model: 'm', prompt: 'hi', max_tokens: 1 } }));
    await collect(streamOpenAiCompletion({ baseUrl: server.url, path: '/v1/completions', sampling, samplingDialect: 'openai', body: { model: 'm', prompt: 'hi', max_tokens: 1 } }));
    const [extended, openai] = server.requests.map((r) => r.json as Record<string, unknown>);
    const pick = (body: Record<string, unknown>, keys: string[]) => Object.fromEntries(keys.filter((k) => k in body).map((k) => [k, body[k]]));
    const all = ['temperature', 'top_p', 'seed', 'presence_penalty', 'frequency_penalty', 'top_k', 'min_p', 'repetition_penalty'];
    assert.deepEqual(pick(extended!, all), { temperature: 0, top_p: 1, seed: 7, presence_penalty: 0, frequency_penalty: 0, top_k: 1, min_p: 0, repetition_penalty: 1 });
    // The OpenAI API rejects fields it does not define: none of the extended ones are sent to it.
    assert.deepEqual(pick(openai!, all), { temperature: 0, top_p: 1, seed: 7, presence_penalty: 0, frequency_penalty: 0 });
  });

  it('accepts a base URL that already ends in /v1', async () => {
    assert.equal(joinApiUrl('https://api.groq.com/openai/v1/', '/v1/chat/completions'), 'https://api.groq.com/openai/v1/chat/completions');
    assert.equal(joinApiUrl('http://127.0.0.1:8000', '/v1/models'), 'http://127.0.0.1:8000/v1/models');
  });

  it('chat: skips the role-only first delta, counts content chunks, usage overrides for multi-token chunks', async () => {
    server = await startReplayServer([
      {
        path: '/v1/chat/completions',
        response: sseResponse([chatChunk(undefined, null, true), chatChunk('Hello there, my friend'), chatChunk('!'), chatChunk(undefined, 'length'), usageChunk(20, 7, 16), DONE]),
      },
    ]);
    const events = await collect(streamOpenAiCompletion({ baseUrl: server.url, path: '/v1/chat/completions', sampling: SUITE_SAMPLING, body: { messages: [] } }));
    const tokens = events.filter((e) => e.type === 'tokens');
    assert.equal(tokens.length, 2);
    assert.deepEqual(
      events.find((e) => e.type === 'usage'),
      { type: 'usage', promptTokens: 20, outputTokens: 7, cachedPromptTokens: 16 },
    );
  });

  it('uses logprob entries as the count of a chunk when the server sends them', async () => {
    const chunk = `data: ${JSON.stringify({ choices: [{ index: 0, text: 'ab', logprobs: { tokens: ['a', 'b'], token_logprobs: [0, 0] }, finish_reason: null }] })}\n\n`;
    server = await startReplayServer([{ path: '/v1/completions', response: sseResponse([chunk, completionChunk('', 'length'), DONE]) }]);
    const events = await collect(streamOpenAiCompletion({ baseUrl: server.url, path: '/v1/completions', sampling: SUITE_SAMPLING, body: {} }));
    assert.deepEqual(
      events.filter((e) => e.type === 'tokens').map((e) => (e as { count: number }).count),
      [2],
    );
  });

  it('reports EOS before the requested length as stop with the smaller usage', async () => {
    server = await startReplayServer([{ path: '/v1/completions', response: sseResponse([completionChunk('x'), completionChunk('.', 'stop'), usageChunk(4, 2), DONE]) }]);
    const events = await collect(streamOpenAiCompletion({ baseUrl: server.url, path: '/v1/completions', sampling: SUITE_SAMPLING, body: { max_tokens: 64 } }));
    assert.equal((events.at(-1) as { stopReason?: string }).stopReason, 'stop');
    assert.equal((events.find((e) => e.type === 'usage') as { outputTokens?: number }).outputTokens, 2);
  });

  it('ignores keep-alive comment lines', async () => {
    server = await startReplayServer([
      { path: '/v1/completions', response: sseResponse([': keep-alive\n\n', completionChunk('a'), ': OPENROUTER PROCESSING\n\n', completionChunk('b', 'length'), DONE]) },
    ]);
    const events = await collect(streamOpenAiCompletion({ baseUrl: server.url, path: '/v1/completions', sampling: SUITE_SAMPLING, body: {} }));
    assert.equal(events.filter((e) => e.type === 'tokens').length, 2);
  });

  it('timestamps the first token when it arrives, after a slow first chunk', async () => {
    server = await startReplayServer([{ path: '/v1/completions', response: sseResponse([completionChunk('a'), completionChunk('b', 'length'), DONE], { firstChunkDelayMs: 120 }) }]);
    const start = performance.now();
    const events = await collect(streamOpenAiCompletion({ baseUrl: server.url, path: '/v1/completions', sampling: SUITE_SAMPLING, body: {} }));
    const first = events.find((e) => e.type === 'tokens') as { t: number };
    assert.ok(first.t - start >= 100, `first token at ${first.t - start} ms`);
  });

  it('rejects (no hang) when the connection drops mid-stream', async () => {
    server = await startReplayServer([{ path: '/v1/completions', response: sseResponse([completionChunk('a'), completionChunk('b'), completionChunk('c')], { dropAfterChunks: 1 }) }]);
    const seen: GenerationEvent[] = [];
    await assert.rejects(
      (async () => {
        for await (const e of streamOpenAiCompletion({ baseUrl: server!.url, path: '/v1/completions', sampling: SUITE_SAMPLING, body: {} })) seen.push(e);
      })(),
      (error: unknown) => error instanceof DriverError && /stream (broke|ended)/.test(error.message),
    );
    assert.equal(seen.filter((e) => e.type === 'tokens').length, 1);
  });

  it('rejects a stream that closes cleanly without [DONE] or finish_reason', async () => {
    server = await startReplayServer([{ path: '/v1/completions', response: sseResponse([completionChunk('a')]) }]);
    await assert.rejects(collect(streamOpenAiCompletion({ baseUrl: server.url, path: '/v1/completions', sampling: SUITE_SAMPLING, body: {} })), /no \[DONE\]/);
  });

  it('turns an error object in the stream into a DriverError with the provider message', async () => {
    const err = `data: ${JSON.stringify({ error: { message: 'upstream overloaded', type: 'server_error', code: 502 } })}\n\n`;
    server = await startReplayServer([{ path: '/v1/chat/completions', response: sseResponse([chatChunk('a'), err]) }]);
    await assert.rejects(
      collect(streamOpenAiCompletion({ baseUrl: server.url, path: '/v1/chat/completions', sampling: SUITE_SAMPLING, body: {}, source: 'groq' })),
      (error: unknown) => error instanceof DriverError && /groq.*upstream overloaded/.test(error.message),
    );
  });

  it('raises HttpStatusError carrying status and body for 429 and 503', async () => {
    server = await startReplayServer([
      {
        path: '/v1/completions',
        response: [jsonResponse(429, { error: { message: 'Rate limit reached', type: 'rate_limit_exceeded' } }), jsonResponse(503, { object: 'error', message: 'The model is overloaded', code: 503 })],
      },
    ]);
    await assert.rejects(
      collect(streamOpenAiCompletion({ baseUrl: server.url, path: '/v1/completions', sampling: SUITE_SAMPLING, body: {} })),
      (e: unknown) => e instanceof HttpStatusError && e.status === 429 && /Rate limit reached/.test(e.message),
    );
    await assert.rejects(
      collect(streamOpenAiCompletion({ baseUrl: server.url, path: '/v1/completions', sampling: SUITE_SAMPLING, body: {} })),
      (e: unknown) => e instanceof HttpStatusError && e.status === 503,
    );
  });
});

describe('listOpenAiModels', () => {
  it('reads data[] from GET /v1/models and sends the headers', async () => {
    const server = await startReplayServer([
      { method: 'GET', path: '/v1/models', response: jsonResponse(200, { object: 'list', data: [{ id: 'Qwen/Qwen3-0.6B', object: 'model', owned_by: 'vllm', max_model_len: 4096 }] }) },
    ]);
    try {
      const models = await listOpenAiModels(server.url, { authorization: 'Bearer t' });
      assert.equal(models[0]!.id, 'Qwen/Qwen3-0.6B');
      assert.equal(models[0]!.max_model_len, 4096);
      assert.equal(server.requests[0]!.headers.authorization, 'Bearer t');
    } finally {
      await server.close();
    }
  });
});
