/* Generated from schemas/ by scripts/generate-types.mjs. Do not edit: run `npm run schemas:gen`. */

/**
 * This interface was referenced by `WorkloadResult`'s JSON-Schema
 * via the `definition` "WorkloadName".
 */
export type WorkloadName = 'chat-short' | 'chat-long' | 'long-context-decay' | 'concurrent-decode' | 'agent-trace';

/**
 * The upload payload (PRIVACY §1): exactly these fields, no others. additionalProperties is false wherever a field list is a privacy promise.
 */
export interface RunPayload {
  fingerprint: Fingerprint;
  /**
   * @minItems 1
   */
  results: [WorkloadResult, ...WorkloadResult[]];
  cli_version: string;
  started_at: string;
  finished_at: string;
  /**
   * Detached JWS compact serialisation (header..signature) over the canonical payload.
   */
  signature?: string;
  /**
   * Ed25519 public key, 32 raw bytes, standard base64.
   */
  public_key?: string;
}
/**
 * Coarse hardware class (PRIVACY §1). Never: PCI bus ids, driver builds, vBIOS, kernel or OS patch levels, distro, locale, disks, hostname, username, power or thermal state.
 *
 * This interface was referenced by `RunPayload`'s JSON-Schema
 * via the `definition` "Fingerprint".
 */
export interface Fingerprint {
  os_name: 'Darwin' | 'Linux' | 'Windows' | 'FreeBSD' | 'Other';
  /**
   * Major version only.
   */
  os_version: string;
  cpu_model: string;
  cpu_cores: number;
  /**
   * Rounded to the nearest 8 GB.
   */
  ram_gb: number;
  gpus: Gpu[];
  accelerator_summary: string;
  /**
   * First 16 hex of SHA-256 over the bucketed fields only. Omitted in --strict-anon.
   */
  fingerprint_hash?: string;
  extras: {
    backends: {
      [k: string]: string;
    };
  };
}
/**
 * This interface was referenced by `RunPayload`'s JSON-Schema
 * via the `definition` "Gpu".
 */
export interface Gpu {
  name: string;
  kind: 'nvidia' | 'amd' | 'apple' | 'intel' | 'cpu';
  /**
   * Rounded to the nearest 8 GB.
   */
  memory_gb: number;
}
/**
 * One workload's measured signals (METHODOLOGY §3, PRIVACY §1). Every field here may be uploaded; nothing else may.
 */
export interface WorkloadResult {
  workload: WorkloadName;
  suite_version: string;
  /**
   * SHA-256 over the suite's fixture bytes, so a result names the exact prompts it ran.
   */
  suite_digest: string;
  backend: string;
  backend_version: string;
  model: ModelRef;
  /**
   * This interface was referenced by `WorkloadResult`'s JSON-Schema
   * via the `definition` "Metric".
   */
  ttft_ms: number | null;
  /**
   * This interface was referenced by `WorkloadResult`'s JSON-Schema
   * via the `definition` "Metric".
   */
  prefill_tps: number | null;
  /**
   * This interface was referenced by `WorkloadResult`'s JSON-Schema
   * via the `definition` "Metric".
   */
  decode_tps: number | null;
  /**
   * This interface was referenced by `WorkloadResult`'s JSON-Schema
   * via the `definition` "Metric".
   */
  decode_p50_latency_ms: number | null;
  /**
   * This interface was referenced by `WorkloadResult`'s JSON-Schema
   * via the `definition` "Metric".
   */
  decode_p95_latency_ms: number | null;
  /**
   * This interface was referenced by `WorkloadResult`'s JSON-Schema
   * via the `definition` "Count".
   */
  prompt_tokens: number | null;
  /**
   * This interface was referenced by `WorkloadResult`'s JSON-Schema
   * via the `definition` "Count".
   */
  output_tokens: number | null;
  batch_size: number;
  /**
   * This interface was referenced by `WorkloadResult`'s JSON-Schema
   * via the `definition` "Count".
   */
  context_tokens: number | null;
  wall_ms: number;
  prefix_cache_hit_rate: number | null;
  error: string | null;
  flags: string[];
  extras: Extras;
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
  /**
   * This interface was referenced by `WorkloadResult`'s JSON-Schema
   * via the `definition` "Metric".
   */
  turn_p50_ms?: number | null;
  /**
   * This interface was referenced by `WorkloadResult`'s JSON-Schema
   * via the `definition` "Metric".
   */
  turn_p95_ms?: number | null;
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
  /**
   * This interface was referenced by `WorkloadResult`'s JSON-Schema
   * via the `definition` "Metric".
   */
  prefill_tps: number | null;
  /**
   * This interface was referenced by `WorkloadResult`'s JSON-Schema
   * via the `definition` "Metric".
   */
  decode_tps: number | null;
  /**
   * This interface was referenced by `WorkloadResult`'s JSON-Schema
   * via the `definition` "Metric".
   */
  ttft_ms: number | null;
  /**
   * This interface was referenced by `WorkloadResult`'s JSON-Schema
   * via the `definition` "Count".
   */
  output_tokens?: number | null;
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
  /**
   * This interface was referenced by `WorkloadResult`'s JSON-Schema
   * via the `definition` "Metric".
   */
  aggregate_tps: number | null;
  /**
   * This interface was referenced by `WorkloadResult`'s JSON-Schema
   * via the `definition` "Metric".
   */
  per_stream_tps: number | null;
  /**
   * This interface was referenced by `WorkloadResult`'s JSON-Schema
   * via the `definition` "Metric".
   */
  p50_ms: number | null;
  /**
   * This interface was referenced by `WorkloadResult`'s JSON-Schema
   * via the `definition` "Metric".
   */
  p95_ms: number | null;
  error?: string | null;
}
/**
 * This interface was referenced by `WorkloadResult`'s JSON-Schema
 * via the `definition` "AgentTurn".
 */
export interface AgentTurn {
  turn: number;
  /**
   * This interface was referenced by `WorkloadResult`'s JSON-Schema
   * via the `definition` "Metric".
   */
  ttft_ms: number | null;
  /**
   * This interface was referenced by `WorkloadResult`'s JSON-Schema
   * via the `definition` "Metric".
   */
  decode_tps: number | null;
  /**
   * This interface was referenced by `WorkloadResult`'s JSON-Schema
   * via the `definition` "Count".
   */
  prompt_tokens: number | null;
  /**
   * This interface was referenced by `WorkloadResult`'s JSON-Schema
   * via the `definition` "Count".
   */
  output_tokens: number | null;
  wall_ms: number;
  prefix_cache_hit_rate?: number | null;
  error?: string | null;
}
