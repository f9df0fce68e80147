import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { MeasuredResult } from '../../src/contract/generated/run.js';
import { compareRuns, loadRunRef, parseThreshold, renderComparison, renderComparisonMarkdown, shortLabels, type LabelledRun } from '../../src/tools/compare-runs.js';
import { jsonResponse, startReplayServer } from '../../src/testing/replay-server.js';
import { guessSchema, validateFile } from '../../src/tools/validate-files.js';
import { sampleResult, sampleRun } from '../helpers/sample-run.js';

/** A result carrying the agreed spread shape by hand: the headline as median, the interval given, 5 repetitions. */
function repeated(overrides: Partial<MeasuredResult>, intervals: Record<string, [number, number]>): MeasuredResult {
  const result = sampleResult(overrides);
  const spread = Object.fromEntries(Object.entries(intervals).map(([metric, [lo, hi]]) => [metric, { n: 5, median: result[metric as 'decode_tps'], ci_low: lo, ci_high: hi, cv: 0.02 }]));
  return { ...result, repetitions: 5, spread } as MeasuredResult;
}
const run = (results: MeasuredResult[]) => sampleRun(results);
const labelled = (runs: Record<string, ReturnType<typeof sampleRun>>): LabelledRun[] => Object.entries(runs).map(([label, r]) => ({ label, run: r }));

