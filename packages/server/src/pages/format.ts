/** How figures, times, flags and workloads read on the pages and the card: one place, so they agree. */
import { hasInterval, relativeHalfWidth, type ComparabilityCode, type MeasuredResult, type MetricSpread } from '@llm-speed/framework';

/** A number for display: '—' when absent. */
export function num(value: number | null | undefined, digits = 1): string {
  return value === null || value === undefined || !Number.isFinite(value) ? '—' : value.toFixed(digits);
}

/** A duration: milliseconds below 10 s, seconds above. */
export function duration(ms: number | null | undefined): string {
  if (ms === null || ms === undefined || !Number.isFinite(ms)) return '—';
  return ms < 10_000 ? `${num(ms, ms < 100 ? 1 : 0)} ms` : `${num(ms / 1000, 1)} s`;
}

/** 32768 → "32k", 1500 → "1.5k", 512 → "512". */
export function compactCount(n: number): string {
  if (n >= 1024 && n % 1024 === 0) return `${n / 1024}k`;
  if (n >= 1000) return `${(n / 1000).toFixed(1).replace(/\.0$/, '')}k`;
  return String(n);
}

/** An ISO timestamp as people read it: "2026-11-24 10:00 UTC" (the ISO text stays in <time datetime>). */
export function readableTime(iso: string): string {
  const d = new Date(iso);
  if (Number.isNaN(d.getTime())) return iso;
  return `${d.toISOString().slice(0, 10)} ${d.toISOString().slice(11, 16)} UTC`;
}

/** The suite's workloads, by id and name (suite-v1). */
export const WORKLOADS: ReadonlyArray<{ id: string; name: string; title: string }> = [
  { id: 'W1', name: 'chat-short', title: 'short chat' },
  { id: 'W2', name: 'chat-long', title: 'long chat' },
  { id: 'W3', name: 'long-context-decay', title: 'long-context decay' },
  { id: 'W4', name: 'concurrent-decode', title: 'concurrent decode' },
  { id: 'W5', name: 'agent-trace', title: 'agent trace' },
];

/** "W1 chat-short" for a workload name; the name alone for one the suite does not have. */
export function workloadLabel(name: string): string {
  const w = WORKLOADS.find((x) => x.name === name);
  return w ? `${w.id} ${w.name}` : name;
}

/** What each flag means (METHODOLOGY §3.7), in words a reader of the page needs. */
export const FLAG_WORDS: Readonly<Record<string, string>> = {
  quick: 'a --quick smoke test: shortened workloads (METHODOLOGY §1.7)',
  'short-output': 'fewer tokens came back than were asked for',
  'no-output': 'no token came back',
  'warm-cache': 'a request reused a cached prompt prefix, so prefill was not measured cold (METHODOLOGY §3.4)',
  'harness-gap': "the client's decode rate is below 0.95 × the backend's own clock (METHODOLOGY §3.2)",
  'serial-concurrency': 'the backend served the W4 streams one after another, not concurrently (METHODOLOGY §1.4)',
  'embedded-engine': 'llama.cpp ran in-process (node-llama-cpp), not as llama-server',
  'model-warmed': 'the model was loaded before timing; the load is never timed',
  'hosted-provider': "a hosted API: the network and the provider's queue are in every figure",
  'thermal-throttled': 'thermal throttling was seen around the run (METHODOLOGY §6)',
  'on-battery': 'the machine ran on battery power (METHODOLOGY §6)',
  interrupted: 'the run was stopped before this workload finished (METHODOLOGY §6.2)',
  'out-of-bounds': 'a figure fell outside its physical bound and was replaced by null (METHODOLOGY §3.8)',
  noisy: 'its repetitions disagree: the 95 % interval is wider than ±5 % of the median on decode, or ±10 % on TTFT; shown, not ranked (METHODOLOGY §6.1)',
  throttled: 'the GPU or CPU slowed its clocks for heat or power while it was measured; shown, not ranked (METHODOLOGY §3.7)',
  'busy-machine': 'other processes used more than 10 % of the CPU while it was measured; shown and ranked (METHODOLOGY §3.7)',
  'client-load': "llm-speed's own process used more than 5 % of a core on a machine of 4 cores or fewer; shown and ranked (METHODOLOGY §3.5)",
  'accelerator-unused': "the backend ran on the CPU of a machine with a GPU: these are the CPU's figures, never the GPU's (METHODOLOGY §3.7)",
};

/** Flags that colour a comparable figure without keeping it out of the ranking: shown beside it wherever it is listed. */
export const MARK_FLAGS = ['noisy', 'throttled', 'busy-machine', 'client-load', 'accelerator-unused', 'harness-gap'] as const;

/** The short words a listing row, a card or a link preview gives for a mark. */
export const MARK_WORDS: Readonly<Record<(typeof MARK_FLAGS)[number], string>> = {
  noisy: 'noisy',
  throttled: 'throttled',
  'busy-machine': 'busy machine',
  'client-load': 'client load',
  'accelerator-unused': 'GPU unused',
  'harness-gap': 'harness gap',
};

/** The marks of a result's flags, in MARK_FLAGS order, as short words. */
export function marksOf(flags: readonly string[] | null | undefined): string[] {
  const set = new Set(flags ?? []);
  return MARK_FLAGS.filter((f) => set.has(f)).map((f) => MARK_WORDS[f]);
}

/**
 * Why a result is not ranked, in the fewest words (a card, a link preview, a listing row); the
 * full reason and what would rank it are on the run page. Keyed by the comparability rule's codes,
 * so a new code fails to compile until it has its words.
 */
