/**
 * The one comparability rule (METHODOLOGY §6.1), used by the results server for
 * its groups, statistics, outlier flags and rankings, and by `llm-speed compare` for its
 * warnings. Two workload results are compared only when they are in the same group and both are
 * comparable; everything else is still stored and shown, on its own.
 *
 * A group is (suite version, workload, model, backend, engine, build, hardware class):
 * - workload: for long-context-decay with the context of its headline tier;
 * - model: the weights' digest; identifier + quant when a backend reports no digest;
 * - engine: `extras.engine` where the driver names one (llama.cpp: `server` or `embedded`), else
 *   the backend — two engines built from one source still schedule work differently;
 * - build: `backend_build.kind` (cpu, cuda, metal, …), `unknown` when the result has none;
 * - hardware class: the fingerprint hash, or for `--strict-anon` runs (which have none) the
 *   accelerator summary.
 */
import { createHash } from 'node:crypto';
import type { Fingerprint } from '../contract/generated/run.js';
import type { WorkloadResult } from '../contract/generated/workload-result.js';
import type { SuiteDefinition, WorkloadDefinition } from '../contract/generated/suite.js';
import { loadSuite } from '../suite/load.js';
import { INTERRUPTED_FLAG, isInterrupted, isInterruptionText } from './interrupted.js';
import { plausibility } from '../roofline/plausibility.js';

export interface ComparableGroup {
  suite_version: string;
  workload: string;
  /** `digest:<sha256>` or `model:<identifier>|<quant>`. */
  model: string;
  backend: string;
  engine: string;
  build: string;
  hardware_class: string;
}

/** The group's fields in key order, with the words the CLI and pages use for them. */
export const GROUP_FIELDS: ReadonlyArray<readonly [keyof ComparableGroup, string]> = [
  ['suite_version', 'suite version'],
  ['workload', 'workload'],
  ['model', 'model'],
  ['backend', 'backend'],
  ['engine', 'engine'],
  ['build', 'build'],
  ['hardware_class', 'hardware class'],
];

type GroupedResult = Pick<WorkloadResult, 'suite_version' | 'workload' | 'model' | 'backend' | 'extras' | 'backend_build' | 'tiers'>;

/** Flags that keep a result out of every group, whatever else it carries. */
export const NOT_COMPARABLE_FLAGS = ['quick', INTERRUPTED_FLAG, 'short-output', 'no-output', 'warm-cache', 'throttled'] as const;

export function hardwareClassOf(fingerprint: Pick<Fingerprint, 'fingerprint_hash' | 'accelerator_summary'>): string {
  return fingerprint.fingerprint_hash ?? `summary:${fingerprint.accelerator_summary}`;
}

export function modelKeyOf(model: GroupedResult['model']): string {
  return model.digest ? `digest:${model.digest}` : `model:${model.identifier}|${model.quant ?? ''}`;
}

/**
 * The workload, and for long-context-decay the context its headline came from: W3's headline is
 * its largest tier that ran, and which tiers run depends on the context the model and backend
 * hold, so a 32k headline and a 128k headline are different measurements under one name.
 */
export function workloadOf(result: Pick<WorkloadResult, 'workload' | 'tiers'>): string {
  const ran = (result.tiers ?? []).filter((t) => !t.skipped);
  const headline = ran[ran.length - 1];
  return headline ? `${result.workload} @ ${headline.context_tokens} tokens` : result.workload;
}

export function engineOf(result: Pick<WorkloadResult, 'backend' | 'extras'>): string {
  const engine = result.extras?.engine;
  return typeof engine === 'string' && engine.trim() !== '' ? engine.trim() : result.backend;
}

export function buildOf(result: Pick<WorkloadResult, 'backend_build'>): string {
  return result.backend_build?.kind ?? 'unknown';
}

export function groupOf(result: GroupedResult, fingerprint: Pick<Fingerprint, 'fingerprint_hash' | 'accelerator_summary'>): ComparableGroup {
  return {
    suite_version: result.suite_version ?? 'unknown',
    workload: workloadOf(result),
    model: modelKeyOf(result.model),
    backend: result.backend,
    engine: engineOf(result),
    build: buildOf(result),
    hardware_class: hardwareClassOf(fingerprint),
  };
}

/** 24 hex characters of SHA-256 over the group's fields in GROUP_FIELDS order: a stable id for storage. */
export function groupKey(group: ComparableGroup): string {
  const values = GROUP_FIELDS.map(([field]) => group[field]);
  return createHash('sha256').update(JSON.stringify(values)).digest('hex').slice(0, 24);
}

/** The hardware class a setup key stands in for: any. */
export const ANY_HARDWARE = '*';

/**
 * The group with its hardware class left open: the same suite version, workload, model, backend,
 * engine and build on any hardware. Runs with one setup key differ only in the machine, so this is
 * what a board compares hardware by ("faster than N % of comparable runs of this model", the rank
 * of a hardware class for a model). Same hash as groupKey, so it never equals a real group's key.
 */
export function setupKey(group: ComparableGroup): string {
  return groupKey({ ...group, hardware_class: ANY_HARDWARE });
}

/**
 * Where two groups differ, in words: `engine: server vs embedded`. Empty when they are one group.
 * `shown` replaces a field's value in the words only (e.g. a hardware class by its summary).
 */
export function groupDifferences(a: ComparableGroup, b: ComparableGroup, shown: [Partial<ComparableGroup>, Partial<ComparableGroup>] = [{}, {}]): string[] {
  return GROUP_FIELDS.filter(([field]) => a[field] !== b[field]).map(
    ([field, label]) => `${label}: ${shown[0][field] ?? shortValue(field, a[field])} vs ${shown[1][field] ?? shortValue(field, b[field])}`,
  );
}

