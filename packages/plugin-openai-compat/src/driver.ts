/**
 * The generic OpenAI-compatible driver: any server that speaks the OpenAI API's streaming
 * completions (LM Studio, llamafile, Hugging Face TGI, SGLang, LocalAI, a llama-server or vLLM you
 * would rather treat as a plain OpenAI endpoint) at a base URL the user configures:
 *
 *   drivers: { openai-compat: { base_url: http://127.0.0.1:1234/v1 } }   (config file)
 *   LLM_SPEED_OPENAI_COMPAT_BASE_URL=http://127.0.0.1:1234/v1            (environment)
 *   --openai-compat-url http://127.0.0.1:1234/v1                         (flag)
 *
 * It probes no default port: unconfigured it is never detected, so never picked on its own.
 * Everything on the wire is the framework's shared OpenAI code (openAiRequest,
 * streamOpenAiCompletion, listOpenAiModels). What a generic server cannot promise, it does not
 * claim: exact output length (ignore_eos/min_tokens are extensions a server may drop in silence)
 * and concurrent decoding are capabilities only when the user says the server has them.
 *
 * It asks which server answers (probeServerIdentity: llama-server /props, vLLM /version, TGI
 * /info, Ollama /api/version, LM Studio /api/v0/models) for the version results carry, and the
 * result names it as `extras.engine`, so runs on different servers never share a comparable
 * group. A llama-server gets the same work per token the llama.cpp driver asks of it (METHODOLOGY
 * §3.4.1): its own sampling fields with a top-k-only sampler chain, `ignore_eos`, and
 * `cache_prompt: false` for W1–W4 — the OpenAI fields alone leave it its default sampler chain,
 * a `repetition_penalty` it does not read, an early stop, and a warm prefix.
 */
import {
  DriverError,
  InFlightRequests,
  listOpenAiModels,
  llamaServerSamplingFields,
  openAiRequest,
  probeServerIdentity,
  providerErrorMessage,
  requestSampling,
  streamOpenAiCompletion,
  type Driver,
  type DriverCapabilities,
  type DriverContext,
  type DriverDetection,
  type DriverSession,
  type GenerationEvent,
  type GenerationRequest,
  type ModelInfo,
  type OpenAiModel,
  type ServerIdentity,
} from '@llm-speed/framework';

const NAME = 'openai-compat';
/** Detection runs on every `llm-speed detect`: a dead URL must not stall it. */
const PROBE_TIMEOUT_MS = 2_000;

/** The `drivers.openai-compat` config section; each key is also LLM_SPEED_OPENAI_COMPAT_<KEY>. */
export const OPENAI_COMPAT_SETTINGS_SCHEMA = {
  type: 'object',
  additionalProperties: false,
  properties: {
    base_url: {
      type: 'string',
      format: 'uri',
      pattern: '^https?://',
      description:
        "The server's API root, with or without /v1: LM Studio http://127.0.0.1:1234/v1, llamafile http://127.0.0.1:8080/v1, SGLang http://127.0.0.1:30000/v1, TGI http://127.0.0.1:8080/v1.",
    },
    api_key: { type: 'string', minLength: 1, description: 'Bearer token, for a server started with one (sent as Authorization: Bearer).' },
    exact_output_length: {
      type: 'boolean',
      description: 'The server honours ignore_eos and min_tokens (SGLang, vLLM): ask for exactly max_tokens. Default false: an output may end early at end-of-sequence, and results say so.',
    },
    true_concurrency: {
      type: 'boolean',
      description: 'The server decodes simultaneous requests together (continuous batching: SGLang, TGI, vLLM). Default false: W4 is flagged serial.',
    },
  },
} as const;

export interface OpenAiCompatSettings {
  base_url?: string;
  api_key?: string;
  exact_output_length?: boolean;
  true_concurrency?: boolean;
}

export const NOT_CONFIGURED =
  "not configured: set drivers.openai-compat.base_url in the config file, LLM_SPEED_OPENAI_COMPAT_BASE_URL or --openai-compat-url to the server's API root (LM Studio: http://127.0.0.1:1234/v1)";

