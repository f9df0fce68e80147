/**
 * Runs workloads against an open driver session and returns schema-shaped results.
 *
 * Honesty rules (METHODOLOGY §6) live here, once for every backend: each workload's timed part is
 * repeated as its policy says (§6.3), every repetition is reported and the median is the headline,
 * there is no retry and no keep-best, and a failed workload is returned with `error` set rather
 * than dropped. So do the measurement rules of §3: every request carries the suite's sampling,
 * W1–W4 (and the first turn of each W5 trace) ask for a cold prefix and are flagged `warm-cache`
 * when the backend says it reused one anyway, an untimed warm-up precedes each workload's first
 * timed request, and each result carries the backend's own clock beside the client's.
 */
import { setMaxListeners } from 'node:events';
import type { DriverSession, GenerationRequest, Sampling } from '../contract/driver.js';
import type { MeasuredResult as WorkloadResult } from '../contract/generated/run.js';
import type { AgentTurn, BatchPoint, ContextTier, Extras, RepetitionSample } from '../contract/generated/workload-result.js';
import { SUITE_SAMPLING } from '../contract/sampling.js';
import { errorMessage } from '../errors.js';
import { now as defaultNow, type Clock } from './clock.js';
import { mean, percentile, pooledDecodeTps, pooledPrefillTps, rateOf, round } from './metrics.js';
import { metricsOf, outputTokensOf, recordGeneration, tokenCountsOf, type GenerationRecord, type InFlightGeneration, type TokenCounts } from './measure.js';
import { sessionNeeds, shouldRepeat, type RepetitionPolicy, type RunnableWorkload } from './plan.js';
import { relativeHalfWidth, spreadOfSamples, type Direction, type MetricSpread } from './statistics.js';
import { ranOnWarmCache } from './warm-cache.js';
// One limit for the flag the harness sets and the rule the board ranks by.
import { NOISY_HALF_WIDTH } from '../compare/comparable.js';

export interface RunContext {
  suiteVersion: string;
  suiteDigest: string;
  backend: string;
  session: DriverSession;
  signal: AbortSignal;
  clock?: Clock;
  /** Flags every result of this invocation carries (quick, thermal state, ...). */
  flags?: string[];
  /** Largest context the backend/model can hold, when known (W3 tiers beyond it are skipped). */
  maxContextTokens?: number | null;
  progress?: ProgressListener;
  /** The sampling every request carries (default: the suite's, SUITE_SAMPLING). */
  sampling?: Sampling;
  /** Meters that watch each workload's timed part (machine sampling, the client's own CPU). */
  observers?: readonly WorkloadObserver[];
}

/**
 * Watches the timed part of each workload, so meters (power, machine load, the client's own CPU)
 * cover exactly what the figures cover: not prepare()'s restart, not the warm-up. Called once per
 * workload, outside every timed request: `timedStart` right before the first timed request of the
 * first repetition, `timedEnd` right after the last one of the last repetition ended, with every
 * timed generation's record (sent, arrivals, ended), before the result is finished — an observer
 * may add flags and extras to it then.
 */
export interface WorkloadObserver {
  timedStart?(workload: RunnableWorkload): void | Promise<void>;
  timedEnd?(workload: RunnableWorkload, result: WorkloadResult, records: readonly GenerationRecord[]): void | Promise<void>;
}

/** The timed generations of the workload in progress, for the observers (see WorkloadObserver). */
const timedRecords = new WeakMap<RunContext, GenerationRecord[]>();

/**
 * The warm-up: one short untimed generation before each workload's first timed request (so after
 * every backend start or restart too), as llama-bench runs one before it measures. The first
 * request after a (re)start pays one-off costs (page faults on the weights, allocator growth,
 * kernel/graph set-up: W1 prefill measured at about half speed on a freshly spawned llama-server).
 * Its text shares no prefix with any suite prompt — it begins with a character no suite text
 * begins with — so it leaves nothing in a prefix cache that a timed request could reuse.
 */
export const WARMUP_PROMPT = '~ warm-up: count to ten ~';
export const WARMUP_TOKENS = 8;

/** Client decode below this share of the backend's own decode figure: the harness, not the backend, was slow. */
export const HARNESS_GAP_RATIO = 0.95;

/**
 * `noisy` (METHODOLOGY §3.7): the 95 % interval's half-width over this share of the median — the
 * seeds' reproducibility promise (§7): decode within ~5 %, TTFT within ~10 %.
 */
export const NOISY_DECODE = NOISY_HALF_WIDTH.decode_tps;
export const NOISY_TTFT = NOISY_HALF_WIDTH.ttft_ms;
export const NOISY_FLAG = 'noisy';

/**
 * Fewer values than this behind a p95 and it is not published as one: with 11 values the 95th
 * percentile is an interpolation between the two slowest, in effect the maximum (METHODOLOGY §3.2).
 */
export const MIN_P95_SAMPLES = 20;

/**
 * Progress is told about steps only — a workload, a repetition, a W4 batch, a W5 turn starting or
 * finishing — which happen between timed requests. Nothing is called per token: on the machine
 * being measured, a redraw or a callback per arrival takes CPU from the backend while it generates
 * (METHODOLOGY §3.5).
 */
export interface ProgressListener {
  workloadStarted(workload: RunnableWorkload, step?: string): void;
  workloadFinished(workload: RunnableWorkload, result: WorkloadResult): void;
  /**
   * Timed generations in flight, for a low-rate status line (output/progress.ts): the runner adds
   * each record when its request leaves and removes it when it ends. The listener only reads the
   * counters the record keeps anyway, on its own timer — never per token.
   */
  readonly inFlight?: Set<InFlightGeneration>;
}

