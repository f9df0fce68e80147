/** What a person sees during and after `llm-speed bench`: the live progress and the final table. */
import assert from 'node:assert/strict';
import { PassThrough } from 'node:stream';
import { createProgress } from '../../src/output/progress.js';
import { renderResultsTable } from '../../src/output/results-table.js';
import { renderDetectReport } from '../../src/output/detect-table.js';
import { check } from '../../src/contract/validate.js';
import type { RunnableWorkload } from '../../src/harness/plan.js';
import { sampleResult, sampleRun } from '../../src/testing/sample-run.js';

function capture(): { stream: NodeJS.WriteStream; text: () => string } {
  const stream = new PassThrough();
  let out = '';
  stream.on('data', (d: Buffer) => (out += d.toString()));
  return { stream: stream as unknown as NodeJS.WriteStream, text: () => out };
}

const W1: RunnableWorkload = { id: 'W1', name: 'chat-short', kind: 'single', prompt: 'x', outputTokens: 256 };

describe('bench output', () => {
  it('plain progress lines off a terminal: no redraws, one line per step, the figures at the end', () => {
    const { stream, text } = capture();
    const progress = createProgress(stream, false);
    progress.workloadStarted(W1);
    progress.workloadFinished(W1, sampleResult({ decode_tps: 251.4, ttft_ms: 31.2, prefill_tps: 4100 }) as never);
    progress.workloadFinished(W1, sampleResult({ error: 'llama-server exited with code 139' }) as never);
    progress.done();
    assert.equal(text(), 'running W1 chat-short\n✓ W1 chat-short: decode 251 tok/s · TTFT 31.2 ms · prefill 4100 tok/s\n✗ W1 chat-short: error: llama-server exited with code 139\n');
    assert.doesNotMatch(text(), /\r|\x1b/);
  });

  it('on a terminal, one status line redrawn in place at each step, cleared before a permanent line', () => {
    const { stream, text } = capture();
    const progress = createProgress(stream, true);
    progress.workloadStarted(W1, 'batch 1');
    progress.workloadStarted(W1, 'batch 4');
    progress.note('backend: llama.cpp');
    assert.match(text(), /^▶ W1 chat-short · batch 1\r\x1b\[2K▶ W1 chat-short · batch 4/);
    assert.ok(text().endsWith('\r\x1b[2Kbackend: llama.cpp\n'), JSON.stringify(text()));
  });


  it('the final table: one row per workload with both clocks, flags, errors, cache figures and the build', () => {
    const run = sampleRun([
      sampleResult({ workload: 'chat-short', backend_version: '0.5.0 (de3ff81)', backend_build: { kind: 'cuda', devices: ['NVIDIA H200'] }, ttft_ms: 27.8, prefill_tps: 4747, backend_prefill_tps: 5073.2, decode_tps: 331.1, backend_decode_tps: 333.9, decode_p50_latency_ms: 2.96, decode_p95_latency_ms: 5.05, prompt_tokens: 132, output_tokens: 256, token_counts: 'backend' }),
      sampleResult({ workload: 'chat-long', flags: ['warm-cache'], cached_prompt_tokens: 4057, token_counts: 'arrivals' }),
      sampleResult({ workload: 'concurrent-decode', batch_size: 16, flags: ['serial-concurrency'], batches: [{ batch: 16, aggregate_tps: 213.6, per_stream_tps: 309.6, p50_ms: 3, p95_ms: 4 }] }),
      sampleResult({ workload: 'agent-trace', error: 'turn 11 failed', flags: ['no-output'], prefix_cache_hit_rate: 0.84, decode_tps: null }),
    ]);
    const table = renderResultsTable(run as never);
    const lines = table.split('\n');
    assert.equal(lines[0], 'llama.cpp 0.5.0 (de3ff81) · cuda: NVIDIA H200 · Qwen/Qwen2.5-7B-Instruct-GGUF Q4_K_M · suite-v1');
    assert.match(lines[1]!, /^workload\s+TTFT ms\s+prefill tok\/s\s+\(backend\)\s+decode tok\/s\s+\(backend\)\s+p50 ms/);
    assert.match(lines.find((l) => l.startsWith('chat-short'))!, /^chat-short\s+27\.8\s+4747\s+5073\s+331\.1\s+333\.9\s+2\.96\s+5\.05\s+132→256\s*$/);
    assert.match(lines.find((l) => l.startsWith('chat-long'))!, /warm-cache, 4057 prompt tokens cached, counts: arrivals$/);
    assert.match(lines.find((l) => l.startsWith('concurrent-decode (batch 16)'))!, /serial-concurrency \(streams one after another\)/);
    assert.ok(lines.some((l) => /W4 streams ran one after another/.test(l)));
    assert.match(lines.find((l) => l.startsWith('agent-trace'))!, /–.*error: turn 11 failed, no-output, cache 84%/);
    assert.ok(lines.some((l) => /^\(backend\): the backend's own timers/.test(l)));
    // A backend that says nothing about its build is shown as unknown, not as a CPU.
    assert.match(renderResultsTable(sampleRun([sampleResult()]) as never).split('\n')[0]!, /· unknown build ·/);
  });

  it('detect shows each backend with its build, as the backend reports it', () => {
    const report = {
      fingerprint: sampleRun().fingerprint,
      drivers: [
        { name: 'llama.cpp', available: true, version: '0.5.0 (de3ff81)', build: { kind: 'cuda' as const, devices: ['NVIDIA H200'] } },
        { name: 'ollama', available: true, version: '0.5.1' },
        { name: 'vllm', available: false, reason: 'no vLLM server at http://127.0.0.1:8000' },
      ],
    };
    assert.deepEqual(check('driver', report, 'DetectReport'), []);
    const lines = renderDetectReport(report).split('\n');
    assert.ok(lines.includes('  llama.cpp  detected  0.5.0 (de3ff81) · cuda: NVIDIA H200'), lines.join('\n'));
    assert.ok(lines.includes('  ollama     detected  0.5.1'));
  });
});
