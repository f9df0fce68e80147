/* Generated from schemas/ by scripts/generate-types.mjs. Do not edit: run `npm run schemas:gen`. */

/**
 * This interface was referenced by `WorkloadResult`'s JSON-Schema
 * via the `definition` "WorkloadName".
 */
export type WorkloadName = 'chat-short' | 'chat-long' | 'long-context-decay' | 'concurrent-decode' | 'agent-trace';
/**
 * This interface was referenced by `WorkloadResult`'s JSON-Schema
 * via the `definition` "Metric".
 */
export type Metric = number | null;
/**
 * This interface was referenced by `WorkloadResult`'s JSON-Schema
 * via the `definition` "Count".
 */
export type Count = number | null;

/**
 * One workload's measured signals (METHODOLOGY §3, PRIVACY §1). Every field here may be uploaded; nothing else may. Required here is what the example result of METHODOLOGY §3.6 carries (which also says what was renamed and added since the requirements draft); a run payload (run.schema.json) requires the rest too.
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
  ttft_ms: Metric;
  prefill_tps: Metric;
  decode_tps: Metric;
  decode_p50_latency_ms: Metric;
  decode_p95_latency_ms: Metric;
  prompt_tokens: Count;
  output_tokens: Count;
  batch_size?: number;
  context_tokens?: Count;
  wall_ms: number;
  prefix_cache_hit_rate: number | null;
  /**
   * Prompt tokens the backend served from its prefix cache instead of processing (summed over W5's turns); null when the backend does not say.
   */
  cached_prompt_tokens?: number | null;
  backend_build?: BackendBuild;
  /**
   * Prefill tok/s by the backend's own timers (llama-server timings, ollama prompt_eval_duration, runner timers); null where the backend has none (vLLM, hosted APIs).
   */
  backend_prefill_tps?: number | null;
  /**
   * Decode tok/s by the backend's own timers; null where the backend has none.
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
  turn_p50_ms?: Metric;
  turn_p95_ms?: Metric;
  /**
   * Per-token decode intervals. Local only unless include_raw_timings is set.
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
 * Small backend-specific telemetry; every string is capped at 256 characters by the privacy invariant before upload.
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
  prefill_tps: Metric;
  decode_tps: Metric;
  ttft_ms: Metric;
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
  aggregate_tps: Metric;
  per_stream_tps: Metric;
  p50_ms: Metric;
  p95_ms: Metric;
  error?: string | null;
}
/**
 * This interface was referenced by `WorkloadResult`'s JSON-Schema
 * via the `definition` "AgentTurn".
 */
export interface AgentTurn {
  turn: number;
  ttft_ms: Metric;
  decode_tps: Metric;
  prompt_tokens: Count;
  output_tokens: Count;
  wall_ms: number;
  prefix_cache_hit_rate?: number | null;
  error?: string | null;
}