/** Fewer tokens than asked, or none: a result must say so rather than look like a normal run. */
function shortfallFlags(record: GenerationRecord, asked: number): string[] {
  const got = outputTokensOf(record);
  if (got === 0) return ['no-output'];
  return got < asked ? ['short-output'] : [];
}

function baseResult(ctx: RunContext, workload: RunnableWorkload): WorkloadResult {
  return {
    workload: workload.name,
    suite_version: ctx.suiteVersion,
    suite_digest: ctx.suiteDigest,
    backend: ctx.backend,
    backend_version: ctx.session.backendVersion,
    backend_build: ctx.session.backendBuild ? { ...ctx.session.backendBuild } : { kind: 'unknown' },
    model: { ...ctx.session.model },
    ttft_ms: null,
    prefill_tps: null,
    decode_tps: null,
    decode_p50_latency_ms: null,
    decode_p95_latency_ms: null,
    prompt_tokens: null,
    output_tokens: null,
    batch_size: 1,
    context_tokens: null,
    wall_ms: 0,
    prefix_cache_hit_rate: null,
    error: null,
    flags: [...new Set([...(ctx.flags ?? []), ...(ctx.session.flags ?? [])])],
    extras: { ...ctx.session.extras },
  };
}

/** A workload that never started because the run was interrupted: reported, never dropped (METHODOLOGY §6). */
export function interruptedResult(ctx: RunContext, workload: RunnableWorkload): WorkloadResult {
  const result = baseResult(ctx, workload);
  result.error = 'interrupted before this workload started';
  addFlags(result, ['no-output', 'interrupted']);
  return result;
}

function addFlags(result: { flags: string[] }, flags: readonly string[]): void {
  for (const f of flags) if (!result.flags.includes(f)) result.flags.push(f);
}

/**
 * W1–W4 measure a prompt the backend has never seen, so they ask for no prefix reuse; W5's
 * growing conversation is meant to reuse the previous turn's prefix — all but its first turn,
 * which starts the conversation cold (see agentTraceOnce).
 */
function wantsCache(workload: RunnableWorkload): boolean {
  return workload.kind === 'agent-trace';
}

function request(ctx: RunContext, workload: RunnableWorkload, body: { prompt?: string; messages?: GenerationRequest['messages'] }, cachePrompt = wantsCache(workload)): GenerationRequest {
  return { ...body, maxTokens: workload.outputTokens, cachePrompt, sampling: ctx.sampling ?? SUITE_SAMPLING, signal: ctx.signal };
}

/** The warm-up generation (see WARMUP_PROMPT): untimed, unreported except for `warmup` in extras. */
async function warmUp(ctx: RunContext): Promise<Extras> {
  const clock = ctx.clock ?? defaultNow;
  const started = clock();
  const record = await recordGeneration(ctx.session, { prompt: WARMUP_PROMPT, maxTokens: WARMUP_TOKENS, cachePrompt: false, sampling: ctx.sampling ?? SUITE_SAMPLING, signal: ctx.signal }, { clock });
  // A failed warm-up is said, not fatal: the timed request that follows reports its own error.
  return { warmup: !record.error && outputTokensOf(record) > 0, warmup_ms: round(clock() - started) };
}

async function generate(ctx: RunContext, req: GenerationRequest): Promise<GenerationRecord> {
  const record = await recordGeneration(ctx.session, req, { clock: ctx.clock ?? defaultNow, inFlight: ctx.progress?.inFlight });
  timedRecords.get(ctx)?.push(record);
  return record;
}

/**
 * Calls every observer; one that throws is skipped and counted, never fatal: a meter that failed
 * must not cost the workload its figures (the result's extras say `observer_failures`).
 */
async function notifyObservers(ctx: RunContext, call: (observer: WorkloadObserver) => void | Promise<void>): Promise<number> {
  let failures = 0;
  for (const observer of ctx.observers ?? []) {
    try {
      await call(observer);
    } catch {
      failures++;
    }
  }
  return failures;
}

const COUNT_TRUST: TokenCounts[] = ['backend', 'tokenizer', 'arrivals'];

/** The least direct source of counts any of these generations used (METHODOLOGY §3.3); undefined for none. */
function leastDirectCounts(records: readonly GenerationRecord[]): TokenCounts | undefined {
  if (records.length === 0) return undefined;
  let counts: TokenCounts = 'backend';
  for (const r of records) {
    const c = tokenCountsOf(r);
    if (COUNT_TRUST.indexOf(c) > COUNT_TRUST.indexOf(counts)) counts = c;
  }
  return counts;
}

/**
 * The backend's own clock over some generations: rates pooled as Σ tokens / Σ time of what each
 * generation's timers reported, and the cached prompt tokens summed where the backend said them.
 */
function backendClock(records: readonly GenerationRecord[]): { prefill: number | null; decode: number | null; cached: number | null } {
  let promptTokens = 0;
  let promptMs = 0;
  let decodeTokens = 0;
  let decodeMs = 0;
  let cached: number | null = null;
  for (const r of records) {
    const b = r.backendTimings;
    if (b?.promptTokens !== undefined && b.promptMs !== undefined) {
      promptTokens += b.promptTokens;
      promptMs += b.promptMs;
    }
    if (b?.decodeTokens !== undefined && b.decodeMs !== undefined) {
      decodeTokens += b.decodeTokens;
      decodeMs += b.decodeMs;
    }
    if (r.cachedPromptTokens !== undefined) cached = (cached ?? 0) + r.cachedPromptTokens;
  }
  return { prefill: rateOf(promptTokens, promptMs), decode: rateOf(decodeTokens, decodeMs), cached };
}

