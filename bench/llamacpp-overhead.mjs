#!/usr/bin/env node
/**
 * How much the llama.cpp driver costs on top of llama.cpp itself (issue 8). Run after `npm run build`.
 *   (1) client decode tok/s ÷ llama-server's own predicted_per_second, same request (target ≥ 0.98)
 *   (2) W1-shaped decode tok/s (~128-token prompt, 256 tokens) ÷ llama-bench -n 256 -p 0 tg (target ≥ 0.97)
 *   (3) embedded engine decode tok/s ÷ that llama-bench figure (goal ≥ 0.9)
 * Client decode tok/s = (N−1)/(t_last − t_first)·1000 over token arrival times, as the harness computes it.
 * Env: LLM_SPEED_BENCH_THREADS (default 2), LLM_SPEED_BENCH_QUANT (default F16), LLM_SPEED_TEST_CACHE_DIR.
 */
import { execFileSync } from 'node:child_process';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ensureSynthModel } from '../packages/plugin-llamacpp/dist/synth/index.js';
import { spawnServer } from '../packages/plugin-llamacpp/dist/server/spawn.js';
import { streamCompletion } from '../packages/plugin-llamacpp/dist/server/completion.js';
import { openEmbedded } from '../packages/plugin-llamacpp/dist/embedded/session.js';

const threads = Number(process.env.LLM_SPEED_BENCH_THREADS ?? 2);
const quant = process.env.LLM_SPEED_BENCH_QUANT ?? 'F16';
const cacheDir = process.env.LLM_SPEED_TEST_CACHE_DIR ?? join(tmpdir(), 'llm-speed-test-cache');
const N = 256;
const REPEATS = 3;
const binDir = execFileSync('bash', ['scripts/build-llama-server.sh'], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'inherit'] }).trim().split('\n').pop();
const model = await ensureSynthModel({ size: 'tiny', quant, cacheDir, log: () => {} });
// About 128 tokens of ordinary English (the tiny model's vocabulary is a real 32k tokenizer).
const prompt = 'The quick brown fox jumps over the lazy dog while the committee reviews the annual budget report. '.repeat(7);

async function decode(events) {
  const times = [];
  let done;
  for await (const e of events) {
    if (e.type === 'tokens') for (let i = 0; i < e.count; i++) times.push(e.t);
    if (e.type === 'done') done = e;
  }
  const rate = ((times.length - 1) / (times[times.length - 1] - times[0])) * 1000;
  return { rate, n: times.length, done };
}
const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
const fmt = (x) => x.toFixed(1);

// llama-bench reference: tg256, no prompt, same threads.
const benchJson = execFileSync(join(binDir, 'llama-bench'), ['-m', model, '-n', String(N), '-p', '0', '-t', String(threads), '-o', 'json'], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] });
const benchTg = JSON.parse(benchJson).find((r) => r.n_gen === N).avg_ts;

// (1) and (2): one spawned server, the W1-shaped request repeated; ratio per request then median.
const abort = new AbortController();
const server = await spawnServer({ binary: join(binDir, 'llama-server'), model, contextTokens: 1024, parallel: 1, threads, extraArgs: (process.env.LLM_SPEED_BENCH_SERVER_ARGS ?? '').split(' ').filter(Boolean), signal: abort.signal });
const client = [];
const ratios = [];
let warmed = false;
try {
  for (let i = 0; i < REPEATS + 1; i++) {
    const r = await decode(streamCompletion(server.baseUrl, { prompt, maxTokens: N, cachePrompt: false, signal: abort.signal }));
    if (!warmed) { warmed = true; continue; }
    if (r.n !== N) throw new Error(`expected ${N} tokens, got ${r.n}`);
    client.push(r.rate);
    ratios.push(r.rate / r.done.extras.predicted_per_second);
  }
} finally {
  await server.stop();
}

// (3): embedded engine, same prompt and length, same thread count and 1 thread; best reported.
const embedded = {};
for (const t of [1, threads]) {
  const engine = await openEmbedded(model, { contextTokens: 1024, threads: t });
  const rates = [];
  try {
    for (let i = 0; i < REPEATS + 1; i++) {
      const r = await decode(engine.generate({ prompt, maxTokens: N, cachePrompt: false, signal: new AbortController().signal }));
      if (i > 0) rates.push(r.rate);
    }
  } finally {
    await engine.close();
  }
  embedded[t] = median(rates);
}

console.log(`model: ${model} (synthetic tiny ${quant}), threads ${threads}, ${N} output tokens, median of ${REPEATS}`);
console.log(`llama-bench tg${N} -p 0 -t ${threads}:             ${fmt(benchTg)} tok/s`);
console.log(`(1) client ÷ server predicted_per_second:   ${median(ratios).toFixed(3)}  (target ≥ 0.98)`);
console.log(`(2) W1-shaped client decode:                ${fmt(median(client))} tok/s ÷ llama-bench = ${(median(client) / benchTg).toFixed(3)}  (target ≥ 0.97)`);
for (const [t, rate] of Object.entries(embedded)) console.log(`(3) embedded decode, threads ${t}:             ${fmt(rate)} tok/s ÷ llama-bench = ${(rate / benchTg).toFixed(3)}  (goal ≥ 0.9)`);
