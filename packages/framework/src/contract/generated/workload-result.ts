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
 * One phase's energy: total (the whole timed part), prefill (request sent to first token) or decode (first token to last token). Null figures carry a reason: fewer than 10 readings in the phase, no idle baseline, no token count.
 *
 * This interface was referenced by `WorkloadResult`'s JSON-Schema
 * via the `definition` "EnergyPhase".
 */
export type EnergyPhase = {
  /**
   * Time in this phase, summed over the workload's requests (overlapping streams counted once).
   */
  ms: number;
  /**
   * Readings inside the phase (the meter with the fewest, when several are summed).
   */
  samples: number;
  /**
   * Tokens of this phase: prompt tokens the backend processed (prefill), decode steps (decode: output tokens minus one per request), output tokens (total).
   */
  tokens?: number | null;
  /**
   * Energy the meters counted in the phase.
   */
  gross_j: number | null;
  /**
   * gross_j minus the idle baseline over the same time; null without a baseline, or when not above it.
   */
  net_j: number | null;
  /**
   * Mean power in the phase (gross).
   */
  avg_w?: number | null;
  /**
   * Highest reading in the phase (summed over the meters at each reading).
   */
  peak_w?: number | null;
  /**
   * net_j / tokens.
   */
  j_per_token: number | null;
  /**
   * gross_j / tokens.
   */
  gross_j_per_token?: number | null;
  /**
   * The phase's tokens per second per net watt: tokens / net_j.
   */
  tokens_per_s_per_w?: number | null;
  /**
   * Why a figure is null (no meter, too few samples, ...); null when every figure is there.
   */
  reason: string | null;
} | null;
/**
 * An NVML clock-event reason (nvmlClocksEventReason*, nvidia-smi clocks_event_reasons.*).
 *
 * This interface was referenced by `WorkloadResult`'s JSON-Schema
 * via the `definition` "GpuClockEvent".
 */
export type GpuClockEvent =
  | 'gpu_idle'
  | 'applications_clocks_setting'
  | 'sw_power_cap'
  | 'hw_slowdown'
  | 'sync_boost'
  | 'sw_thermal_slowdown'
  | 'hw_thermal_slowdown'
  | 'hw_power_brake_slowdown'
  | 'display_clock_setting';

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
  /**
   * A duration in milliseconds: at most one day (86,400,000 ms); null when not measured.
   */
  turn_p95_ms?: number | null;
  /**
   * A duration in milliseconds: at most one day (86,400,000 ms); null when not measured.
   */
  turn_max_ms?: number | null;
  /**
   * How many timed repetitions stand behind the headline figures (METHODOLOGY §6.3). Absent in results of older CLIs: one.
   */
  repetitions?: number;
  spread?: ResultSpread;
  /**
   * Each repetition's own figures, in the order they ran, so anyone can recompute the spread.
   *
   * @maxItems 1000
   */
  samples?: RepetitionSample[];
  /**
   * Per-token decode intervals. Local only unless include_raw_timings is set.
   *
   * @maxItems 1000000
   */
  raw_timings_ms?: number[];
  energy?: Energy;
  roofline?: Roofline;
  machine?: MachineObservations;
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
  spread?: TierSpread;
  /**
   * @maxItems 1000
   */
  samples?: TierSample[];
  error?: string | null;
}
/**
 * This interface was referenced by `WorkloadResult`'s JSON-Schema
 * via the `definition` "TierSpread".
 */
export interface TierSpread {
  prefill_tps?: MetricSpread;
  decode_tps?: MetricSpread;
  ttft_ms?: MetricSpread;
}
/**
 * One figure over a workload's repetitions (METHODOLOGY §6.3): median is the headline value; ci_low/ci_high the 95 % confidence interval of that median, median ± t(0.975, n−1) · √(π/2) · s/√n floored at 0; cv the sample standard deviation over the mean. The last three are null when n < 2.
 *
 * This interface was referenced by `WorkloadResult`'s JSON-Schema
 * via the `definition` "MetricSpread".
 */
export interface MetricSpread {
  /**
   * Repetitions that gave this figure.
   */
  n: number;
  median: number;
  ci_low: number | null;
  ci_high: number | null;
  cv: number | null;
}
/**
 * This interface was referenced by `WorkloadResult`'s JSON-Schema
 * via the `definition` "TierSample".
 */
export interface TierSample {
  prefill_tps?: PrefillRate;
  decode_tps?: DecodeRate;
  ttft_ms?: Milliseconds;
  output_tokens?: Count;
}
/**
 * This interface was referenced by `WorkloadResult`'s JSON-Schema
 * via the `definition` "BatchPoint".
 */
