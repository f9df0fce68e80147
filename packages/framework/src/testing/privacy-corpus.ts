/**
 * The planted-data corpus (issue 12): each class of personal data × each free-form field of a run,
 * and genuine runs in the shape each bundled driver reports. The framework's tests put them
 * through the client path (buildUploadPayload: scrubbed or refused), the server's POST them signed
 * to a real server (none may be stored). Third-party servers can reuse it.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { MeasuredResult, RunPayload } from '../contract/generated/run.js';
import { SUITES_ROOT } from '../suite/load.js';
import { sampleResult, sampleRun } from './sample-run.js';

/** Prompt text from the shipped suite-v1 fixtures (W2 and W1), so the copy is real. */
function fixtureProse(length: number, offset = 400): string {
  const text = readFileSync(join(SUITES_ROOT, 'suite-v1', 'fixtures', 'w2-paragraphs.txt'), 'utf8').replace(/\s+/g, ' ');
  return text.slice(offset, offset + length);
}

export interface PlantedClass {
  name: string;
  value: string;
  /** The same datum spelled for a field limited to `^[a-z0-9][a-z0-9_-]*$` (flags), if it can be. */
  flagForm?: string;
}

export function plantedClasses(): PlantedClass[] {
  return [
    { name: 'hostname', value: 'alice-thinkpad.corp.example.com' },
    { name: 'user name in a path', value: '/home/alice/models/secret-model.gguf' },
    { name: 'user name in a Windows path', value: 'C:\\Users\\alice\\models\\m.gguf' },
    { name: 'MAC address', value: '3c:22:fb:12:34:56', flagForm: '3c-22-fb-12-34-56' },
    { name: 'IPv4 address', value: '192.168.17.23' },
    { name: 'IPv6 address', value: 'fe80::1c2d:3e4f:5a6b:7c8d' },
    { name: 'e-mail address', value: 'alice.smith@example.com' },
    { name: 'prompt text from the fixtures', value: fixtureProse(40) },
    { name: 'long prompt text', value: fixtureProse(1500, 0) },
  ];
}

export interface PlantedField {
  path: string;
  plant(run: RunPayload, value: string, planted: PlantedClass): void;
}

function first(run: RunPayload): MeasuredResult {
  return run.results[0]!;
}

/** Every free-form string position of a run (paths as the privacy rules name them). */
export function plantedFields(): PlantedField[] {
  return [
    { path: 'results[0].extras.note', plant: (run, v) => (first(run).extras = { ...first(run).extras, note: v }) },
    // Keys are limited to ^[A-Za-z0-9_.-]{1,64}$: classes that cannot be spelled so are refused by the schema.
    { path: 'results[0].extras.<key>', plant: (run, _v, p) => (first(run).extras = { ...first(run).extras, [p.flagForm ?? p.value]: 1 }) },
    { path: 'results[0].model.name', plant: (run, v) => (first(run).model.name = v) },
    { path: 'results[0].model.identifier', plant: (run, v) => (first(run).model.identifier = v) },
    { path: 'results[0].model.quant', plant: (run, v) => (first(run).model.quant = v) },
    { path: 'results[0].model.size', plant: (run, v) => (first(run).model.size = v) },
    { path: 'results[0].model.digest', plant: (run, v) => (first(run).model.digest = v) },
    { path: 'results[0].backend_version', plant: (run, v) => (first(run).backend_version = v) },
    { path: 'results[0].error', plant: (run, v) => (first(run).error = v) },
    { path: 'results[0].flags[0]', plant: (run, _v, p) => (first(run).flags = [p.flagForm ?? p.value]) },
    { path: 'results[0].tiers[0].skipped', plant: (run, v) => (first(run).tiers = [{ context_tokens: 32768, prefill_tps: null, decode_tps: null, ttft_ms: null, skipped: v }]) },
    { path: 'results[0].tiers[0].error', plant: (run, v) => (first(run).tiers = [{ context_tokens: 32768, prefill_tps: null, decode_tps: null, ttft_ms: null, error: v }]) },
    { path: 'results[0].batches[0].error', plant: (run, v) => (first(run).batches = [{ batch: 4, aggregate_tps: null, per_stream_tps: null, p50_ms: null, p95_ms: null, error: v }]) },
    { path: 'results[0].turns[0].error', plant: (run, v) => (first(run).turns = [{ turn: 1, ttft_ms: null, decode_tps: null, prompt_tokens: null, output_tokens: null, wall_ms: 0, error: v }]) },
    { path: 'results[0].backend_build.devices[0]', plant: (run, v) => (first(run).backend_build = { kind: 'cuda', devices: [v] }) },
    { path: 'fingerprint.cpu_model', plant: (run, v) => (run.fingerprint.cpu_model = v) },
    { path: 'fingerprint.gpus[0].name', plant: (run, v) => (run.fingerprint.gpus[0]!.name = v) },
    { path: 'fingerprint.accelerator_summary', plant: (run, v) => (run.fingerprint.accelerator_summary = v) },
    { path: 'fingerprint.extras.backends.llama.cpp', plant: (run, v) => (run.fingerprint.extras.backends['llama.cpp'] = v) },
    { path: 'cli_version', plant: (run, v) => (run.cli_version = v) },
  ];
}

