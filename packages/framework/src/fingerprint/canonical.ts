/** Canonical labels: the class users compare on, with vendor noise and clock suffixes removed. */
import type { Fingerprint } from '../contract/generated/run.js';
import type { GpuVendor } from './types.js';

const TRADEMARKS = /\((?:R|TM|C)\)|[®™©]/gi;

/**
 * "AMD" + "Ryzen 9 7950X3D 16-Core Processor" → "AMD Ryzen 9 7950X3D";
 * "Intel(R) Xeon(R) CPU E5-2680 v4 @ 2.40GHz" → "Intel Xeon E5-2680 v4"; "Apple" + "M3 Pro" → "Apple M3 Pro".
 */
export function canonicalCpuModel(manufacturer: string, brand: string): string {
  let label = brand
    .replace(TRADEMARKS, ' ')
    .replace(/@\s*[0-9.]+\s*[GM]Hz/gi, ' ')
    .replace(/\b\d+-Core\b/gi, ' ')
    .replace(/\b(?:CPU|Processor|APU)\b/gi, ' ')
    .replace(/\s+with\s+Radeon.*$/i, ' ')
    .replace(/\s+/g, ' ')
    .trim();
  const maker = manufacturer.replace(TRADEMARKS, ' ').replace(/\s+/g, ' ').trim();
  const makerWord = canonicalMaker(maker);
  if (makerWord && !label.toLowerCase().startsWith(makerWord.toLowerCase())) label = `${makerWord} ${label}`.trim();
  label = label.replace(/^(AMD|Intel|Apple)\s+\1\b/i, '$1');
  return (label || 'Unknown CPU').slice(0, 120);
}

function canonicalMaker(maker: string): string {
  if (/intel/i.test(maker)) return 'Intel';
  if (/amd|advanced micro/i.test(maker)) return 'AMD';
  if (/apple/i.test(maker)) return 'Apple';
  return maker;
}

/**
 * GPU names drop the vendor and product-line prefixes that every card of the family shares:
 * "NVIDIA GeForce RTX 4090" → "RTX 4090", "NVIDIA H100 80GB HBM3" → "H100 80GB HBM3",
 * "Tesla V100-SXM2-16GB" → "V100-SXM2-16GB", "AMD Instinct MI300X" → "MI300X",
 * "AMD Radeon RX 7900 XTX" → "Radeon RX 7900 XTX", "Apple M3 Pro" → "M3 Pro",
 * "Intel(R) Arc(TM) A770 Graphics" → "Arc A770". The rest is kept verbatim (memory size in
 * the SKU name included) so that different SKUs stay different classes.
 */
export function canonicalGpuName(name: string): string {
  const label = name
    .replace(TRADEMARKS, ' ')
    .replace(/^\s*(?:NVIDIA|AMD|ATI|Intel|Apple)\b/i, ' ')
    .replace(/^\s*(?:GeForce|Tesla|Quadro|Instinct)\b/i, ' ')
    .replace(/\s+Graphics$/i, ' ')
    .replace(/\s+/g, ' ')
    .trim();
  return (label || name.trim() || 'Unknown GPU').slice(0, 120);
}

export function vendorOfText(text: string): GpuVendor | undefined {
  const t = text.toLowerCase();
  if (/nvidia/.test(t)) return 'nvidia';
  if (/\bamd\b|advanced micro|\bati\b|radeon/.test(t)) return 'amd';
  if (/apple/.test(t)) return 'apple';
  if (/intel/.test(t)) return 'intel';
  return undefined;
}

export function canonicalOsName(platform: string): Fingerprint['os_name'] {
  switch (platform.toLowerCase()) {
    case 'darwin':
      return 'Darwin';
    case 'linux':
    case 'android':
      return 'Linux';
    case 'win32':
    case 'windows':
      return 'Windows';
    case 'freebsd':
      return 'FreeBSD';
    default:
      return 'Other';
  }
}

/**
 * Major version only: "6.8.0-31-generic" → "6", "26.3.1" → "26", "14.1-RELEASE-p3" → "14".
 * Windows 11 still reports "10.0.<build>"; builds ≥ 22000 are Windows 11, so map those to "11"
 * (the number users know; the build itself is patch-level detail and is dropped).
 */
export function osMajor(osName: Fingerprint['os_name'], release: string): string {
  const m = /^\s*v?(\d{1,4})(?:\.(\d+))?(?:\.(\d+))?/.exec(release);
  if (!m) return '0';
  if (osName === 'Windows' && m[1] === '10' && Number(m[3] ?? 0) >= 22000) return '11';
  return String(Number(m[1]));
}
