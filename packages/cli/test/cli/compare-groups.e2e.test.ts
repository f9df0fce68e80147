/**
 * `llm-speed compare` through the real CLI: the per-workload comparability warnings (the rule
 * the results server ranks by) reach both the text output and --json.
 */
import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { sandbox, type Sandbox } from '../helpers/cli.js';
import { sampleResult, sampleRun } from '../../../framework/test/helpers/sample-run.js';

describe('compare warns by the comparability rule (e2e, real CLI)', function () {
  this.timeout(120_000);
  let box: Sandbox;
  before(() => {
    box = sandbox();
    writeFileSync(join(box.root, 'full.json'), JSON.stringify(sampleRun([sampleResult({ extras: { engine: 'server' } })])));
    writeFileSync(join(box.root, 'quick.json'), JSON.stringify(sampleRun([sampleResult({ flags: ['quick'], output_tokens: 32, decode_tps: 300, extras: { engine: 'embedded' } })])));
  });
  after(() => box.cleanup());

  it('says per workload which run is not comparable and which groups differ, in the table itself and in --json (#26.9)', async () => {
    const text = await box.run(['compare', join(box.root, 'full.json'), join(box.root, 'quick.json')]);
    assert.equal(text.exitCode, 0, String(text.stderr));
    const out = String(text.stdout);
    // Short labels: the file names, never the whole paths; the full paths once, under the table.
    assert.match(out.split('\n')[0]!, /^workload\s+metric\s+full\.json\s+quick\.json \(Δ\)$/);
    assert.ok(
      out.split('\n').every((l) => l.length < 140),
      'no 212-column table',
    );
    assert.match(out, new RegExp(`^runs: full\\.json = ${join(box.root, 'full.json').replace(/[.]/g, '\\.')}, quick\\.json = `, 'm'));
    // Marked in the table, the reason right under it; no Δ for the pair.
    assert.match(out, /^chat-short\s+standing\s+baseline, 1 rep\s+NOT COMPARABLE \[1\], 1 rep$/m);
    assert.match(out, /^chat-short\s+decode_tps\s+187\.40\s+300\.00 \(no Δ\)$/m);
    assert.match(out, /^\[1\] quick\.json on chat-short: not the same size: full suite vs quick run \(32 of 256 tokens\)$/m);
    // The board's rule, one line each, never wrapped.
    assert.doesNotMatch(out, /›/);
    assert.ok(out.split('\n').includes('warning: chat-short: quick.json is not comparable: quick run (32 of 256 tokens)'), out);
    assert.ok(out.split('\n').includes('warning: chat-short: full.json and quick.json are in different groups (engine: server vs embedded)'), out);

    const json = await box.run(['compare', join(box.root, 'full.json'), join(box.root, 'quick.json'), '--json']);
    assert.equal(json.exitCode, 0, String(json.stderr));
    const comparison = JSON.parse(String(json.stdout));
    assert.deepEqual(comparison.runs, ['full.json', 'quick.json']);
    assert.deepEqual(comparison.sources, [join(box.root, 'full.json'), join(box.root, 'quick.json')]);
    const [chatShort] = comparison.comparability;
    assert.equal(chatShort.workload, 'chat-short');
    assert.equal(chatShort.comparable, false);
    assert.deepEqual(chatShort.runs[1].reasons, ['quick run (32 of 256 tokens)']);
    assert.deepEqual(chatShort.runs[1].differences, ['engine: server vs embedded']);
    assert.equal(chatShort.runs[1].pair_comparable, false);
    assert.ok(comparison.rows.every((r: { diff_pct: Array<number | null> }) => r.diff_pct[1] === null));
    assert.equal(comparison.warnings.length, 2);
  });
});

