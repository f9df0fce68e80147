/**
 * The ExLlamaV2 driver runs the real python/exllamav2_runner.py with the real python3 of this
 * machine, against fake `exllamav2` and `torch` packages on PYTHONPATH implementing what the runner
 * calls, shaped after exllamav2's dynamic generator (exllamav2/generator/dynamic.py and
 * examples/inference_stream.py): ExLlamaV2Config/ExLlamaV2/ExLlamaV2Cache/load_autosplit/
 * ExLlamaV2Tokenizer.encode, ExLlamaV2DynamicJob(input_ids, max_new_tokens, stop_conditions), and
 * generator.iterate() returning dicts with stage "streaming", token_ids (a [1, n] tensor), and on
 * the last one eos: True, eos_reason ("max_new_tokens" | "stop_token"), new_tokens.
 */
import assert from 'node:assert/strict';
import { DriverError, probePython } from '@llm-speed/framework';
import { driverTestContext, fakePythonSite, generateOnce, type FakePythonSite } from '@llm-speed/framework/testing';
import { createExllamaV2Driver } from '../src/index.js';
import { FAKE_EXLLAMAV2, FAKE_TORCH } from './fake-exllamav2.js';

const FAKE_GENERATOR = `
from exllamav2 import Tensor

class ExLlamaV2Sampler:
    class Settings:
        pass

class ExLlamaV2DynamicJob:
    def __init__(self, input_ids=None, max_new_tokens=0, stop_conditions=None, gen_settings=None, seed=None):
        if stop_conditions:
            raise AssertionError("the runner must not pass stop conditions (exact output length)")
        if gen_settings.temperature != 0 or gen_settings.top_k != 1 or seed != 42:
            raise AssertionError("the runner must pass the suite's greedy sampling and seed")
        self.max_new_tokens = max_new_tokens
        self.prompt_tokens = input_ids.shape[-1]

class ExLlamaV2DynamicGenerator:
    def __init__(self, model=None, cache=None, tokenizer=None):
        self.model_dir = model.config.model_dir
        self.jobs = []
    def enqueue(self, job):
        self.jobs.append([job, 0])
    def num_remaining_jobs(self):
        return len(self.jobs)
    def iterate(self):
        job, done = self.jobs[0]
        eos_at = 3 if self.model_dir.endswith("eos3") else job.max_new_tokens
        if self.model_dir.endswith("crash") and done >= 2:
            import os, sys
            sys.stderr.write("torch.OutOfMemoryError: CUDA out of memory\\n")
            sys.stderr.flush()
            os._exit(1)
        n = min(2, eos_at - done)
        done += n
        self.jobs[0][1] = done
        result = {"job": job, "stage": "streaming", "eos": False, "token_ids": Tensor(n), "text": "x" * n}
        if done >= eos_at:
            self.jobs.pop(0)
            # The final result's own timers and counts (exllamav2 generator/dynamic.py, iterate() docstring).
            result.update({"eos": True, "eos_reason": "max_new_tokens" if eos_at == job.max_new_tokens else "stop_token", "new_tokens": done,
                           "prompt_tokens": job.prompt_tokens, "cached_tokens": 1, "time_enqueued": 0.0, "time_prefill": 0.012, "time_generate": 0.05})
        return [result]
`;