describe('compare', () => {
  it('computes % differences per workload and metric, with "better" per metric direction', () => {
    const a = sampleRun([sampleResult({ decode_tps: 100, ttft_ms: 200 })]);
    const b = sampleRun([sampleResult({ decode_tps: 110, ttft_ms: 250 })]);
    const c = compareRuns([
      { label: 'a', run: a },
      { label: 'b', run: b },
    ]);
    assert.deepEqual(c.warnings, []);
    const decode = c.rows.find((r) => r.metric === 'decode_tps')!;
    assert.deepEqual(decode.values, [100, 110]);
    assert.ok(Math.abs(decode.diff_pct[1]! - 10) < 1e-9);
    assert.equal(decode.better[1], true);
    const ttft = c.rows.find((r) => r.metric === 'ttft_ms')!;
    assert.ok(Math.abs(ttft.diff_pct[1]! - 25) < 1e-9);
    assert.equal(ttft.better[1], false, 'a higher TTFT is worse');
    // Single measurements (no spread): the Δ says n = 1, so nobody reads it as beyond noise.
    assert.deepEqual(decode.verdicts, ['baseline', 'noise-unknown']);
    assert.match(renderComparison(c, false), /decode_tps\s+100\.00\s+110\.00 \(\+10\.0 %, n = 1\)/);
    assert.match(renderComparison(c, false), /n = 1: single measurements, noise unknown/);
    assert.match(renderComparison(c, true), /\x1b\[32m110\.00 \(\+10\.0 %, n = 1\)/);
  });

  it('never compares different suites or model digests silently', () => {
    const a = sampleRun([sampleResult()]);
    const b = sampleRun([sampleResult({ suite_version: 'suite-v2', model: { identifier: 'x', name: 'x', digest: 'ee'.repeat(32) } })]);
    const c = compareRuns([
      { label: 'a', run: a },
      { label: 'b', run: b },
    ]);
    assert.deepEqual(c.warnings, [`chat-short: a and b are in different groups (suite version: suite-v1 vs suite-v2; model: digest ${'cd'.repeat(6)} vs digest ${'ee'.repeat(6)})`]);
    assert.match(renderComparison(c, false), /^warning: chat-short: a and b are in different groups/m);
    // Another suite version ran other prompts: no Δ, and the table says so itself (#26.9).
    assert.ok(c.rows.every((r) => r.diff_pct[1] === null && r.verdicts[1] === 'not-comparable'));
    assert.match(renderComparison(c, false), /chat-short\s+standing\s+baseline, 1 rep\s+NOT COMPARABLE \[1\], 1 rep/);
    assert.match(renderComparison(c, false), /^\[1\] b on chat-short: suite version suite-v1 vs suite-v2 \(other prompts\)$/m);
    assert.equal(c.comparability[0]!.comparable, false);
    assert.ok(c.rows.length > 0, 'shown anyway');
  });

  it("warns per workload, by the server's rule, when a run is not comparable or the runs are in different groups", () => {
    const full = sampleRun([sampleResult({ extras: { engine: 'server' } }), sampleResult({ workload: 'chat-long', output_tokens: 1024, extras: { engine: 'server' } })]);
    const quick = sampleRun([
      sampleResult({ flags: ['quick'], output_tokens: 32, extras: { engine: 'embedded' } }),
      sampleResult({ workload: 'chat-long', output_tokens: 1024, extras: { engine: 'embedded' } }),
    ]);
    const c = compareRuns([
      { label: 'full.json', run: full },
      { label: 'quick.json', run: quick },
    ]);
    assert.deepEqual(c.warnings, [
      'chat-short: quick.json is not comparable: quick run (32 of 256 tokens)',
      'chat-short, chat-long: full.json and quick.json are in different groups (engine: server vs embedded)',
    ]);
    const [short, long] = c.comparability;
    assert.deepEqual(
      short!.runs.map((r) => r && r.comparable),
      [true, false],
    );
    assert.deepEqual(short!.runs[1]!.reasons, ['quick run (32 of 256 tokens)']);
    assert.deepEqual(long!.runs[1]!.differences, ['engine: server vs embedded']);
    assert.equal(long!.runs[0]!.group === long!.runs[1]!.group, false);
    assert.equal(long!.comparable, false);

    // Same group, both comparable: no warning, and the standing says so.
    const again = compareRuns([
      { label: 'a', run: full },
      { label: 'b', run: sampleRun(full.results.map((r) => ({ ...r, decode_tps: 200 }))) },
    ]);
    assert.deepEqual(again.warnings, []);
    assert.ok(again.comparability.every((w) => w.comparable));
  });

  it('names two machines by their hardware, once for all workloads', () => {
    const a = sampleRun([sampleResult(), sampleResult({ workload: 'chat-long', output_tokens: 1024 })]);
    const b = sampleRun(a.results);
    b.fingerprint = { ...b.fingerprint, fingerprint_hash: '0011223344556677', accelerator_summary: 'NVIDIA H200 141 GB' };
    const c = compareRuns([
      { label: 'a', run: a },
      { label: 'b', run: b },
    ]);
    assert.deepEqual(c.warnings, [`chat-short, chat-long: a and b are in different groups (hardware class: ${a.fingerprint.accelerator_summary} vs NVIDIA H200 141 GB)`]);
  });

  it('each figure with its interval; "within noise" when the intervals overlap, else the Δ % with its interval', () => {
    // Baseline decode 100 [98, 102]; b 110 [108, 112] (Δ +10 %, 108/102 − 1 = +5.9 %, 112/98 − 1 = +14.3 %);
    // c 101 [99, 103]: overlaps, within noise. TTFT 200 [190, 210] vs 230 [225, 235]: worse, 225/210 − 1 = +7.1 %, 235/190 − 1 = +23.7 %.
    const a = run([repeated({ decode_tps: 100, ttft_ms: 200 }, { decode_tps: [98, 102], ttft_ms: [190, 210] })]);
    const b = run([repeated({ decode_tps: 110, ttft_ms: 230 }, { decode_tps: [108, 112], ttft_ms: [225, 235] })]);
    const c = run([repeated({ decode_tps: 101, ttft_ms: 200 }, { decode_tps: [99, 103], ttft_ms: [190, 210] })]);
    const cmp = compareRuns(labelled({ a, b, c }));
    const decode = cmp.rows.find((r) => r.metric === 'decode_tps')!;
    assert.deepEqual(decode.verdicts, ['baseline', 'better', 'within-noise']);
    assert.deepEqual(decode.better, [null, true, null], 'within noise is neither better nor worse');
    assert.equal(cmp.rows.find((r) => r.metric === 'ttft_ms')!.verdicts[1], 'worse');
    const text = renderComparison(cmp, false);
    assert.match(text, /decode_tps\s+100\.00 ±2\.0 %\s+110\.00 ±1\.8 % \(\+10\.0 % \[\+5\.9, \+14\.3\]\)\s+101\.00 ±2\.0 % \(within noise, \+1\.0 %\)/);
    assert.match(text, /ttft_ms\s+200\.00 ±5\.0 %\s+230\.00 ±2\.2 % \(\+15\.0 % \[\+7\.1, \+23\.7\]\)/);
    assert.match(text, /standing\s+baseline, 5 reps\s+same group, 5 reps/);
  });

  it('#26.9: short column labels; a quick run beside a full one gets no Δ and is marked NOT COMPARABLE in the table, with the reason under it', () => {
    const full = run([sampleResult({ decode_tps: 187.4 })]);
    const quick = run([sampleResult({ flags: ['quick'], output_tokens: 32, decode_tps: 300 })]);
    const cmp = compareRuns(labelled({ 'full.json': full, 'quick.json': quick }));
    assert.ok(cmp.rows.every((r) => r.diff_pct[1] === null && r.better[1] === null && r.verdicts[1] === 'not-comparable'));
    const text = renderComparison(cmp, false);
    assert.match(text, /^chat-short\s+standing\s+baseline, 1 rep\s+NOT COMPARABLE \[1\], 1 rep$/m);
    assert.match(text, /^chat-short\s+decode_tps\s+187\.40\s+300\.00 \(no Δ\)$/m);
    assert.match(text, /^\[1\] quick\.json on chat-short: not the same size: full suite vs quick run \(32 of 256 tokens\)$/m);
    assert.doesNotMatch(text, /%\)/, 'no Δ % anywhere');
    // Another machine is another group, but the same measurement: the Δ is given, the column marked.
    const other = run([sampleResult({ decode_tps: 250 })]);
    other.fingerprint = { ...other.fingerprint, fingerprint_hash: '0011223344556677', accelerator_summary: 'NVIDIA H200 141 GB' };
    const across = renderComparison(compareRuns(labelled({ 'full.json': full, 'h200.json': other })), false);
    assert.match(across, /standing\s+baseline, 1 rep\s+other group \[1\], 1 rep/);
    assert.match(across, /decode_tps\s+187\.40\s+250\.00 \(\+33\.4 %, n = 1\)/);
    assert.match(across, /^\[1\] h200\.json on chat-short: different groups: hardware class: RTX 4090 .* vs NVIDIA H200 141 GB$/m);
  });

  it('labels: run ids and permalinks by id, files by name, with parent folders only where two names clash', () => {
    assert.deepEqual(shortLabels(['r_AAAAAAAAAAA', 'https://llm-speed.com/r/r_BBBBBBBBBBB', 'https://x.test/v1/results/r_CCCCCCCCCCC']), ['r_AAAAAAAAAAA', 'r_BBBBBBBBBBB', 'r_CCCCCCCCCCC']);
    assert.deepEqual(shortLabels(['/home/me/.cache/llm-speed/runs/2026-12-04T10-00-00.000Z-a1b2.json', '/tmp/b.json']), ['2026-12-04T10-00-00.000Z-a1b2.json', 'b.json']);
    assert.deepEqual(shortLabels(['/ci/main/run.json', '/ci/pr-12/run.json', '/tmp/x.json']), ['main/run.json', 'pr-12/run.json', 'x.json']);
    assert.deepEqual(shortLabels(['/tmp/a.json', '/tmp/a.json']), ['a.json', 'a.json#2']);
  });

  it('the regression gate: a decode loss past the threshold beyond the noise fails (1), within noise passes (0)', () => {
    // Decode 100 [98, 102] → 90 [88, 92]: even the best reading, 92/98 − 1 = −6.1 %, lost more than 5 %; not more than 7 %.
    const base = run([repeated({ decode_tps: 100 }, { decode_tps: [98, 102] })]);
    const worse = run([repeated({ decode_tps: 90 }, { decode_tps: [88, 92] })]);
    const gate5 = compareRuns(labelled({ 'base.json': base, 'cand.json': worse }), { failOnRegressionPct: 5 }).gate!;
    assert.equal(gate5.exit_code, 1);
    assert.equal(gate5.passed, false);
    assert.deepEqual(
      gate5.regressions.map((r) => [r.workload, r.metric]),
      [['chat-short', 'decode_tps']],
    );
    assert.match(gate5.regressions[0]!.text, /^chat-short decode_tps: 100\.00 → 90\.00, −10\.0 % \[−13\.7, −6\.1\]: worse by more than 5 % beyond the noise$/);
    assert.equal(compareRuns(labelled({ 'base.json': base, 'cand.json': worse }), { failOnRegressionPct: 7 }).gate!.exit_code, 0);
    // −8 % at the median but overlapping intervals: within noise, passes even a 0 % gate.
    const noisy = run([repeated({ decode_tps: 92 }, { decode_tps: [85, 99] })]);
    const wide = run([repeated({ decode_tps: 100 }, { decode_tps: [90, 110] })]);
    assert.equal(compareRuns(labelled({ 'base.json': wide, 'cand.json': noisy }), { failOnRegressionPct: 0 }).gate!.exit_code, 0);
    // A latency: TTFT 100 [95, 105] → 120 [115, 125] is +9.5 % at best: fails at 5, passes at 10 (lower is better).
    const t0 = run([repeated({ ttft_ms: 100 }, { ttft_ms: [95, 105] })]);
    const t1 = run([repeated({ ttft_ms: 120 }, { ttft_ms: [115, 125] })]);
    assert.deepEqual(
      compareRuns(labelled({ b: t0, c: t1 }), { failOnRegressionPct: 5 }).gate!.regressions.map((r) => r.metric),
      ['ttft_ms'],
    );
    assert.equal(compareRuns(labelled({ b: t0, c: t1 }), { failOnRegressionPct: 10 }).gate!.exit_code, 0);
    // Only the metrics asked for are judged.
    assert.equal(compareRuns(labelled({ b: t0, c: t1 }), { failOnRegressionPct: 5, gateMetrics: ['decode_tps'] }).gate!.exit_code, 0);
  });

  it('the gate fails on a workload that failed in the candidate, and cannot pass on one it could not judge (3)', () => {
    const base = run([sampleResult(), sampleResult({ workload: 'chat-long', output_tokens: 1024 })]);
    const failed = run([sampleResult({ error: 'HTTP 500 from llama-server' }), sampleResult({ workload: 'chat-long', output_tokens: 1024 })]);
    const gate = compareRuns(labelled({ 'base.json': base, 'cand.json': failed }), { failOnRegressionPct: 5 }).gate!;
    assert.equal(gate.exit_code, 1);
    assert.deepEqual(
      gate.regressions.map((r) => r.text),
      ['chat-short: failed: HTTP 500 from llama-server in cand.json'],
    );
    // W2 missing from the candidate, W1 a quick run: nothing regressed, but the gate could not judge either.
    const partial = run([sampleResult({ flags: ['quick'], output_tokens: 32 })]);
    const unjudged = compareRuns(labelled({ 'base.json': base, 'cand.json': partial }), { failOnRegressionPct: 5 }).gate!;
    assert.equal(unjudged.exit_code, 3);
    assert.deepEqual(unjudged.unjudged, [
      { workload: 'chat-short', reason: 'not the same measurement: not the same size: full suite vs quick run (32 of 256 tokens)' },
      { workload: 'chat-long', reason: 'not measured in cand.json' },
    ]);
    assert.throws(() => compareRuns(labelled({ a: base, b: base, c: base }), { failOnRegressionPct: 5 }), /exactly two runs/);
  });

  it('thresholds: 0 ≤ PCT < 100, "5" or "5%"; anything else is a usage error (exit 2) saying what it takes', () => {
    assert.equal(parseThreshold('5'), 5);
    assert.equal(parseThreshold('2.5%'), 2.5);
    assert.equal(parseThreshold('0'), 0);
    for (const bad of ['abc', '-5', '100', '250', '', '1e2', 'NaN', '5 percent']) {
      assert.throws(
        () => parseThreshold(bad),
        (e: { exitCode?: number; message?: string }) => e.exitCode === 2 && /takes a percentage from 0 up to \(not including\) 100; got "/.test(e.message ?? ''),
        bad,
      );
    }
  });

  it('Markdown for a job summary: the verdict first, one table with the standing rows, cells escaped', () => {
    const base = run([repeated({ decode_tps: 100 }, { decode_tps: [98, 102] })]);
    const worse = run([repeated({ decode_tps: 90 }, { decode_tps: [88, 92] })]);
    const md = renderComparisonMarkdown(compareRuns(labelled({ 'base|line.json': base, 'cand.json': worse }), { failOnRegressionPct: 5 }));
    const lines = md.split('\n');
    assert.equal(lines[0], '## llm-speed compare: base\\|line.json vs cand.json');
    assert.match(lines[2]!, /^❌ \*\*regression: 1 figure of cand\.json worse than base\\\|line\.json by more than 5 % beyond the noise\*\*/);
    assert.ok(lines.includes('| workload | metric | base\\|line.json | cand.json (Δ) |'));
    assert.ok(lines.includes('| chat-short | decode tok/s | 100.00 ±2.0 % | **90.00 ±2.2 % (−10.0 % \\[−13.7, −6.1\\])** 🔻 |'), md);
    // Every table row has as many cells as the header.
    const rows = lines.filter((l) => l.startsWith('|'));
    for (const row of rows) assert.equal(row.split(/(?<!\\)\|/).length, rows[0]!.split(/(?<!\\)\|/).length, row);
  });

  it('loads local files and refuses what is not a run', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'llm-speed-compare-'));
    try {
      writeFileSync(join(dir, 'a.json'), JSON.stringify(sampleRun()));
      writeFileSync(join(dir, 'bad.json'), JSON.stringify({ results: [] }));
      assert.equal((await loadRunRef(join(dir, 'a.json'), 'http://127.0.0.1:1')).run.cli_version, '0.1.0');
      await assert.rejects(loadRunRef(join(dir, 'bad.json'), 'http://127.0.0.1:1'), /run .*bad\.json is invalid/);
      await assert.rejects(loadRunRef('not-a-run', 'http://127.0.0.1:1'), /neither a file nor a run id/);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('reads a self-hosted permalink from its own server, as verify-run does', async () => {
    const server = await startReplayServer([{ method: 'GET', path: '/v1/results/r_AAAAAAAAAAA', response: jsonResponse(200, sampleRun()) }]);
    try {
      const loaded = await loadRunRef(`${server.url}/r/r_AAAAAAAAAAA`);
      assert.equal(loaded.run.cli_version, '0.1.0');
      assert.deepEqual(
        server.requests.map((r) => r.path),
        ['/v1/results/r_AAAAAAAAAAA'],
      );
    } finally {
      await server.close();
    }
  });
});

