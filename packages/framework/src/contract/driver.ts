/**
 * The driver contract: what a backend plugin implements so the harness can measure it.
 *
 * A driver reports detection and models (shapes from schemas/driver.schema.json), opens a
 * session on one model, and streams generation events. The harness, not the driver, turns a
 * workload into generation requests and events into metrics: timing rules and the honesty rules
 * of METHODOLOGY §6 are enforced once, for every backend alike.
 */
import type { DriverCapabilities, DriverDetection, ModelInfo } from './generated/driver.js';
import type { BackendBuild, Extras, ModelRef } from './generated/workload-result.js';

export type { DriverCapabilities, DriverDetection, ModelInfo } from './generated/driver.js';
export type { BackendBuild } from './generated/workload-result.js';

/** Settings a driver may read: resolved config values (flag > env > config > default) and paths. */
export interface DriverContext {
  /** Resolved configuration, keyed as in config.schema.json (llama_cpp_path, ollama_host, ...). */
  config: Record<string, unknown>;
  /**
   * This driver's own settings (the keys its `settingsSchema` declares): the config file's
   * `drivers.<name>` section, overridden by LLM_SPEED_<NAME>_<KEY> variables and flags, validated
   * by the framework against that schema before the driver sees them. Empty when none are set.
   */
  settings?: Record<string, unknown>;
  /** Cache folder for generated models, digests, built binaries. */
  cacheDir: string;
  /** Environment the driver may read (API keys for hosted backends). */
  env: NodeJS.ProcessEnv;
  /** Aborted on Ctrl-C or when the run fails; drivers stop processes and requests when it fires. */
  signal: AbortSignal;
  /** One-line progress notes for the user (model generation, server start). */
  log: (line: string) => void;
}

export interface ChatMessage {
  role: 'system' | 'user' | 'assistant' | 'tool';
  content: string;
  /** Tool name, for role "tool". */
  name?: string;
}

/** What a workload needs from the session it opens. */
export interface OpenOptions {
  /** Largest prompt + output one request will send, so a server can size its context. */
  contextTokens: number;
  /** Largest number of simultaneous streams (W4). */
  parallel: number;
  /**
   * What each workload of the run needs on its own (its longest request, its simultaneous streams),
   * so a driver that starts its own servers can start each configuration the run needs once (the
   * llama.cpp driver: one slot for W1, W2 and W5, sixteen small ones for W4) instead of restarting.
   */
  perWorkload?: Array<{ contextTokens: number; parallel: number }>;
}

/**
 * How the next token is chosen. The suite fixes it (SUITE_SAMPLING: greedy), so every backend does
 * the same work per token: a server's own defaults (temperature 0.8, top-k 40, repetition
 * penalties, ...) cost time that another backend would not spend. Drivers send every field their
 * backend's wire format has a place for (DRIVERS.md §2 lists the usual names).
 */
export interface Sampling {
  temperature: number;
  topK: number;
  topP: number;
  minP: number;
  /** Multiplicative repetition penalty (llama.cpp repeat_penalty, vLLM repetition_penalty); 1 = none. */
  repeatPenalty: number;
  presencePenalty: number;
  frequencyPenalty: number;
  seed: number;
}

export interface GenerationRequest {
  /** Plain completion prompt (W1–W4) ... */
  prompt?: string;
  /** ... or a chat conversation (W5). Exactly one of prompt/messages is set. */
  messages?: ChatMessage[];
  /** Exact number of tokens to generate; drivers ignore end-of-sequence where the backend allows. */
  maxTokens: number;
  /**
   * Whether the backend may reuse a cached prompt prefix. False for W1–W4 and the first turn of
   * each W5 trace, which must run on a cold prefix whatever an earlier request, repetition or run
   * left cached (a driver whose backend can turn reuse off per request does so); the backend may
   * keep this request's prompt for the requests after it that allow reuse. True for W5's later
   * turns, whose growing conversation is meant to hit the cache.
   */
  cachePrompt: boolean;
  /** The suite's sampling; drivers send it rather than relying on the backend's defaults. */
  sampling: Sampling;
  signal: AbortSignal;
}

/**
 * One generation as the backend's own timers saw it (llama-server `timings`, Ollama's durations,
 * a runner's timers). Each pair is optional: give what the backend reports, in its own terms.
 */
export interface BackendTimings {
  /** Prompt tokens the backend processed (not those served from its cache), and how long that took. */
  promptTokens?: number;
  promptMs?: number;
  /**
   * Decode tokens as the backend counts them for its own rate, and their time: llama-server's
   * predicted_per_second counts predicted_n − 1 steps over predicted_ms; Ollama's rate is
   * eval_count over eval_duration.
   */
  decodeTokens?: number;
  decodeMs?: number;
}

/**
 * Events of one generation, in order. Timestamps are milliseconds on the harness clock
 * (`now()` from harness/clock.ts), taken when bytes arrive, before any parsing.
 */
