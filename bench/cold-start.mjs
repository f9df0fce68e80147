#!/usr/bin/env node
// Does W1 on a llama-server llm-speed has just started read the same as on one that has been
// running? (issue 13 finding 6; METHODOLOGY §3.4). Prints W1's prefill and decode by llama-server's
// OWN timers (prompt_per_second, predicted_per_second) for:
//   spawned  — llm-speed starts the server and runs W1 (its warm-up included), as `bench` does;
//   attached — a server that has already served requests, llm-speed attached to it;
//   cold     — W1's request sent as the very first request of a fresh server, no warm-up: what
//              W1 read before the warm-up existed.
// spawned ÷ attached should be about 1; cold ÷ attached shows what the warm-up keeps out.
// Run after `npm run build`: node bench/cold-start.mjs [rounds=3]
// Env: LLM_SPEED_BENCH_QUANT (default F16), LLM_SPEED_TEST_CACHE_DIR.
import { execFileSync } from 'node:child_process';
import { availableParallelism, tmpdir } from 'node:os';
import { join } from 'node:path';
import { ensureSynthModel } from '../packages/plugin-llamacpp/dist/synth/index.js';
import { spawnServer } from '../packages/plugin-llamacpp/dist/server/spawn.js';
import { streamCompletion } from '../packages/plugin-llamacpp/dist/server/completion.js';
import { llamaCppDriver } from '../packages/plugin-llamacpp/dist/driver.js';
import { loadSuite, runWorkload, suitePlans, SUITE_SAMPLING } from '../packages/framework/dist/index.js';

const rounds = Number(process.argv[2] ?? 3);
const quant = process.env.LLM_SPEED_BENCH_QUANT ?? 'F16';
const cacheDir = process.env.LLM_SPEED_TEST_CACHE_DIR ?? join(tmpdir(), 'llm-speed-test-cache');
const binDir = execFileSync('bash', ['scripts/build-llama-server.sh'], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'inherit'] })
  .trim()
  .split('\n')
  .pop();
const model = await ensureSynthModel({ size: 'tiny', quant, cacheDir, log: () => {} });
const w1 = suitePlans(loadSuite('suite-v1'), ['W1'])[0];
const ctx = (config) => ({ config, cacheDir, env: { PATH: '' }, signal: new AbortController().signal, log: () => {} });
const runCtx = (session) => ({ suiteVersion: 'suite-v1', suiteDigest: '0'.repeat(64), backend: 'llama.cpp', session, signal: new AbortController().signal });
const own = (r) => ({ prompt: r.extras.prompt_per_second, decode: r.extras.predicted_per_second });
const startServer = () => spawnServer({ binary: join(binDir, 'llama-server'), model, contextTokens: 1024, parallel: 1, threads: availableParallelism(), signal: new AbortController().signal });

async function spawned() {
  const session = await llamaCppDriver.open(model, { contextTokens: 1024, parallel: 1 }, ctx({ llama_cpp_path: binDir }));
  try {
    await session.prepare?.({ contextTokens: 1024, parallel: 1 });
    return own(await runWorkload(runCtx(session), w1));
  } finally {
    await session.close();
  }
}

async function attached() {
  const server = await startServer();
  try {
    // A server that has been in use: a few earlier requests (other prompts).
    for (let i = 0; i < 3; i++)
      for await (const _ of streamCompletion(server.baseUrl, {
        prompt: `Earlier request ${i}: describe a harbour at dawn.`,
        maxTokens: 64,
        cachePrompt: false,
        sampling: SUITE_SAMPLING,
        signal: new AbortController().signal,
      }));
    const session = await llamaCppDriver.open(undefined, { contextTokens: 1024, parallel: 1 }, ctx({ llama_cpp_url: server.baseUrl }));
    return own(await runWorkload(runCtx(session), w1));
  } finally {
    await server.stop();
  }
}

async function cold() {
  const server = await startServer();
  try {
    let timings;
    for await (const e of streamCompletion(server.baseUrl, { prompt: w1.prompt, maxTokens: w1.outputTokens, cachePrompt: false, sampling: SUITE_SAMPLING, signal: new AbortController().signal }))
      if (e.type === 'done') timings = e.extras;
    return { prompt: timings.prompt_per_second, decode: timings.predicted_per_second };
  } finally {
    await server.stop();
  }
}

const seen = { spawned: [], attached: [], cold: [] };
for (let round = 0; round < rounds; round++) {
  for (const [name, fn] of Object.entries({ spawned, attached, cold })) {
    const r = await fn();
    seen[name].push(r);
    console.log(`round ${round + 1} ${name.padEnd(8)}: llama-server prompt ${r.prompt.toFixed(1)} tok/s, decode ${r.decode.toFixed(1)} tok/s`);
  }
}
const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
const m = (name, key) => median(seen[name].map((r) => r[key]));
console.log(`\nW1 on synthetic tiny ${quant}, medians of ${rounds} rounds, llama-server's own timers:`);
console.log(
  `prefill: spawned ${m('spawned', 'prompt').toFixed(1)}, attached ${m('attached', 'prompt').toFixed(1)}, cold ${m('cold', 'prompt').toFixed(1)} tok/s; spawned ÷ attached ${(m('spawned', 'prompt') / m('attached', 'prompt')).toFixed(3)}, cold ÷ attached ${(m('cold', 'prompt') / m('attached', 'prompt')).toFixed(3)}`,
);
console.log(
  `decode:  spawned ${m('spawned', 'decode').toFixed(1)}, attached ${m('attached', 'decode').toFixed(1)}, cold ${m('cold', 'decode').toFixed(1)} tok/s; spawned ÷ attached ${(m('spawned', 'decode') / m('attached', 'decode')).toFixed(3)}`,
);
