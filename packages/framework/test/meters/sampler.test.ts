/**
 * The machine sampler as the runner's observer, end to end on a scripted timeline: a scripted
 * clock drives the session's events, a fake nvidia-smi stream (lines in the recorded format of
 * fixtures/meters/nvidia-smi-lms-h200.csv, one every 10 ms of that clock) and the idle wait, and
 * fake /proc and cpu trees stand for the machine. Every expected figure is worked out by hand.
 */
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Driver, DriverSession, GenerationEvent, ModelShape } from '../../src/contract/driver.js';
import { check } from '../../src/contract/validate.js';
import { runBench } from '../../src/harness/bench.js';
import { runWorkload, WARMUP_PROMPT } from '../../src/harness/runner.js';
import type { RunnableWorkload } from '../../src/harness/plan.js';
import { MachineSampler, type SpawnLines } from '../../src/meters/sampler.js';
import { sampleRun } from '../../src/testing/sample-run.js';
import { privacyViolations } from '../../src/privacy/rules.js';

const HELP = readFileSync(fileURLToPath(new URL('../fixtures/meters/nvidia-smi-help-query-gpu-550.txt', import.meta.url)), 'utf8');
const BASE = new Date(2026, 11, 4, 10, 0, 0, 0).getTime();
const W1: RunnableWorkload = { id: 'W1', name: 'chat-short', kind: 'single', prompt: 'a question', outputTokens: 31 };

function write(root: string, path: string, text: string): void {
  mkdirSync(join(root, path, '..'), { recursive: true });
  writeFileSync(join(root, path), text);
}

const pad = (n: number, w = 2) => String(n).padStart(w, '0');
/** nvidia-smi's timestamp column: local time, "YYYY/MM/DD HH:MM:SS.mmm". */
function stamp(epochMs: number): string {
  const d = new Date(epochMs);
  return `${d.getFullYear()}/${pad(d.getMonth() + 1)}/${pad(d.getDate())} ${pad(d.getHours())}:${pad(d.getMinutes())}:${pad(d.getSeconds())}.${pad(d.getMilliseconds(), 3)}`;
}

/** A timeline: the scripted clock, and a fake nvidia-smi reading every 10 ms of it. */
function timeline() {
  const clock = { t: 0 };
  const gpu = { watts: 100, mhz: 1980, mask: 0 };
  let onLine: ((line: string) => void) | undefined;
  let next = 0;
  const spawned: string[][] = [];
  const emit = () => onLine?.(`${stamp(BASE + next)}, 0, ${gpu.watts.toFixed(2)} W, ${gpu.mhz} MHz, 0x${gpu.mask.toString(16).padStart(16, '0')}`);
  /** Moves the clock to `to`, with a reading at every 10 ms on the way (and at `to`). */
  const advance = (to: number) => {
    for (; next <= to; next += 10) {
      clock.t = next;
      emit();
    }
    clock.t = to;
  };
  const spawnLines: SpawnLines = (command, args, line) => {
    spawned.push([command, ...args]);
    onLine = line;
    line('timestamp, index, power.draw.instant [W], clocks.current.sm [MHz], clocks_event_reasons.active');
    emit();
    next += 10;
    return { stop: () => (onLine = undefined) };
  };
  return { clock, gpu, advance, spawnLines, spawned };
}

/** A session on the timeline: 300 ms to the first token, then one token every 10 ms. */
function sessionOn(tl: ReturnType<typeof timeline>, during?: { timed?: () => void; decode?: () => void }, extra: Partial<DriverSession> = {}): DriverSession {
  return {
    model: { identifier: 'scripted', name: 'scripted' },
    backendVersion: '1',
    capabilities: { streaming: true, true_concurrency: false, prefix_cache_stats: false, exact_output_length: true },
    extras: {},
    async *generate(req): AsyncGenerator<GenerationEvent> {
      const warm = req.prompt === WARMUP_PROMPT;
      const t0 = tl.clock.t;
      yield { type: 'sent', t: t0 };
      if (!warm) during?.timed?.();
      tl.advance(t0 + (warm ? 50 : 300));
      for (let i = 0; i < req.maxTokens; i++) {
        if (i === 15 && !warm) during?.decode?.();
        tl.advance(t0 + (warm ? 50 : 300) + i * 10);
        yield { type: 'tokens', t: tl.clock.t, count: 1 };
      }
      yield { type: 'usage', promptTokens: warm ? 8 : 100, outputTokens: req.maxTokens };
      yield { type: 'done', t: tl.clock.t, stopReason: 'length' };
    },
    async close() {},
    ...extra,
  };
}

