/**
 * Consumes one generation's event stream and records what the metrics need: when the request
 * left, when tokens arrived, what the backend said about counts, and how the stream ended.
 * The loop does no arithmetic beyond appending, so the harness never slows the stream it times.
 */
import type { BackendTimings, DriverSession, GenerationEvent, GenerationRequest } from '../contract/driver.js';
import type { Extras } from '../contract/generated/workload-result.js';
import { errorMessage } from '../errors.js';
import { now as defaultNow, type Clock } from './clock.js';
import { decodeLatenciesMs, decodeTps, percentile, prefillTps, ttftMs, type TokenArrival } from './metrics.js';

export interface GenerationRecord {
  sentAt: number;
  endedAt: number;
  arrivals: TokenArrival[];
  /** Tokens counted from arrivals (used when the backend reports no usage). */
  arrivedTokens: number;
  promptTokens?: number;
  outputTokens?: number;
  cachedPromptTokens?: number;
  /** Who counted promptTokens/outputTokens when a usage event gave them (default: the backend). */
  countedBy?: 'backend' | 'tokenizer';
  /** The backend evaluated clearly fewer prompt tokens than the prompt holds (reuse it did not count). */
  promptReuse?: boolean;
  /** The backend's own timers for this generation. */
  backendTimings?: BackendTimings;
  stopReason?: string;
  extras: Extras;
  error?: string;
}

export interface GenerationMetrics {
  ttft_ms: number | null;
  prefill_tps: number | null;
  decode_tps: number | null;
  decode_p50_latency_ms: number | null;
  decode_p95_latency_ms: number | null;
  prompt_tokens: number | null;
  output_tokens: number;
  wall_ms: number;
  latencies_ms: number[];
}

/** What live progress may read of a generation in flight: the counters the record keeps anyway. */
export type InFlightGeneration = Pick<GenerationRecord, 'sentAt' | 'arrivals' | 'arrivedTokens'>;

export async function recordGeneration(session: DriverSession, request: GenerationRequest, options: { clock?: Clock; inFlight?: Set<InFlightGeneration> } = {}): Promise<GenerationRecord> {
  const clock = options.clock ?? defaultNow;
  const record: GenerationRecord = { sentAt: 0, endedAt: 0, arrivals: [], arrivedTokens: 0, extras: {} };
  // Registered once before and removed once after: nothing is added to the per-token path (METHODOLOGY §3.5).
  options.inFlight?.add(record);
  record.sentAt = clock();
  try {
    for await (const event of session.generate(request) as AsyncIterable<GenerationEvent>) {
      if (event.type === 'sent') {
        // Only before the first token: a late 'sent' must not shorten a TTFT already under way.
        if (record.arrivals.length === 0) record.sentAt = event.t;
      } else if (event.type === 'tokens') {
        record.arrivals.push({ t: event.t, count: event.count });
        record.arrivedTokens += event.count;
      } else if (event.type === 'usage') {
        if (event.promptTokens !== undefined) record.promptTokens = event.promptTokens;
        if (event.outputTokens !== undefined) record.outputTokens = event.outputTokens;
        if (event.cachedPromptTokens !== undefined) record.cachedPromptTokens = event.cachedPromptTokens;
        if (event.countedBy !== undefined) record.countedBy = event.countedBy;
        if (event.promptReuse) record.promptReuse = true;
        if (event.backendTimings !== undefined) record.backendTimings = event.backendTimings;
      } else if (event.type === 'done') {
        record.endedAt = event.t;
        record.stopReason = event.stopReason;
        if (event.extras) Object.assign(record.extras, event.extras);
      }
    }
  } catch (error) {
    record.error = errorMessage(error);
  } finally {
    options.inFlight?.delete(record);
  }
  if (record.endedAt === 0) record.endedAt = clock();
  return record;
}

/** The backend's own count wins over counting arrivals: a chunk may carry several tokens. */
export function outputTokensOf(record: GenerationRecord): number {
  return record.outputTokens ?? record.arrivedTokens;
}

export type TokenCounts = 'backend' | 'tokenizer' | 'arrivals';

/** Where a record's counts came from: arrivals when no usage gave the output count. */
export function tokenCountsOf(record: GenerationRecord): TokenCounts {
  if (record.outputTokens === undefined) return 'arrivals';
  return record.countedBy ?? 'backend';
}

export function metricsOf(record: GenerationRecord): GenerationMetrics {
  const outputTokens = outputTokensOf(record);
  const ttft = ttftMs(record.sentAt, record.arrivals);
  const latencies = decodeLatenciesMs(record.arrivals);
  return {
    ttft_ms: ttft,
    prefill_tps: prefillTps(record.promptTokens, ttft),
    decode_tps: decodeTps(record.arrivals, outputTokens),
    decode_p50_latency_ms: percentile(latencies, 50),
    decode_p95_latency_ms: percentile(latencies, 95),
    prompt_tokens: record.promptTokens ?? null,
    output_tokens: outputTokens,
    wall_ms: record.endedAt - record.sentAt,
    latencies_ms: latencies,
  };
}
