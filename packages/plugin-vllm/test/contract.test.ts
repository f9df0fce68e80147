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
 * otherwise it streams exactly max_tokens, one chunk every few milliseconds, and stops writing
 * when the client hangs up.
 */
import assert from 'node:assert/strict';
import { tmpdir } from 'node:os';
import { runDriverContractTests } from '@llm-speed/framework/contract-tests';
import { startReplayServer, jsonResponse, sseResponse, type RecordedRequest, type ReplayResponse, type ReplayServer } from '@llm-speed/framework/testing';
import { vllmDriver } from '../src/index.js';

const MODEL = 'Qwen/Qwen3-0.6B';
/** Where the fake model would end its answer on its own. */
const EOS_AT = 10;
/** Milliseconds between two generated tokens. */
const TOKEN_MS = 2;

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
    const chunks = Array.from({ length: produced }, (_, i) => ({
      ...event({ choices: [choice(` ${i + 1},`, i === produced - 1 ? (produced === max ? 'length' : 'stop') : null)], usage: null }),
      delayMs: TOKEN_MS,
    }));
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
  });

  describe('after the contract suite', () => {
    it('asked for exactly the tokens it wanted, and hung up on the aborted stream', () => {
      const timed = server!.requests.filter((r) => r.path === '/v1/completions');
      assert.deepEqual(timed.map((r) => (r.json as CompletionBody).max_tokens), [16, 1000]);
      assert.equal(timed[0]!.chunksWritten, 16 + 2, '16 tokens, the usage chunk and [DONE]');
      assert.ok(timed[1]!.chunksWritten < 100, `the server stopped after ${timed[1]!.chunksWritten} chunks`);
    });
  });
});
