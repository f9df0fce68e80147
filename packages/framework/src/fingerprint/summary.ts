import type { Fingerprint, Gpu } from '../contract/generated/run.js';

/**
 * The human headline, built only from bucketed values (plus the Apple GPU core count, a class
 * property): "M3 Pro (18-core GPU) + 40 GB unified", "RTX 4090 24 GB + AMD Ryzen 9 7950X3D, 64 GB RAM",
 * "2x H100 80GB HBM3 80 GB + AMD EPYC 9654, 1536 GB RAM", "CPU only: AMD EPYC 7B13, 24 GB RAM".
 */
export function acceleratorSummary(fp: Pick<Fingerprint, 'cpu_model' | 'ram_gb' | 'gpus'>, appleGpuCores?: number): string {
  const apple = fp.gpus.find((g) => g.kind === 'apple');
  if (apple) {
    const cores = appleGpuCores ? ` (${appleGpuCores}-core GPU)` : '';
    return clip(`${apple.name}${cores} + ${fp.ram_gb} GB unified`);
  }
  if (fp.gpus.length === 0) return clip(`CPU only: ${fp.cpu_model}, ${fp.ram_gb} GB RAM`);
  const groups = new Map<string, { gpu: Gpu; count: number }>();
  for (const gpu of fp.gpus) {
    const key = `${gpu.kind}\u0000${gpu.name}\u0000${gpu.memory_gb}`;
    const group = groups.get(key);
    if (group) group.count++;
    else groups.set(key, { gpu, count: 1 });
  }
  const parts = [...groups.values()].map(({ gpu, count }) => {
    const memory = gpu.memory_gb > 0 ? ` ${gpu.memory_gb} GB` : '';
    return `${count > 1 ? `${count}x ` : ''}${gpu.name}${memory}`;
  });
  return clip(`${parts.join(' + ')} + ${fp.cpu_model}, ${fp.ram_gb} GB RAM`);
}

/** The schema caps the headline at 200 characters. */
function clip(text: string): string {
  return text.length <= 200 ? text : `${text.slice(0, 197)}...`;
}
