/** What a person sees during and after `llm-speed bench`: the live progress and the final table. */
import assert from 'node:assert/strict';
import { PassThrough } from 'node:stream';
import { createProgress } from '../../src/output/progress.js';
import { renderResultsTable } from '../../src/output/results-table.js';
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
    progress.tokens(W1, 10, 250);
    progress.workloadFinished(W1, sampleResult({ decode_tps: 251.4, ttft_ms: 31.2, prefill_tps: 4100 }) as never);
    progress.workloadFinished(W1, sampleResult({ error: 'llama-server exited with code 139' }) as never);
    progress.done();
    assert.equal(text(), 'running W1 chat-short\n✓ W1 chat-short: decode 251 tok/s · TTFT 31.2 ms · prefill 4100 tok/s\n✗ W1 chat-short: error: llama-server exited with code 139\n');
    assert.doesNotMatch(text(), /\r|\x1b/);
  });

  it('on a terminal, one status line redrawn in place, cleared before a permanent line', () => {
    const { stream, text } = capture();
    const progress = createProgress(stream, true);
    progress.workloadStarted(W1, 'batch 4');
    progress.tokens(W1, 64, 120.5);
    progress.note('backend: llama.cpp');
    assert.match(text(), /^▶ W1 chat-short · batch 4/);
    assert.match(text(), /\r\x1b\[2K▶ W1 chat-short · batch 4 · 64 tokens · 120\.5 tok\/s/);
    assert.ok(text().endsWith('\r\x1b[2Kbackend: llama.cpp\n'), JSON.stringify(text()));
  });

  it('the final table: one row per workload with its signals, flags, errors and cache hit rate', () => {
    const run = sampleRun([
      sampleResult({ workload: 'chat-short', ttft_ms: 27.8, prefill_tps: 4747, decode_tps: 331.1, decode_p50_latency_ms: 2.96, decode_p95_latency_ms: 5.05, prompt_tokens: 132, output_tokens: 256 }),
      sampleResult({ workload: 'agent-trace', error: 'turn 11 failed', flags: ['no-output'], prefix_cache_hit_rate: 0.84, decode_tps: null }),
    ]);
    const table = renderResultsTable(run as never);
    const lines = table.split('\n');
    assert.match(lines.find((l) => l.startsWith('chat-short'))!, /^chat-short\s+27\.8\s+4747\s+331\.1\s+2\.96\s+5\.05\s+132→256/);
    assert.match(lines.find((l) => l.startsWith('agent-trace'))!, /–.*error: turn 11 failed, no-output, cache 84%/);
  });
});
