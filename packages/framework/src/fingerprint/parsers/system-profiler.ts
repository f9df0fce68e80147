/**
 * Parses `system_profiler SPDisplaysDataType -json` (macOS; `man system_profiler`). The JSON is
 * { "SPDisplaysDataType": [ {…one entry per GPU…} ] } where each entry has "sppci_model"
 * ("Apple M3 Pro", "AMD Radeon Pro 5500M", "Intel UHD Graphics 630"), "spdisplays_vendor"
 * ("sppci_vendor_Apple", "sppci_vendor_amd", "Intel"…), on Apple silicon "sppci_cores" (GPU core
 * count, a string) and on discrete/Intel GPUs "spdisplays_vram" / "spdisplays_vram_shared"
 * ("8 GB", "1536 MB"). Attached displays ("spdisplays_ndrvs", with serial numbers) are ignored.
 */
import type { GpuVendor, RawGpu } from '../types.js';

export const SYSTEM_PROFILER_ARGS = ['SPDisplaysDataType', '-json'] as const;

export function parseSystemProfilerDisplays(text: string): RawGpu[] {
  let doc: unknown;
  try {
    doc = JSON.parse(text);
  } catch {
    return [];
  }
  const entries = (doc as { SPDisplaysDataType?: unknown } | null)?.SPDisplaysDataType;
  if (!Array.isArray(entries)) return [];
  const gpus: RawGpu[] = [];
  for (const entry of entries as Record<string, unknown>[]) {
    if (!entry || typeof entry !== 'object') continue;
    const name = str(entry.sppci_model) ?? str(entry._name);
    if (!name) continue;
    const vendor = vendorOf(str(entry.spdisplays_vendor) ?? '', name);
    if (!vendor) continue;
    const gpu: RawGpu = { vendor, name };
    const cores = Number(str(entry.sppci_cores));
    if (Number.isInteger(cores) && cores > 0) gpu.gpuCores = cores;
    // Shared VRAM (Intel iGPU) is system RAM, not a VRAM bucket.
    const vram = mibOf(str(entry.spdisplays_vram));
    if (vendor !== 'apple' && vram !== undefined) gpu.memoryMiB = vram;
    gpus.push(gpu);
  }
  return gpus;
}

function str(v: unknown): string | undefined {
  return typeof v === 'string' && v.trim() ? v.trim() : undefined;
}

function vendorOf(vendor: string, name: string): GpuVendor | undefined {
  const text = `${vendor} ${name}`.toLowerCase();
  if (/apple/.test(text)) return 'apple';
  if (/nvidia/.test(text)) return 'nvidia';
  if (/\bamd\b|ati|radeon/.test(text)) return 'amd';
  if (/intel/.test(text)) return 'intel';
  return undefined;
}

function mibOf(text: string | undefined): number | undefined {
  const m = text && /^([0-9.]+)\s*(MB|GB)$/i.exec(text);
  if (!m) return undefined;
  const n = Number(m[1]);
  return m[2]!.toUpperCase() === 'GB' ? n * 1024 : n;
}
