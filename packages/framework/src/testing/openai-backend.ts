/**
 * A stand-in OpenAI-compatible inference server for the replay server: routes that answer
 * `GET /v1/models`, `POST /v1/completions` and `POST /v1/chat/completions` the way the OpenAI API
 * reference describes them ("Completions" and "Chat Completions → streaming": SSE chunks
 * `text_completion` / `chat.completion.chunk`, then `data: [DONE]`; with
 * `stream_options.include_usage` a last chunk with empty `choices` and `usage`), as vLLM, SGLang,
 * llama-server, LM Studio and llamafile serve it.
 *
 * The fake model ends its answer on its own after `eosAt` tokens (finish_reason "stop"). Only a
 * server that honours the extra length fields (`honours: ['ignore_eos', 'min_tokens']`, as vLLM
 * and SGLang do) then keeps going to max_tokens; one that does not ignores them, as a plain
 * OpenAI-compatible server ignores fields it does not know — so a driver's claim of exact output
 * length rests on what the server really does. Tokens stream 1–4 to a chunk (tokenChunks), the
 * first held back `firstTokenMs` after the request arrived, and a client that hangs up stops the
 * stream (the replay server's `chunksWritten`).
 */
import { jsonResponse, sseResponse, tokenChunks, type RecordedRequest, type ReplayResponse, type ReplayRoute } from './replay-server.js';

export interface OpenAiBackendOptions {
  /** The model id the server serves; other ids get the OpenAI-style 404 error. */
  model: string;
  /** Extra fields of the /v1/models entry (vLLM's max_model_len). */
  modelFields?: Record<string, unknown>;
  /** The model's own answer length in tokens (default 10). */
  eosAt?: number;
  /** Length fields the server honours (default none: a plain OpenAI-compatible server). */
  honours?: Array<'ignore_eos' | 'min_tokens'>;
  /** Prefill: the first chunk leaves this long after the request (default 25 ms). */
  firstTokenMs?: number;
  /** Between two chunks (default 2 ms). */
  tokenMs?: number;
  /** `cached_tokens` to report in usage.prompt_tokens_details, per request (default none). */
  cachedTokens?: (request: RecordedRequest) => number | undefined;
  /** Path prefix the routes answer under (default '/v1'; '' for none). */
  prefix?: string;
}

interface CompletionBody {
  model?: string;
  prompt?: string;
  messages?: Array<{ content?: string }>;
  max_tokens?: number;
  min_tokens?: number;
  ignore_eos?: boolean;
  stream_options?: { include_usage?: boolean };
}

/** How many tokens the fake generates for a request. */
function produced(body: CompletionBody, options: OpenAiBackendOptions): number {
  const max = body.max_tokens ?? 16;
  const eosAt = options.eosAt ?? 10;
  const honours = options.honours ?? [];
  if (honours.includes('ignore_eos') && body.ignore_eos) return max;
  const floor = honours.includes('min_tokens') ? (body.min_tokens ?? 0) : 0;
  return Math.min(max, Math.max(eosAt, floor));
}

function completion(chat: boolean, options: OpenAiBackendOptions) {
  return (request: RecordedRequest): ReplayResponse => {
    const body = (request.json ?? {}) as CompletionBody;
    if (body.model !== options.model) {
      return jsonResponse(404, { error: { message: `The model \`${body.model}\` does not exist.`, type: 'invalid_request_error', param: 'model', code: 'model_not_found' } });
    }
    const max = body.max_tokens ?? 16;
    const count = produced(body, options);
    const promptTokens = (chat ? (body.messages ?? []).map((m) => m.content ?? '').join(' ') : (body.prompt ?? '')).split(/\s+/).filter(Boolean).length;
    const head = { id: chat ? 'chatcmpl-fake' : 'cmpl-fake', object: chat ? 'chat.completion.chunk' : 'text_completion', created: 1732460000, model: options.model };
    const choice = (text: string, finish: string | null) =>
      chat ? { index: 0, delta: { content: text }, logprobs: null, finish_reason: finish } : { index: 0, text, logprobs: null, finish_reason: finish };
    const event = (obj: Record<string, unknown>, delayMs = 0) => ({ data: `data: ${JSON.stringify({ ...head, ...obj })}\n\n`, delayMs });
    let sent = 0;
    const chunks = tokenChunks(count).map((size, i) => {
      const text = Array.from({ length: size }, (_, k) => ` ${sent + k + 1},`).join('');
      sent += size;
      const finish = sent === count ? (count === max ? 'length' : 'stop') : null;
      return event({ choices: [choice(text, finish)] }, i === 0 ? (options.firstTokenMs ?? 25) : (options.tokenMs ?? 2));
    });
    if (body.stream_options?.include_usage) {
      const cached = options.cachedTokens?.(request);
      chunks.push(
        event({
          choices: [],
          usage: { prompt_tokens: promptTokens, completion_tokens: count, total_tokens: promptTokens + count, ...(cached !== undefined ? { prompt_tokens_details: { cached_tokens: cached } } : {}) },
        }),
      );
    }
    chunks.push({ data: 'data: [DONE]\n\n', delayMs: 0 });
    return sseResponse(chunks);
  };
}

/** Replay routes for a fake OpenAI-compatible server serving one model. */
export function openAiBackendRoutes(options: OpenAiBackendOptions): ReplayRoute[] {
  const prefix = options.prefix ?? '/v1';
  return [
    {
      method: 'GET',
      path: `${prefix}/models`,
      response: jsonResponse(200, { object: 'list', data: [{ id: options.model, object: 'model', created: 1732460000, owned_by: 'organization_owner', ...options.modelFields }] }),
    },
    { method: 'POST', path: `${prefix}/completions`, response: completion(false, options) },
    { method: 'POST', path: `${prefix}/chat/completions`, response: completion(true, options) },
  ];
}
