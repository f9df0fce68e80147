/**
 * Every kind of llama.cpp session reports the model's shape for the bandwidth roofline
 * (METHODOLOGY §13.4): a spawned llama-server, the same server attached by URL (the shape is read
 * from the model file its /props names), and the embedded engine. The synthetic tiny Q8_0 model
 * (synth/shapes.ts: 4 layers, width 256, FFN 768, 4 heads of 64, 2 KV heads, 32,000 tokens, output
 * not tied; Q8_0 = 34 bytes per 32 weights, norms F32 — per the synthesiser's tensor types):
 * a layer's seven matrices hold 65,536 + 2 × 32,768 + 65,536 + 3 × 196,608 = 786,432 weights =
 * 835,584 B, plus two norms of 256 × 4 B: 837,632 B; four layers 3,350,528 B; plus the output norm
 * 1,024 B, the output matrix 8,192,000 weights = 8,704,000 B and one embedding row 256 weights =
 * 272 B: 12,055,824 bytes a token. KV: 4 × 2 × (64 + 64) × 2 = 2,048 bytes per token of context.
 */
import assert from 'node:assert/strict';
import { llamaCppDriver } from '../../src/driver.js';
import { spawnServer } from '../../src/server/spawn.js';
import { llamaBinDir, makeContext, tinyModel } from './helpers.js';
import { join } from 'node:path';

const EXPECTED = { weightBytesPerToken: 12_055_824, kvBytesPerContextToken: 2048, kvElementBytes: 2, source: 'gguf' };

describe('llama.cpp sessions report the model shape', function () {
  this.timeout(5 * 60_000);

  it('spawned, attached and embedded', async () => {
    const model = await tinyModel();
    const spawned = await llamaCppDriver.open(model, { contextTokens: 256, parallel: 1 }, makeContext({ llama_cpp_path: llamaBinDir() }));
    try {
      assert.deepEqual(spawned.modelShape, EXPECTED);
    } finally {
      await spawned.close();
    }
    const server = await spawnServer({ binary: join(llamaBinDir(), 'llama-server'), model, contextTokens: 256, parallel: 1, signal: new AbortController().signal });
    try {
      const attached = await llamaCppDriver.open(undefined, { contextTokens: 256, parallel: 1 }, makeContext({ llama_cpp_url: server.baseUrl }));
      assert.deepEqual(attached.modelShape, EXPECTED);
      await attached.close();
    } finally {
      await server.stop();
    }
    const embedded = await llamaCppDriver.open(model, { contextTokens: 256, parallel: 1 }, makeContext({}));
    try {
      assert.deepEqual(embedded.modelShape, EXPECTED);
    } finally {
      await embedded.close();
    }
  });
});
