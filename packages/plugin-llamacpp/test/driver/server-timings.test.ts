/**
 * llama-server's own timers, figure by figure (issue 27, row 6). The transcript follows llama-server's
 * README (tools/server, POST /completion with stream: true): `data:` events carrying `content` and,
 * with return_tokens, `tokens`; the last one has `stop: true`, `stop_type` and the `timings` object
 * (server_slot_stats::to_json: prompt_n tokens processed in prompt_ms, predicted_n in predicted_ms,
 * the per-second rates, cache_n reused from the prefix cache). Its figures are made consistent by
 * hand: 96 prompt tokens in 48 ms is 2000 tok/s; 3 decode steps in 37.5 ms is 80 tok/s.
 */
import assert from 'node:assert/strict';
import { SUITE_SAMPLING, type GenerationEvent } from '@llm-speed/framework';
import { startReplayServer, sseResponse, type ReplayServer } from '@llm-speed/framework/testing';
import { serverTimings, streamCompletion } from '../../src/server/completion.js';

const TIMINGS = {
  cache_n: 32,
  prompt_n: 96,
  prompt_ms: 48,
  prompt_per_token_ms: 0.5,
  prompt_per_second: 2000,
  predicted_n: 4,
  predicted_ms: 37.5,
  predicted_per_token_ms: 12.5,
  predicted_per_second: 80,
};
const TRANSCRIPT = [
  `data: ${JSON.stringify({ index: 0, content: ' one', tokens: [825], stop: false, id_slot: 0 })}\n\n`,
  `data: ${JSON.stringify({ index: 0, content: ' two', tokens: [1378], stop: false, id_slot: 0 })}\n\n`,
  `data: ${JSON.stringify({ index: 0, content: ' three four', tokens: [2326, 3040], stop: false, id_slot: 0 })}\n\n`,
  `data: ${JSON.stringify({ index: 0, content: '', tokens: [], stop: true, id_slot: 0, stop_type: 'limit', tokens_predicted: 4, tokens_evaluated: 128, timings: TIMINGS })}\n\n`,
];

describe('llama-server timings', () => {
  let server: ReplayServer | undefined;
  afterEach(async () => {
    await server?.close();
    server = undefined;
  });

  it('serverTimings: prompt time is prompt_ms, decode time predicted_ms, decode steps from the rate', () => {
    // Decode steps: 80 tok/s × 37.5 ms / 1000 = 3 (this llama.cpp counts predicted_n − 1 steps).
    assert.deepEqual(serverTimings(TIMINGS), { promptTokens: 96, promptMs: 48, decodeTokens: 3, decodeMs: 37.5 });
  });

  it('a streamed completion: its usage carries the prompt (processed + cached) and the timers that give 2000 and 80 tok/s', async () => {
    server = await startReplayServer([{ method: 'POST', path: '/completion', response: sseResponse(TRANSCRIPT) }]);
    const events: GenerationEvent[] = [];
    for await (const e of streamCompletion(server.url, { prompt: 'Count', maxTokens: 4, cachePrompt: true, sampling: SUITE_SAMPLING, signal: new AbortController().signal })) events.push(e);
    assert.deepEqual(
      events.filter((e) => e.type === 'tokens').map((e) => (e as { count: number }).count),
      [1, 1, 2],
    );
    const usage = events.find((e) => e.type === 'usage') as Extract<GenerationEvent, { type: 'usage' }>;
    // 96 processed + 32 from the cache = 128 prompt tokens, as tokens_evaluated says.
    assert.equal(usage.promptTokens, 128);
    assert.equal(usage.cachedPromptTokens, 32);
    assert.equal(usage.outputTokens, 4);
    const t = usage.backendTimings!;
    // The backend's prefill and decode rates, as the server itself reports them.
    assert.equal((t.promptTokens! / t.promptMs!) * 1000, TIMINGS.prompt_per_second);
    assert.equal((t.decodeTokens! / t.decodeMs!) * 1000, TIMINGS.predicted_per_second);
    const done = events.at(-1) as Extract<GenerationEvent, { type: 'done' }>;
    assert.equal(done.stopReason, 'length');
  });
});
