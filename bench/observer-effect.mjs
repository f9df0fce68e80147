#!/usr/bin/env node
// Does measuring change what is measured? (issue 13 finding 6). The same W1 request — the suite's
// W1 prompt, 256 tokens, greedy, no prefix reuse — against fresh, identically started llama-servers,
// once from a minimal client (one HTTP request, bytes read and dropped, nothing else in the
// process) and once from llm-speed itself (the real CLI: `bench --workload W1`, attached to the
// server). Each figure is llama-server's OWN: its prompt_per_second and predicted_per_second, so
// only what the client process costs the server shows. Both clients send the same untimed warm-up
// first. Rounds alternate which client goes first; each round starts two new servers.
// Target: llm-speed ÷ minimal ≥ 0.98 for decode on the 2-core reference machine.
// Run after `npm run build`: node bench/observer-effect.mjs [rounds=3]
// Env: LLM_SPEED_BENCH_THREADS (server threads; default: all cores, as the driver spawns it),
//      LLM_SPEED_BENCH_QUANT (default F16), LLM_SPEED_TEST_CACHE_DIR.
import { execFileSync, execFile } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { availableParallelism, tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { ensureSynthModel } from '../packages/plugin-llamacpp/dist/synth/index.js';
import { spawnServer } from '../packages/plugin-llamacpp/dist/server/spawn.js';
import { loadSuite, runWorkload, suitePlans, SUITE_SAMPLING, llamaCppSamplingFields, WARMUP_PROMPT, WARMUP_TOKENS } from '../packages/framework/dist/index.js';
import { llamaCppDriver } from '../packages/plugin-llamacpp/dist/driver.js';

const rounds = Number(process.argv[2] ?? 3);
const threads = Number(process.env.LLM_SPEED_BENCH_THREADS ?? availableParallelism());
const quant = process.env.LLM_SPEED_BENCH_QUANT ?? 'F16';
const cacheDir = process.env.LLM_SPEED_TEST_CACHE_DIR ?? join(tmpdir(), 'llm-speed-test-cache');
const CLI = fileURLToPath(new URL('../packages/cli/bin/run.js', import.meta.url));
const binDir = execFileSync('bash', ['scripts/build-llama-server.sh'], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'inherit'] })
  .trim()
  .split('\n')
  .pop();
const model = await ensureSynthModel({ size: 'tiny', quant, cacheDir, log: () => {} });
const w1 = suitePlans(loadSuite('suite-v1'), ['W1'])[0];

/** POST /completion the way llm-speed's driver does, reading the stream and keeping only the final timings. */
async function minimalCompletion(baseUrl, prompt, nPredict) {
  const body = JSON.stringify({
    prompt,
    n_predict: nPredict,
    ignore_eos: true,
    cache_prompt: false,
    stream: true,
    return_tokens: true,
    ...llamaCppSamplingFields(SUITE_SAMPLING),
    samplers: ['top_k'],
  });
  const res = await fetch(`${baseUrl}/completion`, { method: 'POST', body, headers: { 'content-type': 'application/json' } });
  const decoder = new TextDecoder();
  let tail = '';
  for await (const chunk of res.body) tail = (tail + decoder.decode(chunk, { stream: true })).slice(-4096);
  const last = tail
    .trim()
    .split('\n')
    .filter((l) => l.startsWith('data: '))
    .pop();
  return JSON.parse(last.slice(6)).timings;
}

async function minimal(baseUrl) {
  await minimalCompletion(baseUrl, WARMUP_PROMPT, WARMUP_TOKENS);
  return minimalCompletion(baseUrl, w1.prompt, w1.outputTokens);
}

