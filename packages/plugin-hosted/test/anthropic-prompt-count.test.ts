/**
 * Anthropic's prompt count when the request writes the prompt cache (issue 27, row 5). Wire format:
 * Anthropic docs, "Prompt caching → Tracking cache performance": `input_tokens` counts only the
 * tokens after the last cache breakpoint; `cache_creation_input_tokens` the tokens written to the
 * cache by this request and `cache_read_input_tokens` those read from it; the whole prompt is the
 * sum of the three. "Extended thinking → streaming": thinking arrives as `thinking_delta` events
 * before the text. The transcript (fixtures/anthropic-cache-write.sse) is a first request with a
 * cache breakpoint: 1500 tokens written, 21 after the breakpoint, nothing read.
 */
import { SUITE_SAMPLING, type DriverContext, type GenerationEvent } from '@llm-speed/framework';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { startReplayServer, sseChunks, sseResponse, type ReplayServer } from '@llm-speed/framework/testing';
import { hostedDriver } from '../src/index.js';

const transcript = readFileSync(new URL('./fixtures/anthropic-cache-write.sse', import.meta.url), 'utf8');

describe('hosted-api driver: Anthropic prompt tokens with a cache write', () => {
  let server: ReplayServer | undefined;
  afterEach(async () => {
    await server?.close();
    server = undefined;
  });

  it('the prompt is input + cache write + cache read tokens; thinking counts as output arriving', async () => {
    server = await startReplayServer([{ method: 'POST', path: '/v1/messages', response: sseResponse(sseChunks(transcript)) }]);
    const context: DriverContext = {
      config: {},
      cacheDir: tmpdir(),
      env: { ANTHROPIC_API_KEY: 'sk-ant-test-key', LLM_SPEED_HOSTED_BASE_URL_ANTHROPIC: server.url },
      signal: new AbortController().signal,
      log: () => {},
    };
    const session = await hostedDriver.open('anthropic:claude-sonnet-4-5', { contextTokens: 4096, parallel: 1 }, context);
    const events: GenerationEvent[] = [];
    for await (const e of session.generate({ prompt: 'Count', maxTokens: 8, cachePrompt: true, sampling: SUITE_SAMPLING, signal: new AbortController().signal })) events.push(e);
    // 21 after the breakpoint + 1500 written to the cache + 0 read = 1521 prompt tokens, none of
    // them served from the cache (a write is processed in full: it is prefill work).
    assert.deepEqual(
      events.find((e) => e.type === 'usage'),
      { type: 'usage', promptTokens: 1521, outputTokens: 8, cachedPromptTokens: 0 },
    );
    // One thinking delta and two text deltas: three arrivals, the first one the thinking.
    assert.equal(events.filter((e) => e.type === 'tokens').length, 3);
    assert.equal(events.at(-1)?.type, 'done');
  });
});
