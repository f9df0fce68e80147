/**
 * Which server answers behind an OpenAI-compatible base URL, and its version, from the endpoints
 * the servers document beside their OpenAI layer. The OpenAI API itself names no server, so a
 * generic driver that only spoke it reported `backend_version: unknown` for every run:
 *
 * | server     | endpoint (at the server root, not under /v1) | what it says                                         |
 * | ---------- | -------------------------------------------- | ---------------------------------------------------- |
 * | llama-server | GET /props                                 | `build_info: "b7410-de3ff81"` (common/build-info.cpp) |
 * | vLLM       | GET /version                                 | `{"version": "0.11.0"}`                              |
 * | TGI        | GET /info                                    | `version`, `sha`, `model_id`, `router: "text-generation-router"` |
 * | Ollama     | GET /api/version                             | `{"version": "0.12.3"}`                              |
 * | LM Studio  | GET /api/v0/models                           | each model's `quantization`, `arch`, `compatibility_type`; no server version (its REST API documents none) |
 *
 * Every probe has a short deadline and is asked at once; one that fails, times out or answers
 * another shape says nothing. The first row that matches wins, in the order above. `GET /version`
 * answering `{"version"}` is common to many services: it names vLLM only when the server's model
 * list (if given) says `owned_by: "vllm"`, as vLLM's does; otherwise the version is kept, unnamed.
 */
import { getJson } from './http.js';

export type ServerKind = 'llama-server' | 'vllm' | 'tgi' | 'ollama' | 'lm-studio';

export interface ServerIdentity {
  /** Which server, or undefined when none of the documented endpoints answered. */
  kind?: ServerKind;
  /** The server's version as it names itself; llama-server builds as llama.cpp's `b<build> (<commit>)`. */
  version?: string;
  /** llama-server: its slots (concurrent streams) and each slot's context, from /props. */
  slots?: number;
  contextTokens?: number;
  /** LM Studio: the quantization of each model it lists, by model id. */
  quantByModel?: Record<string, string>;
}

/** The server root of an OpenAI-compatible base URL: http://h:1234/v1 → http://h:1234. */
export function serverRoot(baseUrl: string): string {
  return baseUrl.replace(/\/+$/, '').replace(/\/v1$/, '');
}

/**
 * llama-server's /props `build_info` ("b4567-abcdef0") in llama.cpp's spelling, "b4567 (abcdef0)".
 * A build number of 0 or 1 counts the commits of a one-commit source bundle and names nothing:
 * only the commit is kept. Anything else is returned as the server said it.
 */
export function llamaServerVersion(buildInfo: string): string {
  const match = /^b(\d+)-([0-9a-f]{7,40}|unknown)$/i.exec(buildInfo.trim());
  if (!match) return buildInfo.trim();
  const release = Number(match[1]) > 1 ? `b${match[1]}` : undefined;
  const commit = match[2]!.toLowerCase() === 'unknown' ? undefined : match[2]!.slice(0, 7).toLowerCase();
  if (release && commit) return `${release} (${commit})`;
  return commit ? `(${commit})` : (release ?? buildInfo.trim());
}

const str = (v: unknown): string | undefined => (typeof v === 'string' && v.trim() !== '' ? v.trim().slice(0, 64) : undefined);
const posInt = (v: unknown): number | undefined => (typeof v === 'number' && Number.isInteger(v) && v > 0 ? v : undefined);

export interface IdentityOptions {
  headers?: Record<string, string>;
  signal?: AbortSignal;
  /** Deadline for each probe, ms (default 2,000: `llm-speed detect` asks every driver). */
  timeoutMs?: number;
  /** The server's GET /v1/models entries, when the caller has them: `owned_by` confirms vLLM. */
  models?: ReadonlyArray<{ owned_by?: unknown }>;
}

export async function probeServerIdentity(baseUrl: string, options: IdentityOptions = {}): Promise<ServerIdentity> {
  const root = serverRoot(baseUrl);
  const timeout = options.timeoutMs ?? 2_000;
  const get = (path: string) =>
    getJson<Record<string, unknown>>(`${root}${path}`, { headers: options.headers, signal: options.signal, headersTimeoutMs: timeout, bodyTimeoutMs: timeout }).then(
      (v) => (v !== null && typeof v === 'object' && !Array.isArray(v) ? v : undefined),
      () => undefined,
    );
  const [props, version, info, ollama, lmStudio] = await Promise.all([get('/props'), get('/version'), get('/info'), get('/api/version'), get('/api/v0/models')]);

  const buildInfo = str(props?.build_info);
  const settings = props?.default_generation_settings as Record<string, unknown> | undefined;
  if (buildInfo || (settings && typeof settings === 'object')) {
    return {
      kind: 'llama-server',
      ...(buildInfo ? { version: llamaServerVersion(buildInfo) } : {}),
      ...(posInt(props?.total_slots) ? { slots: posInt(props?.total_slots) } : {}),
      ...(posInt(settings?.n_ctx) ? { contextTokens: posInt(settings?.n_ctx) } : {}),
    };
  }
  if (str(version?.version)) {
    const owners = (options.models ?? []).map((m) => m.owned_by).filter((o) => typeof o === 'string');
    return owners.length === 0 || owners.includes('vllm') ? { kind: 'vllm', version: str(version?.version) } : { version: str(version?.version) };
  }
  if (str(info?.version) && (str(info?.router) || str(info?.model_id))) return { kind: 'tgi', version: str(info?.version) };
  if (str(ollama?.version)) return { kind: 'ollama', version: str(ollama?.version) };
  const listed = Array.isArray(lmStudio?.data) ? (lmStudio.data as Array<Record<string, unknown>>) : undefined;
  if (listed && listed.some((m) => 'compatibility_type' in m || 'quantization' in m)) {
    const quantByModel: Record<string, string> = {};
    for (const m of listed) {
      const id = str(m.id);
      const quant = str(m.quantization);
      if (id && quant) quantByModel[id] = quant;
    }
    return { kind: 'lm-studio', quantByModel };
  }
  return {};
}
