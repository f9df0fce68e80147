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
 * - build: `backend_build.kind` (cpu, cuda, metal, …), `unknown` when the result has none — and
 *   a result of an unknown build is never comparable: pooled together, unknown builds would mix
 *   CPU and GPU runs of one backend in one group;
 * - hardware class: the fingerprint hash, or for `--strict-anon` runs (which have none) the
 *   accelerator summary.
 */
import { createHash } from 'node:crypto';
import type { Fingerprint } from '../contract/generated/run.js';
import type { WorkloadResult } from '../contract/generated/workload-result.js';
import type { WorkloadDefinition } from '../contract/generated/suite.js';
import { loadSuite, type LoadedSuite } from '../suite/load.js';
import { INTERRUPTED_FLAG, isInterrupted, isInterruptionText } from './interrupted.js';
import { relativeHalfWidth, spreadOf, spreadProblems } from './spread.js';
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
export const NOT_COMPARABLE_FLAGS = ['quick', INTERRUPTED_FLAG, 'short-output', 'no-output', 'warm-cache', 'noisy', 'throttled'] as const;

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

/** Why a result is not ranked, as a stable code (the pages and `compare` key their wording and advice by it). */
export type ComparabilityCode =
  | 'quick'
  | 'interrupted'
  | 'no-output'
  | 'short-output'
  | 'shorter-than-suite'
  | 'warm-cache'
  | 'failed'
  | 'serial-concurrency'
  | 'build-unknown'
  | 'impossible-decode'
  | 'inconsistent-spread'
  | 'noisy'
  | 'throttled'
  | 'implausible';

export interface Comparability {
  comparable: boolean;
  /** Why not, in words (empty when comparable): "quick run (32 of 256 tokens)". */
  reasons: string[];
  /** The same, as codes, index-aligned with `reasons`. */
  codes: ComparabilityCode[];
}

/** What would rank a result held back for each reason: the advice a run page and `compare` give. */
export const RANK_ADVICE: Readonly<Record<ComparabilityCode, string>> = {
  quick: 'run the full suite, without --quick',
  interrupted: 'run the benchmark again to the end',
  'no-output': 'use a backend and model that generate the tokens asked for',
  'short-output': 'use a backend that can ignore end-of-sequence, so every request generates the tokens asked for',
  'shorter-than-suite': 'run every request, batch, tier and turn the suite asks for',
  'warm-cache': 'restart the backend (or use a driver that turns prefix reuse off) so every prompt is processed cold',
  failed: 'fix the failure and run again',
  'serial-concurrency': 'use a backend that serves W4 streams concurrently (for llama-server: several slots)',
  'build-unknown': 'use a driver that reports what the backend computed on (llama.cpp attached: --llama-cpp-log with its log file)',
  'impossible-decode': 'run again with an unaltered client: a client cannot decode faster than the backend itself',
  'inconsistent-spread': 'submit the run as the CLI measured it',
  noisy: 'run again on a quieter machine, or with more repetitions (--reps)',
  throttled: 'run again with the GPU and CPU cool and at their normal power limits',
  implausible: 'check the model and device the run names: its decode rate is beyond what that device can read from memory',
};

/** The workload sizes a suite asks for: what a result is checked against to be "the suite's". */
export interface WorkloadShape {
  name: string;
  kind: WorkloadDefinition['kind'];
  /** Output tokens per request (W4: per stream, W5: per turn, W3: per tier). */
  output_tokens: number;
  /** W4: every batch size. */
  batch_sizes?: number[];
  /** W3: every context tier's context_tokens. */
  context_tiers?: number[];
  /** W5: the turns of the trace. */
  turns?: number;
}

export interface SuiteShape {
  version: string;
  workloads: WorkloadShape[];
}

/** A loaded suite's full shape: the definition's sizes and the trace's turns. */
export function suiteShapeOf(suite: Pick<LoadedSuite, 'version' | 'definition' | 'workloads'>): SuiteShape {
  return {
    version: suite.version,
    workloads: suite.definition.workloads.map((w) => {
      const plan = suite.workloads.find((p) => p.name === w.name);
      return {
        name: w.name,
        kind: w.kind,
        output_tokens: w.output_tokens,
        ...(w.batch_sizes ? { batch_sizes: [...w.batch_sizes] } : {}),
        ...(w.context_tiers ? { context_tiers: w.context_tiers.map((t) => t.context_tokens) } : {}),
        ...(plan?.kind === 'agent-trace' ? { turns: plan.turns.length } : {}),
      };
    }),
  };
}

