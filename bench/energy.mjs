#!/usr/bin/env node
// What the machine sampler costs (issue 23): the CPU its meters take ÷ the CPU of a run (target
// < 1 %), and whether sampling changes the decode figure (observer effect: llama-server's own
// decode rate with the sampler on ÷ off, target ≥ 0.98, as bench/observer-effect.mjs measures the
// client). The "on" variant runs the sampler exactly as `bench` does: every meter this machine
// offers, the 100 ms sysfs tick, the /proc reads around each timed part. Where no sysfs meter is
// readable (no RAPL, no amdgpu), a stand-in RAPL zone on tmpfs is read on the same tick, so the
// tick's cost is still measured (a sysfs read costs about the same).
//
// The sampler's CPU is measured two ways, because getrusage cannot time a 20 µs tick: (1) the
// process's CPU over 5 s idle with the sampler running minus without it (A/B, alternating), plus
// its child processes' CPU (nvidia-smi); (2) one tick timed over 5,000 iterations. The run's CPU is
// llama-server's and the client's over W1 of suite-v1 on fresh, identically spawned llama-servers
// (synthetic tiny model); rounds alternate which variant goes first.
// Run after `npm run build`: node bench/energy.mjs [rounds=3]
// Env: LLM_SPEED_BENCH_QUANT (default F16), LLM_SPEED_TEST_CACHE_DIR.
import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { ensureSynthModel } from '../packages/plugin-llamacpp/dist/synth/index.js';
import { llamaCppDriver } from '../packages/plugin-llamacpp/dist/driver.js';
import { cpuSnapshot, EnergyTrack, findRaplZones, loadSuite, MachineSampler, RaplCounter, runWorkload, suitePlans, SYSFS_TICK_MS } from '../packages/framework/dist/index.js';

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
const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
const cpuMs = (u) => (u.user + u.system) / 1000;

/** CPU ms of a process (utime + stime + its children's) from /proc, or 0 when it is gone. */
function processCpuMs(pid) {
  try {
    const f = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1].split(' ');
    return (Number(f[11]) + Number(f[12]) + Number(f[13]) + Number(f[14])) * TICK_MS;
  } catch {
    return 0;
  }
}

/** A stand-in RAPL zone on tmpfs, for machines without a readable one. */
function standInRapl() {
  const root = mkdtempSync(join(tmpdir(), 'llm-speed-bench-rapl-'));
  mkdirSync(join(root, 'intel-rapl:0'));
  writeFileSync(join(root, 'intel-rapl:0/name'), 'package-0\n');
  writeFileSync(join(root, 'intel-rapl:0/max_energy_range_uj'), '262143328850\n');
  writeFileSync(join(root, 'intel-rapl:0/energy_uj'), '1000000\n');
  return { root, cleanup: () => rmSync(root, { recursive: true, force: true }) };
}

const stand = findRaplZones().zones.length > 0 ? undefined : standInRapl();
const samplerOptions = { backend: 'llama.cpp', ...(stand ? { roots: { powercap: stand.root } } : {}) };

// (1) The sampler alone, ticking as in a timed part, A/B over 5 s.
const idle = { off: [], on: [], children: [] };
let meters = [];
for (let i = 0; i < 3; i++) {
  for (const variant of i % 2 === 0 ? ['off', 'on'] : ['on', 'off']) {
    const sampler = variant === 'on' ? new MachineSampler(samplerOptions) : undefined;
    await sampler?.start();
    // As during a workload's timed part: the tick runs from timedStart.
    await sampler?.timedStart();
    const pids = sampler ? sampler.overhead().childPids : [];
    const childBefore = pids.map(processCpuMs);
    const before = process.cpuUsage();
    await new Promise((r) => setTimeout(r, 5000));
    idle[variant].push(cpuMs(process.cpuUsage(before)) / 5);
    if (sampler) {
      idle.children.push(pids.reduce((s, pid, k) => s + processCpuMs(pid) - childBefore[k], 0) / 5);
      meters = sampler.tracks.map((t) => t.meter);
      await sampler.close();
    }
  }
}
const samplerPerSecond = Math.max(0, median(idle.on) - median(idle.off)) + median(idle.children);

