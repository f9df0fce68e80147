/** A schema-valid run payload for tests (ours and drivers' or servers' of others); figures are arbitrary but plausible. */
import type { MeasuredResult, RunPayload } from '../contract/generated/run.js';

export function sampleResult(overrides: Partial<MeasuredResult> = {}): MeasuredResult {
  return {
    workload: 'chat-short',
    suite_version: 'suite-v1',
    suite_digest: 'ab'.repeat(32),
    backend: 'llama.cpp',
    backend_version: '7410',
    model: { identifier: 'Qwen/Qwen2.5-7B-Instruct-GGUF', name: 'Qwen2.5-7B-Instruct', size: '7B', quant: 'Q4_K_M', digest: 'cd'.repeat(32) },
    ttft_ms: 142.3,
    prefill_tps: 8421.1,
    decode_tps: 187.4,
    decode_p50_latency_ms: 5.3,
    decode_p95_latency_ms: 7.1,
    prompt_tokens: 128,
    output_tokens: 256,
    batch_size: 1,
    context_tokens: 384,
    wall_ms: 1530,
    prefix_cache_hit_rate: null,
    // Every result the CLI makes names its build; a result of an unknown build is never ranked (METHODOLOGY §6.1).
    backend_build: { kind: 'cuda', devices: ['NVIDIA GeForce RTX 4090'] },
    error: null,
    flags: [],
    extras: {},
    ...overrides,
  };
}

export function sampleRun(results: MeasuredResult[] = [sampleResult()], started = '2026-11-24T10:00:00.000Z'): RunPayload {
  return {
    fingerprint: {
      os_name: 'Linux',
      os_version: '6',
      cpu_model: 'AMD Ryzen 9 7950X3D',
      cpu_cores: 32,
      ram_gb: 64,
      gpus: [{ name: 'RTX 4090', kind: 'nvidia', memory_gb: 24 }],
      accelerator_summary: 'RTX 4090 24 GB + AMD Ryzen 9 7950X3D, 64 GB RAM',
      fingerprint_hash: 'a1b2c3d4e5f60708',
      extras: { backends: { 'llama.cpp': '7410' } },
    },
    results: results as RunPayload['results'],
    cli_version: '0.1.0',
    started_at: started,
    finished_at: '2026-11-24T10:01:00.000Z',
  };
}
