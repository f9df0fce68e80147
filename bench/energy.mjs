#!/usr/bin/env node
// What the machine sampler costs (issue 23): each meter's CPU ÷ the run's CPU (target < 1 %), and
// whether sampling changes the decode figure (observer effect: llama-server's own decode rate with
// the sampler on ÷ off, target ≥ 0.98, as bench/observer-effect.mjs measures the client itself).
// W1 of suite-v1 on fresh, identically spawned llama-servers (synthetic tiny model); rounds
// alternate which variant goes first. The "on" variant runs the sampler exactly as `bench` does:
// every meter this machine offers, the 20 ms sysfs tick, the /proc scans around the timed part.
// Where no sysfs meter is readable (no RAPL, no amdgpu), a stand-in RAPL tree on tmpfs is read on
// the same tick, so the tick's own cost is still measured (sysfs reads cost about the same).
// Run after `npm run build`: node bench/energy.mjs [rounds=3]
// Env: LLM_SPEED_BENCH_QUANT (default F16), LLM_SPEED_TEST_CACHE_DIR.
import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { ensureSynthModel } from '../packages/plugin-llamacpp/dist/synth/index.js';
import { llamaCppDriver } from '../packages/plugin-llamacpp/dist/driver.js';
import { findRaplZones, loadSuite, MachineSampler, runWorkload, suitePlans } from '../packages/framework/dist/index.js';

const rounds = Number(process.argv[2] ?? 3);
const quant = process.env.LLM_SPEED_BENCH_QUANT ?? 'F16';
const cacheDir = process.env.LLM_SPEED_TEST_CACHE_DIR ?? join(tmpdir(), 'llm-speed-test-cache');
const binDir = execFileSync('bash', ['scripts/build-llama-server.sh'], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'inherit'], env: { ...process.env, LLM_SPEED_CACHE_DIR: '' } })
  .trim()
  .split('\n')
  .pop();
await ensureSynthModel({ size: 'tiny', quant, cacheDir, log: () => {} });
const w1 = suitePlans(loadSuite('suite-v1'), ['W1'])[0];
/** /proc's clock ticks: USER_HZ, 100 a second on Linux. */
const TICK_MS = 10;

/** CPU ms of a process (utime + stime + children's) from /proc, or 0 when it is gone. */
function processCpuMs(pid) {
  try {
    const f = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1].split(' ');
    return (Number(f[11]) + Number(f[12]) + Number(f[13]) + Number(f[14])) * TICK_MS;
  } catch {
    return 0;
  }
}

/** A stand-in RAPL zone on tmpfs, advanced by a timer like a real counter, for machines without a readable one. */
function standInRapl() {
  const root = mkdtempSync(join(tmpdir(), 'llm-speed-bench-rapl-'));
  mkdirSync(join(root, 'intel-rapl:0'));
  writeFileSync(join(root, 'intel-rapl:0/name'), 'package-0\n');
  writeFileSync(join(root, 'intel-rapl:0/max_energy_range_uj'), '262143328850\n');
  let uj = 0;
  const advance = () => writeFileSync(join(root, 'intel-rapl:0/energy_uj'), `${(uj += 1_000_000)}\n`);
  advance();
  return { root, advance, cleanup: () => rmSync(root, { recursive: true, force: true }) };
}

const realRapl = findRaplZones().zones.length > 0;
const stand = realRapl ? undefined : standInRapl();
// The stand-in's counter moves in another process-independent way: a 1 s timer, outside the measured tick.
const standTimer = stand ? setInterval(stand.advance, 1000) : undefined;

async function once(withSampler) {
  const ctx = { config: { llama_cpp_path: binDir, model: undefined }, cacheDir, env: process.env, signal: new AbortController().signal, log: () => {} };
  const session = await llamaCppDriver.open(`llm-speed/synth-llama-tiny-${quant}`, { contextTokens: 1024, parallel: 1 }, ctx);
  const sampler = withSampler ? new MachineSampler({ backend: 'llama.cpp', ...(stand ? { roots: { powercap: stand.root } } : {}) }) : undefined;
  try {
    if (sampler) await sampler.start();
    const serverBefore = processCpuMs(session.pid);
    const selfBefore = process.cpuUsage();
    const childrenBefore = sampler ? sampler.overhead().childPids.map(processCpuMs) : [];
    const result = await runWorkload({ suiteVersion: 'suite-v1', suiteDigest: '0'.repeat(64), backend: 'llama.cpp', session, signal: ctx.signal, observers: sampler ? [sampler] : [] }, w1);
    if (result.error) throw new Error(result.error);
    const self = process.cpuUsage(selfBefore);
    const server = processCpuMs(session.pid) - serverBefore;
    const meterChildren = sampler ? sampler.overhead().childPids.reduce((s, pid, i) => s + processCpuMs(pid) - (childrenBefore[i] ?? 0), 0) : 0;
    const sampling = sampler ? sampler.overhead().inProcessMs + meterChildren : 0;
    const runCpu = (self.user + self.system) / 1000 + server + meterChildren;
    return { decode: result.extras.predicted_per_second, clientDecode: result.decode_tps, sampling, runCpu, meters: sampler ? sampler.tracks.map((t) => t.meter) : [], energy: result.energy };
  } finally {
    await sampler?.close();
    await session.close();
  }
}

const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
const seen = { off: [], on: [] };
for (let round = 0; round < rounds; round++) {
  for (const variant of round % 2 === 0 ? ['off', 'on'] : ['on', 'off']) {
    const r = await once(variant === 'on');
    seen[variant].push(r);
    console.log(
      `round ${round + 1} sampler ${variant.padEnd(3)}: llama-server decode ${r.decode.toFixed(1)} tok/s` +
        (variant === 'on'
          ? `, sampling ${r.sampling.toFixed(1)} ms CPU of the run's ${r.runCpu.toFixed(0)} ms (${((r.sampling / r.runCpu) * 100).toFixed(2)} %), meters: ${r.meters.join(', ') || 'none'}`
          : ''),
    );
  }
}
if (standTimer) clearInterval(standTimer);
stand?.cleanup();
const on = seen.on;
console.log(
  `\nmodel: synthetic tiny ${quant}, W1 (${w1.outputTokens} tokens), ${rounds} rounds on fresh llama-servers; load average ${loadavg()[0].toFixed(2)} on ${
    readFileSync('/proc/stat', 'utf8')
      .split('\n')
      .filter((l) => /^cpu\d/.test(l)).length
  } CPUs`,
);
console.log(`meters read: ${[...new Set(on.flatMap((r) => r.meters))].join(', ') || 'none'}${stand ? ' (rapl: the tmpfs stand-in, no readable RAPL here)' : ''}`);
console.log(`sampling CPU ÷ the run's CPU: median ${(median(on.map((r) => r.sampling / r.runCpu)) * 100).toFixed(3)} % (target < 1 %)`);
console.log(`observer effect: llama-server's own decode with the sampler ÷ without: ${(median(on.map((r) => r.decode)) / median(seen.off.map((r) => r.decode))).toFixed(3)} (target ≥ 0.98)`);
const last = on[on.length - 1]?.energy;
if (last) console.log(`energy of the last sampled W1: ${last.meter}${last.reason ? ` — ${last.reason}` : ''}`);
