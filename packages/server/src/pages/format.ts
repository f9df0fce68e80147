/** How figures, times, flags and workloads read on the pages and the card: one place, so they agree. */
import type { MeasuredResult } from '@llm-speed/framework';

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
};

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
