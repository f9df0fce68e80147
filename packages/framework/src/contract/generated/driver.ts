/* Generated from schemas/ by scripts/generate-types.mjs. Do not edit: run `npm run schemas:gen`. */

/**
 * What a driver plugin reports to the framework: its detection result and the models it can run.
 */
export interface DriverReport {
  detection: DriverDetection;
  models?: ModelInfo[];
}
/**
 * This interface was referenced by `DriverReport`'s JSON-Schema
 * via the `definition` "DriverDetection".
 */
export interface DriverDetection {
  /**
   * Backend name as it appears in results, e.g. llama.cpp, ollama, vllm, mlx, exllamav2, hosted-api.
   */
  name: string;
  available: boolean;
  /**
   * Backend version, e.g. a llama.cpp build number or a package version.
   */
  version?: string;
  /**
   * One line saying why the backend is unavailable or what was detected.
   */
  reason?: string;
  build?: BackendBuild;
  /**
   * @deprecated
   * Superseded by build (a CUDA build was reported as cpu from --version text); accepted from older plugins, never shown.
   */
  build_flags?: string[];
  capabilities?: DriverCapabilities;
  /**
   * The oclif plugin that provided the driver (filled in by the framework).
   */
  plugin?: string;
}
/**
 * What the backend computes on, as the backend itself reports it (llama-server --list-devices, node-llama-cpp's GPU type, ...); results carry the same as backend_build.
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
 * This interface was referenced by `DriverReport`'s JSON-Schema
 * via the `definition` "DriverCapabilities".
 */
export interface DriverCapabilities {
  /**
   * Tokens arrive one by one, so per-token timing is measured on arrival.
   */
  streaming: boolean;
  /**
   * Simultaneous streams decode in parallel (false: W4 is flagged serial).
   */
  true_concurrency: boolean;
  /**
   * The backend reports how much of the prompt came from its prefix cache.
   */
  prefix_cache_stats: boolean;
  /**
   * The backend can be made to ignore end-of-sequence and emit exactly the requested number of tokens.
   */
  exact_output_length: boolean;
  max_context_tokens?: number | null;
}
/**
 * This interface was referenced by `DriverReport`'s JSON-Schema
 * via the `definition` "ModelInfo".
 */
export interface ModelInfo {
  /**
   * What --model accepts for this backend: a path, a tag or a hub id.
   */
  identifier: string;
  name: string;
  /**
   * Parameter count label such as 7B.
   */
  size?: string;
  /**
   * Quantisation scheme such as Q4_K_M.
   */
  quant?: string;
  /**
   * Digest of the weights as defined by the backend's driver (see METHODOLOGY).
   */
  digest?: string;
  context_length?: number;
  /**
   * Deterministic pseudo-random weights made by llm-speed, not a real checkpoint.
   */
  synthetic?: boolean;
  /**
   * One line a user should know about the model, e.g. that it is generated on first use.
   */
  note?: string;
}
/**
 * What `llm-speed detect --json` prints: the coarse fingerprint and every driver, detected or skipped with a reason.
 *
 * This interface was referenced by `DriverReport`'s JSON-Schema
 * via the `definition` "DetectReport".
 */
export interface DetectReport {
  fingerprint: Fingerprint;
  drivers: DriverDetection[];
  skipped_plugins?: {
    plugin: string;
    reason: string;
  }[];
}
/**
 * Coarse hardware class (PRIVACY §1). Never: PCI bus ids, driver builds, vBIOS, kernel or OS patch levels, distro, locale, disks, hostname, username, power or thermal state.
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
  /**
   * @maxItems 64
   */
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
export interface Gpu {
  name: string;
  kind: 'nvidia' | 'amd' | 'apple' | 'intel' | 'cpu';
  /**
   * Rounded to the nearest 8 GB.
   */
  memory_gb: number;
}
