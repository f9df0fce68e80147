/**
 * The MLX driver runs the real python/mlx_runner.py with the real python3 of this machine, against
 * a fake `mlx_lm` package (written to a temp dir on PYTHONPATH) that implements what the runner
 * calls: load(path) → (model, tokenizer) and stream_generate(model, tokenizer, prompt, max_tokens)
 * yielding GenerationResponse-like objects (text, prompt_tokens, generation_tokens, finish_reason
 * "length" | "stop" on the last one), as in mlx-lm's generate.py.
 */
import assert from 'node:assert/strict';
import { DriverError } from '@llm-speed/framework';
import { driverTestContext, fakePythonSite, generateOnce, type FakePythonSite } from '@llm-speed/framework/testing';
import { createMlxDriver } from '../src/index.js';

const FAKE_MLX_LM = `
__version__ = "0.99.0-fake"

class Response:
    # mlx_lm.generate.GenerationResponse: the rates are mlx-lm's own timers.
    def __init__(self, text, prompt_tokens, generation_tokens, finish_reason):
        self.text = text
        self.prompt_tokens = prompt_tokens
        self.prompt_tps = 300.0
        self.generation_tokens = generation_tokens
        self.generation_tps = 50.0
        self.finish_reason = finish_reason

class Tokenizer:
    def apply_chat_template(self, messages, add_generation_prompt=True, tokenize=False):
        return "".join(m["role"] + ":" + m["content"] + "\\n" for m in messages) + "assistant:"

def load(path):
    if path.endswith("missing"):
        raise FileNotFoundError("no such model: " + path)
    return {"path": path}, Tokenizer()

def stream_generate(model, tokenizer, prompt, max_tokens=256, sampler=None, logits_processors=None):
    if sampler != {"temp": 0.0, "top_p": 1.0, "min_p": 0.0, "top_k": 1}:
        raise ValueError("not the suite's greedy sampler: %r" % (sampler,))
    path = model["path"]
    prompt_tokens = len(prompt.split())
    stop_at = 3 if path.endswith("eos3") else max_tokens
    for i in range(min(stop_at, max_tokens)):
        if path.endswith("crash") and i == 2:
            import os, sys
            sys.stderr.write("libc++abi: terminating due to uncaught exception\\n")
            sys.stderr.flush()
            os._exit(134)
        last = i == min(stop_at, max_tokens) - 1
        reason = ("length" if stop_at >= max_tokens else "stop") if last else None
        yield Response("tok", prompt_tokens, i + 1, reason)
`;

