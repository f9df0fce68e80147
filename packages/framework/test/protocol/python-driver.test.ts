/**
 * The Python-runner driver base serves a new Python backend with only that backend's code: a
 * whole driver here is a spec and a runner script of a few lines (its engine a fake "count" module
 * on PYTHONPATH), the protocol's Python side comes from the framework (python/llm_speed_runner.py,
 * put on the runner's PYTHONPATH by startPythonRunner), and the result passes the contract suite —
 * abort and close included — like MLX and exllamav2, which are written on the same base.
 */
import assert from 'node:assert/strict';
import { runDriverContractTests } from '../../src/contract-tests/index.js';
import { createPythonRunnerDriver, probeEngine, runnerCapabilities } from '../../src/protocol/python-driver.js';
import { assertContractGenerations, fakePythonSite, type FakePythonSite } from '../../src/testing/python-fakes.js';
import { driverTestContext, generateOnce } from '../../src/testing/generate-once.js';

/** The fake engine: counts, one token every 2 ms after a 25 ms "prefill", logging what it was asked. */
const COUNT_ENGINE = `
import json, os, time
__version__ = "1.0-fake"
def log(line):
    with open(os.environ["FAKE_RUNNER_LOG"], "a") as f:
        f.write(line + "\\n")
def generate(prompt, max_tokens, seed):
    with open(os.environ["FAKE_RUNNER_REQUESTS"], "a") as f:
        f.write(json.dumps({"path": "generate", "json": {"prompt": prompt, "seed": seed}}) + "\\n")
    log("start %d %d" % (max_tokens, os.getpid()))
    time.sleep(0.025)
    for n in range(max_tokens):
        time.sleep(0.002)
        yield n
    log("end %d" % max_tokens)
`;

/** The whole runner script of the new backend: its engine's code only. */
const RUNNER = `
import sys, time
from llm_speed_runner import emit, run, version_of

def start(args):
    import count_engine
    if args[0] == "missing":
        raise FileNotFoundError("no such model")
    def serve(request):
        prompt = request.get("prompt") or "\\n".join(m["content"] for m in request.get("messages", []))
        n = 0
        for _ in count_engine.generate(prompt, request["max_tokens"], request["sampling"]["seed"]):
            n += 1
            emit({"event": "token", "n": 1, "t": time.perf_counter()})
        emit({"event": "done", "prompt_tokens": len(prompt.split()), "output_tokens": n, "stop_reason": "length"})
    return {"versions": {"count": version_of("count_engine")}, "device": {"kind": "cpu"}}, serve

if __name__ == "__main__":
    sys.exit(run("count_runner.py <model>", 1, start, install="pip install count-engine"))
`;

describe("a new Python backend on the framework's runner base", () => {
  let site: FakePythonSite;
  let plugin: FakePythonSite;
  const env: NodeJS.ProcessEnv = { ...process.env };
  before(async () => {
    // The engine on PYTHONPATH; the runner script apart, as a plugin ships it.
    site = await fakePythonSite({ 'count_engine.py': COUNT_ENGINE });
    plugin = await fakePythonSite({ 'count_runner.py': RUNNER });
    Object.assign(env, site.env);
  });
  after(() => Promise.all([site.cleanup(), plugin.cleanup()]));

  const driver = () =>
    createPythonRunnerDriver({
      name: 'count',
      script: `${plugin.site}/count_runner.py`,
      capabilities: { exact_output_length: true },
      versionProbe: 'import json, count_engine; print(json.dumps({"count": count_engine.__version__}))',
      probeTimeoutMs: 20_000,
      engine: 'count-engine',
      modelHint: 'Pass --model with anything but "missing".',
      backendVersion: (v) => `count ${String(v.count)}`,
      extras: () => ({ engine: 'count' }),
      listModels: async () => [{ identifier: 'count-small', name: 'count-small' }],
      async detect(probe) {
        const { ok, answer, reason } = await probe();
        return ok ? { name: 'count', available: true, version: `count ${String(answer.count)}` } : { name: 'count', available: false, reason: `count-engine not importable: ${reason}` };
      },
    });

  runDriverContractTests('count (a runner of a dozen lines)', {
    driver,
    context: { config: { python: 'python3' }, env },
    modelRef: '/models/count-small',
    outputTokens: 16,
    generationTimeoutMs: 30_000,
    backend: { requests: () => site.requests(), generationPath: 'generate', firstTokenDelayMs: 25, sampling: { seed: 'seed' } },
  });

  describe('after the contract suite', () => {
    it('generated exactly the tokens asked for; the aborted generation never finished and its runner is gone', () => assertContractGenerations(site, 16));
  });

  // A child suite, so it runs after the contract suite's (mocha runs a suite's own tests first).
  describe('what the base does for it', () => {
    it('the base does the rest: probe, capabilities, the model published by name, versions and device from the runner, load and import failures', async () => {
      const ctx = driverTestContext({ config: { python: 'python3' }, env });
      assert.deepEqual(await probeEngine({ versionProbe: 'import json; print(json.dumps({"a": 1}))', probeTimeoutMs: 10_000 }, ctx), { python: 'python3', ok: true, answer: { a: 1 } });
      assert.equal((await probeEngine({ versionProbe: 'print("not json")', probeTimeoutMs: 10_000 }, ctx)).ok, false);
      const detection = await driver().detect(ctx);
      assert.deepEqual(detection.capabilities, runnerCapabilities({ capabilities: { exact_output_length: true } }));
      assert.equal(detection.capabilities!.true_concurrency, false, 'one request at a time through the runner');

      const { session, events } = await generateOnce(driver(), '/home/someone/models/count-small', { prompt: 'one two three', maxTokens: 5 }, ctx);
      assert.deepEqual(session.model, { identifier: 'count-small', name: 'count-small' }, 'a local path is published by its last component');
      assert.equal(session.backendVersion, 'count 1.0-fake');
      assert.deepEqual(session.backendBuild, { kind: 'cpu' });
      assert.deepEqual(session.extras, { engine: 'count' });
      assert.equal(events.filter((e) => e.type === 'tokens').length, 5);

      await assert.rejects(driver().open(undefined, { contextTokens: 512, parallel: 1 }, ctx), /count: no model given/);
      await assert.rejects(driver().open('missing', { contextTokens: 512, parallel: 1 }, ctx), /cannot load missing: no such model/);
      const noEngine = driverTestContext({ config: { python: 'python3' }, env: { ...env, PYTHONPATH: '' } });
      await assert.rejects(driver().open('x', { contextTokens: 512, parallel: 1 }, noEngine), /cannot import what it needs: No module named 'count_engine' \(pip install count-engine\)/);
    });
  });
});