export interface ComparabilityOptions {
  /**
   * The suite the result ran, to tell how much shorter than the suite it is. Default: looked up
   * by the result's suite_version among the suites this installation has; null skips the check.
   */
  suite?: SuiteShape | null;
}

type JudgedResult = Pick<
  WorkloadResult,
  'workload' | 'suite_version' | 'flags' | 'error' | 'output_tokens' | 'batch_size' | 'turns' | 'tiers' | 'batches' | 'backend_build' | 'decode_tps' | 'backend_decode_tps' | 'ttft_ms'
> &
  Partial<Pick<WorkloadResult, 'roofline' | 'extras'>>;

/** Longest error text quoted in a reason. */
const ERROR_CHARS = 160;

/**
 * Codes that leave a result's figures unfit for any comparison, even with a run made the same way:
 * a partial or failed run, a warm prefix, a figure the backend's own clock contradicts, a spread
 * that contradicts its headline.
 */
const UNFIT: ReadonlySet<ComparabilityCode> = new Set(['interrupted', 'failed', 'no-output', 'warm-cache', 'impossible-decode', 'inconsistent-spread']);

/** Codes that describe a result's size: two results compare only when theirs say the same. */
const SHAPE: ReadonlySet<ComparabilityCode> = new Set(['quick', 'short-output', 'shorter-than-suite', 'serial-concurrency']);

export interface PairComparability {
  /** Whether a difference between the two results' figures means anything (a Δ may be given). */
  comparable: boolean;
  /** Why not, about both: "suite version suite-v1 vs suite-v2 (other prompts)". */
  reasons: string[];
  /** Why not, per side: each side's own unfitting reasons. */
  sides: [string[], string[]];
}

/**
 * Whether two results measured the same work, so that a difference between them is a
 * difference in speed (`llm-speed compare`, `/compare`, the regression gate; METHODOLOGY §6.1):
 * the same suite version and workload (W3: the same headline tier), the same size (both full,
 * or both the same smoke test), W4 served the same way (both concurrent or both serial), and
 * neither unfit to compare at all (failed, interrupted, warm cache, impossible or inconsistent
 * figures). Unlike ranking, a pair may differ in model, backend, engine, build or hardware —
 * comparing those is what `compare` is for — and may be noisy or throttled: the intervals and
 * the marks say so. Symmetric: pair(a, b) and pair(b, a) agree.
 */
export function pairComparability(a: JudgedResult, b: JudgedResult, options: ComparabilityOptions = {}): PairComparability {
  const reasons: string[] = [];
  if ((a.suite_version ?? 'unknown') !== (b.suite_version ?? 'unknown')) {
    reasons.push(`suite version ${a.suite_version ?? 'unknown'} vs ${b.suite_version ?? 'unknown'} (other prompts)`);
  } else if (workloadOf(a) !== workloadOf(b)) {
    reasons.push(`workload ${workloadOf(a)} vs ${workloadOf(b)}`);
  }
  const [va, vb] = [comparability(a, options), comparability(b, options)];
  const shapeOf = (v: Comparability) => v.codes.flatMap((c, i) => (SHAPE.has(c) ? [v.reasons[i]!] : []));
  const [sa, sb] = [shapeOf(va), shapeOf(vb)];
  if (reasons.length === 0 && sa.join('\n') !== sb.join('\n')) reasons.push(`not the same size: ${sa.join('; ') || 'full suite'} vs ${sb.join('; ') || 'full suite'}`);
  const unfit = (v: Comparability) => v.codes.flatMap((c, i) => (UNFIT.has(c) ? [v.reasons[i]!] : []));
  const sides: [string[], string[]] = [unfit(va), unfit(vb)];
  return { comparable: reasons.length === 0 && sides[0].length === 0 && sides[1].length === 0, reasons, sides };
}

/**
 * A client decode rate above this multiple of the backend's own, for the same requests, is not a
 * measurement (METHODOLOGY §6.1): the mirror of harness-gap's 0.95 (§3.2). Both clocks time the
 * same generations, so their repetitions move together and their intervals do not bound the
 * ratio; 5 % is the room the two definitions of a decode span leave.
 */
export const IMPOSSIBLE_DECODE_RATIO = 1.05;

/** `noisy` (METHODOLOGY §3.7): the 95 % CI's half-width over this share of the median. */
export const NOISY_HALF_WIDTH: Readonly<Record<'decode_tps' | 'ttft_ms', number>> = { decode_tps: 0.05, ttft_ms: 0.1 };

