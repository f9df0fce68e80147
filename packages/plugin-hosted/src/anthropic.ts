/**
 * Anthropic Messages API streaming adapter (POST /v1/messages, stream:true), mapped to the
 * harness's GenerationEvents. Event flow (Anthropic docs, "Streaming Messages"): message_start
 * (message.usage.input_tokens and cache counts), per content block content_block_start /
 * content_block_delta (text_delta) / content_block_stop, message_delta (cumulative
 * usage.output_tokens, delta.stop_reason), message_stop; any number of `ping` events; an `error`
 * event (e.g. overloaded_error) may arrive mid-stream.
 */
import { DriverError, postSse, requestSampling, type ChatMessage, type GenerationEvent, type Sampling } from '@llm-speed/framework';

export const ANTHROPIC_VERSION = '2023-06-01';

export interface AnthropicStreamOptions {
  baseUrl: string;
  apiKey: string;
  model: string;
  messages: ChatMessage[];
  maxTokens: number;
  sampling: Sampling;
  signal?: AbortSignal;
  source: string;
}

interface AnthropicUsage {
  input_tokens?: number;
  output_tokens?: number;
  cache_read_input_tokens?: number | null;
  cache_creation_input_tokens?: number | null;
}

interface AnthropicEvent {
  type?: string;
  message?: { usage?: AnthropicUsage };
  delta?: { type?: string; text?: string; thinking?: string; stop_reason?: string | null };
  usage?: AnthropicUsage;
  error?: { type?: string; message?: string };
}

/** System messages become the top-level `system` field; the API has no "tool" role for plain text. */
function toAnthropicBody(options: AnthropicStreamOptions): Record<string, unknown> {
  const system = options.messages
    .filter((m) => m.role === 'system')
    .map((m) => m.content)
    .join('\n\n');
  const messages = options.messages.filter((m) => m.role !== 'system').map((m) => ({ role: m.role === 'assistant' ? 'assistant' : 'user', content: m.content }));
  // The Messages API's sampling fields are temperature, top_k and top_p, and newer models refuse
  // temperature and top_p together: greedy is temperature 0 with top_k 1. It has no seed.
  const { temperature, topK } = requestSampling(options);
  return { model: options.model, max_tokens: options.maxTokens, messages, ...(system ? { system } : {}), temperature, top_k: topK, stream: true };
}

export async function* streamAnthropicMessages(options: AnthropicStreamOptions): AsyncGenerator<GenerationEvent> {
  const events = await postSse(`${options.baseUrl.replace(/\/+$/, '')}/v1/messages`, toAnthropicBody(options), {
    headers: { 'x-api-key': options.apiKey, 'anthropic-version': ANTHROPIC_VERSION, accept: 'text/event-stream' },
    signal: options.signal,
    headersTimeoutMs: 120_000,
  });
  let inputTokens: number | undefined;
  let cachedTokens: number | undefined;
  let outputTokens: number | undefined;
  let stopReason: string | undefined;
  for await (const event of events) {
    if (event.event === 'ping') continue;
    let data: AnthropicEvent;
    try {
      data = JSON.parse(event.data) as AnthropicEvent;
    } catch {
      throw new DriverError(options.source, `sent a stream event that is not JSON: ${event.data.slice(0, 120)}`);
    }
    switch (data.type ?? event.event) {
      case 'message_start': {
        const usage = data.message?.usage ?? {};
        cachedTokens = usage.cache_read_input_tokens ?? undefined;
        // input_tokens counts only the uncached part; the prompt is all three together.
        inputTokens = (usage.input_tokens ?? 0) + (usage.cache_read_input_tokens ?? 0) + (usage.cache_creation_input_tokens ?? 0);
        outputTokens = usage.output_tokens;
        break;
      }
      case 'content_block_delta': {
        const text = data.delta?.type === 'text_delta' ? data.delta.text : data.delta?.type === 'thinking_delta' ? data.delta.thinking : undefined;
        if (text) yield { type: 'tokens', t: event.t, count: 1 };
        break;
      }
      case 'message_delta':
        if (data.usage?.output_tokens !== undefined) outputTokens = data.usage.output_tokens;
        if (data.delta?.stop_reason) stopReason = data.delta.stop_reason;
        break;
      case 'message_stop':
        yield { type: 'usage', promptTokens: inputTokens, outputTokens, cachedPromptTokens: cachedTokens };
        yield { type: 'done', t: event.t, stopReason };
        return;
      case 'error':
        throw new DriverError(options.source, `reported an error mid-stream: ${data.error?.message ?? 'unknown error'}${data.error?.type ? ` (${data.error.type})` : ''}`);
      default:
        // content_block_start/stop and event types added later carry nothing to time.
        break;
    }
  }
  throw new DriverError(options.source, 'the stream ended before message_stop');
}
