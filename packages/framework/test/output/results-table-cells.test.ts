/**
 * The final table's figures, read cell by cell (issue 27, row 7): each percentile is checked in
 * the column or phrase that names it, so a p50 printed as "p95" fails. Cells are found by their
 * label (the header's column title, the "W4 batch N" line), not by whole-line snapshots, so
 * columns added beside them (spreads, repetitions) do not move these checks.
 */
import assert from 'node:assert/strict';
import { renderResultsTable } from '../../src/output/results-table.js';
import { sampleResult, sampleRun } from '../../src/testing/sample-run.js';

/** A right-aligned column's cell in `row`: the text that ends where the header's title ends (`last`: its last column of that title). */
function cell(table: string[], title: string, rowLabel: string, last = false): string {
  const header = table.find((l) => l.includes(title));
  assert.ok(header, `no column "${title}" in:\n${table.join('\n')}`);
  const end = (last ? header.lastIndexOf(title) : header.indexOf(title)) + title.length;
  const row = table.find((l) => l.trimStart().startsWith(rowLabel));
  assert.ok(row, `no row "${rowLabel}" in:\n${table.join('\n')}`);
  return row.slice(0, end).split(/\s+/).at(-1)!;
}

/** `<name> <number> ms` on the line that `label` matches, with its wrapped continuation (deeper indent). */
function phrase(table: string[], label: RegExp, name: string): string {
  const i = table.findIndex((l) => label.test(l));
  assert.ok(i >= 0, `no line "${label}" in:\n${table.join('\n')}`);
  let line = table[i]!;
  for (let j = i + 1; j < table.length && table[j]!.startsWith('    '); j++) line += ' ' + table[j]!.trim();
  const m = new RegExp(`\\b${name} ([\\d.]+) ms`).exec(line);
  assert.ok(m, `no "${name} … ms" in "${line}"`);
  return m[1]!;
}

describe('final results table: each percentile in its own cell', () => {
  // Every figure distinct, so a cell showing its neighbour's figure cannot pass.
  const w1 = sampleResult({ workload: 'chat-short', decode_p50_latency_ms: 21.25, decode_p95_latency_ms: 29.75 });
  const w4 = sampleResult({
    workload: 'concurrent-decode',
    batch_size: 8,
    output_tokens: 8 * 256,
    decode_tps: 300,
    batches: [
      { batch: 1, aggregate_tps: 50, per_stream_tps: 50, p50_ms: 20.01, p95_ms: 24.02 },
      { batch: 8, aggregate_tps: 300, per_stream_tps: 37.5, p50_ms: 26.03, p95_ms: 41.04 },
    ],
  });
  const turn = (n: number) => ({ turn: n, ttft_ms: 300, decode_tps: 40, prompt_tokens: 1000 * n, output_tokens: 128, wall_ms: 800 + n });
  const w5 = sampleResult({ workload: 'agent-trace', turns: [1, 2, 3].map(turn), turn_p50_ms: 812.5, turn_p95_ms: 944.5, wall_ms: 9001 });

  for (const width of [80, 160]) {
    it(`at ${width} columns: decode p50/p95 columns, W4 batch lines and the W5 turn line`, () => {
      const table = renderResultsTable(sampleRun([w1, w4, w5]), { width }).split('\n');
      const label = table
        .find((l) => /chat-short/.test(l) && /\d/.test(l))!
        .trimStart()
        .split(/\s{2,}/)[0]!;
      // Two decimals (results-table.ts P50/P95 columns): 21.25 and 29.75 as given.
      assert.equal(cell(table, 'p50 ms', label), '21.25');
      assert.equal(cell(table, 'p95 ms', label), '29.75');
      assert.equal(phrase(table, /^\s*W4 batch\s+1:/, 'p50'), '20.01');
      assert.equal(phrase(table, /^\s*W4 batch\s+1:/, 'p95'), '24.02');
      assert.equal(phrase(table, /^\s*W4 batch\s+8:/, 'p50'), '26.03');
      assert.equal(phrase(table, /^\s*W4 batch\s+8:/, 'p95'), '41.04');
      // W5 turn percentiles at one decimal: 812.5 and 944.5 (figures of 1000 and more lose their decimals).
      assert.equal(phrase(table, /^\s*W5 \d+ turns:/, 'p50'), '812.5');
      assert.equal(phrase(table, /^\s*W5 \d+ turns:/, 'p95'), '944.5');
    });
  }

  it("the backend's own clock: under its row at 80 columns, in (backend) columns when they fit, – where it has none", () => {
    // 8000.4 ≥ 1000 prints without decimals; 190.25 (exact in binary) at one decimal rounds its tie up: 190.3.
    const both = sampleResult({ workload: 'chat-short', backend_prefill_tps: 8000.4, backend_decode_tps: 190.25 });
    const decodeOnly = sampleResult({ workload: 'chat-long', backend_decode_tps: 95.5 });
    const narrow = renderResultsTable(sampleRun([both, decodeOnly, w5]), { width: 80 }).split('\n');
    const under = (label: string) => narrow[narrow.findIndex((l) => l.trimStart().startsWith(label)) + 1]!;
    assert.equal(under('chat-short').trim(), "backend's clock: prefill 8000/s, decode 190.3/s");
    assert.equal(under('chat-long').trim(), "backend's clock: prefill –/s, decode 95.5/s");
    assert.ok(!under('agent-trace').includes("backend's clock"), 'a result without backend timers gets no such line');
    assert.ok(narrow.some((l) => l.includes('under a row where it has them')));
    const wide = renderResultsTable(sampleRun([both, decodeOnly]), { width: 200 }).split('\n');
    // Two "(backend)" columns: prefill's after prefill/s, decode's after decode/s.
    assert.equal(cell(wide, '(backend)', 'chat-short'), '8000');
    assert.equal(cell(wide, '(backend)', 'chat-long'), '–');
    assert.equal(cell(wide, '(backend)', 'chat-long', true), '95.5');
    assert.ok(!wide.some((l) => l.includes("backend's clock:")));
    const none = renderResultsTable(sampleRun([sampleResult()]), { width: 80 });
    assert.match(none, /the backend\s+reported no timers of its own/);
  });
});
