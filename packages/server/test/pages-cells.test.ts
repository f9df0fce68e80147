/**
 * Page figures read cell by cell (issue 27, rows 8–10): the run page's W4 batch table by column
 * title, /compare's better/worse marks per metric, and the share card's text. Expected values are
 * the figures submitted and verdicts worked out by hand (METHODOLOGY §6.1: disjoint 95 % intervals
 * decide; times are better lower, rates higher), never taken from the code that renders them.
 * Cells are found by their row and column labels, so columns added beside them do not move the checks.
 */
import assert from 'node:assert/strict';
import { parse, type HTMLElement } from 'node-html-parser';
import type { MeasuredResult } from '@llm-speed/framework';
import { cardSvg, pickHeadline } from '../src/pages/pages.js';
import { forEachBackend, sampleResult, sampleRun, signedToken, startTestServer, type TestServer, RANK_EVERY_GROUP } from './helpers.js';

/** The cell of `table` in the row whose first cell reads `rowLabel`, under the header cell reading `column`. */
function cellOf(table: HTMLElement, rowLabel: string, column: string): HTMLElement {
  const rows = table.querySelectorAll('tr');
  const header = rows[0]!.querySelectorAll('th,td').map((c) => c.text.trim());
  const col = header.indexOf(column);
  assert.ok(col >= 0, `no column "${column}" in ${JSON.stringify(header)}`);
  const row = rows.find((r) => r.querySelector('th,td')?.text.trim() === rowLabel);
  assert.ok(row, `no row "${rowLabel}"`);
  return row.querySelectorAll('th,td')[col]!;
}

type Metric = 'ttft_ms' | 'prefill_tps' | 'decode_tps' | 'decode_p50_latency_ms' | 'decode_p95_latency_ms';
/**
 * A W1 result of single measurements: the run schema the server takes has no spreads yet, so each
 * figure's interval is its own point (METHODOLOGY §6.1: n = 1, noise unknown), and two different
 * points are a difference in the metric's direction.
 */
const measured = (figures: Record<Metric, number>): MeasuredResult => sampleResult(figures);

