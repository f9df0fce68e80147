/** The default probe: systeminformation for OS/CPU/RAM/graphics, execa for the vendor tools. */
import type { FingerprintProbe, SystemFacts, ToolOutput } from './types.js';

/** Each vendor tool gets this long; a hung driver must not hang `detect`. */
export const TOOL_DEADLINE_MS = 2500;
/** systeminformation's graphics() shells out (lspci, nvidia-smi, system_profiler); cap it too. */
const GRAPHICS_DEADLINE_MS = 3000;

export function defaultProbe(): FingerprintProbe {
  return {
    async system(): Promise<SystemFacts> {
      // Loaded lazily (execa too): the framework index re-exports this module and `--version` must stay fast.
      const si = (await import('systeminformation')).default;
      const [os, cpu, mem, graphics] = await Promise.all([si.osInfo(), si.cpu(), si.mem(), withDeadline(si.graphics(), GRAPHICS_DEADLINE_MS).catch(() => undefined)]);
      return {
        os: { platform: os.platform, kernel: os.kernel, release: os.release },
        cpu: { manufacturer: cpu.manufacturer, brand: cpu.brand, physicalCores: cpu.physicalCores, cores: cpu.cores },
        mem: { total: mem.total },
        graphics: (graphics?.controllers ?? []).map((c) => ({
          vendor: c.vendor ?? '',
          model: c.model ?? '',
          vram: c.vram ?? null,
          vramDynamic: c.vramDynamic,
          ...(typeof c.cores === 'number' ? { cores: c.cores } : {}),
        })),
      };
    },
    async runTool(command, args): Promise<ToolOutput | undefined> {
      // reject:false: a missing tool (ENOENT), a non-zero exit or the deadline are all "no data".
      const { execa } = await import('execa');
      const result = await execa(command, [...args], {
        reject: false,
        timeout: TOOL_DEADLINE_MS,
        stdin: 'ignore',
        windowsHide: true,
      });
      if (result.failed || result.exitCode !== 0 || typeof result.stdout !== 'string') return undefined;
      return { stdout: result.stdout };
    },
  };
}

function withDeadline<T>(promise: Promise<T>, ms: number): Promise<T | undefined> {
  let timer: NodeJS.Timeout | undefined;
  const deadline = new Promise<undefined>((resolve) => {
    timer = setTimeout(() => resolve(undefined), ms);
    timer.unref();
  });
  return Promise.race([promise, deadline]).finally(() => clearTimeout(timer));
}