async function llmSpeed(baseUrl) {
  const dir = mkdtempSync(join(tmpdir(), 'llm-speed-observer-'));
  try {
    const out = join(dir, 'run.json');
    await new Promise((resolve, reject) =>
      execFile(
        'node',
        [CLI, 'bench', '--workload', 'W1', '--llama-cpp-url', baseUrl, '--no-upload', '--json', out],
        {
          env: { ...process.env, LLM_SPEED_CACHE_DIR: cacheDir, LLM_SPEED_CONFIG_DIR: join(dir, 'config'), XDG_DATA_HOME: join(dir, 'data') },
          timeout: 300_000,
        },
        (error, _stdout, stderr) => (error ? reject(new Error(`${error.message}\n${stderr}`)) : resolve()),
      ),
    );
    const result = JSON.parse(readFileSync(out, 'utf8')).results[0];
    if (result.error) throw new Error(result.error);
    return { prompt_per_second: result.extras.prompt_per_second, predicted_per_second: result.extras.predicted_per_second, client_decode: result.decode_tps };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

async function onFreshServer(client) {
  const server = await spawnServer({ binary: join(binDir, 'llama-server'), model, contextTokens: 1024, parallel: 1, threads, signal: new AbortController().signal });
  try {
    return await client(server.baseUrl);
  } finally {
    await server.stop();
  }
}

/**
 * The CPU the harness itself spends per token, measured in this process with the library the CLI
 * runs (attached driver, workload runner): process CPU time over W1, warm-up and request set-up
 * included, divided by the tokens. Against a decode step of a few ms, this is the share of a core
 * the client takes from the backend while it measures.
 */
async function clientCpuPerToken(baseUrl) {
  const session = await llamaCppDriver.open(
    undefined,
    { contextTokens: 1024, parallel: 1 },
    { config: { llama_cpp_url: baseUrl }, cacheDir, env: { PATH: '' }, signal: new AbortController().signal, log: () => {} },
  );
  const before = process.cpuUsage();
  const started = performance.now();
  const result = await runWorkload({ suiteVersion: 'suite-v1', suiteDigest: '0'.repeat(64), backend: 'llama.cpp', session, signal: new AbortController().signal }, w1);
  const cpu = process.cpuUsage(before);
  const wall = performance.now() - started;
  return { usPerToken: (cpu.user + cpu.system) / (result.output_tokens + WARMUP_TOKENS), coreShare: (cpu.user + cpu.system) / 1000 / wall };
}

const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
const seen = { minimal: [], llmSpeed: [] };
for (let round = 0; round < rounds; round++) {
  const order = round % 2 === 0 ? ['minimal', 'llmSpeed'] : ['llmSpeed', 'minimal'];
  for (const who of order) {
    const timings = await onFreshServer(who === 'minimal' ? minimal : llmSpeed);
    seen[who].push(timings);
    console.log(`round ${round + 1} ${who.padEnd(8)}: llama-server prompt ${timings.prompt_per_second.toFixed(1)} tok/s, decode ${timings.predicted_per_second.toFixed(1)} tok/s`);
  }
}
const m = (who, key) => median(seen[who].map((t) => t[key]));
console.log(`\nmodel: synthetic tiny ${quant}, server threads ${threads}, W1 (${w1.outputTokens} tokens), medians of ${rounds} rounds on fresh servers`);
console.log(
  `llama-server's own decode:  minimal ${m('minimal', 'predicted_per_second').toFixed(1)}, llm-speed ${m('llmSpeed', 'predicted_per_second').toFixed(1)} tok/s: ratio ${(m('llmSpeed', 'predicted_per_second') / m('minimal', 'predicted_per_second')).toFixed(3)} (target ≥ 0.98)`,
);
console.log(
  `llama-server's own prompt:  minimal ${m('minimal', 'prompt_per_second').toFixed(1)}, llm-speed ${m('llmSpeed', 'prompt_per_second').toFixed(1)} tok/s: ratio ${(m('llmSpeed', 'prompt_per_second') / m('minimal', 'prompt_per_second')).toFixed(3)}`,
);
console.log(`llm-speed's client decode ÷ llama-server's own (same runs): ${median(seen.llmSpeed.map((t) => t.client_decode / t.predicted_per_second)).toFixed(3)}`);
const cpu = [];
for (let i = 0; i < rounds; i++) cpu.push(await onFreshServer(clientCpuPerToken));
console.log(`llm-speed client CPU: ${median(cpu.map((c) => c.usPerToken)).toFixed(1)} µs per token, ${(median(cpu.map((c) => c.coreShare)) * 100).toFixed(1)} % of one core while W1 runs`);
