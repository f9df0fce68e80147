#!/usr/bin/env node
// Startup time of the CLI (issue 2): median wall time of `llm-speed --version` and
// `llm-speed detect --json` over several runs. Target: --version under 0.3 s on a 2-core machine.
// Run after `npm run build`: node bench/startup.mjs [runs]
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';

const bin = fileURLToPath(new URL('../packages/cli/bin/run.js', import.meta.url));
const runs = Number(process.argv[2] ?? 9);

function median(values) {
  const s = [...values].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)];
}

function time(args) {
  const samples = [];
  for (let i = 0; i < runs; i++) {
    const t0 = process.hrtime.bigint();
    const r = spawnSync(process.execPath, [bin, ...args], { encoding: 'utf8' });
    const ms = Number(process.hrtime.bigint() - t0) / 1e6;
    if (r.status !== 0) throw new Error(`llm-speed ${args.join(' ')} failed: ${r.stderr}`);
    samples.push(ms);
  }
  return median(samples);
}

const version = time(['--version']);
const detect = time(['detect', '--json']);
console.log(`llm-speed --version        median ${version.toFixed(0)} ms over ${runs} runs (target < 300 ms: ${version < 300 ? 'met' : 'MISSED'})`);
console.log(`llm-speed detect --json    median ${detect.toFixed(0)} ms over ${runs} runs`);
console.log(`ratio version/target       ${(version / 300).toFixed(2)}`);
