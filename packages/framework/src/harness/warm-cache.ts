/**
 * What `warm-cache` means (METHODOLOGY §3.4): a W1–W4 request whose prefill the backend's prefix
 * cache made materially shorter, so its TTFT and prefill rate were not measured cold.
 *
 * Not every reused token is that. Any two prompts a server sees share a few tokens at the start —
 * the BOS token, a chat template's opening, a common first word — and a server that keeps its last
 * prompt (llama-server with its default `cache_prompt`, as any OpenAI-compatible client reaches it)
 * reuses them: after the warm-up, W1 through `openai-compat` reported `1 prompt tokens cached` on
 * every run, and W4's streams share "Request 1 of" with the previous batch's. Skipping those saves
 * microseconds, far inside a TTFT's run-to-run spread. What the flag protects against is the case
 * that made the rule: 4,057 of W2's 4,058 prompt tokens served from the cache, prefill read 97,388
 * tok/s.
 *
 * So a reuse is material when it is more than the incidental few tokens AND a measurable share of
 * the prompt (both, so that neither a long prompt's shared opening nor a short prompt's BOS counts).
 */

/** Reuses of at most this many tokens are incidental: what any two prompts share at their start. */
export const WARM_CACHE_INCIDENTAL_TOKENS = 4;

/** Above the incidental tokens, a reuse counts when it is at least this share of the prompt's tokens. */
export const WARM_CACHE_MIN_SHARE = 0.01;

/** What the harness knows of one generation's prompt and what the backend said it reused. */
export interface PromptReuse {
  /** Prompt tokens, cached ones included (OpenAI `prompt_tokens`, llama-server prompt_n + cache_n). */
  promptTokens?: number;
  /** Prompt tokens the backend served from its cache. */
  cachedPromptTokens?: number;
  /** The backend evaluated clearly fewer tokens than the prompt holds and says nothing more (Ollama). */
  promptReuse?: boolean;
}

/**
 * Whether one generation's prefill was materially shortened by a prefix cache. A reuse the backend
 * only signals without a count (`promptReuse`) is material by construction: it is detected only
 * when under one token per eight characters of the prompt was evaluated. Without a prompt count,
 * anything beyond the incidental tokens counts.
 */
export function isWarmReuse(reuse: PromptReuse): boolean {
  if (reuse.promptReuse) return true;
  const cached = reuse.cachedPromptTokens ?? 0;
  if (cached <= WARM_CACHE_INCIDENTAL_TOKENS) return false;
  if (!reuse.promptTokens) return true;
  return cached >= WARM_CACHE_MIN_SHARE * reuse.promptTokens;
}

/** Whether any of a workload's timed generations ran on a warm cache (one stream of W4 is enough). */
export function ranOnWarmCache(records: readonly PromptReuse[]): boolean {
  return records.some(isWarmReuse);
}
