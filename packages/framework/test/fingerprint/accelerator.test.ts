/**
 * A CPU run on a machine with a GPU says so (issue 25): the flag and the one line before the run,
 * from recorded probe outputs. nvidia-smi-h200.csv is `nvidia-smi --query-gpu=name,memory.total
 * --format=csv` in its documented format (`nvidia-smi --help-query-gpu`) with an H200's figures
 * (143,771 MiB: the "H200 144 GB" of the issue's fingerprint).
 */
import assert from 'node:assert/strict';
import { buildFingerprint, idleAccelerator, idleAcceleratorLine, parseNvidiaSmiCsv, parseRocmSmiJson, parseSystemProfilerDisplays, type RawHardware } from '../../src/fingerprint/index.js';
import { fixture } from './fixtures.js';

function machine(gpus: RawHardware['gpus']) {
  return buildFingerprint({
    platform: 'linux',
    release: '6.8.0',
    cpuManufacturer: 'Intel',
    cpuBrand: 'Xeon Platinum 8480+',
    physicalCores: 16,
    logicalCores: 32,
    memTotalBytes: 128 * 1024 ** 3,
    gpus,
  });
}

describe('accelerator-unused: a CPU run on a machine with a GPU', () => {
  const h200 = machine(parseNvidiaSmiCsv(fixture('nvidia-smi-h200.csv')));

  it('names the H200 when the backend runs on the CPU, with the command that fixes it', () => {
    assert.deepEqual(h200.gpus, [{ name: 'H200', kind: 'nvidia', memory_gb: 144 }]);
    const idle = idleAccelerator(h200, { kind: 'cpu' });
    assert.ok(idle);
    assert.equal(
      idleAcceleratorLine(idle, 'llama.cpp', 'llm-speed engine install'),
      'this machine has an NVIDIA H200 (144 GB), but llama.cpp runs on the CPU: these numbers are for the CPU (results are flagged accelerator-unused). For the GPU: llm-speed engine install',
    );
  });

  it('says nothing when the backend runs on the GPU, or does not say what it runs on', () => {
    assert.equal(idleAccelerator(h200, { kind: 'cuda', devices: ['NVIDIA H200'] }), undefined);
    assert.equal(idleAccelerator(h200, { kind: 'unknown' }), undefined);
    assert.equal(idleAccelerator(h200, undefined), undefined);
  });

  it('says nothing on a machine without a GPU', () => {
    assert.equal(idleAccelerator(machine([]), { kind: 'cpu' }), undefined);
  });

  it('Apple silicon: a CPU run leaves its GPU idle', () => {
    const m3 = buildFingerprint({
      platform: 'darwin',
      release: '15.1',
      cpuManufacturer: 'Apple',
      cpuBrand: 'M3 Pro',
      physicalCores: 12,
      logicalCores: 12,
      memTotalBytes: 36 * 1024 ** 3,
      gpus: parseSystemProfilerDisplays(fixture('system-profiler-m3pro.json')),
    });
    const idle = idleAccelerator(m3, { kind: 'cpu' });
    assert.equal(idle?.kind, 'apple');
    assert.match(idleAcceleratorLine(idle!, 'llama.cpp'), /^this machine has an Apple M3 Pro GPU, but llama\.cpp runs on the CPU: these numbers are for the CPU/);
    assert.equal(idleAccelerator(m3, { kind: 'metal' }), undefined);
  });

  it('an AMD card with its own memory counts; integrated graphics that borrow system memory do not', () => {
    const radeon = machine(parseRocmSmiJson(fixture('rocm-smi-rx7900xtx.json')));
    assert.equal(idleAccelerator(radeon, { kind: 'cpu' })?.kind, 'amd');
    const apu = machine([{ vendor: 'amd', name: 'AMD Radeon Graphics' }]);
    assert.equal(idleAccelerator(apu, { kind: 'cpu' }), undefined);
  });
});
