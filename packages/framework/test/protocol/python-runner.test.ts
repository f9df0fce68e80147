/**
 * The Python runner protocol (documented in src/protocol/python-runner.ts) exercised with tiny
 * runner scripts run by the real python3 of this machine.
 */
import assert from 'node:assert/strict';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startPythonRunner, runnerBuild, runnerGeneration, probePython, pythonFor } from '../../src/protocol/python-runner.js';
import { SUITE_SAMPLING } from '../../src/contract/sampling.js';
import { DriverError, TimeoutError } from '../../src/errors.js';
import type { GenerationEvent } from '../../src/contract/driver.js';

const PYTHON = 'python3';

/** A runner that answers each request with `max_tokens` tokens, or stops early / crashes on demand. */
const ECHO_RUNNER = `
import json, sys, time, os
def emit(o):
    sys.stdout.write(json.dumps(o) + "\\n"); sys.stdout.flush()
emit({"event": "ready", "versions": {"fake": "1.0"}, "pid": os.getpid()})
for line in sys.stdin:
    req = json.loads(line)
    n = req["max_tokens"]
    mode = req.get("prompt", "")
    for i in range(n):
        if mode == "crash" and i == 2:
            sys.stderr.write("RuntimeError: CUDA out of memory\\n"); sys.stderr.flush(); os._exit(7)
        if mode == "eos" and i == 3:
            break
        if mode == "hang" and i == 1:
            time.sleep(3600)
        emit({"event": "token", "n": 1, "t": time.perf_counter()})
    if mode == "fail":
        emit({"event": "error", "kind": "runtime", "message": "prompt too long"}); continue
    out = min(n, 3) if mode == "eos" else n
    emit({"event": "done", "prompt_tokens": 5, "output_tokens": out, "stop_reason": "eos" if mode == "eos" else "length"})
`;

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

async function waitDead(pid: number): Promise<void> {
  for (let i = 0; i < 100 && alive(pid); i++) await new Promise((r) => setTimeout(r, 50));
}

describe('python runner protocol', () => {
  let dir: string;
  let script: string;
  before(async () => {
    dir = await mkdtemp(join(tmpdir(), 'llm-speed-runner-'));
    script = join(dir, 'runner.py');
    await writeFile(script, ECHO_RUNNER);
  });
  after(() => rm(dir, { recursive: true, force: true }));

  const collect = async (gen: AsyncIterable<GenerationEvent>) => {
    const events: GenerationEvent[] = [];
    for await (const e of gen) events.push(e);
    return events;
  };
  const request = (prompt: string, maxTokens: number, signal = new AbortController().signal) => ({ prompt, maxTokens, cachePrompt: true, sampling: SUITE_SAMPLING, signal });

  it('streams tokens then usage and done, and serves several requests in one process', async () => {
    const runner = await startPythonRunner({ driver: 'fake', python: PYTHON, script });
    assert.deepEqual(runner.ready.versions, { fake: '1.0' });
    try {
      for (let round = 0; round < 2; round++) {
        const events = await collect(runnerGeneration(runner, request('hi', 4)));
        assert.deepEqual(
          events.map((e) => e.type),
          ['tokens', 'tokens', 'tokens', 'tokens', 'usage', 'done'],
        );
        assert.deepEqual(events[4], { type: 'usage', promptTokens: 5, outputTokens: 4 });
        const done = events[5] as Extract<GenerationEvent, { type: 'done' }>;
        assert.equal(done.stopReason, 'length');
        const times = events.filter((e) => e.type === 'tokens').map((e) => (e as { t: number }).t);
        assert.deepEqual(
          [...times].sort((a, b) => a - b),
          times,
          'arrival times are monotonic',
        );
      }
    } finally {
      await runner.close();
    }
    await waitDead(runner.ready.pid as number);
    assert.equal(alive(runner.ready.pid as number), false);
  });

  it('reports an early end-of-sequence with fewer tokens', async () => {
    const runner = await startPythonRunner({ driver: 'fake', python: PYTHON, script });
    try {
      const events = await collect(runnerGeneration(runner, request('eos', 10)));
      assert.equal(events.filter((e) => e.type === 'tokens').length, 3);
      assert.deepEqual(events.at(-2), { type: 'usage', promptTokens: 5, outputTokens: 3 });
      assert.equal((events.at(-1) as { stopReason?: string }).stopReason, 'eos');
    } finally {
      await runner.close();
    }
  });

  it('turns a crash mid-stream into a DriverError with the stderr tail', async () => {
    const runner = await startPythonRunner({ driver: 'fake', python: PYTHON, script });
    const seen: string[] = [];
    await assert.rejects(
      (async () => {
        for await (const e of runnerGeneration(runner, request('crash', 10))) seen.push(e.type);
      })(),
      (error: unknown) => error instanceof DriverError && /exited with code 7/.test(error.message) && /CUDA out of memory/.test(error.message),
    );
    assert.deepEqual(seen, ['tokens', 'tokens']);
    await runner.close();
  });

  it('turns an error line into a DriverError and keeps the runner usable', async () => {
    const runner = await startPythonRunner({ driver: 'fake', python: PYTHON, script });
    try {
      await assert.rejects(collect(runnerGeneration(runner, request('fail', 1))), /reported an error: prompt too long/);
      const events = await collect(runnerGeneration(runner, request('again', 2)));
      assert.deepEqual(events.at(-2), { type: 'usage', promptTokens: 5, outputTokens: 2 });
    } finally {
      await runner.close();
    }
  });

  it('serves concurrent requests one after the other, each with its own lines', async () => {
    const runner = await startPythonRunner({ driver: 'fake', python: PYTHON, script });
    try {
      const [a, b, c] = await Promise.all([2, 5, 3].map((n) => collect(runnerGeneration(runner, request('x', n)))));
      for (const [events, n] of [
        [a!, 2],
        [b!, 5],
        [c!, 3],
      ] as const) {
        assert.equal(events.filter((e) => e.type === 'tokens').length, n);
        assert.deepEqual(events.at(-2), { type: 'usage', promptTokens: 5, outputTokens: n });
      }
      const lastOfA = (a!.at(-1) as { t: number }).t;
      const firstOfB = (b!.find((e) => e.type === 'tokens') as { t: number }).t;
      assert.ok(firstOfB >= lastOfA, 'the second request starts after the first is done');
    } finally {
      await runner.close();
    }
  });

  it('kills the process when the request is aborted', async () => {
    const runner = await startPythonRunner({ driver: 'fake', python: PYTHON, script });
    const controller = new AbortController();
    const pid = runner.ready.pid as number;
    const pending = collect(runnerGeneration(runner, request('hang', 5, controller.signal)));
    setTimeout(() => controller.abort(), 100);
    await assert.rejects(pending, /aborted/);
    await waitDead(pid);
    assert.equal(alive(pid), false, 'no orphaned runner');
  });

  it('kills the process at the request deadline', async () => {
    const runner = await startPythonRunner({ driver: 'fake', python: PYTHON, script });
    const pid = runner.ready.pid as number;
    await assert.rejects(collect(runnerGeneration(runner, request('hang', 5), 200)), (error: unknown) => error instanceof TimeoutError);
    await waitDead(pid);
    assert.equal(alive(pid), false);
  });

  it('names the missing module when the runner cannot import it', async () => {
    const broken = join(dir, 'needs-missing.py');
    await writeFile(broken, 'import llm_speed_module_that_does_not_exist\n');
    await assert.rejects(startPythonRunner({ driver: 'fake', python: PYTHON, script: broken }), (error: unknown) => {
      assert.ok(error instanceof DriverError);
      assert.match(error.message, /ModuleNotFoundError: No module named 'llm_speed_module_that_does_not_exist'/);
      return true;
    });
  });

  it('says so when the interpreter does not exist', async () => {
    await assert.rejects(startPythonRunner({ driver: 'fake', python: join(dir, 'no-python'), script }), /cannot start/);
  });
});