// (2) One tick, timed in a loop; and the /proc reads at a workload's two edges.
let tickUs = null;
const zone = (stand ? findRaplZones(stand.root) : findRaplZones()).zones[0];
if (zone) {
  const counter = new RaplCounter(zone);
  const track = new EnergyTrack('rapl', zone.domain, zone.zone, SYSFS_TICK_MS);
  const before = process.cpuUsage();
  for (let i = 0; i < 5000; i++) track.addEnergy(i, counter.read());
  tickUs = (cpuMs(process.cpuUsage(before)) * 1000) / 5000;
}
const edgesBefore = process.cpuUsage();
for (let i = 0; i < 500; i++) cpuSnapshot({ selfPid: process.pid, backend: 'llama.cpp', backendPids: [] });
const edgeUs = (cpuMs(process.cpuUsage(edgesBefore)) * 1000) / 500;

// (3) The run's CPU, and the observer effect, on W1.
async function once(withSampler) {
  const ctx = { config: { llama_cpp_path: binDir }, cacheDir, env: process.env, signal: new AbortController().signal, log: () => {} };
  const session = await llamaCppDriver.open(`llm-speed/synth-llama-tiny-${quant}`, { contextTokens: 1024, parallel: 1 }, ctx);
  const sampler = withSampler ? new MachineSampler(samplerOptions) : undefined;
  try {
    await sampler?.start();
    const serverBefore = processCpuMs(session.pid);
    const selfBefore = process.cpuUsage();
    const started = performance.now();
    const result = await runWorkload({ suiteVersion: 'suite-v1', suiteDigest: '0'.repeat(64), backend: 'llama.cpp', session, signal: ctx.signal, observers: sampler ? [sampler] : [] }, w1);
    if (result.error) throw new Error(result.error);
    const seconds = (performance.now() - started) / 1000;
    const runCpu = cpuMs(process.cpuUsage(selfBefore)) + processCpuMs(session.pid) - serverBefore;
    return { decode: result.extras.predicted_per_second, runCpuPerSecond: runCpu / seconds };
  } finally {
    await sampler?.close();
    await session.close();
  }
}
const seen = { off: [], on: [] };
for (let round = 0; round < rounds; round++) {
  for (const variant of round % 2 === 0 ? ['off', 'on'] : ['on', 'off']) {
    const r = await once(variant === 'on');
    seen[variant].push(r);
    console.log(`round ${round + 1} sampler ${variant.padEnd(3)}: llama-server decode ${r.decode.toFixed(1)} tok/s, the run's CPU ${r.runCpuPerSecond.toFixed(0)} ms a second`);
  }
}
stand?.cleanup();

const runPerSecond = median([...seen.off, ...seen.on].map((r) => r.runCpuPerSecond));
console.log(
  `\nmodel: synthetic tiny ${quant}, W1 (${w1.outputTokens} tokens), ${rounds} rounds on fresh llama-servers; load average ${loadavg()[0].toFixed(2)} on ${
    readFileSync('/proc/stat', 'utf8')
      .split('\n')
      .filter((l) => /^cpu\d/.test(l)).length
  } CPUs`,
);
console.log(`meters read: ${[...new Set(meters)].join(', ') || 'none'}${stand ? ' (rapl: the tmpfs stand-in, no readable RAPL here)' : ''}`);
console.log(
  `sampler, A/B over 5 s while ticking: ${samplerPerSecond.toFixed(2)} ms CPU a second (on ${median(idle.on).toFixed(2)}, off ${median(idle.off).toFixed(2)}, child processes ${median(idle.children).toFixed(2)})`,
);
if (tickUs !== null) console.log(`one tick: ${tickUs.toFixed(1)} µs CPU; ${1000 / SYSFS_TICK_MS} a second = ${((tickUs * (1000 / SYSFS_TICK_MS)) / 1e4).toFixed(3)} % of one core`);
console.log(`a workload's two /proc reads: ${(2 * edgeUs).toFixed(0)} µs CPU`);
console.log(`sampler CPU ÷ the run's CPU: ${((samplerPerSecond / runPerSecond) * 100).toFixed(3)} % (the run: ${runPerSecond.toFixed(0)} ms CPU a second; target < 1 %)`);
console.log(`observer effect: llama-server's own decode with the sampler ÷ without: ${(median(seen.on.map((r) => r.decode)) / median(seen.off.map((r) => r.decode))).toFixed(3)} (target ≥ 0.98)`);