/** W1–W4 asked for a cold prefix: a backend that reused one anyway (or cannot be told not to) is flagged. */
function flagWarmCache(result: WorkloadResult, records: GenerationRecord[]): void {
  if (ranOnWarmCache(records)) addFlags(result, ['warm-cache']);
}

/** A p95 over fewer than MIN_P95_SAMPLES values is not one (METHODOLOGY §3.2): null. */
function p95(values: readonly number[]): number | null {
  return values.length >= MIN_P95_SAMPLES ? percentile(values, 95) : null;
}

/**
 * One repetition of a workload's timed part: its figures (`sample`, defined as the headline fields
 * of the same name), every timed generation, and what the result needs besides the figures.
 */
interface Repetition {
  sample: RepetitionSample;
  /** Every timed generation of this repetition. */
  records: GenerationRecord[];
  /** The generations the headline figures come from (W4: the largest batch's streams). */
  headline: GenerationRecord[];
  /** The generations that asked for a cold prefix: W1–W4's, and the first turn of W5's trace. */
  cold: GenerationRecord[];
  /** The client's decode rate to set beside the backend's (W4: per stream, pooled over the streams). */
  clientDecodeTps: number | null;
  flags: string[];
  error?: string;
  rawTimings: number[];
  contextTokens: number | null;
  batchSize?: number;
  batches?: BatchPoint[];
  tiers?: ContextTier[];
  turns?: AgentTurn[];
}

/** One generation's figures as a repetition's sample, rounded for publication. */
function singleSample(record: GenerationRecord): { sample: RepetitionSample; latencies: number[]; decode: number | null } {
  const m = metricsOf(record);
  const b = backendClock([record]);
  return {
    sample: {
      ttft_ms: round(m.ttft_ms),
      prefill_tps: round(m.prefill_tps),
      decode_tps: round(m.decode_tps),
      decode_p50_latency_ms: round(m.decode_p50_latency_ms, 3),
      decode_p95_latency_ms: round(p95(m.latencies_ms), 3),
      backend_prefill_tps: round(b.prefill),
      backend_decode_tps: round(b.decode),
      wall_ms: round(m.wall_ms) ?? 0,
      prompt_tokens: m.prompt_tokens,
      output_tokens: m.output_tokens,
      cached_prompt_tokens: b.cached,
    },
    latencies: m.latencies_ms,
    decode: m.decode_tps,
  };
}

function singleRepetition(record: GenerationRecord, asked: number, cold: boolean): Repetition {
  const { sample, latencies, decode } = singleSample(record);
  return {
    sample,
    records: [record],
    headline: [record],
    cold: cold ? [record] : [],
    clientDecodeTps: decode,
    flags: shortfallFlags(record, asked),
    error: record.error,
    rawTimings: latencies,
    contextTokens: sample.prompt_tokens == null ? null : sample.prompt_tokens + (sample.output_tokens ?? 0),
  };
}

async function singleOnce(ctx: RunContext, w: Extract<RunnableWorkload, { kind: 'single' }>): Promise<Repetition> {
  const record = await generate(ctx, request(ctx, w, { prompt: w.prompt }));
  return singleRepetition(record, w.outputTokens, true);
}

async function concurrentOnce(ctx: RunContext, w: Extract<RunnableWorkload, { kind: 'concurrent' }>, step: (s: string) => string): Promise<Repetition> {
  const clock = ctx.clock ?? defaultNow;
  const batches: BatchPoint[] = [];
  const all: GenerationRecord[] = [];
  const flags: string[] = [];
  let top: { records: GenerationRecord[]; batch: number; start: number } | undefined;
  for (const batch of w.batchSizes) {
    ctx.progress?.workloadStarted(w, step(`batch ${batch}`));
    const start = clock();
    // All streams of a batch are sent at once and read together: the generations overlap.
    const records = await Promise.all(Array.from({ length: batch }, (_, stream) => generate(ctx, request(ctx, w, { prompt: w.promptForStream(stream, batch) }))));
    const point = batchPoint(batch, start, records);
    const failed = records.find((r) => r.error);
    if (failed) point.error = failed.error ?? null;
    batches.push(point);
    all.push(...records);
    for (const r of records) flags.push(...shortfallFlags(r, w.outputTokens));
    top = { records, batch, start };
  }
  const errors = batches.filter((b) => b.error);
  const error = errors.length > 0 ? `batch ${errors.map((b) => b.batch).join(', ')} failed: ${errors[0]!.error}` : undefined;
  if (!top) return { sample: { wall_ms: 0 }, records: all, headline: [], cold: all, clientDecodeTps: null, flags, error, rawTimings: [], contextTokens: null };
  // The headline is the largest batch: aggregate throughput is what W4 is about (METHODOLOGY §1.4).
  const point = batches[batches.length - 1]!;
  const metrics = top.records.map(metricsOf);
  const prompts = metrics.map((m) => m.prompt_tokens);
  const longest = Math.max(...prompts.map((p) => p ?? -1));
  const b = backendClock(top.records);
  return {
    sample: {
      ttft_ms: round(mean(metrics.map((m) => m.ttft_ms).filter((v): v is number => v !== null))),
      prefill_tps: round(aggregatePrefillTps(top.start, top.records)),
      decode_tps: point.aggregate_tps,
      decode_p50_latency_ms: point.p50_ms,
      decode_p95_latency_ms: point.p95_ms,
      backend_prefill_tps: round(b.prefill),
      backend_decode_tps: round(b.decode),
      wall_ms: round(Math.max(...top.records.map((r) => r.endedAt)) - top.start) ?? 0,
      prompt_tokens: prompts.every((p): p is number => p !== null) ? prompts.reduce((s, p) => s + p, 0) : null,
      output_tokens: metrics.reduce((s, m) => s + m.output_tokens, 0),
      cached_prompt_tokens: b.cached,
    },
    records: all,
    headline: top.records,
    cold: all,
    // Both clocks per stream: the backend times each request, not the batch.
    clientDecodeTps: pooledDecodeTps(top.records.map((r) => ({ arrivals: r.arrivals, outputTokens: outputTokensOf(r) }))),
    flags,
    error,
    rawTimings: metrics.flatMap((m) => m.latencies_ms),
    contextTokens: longest < 0 ? null : longest + w.outputTokens,
    batchSize: top.batch,
    batches,
  };
}