/**
 * Whether a result may be ranked, pooled into its group's statistics and outlier math, and be a
 * group's best run; when not, every reason. The flags are the harness's own (METHODOLOGY); the
 * comparison with the suite's full shape, the backend's own clock and the result's own spread
 * catches a shortened, altered or noisy run that carries no flag (an older or a third-party
 * client, or a hand-edited file re-signed). The verdict depends on the result's content only,
 * never on the order of its flags.
 */
export function comparability(result: JudgedResult, options: ComparabilityOptions = {}): Comparability {
  const flags = new Set(result.flags ?? []);
  const suite = options.suite === undefined ? suiteShape(result.suite_version) : options.suite;
  const shape = suite?.workloads.find((w) => w.name === result.workload);
  const shortfall = shape ? shortfallOf(result, shape) : [];
  const reasons: string[] = [];
  const codes: ComparabilityCode[] = [];
  const add = (code: ComparabilityCode, reason: string) => {
    codes.push(code);
    reasons.push(reason);
  };
  const interrupted = isInterrupted(result);

  if (flags.has('quick')) add('quick', `quick run (${shortfall.join(', ') || 'a shortened smoke test'})`);
  if (interrupted) add('interrupted', 'interrupted run (stopped before it finished)');
  if (flags.has('no-output')) add('no-output', 'no output tokens');
  else if (flags.has('short-output')) add('short-output', `short output (${(!flags.has('quick') && shortfall.join(', ')) || 'fewer tokens than asked'})`);
  else if (!flags.has('quick') && shortfall.length > 0) add('shorter-than-suite', `shorter than ${result.suite_version} asks (${shortfall.join(', ')})`);
  if (flags.has('warm-cache')) add('warm-cache', "warm cache (part of the prompt came from the backend's prefix cache, so prefill was not measured cold)");
  if (typeof result.error === 'string' && result.error !== '' && !isInterruptionText(result.error)) {
    add('failed', `failed: ${result.error.length > ERROR_CHARS ? result.error.slice(0, ERROR_CHARS - 1) + '…' : result.error}`);
  }
  if (result.workload === 'concurrent-decode' && flags.has('serial-concurrency')) {
    add('serial-concurrency', 'serial streams (serial-concurrency: the backend ran the streams one after another, not concurrently)');
  }
  if (buildOf(result) === 'unknown') {
    add('build-unknown', 'build unknown (the backend did not say whether it computed on the CPU or a GPU; runs of unknown builds are never pooled, since that would mix CPU and GPU runs)');
  }
  const impossible = impossibleDecode(result);
  if (impossible) add('impossible-decode', impossible);
  const inconsistent = spreadProblems(result);
  if (inconsistent.length > 0) add('inconsistent-spread', `figures inconsistent with their own repetitions (${inconsistent.join('; ')})`);
  const noisy = noiseOf(result);
  if (flags.has('noisy') || noisy.length > 0) add('noisy', `noisy (${noisy.join('; ') || 'its confidence interval is wider than METHODOLOGY §6.1 allows'})`);
  if (flags.has('throttled')) add('throttled', 'throttled (the GPU or CPU slowed its clocks for heat or power while it was measured)');
  // METHODOLOGY §13.5: beyond the memory bandwidth of its device (a refused run never gets here).
  const physics = plausibility(result);
  if (physics.verdict === 'implausible' || physics.verdict === 'impossible') add('implausible', `physically implausible: ${physics.message}`);
  return { comparable: reasons.length === 0, reasons, codes };
}

/**
 * The metrics whose interval is too wide to rank by (METHODOLOGY §3.7 `noisy`), in words:
 * "decode 95 % CI ±7.3 % of its median (limit 5 %)". Read from the spread itself, so a result
 * without the flag is caught as well.
 */
function noiseOf(result: JudgedResult): string[] {
  const out: string[] = [];
  for (const [metric, limit] of Object.entries(NOISY_HALF_WIDTH) as Array<[keyof typeof NOISY_HALF_WIDTH, number]>) {
    const half = relativeHalfWidth(spreadOf(result, metric));
    if (half !== null && half > limit) out.push(`${metric === 'ttft_ms' ? 'TTFT' : 'decode'} 95 % CI ±${(half * 100).toFixed(1)} % of its median (limit ${limit * 100} %)`);
  }
  return out;
}

/**
 * A client decode rate beyond IMPOSSIBLE_DECODE_RATIO × the backend's own for the same requests,
 * in words; null when possible or not checkable. W4's client headline is the aggregate over its
 * streams while the backend times each stream, so W4 compares the largest batch's per-stream rate.
 */