export interface BatchPoint {
  batch: number;
  /**
   * Generated tokens per second: at most 10^7 (no machine decodes within orders of magnitude of it); null when not measured.
   */
  aggregate_tps: number | null;
  /**
   * Generated tokens per second: at most 10^7 (no machine decodes within orders of magnitude of it); null when not measured.
   */
  per_stream_tps: number | null;
  p50_ms: Milliseconds;
  p95_ms: Milliseconds;
  /**
   * Prompt tokens per second: at most 10^8 (prefix-cache hits make prefill look far faster than compute, so the bound is ten times decode's); null when not measured.
   */
  backend_prefill_tps?: number | null;
  /**
   * Generated tokens per second: at most 10^7 (no machine decodes within orders of magnitude of it); null when not measured.
   */
  backend_decode_tps?: number | null;
  spread?: BatchSpread;
  /**
   * @maxItems 1000
   */
  samples?: BatchSample[];
  error?: string | null;
}
/**
 * This interface was referenced by `WorkloadResult`'s JSON-Schema
 * via the `definition` "BatchSpread".
 */
export interface BatchSpread {
  aggregate_tps?: MetricSpread;
  per_stream_tps?: MetricSpread;
  p50_ms?: MetricSpread;
  p95_ms?: MetricSpread;
  backend_prefill_tps?: MetricSpread;
  backend_decode_tps?: MetricSpread;
}
/**
 * This interface was referenced by `WorkloadResult`'s JSON-Schema
 * via the `definition` "BatchSample".
 */
export interface BatchSample {
  aggregate_tps?: DecodeRate;
  per_stream_tps?: DecodeRate;
  p50_ms?: Milliseconds;
  p95_ms?: Milliseconds;
  backend_prefill_tps?: PrefillRate;
  backend_decode_tps?: DecodeRate;
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
  /**
   * This turn in each repetition of the trace; the turn's fields are their medians.
   *
   * @maxItems 1000
   */
  samples?: TurnSample[];
  error?: string | null;
}
/**
 * This interface was referenced by `WorkloadResult`'s JSON-Schema
 * via the `definition` "TurnSample".
 */
export interface TurnSample {
  ttft_ms?: Milliseconds;
  decode_tps?: DecodeRate;
  wall_ms?: Milliseconds;
  prompt_tokens?: Count;
  output_tokens?: Count;
  prefix_cache_hit_rate?: number | null;
}
/**
 * The spread of each headline figure over the repetitions, keyed by the figure's field name. A figure no repetition measured has no entry. A result without spread (older CLIs) is one repetition: a point, no interval.
 *
 * This interface was referenced by `WorkloadResult`'s JSON-Schema
 * via the `definition` "ResultSpread".
 */
export interface ResultSpread {
  ttft_ms?: MetricSpread;
  prefill_tps?: MetricSpread;
  decode_tps?: MetricSpread;
  decode_p50_latency_ms?: MetricSpread;
  decode_p95_latency_ms?: MetricSpread;
  backend_prefill_tps?: MetricSpread;
  backend_decode_tps?: MetricSpread;
  wall_ms?: MetricSpread;
  prefix_cache_hit_rate?: MetricSpread;
  turn_p50_ms?: MetricSpread;
  turn_max_ms?: MetricSpread;
}
/**
 * One repetition's figures, defined as the headline fields of the same name (METHODOLOGY §3.2, §1.4, §1.5).
 *
 * This interface was referenced by `WorkloadResult`'s JSON-Schema
 * via the `definition` "RepetitionSample".
 */
export interface RepetitionSample {
  ttft_ms?: Milliseconds;
  prefill_tps?: PrefillRate;
  decode_tps?: DecodeRate;
  decode_p50_latency_ms?: Milliseconds;
  decode_p95_latency_ms?: Milliseconds;
  backend_prefill_tps?: PrefillRate;
  backend_decode_tps?: DecodeRate;
  wall_ms?: Milliseconds;
  prompt_tokens?: Count;
  output_tokens?: Count;
  cached_prompt_tokens?: Count;
  prefix_cache_hit_rate?: number | null;
  turn_p50_ms?: Milliseconds;
  turn_max_ms?: Milliseconds;
}
/**
 * Energy over this workload's timed part, split into prefill and decode (METHODOLOGY §13.2): the meters read, the idle baseline subtracted, joules per token and tokens per second per watt. Compared only between results measured with the same meter.
 *
 * This interface was referenced by `WorkloadResult`'s JSON-Schema
 * via the `definition` "Energy".
 */
export interface Energy {
  /**
   * The kind of meter the figures come from: the meters' names joined by + in a fixed order (nvidia-smi-power+rapl), or none.
   */
  meter: string;
  /**
   * @maxItems 8
   */
  meters?: EnergyMeter[];
  /**
   * The idle baseline, summed over the meters: mean power over a few seconds before the first workload, with the model loaded and nothing generating. Null when it could not be measured (then every net figure is null).
   */
  idle_w?: number | null;
  /**
   * How long the idle baseline was measured.
   */
  idle_ms?: number | null;
  total?: EnergyPhase;
  prefill?: EnergyPhase;
  decode?: EnergyPhase;
  /**
   * Why a figure is null (no meter, too few samples, ...); null when every figure is there.
   */
  reason: string | null;
}
/**
 * Decode against the memory-bandwidth limit (METHODOLOGY §13.4): bytes read per decoded token from the model's shape, the device's peak bandwidth, and the share of it that decode used.
 *
 * This interface was referenced by `WorkloadResult`'s JSON-Schema
 * via the `definition` "Roofline".
 */