/**
 * W4's prefill: every prompt token of the batch over the time until the last stream's first
 * token arrived — the batch's prompts are processed together, as its decodes are. A stream with
 * no token arrival (a backend can withhold text it cannot yet decode, and then end the stream)
 * or no prompt count has no first token to time: it is left out, prompt and all.
 */
export function aggregatePrefillTps(start: number, records: GenerationRecord[]): number | null {
  let tokens = 0;
  let lastFirst = start;
  for (const r of records) {
    const first = r.arrivals.find((a) => a.count > 0);
    if (!first || !r.promptTokens) continue;
    tokens += r.promptTokens;
    lastFirst = Math.max(lastFirst, first.t);
  }
  const span = lastFirst - start;
  return tokens > 0 && span > 0 ? tokens / (span / 1000) : null;
}

/**
 * One batch of W4 (METHODOLOGY §1.4). Aggregate tok/s = all tokens generated by the batch /
 * (last token of any stream − batch start): output throughput, prefill included. Per-stream tok/s =
 * mean of each stream's own decode tok/s, and beside it the backend's own per-stream rates pooled
 * over the streams — like with like. p50/p95 pool every stream's per-token latencies.
 */
export function batchPoint(batch: number, start: number, records: GenerationRecord[]): BatchPoint {
  const metrics = records.map(metricsOf);
  const total = metrics.reduce((s, m) => s + m.output_tokens, 0);
  const lastArrival = Math.max(...records.map((r) => (r.arrivals.length ? r.arrivals[r.arrivals.length - 1]!.t : start)));
  const span = lastArrival - start;
  const latencies = metrics.flatMap((m) => m.latencies_ms);
  const b = backendClock(records);
  return {
    batch,
    aggregate_tps: round(span > 0 ? total / (span / 1000) : null),
    per_stream_tps: round(mean(metrics.map((m) => m.decode_tps).filter((v): v is number => v !== null))),
    p50_ms: round(percentile(latencies, 50), 3),
    p95_ms: round(p95(latencies), 3),
    backend_prefill_tps: round(b.prefill),
    backend_decode_tps: round(b.decode),
  };
}

async function tiersOnce(ctx: RunContext, w: Extract<RunnableWorkload, { kind: 'context-tiers' }>, step: (s: string) => string): Promise<Repetition> {
  const tiers: ContextTier[] = [];
  const records: GenerationRecord[] = [];
  const flags: string[] = [];
  let last: GenerationRecord | undefined;
  const max = ctx.maxContextTokens ?? ctx.session.capabilities.max_context_tokens ?? null;
  for (const tier of w.tiers) {
    // A tier's context_tokens already holds its prompt, the output and headroom (suite.json).
    if (max !== null && tier.contextTokens > max) {
      tiers.push({
        context_tokens: tier.contextTokens,
        prefill_tps: null,
        decode_tps: null,
        ttft_ms: null,
        output_tokens: null,
        skipped: `needs ${tier.contextTokens} tokens of context; the model/backend holds ${max}`,
      });
      continue;
    }
    ctx.progress?.workloadStarted(w, step(`${Math.round(tier.contextTokens / 1024)}k context`));
    const record = await generate(ctx, request(ctx, w, { prompt: tier.prompt() }));
    const m = metricsOf(record);
    tiers.push({
      context_tokens: tier.contextTokens,
      prefill_tps: round(m.prefill_tps),
      decode_tps: round(m.decode_tps),
      ttft_ms: round(m.ttft_ms),
      output_tokens: m.output_tokens,
      error: record.error ?? null,
    });
    flags.push(...shortfallFlags(record, w.outputTokens));
    records.push(record);
    last = record;
  }
  if (!last) {
    return {
      sample: { wall_ms: 0 },
      records,
      headline: [],
      cold: records,
      clientDecodeTps: null,
      flags,
      error: 'every context tier was skipped: ' + (tiers[0]?.skipped ?? 'no tiers'),
      rawTimings: [],
      contextTokens: null,
      tiers,
    };
  }
  // The headline is the largest tier that ran (METHODOLOGY §1.1–§1.3).
  const rep = singleRepetition(last, w.outputTokens, true);
  const failed = tiers.find((t) => t.error);
  return { ...rep, records, cold: records, flags, error: last.error ?? (failed ? `${failed.context_tokens}-token tier failed: ${failed.error}` : undefined), tiers };
}

