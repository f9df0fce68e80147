/**
 * A third-party driver written only from docs/DRIVERS.md, for the imaginary "tinyserve" backend:
 * GET /version answers {"version"}, and the rest is the OpenAI-compatible API, so generation is
 * the framework's shared streamOpenAiCompletion (DRIVERS.md §3) and the driver adds only
 * detection, model listing and cleanup.
 */
import { DriverError, getJson, listOpenAiModels, streamOpenAiCompletion, type Driver, type DriverCapabilities, type DriverContext, type ModelInfo } from '@llm-speed/framework';

const NAME = 'tinyserve';
const CAPABILITIES: DriverCapabilities = { streaming: true, true_concurrency: true, prefix_cache_stats: false, exact_output_length: true };
const PROBE = { headersTimeoutMs: 2_000, bodyTimeoutMs: 2_000 };

const baseUrl = (ctx: DriverContext) => String(ctx.env.LLM_SPEED_TINYSERVE_URL ?? 'http://127.0.0.1:9123').replace(/\/+$/, '');

async function version(url: string, signal: AbortSignal): Promise<string | undefined> {
  try {
    return (await getJson<{ version: string }>(`${url}/version`, { signal, ...PROBE })).version;
  } catch {
    return undefined;
  }
}

async function models(url: string, signal: AbortSignal): Promise<ModelInfo[]> {
  return (await listOpenAiModels(url, {}, { signal, timeoutMs: 2_000 })).map((m) => ({ identifier: m.id, name: m.id }));
}

export const tinyserveDriver: Driver = {
  name: NAME,

  async detect(ctx) {
    const url = baseUrl(ctx);
    const v = await version(url, ctx.signal);
    return v === undefined
      ? { name: NAME, available: false, reason: `no tinyserve answers at ${url} (set LLM_SPEED_TINYSERVE_URL)` }
      : { name: NAME, available: true, version: v, reason: `tinyserve at ${url}`, capabilities: CAPABILITIES };
  },

  listModels: (ctx) => models(baseUrl(ctx), ctx.signal),

  async open(modelRef, _options, ctx) {
    const url = baseUrl(ctx);
    const v = await version(url, ctx.signal);
    if (v === undefined) throw new DriverError(NAME, `no tinyserve answers at ${url}`, { suggestions: ['Start it, or set LLM_SPEED_TINYSERVE_URL.'] });
    const served = await models(url, ctx.signal);
    const info = modelRef === undefined ? served[0] : served.find((m) => m.identifier === modelRef);
    if (!info) throw new DriverError(NAME, `model "${modelRef}" is not served at ${url}`);
    // close() aborts every request still streaming; each request also follows its own signal.
    const closing = new AbortController();
    return {
      model: { identifier: info.identifier, name: info.name },
      backendVersion: v,
      capabilities: CAPABILITIES,
      extras: {},
      generate: (request) =>
        streamOpenAiCompletion({
          baseUrl: url,
          path: '/v1/completions',
          source: NAME,
          signal: AbortSignal.any([request.signal, closing.signal]),
          sampling: request.sampling,
          body: { model: info.identifier, prompt: request.prompt ?? (request.messages ?? []).map((m) => m.content).join('\n'), max_tokens: request.maxTokens, ignore_eos: true },
        }),
      async close() {
        closing.abort();
      },
    };
  },
};
