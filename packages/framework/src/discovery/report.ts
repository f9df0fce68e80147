/** Builds the `detect` report: fingerprint + every driver's detection (schema: driver#/$defs/DetectReport). */
import type { DriverContext } from '../contract/driver.js';
import type { DetectReport } from '../contract/generated/driver.js';
import { collectFingerprint } from '../fingerprint/index.js';
import { detectDrivers, type DetectOptions } from './detect.js';
import type { Discovery } from './discover.js';

/**
 * Every available driver's version, for the local `detect` report only. Never for an upload:
 * it shows what is installed, and the hosted driver's version lists the providers the user has
 * API keys for (an upload's list is uploadBackends in privacy/payload.ts).
 */
export function backendVersions(drivers: DetectReport['drivers']): Record<string, string> {
  const out: Record<string, string> = {};
  for (const d of drivers) if (d.available && d.version) out[d.name] = d.version.slice(0, 120);
  return out;
}

export async function detectReport(discovery: Discovery, ctx: DriverContext, options: DetectOptions = {}): Promise<DetectReport> {
  // The hardware probes (systeminformation, nvidia-smi: hundreds of ms) run while the drivers
  // detect; the fingerprint below reuses their answer (collectFingerprint probes once per process).
  const hardware = collectFingerprint({ strictAnon: true }).catch(() => undefined);
  const detected = await detectDrivers(discovery, ctx, options);
  await hardware;
  const drivers = detected.map((d) => d.detection);
  const fingerprint = await collectFingerprint({ backends: backendVersions(drivers) });
  const report: DetectReport = { fingerprint, drivers };
  if (discovery.skipped.length > 0) report.skipped_plugins = discovery.skipped;
  return report;
}
