/**
 * Peak memory bandwidth of known devices, from their makers' spec sheets (METHODOLOGY §13.4). Each
 * entry names the page its figure comes from. GB/s are decimal (10^9 bytes a second), as spec
 * sheets give them.
 *
 * `fixed`: the memory is part of the device (HBM or GDDR on the board, LPDDR in an Apple or AMD
 * package), so the figure is a hard limit no configuration exceeds. CPU entries are platform
 * maxima — every memory channel populated at the fastest speed the platform is rated for — which
 * a machine with fewer DIMMs never reaches and overclocked memory (XMP/EXPO) can pass: a CPU run's
 * share is then a lower bound, and the plausibility check only flags a CPU run (§13.5).
 *
 * Where one name covers variants with different buses (M3 Max with a 14- or 16-core CPU), the
 * entry carries the faster one, so the limit is never too low.
 */
import { canonicalCpuModel, canonicalGpuName } from '../fingerprint/canonical.js';

export type DeviceKind = 'gpu' | 'apple' | 'cpu';

export interface BandwidthEntry {
  /** The name results carry (`roofline.device`). */
  name: string;
  kind: DeviceKind;
  /** Peak memory bandwidth in GB/s. */
  gbps: number;
  fixed: boolean;
  /** Matched against the canonical device name (fingerprint/canonical.ts): "H200", "RTX 4090", "MI300X", "M3 Pro", "AMD EPYC 9654". */
  match: RegExp;
  /** The spec sheet (and, for CPUs, the configuration the figure assumes). */
  source: string;
}

const NV_DC = 'https://www.nvidia.com/en-us/data-center';
const NV_GF = 'https://www.nvidia.com/en-us/geforce/graphics-cards';
const AMD_INSTINCT = 'https://www.amd.com/en/products/accelerators/instinct';
const AMD_RADEON = 'https://www.amd.com/en/products/graphics/desktops/radeon';
const APPLE = "https://support.apple.com/en-us/docs/mac (the model's Tech Specs page)";

const gpu = (name: string, gbps: number, match: RegExp, source: string): BandwidthEntry => ({ name, kind: 'gpu', gbps, fixed: true, match, source });
const apple = (name: string, gbps: number, match: RegExp, source = APPLE): BandwidthEntry => ({ name, kind: 'apple', gbps, fixed: true, match, source });
/** A CPU platform: channels × MT/s × 8 bytes. */
const cpu = (name: string, channels: number, mts: number, ddr: string, match: RegExp, source: string): BandwidthEntry => ({
  name,
  kind: 'cpu',
  gbps: Math.round(channels * mts * 8) / 1000,
  fixed: false,
  match,
  source: `${source} (${channels} channels of ${ddr}-${mts}, every channel populated)`,
});

