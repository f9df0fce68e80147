/**
 * Parses `rocm-smi --showproductname --showmeminfo vram --json` (ROCm SMI, the rocm_smi_lib
 * CLI; `rocm-smi --help` documents the flags). The JSON is an object keyed by card
 * ("card0", "card1", …; a "system" key may appear for system-wide values) whose values are
 * flat string maps: "Card Series"/"Card series" (product name; older releases print the
 * marketing name in brackets, "Navi 31 [Radeon RX 7900 XT/7900 XTX]"), "Card Vendor",
 * "Card SKU", "GFX Version", and "VRAM Total Memory (B)" in bytes as a decimal string.
 * Key capitalisation differs between ROCm releases, so keys are matched case-insensitively.
 */
import type { RawGpu } from '../types.js';

export const ROCM_SMI_ARGS = ['--showproductname', '--showmeminfo', 'vram', '--json'] as const;

export function parseRocmSmiJson(text: string): RawGpu[] {
  let doc: unknown;
  try {
    doc = JSON.parse(text);
  } catch {
    return [];
  }
  if (!doc || typeof doc !== 'object') return [];
  const gpus: RawGpu[] = [];
  const cards = Object.entries(doc as Record<string, unknown>)
    .filter(([key, value]) => /^card\d+$/i.test(key) && value && typeof value === 'object')
    .sort(([a], [b]) => Number(a.slice(4)) - Number(b.slice(4)));
  for (const [, value] of cards) {
    const fields = lowerKeys(value as Record<string, unknown>);
    const series = fields['card series'];
    const name = series || fields['card model'];
    if (!name) continue;
    const gpu: RawGpu = { vendor: 'amd', name: bracketedName(name) };
    const bytes = Number(fields['vram total memory (b)']);
    if (Number.isFinite(bytes) && bytes > 0) gpu.memoryMiB = bytes / 1024 ** 2;
    gpus.push(gpu);
  }
  return gpus;
}

function lowerKeys(record: Record<string, unknown>): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(record)) if (typeof v === 'string') out[k.toLowerCase()] = v.trim();
  return out;
}

/** "Navi 31 [Radeon RX 7900 XT/7900 XTX]" → "Radeon RX 7900 XT/7900 XTX": the marketing name is in brackets. */
function bracketedName(series: string): string {
  const m = /\[([^\]]+)\]/.exec(series);
  return (m ? m[1]! : series).trim();
}
