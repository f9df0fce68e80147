/** What a person sees during and after `llm-speed bench`: the live progress and the final table. */
import assert from 'node:assert/strict';
import { PassThrough } from 'node:stream';
import { createProgress } from '../../src/output/progress.js';
import { renderResultsTable, tableWidth } from '../../src/output/results-table.js';
import { renderDetectReport } from '../../src/output/detect-table.js';
import { check } from '../../src/contract/validate.js';
import type { RunnableWorkload } from '../../src/harness/plan.js';
import type { DriverSession } from '../../src/contract/driver.js';
import { now } from '../../src/harness/clock.js';
import { runWorkload, WARMUP_PROMPT, WARMUP_TOKENS } from '../../src/harness/runner.js';
import { sampleResult, sampleRun } from '../../src/testing/sample-run.js';

function capture(): { stream: NodeJS.WriteStream; text: () => string } {
  const stream = new PassThrough();
  let out = '';
  stream.on('data', (d: Buffer) => (out += d.toString()));
  return { stream: stream as unknown as NodeJS.WriteStream, text: () => out };
}

const W1: RunnableWorkload = { id: 'W1', name: 'chat-short', kind: 'single', prompt: 'x', outputTokens: 256 };
const W3 = { id: 'W3', name: 'long-context-decay', kind: 'single', prompt: 'x', outputTokens: 256 } as RunnableWorkload;

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

  it('a long step stays alive on a terminal: elapsed time, prefill until the first token, then decode with tokens so far, from a 1 Hz timer', async () => {
    const { stream, text } = capture();
    let now = 0;
    const progress = createProgress(stream, true, { redrawMs: 20, clock: () => now });
    progress.workloadStarted(W3, '32k context');
    const generation = { sentAt: 0, arrivals: [] as Array<{ t: number; count: number }>, arrivedTokens: 0 };
    progress.inFlight.add(generation);
    now = 64_000;
    await new Promise((r) => setTimeout(r, 60));
    assert.match(text(), /▶ W3 long-context-decay · 32k context · 1 m 04 s · prefill$/);
    generation.arrivals.push({ t: 64_100, count: 1 }, { t: 64_120, count: 2 });
    generation.arrivedTokens = 3;
    now = 65_000;
    await new Promise((r) => setTimeout(r, 60));
    assert.match(text(), /▶ W3 long-context-decay · 32k context · 1 m 05 s · decode · 3 tokens$/);
    progress.inFlight.delete(generation);
    progress.workloadFinished(W3, sampleResult({ workload: 'long-context-decay' }) as never);
    const after = text();
    await new Promise((r) => setTimeout(r, 60));
    assert.equal(text(), after, 'the timer stops with the step');
    // W4: streams still in their prefill while others decode.
    progress.workloadStarted(W3, 'batch 4');
    for (let i = 0; i < 4; i++) progress.inFlight.add({ sentAt: 0, arrivals: i < 1 ? [{ t: 1, count: 5 }] : [], arrivedTokens: i < 1 ? 5 : 0 });
    await new Promise((r) => setTimeout(r, 60));
    assert.match(text(), /decode \(1 of 4 streams\) · 5 tokens$/);
    progress.done();
  });

  it('off a terminal: a line every heartbeat while a step runs, never a redraw', async () => {
    const { stream, text } = capture();
    let now = 0;
    const progress = createProgress(stream, false, { heartbeatMs: 20, clock: () => now });
    progress.workloadStarted(W3, '32k context');
    now = 31_000;
    progress.inFlight.add({ sentAt: 0, arrivals: [], arrivedTokens: 0 });
    await new Promise((r) => setTimeout(r, 50));
    progress.done();
    assert.match(text(), /^running W3 long-context-decay · 32k context\n {2}… W3 long-context-decay · 32k context · 31 s · prefill\n/);
    assert.doesNotMatch(text(), /\r|\x1b/);
  });

  it('the runner registers each timed generation, and nothing is drawn per token (METHODOLOGY §3.5)', async () => {
    const { stream, text } = capture();
    let writes = 0;
    const counted = Object.assign(Object.create(stream), { write: (chunk: string) => (writes++, stream.write(chunk)) }) as NodeJS.WriteStream;
    const progress = createProgress(counted, true, { redrawMs: 50 });
    const TOKENS = 2_000;
    const session: DriverSession = {
      model: { identifier: 'm', name: 'm' },
      backendVersion: '1',
      capabilities: { streaming: true, true_concurrency: false, prefix_cache_stats: false, exact_output_length: true },
      extras: {},
      async *generate(req) {
        if (req.prompt === WARMUP_PROMPT) {
          yield { type: 'tokens', t: now(), count: WARMUP_TOKENS };
          yield { type: 'done', t: now(), stopReason: 'length' };
          return;
        }
        await new Promise((r) => setTimeout(r, 180)); // prefill
        for (let i = 0; i < TOKENS; i++) {
          yield { type: 'tokens', t: now(), count: 1 };
          if (i % 400 === 0) await new Promise((r) => setTimeout(r, 30));
        }
        yield { type: 'done', t: now(), stopReason: 'length' };
      },
      async close() {},
    };
    const seen: number[] = [];
    const peek = setInterval(() => seen.push(progress.inFlight.size), 20);
    const result = await runWorkload(
      { suiteVersion: 'suite-v1', suiteDigest: 'cd'.repeat(32), backend: 'test', session, signal: new AbortController().signal, progress },
      { ...W1, outputTokens: TOKENS },
    );
    clearInterval(peek);
    progress.done();
    assert.equal(result.output_tokens, TOKENS);
    assert.ok(seen.includes(1), 'the timed generation was in flight while it ran');
    assert.equal(progress.inFlight.size, 0, 'and removed when it ended');
    assert.match(text(), /· prefill/);
    assert.match(text(), /· decode · \d+ tokens/);
    // About 6 redraws over ~330 ms, plus the step lines: a handful, not one per token.
    assert.ok(writes < 40, `${writes} writes for ${TOKENS} tokens`);
  });

  it('the final table: one row per workload with both clocks, notes under their row, errors, cache figures and the build', () => {
    const run = sampleRun([
      sampleResult({
        workload: 'chat-short',
        backend_version: '0.5.0 (de3ff81)',
        backend_build: { kind: 'cuda', devices: ['NVIDIA H200'] },
        ttft_ms: 27.8,
        prefill_tps: 4747,
        backend_prefill_tps: 5073.2,
        decode_tps: 331.1,
        backend_decode_tps: 333.9,
        decode_p50_latency_ms: 2.96,
        decode_p95_latency_ms: 5.05,
        prompt_tokens: 132,
        output_tokens: 256,
        token_counts: 'backend',
      }),
      sampleResult({ workload: 'chat-long', flags: ['warm-cache'], cached_prompt_tokens: 4057, token_counts: 'arrivals' }),
      sampleResult({ workload: 'concurrent-decode', batch_size: 16, flags: ['serial-concurrency'], batches: [{ batch: 16, aggregate_tps: 213.6, per_stream_tps: 309.6, p50_ms: 3, p95_ms: 4 }] }),
      sampleResult({ workload: 'agent-trace', error: 'turn 11 failed', flags: ['no-output'], prefix_cache_hit_rate: 0.84, decode_tps: null }),
    ]);
    const lines = renderResultsTable(run as never, { width: 120 }).split('\n');
    assert.equal(lines[0], 'llama.cpp 0.5.0 (de3ff81) · cuda: NVIDIA H200 · Qwen/Qwen2.5-7B-Instruct-GGUF Q4_K_M · suite-v1');
    assert.match(lines[1]!, /^workload\s+n\s+TTFT ms\s+prefill\/s\s+\(backend\)\s+decode\/s\s+\(backend\)\s+p50 ms\s+p95 ms\s+in→out$/);
    // A result from an older CLI: one repetition, no interval.
    assert.match(
      lines.find((l) => l.startsWith('chat-short'))!,
      /^chat-short\s+1\s+27\.8\s+4747\s+5073\s+331\.1\s+333\.9\s+2\.96\s+5\.05\s+132→256$/,
    );
    const long = lines.findIndex((l) => l.startsWith('chat-long'));
    assert.equal(lines[long + 1], "    warm-cache (part of a prompt came from the backend's cache), 4057 prompt tokens cached, counts: arrivals", 'notes go under the row, flags in words');
    const w4 = lines.findIndex((l) => l.startsWith('concurrent-decode ×16'));
    assert.match(lines[w4 + 1]!, /^ {4}one stream of 16: decode 309\.6 tok\/s on llm-speed's clock$/);
    assert.match(lines[w4 + 2]!, /^ {4}serial-concurrency \(streams one after another\)/);
    assert.ok(lines.some((l) => /W4 streams ran one after another/.test(l)));
    const w5 = lines.findIndex((l) => l.startsWith('agent-trace'));
    assert.match(lines[w5]!, /–/);
    assert.equal(lines[w5 + 1], '    error: turn 11 failed, no-output (no token came back), cache 84%');
    assert.ok(lines.some((l) => /\(backend\): the backend's own timers/.test(l)));
    // A backend that says nothing about its build is shown as unknown, not as a CPU.
    assert.match(renderResultsTable(sampleRun([sampleResult({ backend_build: undefined })]) as never).split('\n')[0]!, /· unknown build ·/);
  });

  it('fits 80 columns (a pipe, or a terminal that wide): the backend clock and long notes move under the row, never inside it', () => {
    const longNote = 'llama-server exited with code 139 while the 16 streams of the largest batch were decoding, see its log';
    const run = sampleRun([
      sampleResult({
        workload: 'concurrent-decode',
        batch_size: 16,
        prompt_tokens: 16384,
        output_tokens: 4096,
        backend_prefill_tps: 5073.2,
        backend_decode_tps: 333.9,
        flags: ['embedded-engine', 'serial-concurrency', 'quick'],
        error: longNote,
        token_counts: 'tokenizer',
        batches: [{ batch: 16, aggregate_tps: 213.6, per_stream_tps: 309.6, p50_ms: 3, p95_ms: 4 }],
      }),
      sampleResult({
        workload: 'long-context-decay',
        backend_version: '0.5.0 (de3ff81), node-llama-cpp 3.22.1',
        tiers: [{ context_tokens: 32768, prefill_tps: 1234.5, decode_tps: 12.3, ttft_ms: 26543, output_tokens: 256 }],
      }),
    ]);
    // The case: on an 80-column terminal the notes wrapped inside the row ("embedded-engine, seri" / "al-concurrency").
    const tty = { isTTY: true, columns: 80 };
    const table = renderResultsTable(run as never, { width: tableWidth(tty) });
    const lines = table.split('\n');
    for (const line of lines) assert.ok(line.length <= 80, `${line.length} columns: ${line}`);
    const row = lines.findIndex((l) => l.startsWith('concurrent-decode ×16'));
    assert.match(lines[row]!, /16384→4096$/, 'the row ends with its last figure');
    // Too narrow for the latency columns: they go under the row too.
    assert.equal(lines[row + 1], '    per-token decode latency: p50 5.30 ms, p95 7.10 ms');
    // W4: the backend's per-stream clock beside llm-speed's per-stream decode, never beside the batch's throughput (issue 26.1).
    assert.equal(`${lines[row + 2]} ${lines[row + 3]!.trim()}`, "    one stream of 16: decode 309.6 tok/s on llm-speed's clock; backend's clock: decode 333.9 tok/s, prefill 5073 tok/s");
    assert.ok(lines[row + 4]!.startsWith('    error: llama-server exited'), lines[row + 4]);
    assert.ok(
      lines
        .slice(row + 4, row + 9)
        .join(' ')
        .replace(/\s+/g, ' ')
        .includes('embedded-engine (llama.cpp in-process), serial-concurrency (streams one after another), quick (a smoke test: not ranked)'),
      table,
    );
    // Not a terminal: 80; a wide terminal: the backend clock gets its columns back.
    assert.equal(tableWidth({}), 80);
    assert.equal(tableWidth({ isTTY: true, columns: 200 }), 200);
    const wide = renderResultsTable(run as never, { width: tableWidth({ isTTY: true, columns: 200 }) }).split('\n');
    assert.match(wide[1]!, /prefill\/s\s+\(backend\)/);
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
