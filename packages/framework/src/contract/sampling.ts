/**
 * The suite's sampling and how it is spelt on the wire formats the bundled drivers speak. One
 * place, so every driver sends the same settings: greedy decoding (temperature 0, top-k 1), no
 * repetition/presence/frequency penalties, no top-p/min-p cut, and a fixed seed. Greedy makes
 * sampling the cheapest step it can be on every backend, and it makes the work per token the
 * same whichever backend runs it.
 */
import { ContractError } from '../errors.js';
import type { GenerationRequest, Sampling } from './driver.js';

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

const SAMPLING_FIELDS: ReadonlyArray<keyof Sampling> = ['temperature', 'topK', 'topP', 'minP', 'repeatPenalty', 'presencePenalty', 'frequencyPenalty', 'seed'];

/**
 * `request.sampling`, checked: every field a finite number. Since framework 0.2.0 the field is
 * required (DRIVERS.md "Migrating from 0.1"); a request without it — a driver test written for
 * 0.1 — is a ContractError naming the field, never a TypeError from reading `.temperature` of
 * undefined. The framework's wire helpers below call it; a driver that reads the fields itself
 * calls it first.
 */
export function requestSampling(request: Pick<GenerationRequest, 'sampling'> | undefined): Sampling {
  return checkedSampling(request?.sampling, 'GenerationRequest.sampling');
}

function checkedSampling(sampling: unknown, field: string): Sampling {
  if (sampling === undefined || sampling === null) {
    throw new ContractError(field, 'is missing: every generate() request carries the sampling to send (framework ≥ 0.2.0)', [
      "Pass the suite's sampling: `sampling: SUITE_SAMPLING` (import { SUITE_SAMPLING } from '@llm-speed/framework'); see DRIVERS.md, \"Migrating from 0.1\".",
    ]);
  }
  if (typeof sampling !== 'object') throw new ContractError(field, `must be an object, not ${typeof sampling}`);
  const bad = SAMPLING_FIELDS.filter((k) => typeof (sampling as Record<string, unknown>)[k] !== 'number' || !Number.isFinite((sampling as Record<string, number>)[k]));
  if (bad.length > 0) throw new ContractError(`${field}.${bad[0]}`, `must be a finite number (missing or wrong: ${bad.join(', ')})`, ['Send SUITE_SAMPLING, or a copy of it with every field set.']);
  return sampling as Sampling;
}

/**
 * OpenAI-compatible request fields. The OpenAI API itself knows temperature, top_p, seed and the
 * two penalties, and rejects fields it does not know; servers that extend it (vLLM, llama-server,
 * mlx_lm.server, OpenRouter, Together, Fireworks) also take top_k, min_p and repetition_penalty.
 */
export function openAiSamplingFields(sampling: Sampling, dialect: 'openai' | 'extended' = 'extended'): Record<string, number> {
  const s = checkedSampling(sampling, 'GenerationRequest.sampling');
  const base = { temperature: s.temperature, top_p: s.topP, seed: s.seed, presence_penalty: s.presencePenalty, frequency_penalty: s.frequencyPenalty };
  return dialect === 'openai' ? base : { ...base, top_k: s.topK, min_p: s.minP, repetition_penalty: s.repeatPenalty };
}

/** llama-server's native /completion fields (tools/server/README.md, "POST /completion"). */
export function llamaCppSamplingFields(sampling: Sampling): Record<string, number> {
  const s = checkedSampling(sampling, 'GenerationRequest.sampling');
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

/**
 * llama-server's own request fields — its native /completion and its OpenAI-compatible /v1
 * endpoints read the same parameters (tools/server/README.md, "POST /completion"; "/v1/completions"
 * and "/v1/chat/completions" accept "all llama.cpp-specific parameters" too): the sampling as
 * llama.cpp spells it (`repeat_penalty`, not `repetition_penalty`, which it ignores in silence), and
 * for greedy decoding a sampler chain of top-k alone. llama-server's default chain runs penalties,
 * DRY, top-n-sigma, top-k, typical-p, top-p, min-p, XTC and temperature on every token; with top-k 1
 * the others have one candidate left and change nothing, but still run.
 */
export function llamaServerSamplingFields(sampling: Sampling): Record<string, unknown> {
  const fields = llamaCppSamplingFields(sampling);
  return sampling.topK === 1 ? { ...fields, samplers: ['top_k'] } : fields;
}

/**
 * The API families a driver speaks, for "what greedy means on the wire" (METHODOLOGY §3.4.1):
 * - `llama-server`: llama.cpp's server, native or OpenAI-compatible endpoint (its own fields, above);
 * - `openai-extended`: an OpenAI-compatible server that takes top_k/min_p/repetition_penalty (vLLM, SGLang, mlx_lm.server, OpenRouter);
 * - `openai`: the OpenAI API itself, which rejects the extended fields;
 * - `ollama`: Ollama's `options`;
 * - `anthropic`: the Messages API (temperature and top_k; no seed; top_p refused beside temperature by newer models);
 * - `runner`: the Python runners' `sampling` object (mlx-lm, exllamav2).
 */
export type SamplingWire = 'llama-server' | 'openai-extended' | 'openai' | 'ollama' | 'anthropic' | 'runner';

export const SAMPLING_WIRES: readonly SamplingWire[] = ['llama-server', 'openai-extended', 'openai', 'ollama', 'anthropic', 'runner'];

/** What a generation request on one wire carries for `sampling`: dotted body paths and their values, and paths it must not carry. */
export interface SamplingOnTheWire {
  fields: Record<string, unknown>;
  absent: string[];
}

function prefixed(prefix: string, fields: Record<string, unknown>): Record<string, unknown> {
  return Object.fromEntries(Object.entries(fields).map(([k, v]) => [`${prefix}.${k}`, v]));
}

/**
 * The fields each wire gets for the suite's sampling, as the bundled drivers send them and the
 * contract suite checks them (`backend.wire`). One definition, so METHODOLOGY's table, the drivers
 * and the check cannot drift apart.
 */
export function samplingOnTheWire(wire: SamplingWire, sampling: Sampling): SamplingOnTheWire {
  const s = checkedSampling(sampling, 'GenerationRequest.sampling');
  switch (wire) {
    case 'llama-server':
      return { fields: llamaServerSamplingFields(s), absent: ['repetition_penalty'] };
    case 'openai-extended':
      return { fields: openAiSamplingFields(s, 'extended'), absent: [] };
    case 'openai':
      return { fields: openAiSamplingFields(s, 'openai'), absent: ['top_k', 'min_p', 'repetition_penalty'] };
    case 'ollama':
      return { fields: prefixed('options', ollamaSamplingOptions(s)), absent: [] };
    case 'anthropic':
      return { fields: { temperature: s.temperature, top_k: s.topK }, absent: ['top_p', 'seed'] };
    case 'runner':
      return { fields: prefixed('sampling', runnerSamplingFields(s)), absent: [] };
  }
}