export interface Roofline {
  /**
   * Where the model's shape came from: the GGUF's tensor directory, or a model config's dimensions.
   */
  shape_source?: 'gguf' | 'config' | null;
  /**
   * Weight bytes read to decode one token: every layer tensor (only the active experts of a mixture of experts), the output matrix and one embedding row.
   */
  weight_bytes_per_token?: number | null;
  /**
   * KV-cache bytes read per token of context at each decode step: layers × KV heads × (key + value length) × element size.
   */
  kv_bytes_per_context_token?: number | null;
  /**
   * Bytes per KV-cache element assumed (2: f16, llama.cpp's default).
   */
  kv_element_bytes?: number | null;
  /**
   * Mean context during decode: prompt tokens + half the output tokens (token-weighted over W5's turns).
   */
  depth_tokens?: number | null;
  /**
   * weight_bytes_per_token + kv_bytes_per_context_token × depth_tokens; for W4, the weights once per batch step divided by the batch, plus each token's KV.
   */
  bytes_per_token?: number | null;
  /**
   * The device whose bandwidth is the limit, as the bandwidth table names it (H200, RTX 4090, M3 Pro, AMD EPYC 9004).
   */
  device?: string | null;
  /**
   * How many such devices the backend used (their bandwidths are summed).
   */
  devices?: number | null;
  device_kind?: 'gpu' | 'apple' | 'cpu' | null;
  /**
   * The device's peak memory bandwidth in GB/s (10^9 bytes per second).
   */
  peak_gb_s?: number | null;
  /**
   * table: the spec sheet figure in the framework's bandwidth table.
   */
  bandwidth_source?: 'table' | null;
  /**
   * decode_tps × bytes_per_token, in GB/s.
   */
  implied_gb_s?: number | null;
  /**
   * implied_gb_s / peak_gb_s; null with a reason when the shape or the device is unknown.
   */
  bandwidth_share: number | null;
  /**
   * Why a figure is null (no meter, too few samples, ...); null when every figure is there.
   */
  reason: string | null;
  /**
   * W3: the same per context tier.
   *
   * @maxItems 64
   */
  tiers?: RooflineTier[];
}
/**
 * What else the machine did during this workload's timed part (METHODOLOGY §13.6): CPU used by other processes, load, the CPU frequency governor, GPU clocks and clock-event reasons. They set the busy-machine and throttled flags.
 *
 * This interface was referenced by `WorkloadResult`'s JSON-Schema
 * via the `definition` "MachineObservations".
 */
export interface MachineObservations {
  /**
   * Logical CPUs the shares are of.
   */
  cpus?: number | null;
  /**
   * CPU time used by processes other than llm-speed, its children and the backend's known processes, over all logical CPUs' time (Linux /proc/stat and /proc/<pid>/stat).
   */
  other_cpu_share?: number | null;
  /**
   * The one-minute load average at the end of the timed part.
   */
  load_1m?: number | null;
  /**
   * The CPU frequency governors in use (Linux cpufreq scaling_governor), comma-separated when they differ.
   */
  cpu_governor?: string | null;
  /**
   * Rise of the kernel's CPU thermal throttle counters (core and package) during the timed part.
   */
  cpu_throttle_events?: number | null;
  gpu_sm_clock_mhz_min?: number | null;
  gpu_sm_clock_mhz_max?: number | null;
  /**
   * Clock-event (throttle) reasons nvidia-smi reported active in any reading.
   *
   * @maxItems 16
   */
  gpu_clock_events?: GpuClockEvent[];
  /**
   * Why a figure is null (no meter, too few samples, ...); null when every figure is there.
   */
  reason: string | null;
}
/**
 * This interface was referenced by `WorkloadResult`'s JSON-Schema
 * via the `definition` "EnergyMeter".
 */
export interface EnergyMeter {
  /**
   * nvidia-smi's energy counter or its power readings; Linux RAPL counters (powercap); the amdgpu driver's hwmon energy counter or power readings; macOS powermetrics (root only, on request).
   */
  meter: 'nvidia-smi-energy' | 'nvidia-smi-power' | 'rapl' | 'amdgpu-energy' | 'amdgpu-power' | 'powermetrics';
  /**
   * What the meter measures: the GPU board, the CPU package, DRAM (RAPL), or an Apple SoC's CPU or all of it (CPU + GPU + ANE).
   */
  domain: 'gpu' | 'cpu-package' | 'dram' | 'cpu' | 'soc';
  /**
   * How many devices (GPUs, CPU packages) are summed.
   */
  devices?: number;
  /**
   * The sampling interval.
   */
  interval_ms: number;
  /**
   * Readings taken during the workload's timed part.
   */
  samples: number;
  /**
   * This meter's idle baseline.
   */
  idle_w?: number | null;
}
/**
 * This interface was referenced by `WorkloadResult`'s JSON-Schema
 * via the `definition` "RooflineTier".
 */
export interface RooflineTier {
  context_tokens: number;
  depth_tokens?: number | null;
  bytes_per_token?: number | null;
  implied_gb_s?: number | null;
  bandwidth_share: number | null;
}
