/**
 * The llama.cpp side of `accelerator-unused` (issue 25): a spawned CPU llama-server (this machine's
 * real build, whose --list-devices says "(none)") on a machine whose recorded nvidia-smi lists an
 * H200 is said to leave it idle, with the command that fixes it; a recorded CUDA device list is not.
 */
import assert from 'node:assert/strict';
import { buildFingerprint, idleAccelerator, idleAcceleratorLine, parseNvidiaSmiCsv } from '@llm-speed/framework';
import { parseListDevices } from '../../src/detect.js';
import { llamaCppDriver } from '../../src/driver.js';
import { llamaBinDir, makeContext, tinyModel } from './helpers.js';

// `nvidia-smi --query-gpu=name,memory.total --format=csv` on an H200 (documented CSV format).
const h200 = buildFingerprint({
  platform: 'linux',
  release: '6.8.0',
  cpuManufacturer: 'Intel',
  cpuBrand: 'Xeon',
  physicalCores: 16,
  logicalCores: 32,
  memTotalBytes: 128 * 1024 ** 3,
  gpus: parseNvidiaSmiCsv('name, memory.total [MiB]\nNVIDIA H200, 143771 MiB\n'),
});

describe('llama.cpp driver: a CPU engine on a GPU machine', function () {
  this.timeout(300_000);

  it('a spawned CPU llama-server leaves the H200 idle, and names `llm-speed engine install`', async () => {
    const session = await llamaCppDriver.open(await tinyModel(), { contextTokens: 512, parallel: 1 }, makeContext({ llama_cpp_path: llamaBinDir() }));
    try {
      assert.deepEqual(session.backendBuild, { kind: 'cpu' });
      const idle = idleAccelerator(h200, session.backendBuild);
      assert.ok(idle);
      assert.equal(
        idleAcceleratorLine(idle, 'llama.cpp', session.gpuHint),
        'this machine has an NVIDIA H200 (144 GB), but llama.cpp runs on the CPU: these numbers are for the CPU (results are flagged accelerator-unused). For the GPU: llm-speed engine install',
      );
    } finally {
      await session.close();
    }
  });

  it('a CUDA build, by its recorded --list-devices, does not', () => {
    const cuda = parseListDevices('Available devices:\n  CUDA0: NVIDIA H200 (143166 MiB, 142570 MiB free)\n');
    assert.deepEqual(cuda, { kind: 'cuda', devices: ['NVIDIA H200'] });
    assert.equal(idleAccelerator(h200, cuda), undefined);
    assert.deepEqual(parseListDevices('Available devices:\n  (none)\n'), { kind: 'cpu' });
  });
});
