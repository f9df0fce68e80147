/**
 * Power and thermal state around a run (METHODOLOGY: throttling is flagged, not rejected).
 * Read locally before and after; only the resulting flags ever reach a result — the raw state
 * (temperatures, battery level) never leaves the machine (PRIVACY §2).
 */
import { readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { execa } from 'execa';

export interface PowerState {
  /** Sum of the kernel's per-CPU thermal throttle event counters (Linux), when readable. */
  throttleEvents?: number;
  /** macOS `pmset -g therm` CPU speed limit in percent (100 = not throttled). */
  cpuSpeedLimit?: number;
  onBattery?: boolean;
}

export interface PowerProbe {
  read(): Promise<PowerState>;
}

async function readNumber(path: string): Promise<number | undefined> {
  try {
    const n = Number((await readFile(path, 'utf8')).trim());
    return Number.isFinite(n) ? n : undefined;
  } catch {
    return undefined;
  }
}

export async function linuxThrottleEvents(root = '/sys/devices/system/cpu'): Promise<number | undefined> {
  let cpus: string[];
  try {
    cpus = (await readdir(root)).filter((d) => /^cpu\d+$/.test(d));
  } catch {
    return undefined;
  }
  let total: number | undefined;
  for (const cpu of cpus) {
    for (const counter of ['core_throttle_count', 'package_throttle_count']) {
      const n = await readNumber(join(root, cpu, 'thermal_throttle', counter));
      if (n !== undefined) total = (total ?? 0) + n;
    }
  }
  return total;
}

export async function linuxOnBattery(root = '/sys/class/power_supply'): Promise<boolean | undefined> {
  let supplies: string[];
  try {
    supplies = await readdir(root);
  } catch {
    return undefined;
  }
  let sawMains = false;
  for (const s of supplies) {
    const type = await readFile(join(root, s, 'type'), 'utf8').catch(() => '');
    if (type.trim() === 'Mains') {
      sawMains = true;
      if ((await readNumber(join(root, s, 'online'))) === 1) return false;
    }
  }
  return sawMains ? true : undefined;
}

/** Parses `pmset -g therm` ("CPU_Speed_Limit = 100") and `pmset -g batt` ("Now drawing from 'Battery Power'"). */
export function parsePmset(therm: string, batt: string): PowerState {
  const limit = /CPU_Speed_Limit\s*=\s*(\d+)/.exec(therm);
  const state: PowerState = {};
  if (limit) state.cpuSpeedLimit = Number(limit[1]);
  if (/drawing from 'Battery Power'/.test(batt)) state.onBattery = true;
  else if (/drawing from 'AC Power'/.test(batt)) state.onBattery = false;
  return state;
}

/** The power state as `platform` exposes it: sysfs on Linux, `pmset` on macOS, nothing elsewhere. */
export async function readPowerState(platform: NodeJS.Platform = process.platform): Promise<PowerState> {
  if (platform === 'linux') {
    return { throttleEvents: await linuxThrottleEvents(), onBattery: await linuxOnBattery() };
  }
  if (platform === 'darwin') {
    const run = (args: string[]) => execa('pmset', args, { reject: false, timeout: 3000 }).then((r) => r.stdout ?? '');
    return parsePmset(await run(['-g', 'therm']), await run(['-g', 'batt']));
  }
  return {};
}

export const systemPowerProbe: PowerProbe = { read: () => readPowerState() };

/** Flags for a result: throttling seen during the run, or running on battery at either end. */
export function powerFlags(before: PowerState, after: PowerState): string[] {
  const flags: string[] = [];
  const moreThrottling = before.throttleEvents !== undefined && after.throttleEvents !== undefined && after.throttleEvents > before.throttleEvents;
  const limited = [before.cpuSpeedLimit, after.cpuSpeedLimit].some((v) => v !== undefined && v < 100);
  if (moreThrottling || limited) flags.push('thermal-throttled');
  if (before.onBattery || after.onBattery) flags.push('on-battery');
  return flags;
}
