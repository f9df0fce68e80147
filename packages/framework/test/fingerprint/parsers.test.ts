import assert from 'node:assert/strict';
import { parseNvidiaSmiCsv, parseRocmSmiJson, parseSystemProfilerDisplays } from '../../src/fingerprint/index.js';
import { fixture } from './fixtures.js';

// nvidia-smi CSV: format documented by `nvidia-smi --help-query-gpu` (header "field [unit]",
// ", "-separated values in query order, memory.total in MiB).
describe('fingerprint: parseNvidiaSmiCsv', () => {
  it('reads one GPU from the csv form with header and units', () => {
    const gpus = parseNvidiaSmiCsv(fixture('nvidia-smi-1gpu.csv'));
    assert.equal(gpus.length, 1);
    assert.equal(gpus[0]!.vendor, 'nvidia');
    assert.equal(gpus[0]!.name, 'NVIDIA GeForce RTX 4090');
    assert.equal(gpus[0]!.memoryMiB, 24564);
    // The wide query's identifying columns land in their own raw fields (to be dropped later), never in the name.
    assert.equal(gpus[0]!.pciBusId, '00000000:01:00.0');
    assert.equal(gpus[0]!.driverVersion, '550.54.14');
  });

  it('reads two GPUs, one per line, in order', () => {
    const gpus = parseNvidiaSmiCsv(fixture('nvidia-smi-2gpu.csv'));
    assert.deepEqual(
      gpus.map((g) => [g.name, g.memoryMiB]),
      [
        ['NVIDIA H100 80GB HBM3', 81559],
        ['NVIDIA H100 80GB HBM3', 81559],
      ],
    );
  });

  it('reads the noheader,nounits form by query order', () => {
    const gpus = parseNvidiaSmiCsv(fixture('nvidia-smi-noheader-nounits.csv'), ['name', 'memory.total']);
    assert.deepEqual(
      gpus.map((g) => [g.name, g.memoryMiB]),
      [
        ['NVIDIA GeForce RTX 3060', 12288],
        ['NVIDIA A10G', 23028],
      ],
    );
  });

  it('reads the narrow query the default probe issues', () => {
    const gpus = parseNvidiaSmiCsv(fixture('nvidia-smi-default-query.csv'));
    assert.deepEqual(gpus, [{ vendor: 'nvidia', name: 'NVIDIA GeForce RTX 4090', memoryMiB: 24564 }]);
  });

  it('leaves memory unknown for [N/A] and yields nothing for empty or error output', () => {
    const gpus = parseNvidiaSmiCsv('name, memory.total [MiB]\nNVIDIA GeForce GTX 1080, [N/A]\n');
    assert.equal(gpus.length, 1);
    assert.equal(gpus[0]!.memoryMiB, undefined);
    assert.deepEqual(parseNvidiaSmiCsv(''), []);
    assert.deepEqual(parseNvidiaSmiCsv('name, memory.total [MiB]\n'), []);
  });
});

// rocm-smi --showproductname --showmeminfo vram --json: object keyed "cardN", flat string maps,
// VRAM in bytes under "VRAM Total Memory (B)" (see the ROCm SMI CLI docs / `rocm-smi --help`).
describe('fingerprint: parseRocmSmiJson', () => {
  it('reads two MI300X cards with VRAM in bytes', () => {
    const gpus = parseRocmSmiJson(fixture('rocm-smi-mi300x.json'));
    assert.equal(gpus.length, 2);
    for (const g of gpus) {
      assert.equal(g.vendor, 'amd');
      assert.equal(g.name, 'AMD Instinct MI300X');
      assert.equal(g.memoryMiB, 205822885888 / 1024 ** 2);
    }
  });

  it('takes the bracketed marketing name, matches keys case-insensitively and skips the "system" entry', () => {
    const gpus = parseRocmSmiJson(fixture('rocm-smi-rx7900xtx.json'));
    assert.equal(gpus.length, 1);
    assert.equal(gpus[0]!.name, 'Radeon RX 7900 XT/7900 XTX');
    assert.equal(Math.round(gpus[0]!.memoryMiB!), 24560);
  });

  it('yields nothing for non-JSON output (the tool printed an error)', () => {
    assert.deepEqual(parseRocmSmiJson('ERROR: No AMD GPUs specified'), []);
    assert.deepEqual(parseRocmSmiJson(''), []);
  });
});

// system_profiler SPDisplaysDataType -json: { SPDisplaysDataType: [ {sppci_model, spdisplays_vendor,
// sppci_cores, spdisplays_vram, spdisplays_ndrvs…} ] } (see `man system_profiler`).
describe('fingerprint: parseSystemProfilerDisplays', () => {
  it('reads an Apple M3 Pro with its GPU core count and no VRAM of its own', () => {
    const gpus = parseSystemProfilerDisplays(fixture('system-profiler-m3pro.json'));
    assert.deepEqual(gpus, [{ vendor: 'apple', name: 'Apple M3 Pro', gpuCores: 18 }]);
  });

  it('reads an Intel Mac: iGPU without a VRAM bucket, discrete AMD with "8 GB"', () => {
    const gpus = parseSystemProfilerDisplays(fixture('system-profiler-intel-mac.json'));
    assert.deepEqual(gpus, [
      { vendor: 'intel', name: 'Intel UHD Graphics 630' },
      { vendor: 'amd', name: 'AMD Radeon Pro 5500M', memoryMiB: 8192 },
    ]);
  });

  it('yields nothing for empty or malformed output', () => {
    assert.deepEqual(parseSystemProfilerDisplays(''), []);
    assert.deepEqual(parseSystemProfilerDisplays('{"SPDisplaysDataType": {}}'), []);
  });
});
