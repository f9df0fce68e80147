/**
 * The suite's sampling and how it is spelt on the wire formats the bundled drivers speak. One
 * place, so every driver sends the same settings: greedy decoding (temperature 0, top-k 1), no
 * repetition/presence/frequency penalties, no top-p/min-p cut, and a fixed seed. Greedy makes
 * sampling the cheapest step it can be on every backend, and it makes the work per token the
 * same whichever backend runs it.
 */
import type { Sampling } from './driver.js';

export const SUITE_SAMPLING: Readonly<Sampling> = Object.freeze({
  temperature: 0,
  topK: 1,
  topP: 1,
  minP: 0,
  repeatPenalty: 1,
  presencePenalty: 0,
  frequencyPenalty: 0,
  seed: 42,
});

/**
 * OpenAI-compatible request fields. The OpenAI API itself knows temperature, top_p, seed and the
 * two penalties, and rejects fields it does not know; servers that extend it (vLLM, llama-server,
 * mlx_lm.server, OpenRouter, Together, Fireworks) also take top_k, min_p and repetition_penalty.
 */
export function openAiSamplingFields(s: Sampling, dialect: 'openai' | 'extended' = 'extended'): Record<string, number> {
  const base = { temperature: s.temperature, top_p: s.topP, seed: s.seed, presence_penalty: s.presencePenalty, frequency_penalty: s.frequencyPenalty };
  return dialect === 'openai' ? base : { ...base, top_k: s.topK, min_p: s.minP, repetition_penalty: s.repeatPenalty };
}

/** llama-server's native /completion fields (tools/server/README.md, "POST /completion"). */
export function llamaCppSamplingFields(s: Sampling): Record<string, number> {
  return {
    temperature: s.temperature,
    top_k: s.topK,
    top_p: s.topP,
    min_p: s.minP,
    repeat_penalty: s.repeatPenalty,
    presence_penalty: s.presencePenalty,
    frequency_penalty: s.frequencyPenalty,
    seed: s.seed,
  };
}

/** Ollama's `options` (docs/api.md "Generate a completion", valid parameters in docs/modelfile.md). */
export function ollamaSamplingOptions(s: Sampling): Record<string, number> {
  return llamaCppSamplingFields(s);
}

/** The runner protocol's `sampling` object (protocol/python-runner.ts), snake_case like the runners' Python. */
export function runnerSamplingFields(s: Sampling): Record<string, number> {
  return llamaCppSamplingFields(s);
}
