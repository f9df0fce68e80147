/**
 * Runs workloads against an open driver session and returns schema-shaped results.
 *
 * Honesty rules (METHODOLOGY §6) live here, once for every backend: each workload runs exactly
 * once per invocation, there is no retry and no keep-best, and a failed workload is returned
 * with `error` set rather than dropped. So do the measurement rules of §3: every request carries
 * the suite's sampling, W1–W4 ask for a cold prefix (and are flagged `warm-cache` when the
 * backend says it reused one anyway), an untimed warm-up precedes each workload's first timed
 * request, and each result carries the backend's own clock beside the client's.
 */
import { setMaxListeners } from 'node:events';
import type { DriverSession, GenerationRequest, Sampling } from '../contract/driver.js';
import type { MeasuredResult as WorkloadResult } from '../contract/generated/run.js';
import type { AgentTurn, BatchPoint, ContextTier, Extras } from '../contract/generated/workload-result.js';
import { SUITE_SAMPLING } from '../contract/sampling.js';
import { errorMessage } from '../errors.js';
import { now as defaultNow, type Clock } from './clock.js';
import { mean, percentile, pooledDecodeTps, pooledPrefillTps, rateOf, round } from './metrics.js';
import { metricsOf, outputTokensOf, recordGeneration, tokenCountsOf, type GenerationRecord, type InFlightGeneration, type TokenCounts } from './measure.js';
import { sessionNeeds, type RunnableWorkload } from './plan.js';
import { ranOnWarmCache } from './warm-cache.js';

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
 * workload, outside every timed request: `timedStart` right before the first timed request,
 * `timedEnd` right after the last one ended, with every timed generation's record (sent, arrivals,
 * ended), before the result is finished — an observer may add flags and extras to it then.
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
 * Progress is told about steps only — a workload, a W4 batch, a W5 turn starting or finishing —
 * which happen between timed requests. Nothing is called per token: on the machine being measured,
 * a redraw or a callback per arrival takes CPU from the backend while it generates (METHODOLOGY §3.5).
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

function addFlags(result: WorkloadResult, flags: string[]): void {
  for (const f of flags) if (!result.flags.includes(f)) result.flags.push(f);
}

/**
 * W1–W4 measure a prompt the backend has never seen, so they ask for no prefix reuse; W5's
 * growing conversation is meant to reuse the previous turn's prefix.
 */
function wantsCache(workload: RunnableWorkload): boolean {
  return workload.kind === 'agent-trace';
}

function request(ctx: RunContext, workload: RunnableWorkload, body: { prompt?: string; messages?: GenerationRequest['messages'] }): GenerationRequest {
  return { ...body, maxTokens: workload.outputTokens, cachePrompt: wantsCache(workload), sampling: ctx.sampling ?? SUITE_SAMPLING, signal: ctx.signal };
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

/**
 * The backend's own clock and the provenance of the counts, over the generations a result's
 * headline figures come from: backend rates pooled as Σ tokens / Σ time of what each generation's
 * timers reported; token_counts the least direct source any of them used; the cached prompt
 * tokens summed where the backend reported them.
 */
function fillProvenance(result: WorkloadResult, records: GenerationRecord[], clientDecodeTps: number | null): void {
  let promptTokens = 0;
  let promptMs = 0;
  let decodeTokens = 0;
  let decodeMs = 0;
  let cached: number | null = null;
  let counts: TokenCounts = 'backend';
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
    const c = tokenCountsOf(r);
    if (COUNT_TRUST.indexOf(c) > COUNT_TRUST.indexOf(counts)) counts = c;
  }
  result.backend_prefill_tps = round(rateOf(promptTokens, promptMs));
  result.backend_decode_tps = round(rateOf(decodeTokens, decodeMs));
  if (records.length > 0) result.token_counts = counts;
  result.cached_prompt_tokens = cached;
  const backend = rateOf(decodeTokens, decodeMs);
  if (backend !== null && clientDecodeTps !== null && clientDecodeTps < HARNESS_GAP_RATIO * backend) addFlags(result, ['harness-gap']);
}

/** W1–W4 asked for a cold prefix: a backend that reused one anyway (or cannot be told not to) is flagged. */
function flagWarmCache(result: WorkloadResult, records: GenerationRecord[]): void {
  if (ranOnWarmCache(records)) addFlags(result, ['warm-cache']);
}

/** Copies one generation's metrics into a result, rounded for publication. */
function fillFromRecord(result: WorkloadResult, record: GenerationRecord, asked: number): void {
  const m = metricsOf(record);
  result.ttft_ms = round(m.ttft_ms);
  result.prefill_tps = round(m.prefill_tps);
  result.decode_tps = round(m.decode_tps);
  result.decode_p50_latency_ms = round(m.decode_p50_latency_ms, 3);
  result.decode_p95_latency_ms = round(m.decode_p95_latency_ms, 3);
  result.prompt_tokens = m.prompt_tokens;
  result.output_tokens = m.output_tokens;
  result.context_tokens = m.prompt_tokens === null ? null : m.prompt_tokens + m.output_tokens;
  result.wall_ms = round(m.wall_ms) ?? 0;
  result.raw_timings_ms = m.latencies_ms.map((v) => round(v, 4) ?? 0);
  if (record.cachedPromptTokens !== undefined && record.promptTokens) {
    result.prefix_cache_hit_rate = round(record.cachedPromptTokens / record.promptTokens, 4);
  }
  Object.assign(result.extras, record.extras);
  if (record.error) result.error = record.error;
  addFlags(result, shortfallFlags(record, asked));
  fillProvenance(result, [record], m.decode_tps);
}

