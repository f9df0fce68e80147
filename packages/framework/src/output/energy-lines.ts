/**
 * The results table's energy and bandwidth lines (METHODOLOGY §13): per workload, joules per token
 * and tokens per second per watt with the meter they come from, the cost of a million tokens at
 * the user's tariff (computed here, never stored), and the share of the device's memory bandwidth
 * decode used. A figure that could not be measured says so once, with its reason.
 */
import type { RunPayload } from '../contract/generated/run.js';
import type { Energy, EnergyPhase } from '../contract/generated/workload-result.js';
import { resultCostPerMillion } from '../meters/cost.js';

type Result = RunPayload['results'][number];

const WORKLOAD_IDS: Record<string, string> = { 'chat-short': 'W1', 'chat-long': 'W2', 'long-context-decay': 'W3', 'concurrent-decode': 'W4', 'agent-trace': 'W5' };

/** 3 significant digits, without exponent for the sizes these figures have. */
function fig(v: number): string {
  if (v === 0) return '0';
  const abs = Math.abs(v);
  if (abs >= 100) return v.toFixed(0);
  return Number(v.toPrecision(3)).toString();
}

function phaseWords(name: string, p: EnergyPhase | undefined, unit: string): string | undefined {
  if (!p || p.j_per_token == null) return undefined;
  const rate = p.tokens_per_s_per_w != null ? ` (${fig(p.tokens_per_s_per_w)} ${unit}/s/W)` : '';
  return `${name} ${fig(p.j_per_token)} J/token${rate}`;
}

function meterWords(energy: Energy): string {
  const meters = energy.meters ?? [];
  const interval = meters.length ? Math.max(...meters.map((m) => m.interval_ms)) : null;
  const samples = energy.total?.samples;
  return `${energy.meter}${interval !== null ? `, every ${interval} ms` : ''}${samples != null ? `, ${samples} readings` : ''}`;
}

/** One line of energy for a result, or undefined when it has none. */
export function energyLine(r: Result, pricePerKwh?: number): string | undefined {
  const e = r.energy;
  if (!e || e.meter === 'none') return undefined;
  const id = WORKLOAD_IDS[r.workload] ?? r.workload;
  const parts = [phaseWords('decode', e.decode, 'tok'), phaseWords('prefill', e.prefill, 'tok')].filter((p): p is string => p !== undefined);
  const t = e.total;
  if (t?.avg_w != null) parts.push(`${fig(t.avg_w)} W average, ${fig(t.peak_w ?? t.avg_w)} W peak${e.idle_w != null ? `, ${fig(e.idle_w)} W idle subtracted` : ''}`);
  if (pricePerKwh !== undefined) {
    const cost = resultCostPerMillion(e, pricePerKwh);
    if (cost !== null) parts.push(`${fig(cost)} per million output tokens at ${pricePerKwh}/kWh`);
  }
  const missing = [e.decode, e.prefill]
    .filter((p) => p && p.j_per_token == null && p.reason)
    .map((p) => p!.reason!)
    .slice(0, 1);
  return `${id} energy (${meterWords(e)}): ${[...parts, ...missing].join('; ') || e.reason || 'no figures'}`;
}

/** "W1 decode used 11 % of the H200's 4800 GB/s (0.61 GB a token)". */
export function rooflineLine(r: Result): string | undefined {
  const f = r.roofline;
  if (!f || f.bytes_per_token == null) return undefined;
  const id = WORKLOAD_IDS[r.workload] ?? r.workload;
  const gb = `${fig(f.bytes_per_token / 1e9)} GB read a token`;
  if (f.bandwidth_share == null || f.peak_gb_s == null) return `${id} decode: ${gb}; ${f.reason ?? 'no bandwidth figure'}`;
  const device = `${f.devices && f.devices > 1 ? `${f.devices}× ` : ''}${f.device}`;
  // Far below the limit, time goes to per-token work (kernel launches, sampling, the server loop), not to reading memory.
  const note = f.bandwidth_share < 0.25 ? '; bound by per-token overhead, not memory' : '';
  return `${id} decode used ${fig(f.bandwidth_share * 100)} % of the ${device}'s ${fig(f.peak_gb_s)} GB/s memory bandwidth (${gb}${note})`;
}

/** Every energy and bandwidth line of a run, and one line saying why energy is missing when no result has it. */
export function energyLines(run: RunPayload, pricePerKwh?: number): string[] {
  const lines: string[] = [];
  for (const r of run.results) {
    const e = energyLine(r, pricePerKwh);
    if (e) lines.push(e);
  }
  const unmeasured = run.results.find((r) => r.energy?.meter === 'none');
  if (lines.length === 0 && unmeasured) lines.push(`energy: not measured (${unmeasured.energy!.reason})`);
  for (const r of run.results) {
    const b = rooflineLine(r);
    if (b) lines.push(b);
  }
  return lines;
}