async function agentTraceOnce(ctx: RunContext, w: Extract<RunnableWorkload, { kind: 'agent-trace' }>, step: (s: string) => string): Promise<Repetition> {
  const clock = ctx.clock ?? defaultNow;
  const before = await ctx.session.readCacheCounters?.().catch(() => undefined);
  const start = clock();
  const turns: AgentTurn[] = [];
  const records: GenerationRecord[] = [];
  const flags: string[] = [];
  let error: string | undefined;
  for (let i = 0; i < w.turns.length; i++) {
    ctx.progress?.workloadStarted(w, step(`turn ${i + 1}/${w.turns.length}`));
    // The conversation starts cold: its first turn asks for no reuse of whatever an earlier
    // repetition, the warm-up or an earlier run left in the backend's cache; every later turn
    // reuses the prefix the turns before it built (METHODOLOGY §1.5, §3.4).
    const record = await generate(ctx, request(ctx, w, { messages: w.turns[i] }, i > 0));
    const m = metricsOf(record);
    records.push(record);
    turns.push({
      turn: i + 1,
      ttft_ms: round(m.ttft_ms),
      decode_tps: round(m.decode_tps),
      prompt_tokens: m.prompt_tokens,
      output_tokens: m.output_tokens,
      wall_ms: round(m.wall_ms) ?? 0,
      prefix_cache_hit_rate: record.cachedPromptTokens !== undefined && record.promptTokens ? round(record.cachedPromptTokens / record.promptTokens, 4) : null,
      error: record.error ?? null,
    });
    flags.push(...shortfallFlags(record, w.outputTokens));
    // A failed turn ends the trace: later turns would send a history the backend never saw.
    if (record.error) {
      error = `turn ${i + 1} failed: ${record.error}`;
      break;
    }
  }
  const after = await ctx.session.readCacheCounters?.().catch(() => undefined);
  const metrics = records.map(metricsOf);
  const turnWalls = turns.map((t) => t.wall_ms);
  const lastTurn = metrics[metrics.length - 1];
  const prompts = metrics.map((m) => m.prompt_tokens);
  const latencies = metrics.flatMap((m) => m.latencies_ms);
  const decode = pooledDecodeTps(records.map((r) => ({ arrivals: r.arrivals, outputTokens: outputTokensOf(r) })));
  const b = backendClock(records);
  // METHODOLOGY §1.5: sums over the turns, pooled rates, the mean TTFT of the turns.
  return {
    sample: {
      ttft_ms: round(mean(metrics.map((m) => m.ttft_ms).filter((v): v is number => v !== null))),
      prefill_tps: round(pooledPrefillTps(records.map((r, i) => ({ promptTokens: r.promptTokens ?? null, cachedPromptTokens: r.cachedPromptTokens ?? null, ttftMs: metrics[i]!.ttft_ms })))),
      decode_tps: round(decode),
      decode_p50_latency_ms: round(percentile(latencies, 50), 3),
      decode_p95_latency_ms: round(p95(latencies), 3),
      backend_prefill_tps: round(b.prefill),
      backend_decode_tps: round(b.decode),
      wall_ms: round(clock() - start) ?? 0,
      prompt_tokens: prompts.length > 0 && prompts.every((p): p is number => p !== null) ? prompts.reduce((s, p) => s + p, 0) : null,
      output_tokens: metrics.reduce((s, m) => s + m.output_tokens, 0),
      cached_prompt_tokens: b.cached,
      prefix_cache_hit_rate: cacheHitRate(records, before, after),
      turn_p50_ms: round(percentile(turnWalls, 50)),
      turn_max_ms: turnWalls.length > 0 ? round(Math.max(...turnWalls)) : null,
    },
    records,
    headline: records,
    cold: records.slice(0, 1),
    clientDecodeTps: decode,
    flags,
    error,
    rawTimings: latencies,
    contextTokens: lastTurn?.prompt_tokens == null ? null : lastTurn.prompt_tokens + lastTurn.output_tokens,
    turns,
  };
}

/**
 * Prefix-cache hit rate over the whole trace: cached prompt tokens / prompt tokens, from the
 * backend's per-request usage, or from its counters read before and after. Null when the
 * backend exposes neither — never a guess.
 */
export function cacheHitRate(records: GenerationRecord[], before?: { queries: number; hits: number }, after?: { queries: number; hits: number }): number | null {
  if (before && after && after.queries > before.queries) {
    return round((after.hits - before.hits) / (after.queries - before.queries), 4);
  }
  const withCache = records.filter((r) => r.cachedPromptTokens !== undefined && r.promptTokens);
  if (withCache.length === 0) return null;
  const prompt = withCache.reduce((s, r) => s + (r.promptTokens ?? 0), 0);
  const cached = withCache.reduce((s, r) => s + (r.cachedPromptTokens ?? 0), 0);
  return prompt > 0 ? round(cached / prompt, 4) : null;
}

/** Which way each published figure is better: decides the middle value an even count publishes (statistics.ts). */
const DIRECTIONS = {
  ttft_ms: 'lower',
  prefill_tps: 'higher',
  decode_tps: 'higher',
  decode_p50_latency_ms: 'lower',
  decode_p95_latency_ms: 'lower',
  backend_prefill_tps: 'higher',
  backend_decode_tps: 'higher',
  wall_ms: 'lower',
  prefix_cache_hit_rate: 'higher',
  turn_p50_ms: 'lower',
  turn_max_ms: 'lower',
  aggregate_tps: 'higher',
  per_stream_tps: 'higher',
  p50_ms: 'lower',
  p95_ms: 'lower',
} as const satisfies Record<string, Direction>;
type SpreadKey = keyof typeof DIRECTIONS;

