#!/usr/bin/env node
// W4 on the embedded engine (node-llama-cpp): does decoding the streams together beat serving them
// one after another? Runs the real W4 path — the embedded engine and the workload runner — on the
// synthetic model at batch 1, then batch 16 twice: with one sequence (streams one after another,
// what the driver ships) and with one sequence per stream (node-llama-cpp batches the sequences'
// decodes). Prints each batch's aggregate tok/s and the ratios. The driver's EMBEDDED_BATCHING
// (packages/plugin-llamacpp/src/driver.ts) should be on only where batched ÷ batch-1 is clearly
// above 1 on a quiet machine.
// Run after `npm run build`: node bench/embedded-batching.mjs [tokens-per-stream=256] [synth:tiny:F16]
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const tokens = Number(process.argv[2] ?? 256);
const [, size = 'tiny', quant = 'F16'] = (process.argv[3] ?? 'synth:tiny:F16').split(':');
const { runWorkload } = await import('../packages/framework/dist/harness/runner.js');
const { openEmbedded } = await import('../packages/plugin-llamacpp/dist/embedded/session.js');
const { ensureSynthModel } = await import('../packages/plugin-llamacpp/dist/synth/index.js');

const abort = new AbortController();
const cacheDir = process.env.LLM_SPEED_TEST_CACHE_DIR ?? mkdtempSync(join(tmpdir(), 'llm-speed-bench-'));
const model = await ensureSynthModel({ size, quant, cacheDir, log: (l) => console.error(l) });
const prompt = (s, b) => `Stream ${s} of ${b}. ${'The committee reviewed the annual budget and the hiring plan. '.repeat(8)}`;

async function aggregate(batch, batching) {
  const engine = await openEmbedded(model, { contextTokens: 1024, parallel: batch, batching });
  try {
    const session = {
      model: { identifier: 'synth', name: 'synth' },
      backendVersion: engine.version,
      capabilities: { streaming: true, true_concurrency: batching, prefix_cache_stats: true, exact_output_length: true },
      extras: {},
      generate: (r) => engine.generate(r),
      close: async () => {},
    };
    const plan = { id: 'W4', name: 'concurrent-decode', kind: 'concurrent', batchSizes: [batch], outputTokens: tokens, promptForStream: prompt };
    const result = await runWorkload({ suiteVersion: 'suite-v1', suiteDigest: '0'.repeat(64), backend: 'llama.cpp', session, signal: abort.signal }, plan);
    if (result.error) throw new Error(result.error);
    const point = result.batches[0];
    console.log(
      `batch ${String(batch).padStart(2)} ${batching ? 'batched (one sequence per stream)' : 'serial (one sequence)          '}: aggregate ${point.aggregate_tps} tok/s, per stream ${point.per_stream_tps} tok/s`,
    );
    return point.aggregate_tps;
  } finally {
    await engine.close();
  }
}

const one = await aggregate(1, false);
const serial = await aggregate(16, false);
const batched = await aggregate(16, true);
console.log(`batch-16 batched ÷ batch-1: ${(batched / one).toFixed(2)}; batch-16 serial ÷ batch-1: ${(serial / one).toFixed(2)}; batched ÷ serial: ${(batched / serial).toFixed(2)}`);
