/**
 * The comparability rule at edges its other tests left open (the compare area's mutation
 * survivors, issue 27). METHODOLOGY §6.1: the impossible-decode check compares W4's largest batch
 * per stream with the backend's per-stream clock, and needs a backend clock above 0; the full W4
 * shape holds every batch up to and including its largest.
 */
import assert from 'node:assert/strict';
import type { MeasuredResult } from '../../src/contract/generated/run.js';
import { comparability } from '../../src/index.js';
import { sampleResult } from '../../src/testing/sample-run.js';

const batch = (size: number, per_stream_tps: number) => ({ batch: size, aggregate_tps: size * per_stream_tps, per_stream_tps, p50_ms: 25, p95_ms: 30 });
const w4 = (overrides: Partial<MeasuredResult> = {}) =>
  sampleResult({
    workload: 'concurrent-decode',
    batch_size: 16,
    output_tokens: 16 * 256,
    decode_tps: 640,
    // One stream alone decodes faster (60 tok/s) than each of 16 together (40 tok/s).
    batches: [batch(1, 60), batch(4, 50), batch(8, 45), batch(16, 40)],
    ...overrides,
  });

describe('comparability: edges', () => {
  it('W4 reads the largest batch, not the first: 40 per stream against a backend 40 is possible', () => {
    // Batch 1's 60 against 40 would be 1.5 × the backend: only the largest batch (16 streams) counts.
    assert.deepEqual(comparability(w4({ backend_decode_tps: 40 })), { comparable: true, reasons: [], codes: [] });
    // 40 against 38: 1.053 × > 1.05, impossible.
    assert.deepEqual(comparability(w4({ backend_decode_tps: 38 })).codes, ['impossible-decode']);
  });

  it('a backend clock of 0 is no clock: nothing to check against', () => {
    assert.deepEqual(comparability(sampleResult({ decode_tps: 187.4, backend_decode_tps: 0 })), { comparable: true, reasons: [], codes: [] });
  });

  it('W4 without its largest batch is short of the suite (batches 1, 4, 8, 16 up to and including 16)', () => {
    const r = w4({ batches: [batch(1, 60), batch(4, 50), batch(8, 45)] });
    assert.deepEqual(comparability(r).reasons, ['shorter than suite-v1 asks (no batch 16 (the suite runs 1, 4, 8, 16))']);
  });
});
