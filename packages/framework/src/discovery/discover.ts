/**
 * Finds driver plugins at run time through oclif's plugin system: every loaded plugin (core,
 * user-installed or linked) that answers the `llm-speed:drivers` event contributes drivers.
 * Nothing here may crash the CLI: a throwing hook, a non-driver or a timeout becomes a
 * "skipped" row with a one-line reason naming the plugin.
 */
import type { Config } from '@oclif/core';
import { DRIVERS_EVENT, type Driver } from '../contract/driver.js';
import { errorMessage } from '../errors.js';
import { frameworkVersion } from '../version.js';

export interface DiscoveredDriver {
  driver: Driver;
  plugin: string;
}

export interface SkippedPlugin {
  plugin: string;
  reason: string;
}

export interface Discovery {
  drivers: DiscoveredDriver[];
  skipped: SkippedPlugin[];
}

const DEFAULT_HOOK_TIMEOUT_MS = 10_000;

/** Duck-typed on purpose: a user-installed plugin carries its own copy of the framework, so instanceof fails. */
export function whyNotADriver(value: unknown): string | undefined {
  if (value === null || typeof value !== 'object') return `returned ${value === null ? 'null' : typeof value} instead of a driver object`;
  const candidate = value as Record<string, unknown>;
  if (typeof candidate.name !== 'string' || !/^[a-z0-9][a-z0-9.-]*$/.test(candidate.name)) {
    return 'returned a driver without a valid "name" (lower-case letters, digits, "." or "-")';
  }
  for (const method of ['detect', 'listModels', 'open'] as const) {
    if (typeof candidate[method] !== 'function') return `driver "${candidate.name}" has no ${method}() method`;
  }
  return undefined;
}

export function hookTimeoutMs(env: NodeJS.ProcessEnv = process.env): number {
  const fromEnv = Number(env.LLM_SPEED_HOOK_TIMEOUT_MS);
  return Number.isFinite(fromEnv) && fromEnv > 0 ? fromEnv : DEFAULT_HOOK_TIMEOUT_MS;
}

export async function discoverDrivers(config: Config): Promise<Discovery> {
  const outcome = await config.runHook(DRIVERS_EVENT, { frameworkVersion }, hookTimeoutMs(), true);
  const drivers: DiscoveredDriver[] = [];
  const skipped: SkippedPlugin[] = [];
  const seen = new Map<string, string>();

  for (const failure of outcome.failures) {
    skipped.push({ plugin: failure.plugin.name, reason: `its drivers hook failed: ${firstLine(errorMessage(failure.error))}` });
  }
  // The bundled drivers' names are reserved: a core plugin's driver is taken before any a user
  // installed or linked (oclif may run a linked plugin's hook first), so a plugin named like a
  // bundled driver is the one skipped, never the bundled one (DRIVERS.md §4).
  const bundledFirst = [...outcome.successes].sort((a, b) => Number(a.plugin.type !== 'core') - Number(b.plugin.type !== 'core'));
  for (const success of bundledFirst) {
    const plugin = success.plugin.name;
    const returned = Array.isArray(success.result) ? success.result : [success.result];
    if (returned.length === 0) {
      skipped.push({ plugin, reason: 'its drivers hook returned no driver' });
      continue;
    }
    for (const value of returned) {
      const problem = whyNotADriver(value);
      if (problem) {
        skipped.push({ plugin, reason: `is not a valid driver plugin: it ${problem}` });
        continue;
      }
      const driver = value as Driver;
      const earlier = seen.get(driver.name);
      if (earlier) {
        skipped.push({ plugin, reason: `driver "${driver.name}" is already provided by ${earlier}; this copy is ignored` });
        continue;
      }
      seen.set(driver.name, plugin);
      drivers.push({ driver, plugin });
    }
  }
  drivers.sort((a, b) => a.driver.name.localeCompare(b.driver.name));
  return { drivers, skipped };
}

function firstLine(text: string): string {
  return text.split('\n')[0]!.trim();
}