describe('compare --fail-on-regression: the gate through the real CLI, exit codes and all', function () {
  this.timeout(120_000);
  let box: Sandbox;
  const file = (name: string) => join(box.root, name);
  before(() => {
    box = sandbox();
    const chat = (decode_tps: number) => sampleResult({ decode_tps });
    writeFileSync(file('base.json'), JSON.stringify(sampleRun([chat(100)])));
    writeFileSync(file('slower.json'), JSON.stringify(sampleRun([chat(90)])));
    writeFileSync(file('same.json'), JSON.stringify(sampleRun([chat(98)])));
    writeFileSync(file('quick.json'), JSON.stringify(sampleRun([sampleResult({ flags: ['quick'], output_tokens: 32, decode_tps: 98 })])));
  });
  after(() => box.cleanup());

  it('exit 1 on a regression past the threshold, 0 within it; the verdict is printed, in --json and in --markdown', async () => {
    // Single measurements: 90 vs 100 is −10 %, past 5 %; 98 vs 100 is −2 %, within 5 %.
    const worse = await box.run(['compare', file('base.json'), file('slower.json'), '--fail-on-regression', '5']);
    assert.equal(worse.exitCode, 1, String(worse.stderr));
    assert.match(String(worse.stdout), /^gate \(5 %\): regression: 1 figure of slower\.json worse than base\.json by more than 5 % beyond the noise$/m);
    assert.match(String(worse.stdout), /^ {2}chat-short decode_tps: 100\.00 → 90\.00, −10\.0 %, n = 1: worse by more than 5 % beyond the noise \(single measurements: compared as plain figures\)$/m);
    const fine = await box.run(['compare', file('base.json'), file('same.json'), '--fail-on-regression', '5%']);
    assert.equal(fine.exitCode, 0, String(fine.stderr));
    assert.match(String(fine.stdout), /^gate \(5 %\): no regression/m);
    const loose = await box.run(['compare', file('base.json'), file('slower.json'), '--fail-on-regression', '10.5']);
    assert.equal(loose.exitCode, 0);

    const json = await box.run(['compare', file('base.json'), file('slower.json'), '--fail-on-regression', '5', '--json']);
    assert.equal(json.exitCode, 1);
    const gate = JSON.parse(String(json.stdout)).gate;
    assert.equal(gate.passed, false);
    assert.equal(gate.exit_code, 1);
    assert.deepEqual(gate.metrics, ['ttft_ms', 'prefill_tps', 'decode_tps', 'decode_p50_latency_ms', 'decode_p95_latency_ms']);

    const md = await box.run(['compare', file('base.json'), file('slower.json'), '--fail-on-regression', '5', '--markdown']);
    assert.equal(md.exitCode, 1);
    assert.match(String(md.stdout), /^❌ \*\*regression: /m);
    assert.match(String(md.stdout), /^\| chat-short \| decode tok\/s \| 100\.00 \| \*\*90\.00 \(−10\.0 %, n = 1\)\*\* 🔻 \|$/m);
    // Only the metrics named are judged.
    const ttftOnly = await box.run(['compare', file('base.json'), file('slower.json'), '--fail-on-regression', '5', '--metric', 'ttft_ms']);
    assert.equal(ttftOnly.exitCode, 0);
  });

  it('exit 3 when a workload of the baseline cannot be judged: a quick candidate against a full baseline', async () => {
    const r = await box.run(['compare', file('base.json'), file('quick.json'), '--fail-on-regression', '5']);
    assert.equal(r.exitCode, 3, String(r.stderr));
    assert.match(String(r.stdout), /^gate \(5 %\): no regression found, but chat-short could not be judged$/m);
    assert.match(String(r.stdout), /^ {2}chat-short: not the same measurement: not the same size: full suite vs quick run \(32 of 256 tokens\)$/m);
  });

  it('bad values are usage errors (exit 2) that say what the flag takes', async () => {
    for (const bad of ['abc', '-5', '100', '1e9']) {
      const r = await box.run(['compare', file('base.json'), file('slower.json'), '--fail-on-regression', bad]);
      assert.equal(r.exitCode, 2, `${bad}: ${String(r.stderr)}`);
      assert.match(String(r.stderr), new RegExp(`^Error: --fail-on-regression takes a percentage from 0 up to \\(not including\\) 100; got "${bad.replace(/[.]/g, '\\.')}"`, 'm'));
    }
    const metric = await box.run(['compare', file('base.json'), file('slower.json'), '--fail-on-regression', '5', '--metric', 'speed']);
    assert.equal(metric.exitCode, 2);
    assert.match(String(metric.stderr), /unknown metric "speed" for the regression gate; known: ttft_ms, prefill_tps, decode_tps/);
    const three = await box.run(['compare', file('base.json'), file('slower.json'), file('same.json'), '--fail-on-regression', '5']);
    assert.equal(three.exitCode, 2);
    assert.match(String(three.stderr), /compares exactly two runs, a baseline and a candidate; got 3/);
    const help = await box.run(['compare', '--help']);
    assert.match(String(help.stdout).replace(/\s+/g, ' '), /Exit codes: 0 compared \(with the gate: no regression\); 1 a regression beyond the noise/);
  });
});