/** Decimal places each figure is published with (the samples are rounded so; the interval too). */
const DIGITS: Partial<Record<SpreadKey, number>> = { decode_p50_latency_ms: 3, decode_p95_latency_ms: 3, p50_ms: 3, p95_ms: 3, prefix_cache_hit_rate: 4 };

function roundedSpread(spread: MetricSpread, key: SpreadKey): MetricSpread {
  const digits = DIGITS[key] ?? 2;
  return { n: spread.n, median: spread.median, ci_low: round(spread.ci_low, digits), ci_high: round(spread.ci_high, digits), cv: round(spread.cv, 4) };
}

/**
 * The spread of the keys of `samples` (each repetition's rounded figures) and the headline of
 * each: its median, which is one of the published samples (an even count takes the less
 * flattering middle one), so anyone can recompute both from the samples.
 */
function summarise<K extends SpreadKey>(samples: ReadonlyArray<Partial<Record<K, number | null>>>, keys: readonly K[]): { spread: Partial<Record<K, MetricSpread>>; median: Record<K, number | null> } {
  const spread: Partial<Record<K, MetricSpread>> = {};
  const median = {} as Record<K, number | null>;
  for (const key of keys) {
    const s = spreadOfSamples(
      samples.map((x) => x[key]),
      DIRECTIONS[key],
    );
    median[key] = s ? s.median : null;
    if (s) spread[key] = roundedSpread(s, key);
  }
  return { spread, median };
}

const RESULT_KEYS = ['ttft_ms', 'prefill_tps', 'decode_tps', 'decode_p50_latency_ms', 'decode_p95_latency_ms', 'backend_prefill_tps', 'backend_decode_tps', 'wall_ms'] as const;
const TRACE_KEYS = ['prefix_cache_hit_rate', 'turn_p50_ms', 'turn_max_ms'] as const;
const BATCH_KEYS = ['aggregate_tps', 'per_stream_tps', 'p50_ms', 'p95_ms', 'backend_prefill_tps', 'backend_decode_tps'] as const;
const TIER_KEYS = ['prefill_tps', 'decode_tps', 'ttft_ms'] as const;

/** The smallest, the largest of the counts the repetitions reported; null when none did. */
function extreme(values: ReadonlyArray<number | null | undefined>, pick: 'min' | 'max'): number | null {
  const xs = values.filter((v): v is number => typeof v === 'number');
  return xs.length === 0 ? null : pick === 'min' ? Math.min(...xs) : Math.max(...xs);
}

/** W4's batches over the repetitions: each batch's figures are the medians of its repetitions. */
function combineBatches(reps: readonly Repetition[]): BatchPoint[] | undefined {
  const sizes = reps.find((r) => r.batches)?.batches?.map((b) => b.batch);
  if (!sizes) return undefined;
  return sizes.map((batch, i) => {
    const points = reps.map((r) => r.batches?.[i]).filter((b): b is BatchPoint => b !== undefined);
    const samples = points.map((b) => ({
      aggregate_tps: b.aggregate_tps,
      per_stream_tps: b.per_stream_tps,
      p50_ms: b.p50_ms,
      p95_ms: b.p95_ms,
      backend_prefill_tps: b.backend_prefill_tps ?? null,
      backend_decode_tps: b.backend_decode_tps ?? null,
    }));
    const { spread, median } = summarise(samples, BATCH_KEYS);
    const error = points.find((b) => b.error)?.error;
    return { batch, ...median, spread, samples, ...(error ? { error } : {}) };
  });
}

/** W3's tiers over the repetitions. */
function combineTiers(reps: readonly Repetition[]): ContextTier[] | undefined {
  const first = reps.find((r) => r.tiers)?.tiers;
  if (!first) return undefined;
  return first.map((tier, i) => {
    if (tier.skipped) return tier;
    const runs = reps.map((r) => r.tiers?.[i]).filter((t): t is ContextTier => t !== undefined && !t.skipped);
    const samples = runs.map((t) => ({ prefill_tps: t.prefill_tps, decode_tps: t.decode_tps, ttft_ms: t.ttft_ms, output_tokens: t.output_tokens ?? null }));
    const { spread, median } = summarise(samples, TIER_KEYS);
    return {
      context_tokens: tier.context_tokens,
      ...median,
      output_tokens: extreme(
        samples.map((s) => s.output_tokens),
        'min',
      ),
      spread,
      samples,
      error: runs.find((t) => t.error)?.error ?? null,
    };
  });
}

/** W5's turns over the repetitions of the trace: each turn's figures are the medians of its repetitions. */
function combineTurns(reps: readonly Repetition[]): AgentTurn[] | undefined {
  const longest = reps.reduce<AgentTurn[] | undefined>((best, r) => (r.turns && r.turns.length > (best?.length ?? -1) ? r.turns : best), undefined);
  if (!longest) return undefined;
  return longest.map((turn, i) => {
    const runs = reps.map((r) => r.turns?.[i]).filter((t): t is AgentTurn => t !== undefined);
    const samples = runs.map((t) => ({
      ttft_ms: t.ttft_ms,
      decode_tps: t.decode_tps,
      wall_ms: t.wall_ms,
      prompt_tokens: t.prompt_tokens,
      output_tokens: t.output_tokens,
      prefix_cache_hit_rate: t.prefix_cache_hit_rate ?? null,
    }));
    const med = (key: 'ttft_ms' | 'decode_tps' | 'wall_ms' | 'prefix_cache_hit_rate') =>
      spreadOfSamples(
        samples.map((s) => s[key]),
        DIRECTIONS[key],
      )?.median ?? null;
    return {
      turn: turn.turn,
      ttft_ms: med('ttft_ms'),
      decode_tps: med('decode_tps'),
      prompt_tokens: extreme(
        samples.map((s) => s.prompt_tokens),
        'max',
      ),
      output_tokens: extreme(
        samples.map((s) => s.output_tokens),
        'min',
      ),
      wall_ms: med('wall_ms') ?? 0,
      prefix_cache_hit_rate: med('prefix_cache_hit_rate'),
      samples,
      error: runs.find((t) => t.error)?.error ?? null,
    };
  });
}

