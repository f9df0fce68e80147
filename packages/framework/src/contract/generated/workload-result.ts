/* Generated from schemas/ by scripts/generate-types.mjs. Do not edit: run `npm run schemas:gen`. */

/**
 * This interface was referenced by `WorkloadResult`'s JSON-Schema
 * via the `definition` "WorkloadName".
 */
export type WorkloadName = 'chat-short' | 'chat-long' | 'long-context-decay' | 'concurrent-decode' | 'agent-trace';
/**
 * A duration in milliseconds: at most one day (86,400,000 ms); null when not measured.
 *
 * This interface was referenced by `WorkloadResult`'s JSON-Schema
 * via the `definition` "Milliseconds".
 */
export type Milliseconds = number | null;
/**
 * Prompt tokens per second: at most 10^8 (prefix-cache hits make prefill look far faster than compute, so the bound is ten times decode's); null when not measured.
 *
 * This interface was referenced by `WorkloadResult`'s JSON-Schema
 * via the `definition` "PrefillRate".
 */
export type PrefillRate = number | null;
/**
 * Generated tokens per second: at most 10^7 (no machine decodes within orders of magnitude of it); null when not measured.
 *
 * This interface was referenced by `WorkloadResult`'s JSON-Schema
 * via the `definition` "DecodeRate".
 */
export type DecodeRate = number | null;
/**
 * A token count: at most 10^8; null when not reported.
 *
 * This interface was referenced by `WorkloadResult`'s JSON-Schema
 * via the `definition` "Count".
 */
export type Count = number | null;

/**
 * One workload's measured signals (METHODOLOGY §3, PRIVACY §1). Every field here may be uploaded; nothing else may. Required here is what the example result of METHODOLOGY §3.6 carries (which also says what was renamed and added since the requirements draft); a run payload (run.schema.json) requires the rest too. Every number is finite and bounded by a generous physical limit (METHODOLOGY §3.8).
 */
export interface WorkloadResult {
  workload: WorkloadName;
  suite_version?: string;
  /**
   * SHA-256 over the suite's fixture bytes, so a result names the exact prompts it ran.
   */
  suite_digest?: string;
  backend: string;
  backend_version: string;
  model: ModelRef;
  ttft_ms: Milliseconds;
  prefill_tps: PrefillRate;
  decode_tps: DecodeRate;
  decode_p50_latency_ms: Milliseconds;
  decode_p95_latency_ms: Milliseconds;
  prompt_tokens: Count;
  output_tokens: Count;
  batch_size?: number;
  context_tokens?: Count;
  wall_ms: number;
  prefix_cache_hit_rate: number | null;
  /**
   * A token count: at most 10^8; null when not reported.
   */
  cached_prompt_tokens?: number | null;
  backend_build?: BackendBuild;
  /**
   * Prompt tokens per second: at most 10^8 (prefix-cache hits make prefill look far faster than compute, so the bound is ten times decode's); null when not measured.
   */
  backend_prefill_tps?: number | null;
  /**
   * Generated tokens per second: at most 10^7 (no machine decodes within orders of magnitude of it); null when not measured.
   */
  backend_decode_tps?: number | null;
  /**
   * Where prompt_tokens/output_tokens came from: the backend's usage report, the model's tokenizer, or counting streamed arrivals.
   */
  token_counts?: 'backend' | 'tokenizer' | 'arrivals';
  error?: string | null;
  flags?: string[];
  extras?: Extras;
  /**
   * W3: one entry per context tier.
   */
  tiers?: ContextTier[];
  /**
   * W4: one entry per batch size.
   */
  batches?: BatchPoint[];
  /**
   * W5: one entry per agent turn.
   */
  turns?: AgentTurn[];
  turn_p50_ms?: Milliseconds;
  turn_p95_ms?: Milliseconds;
  /**
   * Per-token decode intervals. Local only unless include_raw_timings is set.
   *
   * @maxItems 1000000
   */
  raw_timings_ms?: number[];
}
/**
 * This interface was referenced by `WorkloadResult`'s JSON-Schema
 * via the `definition` "ModelRef".
 */
export interface ModelRef {
  identifier: string;
  name: string;
  size?: string | null;
  quant?: string | null;
  digest?: string | null;
}
/**
 * What the backend computed on, as the backend itself reports it (llama-server --list-devices or /props, node-llama-cpp's GPU type, the python runners' device, ollama's processor split).
 *
 * This interface was referenced by `WorkloadResult`'s JSON-Schema
 * via the `definition` "BackendBuild".
 */
export interface BackendBuild {
  /**
   * The compute backend: remote for hosted APIs, unknown when the backend does not say.
   */
  kind: 'cpu' | 'cuda' | 'rocm' | 'metal' | 'vulkan' | 'sycl' | 'opencl' | 'musa' | 'cann' | 'remote' | 'unknown';
  /**
   * Device names as the backend lists them (e.g. "NVIDIA H200").
   *
   * @maxItems 16
   */
  devices?: string[];
}
/**
 * Small backend-specific telemetry (DRIVERS.md, PRIVACY §1): scalar values only; strings at most 64 characters of letters, digits, space and _ . , : + ( ) / = -; numbers within ±10^15; at most 64 entries and 2 KiB (canonical JSON) per result. Values that carry personal data (host names, addresses, paths, fixture text) are refused by the privacy rules.
 *
 * This interface was referenced by `WorkloadResult`'s JSON-Schema
 * via the `definition` "Extras".
 */
export interface Extras {
  [k: string]: string | number | boolean | null;
}
/**
 * This interface was referenced by `WorkloadResult`'s JSON-Schema
 * via the `definition` "ContextTier".
 */
export interface ContextTier {
  context_tokens: number;
  prefill_tps: PrefillRate;
  decode_tps: DecodeRate;
  ttft_ms: Milliseconds;
  output_tokens?: Count;
  /**
   * Why this tier did not run (model or backend context too small).
   */
  skipped?: string | null;
  error?: string | null;
}
/**
 * This interface was referenced by `WorkloadResult`'s JSON-Schema
 * via the `definition` "BatchPoint".
 */
export interface BatchPoint {
  batch: number;
  aggregate_tps: DecodeRate;
  per_stream_tps: DecodeRate;
  p50_ms: Milliseconds;
  p95_ms: Milliseconds;
  error?: string | null;
}
/**
 * This interface was referenced by `WorkloadResult`'s JSON-Schema
 * via the `definition` "AgentTurn".
 */
export interface AgentTurn {
  turn: number;
  ttft_ms: Milliseconds;
  decode_tps: DecodeRate;
  prompt_tokens: Count;
  output_tokens: Count;
  wall_ms: number;
  prefix_cache_hit_rate?: number | null;
  error?: string | null;
}
