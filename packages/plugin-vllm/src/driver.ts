/**
 * The vLLM driver: talks to a running OpenAI-compatible vLLM server (`vllm serve <model>`).
 * Output length is exact (ignore_eos + min_tokens = max_tokens, vLLM's extra sampling params),
 * and prefix-cache hits come from the server's own Prometheus counters.
 */
import {
  DriverError,
  getJson,
  getText,
  listOpenAiModels,
  openAiRequest,
  missingModules,
  probePython,
  pythonFor,
  streamOpenAiCompletion,
  type Driver,
  type DriverCapabilities,
  type DriverContext,
  type DriverDetection,
  type DriverSession,
  type GenerationRequest,
  type ModelInfo,
  type OpenAiModel,
} from '@llm-speed/framework';
import { randomUUID } from 'node:crypto';
import { prefixCacheCounters } from './cache-counters.js';

export const DEFAULT_VLLM_URL = 'http://127.0.0.1:8000';
const NAME = 'vllm';
/** Detection must not stall `llm-speed detect` when nothing listens. */
const PROBE_TIMEOUT_MS = 2_000;

const CAPABILITIES: DriverCapabilities = {
  streaming: true,
  true_concurrency: true,
  prefix_cache_stats: true,
  exact_output_length: true,
};

export function vllmUrl(ctx: DriverContext): string {
  const configured = ctx.config.vllm_url ?? ctx.env.LLM_SPEED_VLLM_URL;
  return (typeof configured === 'string' && configured ? configured : DEFAULT_VLLM_URL).replace(/\/+$/, '');
}

/** The installed vllm package's version, asked of the user's Python (the framework's shared probe). */
async function installedVllm(ctx: DriverContext): Promise<{ python: string; version?: string }> {
  const python = pythonFor(ctx.config, ctx.env);
  // Importing vllm imports torch (seconds): asked only when the package is there at all.
  const missing = await missingModules(python, ['vllm'], ctx.env);
  if (missing && missing.length > 0) return { python };
  const probe = await probePython(python, 'import vllm; print(vllm.__version__)', 20_000, ctx.env);
  return { python, version: probe.ok ? probe.stdout.split('\n').pop()?.trim() || undefined : undefined };
}

/** vLLM's own GET /version ({"version": "0.11.0"}); undefined when no vLLM answers. */
async function serverVersion(url: string, signal?: AbortSignal): Promise<string | undefined> {
  try {
    const answer = await getJson<{ version?: string }>(`${url}/version`, { signal, headersTimeoutMs: PROBE_TIMEOUT_MS, bodyTimeoutMs: PROBE_TIMEOUT_MS });
    return typeof answer.version === 'string' ? answer.version : undefined;
  } catch {
    return undefined;
  }
}

function toModelInfo(model: OpenAiModel): ModelInfo {
  return { identifier: model.id, name: model.id, ...(typeof model.max_model_len === 'number' ? { context_length: model.max_model_len } : {}) };
}

/**
 * vLLM's prefix cache is namespaced by `cache_salt` (per-request cache isolation,
 * docs/design/prefix_caching.md): blocks cached under one salt serve only requests with the same
 * salt. So a request that may not reuse anything cached before it (W1–W4, the first turn of each
 * W5 trace) opens a fresh salt, and the requests after it that may reuse (W5's later turns) carry
 * that salt: they find the prefix their conversation built, and nothing from before it.
 */
export function requestBody(model: string, request: GenerationRequest, salt: { current?: string }): { path: '/v1/completions' | '/v1/chat/completions'; body: Record<string, unknown> } {
  const { path, body } = openAiRequest(model, request, { exactLength: true });
  if (!request.cachePrompt) salt.current = randomUUID();
  return { path, body: salt.current === undefined ? body : { ...body, cache_salt: salt.current } };
}

