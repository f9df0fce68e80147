/**
 * The Ollama driver: talks to a running Ollama daemon over its HTTP API (ollama/ollama
 * docs/api.md). Generation streams NDJSON, one object per token; the final object (done: true)
 * carries Ollama's own counters and durations (nanoseconds), kept in extras.
 *
 * Ollama has no way to ignore end-of-sequence, so output length is not exact: when a stream
 * stops early the done event says "eos" and the harness flags the result.
 */
import {
  DriverError,
  getJson,
  postJson,
  postNdjson,
  LlmSpeedError,
  ollamaSamplingOptions,
  SUITE_SAMPLING,
  WARMUP_PROMPT,
  type BackendBuild,
  type Driver,
  type DriverCapabilities,
  type DriverContext,
  type DriverDetection,
  type DriverSession,
  type Extras,
  type GenerationEvent,
  type GenerationRequest,
  type ModelInfo,
} from '@llm-speed/framework';

export const DEFAULT_OLLAMA_HOST = 'http://127.0.0.1:11434';
const NAME = 'ollama';
/** Detection must not stall `llm-speed detect` when no daemon listens. */
const PROBE_TIMEOUT_MS = 2_000;
/** Loading a large model from disk can take minutes. */
const LOAD_TIMEOUT_MS = 600_000;
/** Keeps the model resident between workload requests, so no request pays a reload. */
const KEEP_ALIVE = '10m';
/** What evictPromptCache() generates from: the warm-up's text, which no suite prompt starts like (METHODOLOGY §3.4). */
const EVICT_PROMPT = WARMUP_PROMPT;

const CAPABILITIES: DriverCapabilities = {
  streaming: true,
  true_concurrency: true,
  prefix_cache_stats: false,
  exact_output_length: false,
};