/**
 * Extras a result covering several generations can state: those every generation agrees on. One
 * request's own counters (llama-server's prompt_ms, Ollama's eval_duration_ms) said of a result
 * that covers many would misstate it; the backend's clock over all of them is pooled in
 * backend_prefill_tps / backend_decode_tps and per repetition in `samples`.
 */
function agreedExtras(records: readonly GenerationRecord[]): Extras {
  if (records.length === 0) return {};
  const agreed: Extras = { ...records[0]!.extras };
  for (const r of records.slice(1)) {
    for (const key of Object.keys(agreed)) if (!Object.is(r.extras[key], agreed[key])) delete agreed[key];
  }
  return agreed;
}

/**
 * Folds the repetitions into the result (METHODOLOGY §6.3): the headline of every figure is its
 * median, `spread` its interval and CV, `samples` each repetition's figures; the counts keep the
 * largest prompt, the smallest output and the most cached tokens any repetition reported, so a
 * short or warm repetition is never hidden behind the others.
 */
function combine(result: WorkloadResult, workload: RunnableWorkload, reps: readonly Repetition[]): void {
  if (reps.length === 0) return;
  const samples = reps.map((r) => r.sample);
  const trace = workload.kind === 'agent-trace';
  const { spread, median } = summarise(samples, trace ? [...RESULT_KEYS, ...TRACE_KEYS] : RESULT_KEYS);
  result.repetitions = reps.length;
  result.ttft_ms = median.ttft_ms;
  result.prefill_tps = median.prefill_tps;
  result.decode_tps = median.decode_tps;
  result.decode_p50_latency_ms = median.decode_p50_latency_ms;
  result.decode_p95_latency_ms = median.decode_p95_latency_ms;
  result.backend_prefill_tps = median.backend_prefill_tps;
  result.backend_decode_tps = median.backend_decode_tps;
  result.wall_ms = median.wall_ms ?? 0;
  result.prompt_tokens = extreme(
    samples.map((s) => s.prompt_tokens),
    'max',
  );
  result.output_tokens = extreme(
    samples.map((s) => s.output_tokens),
    'min',
  );
  result.cached_prompt_tokens = extreme(
    samples.map((s) => s.cached_prompt_tokens),
    'max',
  );
  result.context_tokens = reps.find((r) => r.contextTokens !== null)?.contextTokens ?? null;
  const batchSize = reps.find((r) => r.batchSize !== undefined)?.batchSize;
  if (batchSize !== undefined) result.batch_size = batchSize;
  if (trace) {
    const m = median as Record<(typeof TRACE_KEYS)[number], number | null>;
    result.prefix_cache_hit_rate = m.prefix_cache_hit_rate;
    result.turn_p50_ms = m.turn_p50_ms;
    result.turn_max_ms = m.turn_max_ms;
    // The turns of one trace are fewer than MIN_P95_SAMPLES: a p95 over them would be its slowest turn.
    result.turn_p95_ms = null;
  }
  result.spread = spread;
  result.samples = samples;
  const batches = combineBatches(reps);
  if (batches) result.batches = batches;
  const tiers = combineTiers(reps);
  if (tiers) result.tiers = tiers;
  const turns = combineTurns(reps);
  if (turns) result.turns = turns;
  result.raw_timings_ms = reps.flatMap((r) => r.rawTimings.map((v) => round(v, 4) ?? 0));

  const headline = reps.flatMap((r) => r.headline);
  const counts = leastDirectCounts(headline);
  if (counts) result.token_counts = counts;
  Object.assign(result.extras, agreedExtras(headline));
  addFlags(
    result,
    reps.flatMap((r) => r.flags),
  );
  flagWarmCache(
    result,
    reps.flatMap((r) => r.cold),
  );
  // The harness gap compares medians: the client's comparable decode rate (W4: per stream) with the backend's.
  const client = spreadOfSamples(
    reps.map((r) => r.clientDecodeTps),
    'higher',
  )?.median;
  const backend = spreadOfSamples(
    reps.map((r) => rateOfSample(r)),
    'higher',
  )?.median;
  if (client !== undefined && backend !== undefined && client < HARNESS_GAP_RATIO * backend) addFlags(result, ['harness-gap']);
  if (isNoisy(spread)) addFlags(result, [NOISY_FLAG]);
  const error = reps.find((r) => r.error)?.error;
  if (error) result.error = error;
}

/** A repetition's backend decode rate, unrounded where the sample rounded it. */
function rateOfSample(rep: Repetition): number | null {
  return backendClock(rep.headline).decode;
}