describe('mlx driver', () => {
  let fake: FakePythonSite;
  let empty: FakePythonSite;
  before(async () => {
    fake = await fakePythonSite({
      'mlx_lm/__init__.py': FAKE_MLX_LM,
      'mlx/__init__.py': '',
      'mlx_lm/sample_utils.py': 'def make_sampler(**kwargs):\n    return dict(kwargs)\ndef make_logits_processors(**kwargs):\n    return []\n',
      // mlx.core as MLX reports a Metal GPU: default_device() and device_info()["device_name"].
      'mlx/core.py':
        '__version__ = "0.29.0-fake"\nclass random:\n    @staticmethod\n    def seed(s):\n        pass\ndef default_device():\n    return "Device(gpu, 0)"\ndef device_info():\n    return {"device_name": "Apple M3 Pro", "architecture": "applegpu_g15s"}\n',
    });
    empty = await fakePythonSite({});
  });
  after(() => Promise.all([fake.cleanup(), empty.cleanup()]));

  const appleSilicon = createMlxDriver({ platform: 'darwin', arch: 'arm64' });
  const ctx = (pythonPath: string) => driverTestContext({ config: { python: 'python3' }, env: { ...process.env, PYTHONPATH: pythonPath, HF_HUB_CACHE: empty.site } });
  const generate = (model: string, maxTokens: number) => generateOnce(appleSilicon, model, { prompt: 'one two three', maxTokens }, ctx(fake.site));

  it('is skipped off Apple Silicon, naming the platform', async () => {
    const detection = await createMlxDriver({ platform: 'linux', arch: 'x64' }).detect(ctx(fake.site));
    assert.deepEqual(detection, { name: 'mlx', available: false, reason: 'mlx needs Apple Silicon (this is linux x64)' });
  });

  it('is skipped with a pip hint when mlx-lm is not importable', async function () {
    // The real environment must not satisfy the import, or this test proves nothing.
    const { probePython } = await import('@llm-speed/framework');
    if ((await probePython('python3', 'import mlx_lm', 20_000, { ...process.env, PYTHONPATH: empty.site })).ok) this.skip();
    const detection = await appleSilicon.detect(ctx(empty.site));
    assert.equal(detection.available, false);
    assert.match(detection.reason!, /^mlx-lm not importable by python3: pip install mlx-lm \(.*No module named 'mlx_lm'/);
  });

  it('is detected with mlx and mlx-lm versions when importable on Apple Silicon', async () => {
    const detection = await appleSilicon.detect(ctx(fake.site));
    assert.equal(detection.available, true);
    assert.equal(detection.version, 'mlx 0.29.0-fake, mlx-lm 0.99.0-fake');
    assert.equal(detection.capabilities?.true_concurrency, false);
  });

  it('streams a normal generation through the runner; only W4 is flagged serial, by the harness', async () => {
    const { session, events } = await generate('mlx-community/fake-normal', 5);
    assert.equal(session.backendVersion, 'mlx 0.29.0-fake, mlx-lm 0.99.0-fake');
    // Session flags go on every workload's result: W1 must not read "serial-concurrency".
    assert.equal(session.capabilities.true_concurrency, false);
    assert.ok(!session.flags?.includes('serial-concurrency'));
    assert.deepEqual(
      events.map((e) => e.type),
      ['tokens', 'tokens', 'tokens', 'tokens', 'tokens', 'usage', 'done'],
    );
    // mlx-lm's own rates turned into counts and times: 3 prompt tokens at 300 tok/s, 5 tokens at 50 tok/s.
    assert.deepEqual(events[5], { type: 'usage', promptTokens: 3, outputTokens: 5, backendTimings: { promptTokens: 3, promptMs: 10, decodeTokens: 5, decodeMs: 100 } });
    assert.equal((events[6] as { stopReason?: string }).stopReason, 'length');
    assert.deepEqual(session.backendBuild, { kind: 'metal', devices: ['Apple M3 Pro'] });
  });

  it('reports an early end-of-sequence with fewer tokens', async () => {
    const { events } = await generate('mlx-community/fake-eos3', 10);
    assert.equal(events.filter((e) => e.type === 'tokens').length, 3);
    assert.deepEqual(events.at(-2), { type: 'usage', promptTokens: 3, outputTokens: 3, backendTimings: { promptTokens: 3, promptMs: 10, decodeTokens: 3, decodeMs: 60 } });
    assert.equal((events.at(-1) as { stopReason?: string }).stopReason, 'eos');
  });

  it('turns a runner crash mid-stream into a DriverError, without hanging', async () => {
    await assert.rejects(generate('mlx-community/fake-crash', 10), (error: unknown) => {
      assert.ok(error instanceof DriverError);
      assert.match(error.message, /^mlx: the Python runner exited with code 134: .*terminating due to uncaught exception/);
      return true;
    });
  });

  it('fails open with the load error for a model that cannot be loaded', async () => {
    await assert.rejects(appleSilicon.open('mlx-community/fake-missing', { contextTokens: 512, parallel: 1 }, ctx(fake.site)), /cannot load mlx-community\/fake-missing: no such model/);
  });

  it('fails open with an import error when the runner cannot import mlx_lm', async () => {
    await assert.rejects(
      appleSilicon.open('mlx-community/fake-normal', { contextTokens: 512, parallel: 1 }, ctx(empty.site)),
      /cannot import what it needs: No module named 'mlx_lm' \(pip install mlx-lm\)/,
    );
  });
});
