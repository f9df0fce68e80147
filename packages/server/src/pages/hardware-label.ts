/**
 * How a machine is named on the pages, the card and the listings (issue 26.6, 25): the signed
 * accelerator summary with the CPU's core count put in ("CPU only: AMD EPYC 7B13, 64 cores, 24 GB
 * RAM"), and for a result that ran on the CPU of a machine with a GPU, what it measured: "CPU of a
 * machine with an H200 (Intel Xeon, 16 cores, 128 GB RAM)", never the GPU's name alone.
 */
import type { Fingerprint, Gpu } from '@llm-speed/framework';

type Machine = Pick<Fingerprint, 'accelerator_summary' | 'cpu_model' | 'cpu_cores' | 'ram_gb' | 'gpus'>;

const cores = (n: number) => `${n} core${n === 1 ? '' : 's'}`;

/**
 * The summary with the core count beside the CPU: after the CPU model where the summary names it
 * (", 64 GB RAM" follows it), inside the Apple parenthesis ("M3 Pro (12-core CPU, 18-core GPU)"),
 * else appended. Built from the signed summary, so a page never names hardware the run did not.
 */
export function hardwareLabel(fp: Machine): string {
  const summary = fp.accelerator_summary;
  const ram = `, ${fp.ram_gb} GB RAM`;
  if (summary.endsWith(ram)) return `${summary.slice(0, -ram.length)}, ${cores(fp.cpu_cores)}${ram}`;
  const apple = /^(.*?) \((\d+-core GPU)\)( \+ .* unified)$/.exec(summary);
  if (apple) return `${apple[1]} (${fp.cpu_cores}-core CPU, ${apple[2]})${apple[3]}`;
  if (fp.gpus.some((g) => g.kind === 'apple') && / \+ \d+ GB unified$/.test(summary)) {
    return summary.replace(/ \+ (\d+ GB unified)$/, ` (${fp.cpu_cores}-core CPU) + $1`);
  }
  return `${summary}, ${cores(fp.cpu_cores)}`;
}

/** The flag the CLI sets on a CPU run of a machine with a GPU (METHODOLOGY §3.7). */
export const ACCELERATOR_UNUSED = 'accelerator-unused';

/**
 * A GPU a backend could have run on: NVIDIA and Apple always, AMD and Intel with memory of their
 * own (integrated graphics borrow system memory and are often slower than the CPU beside them).
 * The same rule the CLI flags `accelerator-unused` by (METHODOLOGY §3.7).
 */
function isAccelerator(gpu: Gpu): boolean {
  if (gpu.kind === 'nvidia' || gpu.kind === 'apple') return true;
  return (gpu.kind === 'amd' || gpu.kind === 'intel') && gpu.memory_gb > 0;
}

/**
 * The GPU a result left idle: the result carries `accelerator-unused`, or (a run from a CLI
 * before the flag) its backend ran a CPU build on a machine whose fingerprint lists a GPU.
 */
export function idleGpu(fp: Pick<Fingerprint, 'gpus'>, result: { flags?: string[] | null; backend_build?: { kind?: string } | null }): Gpu | undefined {
  const flagged = (result.flags ?? []).includes(ACCELERATOR_UNUSED);
  if (!flagged && result.backend_build?.kind !== 'cpu') return undefined;
  return fp.gpus.find(isAccelerator) ?? (flagged ? fp.gpus[0] : undefined);
}

/** "an H200", "an RTX 4090", "a GeForce RTX 3060", "an Apple M3 Pro GPU": initialisms read with their letter's sound. */
export function withArticle(name: string): string {
  const vowelSound = /^[AEIOU]/i.test(name) || /^[FHLMNRSX](?:[0-9A-Z]|$)/.test(name);
  return `${vowelSound ? 'an' : 'a'} ${name}`;
}

/**
 * What a result was measured on, in words: the hardware label, or for a result that left the GPU
 * idle "CPU of a machine with an H200 (Intel Xeon, 16 cores, 128 GB RAM)".
 */
export function measuredOn(fp: Machine, result: { flags?: string[] | null; backend_build?: { kind?: string } | null }): string {
  const gpu = idleGpu(fp, result);
  if (!gpu) return hardwareLabel(fp);
  const name = gpu.kind === 'apple' ? `${gpu.name} GPU` : gpu.name;
  return `CPU of a machine with ${withArticle(name)} (${fp.cpu_model}, ${cores(fp.cpu_cores)}, ${fp.ram_gb} GB RAM)`;
}
