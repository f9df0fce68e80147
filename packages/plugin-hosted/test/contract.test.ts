/**
 * The framework's driver contract suite, run against the hosted-api driver pointed (through
 * LLM_SPEED_HOSTED_BASE_URL_<PROVIDER>) at a loopback fake provider, once per protocol:
 * - OpenAI API reference, "Chat Completions → streaming" and "Models → list": bearer key,
 *   `chat.completion.chunk` objects (a first chunk with the assistant role, content deltas, a
 *   last choice with finish_reason "length" when max_completion_tokens is reached, `usage: null`
 *   until the final usage chunk with empty `choices` that stream_options.include_usage asks for,
 *   then `data: [DONE]`); a wrong key is answered 401 with an {"error": {...}} body ("Error codes").
 * - Anthropic docs "Streaming Messages" and "Models → list": x-api-key and anthropic-version
 *   headers; message_start (usage.input_tokens), content_block_start, content_block_delta
 *   (text_delta) per token, `ping`, content_block_stop, message_delta (stop_reason "max_tokens",
 *   cumulative usage.output_tokens), message_stop.
 * The fake streams exactly the max tokens asked for, 1–4 tokens' text an event (providers batch
 * tokens into deltas), one event every few milliseconds after holding the first back for
 * FIRST_TOKEN_MS, and stops writing when the client hangs up.
 */
import assert from 'node:assert/strict';
import { tmpdir } from 'node:os';
import { runDriverContractTests } from '@llm-speed/framework/contract-tests';
import { startReplayServer, jsonResponse, sseResponse, tokenChunks, type RecordedRequest, type ReplayResponse, type ReplayServer } from '@llm-speed/framework/testing';
import { hostedDriver } from '../src/index.js';

const OPENAI_KEY = 'sk-test-contract-0123456789abcdef';
const ANTHROPIC_KEY = 'sk-ant-api03-contract-0123456789';
const OPENAI_MODEL = 'gpt-4o-mini';
const ANTHROPIC_MODEL = 'claude-sonnet-4-5';
/** Milliseconds between two streamed events. */
const TOKEN_MS = 2;
/** The provider's time to first token after it has the request. */
const FIRST_TOKEN_MS = 25;

/** The text of n tokens packed 1–4 to an event: " 1, 2, 3," ... */
function packed(n: number): string[] {
  let made = 0;
  return tokenChunks(n).map((size) => {
    const text = Array.from({ length: size }, (_, k) => ` ${made + k + 1},`).join('');
    made += size;
    return text;
  });
}

interface ChatBody {
  model: string;
  messages: Array<{ role: string; content: string }>;
  max_tokens?: number;
  max_completion_tokens?: number;
  stream?: boolean;
  stream_options?: { include_usage?: boolean };
}

const words = (messages: Array<{ content: string }>) =>
  messages
    .map((m) => m.content)
    .join(' ')
    .split(/\s+/)
    .filter(Boolean).length;

const openAiUnauthorized = () => jsonResponse(401, { error: { message: 'Incorrect API key provided.', type: 'invalid_request_error', param: null, code: 'invalid_api_key' } });

function openAiChat(request: RecordedRequest): ReplayResponse {
  if (request.headers.authorization !== `Bearer ${OPENAI_KEY}`) return openAiUnauthorized();
  const body = request.json as ChatBody;
  const n = body.max_completion_tokens ?? body.max_tokens ?? 4096;
  const head = { id: 'chatcmpl-fake', object: 'chat.completion.chunk', created: 1732460100, model: `${body.model}-2024-07-18`, system_fingerprint: 'fp_fake' };
  const event = (choices: unknown[], usage: unknown = null, delayMs = 0) => ({ data: `data: ${JSON.stringify({ ...head, choices, usage })}\n\n`, delayMs });
  const chunks = [
    event([{ index: 0, delta: { role: 'assistant', content: '', refusal: null }, logprobs: null, finish_reason: null }]),
    ...packed(n).map((text, i) => event([{ index: 0, delta: { content: text }, logprobs: null, finish_reason: null }], null, i === 0 ? FIRST_TOKEN_MS : TOKEN_MS)),
    event([{ index: 0, delta: {}, logprobs: null, finish_reason: 'length' }]),
  ];
  if (body.stream_options?.include_usage) {
    const prompt = words(body.messages);
    chunks.push(event([], { prompt_tokens: prompt, completion_tokens: n, total_tokens: prompt + n, prompt_tokens_details: { cached_tokens: 0, audio_tokens: 0 } }));
  }
  chunks.push({ data: 'data: [DONE]\n\n', delayMs: 0 });
  return sseResponse(chunks);
}

