/**
 * AMD GPUs through the amdgpu driver's hwmon interface (the kernel's
 * Documentation/gpu/amdgpu/thermal.rst; hwmon's sysfs-interface.rst for the units): a device whose
 * `name` is "amdgpu" has `power1_average` (average socket power, µW) or, on newer parts and
 * APUs, `power1_input` (µW), an `energy1_input` counter (µJ) where the firmware offers one, and
 * `freq1_input` (the shader clock in Hz, `freq1_label` "sclk"). amd-smi and rocm-smi read the same
 * sources; they are Python programs that take a few hundred milliseconds to start, too slow to
 * run ten times a second, so the sampler reads the files itself.
 */
import { join } from 'node:path';
import { list, readNumber, readText } from './sysfs.js';

export const HWMON_ROOT = '/sys/class/hwmon';

export interface AmdGpuSensor {
  /** hwmon folder name (local only). */
  hwmon: string;
  /** energy1_input (µJ counter) or a power file (µW). */
  kind: 'energy' | 'power';
  path: string;
  /** freq1_input when it is the shader clock. */
  clockPath?: string;
}

export function findAmdGpuSensors(root = HWMON_ROOT): AmdGpuSensor[] {
  const out: AmdGpuSensor[] = [];
  for (const entry of list(root)) {
    const dir = join(root, entry);
    if (readText(join(dir, 'name')) !== 'amdgpu') continue;
    const clockPath = readText(join(dir, 'freq1_label')) === 'sclk' && readNumber(join(dir, 'freq1_input')) !== undefined ? join(dir, 'freq1_input') : undefined;
    const energy = join(dir, 'energy1_input');
    if (readNumber(energy) !== undefined) {
      out.push({ hwmon: entry, kind: 'energy', path: energy, clockPath });
      continue;
    }
    const power = ['power1_average', 'power1_input'].map((f) => join(dir, f)).find((p) => readNumber(p) !== undefined);
    if (power) out.push({ hwmon: entry, kind: 'power', path: power, clockPath });
  }
  return out;
}

/** One reading: joules (energy counter) or watts (power), and the shader clock in MHz when known. */
export function readAmdGpu(sensor: AmdGpuSensor): { value: number; clockMhz?: number } | undefined {
  const raw = readNumber(sensor.path);
  if (raw === undefined) return undefined;
  const hz = sensor.clockPath ? readNumber(sensor.clockPath) : undefined;
  return { value: raw / 1e6, ...(hz !== undefined ? { clockMhz: hz / 1e6 } : {}) };
}
