/**
 * runBench (harness/bench.ts) with a scripted driver: what it tells the user, which flags every
 * result gets, what the fingerprint is asked to name, and how it fails.
 */
import assert from 'node:assert/strict';
import type { Driver, DriverContext, DriverSession, GenerationEvent } from '../../src/contract/driver.js';
import { DriverError } from '../../src/errors.js';
import { runBench, type BenchInput } from '../../src/harness/bench.js';
import { now } from '../../src/harness/clock.js';
import type { RunnableWorkload } from '../../src/harness/plan.js';
import type { PowerState } from '../../src/harness/power.js';
import { sampleRun } from '../../src/testing/sample-run.js';

const workloads: RunnableWorkload[] = [
  { id: 'W1', name: 'chat-short', kind: 'single', prompt: 'one', outputTokens: 3 },
  { id: 'W2', name: 'chat-long', kind: 'single', prompt: 'two', outputTokens: 3 },
];

function scripted(options: { quant?: string; close?: () => Promise<void>; open?: () => Promise<DriverSession> } = {}) {
  const closed: string[] = [];
  const session: DriverSession = {
    model: { identifier: 'scripted-model', name: 'scripted', ...(options.quant ? { quant: options.quant } : {}) },
    backendVersion: '1.2',
    capabilities: { streaming: true, true_concurrency: true, prefix_cache_stats: false, exact_output_length: true },
    extras: { engine: 'server' },
    async *generate(): AsyncGenerator<GenerationEvent> {
      let t = now();
      for (let i = 0; i < 3; i++) yield { type: 'tokens', t: (t += 5), count: 1 };
      yield { type: 'usage', promptTokens: 3, outputTokens: 3 };
      yield { type: 'done', t: t + 1, stopReason: 'length' };
    },
    close: options.close ?? (async () => void closed.push('closed')),
  };
  const driver: Driver = { name: 'scripted', detect: async () => ({ name: 'scripted', available: true }), listModels: async () => [], open: options.open ?? (async () => session) };
  return { driver, session, closed };
}

function input(driver: Driver, extra: Partial<BenchInput> = {}, version?: string) {
  const notes: string[] = [];
  const asked: Array<{ backends: Record<string, string>; strictAnon: boolean }> = [];
  const ctx: DriverContext = { config: {}, cacheDir: '/nonexistent', env: {}, signal: new AbortController().signal, log: () => {} };
  const value: BenchInput = {
    detected: [{ driver, detection: { name: 'scripted', available: true, ...(version ? { version } : {}) } }],
    ctx,
    workloads,
    suiteVersion: 'suite-v1',
    suiteDigest: 'ab'.repeat(32),
    power: { read: async () => ({}) },
    // The client's CPU as a meter that reads nothing: the flags these tests pin do not depend on this machine.
    clientCpu: { cpuMicros: () => 0 },
    // The machine sampler reads the real /proc: these tests pin flags, which a busy machine would add to.
    machine: false,
    progress: { note: (line) => void notes.push(line), workloadStarted: () => {}, workloadFinished: () => {} },
    collectFingerprint: async (o) => {
      asked.push(o);
      return sampleRun().fingerprint;
    },
    ...extra,
  };
  return { value, notes, asked };
}