describe('probePython', () => {
  it('returns stdout of a snippet that runs', async () => {
    assert.deepEqual(await probePython(PYTHON, 'print(6 * 7)', 20_000), { ok: true, stdout: '42' });
  });

  it('names the import that failed', async () => {
    const probe = await probePython(PYTHON, 'import llm_speed_module_that_does_not_exist', 20_000);
    assert.equal(probe.ok, false);
    assert.match(probe.reason!, /No module named 'llm_speed_module_that_does_not_exist'/);
  });

  it('gives up at the deadline', async () => {
    const probe = await probePython(PYTHON, 'import time; time.sleep(60)', 300);
    assert.equal(probe.ok, false);
    assert.match(probe.reason!, /did not answer/);
  });

  it('reports a missing interpreter', async () => {
    const probe = await probePython('/nonexistent/python3', 'pass', 5_000);
    assert.equal(probe.ok, false);
    assert.match(probe.reason!, /not found/);
  });

  it('picks the interpreter from config, then LLM_SPEED_PYTHON, then python3', () => {
    assert.equal(pythonFor({ python: '/opt/py' }, { LLM_SPEED_PYTHON: '/env/py' }), '/opt/py');
    assert.equal(pythonFor({}, { LLM_SPEED_PYTHON: '/env/py' }), '/env/py');
    assert.equal(pythonFor({}, {}), 'python3');
  });

  it('reads the device a runner reports on its ready line, and says unknown for anything else', () => {
    assert.deepEqual(runnerBuild({ event: 'ready', device: { kind: 'cuda', name: 'NVIDIA GeForce RTX 4090' } }), { kind: 'cuda', devices: ['NVIDIA GeForce RTX 4090'] });
    assert.deepEqual(runnerBuild({ event: 'ready', device: { kind: 'metal' } }), { kind: 'metal' });
    assert.deepEqual(runnerBuild({ event: 'ready', device: { kind: 'quantum', name: 'x' } }), { kind: 'unknown', devices: ['x'] });
    assert.deepEqual(runnerBuild({ event: 'ready' }), { kind: 'unknown' });
  });
});
