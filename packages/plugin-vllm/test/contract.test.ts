/**
 * The framework's driver contract suite, run against the vLLM driver talking to a loopback fake
 * `vllm serve`. Wire formats as in vllm-driver.test.ts: vLLM docs "OpenAI-Compatible Server"
 * (docs/serving/openai_compatible_server.md: /v1/completions and /v1/chat/completions follow the
 * OpenAI API, SSE chunks `text_completion` / `chat.completion.chunk` ending with `data: [DONE]`;
 * `stream_options.include_usage` adds a final chunk with empty `choices` and `usage`; the extra
 * sampling params `ignore_eos` and `min_tokens`), vLLM's `GET /version` and `GET /v1/models`
 * (with `max_model_len`).
 * The fake is the framework's OpenAI-compatible stand-in (openAiBackendRoutes) honouring vLLM's
 * ignore_eos and min_tokens: its model reaches end-of-sequence after 10 tokens unless the request
 * sets them, so the driver's exact-length claim rests on what it sends; otherwise it streams
 * exactly max_tokens, 1–4 tokens a chunk (as vLLM's detokenizer sends them when several tokens
 * complete one piece of text), after holding the first back for FIRST_TOKEN_MS, and stops writing
 * when the client hangs up.
 */
import assert from 'node:assert/strict';
import { tmpdir } from 'node:os';
import { runDriverContractTests } from '@llm-speed/framework/contract-tests';
import { startReplayServer, jsonResponse, openAiBackendRoutes, type ReplayServer } from '@llm-speed/framework/testing';
import { vllmDriver } from '../src/index.js';

const MODEL = 'Qwen/Qwen3-0.6B';
/** The fake's prefill: the first chunk leaves this long after the request arrived. */
const FIRST_TOKEN_MS = 25;

interface CompletionBody {
  max_tokens?: number;
}

describe('vllm driver against a fake server', () => {
  let server: ReplayServer | undefined;
  // Filled in before the suite runs: the contract suite reads the context when each test starts.
  const config: Record<string, unknown> = {};
  before(async () => {
    server = await startReplayServer([
      { method: 'GET', path: '/version', response: jsonResponse(200, { version: '0.11.0' }) },
      // vLLM honours ignore_eos and min_tokens (its extra sampling parameters) and lists max_model_len.
      ...openAiBackendRoutes({ model: MODEL, honours: ['ignore_eos', 'min_tokens'], firstTokenMs: FIRST_TOKEN_MS, modelFields: { owned_by: 'vllm', root: MODEL, parent: null, max_model_len: 4096 } }),
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
      sampling: {
        temperature: 'temperature',
        topK: 'top_k',
        topP: 'top_p',
        minP: 'min_p',
        repeatPenalty: 'repetition_penalty',
        presencePenalty: 'presence_penalty',
        frequencyPenalty: 'frequency_penalty',
        seed: 'seed',
      },
      wire: 'openai-extended', // METHODOLOGY §3.4.1
    },
  });

  describe('after the contract suite', () => {
    it('asked for exactly the tokens it wanted, cold where asked, and hung up on the aborted stream', () => {
      const timed = server!.requests.filter((r) => r.path === '/v1/completions');
      assert.deepEqual(
        timed.map((r) => (r.json as CompletionBody).max_tokens),
        [16, 1000],
      );
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
