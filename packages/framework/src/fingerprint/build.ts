import type { Fingerprint, Gpu } from '../contract/generated/run.js';
import { BYTES_PER_GIB, MIB_PER_GIB, bucketGb } from './bucket.js';
import { canonicalCpuModel, canonicalGpuName, canonicalOsName, osMajor } from './canonical.js';
import { fingerprintHash } from './hash.js';
import { acceleratorSummary } from './summary.js';
import type { RawHardware } from './types.js';

/**
 * Raw probe facts → the coarse fingerprint of PRIVACY §1. Pure. Every output field is derived
 * explicitly from an allow-listed input; nothing from `raw` is spread or copied wholesale,
 * which is what keeps driver builds, PCI ids, hostnames etc. out.
 */
export function buildFingerprint(raw: RawHardware, backends: Record<string, string> = {}, strictAnon = false): Fingerprint {
  const os_name = canonicalOsName(raw.platform);
  const os_version = osMajor(os_name, raw.release);
  const cpu_model = canonicalCpuModel(raw.cpuManufacturer, raw.cpuBrand);
  const cpu_cores = coreCount(raw);
  const ram_gb = bucketGb(raw.memTotalBytes / BYTES_PER_GIB);
  const gpus: Gpu[] = raw.gpus.map((g) => ({
    name: canonicalGpuName(g.name),
    kind: g.vendor,
    // Apple silicon GPUs share system memory: their bucket is the RAM bucket.
    memory_gb: g.vendor === 'apple' ? ram_gb : bucketGb((g.memoryMiB ?? 0) / MIB_PER_GIB),
  }));
  const appleCores = raw.gpus.find((g) => g.vendor === 'apple')?.gpuCores;
  const bucketed = { os_name, os_version, cpu_model, cpu_cores, ram_gb, gpus };
  // --strict-anon: the key is absent, not undefined-valued (PRIVACY §3).
  return {
    ...bucketed,
    accelerator_summary: acceleratorSummary(bucketed, appleCores),
    ...(strictAnon ? {} : { fingerprint_hash: fingerprintHash(bucketed) }),
    extras: { backends: cleanBackends(backends) },
  };
}

/**
 * Physical cores, not logical: it is the number llama.cpp and friends size their thread pools
 * by, and it is what users quote ("M3 Pro, 12 cores"; Apple silicon has no SMT, so the
 * two agree there). Logical is the fallback when the platform cannot tell physical cores.
 */
function coreCount(raw: RawHardware): number {
  const n = raw.physicalCores > 0 ? raw.physicalCores : raw.logicalCores;
  return Number.isInteger(n) && n >= 1 ? n : 1;
}

/** Backend versions come from drivers; keep only strings and respect the schema's length caps. */
function cleanBackends(backends: Record<string, string>): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [name, version] of Object.entries(backends)) {
    if (typeof version !== 'string') continue;
    out[name.slice(0, 40)] = version.slice(0, 120);
  }
  return out;
}
