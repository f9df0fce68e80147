/**
 * OpenAI-compatible streaming (POST /v1/completions or /v1/chat/completions with stream:true),
 * shared by vLLM, mlx_lm.server and the hosted providers.
 *
 * Token counting when chunks are not tokens: a server may pack several tokens into one chunk
 * (detokenizer buffering, speculative decoding) or split one token's bytes across two. So each
 * content-bearing chunk becomes ONE `tokens` event (count 1, or the number of logprob entries when
 * the server sends them) — an arrival mark for TTFT and inter-chunk timing — and the `usage`
 * block at the end (requested with stream_options.include_usage) is the truth the harness uses
 * for output length and throughput: the harness lets `usage.outputTokens` override the sum of
 * `tokens` counts. A stream without usage keeps the chunk-derived count.
 *
 * Wire format: OpenAI API reference, "Chat Completions → streaming" and "Completions" (chunk
 * objects `chat.completion.chunk` / `text_completion`, terminated by `data: [DONE]`; with
 * include_usage a final chunk carries `usage` and an empty `choices`).
 */
import { DriverError, LlmSpeedError } from '../errors.js';
import { now as defaultNow, type Clock } from '../harness/clock.js';
import type { GenerationEvent, GenerationRequest, Sampling } from '../contract/driver.js';
import { openAiSamplingFields } from '../contract/sampling.js';
import { getJson, postSse, HttpStatusError } from './http.js';

export type OpenAiPath = '/v1/completions' | '/v1/chat/completions';

export interface OpenAiStreamOptions {
  /** Server root, e.g. http://127.0.0.1:8000 or https://api.groq.com/openai (no /v1). */
  baseUrl: string;
  path: OpenAiPath;
  /** Request body; the sampling fields, stream and stream_options are added. */
  body: Record<string, unknown>;
  /** The request's sampling (GenerationRequest.sampling), sent as OpenAI-style fields. */
  sampling: Sampling;
  /**
   * 'openai' for the OpenAI API itself, which rejects fields it does not define (top_k, min_p,
   * repetition_penalty); 'extended' (default) for servers that take them (vLLM, llama-server,
   * mlx_lm.server, OpenRouter, Together, Fireworks).
   */
  samplingDialect?: 'openai' | 'extended';
  headers?: Record<string, string>;
  signal?: AbortSignal;
  clock?: Clock;
  /** Name used in error messages (driver or provider). */
  source?: string;
  /** Deadline for the response headers; a hosted queue may take a while. */
  headersTimeoutMs?: number;
}

interface OpenAiChunk {
  choices?: Array<{
    text?: string | null;
    delta?: { content?: string | null; reasoning_content?: string | null };
    finish_reason?: string | null;
    logprobs?: { tokens?: unknown[]; content?: unknown[] } | null;
    token_ids?: unknown[] | null;
  }>;
  usage?: {
    prompt_tokens?: number;
    completion_tokens?: number;
    prompt_tokens_details?: { cached_tokens?: number } | null;
  } | null;
  error?: { message?: string; type?: string; code?: string | number } | string;
}

/** Joins a base URL and an API path, accepting bases that already end with /v1. */
export function joinApiUrl(baseUrl: string, path: string): string {
  const base = baseUrl.replace(/\/+$/, '');
  if (base.endsWith('/v1') && path.startsWith('/v1/')) return base + path.slice(3);
  return base + path;
}

/** Tokens a chunk carries: the server's own count when it sends ids or logprobs, else one mark. */
function chunkTokenCount(choice: NonNullable<OpenAiChunk['choices']>[number]): number {
  const ids = choice.token_ids?.length;
  if (ids) return ids;
  const lp = choice.logprobs?.tokens?.length ?? choice.logprobs?.content?.length;
  if (lp) return lp;
  return 1;
}

function streamErrorMessage(error: NonNullable<OpenAiChunk['error']>): string {
  if (typeof error === 'string') return error;
  return [error.message ?? 'unknown error', error.type, error.code].filter((v) => v !== undefined && v !== null).join(' · ');
}

/** Wraps a transport error so a dropped stream says what happened, without headers or keys. */
function streamBroken(source: string, cause: unknown): LlmSpeedError {
  if (cause instanceof LlmSpeedError) return cause;
  const name = (cause as { name?: string }).name;
  if (name === 'AbortError') return new DriverError(source, 'the request was aborted', { cause });
  const code = (cause as { code?: string }).code;
  return new DriverError(source, `the stream broke before it finished${code ? ` (${code})` : ''}`, {
    cause,
    suggestions: ['Check that the server is still running and look at its log.'],
  });
}

export interface OpenAiRequestOptions {
  /**
   * Ask for exactly `maxTokens`: adds `ignore_eos: true` and `min_tokens` (vLLM's and SGLang's
   * extra sampling parameters; llama-server reads `ignore_eos`). Only for a server that honours
   * them — an OpenAI-compatible server that does not simply ignores unknown fields, so the driver
   * must then report `exact_output_length: false` and let the harness flag a short output.
   */
  exactLength?: boolean;
}

