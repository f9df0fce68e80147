#!/usr/bin/env node
/**
 * How llm-speed's llama.cpp figures relate to llama.cpp's own (issue 8, issue 13 §7; METHODOLOGY §8).
 * Run after `npm run build`. On a spawned llama-server, after the harness's warm-up:
 *   (1) client decode tok/s ÷ llama-server's own predicted_per_second, same request (target ≥ 0.98)
 *   (2) W1 (the suite's prompt, 256 tokens) decode ÷ llama-bench tg256 at W1's depth
 *       (-p 0 -n 256 -d <W1 prompt tokens>), and ÷ plain tg256 (-d 0)
 *   (3) W2 (the suite's ~4k-token prompt, 1,024 tokens) decode ÷ llama-bench tg1024 at W2's depth
 *       (-p 0 -n 1024 -d <W2 prompt tokens>), and ÷ plain tg1024: only the depth-matched run compares
 *   (4) embedded engine W1 decode ÷ the depth-matched llama-bench figure (goal ≥ 0.9)
 * Client decode tok/s = (N−1)/(t_last − t_first)·1000 over token arrival times, as the harness computes it.
 * Env: LLM_SPEED_BENCH_THREADS (default 2), LLM_SPEED_BENCH_QUANT (default F16), LLM_SPEED_TEST_CACHE_DIR,
 *      LLM_SPEED_BENCH_REPEATS (default 3).
 */
import { execFileSync } from 'node:child_process';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ensureSynthModel } from '../packages/plugin-llamacpp/dist/synth/index.js';
import { spawnServer } from '../packages/plugin-llamacpp/dist/server/spawn.js';
import { streamCompletion } from '../packages/plugin-llamacpp/dist/server/completion.js';
import { openEmbedded } from '../packages/plugin-llamacpp/dist/embedded/session.js';
import { loadSuite, suitePlans, SUITE_SAMPLING, WARMUP_PROMPT, WARMUP_TOKENS } from '../packages/framework/dist/index.js';

const threads = Number(process.env.LLM_SPEED_BENCH_THREADS ?? 2);
const quant = process.env.LLM_SPEED_BENCH_QUANT ?? 'F16';
const repeats = Number(process.env.LLM_SPEED_BENCH_REPEATS ?? 3);
const cacheDir = process.env.LLM_SPEED_TEST_CACHE_DIR ?? join(tmpdir(), 'llm-speed-test-cache');
const binDir = execFileSync('bash', ['scripts/build-llama-server.sh'], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'inherit'] })
  .trim()
  .split('\n')
  .pop();
const model = await ensureSynthModel({ size: 'tiny', quant, cacheDir, log: () => {} });
const [w1, w2] = suitePlans(loadSuite('suite-v1'), ['W1', 'W2']);

async function decode(events) {
  const times = [];
  let done;
  let usage;
  for await (const e of events) {
    if (e.type === 'tokens') for (let i = 0; i < e.count; i++) times.push(e.t);
    if (e.type === 'usage') usage = e;
    if (e.type === 'done') done = e;
  }
  const rate = ((times.length - 1) / (times[times.length - 1] - times[0])) * 1000;
  return { rate, n: times.length, done, usage };
}
const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
const fmt = (x) => x.toFixed(1);
const request = (prompt, maxTokens) => ({ prompt, maxTokens, cachePrompt: false, sampling: SUITE_SAMPLING, signal: new AbortController().signal });

/** llama-bench's tg<n> at a given depth: n tokens decoded after `depth` tokens already in the cache. */
function llamaBench(n, depth) {
  const json = execFileSync(join(binDir, 'llama-bench'), ['-m', model, '-p', '0', '-n', String(n), '-d', String(depth), '-t', String(threads), '-r', String(repeats), '-o', 'json'], {
    encoding: 'utf8',
    stdio: ['ignore', 'pipe', 'ignore'],
  });
  return JSON.parse(json).find((r) => r.n_gen === n).avg_ts;
}

// (1)–(3): one spawned server; the harness's warm-up first, then each workload's request repeated.
const server = await spawnServer({ binary: join(binDir, 'llama-server'), model, contextTokens: 6144, parallel: 1, threads, signal: new AbortController().signal });
const measured = {};
try {
  await decode(streamCompletion(server.baseUrl, request(WARMUP_PROMPT, WARMUP_TOKENS)));
  for (const w of [w1, w2]) {
    const rates = [];
    const ratios = [];
    let promptTokens;
    for (let i = 0; i < repeats; i++) {
      const r = await decode(streamCompletion(server.baseUrl, request(w.prompt, w.outputTokens)));
      if (r.n !== w.outputTokens) throw new Error(`${w.id}: expected ${w.outputTokens} tokens, got ${r.n}`);
      rates.push(r.rate);
      ratios.push(r.rate / r.done.extras.predicted_per_second);
      promptTokens = r.usage.promptTokens;
    }
    measured[w.id] = { rate: median(rates), serverRatio: median(ratios), promptTokens };
  }
} finally {
  await server.stop();
}

// (4): the embedded engine, W1, one thread (the driver's setting).
const engine = await openEmbedded(model, { contextTokens: 1024, threads: 1 });
const embeddedRates = [];
try {
  await decode(engine.generate(request(WARMUP_PROMPT, WARMUP_TOKENS)));
  for (let i = 0; i < repeats; i++) embeddedRates.push((await decode(engine.generate(request(w1.prompt, w1.outputTokens)))).rate);
} finally {
  await engine.close();
}

const bench = {
  w1Depth: llamaBench(w1.outputTokens, measured.W1.promptTokens),
  w1Plain: llamaBench(w1.outputTokens, 0),
  w2Depth: llamaBench(w2.outputTokens, measured.W2.promptTokens),
  w2Plain: llamaBench(w2.outputTokens, 0),
};

console.log(`model: ${model} (synthetic tiny ${quant}), threads ${threads}, medians of ${repeats}`);
console.log(`(1) client ÷ llama-server predicted_per_second: W1 ${measured.W1.serverRatio.toFixed(3)}, W2 ${measured.W2.serverRatio.toFixed(3)}  (target ≥ 0.98)`);
console.log(
  `(2) W1 decode ${fmt(measured.W1.rate)} tok/s ÷ llama-bench tg${w1.outputTokens} at depth ${measured.W1.promptTokens} (${fmt(bench.w1Depth)}) = ${(measured.W1.rate / bench.w1Depth).toFixed(3)};  ÷ plain tg${w1.outputTokens} (${fmt(bench.w1Plain)}) = ${(measured.W1.rate / bench.w1Plain).toFixed(3)}`,
);
console.log(
  `(3) W2 decode ${fmt(measured.W2.rate)} tok/s ÷ llama-bench tg${w2.outputTokens} at depth ${measured.W2.promptTokens} (${fmt(bench.w2Depth)}) = ${(measured.W2.rate / bench.w2Depth).toFixed(3)};  ÷ plain tg${w2.outputTokens} (${fmt(bench.w2Plain)}) = ${(measured.W2.rate / bench.w2Plain).toFixed(3)}`,
);
console.log(`(4) embedded W1 decode, 1 thread: ${fmt(median(embeddedRates))} tok/s ÷ llama-bench at W1's depth = ${(median(embeddedRates) / bench.w1Depth).toFixed(3)}  (goal ≥ 0.9)`);