describe('validate', () => {
  let dir: string;
  before(() => {
    dir = mkdtempSync(join(tmpdir(), 'llm-speed-validate-'));
  });
  after(() => rmSync(dir, { recursive: true, force: true }));

  it('guesses the schema from the shape', () => {
    assert.equal(guessSchema(sampleRun()), 'run');
    assert.equal(guessSchema(sampleResult()), 'workload-result');
    assert.equal(guessSchema({ api_url: 'http://x' }), 'config');
    assert.equal(guessSchema([1]), null);
  });

  it('accepts a valid run and the METHODOLOGY §3 example result', async () => {
    writeFileSync(join(dir, 'run.json'), JSON.stringify(sampleRun()));
    assert.deepEqual(await validateFile(join(dir, 'run.json')), { file: join(dir, 'run.json'), kind: 'run', schema: 'run', valid: true, errors: [] });
  });

  it('names each problem with its path; a hostname in the fingerprint is refused', async () => {
    const run = sampleRun() as unknown as { fingerprint: Record<string, unknown> };
    run.fingerprint.hostname = 'alice-laptop';
    writeFileSync(join(dir, 'leaky.json'), JSON.stringify(run));
    const v = await validateFile(join(dir, 'leaky.json'));
    assert.equal(v.valid, false);
    assert.deepEqual(v.errors, ['/fingerprint: unexpected field "hostname" (expected one of: os_name, os_version, cpu_model, cpu_cores, ram_gb, gpus, accelerator_summary, fingerprint_hash, extras)']);
  });

  it('reads YAML configs and reports a typo in a key', async () => {
    writeFileSync(join(dir, 'c.yaml'), 'api_url: http://127.0.0.1:8787\nmdoe: anon\n');
    const v = await validateFile(join(dir, 'c.yaml'), 'config');
    assert.deepEqual(v.errors, ['(root): unexpected field "mdoe" (did you mean "mode"?)']);
  });

  it('reports unreadable files', async () => {
    writeFileSync(join(dir, 'broken.json'), '{ nope');
    const v = await validateFile(join(dir, 'broken.json'));
    assert.equal(v.valid, false);
    assert.match(v.errors[0]!, /^cannot read: /);
  });
});

describe('schemas', () => {
  it('the METHODOLOGY §3 example validates as a workload result', async () => {
    const { check } = await import('../../src/contract/validate.js');
    const example = {
      workload: 'chat-short',
      ttft_ms: 142.3,
      prefill_tps: 8421.1,
      decode_tps: 187.4,
      decode_p50_latency_ms: 5.3,
      decode_p95_latency_ms: 7.1,
      prompt_tokens: 128,
      output_tokens: 256,
      wall_ms: 1530,
      prefix_cache_hit_rate: null,
      backend: 'llama.cpp',
      backend_version: '7410',
      model: { identifier: 'Qwen/Qwen2.5-7B-Instruct-GGUF', name: 'Qwen2.5-7B-Instruct', size: '7B', quant: 'Q4_K_M', digest: '<sha256 prefix of the weights file>' },
    };
    assert.deepEqual(check('workload-result', example), []);
    // but an upload needs the whole provenance of each result
    const run = sampleRun([example as never]);
    assert.ok(check('run', run).some((e) => /must have required property 'suite_digest'/.test(e)));
  });
});
