/**
 * Linux RAPL energy counters through the powercap framework (the kernel's
 * Documentation/power/powercap/powercap.rst): each zone `intel-rapl:<n>` is a CPU package
 * (`name` "package-<n>"; "psys" is the whole platform and would count the package twice),
 * its sub-zone named "dram" is that socket's memory (not part of the package's count on the
 * server parts that have it); "core" and "uncore" are inside the package and are skipped. AMD
 * processors use the same `intel-rapl` zones. `energy_uj` is a counter in microjoules that wraps
 * at `max_energy_range_uj`; it has been readable only by root since the fix for CVE-2020-8694
 * (Platypus, November 2020).
 */
import { join } from 'node:path';
import { list, readNumber, readProblem, readText } from './sysfs.js';

export const POWERCAP_ROOT = '/sys/class/powercap';

export interface RaplZone {
  /** The zone's folder name, e.g. intel-rapl:0 or intel-rapl:0:2 (local only). */
  zone: string;
  domain: 'cpu-package' | 'dram';
  path: string;
  maxRangeUj: number;
}

export interface RaplDiscovery {
  zones: RaplZone[];
  /** Why none can be read, when zones exist but are not readable. */
  problem?: string;
}

export function findRaplZones(root = POWERCAP_ROOT): RaplDiscovery {
  const zones: RaplZone[] = [];
  let unreadable = 0;
  for (const entry of list(root)) {
    const m = /^intel-rapl:(\d+)(?::(\d+))?$/.exec(entry);
    if (!m) continue;
    const dir = join(root, entry);
    const name = readText(join(dir, 'name')) ?? '';
    const domain = !m[2] && /^package-\d+$/.test(name) ? 'cpu-package' : name === 'dram' ? 'dram' : undefined;
    if (!domain) continue;
    const path = join(dir, 'energy_uj');
    const problem = readProblem(path);
    if (problem) {
      if (problem === 'EACCES' || problem === 'EPERM') unreadable++;
      continue;
    }
    // Documented as the counter's range; a zone without it cannot be unwrapped safely.
    const maxRangeUj = readNumber(join(dir, 'max_energy_range_uj'));
    if (maxRangeUj === undefined || maxRangeUj <= 0) continue;
    zones.push({ zone: entry, domain, path, maxRangeUj });
  }
  return zones.length === 0 && unreadable > 0 ? { zones, problem: 'the RAPL energy counters are readable only by root (since the fix for CVE-2020-8694)' } : { zones };
}

/**
 * One zone's counter, unwrapped: a reading below the previous one means the counter passed
 * max_energy_range_uj and started again from 0. A package's range is typically 262,143,328,850 µJ,
 * which at 500 W wraps every 8.7 minutes. Inside a timed part the sampler reads every 100 ms, so at
 * most one wrap lies between two readings; between workloads it does not read, and the total may
 * then miss a wrap — which shifts every later value alike, so no difference inside a timed part
 * (all energy figures are such differences) is affected.
 */
export class RaplCounter {
  private last: number | undefined;
  private total = 0;
  constructor(readonly zone: RaplZone) {}

  /** Joules counted since the first reading, or undefined when the file cannot be read. */
  read(): number | undefined {
    const uj = readNumber(this.zone.path);
    return uj === undefined ? undefined : this.advance(uj);
  }

  advance(uj: number): number {
    if (this.last !== undefined) this.total += uj >= this.last ? uj - this.last : uj + (this.zone.maxRangeUj - this.last);
    this.last = uj;
    return this.total / 1e6;
  }
}