export type GenerationEvent =
  /**
   * Optional, before any token: the measured request left now. A driver that must do untimed
   * work first (llama.cpp renders a chat template through a separate HTTP call) sends this so TTFT
   * starts at the generation request, not at the preparation; without it TTFT starts when
   * generate() is called.
   */
  | { type: 'sent'; t: number }
  /** One or more generated tokens arrived together (a chunk may carry several). */
  | { type: 'tokens'; t: number; count: number }
  /**
   * Token counts as reported by the backend; they override counts inferred from chunks.
   * `countedBy`: 'backend' (default) when the backend reported them, 'tokenizer' when the driver
   * counted with the model's tokenizer itself. `promptReuse`: the backend evaluated clearly fewer
   * prompt tokens than the prompt holds but says nothing about its cache (Ollama).
   */
  | {
      type: 'usage';
      promptTokens?: number;
      outputTokens?: number;
      cachedPromptTokens?: number;
      countedBy?: 'backend' | 'tokenizer';
      promptReuse?: boolean;
      backendTimings?: BackendTimings;
    }
  /**
   * The stream ended. `extras` carries small backend telemetry (e.g. llama-server's own timings).
   * stopReason: one of the four named, or a backend's own word (`string & {}` keeps the named ones
   * offered by editors, where a bare `| string` would swallow them).
   */
  | { type: 'done'; t: number; stopReason?: 'length' | 'eos' | 'abort' | 'error' | (string & {}); extras?: Extras };

/**
 * The model's shape as far as memory traffic goes, for the bandwidth roofline (METHODOLOGY §13.4).
 * A driver that knows it (llama.cpp: the GGUF's tensor directory) sets it on the session.
 */
export interface ModelShape {
  /**
   * Weight bytes read to decode one token: every layer tensor (of a mixture of experts only the
   * experts each token uses), the output matrix, one row of each lookup table (token embeddings).
   */
  weightBytesPerToken: number;
  /** KV-cache bytes read per token of context at each decode step: Σ over layers of KV heads × (key + value length) × element size. */
  kvBytesPerContextToken: number;
  /** The KV element size assumed: 2 for f16, llama.cpp's default cache type. */
  kvElementBytes: number;
  /** `gguf`: from the file's tensor directory; `config`: from a model config's dimensions. */
  source: 'gguf' | 'config';
}

export interface DriverSession {
  model: ModelRef;
  /** The backend's release as it names itself; llama.cpp builds: "<release> (<commit>)". */
  backendVersion: string;
  /**
   * What the backend computes on, as the backend itself reports it (kind and device names).
   * Results carry it as backend_build; without it they say `unknown`.
   */
  backendBuild?: BackendBuild;
  capabilities: DriverCapabilities;
  /** Engine settings worth reporting with every result (threads, engine kind, ...). */
  extras: Extras;
  /** Flags every result of this session carries (e.g. model-warmed, serial-concurrency). */
  flags?: string[];
  /**
   * The one command that would run this backend on the machine's GPU (e.g. `llm-speed engine
   * install`), said when the session runs on the CPU of a machine that has one.
   */
  gpuHint?: string;
  /** The model's shape, for the bandwidth roofline; absent when the driver cannot tell (results then say why). */
  modelShape?: ModelShape;
  /** Counts the tokens of a text the way the backend would, or undefined when it cannot. */
  countTokens?(text: string): Promise<number | undefined>;
  generate(request: GenerationRequest): AsyncIterable<GenerationEvent>;
  /**
   * Called before each workload, untimed, with what that workload alone needs. A driver that owns
   * its server may restart it sized for the workload, as a user would configure it: one slot with
   * W5's whole context, sixteen small slots for W4 — never sixteen slots of W5's context.
   */
  prepare?(needs: OpenOptions): Promise<void>;
  /**
   * Untimed, after the warm-up and before a workload that reuses its own prefix (W5): nothing the
   * backend cached before may serve the requests that follow. Without it W5's first turn counted
   * the warm-up's BOS token as a cache hit, and on a long-running server the previous run's whole
   * conversation (METHODOLOGY §3.4). A driver that cannot forget leaves it out; the runner flags a
   * first turn that reused anything.
   */
  forgetPrompts?(): Promise<void>;
  /** Optional counters read around a workload (e.g. vLLM prefix-cache hits from /metrics). */
  readCacheCounters?(): Promise<{ queries: number; hits: number } | undefined>;
  /**
   * Optional, for a backend that cannot be told per request not to reuse a cached prompt (Ollama):
   * make the next request find nothing of the previous one in its cache, as far as the backend
   * allows. The runner calls it between repetitions of a workload, which send the same prompt
   * again (METHODOLOGY §6.3); it is in no figure. Whatever it cannot evict still shows as
   * reuse, and the result is flagged warm-cache. Drivers whose requests honour cachePrompt: false
   * need not implement it.
   */
  evictPromptCache?(): Promise<void>;
  close(): Promise<void>;
}

export interface Driver {
  /** Backend name as it appears in results. */
  readonly name: string;
  /**
   * The settings this driver takes, as a JSON Schema (draft 2020-12) for its `drivers.<name>`
   * config section: `{ type: 'object', additionalProperties: false, properties: { base_url: { type:
   * 'string', format: 'uri' } } }`. Each declared key is also read from LLM_SPEED_<NAME>_<KEY>.
   * The framework validates the merged settings with it (an error names the driver, the key and
   * where the value came from) and passes them as `ctx.settings`.
   */
  readonly settingsSchema?: Record<string, unknown>;
  detect(ctx: DriverContext): Promise<DriverDetection>;
  listModels(ctx: DriverContext): Promise<ModelInfo[]>;
  /** Loads (or starts) the model; the harness measures nothing before this resolves. */
  open(modelRef: string | undefined, options: OpenOptions, ctx: DriverContext): Promise<DriverSession>;
}

/** The custom oclif event that driver plugins answer with their drivers. */
export const DRIVERS_EVENT = 'llm-speed:drivers';

/** Options passed to the drivers hook. */
export interface DriversHookOptions {
  /** Framework version, so a plugin can refuse an incompatible contract with a clear message. */
  frameworkVersion: string;
}

declare module '@oclif/core' {
  interface Hooks {
    'llm-speed:drivers': { options: DriversHookOptions; return: Driver | Driver[] };
  }
}
