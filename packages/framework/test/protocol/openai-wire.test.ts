/**
 * The OpenAI wire format beyond the plain case (issue 27, rows 3 and 4, and the re-chunking
 * property). Transcripts follow the documented shapes:
 * - DeepSeek API, "Reasoning Model (deepseek-reasoner)", and vLLM, "Reasoning Outputs": a reasoning
 *   model streams its thinking as `choices[].delta.reasoning_content` chunks (with `content` null)
 *   before the answer's `delta.content` chunks.
 * - OpenAI API reference, "Chat Completions → streaming": `chat.completion.chunk` objects, a final
 *   chunk with `usage` and empty `choices` when stream_options.include_usage is set, `data: [DONE]`.
 */
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { getJson, postJson, streamOpenAiCompletion, SUITE_SAMPLING, type GenerationEvent } from '../../src/index.js';
import { startReplayServer, sseResponse, jsonResponse, type ReplayServer } from '../../src/testing/index.js';

const chunk = (delta: Record<string, unknown>, finish: string | null = null) =>
  `data: ${JSON.stringify({ id: 'chatcmpl-r1', object: 'chat.completion.chunk', created: 1, model: 'deepseek-reasoner', choices: [{ index: 0, delta, finish_reason: finish }] })}\n\n`;
const usage = (prompt: number, completion: number) =>
  `data: ${JSON.stringify({ id: 'chatcmpl-r1', object: 'chat.completion.chunk', created: 1, model: 'deepseek-reasoner', choices: [], usage: { prompt_tokens: prompt, completion_tokens: completion, total_tokens: prompt + completion } })}\n\n`;

/** A reasoning model's answer: 3 thinking chunks, then 2 answer chunks (one cut mid-"é"), usage, [DONE]. */
const REASONING = [
  chunk({ role: 'assistant', content: null, reasoning_content: '' }),
  chunk({ content: null, reasoning_content: 'The user' }),
  chunk({ content: null, reasoning_content: ' wants a count' }),
  chunk({ content: null, reasoning_content: '.' }),
  chunk({ content: 'Un, deux' }),
  chunk({ content: ', trois — café' }, 'length'),
  usage(9, 12),
  'data: [DONE]\n\n',
];

async function collect(gen: AsyncIterable<GenerationEvent>): Promise<GenerationEvent[]> {
  const out: GenerationEvent[] = [];
  for await (const e of gen) out.push(e);
  return out;
}
/** The events without their arrival times, which depend on the network, not the bytes. */
const shape = (events: GenerationEvent[]) => events.map((e) => ('t' in e ? { ...e, t: 0 } : e));

describe('OpenAI wire format: reasoning, keys in URLs, re-chunking', () => {
  let server: ReplayServer | undefined;
  afterEach(async () => {
    await server?.close();
    server = undefined;
  });

  const stream = (url: string) =>
    collect(
      streamOpenAiCompletion({
        baseUrl: url,
        path: '/v1/chat/completions',
        sampling: SUITE_SAMPLING,
        body: { model: 'deepseek-reasoner', messages: [{ role: 'user', content: 'Count' }], max_tokens: 12 },
      }),
    );

  it('reasoning_content chunks are output arriving: the first token is the first thinking chunk, not the answer', async () => {
    server = await startReplayServer([{ method: 'POST', path: '/v1/chat/completions', response: sseResponse(REASONING) }]);
    const events = await stream(server.url);
    // Chunks with text: 'The user', ' wants a count', '.', 'Un, deux', ', trois — café' = 5 arrival
    // marks. The role chunk's reasoning_content is '' and carries nothing. Without the thinking the
    // count would be 2 and TTFT would wait for the answer.
    assert.deepEqual(
      events.filter((e) => e.type === 'tokens').map((e) => (e as { count: number }).count),
      [1, 1, 1, 1, 1],
    );
    assert.deepEqual(
      events.find((e) => e.type === 'usage'),
      { type: 'usage', promptTokens: 9, outputTokens: 12, cachedPromptTokens: undefined },
    );
    assert.equal((events.at(-1) as { stopReason?: string }).stopReason, 'length');
  });

  it('a key in a base URL (query string or user:password) never reaches an error message', async () => {
    server = await startReplayServer([{ path: '/v1/models', response: jsonResponse(401, { error: { message: 'bad key' } }) }]);
    const port = new URL(server.url).port;
    const secret = 'sk-query-SECRET-4242';
    const answered = await getJson(`http://user:pw-SECRET-1@127.0.0.1:${port}/v1/models?api_key=${secret}&x=1`).catch((e: Error) => e);
    assert.ok(answered instanceof Error);
    // The message still says where and what: the host, the path and the status.
    assert.match(answered.message, new RegExp(`127\\.0\\.0\\.1:${port}/v1/models answered HTTP 401`));
    assert.doesNotMatch(answered.message, /SECRET|api_key|pw-/);
    // A server that is not there: the "failed" path redacts the same way.
    await server.close();
    server = undefined;
    const refused = await postJson(`http://127.0.0.1:${port}/v1/x?key=${secret}`, {}, { headersTimeoutMs: 2000 }).catch((e: Error) => e);
    assert.ok(refused instanceof Error);
    assert.match(refused.message, /127\.0\.0\.1/);
    assert.doesNotMatch(refused.message, /SECRET|key=/);
  });

  it('property: the recorded stream cut anywhere (inside "\\r\\n", inside a multi-byte character) gives the same events', async () => {
    // The same transcript with CRLF line ends: the format allows "\r\n", "\n" or "\r" (WHATWG HTML §9.2.6).
    const bytes = Buffer.from(REASONING.join('').replace(/\n/g, '\r\n'), 'utf8');
    server = await startReplayServer([{ method: 'POST', path: '/v1/chat/completions', response: sseResponse([{ data: bytes }]) }]);
    const reference = shape(await stream(server.url));
    assert.equal(reference.filter((e) => e.type === 'tokens').length, 5);
    await server.close();
    // Cut points include the middle of "\r\n" and of "—" (3 bytes) and "é" (2 bytes): any byte offset.
    const crlf = bytes.indexOf('\r\n');
    const dash = bytes.indexOf(Buffer.from('—'));
    await fc.assert(
      fc.asyncProperty(fc.uniqueArray(fc.integer({ min: 1, max: bytes.length - 1 }), { maxLength: 12 }), async (cuts) => {
        const at = [...new Set([...cuts, crlf + 1, dash + 1, dash + 2])].sort((a, b) => a - b);
        const pieces = [0, ...at].map((start, i) => bytes.subarray(start, at[i] ?? bytes.length));
        server = await startReplayServer([{ method: 'POST', path: '/v1/chat/completions', response: sseResponse(pieces.map((data) => ({ data, delayMs: 1 }))) }]);
        try {
          assert.deepEqual(shape(await stream(server.url)), reference);
        } finally {
          await server.close();
          server = undefined;
        }
      }),
      { numRuns: 15 },
    );
  });
});
