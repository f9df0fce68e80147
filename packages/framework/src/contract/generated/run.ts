/* Generated from schemas/ by scripts/generate-types.mjs. Do not edit: run `npm run schemas:gen`. */

/**
 * Per-token decode intervals. Local only unless include_raw_timings is set.
 *
 * @maxItems 1000000
 */
export type RawTimingsMs = number[];

/**
 * The upload payload (PRIVACY §1): exactly these fields, no others. additionalProperties is false wherever a field list is a privacy promise.
 */
export interface RunPayload {
  fingerprint: Fingerprint;
  /**
   * @minItems 1
   * @maxItems 1000
   */
  results: [MeasuredResult, ...MeasuredResult[]];
  /**
   * Version of the results' shape. 2: each workload is repeated and its results carry repetitions, spread and samples (METHODOLOGY §6.3). Absent: a single-shot run from an older CLI, whose every figure is one repetition with no interval.
   */
  schema_version?: number;
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
 * The <run>.local.json sidecar next to a saved run: what --resume needs and the signed payload has no field for. Written by the CLI, never uploaded, never signed.
 *
 * This interface was referenced by `RunPayload`'s JSON-Schema
 * via the `definition` "LocalRunMeta".
 */
export interface LocalRunMeta {
  /**
   * File name of the run it belongs to.
   */
  run: string;
  /**
   * The privacy mode the run was made in.
   */
  privacy_mode: 'default' | 'anon' | 'strict-anon';
  /**
   * The run was interrupted: --resume refuses it.
   */
  interrupted?: true;
}
/**
 * The <run>.timings.json sidecar next to a saved run: per-token decode intervals of each result, kept locally (uploaded only with include_raw_timings).
 *
 * This interface was referenced by `RunPayload`'s JSON-Schema
 * via the `definition` "RunTimings".
 */
export interface RunTimings {
  /**
   * File name of the run it belongs to.
   */
  run: string;
  results: {
    workload: string;
    raw_timings_ms: RawTimingsMs;
  }[];
}

import type { WorkloadResult } from './workload-result.js';

/** A workload result as uploaded: the fields run.schema.json requires beyond the METHODOLOGY §3.6 example. */
export type MeasuredResult = WorkloadResult & Required<Pick<WorkloadResult, 'suite_version' | 'suite_digest' | 'batch_size' | 'context_tokens' | 'error' | 'flags' | 'extras'>>;