async function runSingle(ctx: RunContext, w: Extract<RunnableWorkload, { kind: 'single' }>, result: WorkloadResult): Promise<void> {
  const record = await generate(ctx, request(ctx, w, { prompt: w.prompt }));
  fillFromRecord(result, record, w.outputTokens);
  // Single-stream workloads report no hit rate: the prompt is new to the backend by design, and
  // a backend that reused a prefix anyway is flagged warm-cache (cached_prompt_tokens says how much).
  result.prefix_cache_hit_rate = null;
  flagWarmCache(result, [record]);
}

async function runConcurrent(ctx: RunContext, w: Extract<RunnableWorkload, { kind: 'concurrent' }>, result: WorkloadResult): Promise<void> {
  const clock = ctx.clock ?? defaultNow;
  const batches: BatchPoint[] = [];
  let headline: { records: GenerationRecord[]; batch: number; start: number } | undefined;
  const all: GenerationRecord[] = [];
  // Every stream of a batch listens on the one run signal; that many listeners is expected.
  setMaxListeners(Math.max(...w.batchSizes) * 4 + 16, ctx.signal);
  for (const batch of w.batchSizes) {
    ctx.progress?.workloadStarted(w, `batch ${batch}`);
    const start = clock();
    // All streams of a batch are sent at once and read together: the generations overlap.
    const records = await Promise.all(Array.from({ length: batch }, (_, stream) => generate(ctx, request(ctx, w, { prompt: w.promptForStream(stream, batch) }))));
    const point = batchPoint(batch, start, records);
    batches.push(point);
    all.push(...records);
    const failed = records.find((r) => r.error);
    if (failed) point.error = failed.error ?? null;
    for (const r of records) addFlags(result, shortfallFlags(r, w.outputTokens));
    headline = { records, batch, start };
  }
  result.batches = batches;
  if (!ctx.session.capabilities.true_concurrency) addFlags(result, ['serial-concurrency']);
  flagWarmCache(result, all);
  if (headline) {
    // The headline row is the largest batch: aggregate throughput is what W4 is about (METHODOLOGY §1.4).
    const top = batches[batches.length - 1]!;
    const metrics = headline.records.map(metricsOf);
    result.batch_size = headline.batch;
    result.decode_tps = top.aggregate_tps;
    result.ttft_ms = round(mean(metrics.map((m) => m.ttft_ms).filter((v): v is number => v !== null)));
    result.prefill_tps = round(aggregatePrefillTps(headline.start, headline.records));
    const prompts = metrics.map((m) => m.prompt_tokens);
    result.prompt_tokens = prompts.every((p): p is number => p !== null) ? prompts.reduce((s, p) => s + p, 0) : null;
    result.output_tokens = metrics.reduce((s, m) => s + m.output_tokens, 0);
    const longest = Math.max(...prompts.map((p) => p ?? -1));
    result.context_tokens = longest < 0 ? null : longest + w.outputTokens;
    result.decode_p50_latency_ms = top.p50_ms;
    result.decode_p95_latency_ms = top.p95_ms;
    result.wall_ms = round(Math.max(...headline.records.map((r) => r.endedAt)) - headline.start) ?? 0;
    result.raw_timings_ms = metrics.flatMap((m) => m.latencies_ms.map((v) => round(v, 4) ?? 0));
    for (const r of headline.records) Object.assign(result.extras, r.extras);
    // Both clocks per stream: the backend times each request, not the batch. The client's
    // comparable figure is the streams' pooled decode rate.
    fillProvenance(result, headline.records, pooledDecodeTps(headline.records.map((r) => ({ arrivals: r.arrivals, outputTokens: outputTokensOf(r) }))));
    const errors = batches.filter((b) => b.error);
    if (errors.length > 0) result.error = `batch ${errors.map((b) => b.batch).join(', ')} failed: ${errors[0]!.error}`;
  }
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
 * Aggregate tok/s = all tokens generated by the batch / (last token of any stream − batch start).
 * Per-stream tok/s = mean of each stream's own decode tok/s. p50/p95 pool every stream's
 * per-token latencies.
 */
export function batchPoint(batch: number, start: number, records: GenerationRecord[]): BatchPoint {
  const metrics = records.map(metricsOf);
  const total = metrics.reduce((s, m) => s + m.output_tokens, 0);
  const lastArrival = Math.max(...records.map((r) => (r.arrivals.length ? r.arrivals[r.arrivals.length - 1]!.t : start)));
  const span = lastArrival - start;
  const latencies = metrics.flatMap((m) => m.latencies_ms);
  return {
    batch,
    aggregate_tps: round(span > 0 ? total / (span / 1000) : null),
    per_stream_tps: round(mean(metrics.map((m) => m.decode_tps).filter((v): v is number => v !== null))),
    p50_ms: round(percentile(latencies, 50), 3),
    p95_ms: round(percentile(latencies, 95), 3),
  };
}

async function runTiers(ctx: RunContext, w: Extract<RunnableWorkload, { kind: 'context-tiers' }>, result: WorkloadResult): Promise<void> {
  const tiers: ContextTier[] = [];
  const tierRecords: GenerationRecord[] = [];
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
    ctx.progress?.workloadStarted(w, `${Math.round(tier.contextTokens / 1024)}k context`);
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
    addFlags(result, shortfallFlags(record, w.outputTokens));
    tierRecords.push(record);
    last = record;
  }
  result.tiers = tiers;
  if (last) {
    fillFromRecord(result, last, w.outputTokens);
    result.prefix_cache_hit_rate = null;
    flagWarmCache(result, tierRecords);
  } else {
    result.error = 'every context tier was skipped: ' + (tiers[0]?.skipped ?? 'no tiers');
  }
  const failed = tiers.find((t) => t.error);
  if (failed && !result.error) result.error = `${failed.context_tokens}-token tier failed: ${failed.error}`;
}