function settingsOf(ctx: DriverContext): OpenAiCompatSettings {
  return (ctx.settings ?? {}) as OpenAiCompatSettings;
}

/** The configured API root without a trailing slash, or undefined: there is no default. */
export function openAiCompatUrl(ctx: DriverContext): string | undefined {
  const url = settingsOf(ctx).base_url;
  return url ? url.replace(/\/+$/, '') : undefined;
}

function capabilities(settings: OpenAiCompatSettings): DriverCapabilities {
  return {
    streaming: true,
    true_concurrency: settings.true_concurrency === true,
    // Usage may carry cached_tokens (prompt_tokens_details), but a generic server need not send it.
    prefix_cache_stats: false,
    exact_output_length: settings.exact_output_length === true,
  };
}

/**
 * What a server we recognised can do beyond the generic claims: llama-server honours ignore_eos
 * (it is sent), and decodes its slots together when it has more than one.
 */
function serverCapabilities(settings: OpenAiCompatSettings, identity: ServerIdentity): DriverCapabilities {
  const generic = capabilities(settings);
  if (identity.kind !== 'llama-server') return generic;
  return { ...generic, exact_output_length: true, true_concurrency: settings.true_concurrency ?? (identity.slots ?? 1) > 1 };
}

function authHeaders(settings: OpenAiCompatSettings): Record<string, string> {
  return settings.api_key ? { authorization: `Bearer ${settings.api_key}` } : {};
}

function toModelInfo(model: OpenAiModel): ModelInfo {
  const context = [model.max_model_len, model.context_length, model.max_context_length].find((v): v is number => typeof v === 'number' && Number.isInteger(v) && v > 0);
  return { identifier: model.id, name: model.id, ...(context ? { context_length: context } : {}) };
}

async function servedModels(url: string, settings: OpenAiCompatSettings, signal?: AbortSignal): Promise<OpenAiModel[]> {
  try {
    return await listOpenAiModels(url, authHeaders(settings), { signal, timeoutMs: PROBE_TIMEOUT_MS });
  } catch (error) {
    const said = providerErrorMessage(error);
    throw new DriverError(NAME, `no OpenAI-compatible server answers GET /v1/models at ${url}${said ? `: ${said}` : ` (${(error as Error).message})`}`, {
      suggestions: ['Start the server, or correct drivers.openai-compat.base_url (LLM_SPEED_OPENAI_COMPAT_BASE_URL, --openai-compat-url).'],
    });
  }
}

/** One generation. Its signal comes from `requests`: the request's own signal or close() stops it. */
async function* generate(url: string, model: string, settings: OpenAiCompatSettings, request: GenerationRequest, requests: InFlightRequests, server: ServerIdentity): AsyncGenerator<GenerationEvent> {
  const sampling = requestSampling(request);
  const { signal, release } = requests.start(request.signal);
  try {
    // W1–W4 send `prompt` (/v1/completions), W5 sends `messages` (/v1/chat/completions).
    const { path, body } = openAiRequest(model, request, { exactLength: settings.exact_output_length === true });
    if (server.kind === 'llama-server') {
      // llama-server's own fields win over the OpenAI spellings (METHODOLOGY §3.4.1); its /v1
      // endpoints read them as /completion does.
      const native: Record<string, unknown> = { ...body, ...llamaServerSamplingFields(sampling), ignore_eos: true, cache_prompt: request.cachePrompt };
      delete native.min_tokens; // not a llama-server field
      yield* streamOpenAiCompletion({ baseUrl: url, path, body: native, sampling, samplingDialect: 'openai', headers: authHeaders(settings), signal, source: NAME });
      return;
    }
    yield* streamOpenAiCompletion({ baseUrl: url, path, body, sampling, headers: authHeaders(settings), signal, source: NAME });
  } finally {
    release();
  }
}