/** A 40-character fixture copy cut into pieces and spread over several fields. */
export function splitFixtureRuns(): Array<{ name: string; run: RunPayload }> {
  const text = fixtureProse(48, 900);
  const inOrder = sampleRun([sampleResult({ extras: { p1: text.slice(0, 10), p2: text.slice(10, 20), p3: text.slice(20, 30), p4: text.slice(30, 40) } })]);
  const scattered = sampleRun([sampleResult({ backend_version: text.slice(0, 16), error: text.slice(32, 48) })]);
  scattered.fingerprint.cpu_model = text.slice(16, 32);
  return [
    { name: 'fixture text split over four extras values in key order', run: sanitiseForSchema(inOrder) },
    { name: 'fixture text split over three unrelated fields', run: scattered },
  ];
}

/** Extras that break the extras rules without carrying an identifiable datum. */
export function oversizeExtrasRuns(): Array<{ name: string; run: RunPayload }> {
  const many: Record<string, string> = {};
  for (let i = 0; i < 40; i++) many[`k${i}`] = 'x'.repeat(60);
  return [
    { name: 'an extras string of 65 characters', run: sampleRun([sampleResult({ extras: { note: 'y'.repeat(65) } })]) },
    { name: 'an extras string with unsafe characters', run: sampleRun([sampleResult({ extras: { note: '<script>' } })]) },
    { name: 'a nested extras value', run: sampleRun([sampleResult({ extras: { note: { a: 1 } as unknown as string } })]) },
    { name: 'extras over 2 KiB', run: sampleRun([sampleResult({ extras: many })]) },
  ];
}

function sanitiseForSchema(run: RunPayload): RunPayload {
  for (const r of run.results) for (const [k, v] of Object.entries(r.extras)) if (typeof v === 'string') r.extras[k] = v.replace(/[^A-Za-z0-9 _.,:+()/=-]/g, ' ');
  return run;
}

/**
 * A genuine run in the shape of each bundled driver: its backend name and version form, its model
 * reference form and its extras, as its driver code writes them.
 */
