/**
 * The framework's driver contract suite, run against the ExLlamaV2 driver: the real
 * python/exllamav2_runner.py in this machine's python3, importing fake `exllamav2` and `torch`
 * packages from PYTHONPATH. The fakes follow exllamav2's dynamic generator
 * (exllamav2/generator/dynamic.py, examples/inference_stream.py): ExLlamaV2Config/ExLlamaV2/
 * ExLlamaV2Cache/load_autosplit/ExLlamaV2Tokenizer.encode, ExLlamaV2DynamicJob(input_ids,
 * max_new_tokens, stop_conditions), and generator.iterate() returning per step a dict with stage
 * "streaming", token_ids (a [1, n] tensor) and, on the last, eos: True, eos_reason
 * ("max_new_tokens" | "stop_token") and new_tokens. The fake model reaches a stop token after
 * EOS_AT tokens when the job has stop conditions; without them it generates exactly
 * max_new_tokens, one token per step every few milliseconds. Each job's start (with the runner's
 * pid) and end are logged to a file, so the test can see that an aborted generation was stopped
 * before it finished and its runner process is gone.
 */
import { tmpdir } from 'node:os';
import { runDriverContractTests } from '@llm-speed/framework/contract-tests';
import { assertContractGenerations, fakePythonSite, type FakePythonSite } from '@llm-speed/framework/testing';
import { createExllamaV2Driver } from '../src/index.js';
import { FAKE_EXLLAMAV2, FAKE_TORCH } from './fake-exllamav2.js';

const FAKE_GENERATOR = `
import json, os, time
from exllamav2 import Tensor

EOS_AT = 10

def log(line):
    with open(os.environ["FAKE_RUNNER_LOG"], "a") as f:
        f.write(line + "\\n")

class ExLlamaV2Sampler:
    class Settings:
        def __init__(self):
            self.temperature, self.top_k, self.top_p, self.min_p, self.token_repetition_penalty = 0.8, 50, 0.8, 0.0, 1.025

class ExLlamaV2DynamicJob:
    def __init__(self, input_ids=None, max_new_tokens=0, min_new_tokens=0, stop_conditions=None, gen_settings=None, seed=None, **kwargs):
        self.max_new_tokens = max_new_tokens
        self.stop_conditions = stop_conditions
        self.prompt_tokens = input_ids.shape[-1]
        settings = vars(gen_settings) if gen_settings is not None else {}
        with open(os.environ["FAKE_RUNNER_REQUESTS"], "a") as f:
            f.write(json.dumps({"path": "job", "json": {"prompt": input_ids.text, "seed": seed, **settings}}) + "\\n")

class ExLlamaV2DynamicGenerator:
    def __init__(self, model=None, cache=None, tokenizer=None, **kwargs):
        self.jobs = []
    def enqueue(self, job):
        log("start %d %d" % (job.max_new_tokens, os.getpid()))
        self.jobs.append([job, 0])
    def num_remaining_jobs(self):
        return len(self.jobs)
    def iterate(self):
        job, done = self.jobs[0]
        time.sleep(0.025 if done == 0 else 0.002)  # prefill before the first token
        end = min(EOS_AT, job.max_new_tokens) if job.stop_conditions else job.max_new_tokens
        done += 1
        self.jobs[0][1] = done
        result = {"job": job, "stage": "streaming", "eos": False, "serial": 0, "identifier": None, "text": " %d," % done, "token_ids": Tensor(1)}
        if done >= end:
            self.jobs.pop(0)
            log("end %d" % done)
            result.update({"eos": True, "eos_reason": "max_new_tokens" if done == job.max_new_tokens else "stop_token", "new_tokens": done, "prompt_tokens": job.prompt_tokens})
        return [result]
`;

describe('exllamav2 driver against a fake exllamav2', () => {
  let site: FakePythonSite;
  // Filled in before the suite runs: the contract suite reads the context when each test starts.
  const env: NodeJS.ProcessEnv = { ...process.env, LLM_SPEED_PYTHON: 'python3' };
  before(async () => {
    site = await fakePythonSite({ 'exllamav2/__init__.py': FAKE_EXLLAMAV2, 'exllamav2/generator/__init__.py': FAKE_GENERATOR, 'torch/__init__.py': FAKE_TORCH });
    Object.assign(env, site.env);
  });
  after(() => site.cleanup());

  runDriverContractTests('exllamav2 (real runner, fake exllamav2)', {
    // CUDA comes from the fake torch; no nvidia-smi lookup on this machine's PATH.
    driver: () => createExllamaV2Driver({ hasNvidiaSmi: async () => false }),
    context: { config: {}, cacheDir: tmpdir(), env },
    modelRef: '/models/Llama-3.2-1B-Instruct-exl2-4.0bpw',
    outputTokens: 16,
    generationTimeoutMs: 30_000,
    backend: {
      // Each job the fake generator was given: the prompt text, its seed and its ExLlamaV2Sampler.Settings.
      requests: () => site.requests(),
      generationPath: 'job',
      firstTokenDelayMs: 25,
      sampling: { temperature: 'temperature', topK: 'top_k', topP: 'top_p', minP: 'min_p', repeatPenalty: 'token_repetition_penalty', seed: 'seed' },
    },
  });

  describe('after the contract suite', () => {
    it('generated exactly the tokens asked for; the aborted generation never finished and its runner is gone', () => assertContractGenerations(site, 16));
  });
});
