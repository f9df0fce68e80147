/**
 * The arithmetic that turns token arrival times into the numbers we publish.
 * Each function implements one METHODOLOGY definition exactly (FAQ "How is decode tok/s
 * measured?", "What is TTFT?", "What is prefill tok/s?") and is pure, so tests pin it with
 * worked examples. All times are milliseconds on the harness clock.
 */

/** One arrival of one or more generated tokens. */
export interface TokenArrival {
  t: number;
  count: number;
}

/**
 * TTFT: request leaves the client → first generated token arrives back (METHODOLOGY FAQ).
 * Connection overhead and backend prefill are both inside it, by definition.
 */
export function ttftMs(requestSentAt: number, arrivals: readonly TokenArrival[]): number | null {
  const first = arrivals.find((a) => a.count > 0);
  return first ? first.t - requestSentAt : null;
}

/**
 * Prefill tok/s = prompt_tokens / prefill_wall_seconds, where the prefill wall time is the
 * client-side TTFT (METHODOLOGY FAQ "What is prefill tok/s?").
 */
export function prefillTps(promptTokens: number | null | undefined, ttft: number | null): number | null {
  if (!promptTokens || ttft === null || ttft <= 0) return null;
  return promptTokens / (ttft / 1000);
}

/**
 * Decode tok/s over the wall time between the first and the last generated token.
 *
 * The first token is produced by prefill, so the span first→last contains N−1 decode steps for
 * N generated tokens: decode_tps = (N − 1) / (t_last − t_first). This is what llama-bench's `tg`
 * measures (one decode step per token, prefill excluded), so our figure and llama-bench's agree.
 * `outputTokens` is the backend's own count when it reports one (usage), since a streamed chunk
 * may carry several tokens; arrivals only give the first and last times.
 */
export function decodeTps(arrivals: readonly TokenArrival[], outputTokens: number): number | null {
  const withTokens = arrivals.filter((a) => a.count > 0);
  if (withTokens.length === 0 || outputTokens < 2) return null;
  const span = withTokens[withTokens.length - 1]!.t - withTokens[0]!.t;
  if (span <= 0) return null;
  return (outputTokens - 1) / (span / 1000);
}

/**
 * Per-token decode latencies: the gap before each arrival after the first, shared equally by the
 * tokens that arrived together (a 3-token chunk 9 ms after the previous one is three 3 ms tokens).
 * The first arrival's tokens are prefill output, not decode steps, except the extra tokens of a
 * multi-token first chunk, which have no measurable gap and are left out.
 */
export function decodeLatenciesMs(arrivals: readonly TokenArrival[]): number[] {
  const out: number[] = [];
  let previous: number | undefined;
  for (const a of arrivals) {
    if (a.count <= 0) continue;
    if (previous !== undefined) {
      const share = (a.t - previous) / a.count;
      for (let i = 0; i < a.count; i++) out.push(share);
    }
    previous = a.t;
  }
  return out;
}

/**
 * Percentile with linear interpolation between closest ranks (the "R-7" / NumPy default method):
 * rank = p/100 × (n − 1). p50 of [1, 2, 3, 4] is 2.5.
 */
export function percentile(values: readonly number[], p: number): number | null {
  if (values.length === 0) return null;
  const sorted = [...values].sort((a, b) => a - b);
  const rank = (p / 100) * (sorted.length - 1);
  const lo = Math.floor(rank);
  const hi = Math.ceil(rank);
  return sorted[lo]! + (sorted[hi]! - sorted[lo]!) * (rank - lo);
}

export function mean(values: readonly number[]): number | null {
  if (values.length === 0) return null;
  return values.reduce((s, v) => s + v, 0) / values.length;
}

/** Rounds for publication: enough digits to compare runs, none that pretend to precision. */
export function round(value: number | null, digits = 2): number | null {
  if (value === null || !Number.isFinite(value)) return null;
  const f = 10 ** digits;
  return Math.round(value * f) / f;
}