export function bundledDriverRuns(): Array<{ driver: string; run: RunPayload }> {
  const run = (result: Partial<MeasuredResult>, gpu?: { name: string; kind: 'nvidia' | 'amd' | 'apple' | 'intel' | 'cpu'; memory_gb: number }, cpu?: string) => {
    const r = sampleRun([sampleResult(result)]);
    r.fingerprint.extras.backends = { [result.backend ?? 'llama.cpp']: result.backend_version ?? '' };
    if (gpu) {
      r.fingerprint.gpus = [gpu];
      r.fingerprint.accelerator_summary = `${gpu.name} ${gpu.memory_gb} GB + ${cpu ?? r.fingerprint.cpu_model}, 64 GB RAM`;
    }
    if (cpu) r.fingerprint.cpu_model = cpu;
    return r;
  };
  return [
    {
      driver: 'llama.cpp (spawned llama-server)',
      run: run(
        {
          backend: 'llama.cpp',
          backend_version: 'b7410 (de3ff81)',
          model: { identifier: 'Meta-Llama-3.1-8B-Instruct-Q4_K_M.gguf', name: 'Meta-Llama-3.1-8B-Instruct', size: '8B', quant: 'Q4_K_M', digest: 'cd'.repeat(32) },
          backend_build: { kind: 'cuda', devices: ['NVIDIA GeForce RTX 4090'] },
          extras: {
            engine: 'server',
            mode: 'spawn',
            threads: 16,
            parallel: 4,
            n_ctx: 8192,
            prompt_n: 128,
            prompt_ms: 15.2,
            predicted_n: 256,
            predicted_ms: 1366.1,
            predicted_per_second: 187.4,
            cache_n: 0,
          },
        },
        { name: 'NVIDIA GeForce RTX 4090', kind: 'nvidia', memory_gb: 24 },
        'Intel(R) Xeon(R) CPU @ 2.20GHz',
      ),
    },
    {
      driver: 'llama.cpp (embedded node-llama-cpp)',
      run: run({
        backend: 'llama.cpp',
        backend_version: 'node-llama-cpp 3.14.2 (llama.cpp b6550)',
        model: { identifier: 'model-q4_0.gguf', name: 'model-q4_0', size: null, quant: 'Q4_0', digest: 'ef'.repeat(32) },
        backend_build: { kind: 'cpu' },
        extras: { engine: 'embedded', threads: 2, batch_size: 512, sampling: 'greedy' },
      }),
    },
    {
      driver: 'ollama',
      run: run(
        {
          backend: 'ollama',
          backend_version: '0.5.7',
          model: { identifier: 'hf.co/bartowski/Llama-3.2-3B-Instruct-GGUF:Q4_K_M', name: 'llama3.2:3b-instruct-q4_K_M', size: '3.2B', quant: 'Q4_K_M', digest: 'sha256:' + 'ab'.repeat(32) },
          backend_build: { kind: 'metal', devices: ['Apple M2 Max'] },
          extras: { num_ctx: 8192, family: 'llama', prompt_eval_count: 128, prompt_eval_duration_ms: 41.2, eval_count: 256, eval_duration_ms: 2900.5, load_duration_ms: 12.9 },
        },
        { name: 'Apple M2 Max', kind: 'apple', memory_gb: 32 },
        'Apple M2 Max',
      ),
    },
    {
      driver: 'vLLM',
      run: run(
        {
          backend: 'vllm',
          backend_version: '0.6.1.post2',
          model: { identifier: 'Qwen/Qwen2.5-7B-Instruct', name: 'Qwen2.5-7B-Instruct', size: '7B', quant: null, digest: null },
          backend_build: { kind: 'cuda', devices: ['NVIDIA H200'] },
          extras: { api: 'openai-compatible', max_model_len: 32768 },
        },
        { name: 'NVIDIA H200', kind: 'nvidia', memory_gb: 144 },
        'AMD EPYC 9654 96-Core Processor',
      ),
    },
    {
      driver: 'MLX',
      run: run(
        {
          backend: 'mlx',
          backend_version: 'mlx-lm 0.20.1 (mlx 0.21.1)',
          model: { identifier: 'mlx-community/Llama-3.2-3B-Instruct-4bit', name: 'mlx-community/Llama-3.2-3B-Instruct-4bit', size: null, quant: '4bit', digest: null },
          backend_build: { kind: 'metal', devices: ['Apple M3 Pro'] },
          extras: { engine: 'mlx_lm.stream_generate' },
        },
        { name: 'Apple M3 Pro', kind: 'apple', memory_gb: 40 },
        'Apple M3 Pro',
      ),
    },
    {
      driver: 'ExLlamaV2',
      run: run(
        {
          backend: 'exllamav2',
          backend_version: 'exllamav2 0.2.7 (torch 2.5.1+cu124)',
          model: { identifier: 'Llama-3.1-8B-Instruct-exl2-4.0bpw', name: 'Llama-3.1-8B-Instruct-exl2-4.0bpw', size: null, quant: '4.0bpw', digest: null },
          backend_build: { kind: 'cuda', devices: ['NVIDIA GeForce RTX 3090'] },
          extras: { engine: 'ExLlamaV2DynamicGenerator', max_seq_len: 8192, cuda: '12.4' },
        },
        { name: 'NVIDIA GeForce RTX 3090', kind: 'nvidia', memory_gb: 24 },
        'AMD Ryzen 9 7950X3D 16-Core Processor',
      ),
    },
    {
      driver: 'hosted APIs',
      run: run({
        backend: 'hosted',
        backend_version: 'openrouter',
        model: { identifier: 'openrouter:meta-llama/llama-4-scout', name: 'meta-llama/llama-4-scout', size: null, quant: null, digest: null },
        backend_build: { kind: 'remote' },
        flags: ['hosted-provider', 'short-output'],
        error: 'HTTP 429 from POST https://openrouter.ai/api/v1/chat/completions: rate limited, retried',
        extras: { provider: 'openrouter', protocol: 'openai', note: 'measures the provider API over the network, not local hardware' },
      }),
    },
  ];
}