/**
 * The path and body of one generation request in the OpenAI wire format: a `prompt` (W1–W4) goes
 * to /v1/completions, `messages` (W5) to /v1/chat/completions as they are (role, content, and
 * `name` on a tool turn). `max_tokens` always; the sampling fields, `stream` and `stream_options`
 * are added by streamOpenAiCompletion. Driver-specific fields (vLLM's cache_salt, a provider's
 * spelling) are merged into the returned body by the driver.
 */
export function openAiRequest(
  model: string,
  request: Pick<GenerationRequest, 'prompt' | 'messages' | 'maxTokens'>,
  options: OpenAiRequestOptions = {},
): { path: OpenAiPath; body: Record<string, unknown> } {
  const length = { max_tokens: request.maxTokens, ...(options.exactLength ? { min_tokens: request.maxTokens, ignore_eos: true } : {}) };
  if (request.messages) {
    const messages = request.messages.map((m) => ({ role: m.role, content: m.content, ...(m.name ? { name: m.name } : {}) }));
    return { path: '/v1/chat/completions', body: { model, messages, ...length } };
  }
  return { path: '/v1/completions', body: { model, prompt: request.prompt ?? '', ...length } };
}

export async function* streamOpenAiCompletion(options: OpenAiStreamOptions): AsyncGenerator<GenerationEvent> {
  const clock = options.clock ?? defaultNow;
  const source = options.source ?? 'openai-compatible';
  const url = joinApiUrl(options.baseUrl, options.path);
  // The body's own fields win: a provider that spells a setting differently overrides it there.
  const body = { ...openAiSamplingFields(options.sampling, options.samplingDialect), ...options.body, stream: true, stream_options: { include_usage: true } };
  const events = await postSse(url, body, {
    headers: { accept: 'text/event-stream', ...options.headers },
    signal: options.signal,
    headersTimeoutMs: options.headersTimeoutMs ?? 120_000,
    clock,
  });

  let stopReason: string | undefined;
  let sawDone = false;
  let lastT: number | undefined;
  try {
    for await (const event of events) {
      lastT = event.t;
      if (event.data === '[DONE]') {
        sawDone = true;
        break;
      }
      let chunk: OpenAiChunk;
      try {
        chunk = JSON.parse(event.data) as OpenAiChunk;
      } catch {
        throw new DriverError(source, `sent a stream event that is not JSON: ${event.data.slice(0, 120)}`);
      }
      if (chunk.error) throw new DriverError(source, `reported an error mid-stream: ${streamErrorMessage(chunk.error)}`);
      for (const choice of chunk.choices ?? []) {
        const content = choice.text ?? choice.delta?.content ?? choice.delta?.reasoning_content;
        if (content) yield { type: 'tokens', t: event.t, count: chunkTokenCount(choice) };
        if (choice.finish_reason) stopReason = choice.finish_reason;
      }
      if (chunk.usage) {
        yield {
          type: 'usage',
          promptTokens: chunk.usage.prompt_tokens,
          outputTokens: chunk.usage.completion_tokens,
          cachedPromptTokens: chunk.usage.prompt_tokens_details?.cached_tokens ?? undefined,
        };
      }
    }
  } catch (error) {
    throw streamBroken(source, error);
  }
  // A stream that closes without [DONE] or a finish_reason was cut off: no silent short result.
  if (!sawDone && stopReason === undefined) {
    throw new DriverError(source, 'the stream ended before the server finished (no [DONE])', {
      suggestions: ['Check that the server is still running and look at its log.'],
    });
  }
  yield { type: 'done', t: lastT ?? clock(), stopReason };
}

export interface OpenAiModel {
  id: string;
  owned_by?: string;
  created?: number;
  /** vLLM reports the context length it serves with. */
  max_model_len?: number;
  [key: string]: unknown;
}

/** GET /v1/models. */
export async function listOpenAiModels(baseUrl: string, headers: Record<string, string> = {}, options: { signal?: AbortSignal; timeoutMs?: number } = {}): Promise<OpenAiModel[]> {
  const answer = await getJson<{ data?: OpenAiModel[] }>(joinApiUrl(baseUrl, '/v1/models'), {
    headers,
    signal: options.signal,
    headersTimeoutMs: options.timeoutMs ?? 5_000,
    bodyTimeoutMs: options.timeoutMs ?? 5_000,
  });
  return Array.isArray(answer.data) ? answer.data : [];
}

/** Pulls the provider's own message out of an OpenAI-style error body ({"error":{"message":...}}). */
export function providerErrorMessage(error: unknown): string | undefined {
  if (!(error instanceof HttpStatusError)) return undefined;
  try {
    const parsed = JSON.parse(error.body) as { error?: { message?: string } | string; message?: string; detail?: string };
    if (typeof parsed.error === 'string') return parsed.error;
    return parsed.error?.message ?? parsed.message ?? parsed.detail;
  } catch {
    return error.body ? error.body.slice(0, 300) : undefined;
  }
}
