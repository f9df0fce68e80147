/**
 * The framework's driver contract suite, run against the openai-compat driver talking to the
 * framework's replay server as a stand-in OpenAI-compatible server (openAiBackendRoutes). The wire
 * format is the OpenAI API reference's, "Completions" and "Chat Completions → streaming": POST
 * /v1/completions with `prompt`, POST /v1/chat/completions with `messages`, SSE chunks
 * `text_completion` / `chat.completion.chunk` ending with `data: [DONE]`, and with
 * `stream_options.include_usage` a last chunk with empty `choices` and `usage`; GET /v1/models lists
 * `{ id, object: "model", ... }`. LM Studio, llamafile (llama.cpp's server), SGLang and TGI document
 * these same endpoints as their OpenAI compatibility layer.
 *
 * Three times: a server that honours ignore_eos/min_tokens with the driver told so (exact length,
 * checked to the token), a plain server with the driver told nothing (the model stops at its own
 * end-of-sequence after 10 tokens, and the driver claims no exact length — the contract suite
 * accepts a short output only with an end-of-sequence stop), and a llama-server, recognised by its
 * GET /props (tools/server/README.md: `build_info`, `total_slots`, `default_generation_settings`),
 * which must get llama-server's own greedy fields (the contract suite's `wire: 'llama-server'`).
 */
import assert from 'node:assert/strict';
import { tmpdir } from 'node:os';
import { runDriverContractTests } from '@llm-speed/framework/contract-tests';
import { jsonResponse, startReplayServer, openAiBackendRoutes, type ReplayRoute, type ReplayServer } from '@llm-speed/framework/testing';
import { openAiCompatDriver } from '../src/index.js';

const MODEL = 'qwen2.5-7b-instruct';
const FIRST_TOKEN_MS = 25;
/** The OpenAI sampling fields plus the extended ones the driver sends (top_k, min_p, repetition_penalty). */
const SAMPLING_PATHS = {
  temperature: 'temperature',
  topK: 'top_k',
  topP: 'top_p',
  minP: 'min_p',
  repeatPenalty: 'repetition_penalty',
  presencePenalty: 'presence_penalty',
  frequencyPenalty: 'frequency_penalty',
  seed: 'seed',
} as const;

/** llama-server's GET /props, trimmed to the fields the driver reads (tools/server/README.md, "GET /props"). */
const LLAMA_SERVER_PROPS: ReplayRoute = {
  method: 'GET',
  path: '/props',
  response: jsonResponse(200, { build_info: 'b7410-de3ff81', total_slots: 1, default_generation_settings: { n_ctx: 4096 }, model_path: 'model.gguf' }),
};

for (const variant of [
  { title: 'a server that honours ignore_eos and min_tokens (SGLang, vLLM)', honours: ['ignore_eos', 'min_tokens'] as const, exact: true, llama: false },
  { title: 'a plain OpenAI-compatible server (LM Studio, TGI)', honours: [] as const, exact: false, llama: false },
  { title: 'llama-server (recognised by /props)', honours: ['ignore_eos'] as const, exact: false, llama: true },
]) {
  describe(`openai-compat driver against ${variant.title}`, () => {
    let server: ReplayServer | undefined;
    // Filled in before the suite runs: the contract suite reads the context when each test starts.
    const settings: Record<string, unknown> = {};
    before(async () => {
      server = await startReplayServer([...(variant.llama ? [LLAMA_SERVER_PROPS] : []), ...openAiBackendRoutes({ model: MODEL, honours: [...variant.honours], firstTokenMs: FIRST_TOKEN_MS })]);
      Object.assign(settings, { base_url: `${server.url}/v1`, exact_output_length: variant.exact, api_key: 'sk-local' });
    });
    after(async () => server?.close());

    runDriverContractTests(`openai-compat (${variant.llama ? 'llama-server' : variant.exact ? 'exact length' : 'no length control'})`, {
      driver: () => openAiCompatDriver,
      context: { config: {}, settings, cacheDir: tmpdir(), env: {} },
      modelRef: MODEL,
      outputTokens: 16,
      generationTimeoutMs: 20_000,
      backend: variant.llama
        ? { requests: () => server!.requests, generationPath: /^\/v1\/(chat\/)?completions$/, firstTokenDelayMs: FIRST_TOKEN_MS, wire: 'llama-server' }
        : { requests: () => server!.requests, generationPath: /^\/v1\/(chat\/)?completions$/, firstTokenDelayMs: FIRST_TOKEN_MS, sampling: SAMPLING_PATHS, wire: 'openai-extended' },
    });

    describe('after the contract suite', () => {
      it('sent the length fields only when told the server honours them, the key as a bearer token, and hung up on the aborted stream', () => {
        const timed = server!.requests.filter((r) => r.path === '/v1/completions');
        const bodies = timed.map((r) => r.json as Record<string, unknown>);
        assert.deepEqual(
          bodies.map((b) => b.max_tokens),
          [16, 1000],
        );
        for (const b of bodies) {
          assert.equal(b.ignore_eos, variant.exact || variant.llama ? true : undefined);
          assert.equal(b.min_tokens, variant.exact ? b.max_tokens : undefined, 'min_tokens only where the user said the server honours it');
        }
        assert.ok(timed.every((r) => r.headers.authorization === 'Bearer sk-local'));
        if (variant.exact || variant.llama) assert.ok(timed[1]!.chunksWritten < 100, `the server stopped after ${timed[1]!.chunksWritten} chunks`);
        const chat = server!.requests.find((r) => r.path === '/v1/chat/completions')!;
        assert.deepEqual(
          (chat.json as { messages: Array<{ role: string }> }).messages.map((m) => m.role),
          ['system', 'user', 'assistant', 'tool', 'user'],
        );
      });
    });
  });
}