function shortValue(field: keyof ComparableGroup, value: string): string {
  if (field === 'model' && value.startsWith('digest:')) return `digest ${value.slice(7, 19)}`;
  if (field === 'model') return value.slice(6).replace(/\|$/, '');
  if (field === 'hardware_class') return value.startsWith('summary:') ? value.slice(8) : value;
  return value;
}

export interface Comparability {
  comparable: boolean;
  /** Why not, in words (empty when comparable): "quick run (32 of 256 tokens)". */
  reasons: string[];
}

export interface ComparabilityOptions {
  /**
   * The suite the result ran, to tell how much shorter than the suite it is. Default: looked up
   * by the result's suite_version among the suites this installation has; null skips the check.
   */
  suite?: SuiteDefinition | null;
}

type JudgedResult = Pick<WorkloadResult, 'workload' | 'suite_version' | 'flags' | 'error' | 'output_tokens' | 'batch_size' | 'turns'> &
  Partial<Pick<WorkloadResult, 'decode_tps' | 'backend_build' | 'roofline' | 'tiers' | 'batches' | 'extras'>>;

/** Longest error text quoted in a reason. */
const ERROR_CHARS = 160;

/**
 * Whether a result may be ranked, pooled into its group's statistics and outlier math, and be a
 * group's best run; when not, every reason. The flags are the harness's own (METHODOLOGY); the
 * comparison with the suite's sizes catches a shortened run that carries no flag (an older or a
 * third-party client).
 */
export function comparability(result: JudgedResult, options: ComparabilityOptions = {}): Comparability {
  const flags = new Set(result.flags ?? []);
  const suite = options.suite === undefined ? suiteDefinition(result.suite_version) : options.suite;
  const definition = suite?.workloads.find((w) => w.name === result.workload);
  const shortfall = definition ? shortfallOf(result, definition) : [];
  const reasons: string[] = [];
  const interrupted = isInterrupted(result);

  if (flags.has('quick')) reasons.push(`quick run (${shortfall.join(', ') || 'a shortened smoke test'})`);
  if (interrupted) reasons.push('interrupted run (stopped before it finished)');
  if (flags.has('no-output')) reasons.push('no output tokens');
  else if (flags.has('short-output')) reasons.push(`short output (${(!flags.has('quick') && shortfall.join(', ')) || 'fewer tokens than asked'})`);
  else if (!flags.has('quick') && shortfall.length > 0) reasons.push(`shorter than ${result.suite_version} asks (${shortfall.join(', ')})`);
  if (flags.has('warm-cache')) reasons.push("warm cache (part of the prompt came from the backend's prefix cache, so prefill was not measured cold)");
  if (typeof result.error === 'string' && result.error !== '' && !isInterruptionText(result.error)) {
    reasons.push(`failed: ${result.error.length > ERROR_CHARS ? result.error.slice(0, ERROR_CHARS - 1) + '…' : result.error}`);
  }
  if (result.workload === 'concurrent-decode' && flags.has('serial-concurrency')) {
    reasons.push('serial streams (serial-concurrency: the backend ran the streams one after another, not concurrently)');
  }
  if (flags.has('throttled')) reasons.push('throttled (the GPU or CPU slowed its clocks for heat or power while it was measured)');
  // METHODOLOGY §13.5: beyond the memory bandwidth of its device (a refused run never gets here).
  const physics = plausibility(result);
  if (physics.verdict === 'implausible' || physics.verdict === 'impossible') reasons.push(`physically implausible: ${physics.message}`);
  return { comparable: reasons.length === 0, reasons };
}

/** How far a result falls short of its suite's sizes: tokens per request, and W4's largest batch. */
function shortfallOf(result: JudgedResult, definition: WorkloadDefinition): string[] {
  const out: string[] = [];
  const asked = definition.output_tokens;
  const got = outputPerRequest(result, definition.kind);
  if (got !== null && got < asked) {
    out.push(`${got} of ${asked} tokens${definition.kind === 'concurrent' ? ' a stream' : definition.kind === 'agent-trace' ? ' a turn' : ''}`);
  }
  const batches = definition.batch_sizes;
  if (definition.kind === 'concurrent' && batches?.length && result.batch_size !== undefined) {
    const largest = Math.max(...batches);
    if (result.batch_size < largest) out.push(`largest batch ${result.batch_size} of ${largest}`);
  }
  return out;
}

/** Output tokens of one request: W4 divides its batch's total by the batch, W5 its trace's by the turns. */
function outputPerRequest(result: JudgedResult, kind: WorkloadDefinition['kind']): number | null {
  if (result.output_tokens === null || result.output_tokens === undefined) return null;
  if (kind === 'concurrent') return result.batch_size ? Math.round(result.output_tokens / result.batch_size) : null;
  if (kind === 'agent-trace') return result.turns?.length ? Math.round(result.output_tokens / result.turns.length) : null;
  return result.output_tokens;
}

const suites = new Map<string, SuiteDefinition | null>();

/** The definition of a suite this installation has (shipped or downloaded), or null; read once. */
function suiteDefinition(version: string | undefined): SuiteDefinition | null {
  if (!version) return null;
  if (!suites.has(version)) {
    let definition: SuiteDefinition | null = null;
    try {
      definition = loadSuite(version).definition;
    } catch {
      // An unknown or broken suite: the flags alone decide.
    }
    suites.set(version, definition);
  }
  return suites.get(version) ?? null;
}