async function runAgentTrace(ctx: RunContext, w: Extract<RunnableWorkload, { kind: 'agent-trace' }>, result: WorkloadResult): Promise<void> {
  const clock = ctx.clock ?? defaultNow;
  const before = await ctx.session.readCacheCounters?.().catch(() => undefined);
  const start = clock();
  const turns: AgentTurn[] = [];
  const records: GenerationRecord[] = [];
  for (let i = 0; i < w.turns.length; i++) {
    ctx.progress?.workloadStarted(w, `turn ${i + 1}/${w.turns.length}`);
    const record = await generate(ctx, request(ctx, w, { messages: w.turns[i] }));
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
    addFlags(result, shortfallFlags(record, w.outputTokens));
    // A failed turn ends the trace: later turns would send a history the backend never saw.
    if (record.error) {
      result.error = `turn ${i + 1} failed: ${record.error}`;
      break;
    }
  }
  const after = await ctx.session.readCacheCounters?.().catch(() => undefined);
  const metrics = records.map(metricsOf);
  const turnWalls = turns.map((t) => t.wall_ms);
  const lastTurn = metrics[metrics.length - 1];
  result.turns = turns;
  result.wall_ms = round(clock() - start) ?? 0;
  result.turn_p50_ms = round(percentile(turnWalls, 50));
  result.turn_p95_ms = round(percentile(turnWalls, 95));
  // METHODOLOGY §1.5: sums over the turns, pooled rates, the mean TTFT of the turns.
  result.output_tokens = metrics.reduce((s, m) => s + m.output_tokens, 0);
  const prompts = metrics.map((m) => m.prompt_tokens);
  result.prompt_tokens = prompts.length > 0 && prompts.every((p): p is number => p !== null) ? prompts.reduce((s, p) => s + p, 0) : null;
  result.context_tokens = lastTurn?.prompt_tokens == null ? null : lastTurn.prompt_tokens + lastTurn.output_tokens;
  result.ttft_ms = round(mean(metrics.map((m) => m.ttft_ms).filter((v): v is number => v !== null)));
  result.prefill_tps = round(pooledPrefillTps(records.map((r, i) => ({ promptTokens: r.promptTokens ?? null, cachedPromptTokens: r.cachedPromptTokens ?? null, ttftMs: metrics[i]!.ttft_ms }))));
  const decode = pooledDecodeTps(records.map((r) => ({ arrivals: r.arrivals, outputTokens: outputTokensOf(r) })));
  result.decode_tps = round(decode);
  const latencies = metrics.flatMap((m) => m.latencies_ms);
  result.decode_p50_latency_ms = round(percentile(latencies, 50), 3);
  result.decode_p95_latency_ms = round(percentile(latencies, 95), 3);
  result.raw_timings_ms = latencies.map((v) => round(v, 4) ?? 0);
  result.prefix_cache_hit_rate = cacheHitRate(records, before, after);
  // The first turn has nothing of the trace to reuse: a hit there is a prompt from before it.
  flagWarmCache(result, records.slice(0, 1));
  for (const r of records) Object.assign(result.extras, r.extras);
  fillProvenance(result, records, decode);
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
    switch (workload.kind) {
      case 'single':
        await runSingle(ctx, workload, result);
        break;
      case 'concurrent':
        await runConcurrent(ctx, workload, result);
        break;
      case 'context-tiers':
        await runTiers(ctx, workload, result);
        break;
      case 'agent-trace':
        await runAgentTrace(ctx, workload, result);
        break;
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
