/**
 * A workload's energy figures from its meters' tracks (METHODOLOGY §13.2): per phase, the joules
 * the meters counted (gross), the same less the idle baseline over the phase's time (net), joules
 * per token from the net figure, tokens per second per net watt, mean and peak power. A phase the
 * meters read fewer than MIN_PHASE_SAMPLES times is too short to split off reliably: its figures
 * are null with the reason, never an estimate.
 */
import type { Energy, EnergyMeter, EnergyPhase } from '../contract/generated/workload-result.js';
import type { PhaseWindows } from './phases.js';
import type { EnergyTrack, Interval, MeterName } from './track.js';

export const MIN_PHASE_SAMPLES = 10;

/** The order meter names are joined in `energy.meter`, so one set of meters always reads the same. */
const METER_ORDER: MeterName[] = ['nvidia-smi-energy', 'nvidia-smi-power', 'amdgpu-energy', 'amdgpu-power', 'rapl', 'powermetrics'];

const sig = (v: number, digits = 5) => Number(v.toPrecision(digits));

export interface EnergyInput {
  tracks: readonly EnergyTrack[];
  /** Each track's idle power (W), null where the baseline could not be measured. */
  idle: ReadonlyMap<EnergyTrack, number | null>;
  idleMs: number | null;
  /** Why there is no baseline, when there is none. */
  idleReason?: string;
  /** The workload's whole timed part. */
  total: Interval;
  windows: PhaseWindows;
}

/** `energy.meter`: the kinds of meter read, in a fixed order, joined by +. */
export function meterKind(tracks: readonly EnergyTrack[]): string {
  const names = new Set(tracks.map((t) => t.meter));
  return METER_ORDER.filter((m) => names.has(m)).join('+') || 'none';
}

export function noEnergy(reason: string): Energy {
  return { meter: 'none', meters: [], reason };
}

function idleWatts(input: EnergyInput): number | null {
  let sum = 0;
  for (const t of input.tracks) {
    const w = input.idle.get(t);
    if (w === null || w === undefined) return null;
    sum += w;
  }
  return sum;
}

function phase(input: EnergyInput, name: string, windows: Interval[], tokens: number | null, tokenWord: string): EnergyPhase {
  const ms = windows.reduce((s, w) => s + Math.max(0, w.to - w.from), 0);
  const samples = Math.min(...input.tracks.map((t) => windows.reduce((s, w) => s + t.samplesIn(w), 0)));
  const empty = (reason: string): EnergyPhase => ({ ms: sig(ms), samples, tokens, gross_j: null, net_j: null, j_per_token: null, reason });
  if (ms <= 0) return empty(`no ${name} phase was timed`);
  const interval = Math.max(...input.tracks.map((t) => t.intervalMs));
  if (samples < MIN_PHASE_SAMPLES) {
    return empty(`${samples} readings in ${sig(ms, 3)} ms of ${name} (the meter reads every ${interval} ms): at least ${MIN_PHASE_SAMPLES} are needed to split it off`);
  }
  let gross = 0;
  for (const t of input.tracks) {
    for (const w of windows) {
      const j = t.joulesIn(w);
      if (j === undefined) return empty(`the ${t.meter} readings do not cover the whole ${name} phase`);
      gross += j;
    }
  }
  let peak = 0;
  for (const w of windows) {
    // Readings after the window's start up to its end: a counter's reading carries the power of the interval it closes.
    const times = [...new Set(input.tracks.flatMap((t) => t.timesIn({ from: w.from + 1e-9, to: w.to + 1e-9 })))];
    for (const time of times)
      peak = Math.max(
        peak,
        input.tracks.reduce((s, t) => s + (t.powerAt(time) ?? 0), 0),
      );
  }
  const idle = idleWatts(input);
  const netRaw = idle === null ? null : gross - (idle * ms) / 1000;
  const net = netRaw !== null && netRaw > 0 ? netRaw : null;
  const reasons: string[] = [];
  if (idle === null) reasons.push(`net figures need the idle baseline: ${input.idleReason ?? 'not measured'}`);
  else if (net === null) reasons.push(`the ${name} phase drew no more than the idle baseline`);
  const perToken = tokens !== null && tokens > 0;
  if (!perToken) reasons.push(tokens === null ? `the ${tokenWord} count is not known` : `no ${tokenWord}`);
  return {
    ms: sig(ms),
    samples,
    tokens,
    gross_j: sig(gross),
    net_j: net === null ? null : sig(net),
    avg_w: sig(gross / (ms / 1000)),
    peak_w: sig(peak),
    j_per_token: net !== null && perToken ? sig(net / tokens) : null,
    gross_j_per_token: perToken ? sig(gross / tokens) : null,
    tokens_per_s_per_w: net !== null && perToken ? sig(tokens / net) : null,
    reason: reasons.length ? reasons.join('; ') : null,
  };
}

/** The meters, one entry per kind and domain (several GPUs of one kind are one entry with `devices`). */
function meterEntries(input: EnergyInput): EnergyMeter[] {
  const groups = new Map<string, EnergyTrack[]>();
  for (const t of input.tracks) groups.set(`${t.meter}|${t.domain}`, [...(groups.get(`${t.meter}|${t.domain}`) ?? []), t]);
  return [...groups.values()].map((tracks) => {
    const idle = tracks.map((t) => input.idle.get(t));
    return {
      meter: tracks[0]!.meter,
      domain: tracks[0]!.domain,
      devices: tracks.length,
      interval_ms: tracks[0]!.intervalMs,
      samples: Math.min(...tracks.map((t) => t.samplesIn(input.total))),
      idle_w: idle.some((w) => w === null || w === undefined) ? null : sig(idle.reduce((s: number, w) => s + (w ?? 0), 0)),
    };
  });
}

export function energyOf(input: EnergyInput): Energy {
  if (input.tracks.length === 0) return noEnergy('no power meter was read');
  const idle = idleWatts(input);
  const total = phase(input, 'timed', [input.total], input.windows.outputTokens, 'output tokens');
  const prefill = phase(input, 'prefill', input.windows.prefill, input.windows.prefillTokens, 'prompt tokens');
  const decode = phase(input, 'decode', input.windows.decode, input.windows.decodeTokens, 'decode steps');
  const missing = [total, prefill, decode].filter((p) => p?.j_per_token === null).length;
  return {
    meter: meterKind(input.tracks),
    meters: meterEntries(input),
    idle_w: idle === null ? null : sig(idle),
    idle_ms: input.idleMs === null ? null : sig(input.idleMs),
    total,
    prefill,
    decode,
    reason: missing > 0 ? `${missing} of 3 phases without joules per token (each phase says why)` : null,
  };
}

/**
 * Whether two results' energy figures may be compared: both measured, with the same kinds of meter
 * (METHODOLOGY §13.1) — a GPU board's power and a whole SoC's are different quantities. Pages and
 * `compare` use this before setting one J/token beside another.
 */
export function energyComparable(a: Pick<Energy, 'meter'> | undefined, b: Pick<Energy, 'meter'> | undefined): boolean {
  return !!a && !!b && a.meter !== 'none' && a.meter === b.meter;
}
