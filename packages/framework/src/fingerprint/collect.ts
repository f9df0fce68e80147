import type { Fingerprint } from '../contract/generated/run.js';
import { buildFingerprint } from './build.js';
import { canonicalOsName, vendorOfText } from './canonical.js';
import { NVIDIA_QUERY_FIELDS, parseNvidiaSmiCsv } from './parsers/nvidia-smi.js';
import { ROCM_SMI_ARGS, parseRocmSmiJson } from './parsers/rocm-smi.js';
import { SYSTEM_PROFILER_ARGS, parseSystemProfilerDisplays } from './parsers/system-profiler.js';
import { defaultProbe } from './probe.js';
import type { FingerprintProbe, GpuVendor, RawGpu, RawHardware, SystemFacts } from './types.js';

export interface CollectFingerprintOptions {
  /** Backend versions reported by the drivers (extras.backends); not hashed. */
  backends?: Record<string, string>;
  /** Omit fingerprint_hash entirely (PRIVACY §3, --strict-anon). */
  strictAnon?: boolean;
  probe?: FingerprintProbe;
}

/**
 * This machine's raw facts, probed once per process: `bench` needs the GPUs before the run (to
 * say when the backend leaves one idle) and the whole fingerprint after it, and the probes
 * (systeminformation, nvidia-smi) take hundreds of milliseconds. Hardware does not change mid-run.
 */
let machineHardware: Promise<RawHardware> | undefined;

export async function collectFingerprint(options: CollectFingerprintOptions = {}): Promise<Fingerprint> {
  let raw: RawHardware;
  if (options.probe) raw = await gatherRawHardware(options.probe);
  else {
    machineHardware ??= gatherRawHardware(defaultProbe());
    // A failed probe is not remembered: the next call tries again.
    raw = await machineHardware.catch((error: unknown) => {
      machineHardware = undefined;
      throw error;
    });
  }
  return buildFingerprint(raw, options.backends ?? {}, options.strictAnon ?? false);
}

/** Runs the probes (in parallel) and merges what they saw into one RawHardware. */
export async function gatherRawHardware(probe: FingerprintProbe): Promise<RawHardware> {
  const facts = await probe.system();
  const darwin = canonicalOsName(facts.os.platform) === 'Darwin';
  // Only the fields we keep are queried; the parser copes with wider queries too.
  const [nvidia, rocm, profiler] = await Promise.all([
    darwin ? undefined : probe.runTool('nvidia-smi', [`--query-gpu=${NVIDIA_QUERY_FIELDS.join(',')}`, '--format=csv']),
    darwin ? undefined : probe.runTool('rocm-smi', ROCM_SMI_ARGS),
    darwin ? probe.runTool('system_profiler', SYSTEM_PROFILER_ARGS) : undefined,
  ]);
  const fromTools = [...(nvidia ? parseNvidiaSmiCsv(nvidia.stdout) : []), ...(rocm ? parseRocmSmiJson(rocm.stdout) : []), ...(profiler ? parseSystemProfilerDisplays(profiler.stdout) : [])];
  return {
    platform: facts.os.platform,
    // Linux/FreeBSD: the kernel is the OS version; macOS and Windows: the product version.
    release: darwin || canonicalOsName(facts.os.platform) === 'Windows' ? facts.os.release : facts.os.kernel,
    cpuManufacturer: facts.cpu.manufacturer,
    cpuBrand: facts.cpu.brand,
    physicalCores: facts.cpu.physicalCores,
    logicalCores: facts.cpu.cores,
    memTotalBytes: facts.mem.total,
    gpus: mergeGpus(fromTools, facts.graphics),
  };
}

/**
 * Vendor tools are authoritative (exact VRAM, one line per device). systeminformation's
 * controllers fill in vendors no tool answered for (an Intel iGPU, an AMD card without ROCm);
 * controllers of other vendors (ASPEED BMCs, virtual VGA) are not accelerators and are dropped.
 */
function mergeGpus(fromTools: RawGpu[], controllers: SystemFacts['graphics']): RawGpu[] {
  const covered = new Set<GpuVendor>(fromTools.map((g) => g.vendor));
  const extra: RawGpu[] = [];
  for (const c of controllers) {
    const vendor = vendorOfText(`${c.vendor} ${c.model}`);
    if (!vendor || covered.has(vendor) || !c.model) continue;
    // lspci-style models carry the marketing name in brackets: "AD102 [GeForce RTX 4090]".
    const gpu: RawGpu = { vendor, name: /\[([^\]]+)\]/.exec(c.model)?.[1] ?? c.model };
    if (typeof c.cores === 'number' && c.cores > 0) gpu.gpuCores = c.cores;
    // Dynamic VRAM is borrowed system memory, not a VRAM bucket.
    if (typeof c.vram === 'number' && c.vram > 0 && !c.vramDynamic) gpu.memoryMiB = c.vram;
    extra.push(gpu);
  }
  return [...fromTools, ...extra];
}
