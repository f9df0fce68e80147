/**
 * The framework's driver contract suite, run against the MLX driver: the real python/mlx_runner.py
 * in this machine's python3, importing a fake `mlx_lm` package from PYTHONPATH (and a fake
 * `mlx.core` for the version). The fake follows mlx-lm's generate.py: load(path) → (model,
 * tokenizer); stream_generate(model, tokenizer, prompt, max_tokens) yields one GenerationResponse
 * per generated token (text, token, prompt_tokens, generation_tokens, finish_reason None until the
 * last, which says "length" once max_tokens are out). It generates exactly max_tokens, one every
 * few milliseconds like a small model, and logs each generation's start (with the runner's pid)
 * and end to a file, so the test can see that an aborted generation was stopped before it finished
 * and its runner process is gone.
 */
import { mkdir } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runDriverContractTests } from '@llm-speed/framework/contract-tests';
import { assertContractGenerations, fakePythonSite, type FakePythonSite } from '@llm-speed/framework/testing';
import { createMlxDriver } from '../src/index.js';

const MODEL = 'mlx-community/Llama-3.2-1B-Instruct-4bit';

const FAKE_MLX_LM = `
import json, os, time

__version__ = "0.28.0-fake"

class GenerationResponse:
    def __init__(self, text, token, prompt_tokens, generation_tokens, finish_reason):
        self.text = text
        self.token = token
        self.prompt_tokens = prompt_tokens
        self.generation_tokens = generation_tokens
        self.finish_reason = finish_reason

class Tokenizer:
    eos_token_ids = {2}
    def apply_chat_template(self, messages, add_generation_prompt=True, tokenize=False):
        return "".join(m["role"] + ": " + m["content"] + "\\n" for m in messages) + "assistant:"

def load(path):
    return {"path": path}, Tokenizer()

def log(line):
    with open(os.environ["FAKE_RUNNER_LOG"], "a") as f:
        f.write(line + "\\n")

def stream_generate(model, tokenizer, prompt, max_tokens=256, sampler=None, logits_processors=None, **kwargs):
    import mlx.core as mx
    prompt_tokens = len(prompt.split())
    log("start %d %d" % (max_tokens, os.getpid()))
    with open(os.environ["FAKE_RUNNER_REQUESTS"], "a") as f:
        f.write(json.dumps({"path": "stream_generate", "json": {"prompt": prompt, "max_tokens": max_tokens, "seed": mx.random.last_seed, **(sampler or {})}}) + "\\n")
    time.sleep(0.025)  # prefill: the first token comes no sooner
    for n in range(max_tokens):
        time.sleep(0.002)
        last = n + 1 == max_tokens
        yield GenerationResponse(" %d," % (n + 1), 100 + n, prompt_tokens, n + 1, "length" if last else None)
    log("end %d" % max_tokens)
`;

describe('mlx driver against a fake mlx_lm', () => {
  let site: FakePythonSite;
  // Filled in before the suite runs: the contract suite reads the context when each test starts.
  const env: NodeJS.ProcessEnv = { ...process.env };
  before(async () => {
    site = await fakePythonSite({
      'mlx_lm/__init__.py': FAKE_MLX_LM,
      // mlx.core.random.seed records the seed; sample_utils.make_sampler returns what it was given, for the request log.
      'mlx/__init__.py': '',
      'mlx/core.py':
        '__version__ = "0.29.0-fake"\nclass random:\n    last_seed = None\n    @staticmethod\n    def seed(s):\n        random.last_seed = s\ndef default_device():\n    return "Device(gpu, 0)"\n',
      'mlx_lm/sample_utils.py': 'def make_sampler(**kwargs):\n    return dict(kwargs)\ndef make_logits_processors(**kwargs):\n    return [dict(kwargs)]\n',
    });
    // One cached hub model, so listModels has an entry to check.
    await mkdir(join(site.dir, 'hub', `models--${MODEL.replace('/', '--')}`), { recursive: true });
    Object.assign(env, site.env, { HF_HUB_CACHE: join(site.dir, 'hub') });
  });
  after(() => site.cleanup());

  runDriverContractTests('mlx (real runner, fake mlx_lm)', {
    // Apple Silicon as far as detection goes: the fake makes any machine able to run it.
    driver: () => createMlxDriver({ platform: 'darwin', arch: 'arm64' }),
    context: { config: { python: 'python3' }, cacheDir: tmpdir(), env },
    modelRef: MODEL,
    outputTokens: 16,
    generationTimeoutMs: 30_000,
    backend: {
      // What the fake mlx_lm was asked: the prompt, and make_sampler's arguments (mlx_lm.sample_utils).
      requests: () => site.requests(),
      generationPath: 'stream_generate',
      firstTokenDelayMs: 25,
      sampling: { temperature: 'temp', topK: 'top_k', topP: 'top_p', minP: 'min_p', seed: 'seed' },
    },
  });

  describe('after the contract suite', () => {
    it('generated exactly the tokens asked for; the aborted generation never finished and its runner is gone', () => assertContractGenerations(site, 16));
  });
});