/** `noisy` (METHODOLOGY §3.7): decode's interval wider than ±5 % of its median, or TTFT's than ±10 %. */
export function isNoisy(spread: { decode_tps?: MetricSpread; ttft_ms?: MetricSpread } | undefined): boolean {
  const decode = relativeHalfWidth(spread?.decode_tps);
  const ttft = relativeHalfWidth(spread?.ttft_ms);
  return (decode !== null && decode > NOISY_DECODE) || (ttft !== null && ttft > NOISY_TTFT);
}

/** The timed part of one repetition, by workload kind. */
function runOnce(ctx: RunContext, workload: RunnableWorkload, step: (s: string) => string): Promise<Repetition> {
  switch (workload.kind) {
    case 'single':
      return singleOnce(ctx, workload);
    case 'concurrent':
      return concurrentOnce(ctx, workload, step);
    case 'context-tiers':
      return tiersOnce(ctx, workload, step);
    case 'agent-trace':
      return agentTraceOnce(ctx, workload, step);
  }
}

const ONCE: RepetitionPolicy = { min: 1, max: 1 };

/**
 * The repetitions of a workload's timed part, as its policy says (plan.ts shouldRepeat): the
 * count, the time budget, the adaptive precision target on decode tok/s. A failed repetition, or
 * an interrupted run, ends the series: nothing is retried (METHODOLOGY §6).
 */
async function repeat(ctx: RunContext, workload: RunnableWorkload): Promise<Repetition[]> {
  const clock = ctx.clock ?? defaultNow;
  const policy = workload.repetitions ?? ONCE;
  const reps: Repetition[] = [];
  const started = clock();
  if (workload.kind === 'concurrent') {
    // Every stream of a batch listens on the one run signal; that many listeners is expected.
    setMaxListeners(Math.max(...workload.batchSizes) * 4 + 16, ctx.signal);
  }
  do {
    const k = reps.length + 1;
    const named = policy.max > 1;
    // The same prompt goes out again: a backend that cannot refuse reuse per request forgets the last one first.
    if (k > 1) await ctx.session.evictPromptCache?.().catch(() => undefined);
    if (named) ctx.progress?.workloadStarted(workload, `repetition ${k}`);
    const rep = await runOnce(ctx, workload, (s) => (named ? `repetition ${k} · ${s}` : s));
    reps.push(rep);
    if (rep.error || ctx.signal.aborted) break;
  } while (
    shouldRepeat(
      policy,
      reps.length,
      clock() - started,
      spreadOfSamples(
        reps.map((r) => r.sample.decode_tps),
        'higher',
      ),
    )
  );
  return reps;
}

export async function runWorkload(ctx: RunContext, workload: RunnableWorkload): Promise<WorkloadResult> {
  const clock = ctx.clock ?? defaultNow;
  // Before the result is built: a restarted server changes the session's extras (slots, n_ctx).
  // Boxed, so that whatever prepare() threw (even undefined) is told apart from no error at all.
  let prepareError: { error: unknown } | undefined;
  try {
    await ctx.session.prepare?.(sessionNeeds([workload]));
  } catch (error) {
    prepareError = { error };
  }
  const result = baseResult(ctx, workload);
  // Outside every timing, after any restart prepare() did, before the first timed request.
  if (prepareError === undefined && !ctx.signal.aborted) Object.assign(result.extras, await warmUp(ctx));
  // After the warm-up: a workload that reuses its own prefix must find nothing cached before it (§3.4).
  if (prepareError === undefined && wantsCache(workload) && ctx.session.forgetPrompts) {
    result.extras.prompts_forgotten = await ctx.session.forgetPrompts().then(
      () => true,
      () => false,
    );
  }
  ctx.progress?.workloadStarted(workload);
  const records: GenerationRecord[] = [];
  timedRecords.set(ctx, records);
  let observed = false;
  let observerFailures = 0;
  const started = clock();
  try {
    if (prepareError !== undefined) throw prepareError.error;
    observerFailures += await notifyObservers(ctx, (o) => o.timedStart?.(workload));
    observed = true;
    const reps = await repeat(ctx, workload);
    combine(result, workload, reps);
    if (workload.kind === 'concurrent' && !ctx.session.capabilities.true_concurrency) addFlags(result, ['serial-concurrency']);
    if (workload.kind === 'single' || workload.kind === 'context-tiers') {
      // Single-stream workloads report no hit rate: the prompt is new to the backend by design, and
      // a backend that reused a prefix anyway is flagged warm-cache (cached_prompt_tokens says how much).
      result.prefix_cache_hit_rate = null;
    }
  } catch (error) {
    result.error = errorMessage(error);
    result.wall_ms = round(clock() - started) ?? 0;
  } finally {
    timedRecords.delete(ctx);
  }
  if (observed) observerFailures += await notifyObservers(ctx, (o) => o.timedEnd?.(workload, result, records));
  if (observerFailures > 0) result.extras.observer_failures = observerFailures;
  // Flagged whatever else went wrong: an interrupted run is never submitted (compare/interrupted.ts).
  if (ctx.signal.aborted) {
    addFlags(result, ['interrupted']);
    result.error ||= 'interrupted';
  }
  result.extras = compactExtras(result.extras);
  ctx.progress?.workloadFinished(workload, result);
  return result;
}

/** Drops non-scalar and non-finite extras values: extras stay small telemetry, by contract. */
function compactExtras(extras: Extras): Extras {
  const out: Extras = {};
  for (const [k, v] of Object.entries(extras)) {
    if (v === null || typeof v === 'string' || typeof v === 'boolean') out[k] = v;
    else if (typeof v === 'number' && Number.isFinite(v)) out[k] = round(v, 4);
  }
  return out;
}
