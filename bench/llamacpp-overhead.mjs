// llama.cpp driver overhead (issue 8 "Done when"). Run from the repo root:
//   node --conditions development --import tsx bench/llamacpp-overhead.mjs [model.gguf]
// Prints: client decode tok/s ÷ llama-server predicted_per_second (target ≥ 0.98),
// W1-shaped client decode tok/s ÷ llama-bench -n 256 tg (target ≥ 0.97), embedded ÷ llama-bench (goal ≥ 0.9).
// Client decode tok/s = (N−1) / (t_last − t_first) × 1000, N tokens, t = arrival times (as the harness).
import { execFileSync } from 'node:child_process';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { llamaCppDriver } from '../packages/plugin-llamacpp/src/driver.ts';
import { ensureSynthModel } from '../packages/plugin-llamacpp/src/synth/index.ts';

const bin = execFileSync('bash', ['scripts/build-llama-server.sh'], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'inherit'] }).trim().split('\n').pop();
const cacheDir = process.env.LLM_SPEED_TEST_CACHE ?? join(tmpdir(), 'llm-speed-test-cache');
const model = process.argv[2] ?? (await ensureSynthModel({ size: 'tiny', quant: 'Q8_0', cacheDir }));
const N = 256;
const prompt = Array.from({ length: 100 }, (_, i) => `word${i}`).join(' ');
const ctx = (config) => ({ config, cacheDir, env: { PATH: '' }, signal: new AbortController().signal, log: () => {} });

async function measure(session) {
  const times = [];
  let extras;
  for await (const e of session.generate({ prompt, maxTokens: N, cachePrompt: false, signal: new AbortController().signal })) {
    if (e.type === 'tokens') for (let i = 0; i < e.count; i++) times.push(e.t);
    if (e.type === 'done') extras = e.extras;
  }
  return { tps: ((times.length - 1) / (times.at(-1) - times[0])) * 1000, extras, n: times.length };
}

async function best(session, runs = 3) {
  await measure(session); // warm-up
  let top;
  for (let i = 0; i < runs; i++) {
    const r = await measure(session);
    if (!top || r.tps > top.tps) top = r;
  }
  return top;
}

const bench = JSON.parse(execFileSync(join(bin, 'llama-bench'), ['-m', model, '-p', '0', '-n', String(N), '-r', '3', '-o', 'json'], { encoding: 'utf8' }));
const tg = bench.find((r) => r.n_gen === N).avg_ts;
const benchThreads = bench[0].n_threads;

const server = await llamaCppDriver.open(model, { contextTokens: 512, parallel: 1 }, ctx({ llama_cpp_path: bin }));
const s = await best(server);
await server.close();

const embedded = await llamaCppDriver.open(model, { contextTokens: 512, parallel: 1 }, ctx({}));
const e = await best(embedded);
await embedded.close();

const fmt = (x) => x.toFixed(1);
console.log(`model ${model}`);
console.log(`llama-bench tg${N}: ${fmt(tg)} tok/s (threads ${benchThreads})`);
console.log(`server client decode: ${fmt(s.tps)} tok/s, server predicted_per_second ${fmt(s.extras.predicted_per_second)}; ratio ${(s.tps / s.extras.predicted_per_second).toFixed(3)} (target ≥ 0.98)`);
console.log(`server client decode ÷ llama-bench tg: ${(s.tps / tg).toFixed(3)} (target ≥ 0.97)`);
console.log(`embedded decode (threads ${embedded.extras.threads}, greedy): ${fmt(e.tps)} tok/s; ÷ llama-bench tg: ${(e.tps / tg).toFixed(3)} (goal ≥ 0.9)`);
