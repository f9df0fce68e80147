/**
 * The echo driver: a complete, minimal llm-speed driver for an imaginary "echo" inference server.
 * Replace the four HTTP calls with your backend's API and keep the rest.
 *
 * The echo server's API (what the driver talks to):
 *   GET  /health    → {"version": "1.2.3"}
 *   GET  /models    → {"models": [{"id": "echo-small", "name": "Echo small", "context_length": 4096}]}
 *   POST /generate  {"model", "prompt", "max_tokens", "ignore_eos", "temperature", "top_k", "seed"}
 *                   → Server-Sent Events:
 *        event: token  data: {"text": "..."}                      (one per generated token)
 *        event: done   data: {"stop_reason": "length", "prompt_tokens": 12, "output_tokens": 16}
 */
import {
  DriverError,
  getJson,
  InFlightRequests,
  now,
  postStream,
  readSse,
  requestSampling,
  type Driver,
  type DriverCapabilities,
  type DriverContext,
  type DriverDetection,
  type DriverSession,
  type GenerationEvent,
  type GenerationRequest,
  type ModelInfo,
} from '@llm-speed/framework';

const NAME = 'echo';
export const DEFAULT_ECHO_URL = 'http://127.0.0.1:7777';
/** Detection runs for every driver on every `llm-speed detect`: never let it hang. */
const PROBE_TIMEOUT_MS = 2_000;

const CAPABILITIES: DriverCapabilities = {
  streaming: true,
  true_concurrency: false,
  prefix_cache_stats: false,
  exact_output_length: true,
};

/**
 * The settings this driver takes, as a JSON Schema for its section of the user's config file
 * (`drivers: { echo: { url: ... } }`). The framework also reads each key from LLM_SPEED_ECHO_<KEY>
 * (here LLM_SPEED_ECHO_URL), validates the merged settings against this schema, and hands them to
 * every call as `ctx.settings`.
 */
export const ECHO_SETTINGS_SCHEMA = {
  type: 'object',
  additionalProperties: false,
  properties: {
    url: { type: 'string', format: 'uri', pattern: '^https?://', description: `The echo server (default ${DEFAULT_ECHO_URL}).` },
  },
};

/** Where the server listens: the `url` setting (config file or LLM_SPEED_ECHO_URL), else the default port. */
export function echoUrl(ctx: Pick<DriverContext, 'settings'>): string {
  const configured = ctx.settings?.url;
  return (typeof configured === 'string' && configured ? configured : DEFAULT_ECHO_URL).replace(/\/+$/, '');
}

async function health(url: string, signal?: AbortSignal): Promise<string | undefined> {
  try {
    const answer = await getJson<{ version?: unknown }>(`${url}/health`, { signal, headersTimeoutMs: PROBE_TIMEOUT_MS, bodyTimeoutMs: PROBE_TIMEOUT_MS });
    return typeof answer.version === 'string' ? answer.version : 'unknown';
  } catch {
    return undefined;
  }
}

async function models(url: string, signal?: AbortSignal): Promise<ModelInfo[]> {
  const answer = await getJson<{ models?: Array<{ id: string; name?: string; context_length?: number }> }>(`${url}/models`, {
    signal,
    headersTimeoutMs: PROBE_TIMEOUT_MS,
    bodyTimeoutMs: PROBE_TIMEOUT_MS,
  });
  return (answer.models ?? []).map((m) => ({ identifier: m.id, name: m.name ?? m.id, ...(m.context_length ? { context_length: m.context_length } : {}) }));
}

/** Turns the server's SSE stream into generation events. Timestamps come from readSse: byte arrival. */
async function* generate(url: string, model: string, request: GenerationRequest, requests: InFlightRequests): AsyncGenerator<GenerationEvent> {
  // A signal for this request, aborted by the caller's signal or by close().
  const { signal, release } = requests.start(request.signal);
  // The echo server only does plain completions; a chat backend would send request.messages as they are.
  const prompt = request.prompt ?? (request.messages ?? []).map((m) => `${m.role}: ${m.content}`).join('\n');
  try {
    // The suite's sampling (greedy, a fixed seed), in the fields this backend has for it: never its defaults.
    const { temperature, topK, seed } = requestSampling(request); // a request without sampling: an error naming the field
    const body = await postStream(
      `${url}/generate`,
      { model, prompt, max_tokens: request.maxTokens, ignore_eos: true, temperature, top_k: topK, seed },
      {
        signal,
        headers: { accept: 'text/event-stream' },
      },
    );
    for await (const event of readSse(body)) {
      if (event.event === 'token') {
        yield { type: 'tokens', t: event.t, count: 1 };
      } else if (event.event === 'done') {
        const done = JSON.parse(event.data) as { stop_reason?: string; prompt_tokens?: number; output_tokens?: number };
        // The server's own counts win over the number of token events.
        yield { type: 'usage', promptTokens: done.prompt_tokens, outputTokens: done.output_tokens };
        yield { type: 'done', t: event.t, stopReason: done.stop_reason };
        return;
      }
    }
    throw new DriverError(NAME, 'the stream ended without a done event', { suggestions: ['Check the echo server log.'] });
  } catch (error) {
    if (signal.aborted) {
      // Aborted by the harness or by close(): end honestly instead of reporting a broken stream.
      yield { type: 'done', t: now(), stopReason: 'abort' };
      return;
    }
    throw error;
  } finally {
    release();
  }
}

export const echoDriver: Driver = {
  name: NAME,
  settingsSchema: ECHO_SETTINGS_SCHEMA,

  async detect(ctx): Promise<DriverDetection> {
    const url = echoUrl(ctx);
    const version = await health(url, ctx.signal);
    if (version === undefined) {
      return { name: NAME, available: false, reason: `no echo server answers at ${url} (start one, or set drivers.echo.url in the config file or LLM_SPEED_ECHO_URL)` };
    }
    return { name: NAME, available: true, version, reason: `echo server at ${url}`, capabilities: CAPABILITIES };
  },

  async listModels(ctx): Promise<ModelInfo[]> {
    return models(echoUrl(ctx), ctx.signal);
  },

  async open(modelRef, _options, ctx): Promise<DriverSession> {
    const url = echoUrl(ctx);
    const version = await health(url, ctx.signal);
    if (version === undefined)
      throw new DriverError(NAME, `no echo server answers at ${url}`, { suggestions: ['Start the echo server, or set drivers.echo.url in the config file or LLM_SPEED_ECHO_URL.'] });
    const available = await models(url, ctx.signal);
    const info = modelRef === undefined ? available[0] : available.find((m) => m.identifier === modelRef);
    if (info === undefined) {
      throw new DriverError(NAME, `model "${modelRef ?? ''}" is not served at ${url}; it serves ${available.map((m) => m.identifier).join(', ') || 'nothing'}`);
    }
    const model = info.identifier;
    const requests = new InFlightRequests();
    let closed = false;
    return {
      model: { identifier: model, name: info.name },
      backendVersion: version,
      capabilities: CAPABILITIES,
      // What it computes on, as the backend says (echo computes nothing: "cpu"); say 'unknown' rather than guess.
      backendBuild: { kind: 'cpu' },
      extras: {},
      generate: (request) => {
        if (closed) throw new DriverError(NAME, 'the session is closed');
        return generate(url, model, request, requests);
      },
      async close() {
        // Idempotent: stop every stream still running. A driver that started a server stops it here.
        closed = true;
        requests.abortAll();
      },
    };
  },
};
