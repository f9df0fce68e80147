/** The coarse hardware fingerprint of `llm-speed detect` and every upload (PRIVACY §1). */
export { collectFingerprint, gatherRawHardware, type CollectFingerprintOptions } from './collect.js';
export { buildFingerprint } from './build.js';
export { fingerprintHash, type BucketedFields } from './hash.js';
export { bucketGb } from './bucket.js';
export { acceleratorSummary } from './summary.js';
export { ACCELERATOR_UNUSED_FLAG, idleAccelerator, idleAcceleratorLine, isAccelerator } from './accelerator.js';
export { canonicalCpuModel, canonicalGpuName, canonicalOsName, osMajor } from './canonical.js';
export { parseNvidiaSmiCsv, NVIDIA_QUERY_FIELDS } from './parsers/nvidia-smi.js';
export { parseRocmSmiJson, ROCM_SMI_ARGS } from './parsers/rocm-smi.js';
export { parseSystemProfilerDisplays, SYSTEM_PROFILER_ARGS } from './parsers/system-profiler.js';
export { defaultProbe, TOOL_DEADLINE_MS } from './probe.js';
export type { FingerprintProbe, GpuVendor, RawGpu, RawHardware, SystemFacts, ToolOutput } from './types.js';