function impossibleDecode(result: JudgedResult): string | null {
  const backend = result.backend_decode_tps;
  if (typeof backend !== 'number' || !(backend > 0)) return null;
  const concurrent = result.workload === 'concurrent-decode';
  const client = concurrent ? result.batches?.find((b) => b.batch === result.batch_size)?.per_stream_tps : result.decode_tps;
  if (typeof client !== 'number' || client <= IMPOSSIBLE_DECODE_RATIO * backend) return null;
  const what = concurrent ? `per-stream decode ${client} tok/s` : `decode ${client} tok/s`;
  return `impossible figure: ${what} is ${(client / backend).toFixed(2)} × the backend's own clock for the same requests (${backend} tok/s); a client cannot read tokens faster than the backend makes them`;
}

/**
 * How far a result falls short of its suite's full shape: tokens per request, turn and stream;
 * W3's tiers, W4's batches, W5's turns. A tier skipped with its reason counts as run (its absence
 * is in the group: METHODOLOGY §6.1); a tier, batch or turn missing from the result does not.
 */
function shortfallOf(result: JudgedResult, shape: WorkloadShape): string[] {
  const out: string[] = [];
  const asked = shape.output_tokens;
  const got = outputPerRequest(result, shape.kind);
  if (got !== null && got < asked) {
    out.push(`${got} of ${asked} tokens${shape.kind === 'concurrent' ? ' a stream' : shape.kind === 'agent-trace' ? ' a turn' : ''}`);
  }
  if (shape.kind === 'concurrent' && shape.batch_sizes?.length) {
    const largest = Math.max(...shape.batch_sizes);
    if (result.batch_size !== undefined && result.batch_size < largest) out.push(`largest batch ${result.batch_size} of ${largest}`);
    const ran = new Set((result.batches ?? []).map((b) => b.batch));
    const upTo = result.batch_size ?? largest;
    const missing = shape.batch_sizes.filter((b) => b <= upTo && !ran.has(b));
    if (!result.batches) out.push('no per-batch figures');
    else if (missing.length > 0) out.push(`no batch ${missing.join(', ')} (the suite runs ${shape.batch_sizes.join(', ')})`);
  }
  if (shape.kind === 'context-tiers' && shape.context_tiers?.length) {
    const listed = new Set((result.tiers ?? []).map((t) => t.context_tokens));
    const missing = shape.context_tiers.filter((c) => !listed.has(c));
    if (missing.length > 0) out.push(`no ${missing.join(', ')}-token tier (the suite asks for ${shape.context_tiers.join(', ')}, run or skipped with a reason)`);
  }
  if (shape.kind === 'agent-trace' && shape.turns !== undefined) {
    const turns = result.turns?.length ?? 0;
    if (turns < shape.turns) out.push(`${turns} of ${shape.turns} turns`);
  }
  return out;
}

/**
 * Output tokens of the shortest request the result shows: W1/W2 its one request; W3 each tier
 * that ran; W4 the largest batch's total over its streams (per-stream counts are not kept); W5
 * each turn. Null when the result does not say.
 */
function outputPerRequest(result: JudgedResult, kind: WorkloadDefinition['kind']): number | null {
  const min = (values: Array<number | null | undefined>) => {
    const known = values.filter((v): v is number => typeof v === 'number');
    return known.length > 0 ? Math.min(...known) : null;
  };
  switch (kind) {
    case 'concurrent':
      return result.output_tokens == null || !result.batch_size ? null : Math.round(result.output_tokens / result.batch_size);
    case 'agent-trace':
      return result.turns?.length ? min(result.turns.map((t) => t.output_tokens)) : (result.output_tokens ?? null);
    case 'context-tiers':
      return min([result.output_tokens, ...(result.tiers ?? []).filter((t) => !t.skipped).map((t) => t.output_tokens)]);
    default:
      return result.output_tokens ?? null;
  }
}

const suites = new Map<string, SuiteShape | null>();

/** The shape of a suite this installation has (shipped or downloaded), or null; read once. */
export function suiteShape(version: string | undefined): SuiteShape | null {
  if (!version) return null;
  if (!suites.has(version)) {
    let shape: SuiteShape | null = null;
    try {
      shape = suiteShapeOf(loadSuite(version));
    } catch {
      // An unknown or broken suite: the flags alone decide.
    }
    suites.set(version, shape);
  }
  return suites.get(version) ?? null;
}
