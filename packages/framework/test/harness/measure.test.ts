/**
 * recordGeneration (harness/measure.ts): what one generation's event stream leaves in the record,
 * with events whose times are chosen by hand. The runner tests take it from there.
 */
import assert from 'node:assert/strict';
import type { DriverSession, GenerationEvent, GenerationRequest } from '../../src/contract/driver.js';
import { SUITE_SAMPLING } from '../../src/contract/sampling.js';
import { metricsOf, outputTokensOf, recordGeneration, tokenCountsOf } from '../../src/harness/measure.js';

function sessionOf(events: GenerationEvent[] | (() => AsyncGenerator<GenerationEvent>)): DriverSession {
  return {
    model: { identifier: 'm', name: 'm' },
    backendVersion: '1',
    capabilities: { streaming: true, true_concurrency: false, prefix_cache_stats: false, exact_output_length: true },
    extras: {},
    generate:
      typeof events === 'function'
        ? events
        : async function* () {
            yield* events;
          },
    close: async () => undefined,
  };
}
const request: GenerationRequest = { prompt: 'x', maxTokens: 4, cachePrompt: false, sampling: SUITE_SAMPLING, signal: new AbortController().signal };

describe('recordGeneration', () => {
  it('keeps what an earlier usage event said when a later one leaves it out', async () => {
    const timings = { promptTokens: 100, promptMs: 10, decodeTokens: 3, decodeMs: 30 };
    const record = await recordGeneration(
      sessionOf([
        { type: 'tokens', t: 20, count: 1 },
        { type: 'usage', promptTokens: 100, outputTokens: 4, cachedPromptTokens: 60, countedBy: 'tokenizer', promptReuse: true, backendTimings: timings },
        { type: 'tokens', t: 50, count: 3 },
        { type: 'usage' } as GenerationEvent,
        { type: 'done', t: 51, stopReason: 'length', extras: { slot: 1 } },
      ]),
      request,
      { clock: () => 0 },
    );
    assert.deepEqual(
      { p: record.promptTokens, o: record.outputTokens, c: record.cachedPromptTokens, by: record.countedBy, reuse: record.promptReuse, b: record.backendTimings },
      { p: 100, o: 4, c: 60, by: 'tokenizer', reuse: true, b: timings },
    );
    assert.equal(record.arrivedTokens, 4);
    assert.equal(tokenCountsOf(record), 'tokenizer');
    assert.deepEqual(record.extras, { slot: 1 });
  });

  it("ends at the backend's done event, not when the harness got round to it; a 'sent' after the first token changes nothing", async () => {
    let now = 0;
    const record = await recordGeneration(
      sessionOf(async function* () {
        yield { type: 'sent', t: 5 };
        yield { type: 'tokens', t: 25, count: 1 };
        yield { type: 'sent', t: 24 };
        yield { type: 'tokens', t: 35, count: 1 };
        now = 1_000; // the consumer was slow to read the end of the stream
        yield { type: 'done', t: 40, stopReason: 'length' };
      }),
      request,
      { clock: () => now },
    );
    assert.equal(record.sentAt, 5);
    assert.equal(record.endedAt, 40);
    const m = metricsOf(record);
    assert.equal(m.ttft_ms, 20);
    assert.equal(m.wall_ms, 35);
  });

  it('a stream that breaks keeps what arrived, with the error, and ends when the harness saw it end', async () => {
    let now = 0;
    const record = await recordGeneration(
      sessionOf(async function* () {
        yield { type: 'tokens', t: 10, count: 2 };
        now = 70;
        throw new Error('connection reset');
      }),
      request,
      { clock: () => now },
    );
    assert.equal(record.error, 'connection reset');
    assert.equal(record.endedAt, 70);
    assert.equal(outputTokensOf(record), 2);
    assert.equal(tokenCountsOf(record), 'arrivals');
  });
});
