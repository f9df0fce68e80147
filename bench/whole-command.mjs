#!/usr/bin/env node
// How close the whole `llm-speed bench` is to its measurements (issue 25), and whether one shared
// llama-server changes any figure. For each round and each llama-server schedule — `shared` (the
// default: one server per configuration, started together, none restarted) and `per-workload`
// (restarted for W4 and W5, as before) — it runs the default suite through the CLI and prints:
//   whole   — the wall time of the whole command, as the user waits for it;
//   measure — the workloads' own wall time: W1, W2 and W5 wall_ms, W4 every batch's span
//             (batch × output tokens ÷ aggregate tok/s, which is how aggregate_tps is defined);
//   ratio   — whole ÷ measure (target on a GPU machine: ≤ 1.5);
// and W1/W2 decode tok/s and TTFT, W4 batch-16 aggregate, W5 decode, side by side, with the
// shared ÷ per-workload ratio of each median. Measure on a quiet machine: under other load the
// llama-server threads wait on each other and every figure collapses. It also prints `detect --json`'s median wall time
// (target on a GPU machine: ≤ 1.5 s). The schedules alternate within each round, so a change in
// the machine's load falls on both.
// Run after `npm run build`: node bench/whole-command.mjs [rounds=2] [--llama-cpp-path DIR] [--model REF]
// With no path, the CPU llama-server of scripts/build-llama-server.sh; on a GPU machine pass a GPU build.
import { execFileSync, spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';

const { values, positionals } = parseArgs({ options: { 'llama-cpp-path': { type: 'string' }, model: { type: 'string' } }, allowPositionals: true });
const rounds = Number(positionals[0] ?? 2);
const bin = fileURLToPath(new URL('../packages/cli/bin/run.js', import.meta.url));
const binDir =
  values['llama-cpp-path'] ??
  execFileSync('bash', [fileURLToPath(new URL('../scripts/build-llama-server.sh', import.meta.url))], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'inherit'] })
    .trim()
    .split('\n')
    .pop();
const work = mkdtempSync(join(tmpdir(), 'llm-speed-whole-'));
const baseEnv = { ...process.env, NO_COLOR: '1', LLM_SPEED_CONFIG_DIR: join(work, 'config') };

const median = (xs) => {
  const s = xs.filter((x) => typeof x === 'number').sort((a, b) => a - b);
  return s.length === 0 ? null : s.length % 2 ? s[(s.length - 1) / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
};

function timed(args, env) {
  const t0 = process.hrtime.bigint();
  const r = spawnSync(process.execPath, [bin, ...args], { encoding: 'utf8', env, maxBuffer: 64 * 1024 * 1024 });
  const ms = Number(process.hrtime.bigint() - t0) / 1e6;
  if (r.status !== 0) throw new Error(`llm-speed ${args.join(' ')} exited ${r.status}: ${r.stderr.slice(-2000)}`);
  return { ms, stderr: r.stderr };
}

/** The workloads' own wall time, ms: see the header. */
function measured(run) {
  let ms = 0;
  for (const r of run.results) {
    if (r.workload === 'concurrent-decode' && r.batches) {
      const perStream = r.output_tokens / r.batch_size;
      for (const b of r.batches) if (b.aggregate_tps) ms += ((b.batch * perStream) / b.aggregate_tps) * 1000;
    } else ms += r.wall_ms;
  }
  return ms;
}

function figures(run) {
  const by = (name) => run.results.find((r) => r.workload === name) ?? {};
  return {
    'W1 decode': by('chat-short').decode_tps,
    'W1 TTFT ms': by('chat-short').ttft_ms,
    'W2 decode': by('chat-long').decode_tps,
    'W2 TTFT ms': by('chat-long').ttft_ms,
    'W4 b16 aggregate': by('concurrent-decode').decode_tps,
    'W5 decode': by('agent-trace').decode_tps,
  };
}

const detectMs = [];
for (let i = 0; i < 3; i++) detectMs.push(timed(['detect', '--json', '--llama-cpp-path', binDir], baseEnv).ms);

const samples = { shared: [], 'per-workload': [] };
for (let round = 0; round < rounds; round++) {
  const order = round % 2 === 0 ? ['shared', 'per-workload'] : ['per-workload', 'shared'];
  for (const schedule of order) {
    const out = join(work, `${schedule}-${round}.json`);
    const args = ['bench', '--no-upload', '--json', out, '--llama-cpp-path', binDir, ...(values.model ? ['--model', values.model] : [])];
    const { ms } = timed(args, { ...baseEnv, LLM_SPEED_LLAMA_CPP_SCHEDULE: schedule });
    const run = JSON.parse(readFileSync(out, 'utf8'));
    const w4 = run.results.find((r) => r.workload === 'concurrent-decode');
    samples[schedule].push({ whole: ms, measure: measured(run), figures: figures(run), kvUnified: w4?.extras?.kv_unified });
    console.error(`round ${round + 1} ${schedule}: whole ${(ms / 1000).toFixed(1)} s, workloads ${(measured(run) / 1000).toFixed(1)} s`);
  }
}
rmSync(work, { recursive: true, force: true });

const pad = (s, n) => String(s).padEnd(n);
const num = (v, d = 1) => (v === null || v === undefined ? '-' : Number(v).toFixed(d));
console.log(`llama-server: ${binDir}; ${rounds} round(s) per schedule; medians`);
console.log(`detect --json: ${num(median(detectMs), 0)} ms (target on a GPU machine ≤ 1500 ms)`);
console.log(`${pad('', 20)}${pad('shared', 14)}${pad('per-workload', 14)}shared ÷ per-workload`);
const row = (label, pick, d = 1) => {
  const a = median(samples.shared.map(pick));
  const b = median(samples['per-workload'].map(pick));
  console.log(`${pad(label, 20)}${pad(num(a, d), 14)}${pad(num(b, d), 14)}${a && b ? (a / b).toFixed(3) : '-'}`);
};
row('whole s', (s) => s.whole / 1000);
row('workloads s', (s) => s.measure / 1000);
row('whole ÷ workloads', (s) => s.whole / s.measure, 2);
for (const key of Object.keys(samples.shared[0].figures)) row(key, (s) => s.figures[key]);
console.log(`all ${rounds * 2} runs: ${JSON.stringify(Object.fromEntries(Object.entries(samples).map(([k, v]) => [k, v.map((s) => s.figures)])))}`);