describe('exllamav2 driver', () => {
  let fake: FakePythonSite;
  let empty: FakePythonSite;
  before(async () => {
    fake = await fakePythonSite({ 'exllamav2/__init__.py': FAKE_EXLLAMAV2, 'exllamav2/generator/__init__.py': FAKE_GENERATOR, 'torch/__init__.py': FAKE_TORCH });
    empty = await fakePythonSite({});
  });
  after(() => Promise.all([fake.cleanup(), empty.cleanup()]));

  const driver = createExllamaV2Driver({ hasNvidiaSmi: async () => false });
  const ctx = (pythonPath: string) => driverTestContext({ env: { ...process.env, PYTHONPATH: pythonPath, LLM_SPEED_PYTHON: 'python3' } });
  const generate = (model: string, maxTokens: number) => generateOnce(driver, model, { prompt: 'one two three four', maxTokens }, ctx(fake.site));

  it('is detected with exllamav2 and CUDA versions when CUDA and the package are there', async () => {
    const detection = await driver.detect(ctx(fake.site));
    assert.equal(detection.available, true);
    assert.equal(detection.version, 'exllamav2 0.3.2-fake, cuda 12.4');
    assert.deepEqual(detection.build, { kind: 'cuda' });
    assert.equal(detection.capabilities?.exact_output_length, true);
  });

  it('is skipped without CUDA', async function () {
    if ((await probePython('python3', 'import torch', 20_000, { ...process.env, PYTHONPATH: empty.site })).ok) this.skip();
    const detection = await driver.detect(ctx(empty.site));
    assert.equal(detection.available, false);
    assert.match(detection.reason!, /needs an NVIDIA GPU with CUDA/);
  });

  it('is skipped with a pip hint when exllamav2 is not importable', async function () {
    if ((await probePython('python3', 'import exllamav2', 20_000, { ...process.env, PYTHONPATH: empty.site })).ok) this.skip();
    const withGpu = createExllamaV2Driver({ hasNvidiaSmi: async () => true });
    const detection = await withGpu.detect(ctx(empty.site));
    assert.equal(detection.available, false);
    assert.match(detection.reason!, /^exllamav2 not importable by python3: pip install exllamav2 \(ModuleNotFoundError: No module named 'exllamav2'\)/);
  });

  it('streams multi-token steps with their token counts, and reports versions', async () => {
    const { session, events } = await generate('/models/fake-normal', 5);
    assert.equal(session.backendVersion, 'exllamav2 0.3.2-fake, cuda 12.4');
    assert.equal(session.model.name, 'fake-normal');
    assert.equal(session.model.identifier, 'fake-normal', 'the local folder path never reaches the payload');
    assert.deepEqual(
      events.filter((e) => e.type === 'tokens').map((e) => (e as { count: number }).count),
      [2, 2, 1],
    );
    // The generator's own clock: (4 − 1 cached) prompt tokens in time_prefill, 5 tokens in time_generate.
    assert.deepEqual(events.at(-2), { type: 'usage', promptTokens: 4, outputTokens: 5, cachedPromptTokens: 1, backendTimings: { promptTokens: 3, promptMs: 12, decodeTokens: 5, decodeMs: 50 } });
    assert.equal((events.at(-1) as { stopReason?: string }).stopReason, 'length');
    // torch names the device the model loaded on: a CUDA build, this GPU.
    assert.deepEqual(session.backendBuild, { kind: 'cuda', devices: ['NVIDIA GeForce RTX 4090'] });
  });

  it('reports an early end-of-sequence with fewer tokens', async () => {
    const { events } = await generate('/models/fake-eos3', 10);
    assert.deepEqual(events.at(-2), { type: 'usage', promptTokens: 4, outputTokens: 3, cachedPromptTokens: 1, backendTimings: { promptTokens: 3, promptMs: 12, decodeTokens: 3, decodeMs: 50 } });
    assert.equal((events.at(-1) as { stopReason?: string }).stopReason, 'eos');
  });

  it('turns a runner crash mid-stream into a DriverError, without hanging', async () => {
    await assert.rejects(generate('/models/fake-crash', 10), (error: unknown) => {
      assert.ok(error instanceof DriverError);
      assert.match(error.message, /^exllamav2: the Python runner exited with code 1: .*CUDA out of memory/);
      return true;
    });
  });

  it('fails open with the load error for a model folder that is not a model', async () => {
    await assert.rejects(driver.open('/models/missing', { contextTokens: 512, parallel: 1 }, ctx(fake.site)), /cannot load \/models\/missing: Can't find config\.json/);
  });

  it('fails open with an import error when the runner cannot import exllamav2', async () => {
    await assert.rejects(
      driver.open('/models/fake-normal', { contextTokens: 512, parallel: 1 }, ctx(empty.site)),
      /cannot import what it needs: No module named 'exllamav2' \(pip install exllamav2\)/,
    );
  });
});