/** Base URL: config ollama_host, then LLM_SPEED_OLLAMA_HOST, then OLLAMA_HOST (may lack a scheme), then localhost. */
export function ollamaHost(ctx: Pick<DriverContext, 'config' | 'env'>): string {
  const configured = [ctx.config.ollama_host, ctx.env.LLM_SPEED_OLLAMA_HOST, ctx.env.OLLAMA_HOST].find((v): v is string => typeof v === 'string' && v.length > 0);
  if (!configured) return DEFAULT_OLLAMA_HOST;
  let url = /^https?:\/\//.test(configured) ? configured : `http://${configured}`;
  // OLLAMA_HOST=0.0.0.0 means "listen everywhere"; a client reaches it on loopback.
  url = url.replace('://0.0.0.0', '://127.0.0.1');
  if (!/:\d+(\/|$)/.test(url.replace(/^https?:\/\//, ''))) url = url.replace(/\/*$/, '') + ':11434';
  return url.replace(/\/+$/, '');
}

interface OllamaTag {
  name: string;
  model?: string;
  digest?: string;
  details?: { parameter_size?: string; quantization_level?: string; family?: string };
}

interface OllamaShow {
  details?: { parameter_size?: string; quantization_level?: string; family?: string };
  model_info?: Record<string, unknown>;
}

/** One NDJSON object of /api/generate or /api/chat. */
interface OllamaChunk {
  response?: string;
  thinking?: string;
  message?: { content?: string; thinking?: string };
  done?: boolean;
  done_reason?: string;
  error?: string;
  prompt_eval_count?: number;
  prompt_eval_duration?: number;
  eval_count?: number;
  eval_duration?: number;
  load_duration?: number;
  total_duration?: number;
}

const nsToMs = (ns: number | undefined): number | null => (typeof ns === 'number' ? Math.round(ns / 1e4) / 100 : null);

/** One loaded model of GET /api/ps ("List Running Models"): size is its whole footprint, size_vram the part in GPU memory. */
interface OllamaRunning {
  name?: string;
  model?: string;
  size?: number;
  size_vram?: number;
}

/**
 * Where Ollama put the model, from /api/ps: what `ollama ps` prints as "100% GPU", "100% CPU" or
 * "48%/52% CPU/GPU". Ollama names no GPU API: a model wholly in system memory is `cpu`, GPU memory
 * on macOS is Metal, anything else on a GPU is `unknown` with the split in extras.
 */
export function ollamaPlacement(running: OllamaRunning | undefined, platform: NodeJS.Platform = process.platform): { build: BackendBuild; processor?: string } {
  if (!running || typeof running.size !== 'number' || running.size <= 0) return { build: { kind: 'unknown' } };
  const vram = Math.max(0, Math.min(running.size, running.size_vram ?? 0));
  const gpuShare = Math.round((vram / running.size) * 100);
  const processor = gpuShare === 0 ? '100% CPU' : gpuShare === 100 ? '100% GPU' : `${100 - gpuShare}%/${gpuShare}% CPU/GPU`;
  if (gpuShare === 0) return { build: { kind: 'cpu' }, processor };
  return { build: { kind: platform === 'darwin' ? 'metal' : 'unknown' }, processor };
}

/** The lowest token count any tokenizer gives these texts: eight characters a token (prose runs ~4, code ~3). */
const promptTokenFloor = (text: string) => Math.floor(text.length / 8);

function toModelInfo(tag: OllamaTag): ModelInfo {
  return {
    identifier: tag.name,
    name: tag.name,
    ...(tag.digest ? { digest: `sha256:${tag.digest.replace(/^sha256:/, '')}` } : {}),
    ...(tag.details?.parameter_size ? { size: tag.details.parameter_size } : {}),
    ...(tag.details?.quantization_level ? { quant: tag.details.quantization_level } : {}),
  };
}

/** Context length from /api/show's model_info ("<arch>.context_length"). */
function contextLength(show: OllamaShow): number | undefined {
  for (const [key, value] of Object.entries(show.model_info ?? {})) {
    if (key.endsWith('.context_length') && typeof value === 'number') return value;
  }
  return undefined;
}

async function listTags(host: string, signal?: AbortSignal): Promise<OllamaTag[]> {
  const answer = await getJson<{ models?: OllamaTag[] }>(`${host}/api/tags`, { signal, headersTimeoutMs: 10_000 });
  return answer.models ?? [];
}

function stopReason(doneReason: string | undefined): string | undefined {
  if (doneReason === 'stop') return 'eos';
  return doneReason;
}

/** Streams one generation; exported for tests. */
export async function* ollamaGeneration(host: string, model: string, numCtx: number, request: GenerationRequest): AsyncGenerator<GenerationEvent> {
  const chat = request.messages !== undefined;
  const options = { ...ollamaSamplingOptions(request.sampling), num_predict: request.maxTokens, num_ctx: numCtx };
  const body = chat
    ? { model, messages: request.messages!.map((m) => ({ role: m.role, content: m.content, ...(m.name ? { tool_name: m.name } : {}) })), stream: true, options, keep_alive: KEEP_ALIVE }
    : { model, prompt: request.prompt ?? '', raw: true, stream: true, options, keep_alive: KEEP_ALIVE };
  const lines = await postNdjson(`${host}${chat ? '/api/chat' : '/api/generate'}`, body, {
    signal: request.signal,
    headersTimeoutMs: LOAD_TIMEOUT_MS,
  });
  let final: OllamaChunk | undefined;
  let lastT: number | undefined;
  try {
    for await (const { value, t } of lines) {
      lastT = t;
      const chunk = value as OllamaChunk;
      if (chunk.error) throw new DriverError(NAME, `Ollama reported an error mid-stream: ${chunk.error}`);
      // Reasoning models stream "thinking" tokens separately; they are generated tokens all the same.
      const text = chat ? chunk.message?.content || chunk.message?.thinking : chunk.response || chunk.thinking;
      if (text) yield { type: 'tokens', t, count: 1 };
      if (chunk.done) {
        final = chunk;
        break;
      }
    }
  } catch (error) {
    if (error instanceof LlmSpeedError) throw error;
    const name = (error as { name?: string }).name;
    if (name === 'AbortError' || request.signal.aborted) throw new DriverError(NAME, 'the request was aborted', { cause: error });
    const code = (error as { code?: string }).code;
    throw new DriverError(NAME, `the stream broke before it finished${code ? ` (${code})` : ''}`, {
      cause: error,
      suggestions: ['Check that `ollama serve` is still running and look at its log.'],
    });
  }
  if (!final) {
    throw new DriverError(NAME, 'the stream ended before Ollama sent its final (done) line', {
      suggestions: ['Check that `ollama serve` is still running and look at its log.'],
    });
  }
  // Ollama reuses a cached prompt prefix on its own and cannot be told not to; it then counts only
  // the tokens it evaluated. A count below any tokenizer's floor for the text means it reused one.
  const text = chat ? request.messages!.map((m) => m.content).join('\n') : (request.prompt ?? '');
  const promptReuse = typeof final.prompt_eval_count === 'number' && final.prompt_eval_count < promptTokenFloor(text);
  yield {
    type: 'usage',
    promptTokens: final.prompt_eval_count,
    outputTokens: final.eval_count,
    promptReuse,
    // Ollama's own rate is eval_count / eval_duration (docs/api.md, "Durations").
    backendTimings: {
      promptTokens: final.prompt_eval_count,
      promptMs: typeof final.prompt_eval_duration === 'number' ? final.prompt_eval_duration / 1e6 : undefined,
      decodeTokens: final.eval_count,
      decodeMs: typeof final.eval_duration === 'number' ? final.eval_duration / 1e6 : undefined,
    },
  };
  const extras: Extras = {
    prompt_eval_count: final.prompt_eval_count ?? null,
    prompt_eval_duration_ms: nsToMs(final.prompt_eval_duration),
    eval_count: final.eval_count ?? null,
    eval_duration_ms: nsToMs(final.eval_duration),
    load_duration_ms: nsToMs(final.load_duration),
  };
  yield { type: 'done', t: lastT!, stopReason: stopReason(final.done_reason), extras };
}

export const ollamaDriver: Driver = {
  name: NAME,

  async detect(ctx): Promise<DriverDetection> {
    const host = ollamaHost(ctx);
    try {
      const answer = await getJson<{ version?: string }>(`${host}/api/version`, { signal: ctx.signal, headersTimeoutMs: PROBE_TIMEOUT_MS, bodyTimeoutMs: PROBE_TIMEOUT_MS });
      const version = typeof answer.version === 'string' ? answer.version : 'unknown';
      return { name: NAME, available: true, version, reason: `Ollama daemon at ${host}`, capabilities: CAPABILITIES };
    } catch {
      return { name: NAME, available: false, reason: `no Ollama daemon answers at ${host} (start it with \`ollama serve\`, or set OLLAMA_HOST)` };
    }
  },

  async listModels(ctx): Promise<ModelInfo[]> {
    return (await listTags(ollamaHost(ctx), ctx.signal)).map(toModelInfo);
  },

  async open(modelRef, options, ctx): Promise<DriverSession> {
    const host = ollamaHost(ctx);
    const tags = await listTags(host, ctx.signal);
    if (tags.length === 0) {
      throw new DriverError(NAME, 'Ollama has no models', { suggestions: ['Pull one first, e.g. `ollama pull llama3.2:1b`.'] });
    }
    const tag = modelRef === undefined ? tags[0]! : tags.find((t) => t.name === modelRef || t.model === modelRef || t.name === `${modelRef}:latest`);
    if (!tag) {
      throw new DriverError(NAME, `Ollama has no model "${modelRef}"`, {
        suggestions: [
          `Pull it with \`ollama pull ${modelRef}\`, or pick one of: ${tags
            .map((t) => t.name)
            .slice(0, 8)
            .join(', ')}`,
        ],
      });
    }
    const show = await postJson<OllamaShow>(`${host}/api/show`, { model: tag.name }, { signal: ctx.signal });
    const info = toModelInfo(tag);
    const maxContext = contextLength(show);
    // Never more than the model holds (W3 tiers beyond it are skipped), never under Ollama's 2048.
    const contextFor = (tokens: number) => Math.max(2048, maxContext ? Math.min(tokens, maxContext) : tokens);
    // Ollama reloads a model whose num_ctx changes, so every change is loaded here, untimed (an
    // empty prompt only loads): no timed request's TTFT includes reading weights or a reload.
    const load = async (numCtx: number) => {
      ctx.log(`Loading ${tag.name} in Ollama (num_ctx ${numCtx})...`);
      await postJson(
        `${host}/api/generate`,
        { model: tag.name, prompt: '', stream: false, keep_alive: KEEP_ALIVE, options: { num_ctx: numCtx } },
        { signal: ctx.signal, headersTimeoutMs: LOAD_TIMEOUT_MS, bodyTimeoutMs: LOAD_TIMEOUT_MS },
      );
    };
    let numCtx = contextFor(options.contextTokens);
    await load(numCtx);
    const placement = async () => {
      const ps = await getJson<{ models?: OllamaRunning[] }>(`${host}/api/ps`, { signal: ctx.signal, headersTimeoutMs: PROBE_TIMEOUT_MS }).catch(() => ({ models: [] }));
      return ollamaPlacement(ps.models?.find((m) => m.name === tag.name || m.model === tag.name));
    };
    let where = await placement();
    const version = await getJson<{ version?: string }>(`${host}/api/version`, { signal: ctx.signal, headersTimeoutMs: PROBE_TIMEOUT_MS })
      .then((v) => v.version ?? 'unknown')
      .catch(() => 'unknown');
    const session: DriverSession = {
      model: {
        identifier: info.identifier,
        name: info.name,
        size: info.size ?? show.details?.parameter_size ?? null,
        quant: info.quant ?? show.details?.quantization_level ?? null,
        digest: info.digest ?? null,
      },
      backendVersion: version,
      capabilities: { ...CAPABILITIES, max_context_tokens: maxContext ?? null },
      backendBuild: where.build,
      extras: { num_ctx: numCtx, ...(show.details?.family ? { family: show.details.family } : {}), ...(where.processor ? { processor: where.processor } : {}) },
      flags: ['model-warmed'],
      // Each workload runs with the context it needs: W1 does not carry W3's 128k KV cache.
      async prepare(needs) {
        const wanted = contextFor(needs.contextTokens);
        if (wanted === numCtx) return;
        await load(wanted);
        numCtx = wanted;
        // A larger context can push layers out of GPU memory: read the placement again.
        where = await placement();
        session.backendBuild = where.build;
        session.extras = { ...session.extras, num_ctx: numCtx, ...(where.processor ? { processor: where.processor } : {}) };
      },
      generate: (request) => ollamaGeneration(host, tag.name, numCtx, request),
      // Ollama reuses a cached prefix on its own and has no per-request switch (its API has none).
      // Its runner keeps one cached prompt per slot, and one slot by default (OLLAMA_NUM_PARALLEL=1):
      // a one-token generation on a prompt no suite text starts like replaces it, so a repeated
      // prompt is evaluated again. With more slots it may survive; the result then says warm-cache.
      async evictPromptCache() {
        const evict = { prompt: EVICT_PROMPT, maxTokens: 1, cachePrompt: false, sampling: SUITE_SAMPLING, signal: ctx.signal };
        for await (const _event of ollamaGeneration(host, tag.name, numCtx, evict));
      },
      async close() {
        // The daemon owns the model; keep_alive lets it unload on its own schedule.
      },
    };
    return session;
  },
};
