import { createHash } from 'node:crypto';
import type { Fingerprint, Gpu } from '../contract/generated/run.js';

export type BucketedFields = Pick<Fingerprint, 'os_name' | 'os_version' | 'cpu_model' | 'cpu_cores' | 'ram_gb' | 'gpus'>;

/**
 * First 16 hex chars of SHA-256 over the bucketed fields only. The hashed bytes are the UTF-8 of
 *   JSON.stringify(["llm-speed-fingerprint-v1", os_name, os_version, cpu_model, cpu_cores, ram_gb,
 *                   [[kind, name, memory_gb], …]])
 * with the GPU tuples sorted by their own JSON text, so probe order does not change the hash.
 * An array (not an object) fixes the field order; the version tag lets a future rule change
 * produce visibly different hashes instead of silently colliding with old ones.
 * Nothing else (backends, accelerator_summary, GPU core counts) is hashed.
 */
export function fingerprintHash(bucketed: BucketedFields): string {
  const gpus = bucketed.gpus
    .map((g: Gpu) => [g.kind, g.name, g.memory_gb] as const)
    .map((t) => JSON.stringify(t))
    .sort()
    .map((s) => JSON.parse(s) as unknown);
  const canonical = JSON.stringify(['llm-speed-fingerprint-v1', bucketed.os_name, bucketed.os_version, bucketed.cpu_model, bucketed.cpu_cores, bucketed.ram_gb, gpus]);
  return createHash('sha256').update(canonical, 'utf8').digest('hex').slice(0, 16);
}
