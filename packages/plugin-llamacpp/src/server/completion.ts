/**
 * Streams one generation from llama-server's native POST /completion endpoint. The native
 * endpoint (not /v1/chat/completions) is used because it returns llama-server's own timings
 * (prompt_n, predicted_per_second, cache_n) and token ids, so tokens are counted by id.
 */
import { DriverError, HttpStatusError, now, errorMessage, llamaCppSamplingFields, postJson, postSse, type BackendTimings, type GenerationEvent, type GenerationRequest } from '@llm-speed/framework';
import { toolResultAsUserText } from '../tool-turn.js';

interface CompletionChunk {
  tokens?: number[];
  content?: string;
  stop?: boolean;
  stop_type?: string;
  timings?: { prompt_n?: number; prompt_ms?: number; prompt_per_second?: number; predicted_n?: number; predicted_ms?: number; predicted_per_second?: number; cache_n?: number };
  tokens_predicted?: number;
}

/** Chat requests get the template applied by the server (/apply-template) so /completion keeps timings and cache_n. */
async function promptOf(baseUrl: string, request: GenerationRequest): Promise<string> {
  if (request.prompt !== undefined) return request.prompt;
  const messages = request.messages ?? [];
  const render = async (list: unknown[]) => (await postJson<{ prompt: string }>(`${baseUrl}/apply-template`, { messages: list }, { signal: request.signal, headersTimeoutMs: 30_000 })).prompt;
  try {
    return await render(messages);
  } catch (error) {
    if (!(error instanceof HttpStatusError) || !messages.some((m) => m.role === 'tool')) throw error;
    // Some chat templates reject the tool role: send the tool result as a user turn instead.
    return render(messages.map((m) => (m.role === 'tool' ? { role: 'user', content: toolResultAsUserText(m) } : m)));
  }
}

/**
 * llama-server's own timers (tools/server/server-common.cpp, server_slot_stats::to_json): prompt_n
 * tokens processed in prompt_ms, and its decode rate predicted_per_second over predicted_ms. The
 * decode count is taken back from that rate, so it is whatever the server counts: this llama.cpp
 * counts predicted_n − 1 steps (the first token comes from the prompt's logits), older ones
 * predicted_n.
 */
export function serverTimings(timings: NonNullable<CompletionChunk['timings']>): BackendTimings {
  const out: BackendTimings = {};
  if (typeof timings.prompt_n === 'number' && typeof timings.prompt_ms === 'number') {
    out.promptTokens = timings.prompt_n;
    out.promptMs = timings.prompt_ms;
  }
  if (typeof timings.predicted_ms === 'number' && typeof timings.predicted_per_second === 'number' && timings.predicted_ms > 0) {
    out.decodeTokens = Math.round((timings.predicted_per_second * timings.predicted_ms) / 1000);
    out.decodeMs = timings.predicted_ms;
  }
  return out;
}

export async function* streamCompletion(baseUrl: string, request: GenerationRequest): AsyncGenerator<GenerationEvent> {
  let lastT = 0;
  try {
    const prompt = await promptOf(baseUrl, request);
    // TTFT starts here, not at the /apply-template call above (W5 renders a 16k-token conversation).
    const sentAt = now();
    const events = await postSse(
      `${baseUrl}/completion`,
      {
        prompt,
        n_predict: request.maxTokens,
        ignore_eos: true,
        cache_prompt: request.cachePrompt,
        stream: true,
        return_tokens: true,
        ...llamaCppSamplingFields(request.sampling),
        // Greedy needs only top-k in the sampler chain; the other samplers would be no-ops that
        // still run over the candidates every token.
        samplers: ['top_k'],
      },
      { signal: request.signal, headersTimeoutMs: 120_000, bodyTimeoutMs: 60_000 },
    );
    yield { type: 'sent', t: sentAt };
    for await (const event of events) {
      lastT = event.t;
      const chunk = JSON.parse(event.data) as CompletionChunk;
      const count = chunk.tokens?.length ?? 0;
      if (count > 0) yield { type: 'tokens', t: event.t, count };
      if (chunk.stop) {
        const timings = chunk.timings ?? {};
        const cacheN = timings.cache_n ?? 0;
        yield { type: 'usage', promptTokens: (timings.prompt_n ?? 0) + cacheN, outputTokens: timings.predicted_n, cachedPromptTokens: cacheN, backendTimings: serverTimings(timings) };
        const extras: Record<string, number> = {};
        for (const key of ['prompt_n', 'prompt_ms', 'prompt_per_second', 'predicted_n', 'predicted_ms', 'predicted_per_second', 'cache_n'] as const) {
          const value = timings[key];
          if (typeof value === 'number') extras[key] = value;
        }
        yield { type: 'done', t: event.t, stopReason: chunk.stop_type === 'eos' ? 'eos' : 'length', extras };
        return;
      }
    }
    throw new DriverError('llama.cpp', 'llama-server ended the stream before the final event');
  } catch (error) {
    if (request.signal.aborted) {
      yield { type: 'done', t: lastT, stopReason: 'abort' };
      return;
    }
    if (error instanceof DriverError) throw error;
    throw new DriverError('llama.cpp', `generation failed: ${errorMessage(error)}`, { cause: error });
  }
}
