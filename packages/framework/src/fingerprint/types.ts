/**
 * What the probes gather before anything is bucketed. These shapes may hold identifying detail
 * (driver builds, PCI bus ids, vBIOS, full kernel release, hostname…): they exist only so that
 * buildFingerprint can prove it drops them. Nothing here is ever serialised as-is.
 */

export type GpuVendor = 'nvidia' | 'amd' | 'apple' | 'intel';

export interface RawGpu {
  vendor: GpuVendor;
  /** The name as the tool printed it, e.g. "NVIDIA GeForce RTX 4090". */
  name: string;
  /** Dedicated memory in MiB; absent when unknown. Ignored for Apple (unified memory = RAM). */
  memoryMiB?: number;
  /** GPU core count where the platform reports one (Apple `sppci_cores`); summary only. */
  gpuCores?: number;
  /** Identifying details a tool may print; collected by nobody on purpose, dropped always. */
  driverVersion?: string;
  pciBusId?: string;
  vbiosVersion?: string;
  [other: string]: unknown;
}

export interface RawHardware {
  /** `process.platform` style (linux, darwin, win32, freebsd) or systeminformation's ("Windows"). */
  platform: string;
  /**
   * The version string whose first number is the OS major: kernel release on Linux
   * ("6.8.0-31-generic"), macOS product version on Darwin ("26.3.1"), "10.0.22631" on Windows.
   */
  release: string;
  /** CPU vendor as systeminformation reports it ("AMD", "Intel", "Apple"); may be empty. */
  cpuManufacturer: string;
  /** CPU model line ("Ryzen 9 7950X3D 16-Core Processor", "Intel(R) Xeon(R) CPU E5-2680 v4 @ 2.40GHz"). */
  cpuBrand: string;
  physicalCores: number;
  logicalCores: number;
  memTotalBytes: number;
  gpus: RawGpu[];
  /** Identifying details the OS hands out alongside; dropped always. */
  hostname?: string;
  username?: string;
  locale?: string;
  distro?: string;
  diskSerials?: string[];
  [other: string]: unknown;
}

/** One run of an external tool. `undefined` from the probe means "not there / did not work". */
export interface ToolOutput {
  stdout: string;
}

/** The subset of systeminformation facts the fingerprint reads (see probe.ts for the default). */
export interface SystemFacts {
  os: { platform: string; kernel: string; release: string; hostname?: string; distro?: string };
  cpu: { manufacturer: string; brand: string; physicalCores: number; cores: number };
  mem: { total: number };
  graphics: { vendor: string; model: string; vram: number | null; vramDynamic?: boolean; cores?: number }[];
}

/** Injectable source of raw facts so the whole collection path runs in tests with canned data. */
export interface FingerprintProbe {
  system(): Promise<SystemFacts>;
  /** Runs a tool with a short deadline; resolves `undefined` when missing, failing or too slow. */
  runTool(command: string, args: readonly string[]): Promise<ToolOutput | undefined>;
}
