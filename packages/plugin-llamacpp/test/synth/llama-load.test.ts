import assert from 'node:assert/strict';
import type { Token } from 'node-llama-cpp';
import { tinyModel } from './shared-cache.js';

/**
 * The key proof: real llama.cpp (node-llama-cpp's prebuilt CPU build) loads the synthetic models,
 * tokenizes with their vocabulary and generates tokens whose probabilities are finite.
 */
describe('synthetic model in real llama.cpp', function () {
  this.timeout(180_000);
  let nlc: typeof import('node-llama-cpp') | undefined;
  let llama: Awaited<ReturnType<(typeof import('node-llama-cpp'))['getLlama']>> | undefined;

  before(async function () {
    try {
      nlc = await import('node-llama-cpp');
    } catch {
      this.skip(); // optional dependency not installed: nothing to run against
    }
    llama = await nlc!.getLlama({ gpu: false, build: 'never', logLevel: nlc!.LlamaLogLevel.error });
  });

  after(async () => {
    await llama?.dispose();
  });

  for (const quant of ['F16', 'Q4_0'] as const) {
    it(`tiny ${quant} loads and generates 16 tokens with finite probabilities`, async () => {
      const model = await llama!.loadModel({ modelPath: await tinyModel(quant) });
      try {
        assert.equal(model.fileInfo.metadata.general.architecture, 'llama');
        const context = await model.createContext({ contextSize: 256, threads: 2 });
        try {
          const prompt = model.tokenize('The quick brown fox jumps over the lazy dog, and then it rests.');
          // A real 32k SentencePiece vocabulary: whole words are single tokens, so this is ~15 tokens, not ~60 characters.
          assert.ok(prompt.length >= 10 && prompt.length <= 20, `prompt tokens: ${prompt.length}`);
          const sequence = context.getSequence();
          const tokens: Token[] = [];
          for await (const step of sequence.evaluateWithMetadata(prompt, { probabilities: true }, { temperature: 0 })) {
            assert.ok(step.token >= 0 && step.token < 32000, `token id ${step.token}`);
            const probabilities = [...step.probabilities.values()];
            assert.ok(probabilities.length > 0);
            assert.ok(
              probabilities.every((p) => Number.isFinite(p) && p >= 0 && p <= 1),
              'finite probabilities',
            );
            tokens.push(step.token);
            if (tokens.length >= 16) break;
          }
          assert.equal(tokens.length, 16);
          assert.ok(model.detokenize(tokens).length > 0);
        } finally {
          await context.dispose();
        }
      } finally {
        await model.dispose();
      }
    });
  }
});