/** First match wins: a more specific name (H100 NVL, RTX 4080 SUPER) comes before its family. */
export const BANDWIDTH_TABLE: readonly BandwidthEntry[] = [
  // NVIDIA data centre
  gpu('B200', 8000, /^B200\b/i, `${NV_DC}/dgx-b200/ (64 TB/s for 8 GPUs)`),
  gpu('H200', 4800, /^H200\b/i, `${NV_DC}/h200/`),
  gpu('GH200', 4900, /^GH200\b/i, `${NV_DC}/grace-hopper-superchip/ (HBM3e version; the HBM3 version has 4 TB/s)`),
  gpu('H100 NVL', 3900, /^H100\b.*\bNVL\b/i, `${NV_DC}/h100/`),
  gpu('H100 PCIe', 2000, /^H100\b.*\bPCIe\b/i, `${NV_DC}/h100/`),
  gpu('H100 SXM', 3350, /^H100\b/i, `${NV_DC}/h100/`),
  gpu('A100 80GB PCIe', 1935, /^A100\b.*\b80\s*GB\b.*\bPCIe\b|^A100\b.*PCIE.*80GB/i, `${NV_DC}/a100/`),
  gpu('A100 80GB SXM', 2039, /^A100\b.*\b80\s*GB\b/i, `${NV_DC}/a100/`),
  gpu('A100 40GB', 1555, /^A100\b/i, `${NV_DC}/a100/`),
  gpu('L40S', 864, /^L40S\b/i, `${NV_DC}/l40s/`),
  gpu('L40', 864, /^L40\b/i, `${NV_DC}/l40/`),
  gpu('L4', 300, /^L4\b/i, `${NV_DC}/l4/`),
  gpu('A10', 600, /^A10G?\b/i, `${NV_DC}/products/a10-gpu/`),
  gpu('T4', 320, /^T4\b/i, `${NV_DC}/tesla-t4/`),
  gpu('V100', 900, /^V100\b/i, `${NV_DC}/v100/`),
  gpu('RTX PRO 6000 Blackwell', 1792, /^RTX PRO 6000\b/i, 'https://www.nvidia.com/en-us/products/workstations/professional-desktop-gpus/rtx-pro-6000/'),
  gpu('RTX 6000 Ada', 960, /^RTX 6000 Ada\b/i, 'https://www.nvidia.com/en-us/design-visualization/rtx-6000/'),
  gpu('RTX A6000', 768, /^RTX A6000\b/i, 'https://www.nvidia.com/en-us/design-visualization/rtx-a6000/'),
  // NVIDIA GeForce
  gpu('RTX 5090', 1792, /^RTX 5090\b/i, `${NV_GF}/50-series/rtx-5090/`),
  gpu('RTX 5080', 960, /^RTX 5080\b/i, `${NV_GF}/50-series/rtx-5080/`),
  gpu('RTX 5070 Ti', 896, /^RTX 5070 Ti\b/i, `${NV_GF}/50-series/rtx-5070-family/`),
  gpu('RTX 5070', 672, /^RTX 5070\b/i, `${NV_GF}/50-series/rtx-5070-family/`),
  gpu('RTX 4090', 1008, /^RTX 4090\b/i, `${NV_GF}/40-series/rtx-4090/`),
  gpu('RTX 4080 SUPER', 736, /^RTX 4080 SUPER\b/i, `${NV_GF}/40-series/rtx-4080-family/`),
  gpu('RTX 4080', 716.8, /^RTX 4080\b/i, `${NV_GF}/40-series/rtx-4080-family/`),
  gpu('RTX 4070 Ti SUPER', 672, /^RTX 4070 Ti SUPER\b/i, `${NV_GF}/40-series/rtx-4070-family/`),
  gpu('RTX 4070', 504, /^RTX 4070\b/i, `${NV_GF}/40-series/rtx-4070-family/ (4070, 4070 SUPER and 4070 Ti)`),
  gpu('RTX 4060 Ti', 288, /^RTX 4060 Ti\b/i, `${NV_GF}/40-series/rtx-4060-4060ti/`),
  gpu('RTX 4060', 272, /^RTX 4060\b/i, `${NV_GF}/40-series/rtx-4060-4060ti/`),
  gpu('RTX 3090 Ti', 1008, /^RTX 3090 Ti\b/i, `${NV_GF}/30-series/rtx-3090-3090ti/`),
  gpu('RTX 3090', 936, /^RTX 3090\b/i, `${NV_GF}/30-series/rtx-3090-3090ti/`),
  gpu('RTX 3080 Ti', 912, /^RTX 3080 Ti\b/i, `${NV_GF}/30-series/rtx-3080-3080ti/`),
  gpu('RTX 3080', 912, /^RTX 3080\b/i, `${NV_GF}/30-series/rtx-3080-3080ti/ (the 12 GB card; the 10 GB card has 760)`),
  gpu('RTX 3070', 448, /^RTX 3070\b/i, `${NV_GF}/30-series/rtx-3070-3070ti/`),
  gpu('RTX 3060', 360, /^RTX 3060\b(?! Ti)/i, `${NV_GF}/30-series/rtx-3060-3060ti/ (the 12 GB card)`),
  // AMD Instinct
  gpu('MI355X', 8000, /^MI35[05]X\b/i, `${AMD_INSTINCT}/mi350.html`),
  gpu('MI325X', 6000, /^MI325X\b/i, `${AMD_INSTINCT}/mi300/mi325x.html`),
  gpu('MI300X', 5300, /^MI300X\b/i, `${AMD_INSTINCT}/mi300/mi300x.html`),
  gpu('MI250X', 3276.8, /^MI250X?\b/i, `${AMD_INSTINCT}/mi200/mi250x.html`),
  gpu('MI210', 1638.4, /^MI210\b/i, `${AMD_INSTINCT}/mi200/mi210.html`),
  gpu('MI100', 1228.8, /^MI100\b/i, `${AMD_INSTINCT}/mi100.html`),
  // AMD Radeon
  gpu('Radeon PRO W7900', 864, /^Radeon PRO W7900\b/i, 'https://www.amd.com/en/products/graphics/workstations/radeon-pro/w7900.html'),
  gpu('Radeon RX 9070 XT', 640, /^Radeon RX 9070\b/i, `${AMD_RADEON}/9000-series/amd-radeon-rx-9070xt.html (9070 and 9070 XT)`),
  gpu('Radeon RX 7900 XTX', 960, /^Radeon RX 7900 XTX\b/i, `${AMD_RADEON}/7000-series/amd-radeon-rx-7900xtx.html`),
  gpu('Radeon RX 7900 XT', 800, /^Radeon RX 7900 XT\b/i, `${AMD_RADEON}/7000-series/amd-radeon-rx-7900xt.html`),
  gpu('Radeon RX 7800 XT', 624, /^Radeon RX 7800 XT\b/i, `${AMD_RADEON}/7000-series/amd-radeon-rx-7800-xt.html`),
  gpu('Radeon RX 6900 XT', 512, /^Radeon RX 6[89]\d0 XT\b/i, `${AMD_RADEON}/6000-series/amd-radeon-rx-6900-xt.html (6800 XT and 6900 XT)`),
  gpu('Radeon 8060S', 256, /^Radeon 8060S\b/i, 'https://www.amd.com/en/products/processors/laptop/ryzen/ai-max-series/amd-ryzen-ai-max-plus-395.html (256-bit LPDDR5X-8000)'),
  // Apple silicon: unified memory, the same limit for the CPU and the GPU.
  apple('M1 Ultra', 800, /^(?:Apple )?M1 Ultra\b/i),
  apple('M1 Max', 400, /^(?:Apple )?M1 Max\b/i),
  apple('M1 Pro', 200, /^(?:Apple )?M1 Pro\b/i),
  apple('M1', 68.25, /^(?:Apple )?M1\b/i),
  apple('M2 Ultra', 800, /^(?:Apple )?M2 Ultra\b/i),
  apple('M2 Max', 400, /^(?:Apple )?M2 Max\b/i),
  apple('M2 Pro', 200, /^(?:Apple )?M2 Pro\b/i),
  apple('M2', 100, /^(?:Apple )?M2\b/i),
  apple('M3 Ultra', 819, /^(?:Apple )?M3 Ultra\b/i),
  apple('M3 Max', 400, /^(?:Apple )?M3 Max\b/i, `${APPLE}: 400 GB/s with the 16-core CPU, 300 GB/s with the 14-core`),
  apple('M3 Pro', 150, /^(?:Apple )?M3 Pro\b/i),
  apple('M3', 100, /^(?:Apple )?M3\b/i),
  apple('M4 Max', 546, /^(?:Apple )?M4 Max\b/i, `${APPLE}: 546 GB/s with the 16-core CPU, 410 GB/s with the 14-core`),
  apple('M4 Pro', 273, /^(?:Apple )?M4 Pro\b/i),
  apple('M4', 120, /^(?:Apple )?M4\b/i),
  apple('M5', 153, /^(?:Apple )?M5\b/i),
  // CPU platforms (canonical CPU model names, fingerprint/canonical.ts)
  cpu('AMD EPYC 9005', 12, 6400, 'DDR5', /^AMD EPYC 9\d\d5[\w+]*$/i, 'https://www.amd.com/en/products/processors/server/epyc/9005-series.html'),
  cpu('AMD EPYC 9004', 12, 4800, 'DDR5', /^AMD EPYC 9\d\d4[\w+]*$/i, 'https://www.amd.com/en/products/processors/server/epyc/4th-generation-9004-and-8004-series.html'),
  cpu('AMD EPYC 7003', 8, 3200, 'DDR4', /^AMD EPYC 7\d\d[23][\w+]*$/i, 'https://www.amd.com/en/products/processors/server/epyc/7003-series.html (and 7002)'),
  cpu('Intel Xeon 6 P-core', 12, 8800, 'MRDIMM', /^Intel Xeon 69\d\dP[\w+]*$/i, 'https://www.intel.com/content/www/us/en/products/details/processors/xeon/xeon6-p-cores.html'),
  cpu(
    'Intel Xeon 5th gen',
    8,
    5600,
    'DDR5',
    /^Intel Xeon (?:Platinum|Gold|Silver|Bronze) [3-9]5\d\d[\w+]*$/i,
    'https://www.intel.com/content/www/us/en/products/details/processors/xeon/scalable.html',
  ),
  cpu(
    'Intel Xeon 4th gen',
    8,
    4800,
    'DDR5',
    /^Intel Xeon (?:Platinum|Gold|Silver|Bronze) [3-9]4\d\d[\w+]*$/i,
    'https://www.intel.com/content/www/us/en/products/details/processors/xeon/scalable.html',
  ),
  cpu('Intel Xeon 3rd gen', 8, 3200, 'DDR4', /^Intel Xeon (?:Platinum|Gold|Silver) [3-8]3\d\d[\w+]*$/i, 'https://www.intel.com/content/www/us/en/products/details/processors/xeon/scalable.html'),
  cpu('AMD Ryzen 9000', 2, 5600, 'DDR5', /^AMD Ryzen [3579] 9\d\d\dX?3?D?$/i, 'https://www.amd.com/en/products/processors/desktops/ryzen/9000-series.html'),
  cpu('AMD Ryzen 7000', 2, 5200, 'DDR5', /^AMD Ryzen [3579] 7\d\d0X?3?D?$/i, 'https://www.amd.com/en/products/processors/desktops/ryzen/7000-series.html'),
  cpu('Intel Core 14th gen', 2, 5600, 'DDR5', /^Intel Core i[3579]-14\d\d\d[\w+]*$/i, 'https://www.intel.com/content/www/us/en/products/details/processors/core/i9.html'),
  cpu(
    'Intel Core 12th/13th gen',
    2,
    5600,
    'DDR5',
    /^Intel Core i[3579]-1[23]\d\d\d[\w+]*$/i,
    'https://www.intel.com/content/www/us/en/products/details/processors/core/i9.html (DDR5-4800 on 12th gen)',
  ),
];

/** The entry for a device name as a backend or the fingerprint spells it, or undefined. */
export function bandwidthEntry(name: string, kind: 'gpu' | 'cpu' = 'gpu'): BandwidthEntry | undefined {
  const canonical = kind === 'cpu' ? canonicalCpuModel('', name) : canonicalGpuName(name);
  return BANDWIDTH_TABLE.find((e) => (kind === 'cpu' ? e.kind !== 'gpu' : e.kind !== 'cpu') && e.match.test(canonical));
}

/** An entry by the name results carry (`roofline.device`). */
export function bandwidthEntryByName(name: string): BandwidthEntry | undefined {
  return BANDWIDTH_TABLE.find((e) => e.name === name);
}
