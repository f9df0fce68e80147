import assert from 'node:assert/strict';
import { enforceNumberBounds, OUT_OF_BOUNDS_FLAG } from '../../src/contract/bounds.js';
import { check } from '../../src/contract/validate.js';
import { buildUploadPayload } from '../../src/privacy/index.js';
import { sampleResult, sampleRun } from '../helpers/sample-run.js';

describe('number bounds (schemas: finite, non-negative, physical upper limits)', () => {
  it('the schema refuses 1e200, 1.797e308, a negative rate and a count above 10^8', () => {
    for (const result of [
      sampleResult({ decode_tps: 1e200 }),
      sampleResult({ decode_tps: 1.797e308 }),
      sampleResult({ decode_tps: 10_000_001 }),
      sampleResult({ prefill_tps: -1 }),
      sampleResult({ ttft_ms: 86_400_001 }),
      sampleResult({ output_tokens: 100_000_001 }),
      sampleResult({ extras: { n: 1e16 } }),
    ]) {
      assert.notDeepEqual(check('run', sampleRun([result])), [], JSON.stringify(result).slice(0, 80));
    }
    assert.deepEqual(check('run', sampleRun([sampleResult({ decode_tps: 10_000_000, prefill_tps: 1e8, ttft_ms: 86_400_000, output_tokens: 1e8 })])), []);
  });

  it('the client nulls an out-of-range or non-finite figure, flags the result and keeps the run (nothing lost)', () => {
    const run = sampleRun([sampleResult({ decode_tps: 2.5e7, prefill_tps: Number.POSITIVE_INFINITY, ttft_ms: Number.NaN, wall_ms: 1e12 }), sampleResult({ workload: 'chat-long' })]);
    const notes: string[] = [];
    const payload = buildUploadPayload(run, { mode: 'default', notes });
    const [bad, good] = payload.results;
    assert.equal(bad!.decode_tps, null);
    assert.equal(bad!.prefill_tps, null);
    assert.equal(bad!.ttft_ms, null);
    assert.equal(bad!.wall_ms, 86_400_000, 'a non-nullable figure is clamped to its bound');
    assert.deepEqual(bad!.flags, [OUT_OF_BOUNDS_FLAG]);
    assert.deepEqual(good!.flags, []);
    assert.equal(good!.decode_tps, 187.4);
    assert.ok(
      notes.some((n) => /results\[0\]\.decode_tps: 25000000 is outside/.test(n)),
      notes.join('\n'),
    );
    assert.deepEqual(check('run', payload), []);
  });

  it('leaves a run within bounds untouched', () => {
    const run = sampleRun();
    assert.deepEqual(enforceNumberBounds(run), []);
    assert.deepEqual(run, sampleRun());
  });
});