describe('runBench', () => {
  it('says which backend and model it measures', async () => {
    const a = input(scripted({ quant: 'Q4_0' }).driver, {}, '1.2');
    await runBench(a.value);
    assert.deepEqual(a.notes, ['backend: scripted 1.2', 'model: scripted-model (Q4_0)']);
    const b = input(scripted().driver);
    const outcome = await runBench(b.value);
    assert.deepEqual(b.notes, ['backend: scripted', 'model: scripted-model']);
    assert.equal(outcome.engineNote, 'server');
    assert.equal(outcome.backend, 'scripted');
    assert.equal(outcome.interrupted, false);
  });

  it('--quick and the power state at either end flag every result once (throttled too, where no per-workload reading places it)', async () => {
    const states: PowerState[] = [
      { throttleEvents: 3, onBattery: false },
      { throttleEvents: 5, onBattery: false },
    ];
    const { value } = input(scripted().driver, { quick: true, power: { read: async () => states.shift()! } });
    const { run } = await runBench(value);
    assert.deepEqual(
      run.results.map((r) => r.flags),
      [
        ['quick', 'thermal-throttled', 'throttled'],
        ['quick', 'thermal-throttled', 'throttled'],
      ],
    );
    const failing = input(scripted().driver, { power: { read: async () => Promise.reject(new Error('no sysfs')) } });
    assert.deepEqual(
      (await runBench(failing.value)).run.results.map((r) => r.flags),
      [[], []],
    );
  });

  it("records the client's own CPU in every result, with no meter to pass (harness/client-cpu.ts)", async () => {
    // Each read of the meter advances it by 300 µs: one read at the start and one at the end of each
    // workload's timed part. That part is every repetition: W1's three (its minimum, METHODOLOGY
    // §6.3; the scripted figures agree exactly, so it stops there) of 3 tokens each, so 9 tokens
    // cost 300 µs, 33.3 µs a token.
    let cpu = 0;
    const { value } = input(scripted().driver, { clientCpu: { cpuMicros: () => (cpu += 300), cores: 64 } });
    const { run } = await runBench(value);
    assert.deepEqual(
      run.results.map((r) => r.extras.client_cpu_us_per_token),
      [33.3, 33.3],
    );
  });

  it('asks the fingerprint for the backends the results ran on, none in --strict-anon', async () => {
    const plain = input(scripted().driver);
    await runBench(plain.value);
    assert.deepEqual(plain.asked, [{ backends: { scripted: '1.2' }, strictAnon: false }]);
    const strict = input(scripted().driver, { strictAnon: true });
    await runBench(strict.value);
    assert.deepEqual(strict.asked, [{ backends: {}, strictAnon: true }]);
  });

  it('closes the session; a failing close is a warning, not a lost run', async () => {
    const ok = scripted();
    await runBench(input(ok.driver).value);
    assert.deepEqual(ok.closed, ['closed']);
    const bad = input(scripted({ close: async () => Promise.reject(new Error('port still in use')) }).driver);
    const { run } = await runBench(bad.value);
    assert.equal(run.results.length, 2);
    assert.ok(bad.notes.includes('warning: closing scripted failed: port still in use'), bad.notes.join('\n'));
  });

  it('repeats each workload as its policy says and marks the run as result schema 2', async () => {
    // The default: W1 and W2 adaptive from three (the scripted decode is exactly 200 tok/s every time: precise at three).
    const plain = await runBench(input(scripted().driver).value);
    assert.equal(plain.run.schema_version, 2);
    assert.deepEqual(
      plain.run.results.map((r) => r.repetitions),
      [3, 3],
    );
    assert.deepEqual(
      (await runBench(input(scripted().driver, { reps: 2 }).value)).run.results.map((r) => r.samples!.length),
      [2, 2],
    );
    assert.deepEqual(
      (await runBench(input(scripted().driver, { quick: true }).value)).run.results.map((r) => r.repetitions),
      [1, 1],
    );
    assert.deepEqual(
      (await runBench(input(scripted().driver, { quick: true, reps: 4 }).value)).run.results.map((r) => [r.repetitions, r.flags]),
      [
        [4, ['quick']],
        [4, ['quick']],
      ],
    );
  });

  it('a model that cannot be opened is a DriverError naming the driver; no workload is no run', async () => {
    const plain = scripted({ open: async () => Promise.reject(new Error('file not found')) });
    await assert.rejects(runBench(input(plain.driver).value), (e: unknown) => e instanceof DriverError && e.message === 'scripted: could not open the model: file not found');
    const typed = new DriverError('scripted', 'needs a GPU', { suggestions: ['use --backend llama.cpp'] });
    await assert.rejects(runBench(input(scripted({ open: async () => Promise.reject(typed) }).driver).value), (e: unknown) => e === typed);
    await assert.rejects(runBench(input(scripted().driver, { workloads: [] }).value), (e: unknown) => e instanceof DriverError && /no workload ran/.test(e.message));
  });
});

describe('runBench on the CPU of a machine with a GPU (issue 25)', () => {
  const h200 = [{ name: 'H200', kind: 'nvidia' as const, memory_gb: 144 }];

  it("says so before the first workload, with the driver's fix, and flags every result accelerator-unused", async () => {
    const { driver, session } = scripted();
    session.backendBuild = { kind: 'cpu' };
    session.gpuHint = 'llm-speed engine install';
    const a = input(driver, { machineGpus: async () => h200 });
    const order: string[] = [];
    a.value.progress = { note: (line) => void a.notes.push(line), workloadStarted: (w) => void order.push(`${w.id} after ${a.notes.length} notes`), workloadFinished: () => {} };
    const { run } = await runBench(a.value);
    assert.equal(
      a.notes[2],
      'this machine has an NVIDIA H200 (144 GB), but scripted runs on the CPU: these numbers are for the CPU (results are flagged accelerator-unused). For the GPU: llm-speed engine install',
    );
    assert.equal(order[0], 'W1 after 3 notes', 'said before the first workload');
    assert.ok(run.results.every((r) => r.flags.includes('accelerator-unused')));
  });

  it('a GPU build, or no GPU list, is not flagged', async () => {
    for (const [build, gpus] of [
      [{ kind: 'cuda' as const }, h200],
      [{ kind: 'cpu' as const }, undefined],
      [{ kind: 'cpu' as const }, []],
    ] as const) {
      const { driver, session } = scripted();
      session.backendBuild = build;
      const a = input(driver, gpus ? { machineGpus: async () => [...gpus] } : {});
      const { run } = await runBench(a.value);
      assert.ok(
        run.results.every((r) => !r.flags.includes('accelerator-unused')),
        JSON.stringify({ build, gpus }),
      );
      assert.equal(a.notes.length, 2);
    }
  });
});