forEachBackend(
  'server: page cells',
  () => {
    let server: TestServer;
    before(async () => {
      server = await startTestServer({ ranking: RANK_EVERY_GROUP });
    });
    after(async function () {
      // Closing the server and dropping its PostgreSQL database can take longer than a test on the loaded 2-core machine.
      this.timeout(120_000);
      await server.stop();
    });

    it('run page: the W4 batch table shows each batch p50 and p95 in its own column', async () => {
      const w4 = sampleResult({
        workload: 'concurrent-decode',
        decode_tps: 300,
        batch_size: 8,
        output_tokens: 8 * 256,
        batches: [
          { batch: 1, aggregate_tps: 50.25, per_stream_tps: 50.25, p50_ms: 20.01, p95_ms: 24.02 },
          { batch: 8, aggregate_tps: 300.5, per_stream_tps: 37.5, p50_ms: 26.03, p95_ms: 41.04 },
        ],
      });
      const id = (await server.post('/v1/results', await signedToken(sampleRun([sampleResult(), w4])))).json.id;
      const table = parse((await server.get(`/r/${id}`)).text).querySelector('table.batches')!;
      assert.ok(table, 'the run page has a W4 batch table');
      // Two decimals for the percentiles (ms per token), one for rates: the figures as submitted.
      assert.equal(cellOf(table, '1', 'p50 (ms)').text.trim(), '20.01');
      assert.equal(cellOf(table, '1', 'p95 (ms)').text.trim(), '24.02');
      assert.equal(cellOf(table, '8', 'p50 (ms)').text.trim(), '26.03');
      assert.equal(cellOf(table, '8', 'p95 (ms)').text.trim(), '41.04');
      assert.equal(cellOf(table, '8', 'throughput, all streams (tok/s)').text.trim(), '300.5');
      assert.equal(cellOf(table, '8', 'one stream: decode tok/s').text.trim(), '37.5');
    });

    it('/compare: a higher p95 is worse, a lower TTFT and p50 better, rates the other way (hand-worked)', async () => {
      const baseline = measured({ ttft_ms: 140, prefill_tps: 8000, decode_tps: 180, decode_p50_latency_ms: 5.5, decode_p95_latency_ms: 30 });
      const candidate = measured({
        ttft_ms: 120, // 120/140 − 1 = −14.3 %, a time: better
        prefill_tps: 7000, // 7000/8000 − 1 = −12.5 %, a rate: worse
        decode_tps: 200, // 200/180 − 1 = +11.1 %, a rate: better
        decode_p50_latency_ms: 5.0, // 5.0/5.5 − 1 = −9.1 %, a time: better
        decode_p95_latency_ms: 45, // 45/30 − 1 = +50.0 %, a time: worse
      });
      const posted = [
        await server.post('/v1/results', await signedToken(sampleRun([baseline]))),
        await server.post('/v1/results', await signedToken(sampleRun([candidate], '2026-11-25T10:00:00.000Z'))),
      ];
      for (const p of posted) assert.equal(p.status, 201, p.text);
      const [a, b] = posted.map((p) => p.json.id as string);
      const res = await server.get(`/compare?runs=${a},${b}`);
      assert.equal(res.status, 200, res.text.slice(0, 400));
      const table = parse(res.text).querySelector('table.compare[data-workload="chat-short"]')!;
      const expected: Array<[Metric, 'better' | 'worse', string]> = [
        ['ttft_ms', 'better', '-14.3'],
        ['prefill_tps', 'worse', '-12.5'],
        ['decode_tps', 'better', '11.1'],
        ['decode_p50_latency_ms', 'better', '-9.1'],
        ['decode_p95_latency_ms', 'worse', '50.0'],
      ];
      for (const [metric, verdict, pct] of expected) {
        const diff = table.querySelector(`tr[data-metric="${metric}"] td[data-run="${b}"] span.diff`);
        assert.ok(diff, `${metric}: the candidate's cell carries its Δ`);
        assert.deepEqual(
          diff.classList.value.filter((c) => c === 'better' || c === 'worse'),
          [verdict],
          metric,
        );
        assert.equal(Number(diff.getAttribute('data-diff')).toFixed(1), pct, metric);
      }
      assert.equal(table.querySelector(`tr[data-metric="decode_p95_latency_ms"] td[data-run="${b}"]`)!.text.trim().split(/\s/)[0], '45.00');
    });
  },
  ['sqlite'],
);

describe('share card text', () => {
  it('W1 decode at one decimal with TTFT, the accelerator, and the other workloads at one decimal', () => {
    const run = sampleRun([sampleResult({ decode_tps: 187.4, ttft_ms: 142.3 }), sampleResult({ workload: 'chat-long', decode_tps: 95.25, ttft_ms: 900 })]);
    const texts = parse(cardSvg('r_abcdefghijk', run, pickHeadline(run)))
      .querySelectorAll('text')
      .map((t) => t.text.trim());
    // The big figure sits above its label: "187.4" then "tok/s decode · W1 …".
    const label = texts.findIndex((t) => t.startsWith('tok/s decode'));
    assert.ok(label > 0, `no decode label in ${JSON.stringify(texts)}`);
    assert.match(texts[label]!, /W1/);
    assert.ok(texts.includes('187.4'), `the W1 decode figure 187.4 in ${JSON.stringify(texts)}`);
    // TTFT below 10 s in ms, one decimal below 100 ms, none above (format.ts duration): 142.3 → "142 ms".
    const ttft = texts.findIndex((t) => t === 'to first token');
    assert.ok(ttft > 0, `no TTFT label in ${JSON.stringify(texts)}`);
    assert.equal(texts[ttft - 1], '142 ms');
    // The other workload's decode at one decimal: 95.25 (exact in binary) → "95.3", a tie taken upwards (ECMA-262 Number.prototype.toFixed).
    assert.ok(
      texts.some((t) => /decode tok\/s W2 95\.3\b/.test(t)),
      `W2 95.3 in ${JSON.stringify(texts)}`,
    );
    // The hardware label with the core count (#26.6): the sample fingerprint's summary
    // "RTX 4090 24 GB + AMD Ryzen 9 7950X3D, 64 GB RAM" with its cpu_cores 32 put before the memory.
    assert.ok(texts.includes('RTX 4090 24 GB + AMD Ryzen 9 7950X3D, 32 cores, 64 GB RAM'), JSON.stringify(texts));
  });
});
