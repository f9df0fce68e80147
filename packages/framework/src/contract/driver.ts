/**
 * The driver contract: what a backend plugin implements so the harness can measure it.
 *
 * A driver reports detection and models (shapes from schemas/driver.schema.json), opens a
 * session on one model, and streams generation events. The harness, not the driver, turns a
 * workload into generation requests and events into metrics: timing rules and the honesty rules
 * of METHODOLOGY §6 are enforced once, for every backend alike.
 */
import type { DriverCapabilities, DriverDetection, ModelInfo } from './generated/driver.js';
import type { Extras, ModelRef } from './generated/workload-result.js';

export type { DriverCapabilities, DriverDetection, ModelInfo } from './generated/driver.js';

/** Settings a driver may read: resolved config values (flag > env > config > default) and paths. */
export interface DriverContext {
  /** Resolved configuration, keyed as in config.schema.json (llama_cpp_path, ollama_host, ...). */
  config: Record<string, unknown>;
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
}

export interface GenerationRequest {
  /** Plain completion prompt (W1–W4) ... */
  prompt?: string;
  /** ... or a chat conversation (W5). Exactly one of prompt/messages is set. */
  messages?: ChatMessage[];
  /** Exact number of tokens to generate; drivers ignore end-of-sequence where the backend allows. */
  maxTokens: number;
  /** Let the backend reuse a cached prefix (W5 relies on it; other workloads leave it on too). */
  cachePrompt: boolean;
  signal: AbortSignal;
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
  /** Token counts as reported by the backend; they override counts inferred from chunks. */
  | { type: 'usage'; promptTokens?: number; outputTokens?: number; cachedPromptTokens?: number }
  /** The stream ended. `extras` carries small backend telemetry (e.g. llama-server's own timings). */
  | { type: 'done'; t: number; stopReason?: 'length' | 'eos' | 'abort' | 'error' | string; extras?: Extras };

export interface DriverSession {
  model: ModelRef;
  backendVersion: string;
  capabilities: DriverCapabilities;
  /** Engine settings worth reporting with every result (threads, engine kind, ...). */
  extras: Extras;
  /** Flags every result of this session carries (e.g. model-warmed, serial-concurrency). */
  flags?: string[];
  /** Counts the tokens of a text the way the backend would, or undefined when it cannot. */
  countTokens?(text: string): Promise<number | undefined>;
  generate(request: GenerationRequest): AsyncIterable<GenerationEvent>;
  /**
   * Called before each workload, untimed, with what that workload alone needs. A driver that owns
   * its server may restart it sized for the workload, as a user would configure it: one slot with
   * W5's whole context, sixteen small slots for W4 — never sixteen slots of W5's context.
   */
  prepare?(needs: OpenOptions): Promise<void>;
  /** Optional counters read around a workload (e.g. vLLM prefix-cache hits from /metrics). */
  readCacheCounters?(): Promise<{ queries: number; hits: number } | undefined>;
  close(): Promise<void>;
}

export interface Driver {
  /** Backend name as it appears in results. */
  readonly name: string;
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