/** The server's own name for what runs there, for results and `llm-speed detect`. */
function describeServer(identity: ServerIdentity): string {
  if (!identity.kind) return 'OpenAI-compatible server';
  return identity.version ? `${identity.kind} ${identity.version}` : identity.kind;
}

export const openAiCompatDriver: Driver = {
  name: NAME,
  settingsSchema: OPENAI_COMPAT_SETTINGS_SCHEMA,

  async detect(ctx): Promise<DriverDetection> {
    const url = openAiCompatUrl(ctx);
    if (!url) return { name: NAME, available: false, reason: NOT_CONFIGURED };
    const settings = settingsOf(ctx);
    let models: OpenAiModel[];
    try {
      models = await servedModels(url, settings, ctx.signal);
    } catch (error) {
      return { name: NAME, available: false, reason: (error as Error).message.replace(`${NAME}: `, '').slice(0, 300) };
    }
    const serving = models.length > 0 ? `serving ${models.map((m) => m.id).join(', ')}` : 'serving no model yet';
    // The OpenAI API names no server version: the server's own endpoints may (probeServerIdentity).
    // What it runs on none of them says: unknown, never guessed.
    const identity = await probeServerIdentity(url, { headers: authHeaders(settings), signal: ctx.signal, timeoutMs: PROBE_TIMEOUT_MS, models });
    return {
      name: NAME,
      available: true,
      ...(identity.version ? { version: identity.version } : {}),
      reason: `${describeServer(identity)} at ${url} ${serving}`.slice(0, 300),
      build: { kind: 'unknown' },
      capabilities: serverCapabilities(settings, identity),
    };
  },

  async listModels(ctx): Promise<ModelInfo[]> {
    const url = openAiCompatUrl(ctx);
    if (!url) return [];
    return (await servedModels(url, settingsOf(ctx), ctx.signal)).map(toModelInfo);
  },

  async open(modelRef, _options, ctx): Promise<DriverSession> {
    const url = openAiCompatUrl(ctx);
    if (!url) throw new DriverError(NAME, NOT_CONFIGURED);
    const settings = settingsOf(ctx);
    const models = await servedModels(url, settings, ctx.signal);
    const chosen = modelRef === undefined ? models[0] : models.find((m) => m.id === modelRef);
    if (!chosen) {
      throw new DriverError(NAME, `the server at ${url} serves ${models.map((m) => m.id).join(', ') || 'no model'}${modelRef ? `, not ${modelRef}` : ''}`, {
        suggestions: ['Load the model in the server, or pass --model with one it serves (`llm-speed list-models --backend openai-compat`).'],
      });
    }
    const info = toModelInfo(chosen);
    const server = await probeServerIdentity(url, { headers: authHeaders(settings), signal: ctx.signal, timeoutMs: PROBE_TIMEOUT_MS, models });
    const quant = server.quantByModel?.[info.identifier];
    const requests = new InFlightRequests();
    let closed = false;
    return {
      // No digest: the weights are the server's, out of reach (METHODOLOGY §7.2 says what such a run can be reproduced from).
      model: { identifier: info.identifier, name: info.name, ...(quant ? { quant } : {}) },
      backendVersion: server.version ?? 'unknown',
      backendBuild: { kind: 'unknown' },
      capabilities: { ...serverCapabilities(settings, server), max_context_tokens: info.context_length ?? server.contextTokens ?? null },
      extras: {
        api: 'openai-compatible',
        // The server, as a separate engine: a llama-server and a vLLM behind this driver are not one group (METHODOLOGY §6.1).
        ...(server.kind ? { engine: server.kind } : {}),
        exact_length_requested: settings.exact_output_length === true || server.kind === 'llama-server',
      },
      generate(request) {
        if (closed) throw new DriverError(NAME, 'the session is closed');
        return generate(url, info.identifier, settings, request, requests, server);
      },
      async close() {
        // Idempotent. The server belongs to the user: only our own requests stop.
        closed = true;
        requests.abortAll();
      },
    };
  },
};
