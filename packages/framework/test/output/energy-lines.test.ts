/**
 * The results table's energy and bandwidth lines (METHODOLOGY §13): what they say for a measured
 * result, the cost at the user's tariff (computed here, never stored), and a machine with no meter.
 */
import assert from 'node:assert/strict';
import type { Energy } from '../../src/contract/generated/workload-result.js';
import { energyLines } from '../../src/output/energy-lines.js';
import { renderResultsTable } from '../../src/output/results-table.js';
import { sampleResult, sampleRun } from '../../src/testing/sample-run.js';

const energy: Energy = {
  meter: 'nvidia-smi-power',
  meters: [{ meter: 'nvidia-smi-power', domain: 'gpu', devices: 1, interval_ms: 100, samples: 42, idle_w: 79.5 }],
  idle_w: 79.5,
  idle_ms: 3000,
  total: { ms: 4200, samples: 42, tokens: 256, gross_j: 800, net_j: 466.1, avg_w: 190.5, peak_w: 341.2, j_per_token: 1.8207, gross_j_per_token: 3.125, tokens_per_s_per_w: 0.54923, reason: null },
  prefill: {
    ms: 20,
    samples: 0,
    tokens: 131,
    gross_j: null,
    net_j: null,
    j_per_token: null,
    reason: '0 readings in 20 ms of prefill (the meter reads every 100 ms): at least 10 are needed to split it off',
  },
  decode: { ms: 4100, samples: 41, tokens: 255, gross_j: 780, net_j: 454, avg_w: 190, peak_w: 341.2, j_per_token: 1.7804, gross_j_per_token: 3.0588, tokens_per_s_per_w: 0.56167, reason: null },
  reason: '1 of 3 phases without joules per token (each phase says why)',
};

describe('energy and bandwidth lines', () => {
  it('say joules per token, the meter, the idle power subtracted, the cost at the tariff and the bandwidth share', () => {
    const result = sampleResult({
      energy,
      roofline: { shape_source: 'gguf', bytes_per_token: 608_487_000, device: 'H200', devices: 1, peak_gb_s: 4800, bandwidth_share: 0.1151, reason: null },
    });
    // 3.125 J a token × 10^6 = 3,125,000 J = 0.86806 kWh; at 0.30 a kWh: 0.26.
    assert.deepEqual(energyLines(sampleRun([result]), 0.3), [
      'W1 energy (nvidia-smi-power, every 100 ms, 42 readings): decode 1.78 J/token (0.562 tok/s/W); 191 W average, 341 W peak, 79.5 W idle subtracted; 0.26 per million output tokens at 0.3/kWh; 0 readings in 20 ms of prefill (the meter reads every 100 ms): at least 10 are needed to split it off',
      "W1 decode used 11.5 % of the H200's 4800 GB/s memory bandwidth (0.608 GB read a token; bound by per-token overhead, not memory)",
    ]);
    // Without a tariff, no cost; the table carries the same lines.
    assert.ok(!energyLines(sampleRun([result]))[0]!.includes('per million'));
    assert.match(renderResultsTable(sampleRun([result]), { width: 200, pricePerKwh: 0.3 }), /W1 energy \(nvidia-smi-power/);
  });

  it('a machine with no meter: one line saying why; a device not in the table: the bytes and the reason', () => {
    const result = sampleResult({
      energy: { meter: 'none', meters: [], reason: 'no power meter found (no nvidia-smi, amdgpu hwmon or RAPL counters)' },
      roofline: { bytes_per_token: 22_988_300, bandwidth_share: null, reason: 'no memory bandwidth figure for the CPU Intel Xeon (the bandwidth table lists common platforms)' },
    });
    assert.deepEqual(energyLines(sampleRun([result, result])), [
      'energy: not measured (no power meter found (no nvidia-smi, amdgpu hwmon or RAPL counters))',
      'W1 decode: 0.023 GB read a token; no memory bandwidth figure for the CPU Intel Xeon (the bandwidth table lists common platforms)',
      'W1 decode: 0.023 GB read a token; no memory bandwidth figure for the CPU Intel Xeon (the bandwidth table lists common platforms)',
    ]);
  });
});
