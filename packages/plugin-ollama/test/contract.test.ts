/**
 * The framework's driver contract suite, run against the Ollama driver talking to a loopback fake
 * daemon. The fake speaks Ollama's API as documented in github.com/ollama/ollama docs/api.md:
 * - "Version" (GET /api/version), "List Local Models" (GET /api/tags), "Show Model Information"
 *   (POST /api/show with model_info["<arch>.context_length"]),
 * - "Load a model" (POST /api/generate with an empty prompt answers one done object, done_reason "load"),
 * - "Generate a completion" / "Generate a chat completion", streaming: application/x-ndjson, one
 *   object per token with "response" (or "message.content"), then a final object with done: true,
 *   done_reason ("length" once options.num_predict tokens are out), prompt_eval_count, eval_count
 *   and durations in nanoseconds.
 * It generates exactly options.num_predict tokens, 1–4 tokens' text a line, one line every few
 * milliseconds after holding the first back for FIRST_TOKEN_MS, and stops writing when the client
 * hangs up. eval_count is the truth about how many tokens were made.
 */
import assert from 'node:assert/strict';
import { runDriverContractTests } from '@llm-speed/framework/contract-tests';
import { startReplayServer, jsonResponse, tokenChunks, type RecordedRequest, type ReplayResponse, type ReplayServer } from '@llm-speed/framework/testing';
import { ollamaDriver } from '../src/index.js';

const MODEL = 'llama3.2:1b';
const created = '2024-11-24T16:00:00.000000Z';
const DETAILS = { parent_model: '', format: 'gguf', family: 'llama', families: ['llama'], parameter_size: '1.2B', quantization_level: 'Q8_0' };
const TAGS = {
  models: [{ name: MODEL, model: MODEL, modified_at: created, size: 1321098329, digest: 'baf6a787fdffd633537aa2eb51cfd54cb93ff08e28040095462bb63daf552878', details: DETAILS }],
};
const SHOW = { details: DETAILS, model_info: { 'general.architecture': 'llama', 'llama.context_length': 131072 } };
/** Milliseconds between two streamed lines (a fast small model). */
const TOKEN_MS = 2;
/** The fake's prefill: the first line leaves this long after the request arrived. */
const FIRST_TOKEN_MS = 25;

interface OllamaBody {
  prompt?: string;
  messages?: Array<{ content: string }>;
  stream?: boolean;
  options?: { num_predict?: number };
}

/** /api/generate and /api/chat: a load for an empty prompt, else a stream of num_predict tokens. */
function generate(chat: boolean) {
  return (request: RecordedRequest): ReplayResponse => {
    const body = request.json as OllamaBody;
    const line = (obj: Record<string, unknown>) => `${JSON.stringify({ model: MODEL, created_at: created, ...obj })}\n`;
    if (!chat && body.prompt === '') return jsonResponse(200, { model: MODEL, created_at: created, response: '', done: true, done_reason: 'load' });
    const n = body.options?.num_predict ?? 128;
    const text = chat ? body.messages!.map((m) => m.content).join(' ') : body.prompt!;
    const promptCount = text.split(/\s+/).filter(Boolean).length;
    const token = (text: string) => (chat ? { message: { role: 'assistant', content: text } } : { response: text });
    let made = 0;
    const chunks = tokenChunks(n).map((size, i) => {
      const text = Array.from({ length: size }, (_, k) => ` ${made + k + 1},`).join('');
      made += size;
      return { data: line({ ...token(text), done: false }), delayMs: i === 0 ? FIRST_TOKEN_MS : TOKEN_MS };
    });
    const final = line({
      ...(chat ? { message: { role: 'assistant', content: '' } } : { response: '' }),
      done: true,
      done_reason: 'length',
      total_duration: 40_000_000 + n * TOKEN_MS * 1e6,
      load_duration: 5_025_959,
      prompt_eval_count: promptCount,
      prompt_eval_duration: 30_000_000,
      eval_count: n,
      eval_duration: n * TOKEN_MS * 1e6,
    });
    return { status: 200, headers: { 'content-type': 'application/x-ndjson' }, chunks: [...chunks, final] };
  };
}

describe('ollama driver against a fake daemon', () => {
  let server: ReplayServer | undefined;
  // Filled in before the suite runs: the contract suite reads the context when each test starts.
  const config: Record<string, unknown> = {};
  before(async () => {
    server = await startReplayServer([
      { method: 'GET', path: '/api/version', response: jsonResponse(200, { version: '0.5.1' }) },
      { method: 'GET', path: '/api/tags', response: jsonResponse(200, TAGS) },
      { method: 'POST', path: '/api/show', response: jsonResponse(200, SHOW) },
      { method: 'POST', path: '/api/generate', response: generate(false) },
      { method: 'POST', path: '/api/chat', response: generate(true) },
    ]);
    config.ollama_host = server.url;
  });
  after(async () => server?.close());

  runDriverContractTests('ollama (loopback fake daemon)', {
    driver: () => ollamaDriver,
    context: { config, cacheDir: '/nonexistent', env: {} },
    modelRef: MODEL,
    outputTokens: 16,
    generationTimeoutMs: 20_000,
    backend: {
      requests: () => server!.requests,
      generationPath: /^\/api\/(generate|chat)$/,
      firstTokenDelayMs: FIRST_TOKEN_MS,
      // Ollama's options (docs/modelfile.md "Valid Parameters and Values").
      sampling: {
        temperature: 'options.temperature',
        topK: 'options.top_k',
        topP: 'options.top_p',
        minP: 'options.min_p',
        repeatPenalty: 'options.repeat_penalty',
        presencePenalty: 'options.presence_penalty',
        frequencyPenalty: 'options.frequency_penalty',
        seed: 'options.seed',
      },
      wire: 'ollama', // METHODOLOGY §3.4.1
    },
  });

  describe('after the contract suite', () => {
    it('asked for exactly the tokens it wanted, and hung up on the aborted stream', () => {
      const timed = server!.requests.filter((r) => r.path === '/api/generate' && (r.json as OllamaBody).prompt !== '');
      assert.deepEqual(
        timed.map((r) => (r.json as OllamaBody).options?.num_predict),
        [16, 1000],
      );
      assert.equal(timed[0]!.chunksWritten, 7 + 1, '16 tokens in seven lines, and the final line');
      assert.ok(timed[1]!.chunksWritten < 100, `the daemon stopped after ${timed[1]!.chunksWritten} lines`);
    });
  });
});
