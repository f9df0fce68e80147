/**
 * node-llama-cpp's own prebuilt GPU builds of the embedded engine, as npm packages
 * (`@node-llama-cpp/<platform>-<gpu>`, published with node-llama-cpp at the same version; its
 * package.json lists them as optional dependencies). The `llm-speed` package leaves them out of
 * its install (scripts/pack-all.mjs: 610 MB on linux-x64); `llm-speed engine install` fetches the
 * one this machine can use into llm-speed's data folder.
 */
import { platform as osPlatform, arch as osArch } from 'node:process';

export type EngineGpu = 'cuda' | 'vulkan';

export interface EnginePackage {
  name: string;
  /**
   * The sha512 integrity the release was tested with (the monorepo's package-lock.json; a test
   * keeps them equal). A download must match it; without a pin the registry's own is checked.
   */
  integrity?: string;
  /** Bytes, measured: the tarball and what it unpacks to (for the space check and the README). */
  tarballBytes?: number;
  unpackedBytes?: number;
}

export interface EngineBuild {
  gpu: EngineGpu;
  /** What node-llama-cpp loads for this GPU on this platform: the main package, then its fallbacks. */
  packages: EnginePackage[];
  /** What the build needs on the machine besides the GPU driver. */
  needs: string;
}

/** The node-llama-cpp version the pins below belong to. */
export const PINNED_NODE_LLAMA_CPP = '3.22.1';

/**
 * linux-x64's GPU builds at node-llama-cpp 3.22.1. CUDA: the main package is built against CUDA 13
 * (libcudart.so.13, libcublas.so.13), the `-ext` one is node-llama-cpp's fallback for CUDA 12
 * runtimes (its bins/fallback); both are installed, as npm would. Vulkan needs the Vulkan loader.
 */
const LINUX_X64: EngineBuild[] = [
  {
    gpu: 'cuda',
    needs: "NVIDIA's driver and the CUDA runtime libraries (CUDA Toolkit 13, or 12)",
    packages: [
      {
        name: '@node-llama-cpp/linux-x64-cuda',
        integrity: 'sha512-8rQCjyNNLZJUFit+YpjwlC4hwkKgOMIkB2wuycKBf8NU2O3ySKbiWZQ8aw9ku2nUTXjSnUIrE6KB88itduTBuA==',
        tarballBytes: 142_898_030,
        unpackedBytes: 189_368_411,
      },
      {
        name: '@node-llama-cpp/linux-x64-cuda-ext',
        integrity: 'sha512-4e5ajkiM2aR2WAdB/N/ACk4weEhHvOAIrzxZPsIX0xDFW5+6hhShuy1/vs88SK9NGdgAco9IyE28eYS0H1efpA==',
        tarballBytes: 176_664_119,
        unpackedBytes: 374_474_246,
      },
    ],
  },
  {
    gpu: 'vulkan',
    needs: 'a Vulkan driver and loader (libvulkan1)',
    packages: [
      {
        name: '@node-llama-cpp/linux-x64-vulkan',
        integrity: 'sha512-bBxqU+JOcBu1nb5Qj2zcMci+JByT1E8EajHvYodyNfVIPkEhXh+/HMwR1/BT7xP08YK0hks+kM8fglER0P8JEg==',
        tarballBytes: 24_311_427,
        unpackedBytes: 73_766_523,
      },
    ],
  },
];

/** win-x64 publishes the same three; their integrity is the registry's (no pin measured here). */
const WIN_X64: EngineBuild[] = [
  { gpu: 'cuda', needs: "NVIDIA's driver and the CUDA runtime libraries (CUDA Toolkit 13, or 12)", packages: [{ name: '@node-llama-cpp/win-x64-cuda' }, { name: '@node-llama-cpp/win-x64-cuda-ext' }] },
  { gpu: 'vulkan', needs: 'a Vulkan driver', packages: [{ name: '@node-llama-cpp/win-x64-vulkan' }] },
];

/**
 * The GPU builds node-llama-cpp publishes for a platform. macOS on Apple silicon has none to
 * fetch: its one build (mac-arm64-metal) already ships with llm-speed and runs on Metal.
 */
export function engineBuilds(platform: string = osPlatform, arch: string = osArch): EngineBuild[] {
  if (platform === 'linux' && arch === 'x64') return LINUX_X64;
  if (platform === 'win32' && arch === 'x64') return WIN_X64;
  return [];
}

/** The folder name node-llama-cpp's package keeps its binaries under (bins/<platform>-<arch>-<gpu>). */
export function platformTag(platform: string = osPlatform, arch: string = osArch): string {
  return `${platform === 'win32' ? 'win' : platform === 'darwin' ? 'mac' : platform}-${arch}`;
}
