#!/usr/bin/env node
// Does the llama-server schedule change any figure? (issue 25; METHODOLOGY §1.6). Opens the
// llama.cpp driver as `bench` does for the default suite under two schedules (--a, --b; default
// `shared` — servers started once, one per configuration — against `per-workload` — restarted per
// workload, as before; `unified` is one server whose W4 slots share one --kv-unified pool) and runs
// W1 and W2 through the harness (prepare, warm-up, timed request), alternating the schedules each
// round so a change in the machine's load falls on both. With --w4 it also runs W4's batch of 16,
// where a unified pool halved the per-stream decode.
// Prints the medians of the client's decode tok/s and TTFT and of llama-server's own decode rate
// (predicted_per_second), shared ÷ per-workload for each, and each round's figures.
// Run after `npm run build`: node bench/shared-server.mjs [rounds=3] [--w4] [--llama-cpp-path DIR]
import { execFileSync } from 'node:child_process';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { llamaCppDriver } from '../packages/plugin-llamacpp/dist/driver.js';
import { ensureSynthModel } from '../packages/plugin-llamacpp/dist/synth/index.js';
import { loadSuite, runWorkload, sessionNeeds, suitePlans } from '../packages/framework/dist/index.js';

const { values, positionals } = parseArgs({
  options: { w4: { type: 'boolean', default: false }, 'llama-cpp-path': { type: 'string' }, a: { type: 'string', default: 'shared' }, b: { type: 'string', default: 'per-workload' } },
  allowPositionals: true,
});
const [A, B] = [values.a, values.b];
const rounds = Number(positionals[0] ?? 3);
const binDir =
  values['llama-cpp-path'] ??
  execFileSync('bash', [fileURLToPath(new URL('../scripts/build-llama-server.sh', import.meta.url))], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'inherit'] })
    .trim()
    .split('\n')
    .pop();
const cacheDir = process.env.LLM_SPEED_TEST_CACHE_DIR ?? join(tmpdir(), 'llm-speed-test-cache');
const model = await ensureSynthModel({ size: 'tiny', quant: 'F16', cacheDir, log: () => {} });
const suite = loadSuite('suite-v1');
const defaults = suitePlans(suite, undefined);
const byId = (id) => defaults.find((w) => w.id === id);
const w4 = { ...byId('W4'), batchSizes: [16] };
const runCtx = (session) => ({ suiteVersion: suite.version, suiteDigest: suite.digest, backend: 'llama.cpp', session, signal: new AbortController().signal });

async function measure(schedule) {
  const ctx = { config: { llama_cpp_path: binDir }, cacheDir, env: { PATH: '', LLM_SPEED_LLAMA_CPP_SCHEDULE: schedule }, signal: new AbortController().signal, log: () => {} };
  const session = await llamaCppDriver.open(model, sessionNeeds(defaults), ctx);
  try {
    const out = { kv_unified: session.extras.kv_unified, parallel: session.extras.parallel };
    for (const w of [byId('W1'), byId('W2'), ...(values.w4 ? [w4] : [])]) {
      const r = await runWorkload(runCtx(session), w);
      if (r.error) throw new Error(`${w.id} (${schedule}): ${r.error}`);
      out[w.id] = { decode: r.decode_tps, ttft: r.ttft_ms, server: r.backend_decode_tps, kv_unified: r.extras.kv_unified };
    }
    return out;
  } finally {
    await session.close();
  }
}

const samples = { [A]: [], [B]: [] };
for (let round = 0; round < rounds; round++) {
  for (const schedule of round % 2 === 0 ? [A, B] : [B, A]) {
    const s = await measure(schedule);
    samples[schedule].push(s);
    console.error(`round ${round + 1} ${schedule}: ${JSON.stringify(s)}`);
  }
}

const median = (xs) => {
  const s = xs.filter((x) => typeof x === 'number').sort((a, b) => a - b);
  return s.length === 0 ? null : s.length % 2 ? s[(s.length - 1) / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
};
const pad = (v, n) => String(v).padEnd(n);
console.log(`llama-server ${binDir}; tiny synthetic F16; ${rounds} round(s); medians`);
console.log(`${pad('', 24)}${pad(A, 12)}${pad(B, 14)}${A} ÷ ${B}`);
for (const id of ['W1', 'W2', ...(values.w4 ? ['W4'] : [])]) {
  for (const [key, label] of [
    ['decode', 'decode tok/s'],
    ['server', "server's own decode"],
    ['ttft', 'TTFT ms'],
  ]) {
    const a = median(samples[A].map((s) => s[id][key]));
    const b = median(samples[B].map((s) => s[id][key]));
    console.log(`${pad(`${id} ${label}`, 24)}${pad(a?.toFixed(1) ?? '-', 12)}${pad(b?.toFixed(1) ?? '-', 14)}${a && b ? (a / b).toFixed(3) : '-'}`);
  }
}