export const vllmDriver: Driver = {
  name: NAME,

  async detect(ctx): Promise<DriverDetection> {
    const url = vllmUrl(ctx);
    const version = await serverVersion(url, ctx.signal);
    if (version !== undefined) {
      const models = await listOpenAiModels(url, {}, { signal: ctx.signal, timeoutMs: PROBE_TIMEOUT_MS }).catch(() => []);
      const serving = models.length > 0 ? `serving ${models.map((m) => m.id).join(', ')}` : 'serving no model yet';
      return { name: NAME, available: true, version, reason: `vLLM server at ${url} ${serving}`, capabilities: CAPABILITIES };
    }
    const { python, version: installed } = await installedVllm(ctx);
    if (installed !== undefined) {
      return {
        name: NAME,
        available: false,
        version: installed,
        reason: `vllm ${installed} is installed but no server is running at ${url}; start \`vllm serve <model>\``,
      };
    }
    return {
      name: NAME,
      available: false,
      reason: `no vLLM server at ${url} and ${python} cannot import vllm; start \`vllm serve <model>\` or set LLM_SPEED_VLLM_URL`,
    };
  },

  async listModels(ctx): Promise<ModelInfo[]> {
    return (await listOpenAiModels(vllmUrl(ctx), {}, { signal: ctx.signal, timeoutMs: PROBE_TIMEOUT_MS })).map(toModelInfo);
  },

  async open(modelRef, options, ctx): Promise<DriverSession> {
    const url = vllmUrl(ctx);
    const version = await serverVersion(url, ctx.signal);
    if (version === undefined) {
      throw new DriverError(NAME, `no vLLM server answers at ${url}`, { suggestions: ['Start one with `vllm serve <model>`, or set LLM_SPEED_VLLM_URL / --vllm-url.'] });
    }
    const models = await listOpenAiModels(url, {}, { signal: ctx.signal, timeoutMs: PROBE_TIMEOUT_MS });
    const served = models.map((m) => m.id);
    // vLLM serves one model per process: the only sensible default is the one it has loaded.
    const chosen = modelRef === undefined ? models[0] : models.find((m) => m.id === modelRef);
    if (!chosen) {
      throw new DriverError(NAME, `the server at ${url} serves ${served.join(', ') || 'no model'}${modelRef ? `, not ${modelRef}` : ''}`, {
        suggestions: [modelRef ? `Start it with \`vllm serve ${modelRef}\`, or pick one of the served models.` : 'Start it with `vllm serve <model>`.'],
      });
    }
    const maxLen = typeof chosen.max_model_len === 'number' ? chosen.max_model_len : undefined;
    // Not a refusal: the estimate is deliberately generous and W3 tiers beyond max_model_len are
    // skipped by the harness. A request that really does not fit fails with vLLM's own message.
    if (maxLen !== undefined && maxLen < options.contextTokens) {
      ctx.log(
        `${chosen.id} is served with max_model_len ${maxLen}; this run may need up to ~${options.contextTokens} tokens: restart with \`vllm serve ${chosen.id} --max-model-len ${options.contextTokens}\` to run every workload`,
      );
    }

    const salt: { current?: string } = {};
    return {
      model: toModelInfo(chosen),
      backendVersion: version,
      capabilities: { ...CAPABILITIES, max_context_tokens: maxLen ?? null },
      // vLLM's API names no device or platform: said as unknown rather than guessed.
      backendBuild: { kind: 'unknown' },
      extras: { api: 'openai-compatible', ...(maxLen !== undefined ? { max_model_len: maxLen } : {}) },
      generate(request) {
        const { path, body } = requestBody(chosen.id, request, salt);
        return streamOpenAiCompletion({ baseUrl: url, path, body, sampling: request.sampling, signal: request.signal, source: NAME });
      },
      async readCacheCounters() {
        try {
          return prefixCacheCounters(await getText(`${url}/metrics`, { signal: ctx.signal, headersTimeoutMs: PROBE_TIMEOUT_MS }));
        } catch {
          // Metrics can be disabled (--disable-log-stats); the hit rate is then simply not reported.
          return undefined;
        }
      },
      async close() {
        // The server belongs to the user: nothing to stop.
      },
    };
  },
};
