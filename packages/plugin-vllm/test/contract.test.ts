/**
 * The framework's driver contract suite, run against the vLLM driver talking to a loopback fake
 * `vllm serve`. Wire formats as in vllm-driver.test.ts: vLLM docs "OpenAI-Compatible Server"
 * (docs/serving/openai_compatible_server.md: /v1/completions and /v1/chat/completions follow the
 * OpenAI API, SSE chunks `text_completion` / `chat.completion.chunk` ending with `data: [DONE]`;
 * `stream_options.include_usage` adds a final chunk with empty `choices` and `usage`; the extra
 * sampling params `ignore_eos` and `min_tokens`), vLLM's `GET /version` and `GET /v1/models`
 * (with `max_model_len`).
 * The fake model reaches end-of-sequence after EOS_AT tokens unless the request sets ignore_eos
 * (or holds EOS back with min_tokens), so the driver's exact-length claim rests on what it sends;
 * otherwise it streams exactly max_tokens, 1–4 tokens a chunk (as vLLM's detokenizer sends them
 * when several tokens complete one piece of text), one chunk every few milliseconds, after holding
 * the first back for FIRST_TOKEN_MS, and stops writing when the client hangs up.
 */
import assert from 'node:assert/strict';
import { tmpdir } from 'node:os';
import { runDriverContractTests } from '@llm-speed/framework/contract-tests';
import { startReplayServer, jsonResponse, sseResponse, tokenChunks, type RecordedRequest, type ReplayResponse, type ReplayServer } from '@llm-speed/framework/testing';
import { vllmDriver } from '../src/index.js';

const MODEL = 'Qwen/Qwen3-0.6B';
/** Where the fake model would end its answer on its own. */
const EOS_AT = 10;
/** Milliseconds between two streamed chunks. */
const TOKEN_MS = 2;
/** The fake's prefill: the first chunk leaves this long after the request arrived. */
const FIRST_TOKEN_MS = 25;

interface CompletionBody {
  model: string;
  prompt?: string;
  messages?: Array<{ content: string }>;
  max_tokens?: number;
  min_tokens?: number;
  ignore_eos?: boolean;
  stream?: boolean;
  stream_options?: { include_usage?: boolean };
}

function completion(chat: boolean) {
  return (request: RecordedRequest): ReplayResponse => {
    const body = request.json as CompletionBody;
    if (body.model !== MODEL) return jsonResponse(404, { object: 'error', message: `The model \`${body.model}\` does not exist.`, type: 'NotFoundError', param: null, code: 404 });
    const max = body.max_tokens ?? 16;
    const produced = body.ignore_eos ? max : Math.min(max, Math.max(EOS_AT, body.min_tokens ?? 0));
    const promptTokens = (chat ? body.messages!.map((m) => m.content).join(' ') : body.prompt ?? '').split(/\s+/).filter(Boolean).length;
    const head = { id: chat ? 'chatcmpl-fake' : 'cmpl-fake', object: chat ? 'chat.completion.chunk' : 'text_completion', created: 1732460000, model: MODEL };
    const choice = (text: string, finish: string | null) =>
      chat ? { index: 0, delta: { content: text }, logprobs: null, finish_reason: finish, stop_reason: null } : { index: 0, text, logprobs: null, finish_reason: finish, stop_reason: null };
    const event = (obj: Record<string, unknown>) => ({ data: `data: ${JSON.stringify({ ...head, ...obj })}\n\n`, delayMs: 0 });
    let sent = 0;
    const chunks = tokenChunks(produced).map((size, i) => {
      const text = Array.from({ length: size }, (_, k) => ` ${sent + k + 1},`).join('');
      sent += size;
      return { ...event({ choices: [choice(text, sent === produced ? (produced === max ? 'length' : 'stop') : null)], usage: null }), delayMs: i === 0 ? FIRST_TOKEN_MS : TOKEN_MS };
    });
    if (body.stream_options?.include_usage) {
      chunks.push(event({ choices: [], usage: { prompt_tokens: promptTokens, total_tokens: promptTokens + produced, completion_tokens: produced, prompt_tokens_details: null } }));
    }
    chunks.push({ data: 'data: [DONE]\n\n', delayMs: 0 });
    return sseResponse(chunks);
  };
}

describe('vllm driver against a fake server', () => {
  let server: ReplayServer | undefined;
  // Filled in before the suite runs: the contract suite reads the context when each test starts.
  const config: Record<string, unknown> = {};
  before(async () => {
    server = await startReplayServer([
      { method: 'GET', path: '/version', response: jsonResponse(200, { version: '0.11.0' }) },
      { method: 'GET', path: '/v1/models', response: jsonResponse(200, { object: 'list', data: [{ id: MODEL, object: 'model', created: 1732460000, owned_by: 'vllm', root: MODEL, parent: null, max_model_len: 4096 }] }) },
      { method: 'POST', path: '/v1/completions', response: completion(false) },
      { method: 'POST', path: '/v1/chat/completions', response: completion(true) },
    ]);
    config.vllm_url = server.url;
  });
  after(async () => server?.close());

  runDriverContractTests('vllm (loopback fake server)', {
    driver: () => vllmDriver,
    context: { config, cacheDir: tmpdir(), env: {} },
    modelRef: MODEL,
    outputTokens: 16,
    generationTimeoutMs: 20_000,
    backend: {
      requests: () => server!.requests,
      generationPath: /^\/v1\/(chat\/)?completions$/,
      firstTokenDelayMs: FIRST_TOKEN_MS,
      // vLLM's sampling parameters (SamplingParams; the OpenAI fields plus its extra top_k, min_p, repetition_penalty).
      sampling: { temperature: 'temperature', topK: 'top_k', topP: 'top_p', minP: 'min_p', repeatPenalty: 'repetition_penalty', presencePenalty: 'presence_penalty', frequencyPenalty: 'frequency_penalty', seed: 'seed' },
    },
  });

  describe('after the contract suite', () => {
    it('asked for exactly the tokens it wanted, cold where asked, and hung up on the aborted stream', () => {
      const timed = server!.requests.filter((r) => r.path === '/v1/completions');
      assert.deepEqual(timed.map((r) => (r.json as CompletionBody).max_tokens), [16, 1000]);
      // 16 tokens in chunks of 1, 3, 2, 4, 1, 3, 2: seven chunks, then the usage chunk and [DONE].
      assert.equal(timed[0]!.chunksWritten, 7 + 2);
      assert.ok(timed[1]!.chunksWritten < 100, `the server stopped after ${timed[1]!.chunksWritten} chunks`);
      // A request that must not reuse a cached prefix carries a cache_salt of its own (vLLM's per-request cache isolation).
      const salts = timed.map((r) => (r.json as { cache_salt?: string }).cache_salt);
      assert.ok(salts.every((v) => typeof v === 'string' && v.length >= 16) && new Set(salts).size === salts.length, JSON.stringify(salts));
      const chat = server!.requests.find((r) => r.path === '/v1/chat/completions')!;
      assert.equal((chat.json as { cache_salt?: string }).cache_salt, undefined, 'a W5-style request may reuse the prefix');
    });
  });
});
