/**
 * A run on the CPU of a machine with a GPU measures the CPU, whatever the hardware label says
 * (issue 25: the embedded engine ran on the CPU of an H200 machine, and nothing said so). Such a
 * result carries the flag `accelerator-unused`, and the CLI says so before the run in one line
 * naming the GPU and the command that fixes it.
 */
import type { BackendBuild } from '../contract/driver.js';
import type { Fingerprint, Gpu } from '../contract/generated/run.js';

export const ACCELERATOR_UNUSED_FLAG = 'accelerator-unused';

/**
 * Whether a fingerprint GPU is an accelerator a backend could run on: every NVIDIA GPU and Apple
 * silicon GPU, and AMD or Intel GPUs with memory of their own (a memory bucket above 0). AMD and
 * Intel integrated graphics borrow system memory (bucket 0) and are often slower than the CPU
 * beside them: a CPU run on such a machine is not flagged.
 */
export function isAccelerator(gpu: Gpu): boolean {
  if (gpu.kind === 'nvidia' || gpu.kind === 'apple') return true;
  return (gpu.kind === 'amd' || gpu.kind === 'intel') && gpu.memory_gb > 0;
}

/** The accelerator a run leaves idle: the fingerprint lists one, and the backend ran on the CPU. */
export function idleAccelerator(fingerprint: Pick<Fingerprint, 'gpus'>, build: BackendBuild | undefined): Gpu | undefined {
  if (build?.kind !== 'cpu') return undefined;
  return fingerprint.gpus.find(isAccelerator);
}

/** "an NVIDIA H200 (144 GB)", "an Apple M3 Pro GPU". */
function describeGpu(gpu: Gpu): string {
  const vendor = { nvidia: 'NVIDIA', amd: 'AMD', intel: 'Intel', apple: 'Apple', cpu: 'CPU' }[gpu.kind];
  const name = gpu.name.toLowerCase().startsWith(vendor.toLowerCase()) ? gpu.name : `${vendor} ${gpu.name}`;
  const memory = gpu.kind !== 'apple' && gpu.memory_gb > 0 ? ` (${gpu.memory_gb} GB)` : '';
  // Every vendor name reads with a vowel sound (an NVIDIA, an AMD, an Apple, an Intel).
  return `an ${name}${gpu.kind === 'apple' ? ' GPU' : ''}${memory}`;
}

/**
 * The one line said before the run: "this machine has an NVIDIA H200 (144 GB), but llama.cpp runs
 * on the CPU: these numbers are for the CPU. For the GPU: llm-speed engine install".
 */
export function idleAcceleratorLine(gpu: Gpu, backend: string, fix?: string): string {
  return `this machine has ${describeGpu(gpu)}, but ${backend} runs on the CPU: these numbers are for the CPU (results are flagged ${ACCELERATOR_UNUSED_FLAG})${fix ? `. For the GPU: ${fix}` : ''}`;
}