describe('the machine sampler', () => {
  let root: string;
  beforeEach(() => {
    root = mkdtempSync(join(tmpdir(), 'llm-speed-sampler-'));
  });
  afterEach(() => rmSync(root, { recursive: true, force: true }));

  /** /proc and cpu trees: 2 CPUs; llm-speed is pid 100; pid 200 is something else. */
  function machine(stat: string, selfTicks: number, otherTicks: number, throttle: number): void {
    write(root, 'proc/stat', stat);
    write(root, 'proc/loadavg', '3.25 2.00 1.00 2/150 200\n');
    write(root, 'proc/100/stat', `100 (node) S 1 0 0 0 -1 0 0 0 0 0 ${selfTicks} 0 0 0 20 0 1 0 0 0 0\n`);
    write(root, 'proc/200/stat', `200 (make) S 1 0 0 0 -1 0 0 0 0 0 ${otherTicks} 0 0 0 20 0 1 0 0 0 0\n`);
    for (const cpu of ['cpu0', 'cpu1']) {
      write(root, `cpu/${cpu}/cpufreq/scaling_governor`, 'performance\n');
      write(root, `cpu/${cpu}/thermal_throttle/core_throttle_count`, `${throttle}\n`);
      write(root, `cpu/${cpu}/thermal_throttle/package_throttle_count`, '0\n');
    }
  }

  it('writes energy per phase, the machine it saw and the busy-machine and throttled flags into each result', async () => {
    const tl = timeline();
    // Before: 10,000 ticks in all, 2,000 busy; llm-speed 500, the other process 100.
    machine('cpu  1500 0 500 7500 500 0 0 0 0 0\ncpu0 0\ncpu1 0\n', 500, 100, 3);
    const sampler = new MachineSampler({
      backend: 'scripted',
      platform: 'linux',
      roots: { proc: join(root, 'proc'), cpu: join(root, 'cpu'), powercap: join(root, 'none'), hwmon: join(root, 'none') },
      runTool: async (command, args) => (command === 'nvidia-smi' && args[0] === '--help-query-gpu' ? HELP : undefined),
      spawnLines: tl.spawnLines,
      clock: () => tl.clock.t,
      wallClock: () => BASE + tl.clock.t,
      selfPid: 100,
      sleep: async (ms) => tl.advance(tl.clock.t + ms),
    });
    await sampler.start();
    assert.deepEqual(tl.spawned, [['nvidia-smi', '--query-gpu=timestamp,index,power.draw.instant,clocks.sm,clocks_event_reasons.active', '--format=csv', '-lms', '100']]);
    // Idle: 500 ms at 100 W.
    await sampler.measureIdle(500);
    tl.gpu.watts = 250;
    const session = sessionOn(tl, {
      // While the request is timed: 1,000 more ticks pass, 700 busy; llm-speed used 200, the other process 500. Two throttle events.
      timed: () => machine('cpu  2100 0 600 7800 500 0 0 0 0 0\ncpu0 0\ncpu1 0\n', 700, 600, 4),
      decode: () => Object.assign(tl.gpu, { mask: 0x4, mhz: 1755 }),
    });
    const result = await runWorkload(
      { suiteVersion: 'suite-v1', suiteDigest: '0'.repeat(64), backend: 'scripted', session, signal: new AbortController().signal, clock: () => tl.clock.t, observers: [sampler] },
      W1,
    );
    await sampler.close();
    assert.equal(result.error, null);

    const e = result.energy!;
    assert.equal(e.meter, 'nvidia-smi-power');
    assert.equal(e.idle_w, 100);
    // Prefill: 300 ms at 250 W = 75 J; less 100 W × 0.3 s = 45 J net, over 100 prompt tokens: 0.45 J each; 30 readings.
    assert.deepEqual(
      { ms: e.prefill!.ms, samples: e.prefill!.samples, gross: e.prefill!.gross_j, net: e.prefill!.net_j, perToken: e.prefill!.j_per_token },
      { ms: 300, samples: 30, gross: 75, net: 45, perToken: 0.45 },
    );
    // Decode: 31 tokens from +300 to +600 ms: 300 ms, 75 J gross, 45 J net, 30 steps → 1.5 J a step, 0.66667 tok/s/W.
    assert.deepEqual(
      { ms: e.decode!.ms, gross: e.decode!.gross_j, net: e.decode!.net_j, perToken: e.decode!.j_per_token, rate: e.decode!.tokens_per_s_per_w, peak: e.decode!.peak_w },
      { ms: 300, gross: 75, net: 45, perToken: 1.5, rate: 0.66667, peak: 250 },
    );
    // The whole timed part, 600 ms: 150 J gross, 90 J net, over 31 output tokens = 2.9032 J.
    assert.equal(e.total!.j_per_token, 2.9032);

    // Other processes: (700 − 200) / 1,000 = 0.5 of all CPU time.
    assert.deepEqual(result.machine, {
      cpus: 2,
      other_cpu_share: 0.5,
      load_1m: 3.25,
      cpu_governor: 'performance',
      cpu_throttle_events: 2,
      gpu_sm_clock_mhz_min: 1755,
      gpu_sm_clock_mhz_max: 1980,
      gpu_clock_events: ['sw_power_cap'],
      reason: null,
    });
    assert.ok(result.flags.includes('busy-machine') && result.flags.includes('throttled'), result.flags.join(','));
    assert.deepEqual(check('workload-result', result), []);
  });

  it('a quiet machine: no busy-machine, no throttled', async () => {
    const tl = timeline();
    machine('cpu  1500 0 500 7500 500 0 0 0 0 0\n', 500, 100, 3);
    const sampler = new MachineSampler({
      backend: 'scripted',
      platform: 'linux',
      roots: { proc: join(root, 'proc'), cpu: join(root, 'cpu'), powercap: join(root, 'none'), hwmon: join(root, 'none') },
      runTool: async () => undefined,
      clock: () => tl.clock.t,
      selfPid: 100,
    });
    await sampler.start();
    // 1,000 ticks, 300 busy, 250 of them llm-speed's: 5 % other, under the 10 % line.
    const session = sessionOn(tl, { timed: () => machine('cpu  1800 0 500 8200 500 0 0 0 0 0\n', 750, 150, 3) });
    const result = await runWorkload(
      { suiteVersion: 'suite-v1', suiteDigest: '0'.repeat(64), backend: 'scripted', session, signal: new AbortController().signal, clock: () => tl.clock.t, observers: [sampler] },
      W1,
    );
    assert.equal(result.machine!.other_cpu_share, 0.05);
    assert.equal(result.machine!.cpu_throttle_events, 0);
    assert.ok(!result.flags.includes('busy-machine') && !result.flags.includes('throttled'));
  });

  it('a machine with no meter still runs: energy is none with the reason, the roofline says what it lacks', async () => {
    const tl = timeline();
    const shape: ModelShape = { weightBytesPerToken: 600e6, kvBytesPerContextToken: 32_768, kvElementBytes: 2, source: 'gguf' };
    const session = sessionOn(tl, {}, { modelShape: shape, backendBuild: { kind: 'cpu' } });
    const driver: Driver = { name: 'scripted', detect: async () => ({ name: 'scripted', available: true }), listModels: async () => [], open: async () => session };
    let idleAsked = false;
    const { run } = await runBench({
      detected: [{ driver, detection: { name: 'scripted', available: true } }],
      ctx: { config: {}, cacheDir: root, env: {}, signal: new AbortController().signal, log: () => {} },
      workloads: [W1],
      suiteVersion: 'suite-v1',
      suiteDigest: 'ab'.repeat(32),
      power: { read: async () => ({}) },
      machine: (backend) =>
        new MachineSampler({
          backend,
          platform: 'linux',
          roots: { proc: join(root, 'empty'), cpu: join(root, 'empty'), powercap: join(root, 'empty'), hwmon: join(root, 'empty') },
          runTool: async () => undefined,
          clock: () => tl.clock.t,
          sleep: async () => void (idleAsked = true),
        }),
      collectFingerprint: async () => sampleRun().fingerprint,
    });
    const r = run.results[0]!;
    assert.equal(r.error, null);
    assert.ok(r.decode_tps! > 0);
    assert.equal(idleAsked, false, 'no idle baseline is measured without a meter');
    assert.deepEqual(r.energy, { meter: 'none', meters: [], reason: 'no power meter found (no nvidia-smi, amdgpu hwmon or RAPL counters)' });
    assert.equal(r.machine!.other_cpu_share, null);
    assert.equal(r.machine!.reason, 'the CPU times of procfs could not be read');
    // Every reason a result carries passes the privacy rules as it is (no path, no host).
    assert.deepEqual(privacyViolations(run), []);
    // The roofline: the sample fingerprint's AMD Ryzen 9 7950X3D is a Ryzen 7000 platform, 2 × DDR5-5200 = 83.2 GB/s.
    // Depth 100 + 31 / 2 = 115.5 tokens; 600,000,000 + 32,768 × 115.5 = 603,784,704 bytes a token.
    assert.equal(r.roofline!.device, 'AMD Ryzen 7000');
    assert.equal(r.roofline!.peak_gb_s, 83.2);
    assert.equal(r.roofline!.bytes_per_token, 603_785_000, 'six significant digits');
    // Decode: 30 steps in 300 ms = 100 tok/s; 100 × 603,784,704 B = 60.378 GB/s, / 83.2 = 0.7257.
    assert.equal(r.decode_tps, 100);
    assert.equal(r.roofline!.implied_gb_s, 60.378);
    assert.equal(r.roofline!.bandwidth_share, 0.7257);
    assert.deepEqual(check('run', run), []);
  });

  it('an nvidia-smi that ends without a reading (no GPU behind the driver) is not waited for, and the reason says so', async () => {
    const tl = timeline();
    const sampler = new MachineSampler({
      backend: 'scripted',
      platform: 'linux',
      roots: { proc: join(root, 'none'), cpu: join(root, 'none'), powercap: join(root, 'none'), hwmon: join(root, 'none') },
      runTool: async () => HELP,
      spawnLines: (_command, _args, onLine, onExit) => {
        onLine('No devices were found');
        setImmediate(() => onExit(6));
        return { stop: () => undefined };
      },
      clock: () => tl.clock.t,
    });
    const started = performance.now();
    await sampler.start();
    assert.ok(performance.now() - started < 1000, 'not the 3 s first-reading wait');
    assert.equal(sampler.tracks.length, 0);
    assert.equal(sampler.noMeterReason(), 'nvidia-smi ended (exit 6) before its first reading');
  });

  it('macOS without root: no meter, and the reason says how to get one; no /proc there', async () => {
    const tl = timeline();
    const sampler = new MachineSampler({ backend: 'scripted', platform: 'darwin', isRoot: false, clock: () => tl.clock.t });
    await sampler.start();
    assert.equal(sampler.noMeterReason(), 'macOS: powermetrics needs root; run as root with --power-meter powermetrics to measure energy');
    const asked = new MachineSampler({ backend: 'scripted', platform: 'darwin', isRoot: false, powerMeter: 'powermetrics' });
    await asked.start();
    assert.match(asked.noMeterReason(), /powermetrics needs root: run llm-speed as root/);
    const result = await runWorkload(
      { suiteVersion: 'suite-v1', suiteDigest: '0'.repeat(64), backend: 'scripted', session: sessionOn(tl), signal: new AbortController().signal, clock: () => tl.clock.t, observers: [sampler] },
      W1,
    );
    assert.equal(result.energy!.meter, 'none');
    assert.equal(result.machine!.other_cpu_share, null);
    assert.equal(result.machine!.reason, "other processes' CPU is measured on Linux only (darwin)");
  });

  it('macOS as root with --power-meter powermetrics reads the SoC power blocks', async () => {
    const tl = timeline();
    let feed: ((line: string) => void) | undefined;
    const spawnLines: SpawnLines = (command, args, onLine) => {
      assert.deepEqual([command, ...args], ['powermetrics', '--samplers', 'cpu_power,gpu_power', '-i', '100']);
      feed = onLine;
      return { stop: () => undefined };
    };
    const sampler = new MachineSampler({ backend: 'scripted', platform: 'darwin', isRoot: true, powerMeter: 'powermetrics', spawnLines, clock: () => tl.clock.t });
    const started = sampler.start();
    // Blocks of 100 ms at 14.08 W: each completes when the next one opens.
    for (let i = 0; i < 3; i++) {
      tl.clock.t += 100;
      feed!('*** Sampled system activity (Fri Dec  4 10:00:00 2026 +0100) (100.00ms elapsed) ***');
      feed!('Combined Power (CPU + GPU + ANE): 14080 mW');
    }
    await started;
    assert.equal(sampler.tracks.length, 1);
    assert.equal(sampler.tracks[0]!.meter, 'powermetrics');
    assert.equal(sampler.tracks[0]!.domain, 'soc');
    // Two complete blocks: 0.2 s at 14.08 W = 2.816 J.
    assert.equal(Number(sampler.tracks[0]!.joulesIn({ from: 100, to: 300 })!.toFixed(3)), 2.816);
    await sampler.close();
  });
});
