/**
 * The arithmetic that turns token arrival times into the numbers we publish.
 * Each function implements one definition of docs/METHODOLOGY.md §3 exactly and is pure, so tests
 * pin it with worked examples. All times are milliseconds on the harness clock.
 */

/** One arrival of one or more generated tokens. */
export interface TokenArrival {
  t: number;
  count: number;
}

/**
 * TTFT: request leaves the client → first generated token arrives back (METHODOLOGY §3).
 * Connection overhead and backend prefill are both inside it, by definition.
 */
export function ttftMs(requestSentAt: number, arrivals: readonly TokenArrival[]): number | null {
  const first = arrivals.find((a) => a.count > 0);
  return first ? first.t - requestSentAt : null;
}

/**
 * Prefill tok/s = prompt_tokens / prefill_wall_seconds, where the prefill wall time is the
 * client-side TTFT (METHODOLOGY §3).
 */
export function prefillTps(promptTokens: number | null | undefined, ttft: number | null): number | null {
  if (!promptTokens || ttft === null || ttft <= 0) return null;
  return promptTokens / (ttft / 1000);
}

/**
 * Decode tok/s over the wall time between the first and the last generated token.
 *
 * The first token is produced by prefill, so the span first→last contains N−1 decode steps for
 * N generated tokens: decode_tps = (N − 1) / (t_last − t_first) — one decode step per token,
 * prefill excluded, as llama-server's own predicted_per_second and llama-bench's `tg` count it
 * (METHODOLOGY §8 says which llama-bench run compares with which workload).
 * `outputTokens` is the backend's own count when it reports one (usage), since a streamed chunk
 * may carry several tokens; arrivals only give the first and last times.
 */
export function decodeTps(arrivals: readonly TokenArrival[], outputTokens: number): number | null {
  const span = decodeSpanMs(arrivals);
  if (span === null || outputTokens < 2) return null;
  return (outputTokens - 1) / (span / 1000);
}

/** t_last − t_first over the arrivals that carried tokens; null when there is no positive span. */
export function decodeSpanMs(arrivals: readonly TokenArrival[]): number | null {
  const withTokens = arrivals.filter((a) => a.count > 0);
  if (withTokens.length === 0) return null;
  const span = withTokens[withTokens.length - 1]!.t - withTokens[0]!.t;
  return span > 0 ? span : null;
}

/**
 * Decode tok/s pooled over several generations (W5's turns, W4's streams): every decode step
 * over every decode millisecond, Σ(N_i − 1) / Σ(t_last,i − t_first,i). A mean of per-turn rates
 * would weigh a 3-token turn like a 300-token one.
 */
export function pooledDecodeTps(generations: ReadonlyArray<{ arrivals: readonly TokenArrival[]; outputTokens: number }>): number | null {
  let steps = 0;
  let ms = 0;
  for (const g of generations) {
    const span = decodeSpanMs(g.arrivals);
    if (span === null || g.outputTokens < 2) continue;
    steps += g.outputTokens - 1;
    ms += span;
  }
  return ms > 0 ? steps / (ms / 1000) : null;
}

/**
 * Prefill tok/s over the prompt tokens the backend actually processed: Σ(prompt_i − cached_i) /
 * Σ TTFT_i. Tokens served from a prefix cache cost no prefill, so counting them would report a
 * cache hit as prefill speed (W5: 16,611 prompt tokens of which 1,127 were processed). A turn
 * whose backend does not say what it cached counts its whole prompt.
 */
export function pooledPrefillTps(turns: ReadonlyArray<{ promptTokens: number | null; cachedPromptTokens: number | null; ttftMs: number | null }>): number | null {
  let tokens = 0;
  let ms = 0;
  for (const turn of turns) {
    if (!turn.promptTokens || turn.ttftMs === null || turn.ttftMs <= 0) continue;
    tokens += turn.promptTokens - Math.min(turn.promptTokens, turn.cachedPromptTokens ?? 0);
    ms += turn.ttftMs;
  }
  return ms > 0 ? tokens / (ms / 1000) : null;
}

/** tokens / seconds for a backend's own timer pair; null when either is missing or not positive. */
export function rateOf(tokens: number | undefined, ms: number | undefined): number | null {
  if (tokens === undefined || ms === undefined || !(ms > 0) || !(tokens >= 0)) return null;
  return tokens / (ms / 1000);
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