function anthropicMessages(request: RecordedRequest): ReplayResponse {
  if (request.headers['x-api-key'] !== ANTHROPIC_KEY || request.headers['anthropic-version'] !== '2023-06-01') {
    return jsonResponse(401, { type: 'error', error: { type: 'authentication_error', message: 'invalid x-api-key' } });
  }
  const body = request.json as ChatBody;
  const n = body.max_tokens!;
  const event = (name: string, data: Record<string, unknown>, delayMs = 0) => ({ data: `event: ${name}\ndata: ${JSON.stringify({ type: name, ...data })}\n\n`, delayMs });
  const message = { id: 'msg_fake', type: 'message', role: 'assistant', content: [], model: body.model, stop_reason: null, stop_sequence: null };
  return sseResponse([
    event('message_start', { message: { ...message, usage: { input_tokens: words(body.messages), cache_creation_input_tokens: 0, cache_read_input_tokens: 0, output_tokens: 1 } } }),
    event('content_block_start', { index: 0, content_block: { type: 'text', text: '' } }),
    event('ping', {}),
    ...packed(n).map((text, i) => event('content_block_delta', { index: 0, delta: { type: 'text_delta', text } }, i === 0 ? FIRST_TOKEN_MS : TOKEN_MS)),
    event('content_block_stop', { index: 0 }),
    event('message_delta', { delta: { stop_reason: 'max_tokens', stop_sequence: null }, usage: { output_tokens: n } }),
    event('message_stop', {}),
  ]);
}

describe('hosted-api driver against fake providers', () => {
  let server: ReplayServer | undefined;
  // Filled in before the suites run: the contract suite reads the context when each test starts.
  const openAiEnv: NodeJS.ProcessEnv = { OPENAI_API_KEY: OPENAI_KEY };
  const anthropicEnv: NodeJS.ProcessEnv = { ANTHROPIC_API_KEY: ANTHROPIC_KEY };
  before(async () => {
    server = await startReplayServer([
      {
        method: 'GET',
        path: '/v1/models',
        response: (req) =>
          req.headers['x-api-key'] === ANTHROPIC_KEY
            ? jsonResponse(200, {
                data: [{ type: 'model', id: ANTHROPIC_MODEL, display_name: 'Claude Sonnet 4.5', created_at: '2025-09-29T00:00:00Z' }],
                has_more: false,
                first_id: ANTHROPIC_MODEL,
                last_id: ANTHROPIC_MODEL,
              })
            : req.headers.authorization === `Bearer ${OPENAI_KEY}`
              ? jsonResponse(200, { object: 'list', data: [{ id: OPENAI_MODEL, object: 'model', created: 1721172741, owned_by: 'system' }] })
              : openAiUnauthorized(),
      },
      { method: 'POST', path: '/v1/chat/completions', response: openAiChat },
      { method: 'POST', path: '/v1/messages', response: anthropicMessages },
    ]);
    openAiEnv.LLM_SPEED_HOSTED_BASE_URL_OPENAI = server.url;
    anthropicEnv.LLM_SPEED_HOSTED_BASE_URL_ANTHROPIC = server.url;
  });
  after(async () => server?.close());

  runDriverContractTests('hosted-api, OpenAI-compatible (loopback fake provider)', {
    driver: () => hostedDriver,
    context: { config: {}, cacheDir: tmpdir(), env: openAiEnv },
    modelRef: `openai:${OPENAI_MODEL}`,
    outputTokens: 16,
    generationTimeoutMs: 20_000,
    backend: {
      requests: () => server!.requests,
      generationPath: '/v1/chat/completions',
      firstTokenDelayMs: FIRST_TOKEN_MS,
      // The OpenAI API's own sampling fields; it rejects top_k, min_p and repetition_penalty.
      sampling: { temperature: 'temperature', topP: 'top_p', seed: 'seed', presencePenalty: 'presence_penalty', frequencyPenalty: 'frequency_penalty' },
      wire: 'openai', // METHODOLOGY §3.4.1
    },
  });

  runDriverContractTests('hosted-api, Anthropic Messages (loopback fake provider)', {
    driver: () => hostedDriver,
    context: { config: {}, cacheDir: tmpdir(), env: anthropicEnv },
    modelRef: `anthropic:${ANTHROPIC_MODEL}`,
    outputTokens: 16,
    generationTimeoutMs: 20_000,
    backend: {
      requests: () => server!.requests,
      generationPath: '/v1/messages',
      firstTokenDelayMs: FIRST_TOKEN_MS,
      // The Messages API's sampling fields: temperature and top_k (no seed, no penalties).
      sampling: { temperature: 'temperature', topK: 'top_k' },
      wire: 'anthropic', // METHODOLOGY §3.4.1
    },
  });

  describe('after the contract suites', () => {
    it('asked each provider for exactly the tokens it wanted, and hung up on the aborted streams', () => {
      const chat = server!.requests.filter((r) => r.path === '/v1/chat/completions');
      assert.deepEqual(
        chat.map((r) => (r.json as ChatBody).max_completion_tokens),
        [16, 16, 1000],
      );
      assert.equal(chat[0]!.chunksWritten, 1 + 7 + 3, 'role chunk, 16 tokens in seven chunks, finish, usage and [DONE]');
      assert.ok(chat[2]!.chunksWritten < 100, `the OpenAI fake stopped after ${chat[2]!.chunksWritten} chunks`);
      const messages = server!.requests.filter((r) => r.path === '/v1/messages');
      assert.deepEqual(
        messages.map((r) => (r.json as ChatBody).max_tokens),
        [16, 16, 1000],
      );
      assert.equal(messages[0]!.chunksWritten, 3 + 7 + 3);
      assert.ok(messages[2]!.chunksWritten < 100, `the Anthropic fake stopped after ${messages[2]!.chunksWritten} chunks`);
    });
  });
});