/**
 * Runs with repetitions, in the agreed shape (repetitions, spread, samples: notes/spread-shape.md),
 * through the real CLI.
 */
describe('compare with repetitions: "within noise" and the gate on intervals (e2e, real CLI)', function () {
  this.timeout(120_000);
  let box: Sandbox;
  const file = (name: string) => join(box.root, name);
  const METRICS = ['ttft_ms', 'prefill_tps', 'decode_tps', 'decode_p50_latency_ms', 'decode_p95_latency_ms'] as const;
  /** Five repetitions; decode as given (its middle value the headline), the other metrics steady. */
  const repeated = (decode: number[], ci: [number, number]) => {
    const base = sampleResult({ decode_tps: decode[2] });
    const samples = decode.map((d) => ({ ...Object.fromEntries(METRICS.map((m) => [m, base[m]])), decode_tps: d }));
    const spread = Object.fromEntries(
      METRICS.map((m) => [
        m,
        m === 'decode_tps' ? { n: 5, median: decode[2], ci_low: ci[0], ci_high: ci[1], cv: 0.016 } : { n: 5, median: base[m], ci_low: base[m]! * 0.99, ci_high: base[m]! * 1.01, cv: 0.005 },
      ]),
    );
    return sampleRun([{ ...base, repetitions: 5, spread, samples } as typeof base]);
  };

  before(() => {
    box = sandbox();
    writeFileSync(file('base.json'), JSON.stringify(repeated([98, 99, 100, 101, 102], [98.5, 101.5])));
    writeFileSync(file('worse.json'), JSON.stringify(repeated([88, 89, 90, 91, 92], [88.5, 91.5])));
    writeFileSync(file('noise.json'), JSON.stringify(repeated([97, 98, 99, 100, 101], [97.5, 100.5])));
  });
  after(() => box?.cleanup());

  it('overlapping intervals read "within noise" and pass even a 0 % gate; a loss beyond both intervals fails a 5 % one', async () => {
    const noise = await box.run(['compare', file('base.json'), file('noise.json'), '--fail-on-regression', '0']);
    assert.equal(noise.exitCode, 0, String(noise.stderr));
    assert.match(String(noise.stdout), /decode_tps\s+100\.00 ±1\.5 %\s+99\.00 ±1\.5 % \(within noise, −1\.0 %\)/);
    // 90 [88.5, 91.5] against 100 [98.5, 101.5]: at best 91.5 / 98.5 − 1 = −7.1 %, past 5 %.
    const worse = await box.run(['compare', file('base.json'), file('worse.json'), '--fail-on-regression', '5']);
    assert.equal(worse.exitCode, 1, String(worse.stderr));
    assert.match(String(worse.stdout), /decode_tps\s+100\.00 ±1\.5 %\s+90\.00 ±1\.7 % \(−10\.0 % \[−12\.8, −7\.1\]\)/);
    assert.match(String(worse.stdout), /standing\s+baseline, 5 reps\s+same group, 5 reps/);
    assert.equal((await box.run(['compare', file('base.json'), file('worse.json'), '--fail-on-regression', '8'])).exitCode, 0);
  });
});