export const UNRANKED_WORDS: Readonly<Record<ComparabilityCode, string>> = {
  quick: 'quick run',
  interrupted: 'interrupted',
  'no-output': 'no output',
  'short-output': 'short output',
  'shorter-than-suite': 'shorter than the suite',
  'warm-cache': 'warm cache',
  failed: 'failed',
  'serial-concurrency': 'serial streams',
  'build-unknown': 'build unknown',
  'impossible-decode': 'impossible figure',
  'inconsistent-spread': 'inconsistent spread',
  noisy: 'noisy',
  throttled: 'throttled',
  implausible: 'physically implausible',
};

/** The words of a group without enough evidence to rank (ranking.ts), short form. */
export const FEW_RUNS_WORDS = 'not enough runs yet';

/** "not ranked: quick run, warm cache": the short reason, once per distinct word. */
export function unrankedWords(codes: readonly ComparabilityCode[]): string {
  return `not ranked: ${[...new Set(codes.map((c) => UNRANKED_WORDS[c] ?? c))].join(', ')}`;
}

export function flagInWords(flag: string): string {
  return FLAG_WORDS[flag] ?? 'a flag this server does not know';
}

/** Where prompt_tokens / output_tokens came from (METHODOLOGY §3.3). */
export const TOKEN_COUNT_WORDS: Readonly<Record<NonNullable<MeasuredResult['token_counts']>, string>> = {
  backend: "the backend's usage report",
  tokenizer: "the model's tokenizer",
  arrivals: 'counting streamed arrivals',
};

/** "7B · Q4_K_M": the model's size and quant, whichever it has. */
export function modelDetails(model: MeasuredResult['model']): string {
  return [model.size, model.quant].filter((x): x is string => typeof x === 'string' && x !== '').join(' · ');
}

/** "llama.cpp 7410 · CUDA build (NVIDIA H200)": backend, version, build and its devices. */
export function backendLine(r: Pick<MeasuredResult, 'backend' | 'backend_version' | 'backend_build'>): string {
  const build = r.backend_build;
  const kind = build?.kind ?? 'unknown';
  const buildText = kind === 'remote' ? 'remote (hosted)' : kind === 'unknown' ? 'build not reported' : `${kind === 'cpu' ? 'CPU' : kind.toUpperCase()} build`;
  const devices = build?.devices?.length ? ` (${build.devices.join(', ')})` : '';
  return `${r.backend} ${r.backend_version} · ${buildText}${devices}`;
}

/** Hosted APIs stand apart from local hardware on the board. */
export function isHosted(backend: string, build: string): boolean {
  return backend === 'hosted-api' || build === 'remote';
}

/** "1st", "2nd", "3rd", "11th". */
export function ordinal(n: number): string {
  const tens = n % 100;
  const suffix = tens >= 11 && tens <= 13 ? 'th' : (['th', 'st', 'nd', 'rd'][n % 10] ?? 'th');
  return `${n}${suffix}`;
}

/** At most `max` characters, with an ellipsis when cut. */
export function clip(text: string, max: number): string {
  return text.length <= max ? text : `${text.slice(0, Math.max(1, max - 1))}…`;
}

/**
 * A figure's spread in words: "±1.8 % · 95 % CI of 8 repetitions", or "1 measurement, no interval"
 * for a single measurement (a result without a spread, or a --quick one: METHODOLOGY §6.1).
 */
export function spreadWords(s: MetricSpread): string {
  if (s.median === null) return '';
  if (!hasInterval(s)) return s.n > 1 ? `${s.n} repetitions, no interval` : 'a single measurement, no interval';
  const half = relativeHalfWidth(s);
  return `±${half === null ? '—' : (half * 100).toFixed(1)} % · 95 % CI of ${s.n} repetitions`;
}

/** "Faster than …": the first letter of a sentence the framework writes in lower case. */
export function sentenceCase(text: string): string {
  return text.charAt(0).toUpperCase() + text.slice(1);
}

const finiteOrNull = (v: unknown): number | null => (typeof v === 'number' && Number.isFinite(v) ? v : null);

/** The energy and roofline objects of a result (METHODOLOGY §13), read without trusting their shape. */
interface LooseEfficiency {
  energy?: { meter?: unknown; decode?: { tokens_per_s_per_w?: unknown } | null } | null;
  roofline?: { bandwidth_share?: unknown } | null;
}

/**
 * Decode tokens per second per net watt with the kind of meter behind it (energy is compared only
 * within one kind), and the share of the memory bandwidth decode used; null where the result has
 * no meter or no known shape and device.
 */
export function efficiencyOf(result: object): { tpsPerW: number | null; meter: string | null; bandwidthShare: number | null } {
  const loose = result as LooseEfficiency;
  const meter = typeof loose.energy?.meter === 'string' && loose.energy.meter !== 'none' ? loose.energy.meter : null;
  const tpsPerW = meter ? finiteOrNull(loose.energy?.decode?.tokens_per_s_per_w) : null;
  return { tpsPerW, meter: tpsPerW === null ? null : meter, bandwidthShare: finiteOrNull(loose.roofline?.bandwidth_share) };
}

/**
 * What a workload's headline decode_tps is, in words: for W4 the largest batch's output throughput
 * over all its streams, prefill included (METHODOLOGY §1.4), never "decode"; for the others the
 * decode rate of one request.
 */
export function headlineMetric(workload: string | null | undefined): { short: string; long: string } {
  return workload === 'concurrent-decode' ? { short: 'throughput tok/s', long: 'output throughput of all streams, tok/s (prefill included)' } : { short: 'decode tok/s', long: 'decode tok/s' };
}
