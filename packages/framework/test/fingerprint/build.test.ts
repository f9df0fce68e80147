import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { check } from '../../src/contract/validate.js';
import { buildFingerprint, fingerprintHash, type RawHardware } from '../../src/fingerprint/index.js';

const GiB = 1024 ** 3;

/** A Linux box full of the PRIVACY §2 "don't collect" data. */
function identifyingLinuxBox(): RawHardware {
  return {
    platform: 'linux',
    release: '6.8.0-31-generic',
    cpuManufacturer: 'AMD',
    cpuBrand: 'Ryzen 9 7950X3D 16-Core Processor',
    physicalCores: 16,
    logicalCores: 32,
    memTotalBytes: 62.7 * GiB,
    gpus: [
      {
        vendor: 'nvidia',
        name: 'NVIDIA GeForce RTX 4090',
        memoryMiB: 24564,
        driverVersion: '550.54.14',
        pciBusId: '00000000:01:00.0',
        vbiosVersion: '95.02.18.80.5F',
      },
    ],
    hostname: 'alice-workstation.example.lan',
    username: 'alice',
    locale: 'de_DE.UTF-8',
    distro: 'Ubuntu 24.04.1 LTS',
    diskSerials: ['S6B0NL0T912345X'],
  };
}

describe('fingerprint: buildFingerprint', () => {
  it('buckets and labels a discrete-GPU box', () => {
    const fp = buildFingerprint(identifyingLinuxBox(), { 'llama.cpp': '7410' }, false);
    assert.equal(fp.os_name, 'Linux');
    assert.equal(fp.os_version, '6');
    assert.equal(fp.cpu_model, 'AMD Ryzen 9 7950X3D');
    assert.equal(fp.cpu_cores, 16);
    assert.equal(fp.ram_gb, 64);
    assert.deepEqual(fp.gpus, [{ name: 'RTX 4090', kind: 'nvidia', memory_gb: 24 }]);
    assert.equal(fp.accelerator_summary, 'RTX 4090 24 GB + AMD Ryzen 9 7950X3D, 64 GB RAM');
    assert.match(fp.fingerprint_hash!, /^[0-9a-f]{16}$/);
    assert.deepEqual(fp.extras, { backends: { 'llama.cpp': '7410' } });
    assert.deepEqual(check('run', fp, 'Fingerprint'), []);
  });

  it('lets none of the "don\'t collect" data reach the output', () => {
    const text = JSON.stringify(buildFingerprint(identifyingLinuxBox(), {}, false));
    for (const secret of [
      '00000000:01:00.0',
      '01:00.0',
      '550.54.14',
      '95.02.18.80.5F',
      '6.8.0',
      '-generic',
      'Ubuntu',
      '24.04',
      'alice',
      'workstation',
      'de_DE',
      'UTF-8',
      'S6B0NL0T912345X',
      '62.7',
      '24564',
    ]) {
      assert.ok(!text.includes(secret), `fingerprint leaks ${secret}: ${text}`);
    }
  });

  it('gives two machines that differ only in non-bucketed details the same hash', () => {
    const a = identifyingLinuxBox();
    const b: RawHardware = {
      ...identifyingLinuxBox(),
      release: '6.5.0-1017-azure',
      memTotalBytes: 31.4 * GiB,
      hostname: 'bob-box',
      username: 'bob',
      gpus: [{ vendor: 'nvidia', name: 'NVIDIA GeForce RTX 4090', memoryMiB: 24080, driverVersion: '535.104.05', pciBusId: '00000000:41:00.0' }],
    };
    a.memTotalBytes = 32.2 * GiB;
    const fa = buildFingerprint(a, { ollama: '0.5.1' }, false);
    const fb = buildFingerprint(b, { 'llama.cpp': '7410' }, false);
    assert.equal(fa.ram_gb, 32);
    assert.equal(fa.fingerprint_hash, fb.fingerprint_hash);
  });

  it('gives different hardware classes different hashes', () => {
    const base = buildFingerprint(identifyingLinuxBox(), {}, false);
    const moreRam = buildFingerprint({ ...identifyingLinuxBox(), memTotalBytes: 128 * GiB }, {}, false);
    const otherGpu = buildFingerprint({ ...identifyingLinuxBox(), gpus: [{ vendor: 'nvidia', name: 'NVIDIA GeForce RTX 3090', memoryMiB: 24576 }] }, {}, false);
    const otherOs = buildFingerprint({ ...identifyingLinuxBox(), release: '5.15.0-1-generic' }, {}, false);
    const hashes = new Set([base, moreRam, otherGpu, otherOs].map((f) => f.fingerprint_hash));
    assert.equal(hashes.size, 4);
  });

  it('hashes what PRIVACY.md documents: its worked example, to the hex it gives', () => {
    // The definition and the example are read from the contract, not copied from hash.ts.
    const privacy = readFileSync(fileURLToPath(new URL('../../../../docs/PRIVACY.md', import.meta.url)), 'utf8');
    const example = /hash\s+`(\[[^`]+\])`\s+to `([0-9a-f]{16})`/.exec(privacy);
    assert.ok(example, 'PRIVACY.md gives a worked fingerprint_hash example');
    const [, text, documentedHash] = example;
    // The documented bytes: the example's fields in the documented order, GPUs sorted by their triple.
    assert.equal(text, '["llm-speed-fingerprint-v1","Linux","6","AMD EPYC 9654",96,768,[["nvidia","H100 80GB HBM3",80],["nvidia","RTX 4090",24]]]');
    // Computed by hand once: printf '%s' '<that text>' | sha256sum | cut -c1-16
    assert.equal(documentedHash, '85b45d4518c6a720');
    const bucketed = {
      os_name: 'Linux' as const,
      os_version: '6',
      cpu_model: 'AMD EPYC 9654',
      cpu_cores: 96,
      ram_gb: 768,
      gpus: [
        { name: 'RTX 4090', kind: 'nvidia' as const, memory_gb: 24 },
        { name: 'H100 80GB HBM3', kind: 'nvidia' as const, memory_gb: 80 },
      ],
    };
    assert.equal(fingerprintHash(bucketed), documentedHash);
    assert.equal(fingerprintHash({ ...bucketed, gpus: [...bucketed.gpus].reverse() }), documentedHash, 'GPU order does not matter');
  });

  it('hashes every bucketed field and nothing else', () => {
    const box = identifyingLinuxBox();
    const base = buildFingerprint(box, { 'llama.cpp': '7410' }, false).fingerprint_hash;
    const gpu = box.gpus[0]!;
    // Each documented field, changed on its own (past its bucket), changes the class.
    const changed: Array<[string, RawHardware]> = [
      ['os_name', { ...box, platform: 'darwin', release: '6.8.0' }],
      ['os_version', { ...box, release: '5.15.0-1-generic' }],
      ['cpu_model', { ...box, cpuBrand: 'Ryzen 9 7900X 12-Core Processor' }],
      ['cpu_cores', { ...box, physicalCores: 12 }],
      ['ram_gb', { ...box, memTotalBytes: 128 * GiB }],
      ['gpus[].name', { ...box, gpus: [{ ...gpu, name: 'NVIDIA GeForce RTX 3090' }] }],
      ['gpus[].kind', { ...box, gpus: [{ ...gpu, vendor: 'amd' }] }],
      ['gpus[].memory_gb', { ...box, gpus: [{ ...gpu, memoryMiB: 48 * 1024 }] }],
      ['a second GPU', { ...box, gpus: [gpu, gpu] }],
    ];
    for (const [field, raw] of changed) assert.notEqual(buildFingerprint(raw, {}, false).fingerprint_hash, base, field);
    // Within the same buckets, nothing else counts: not the backends, not identifying data, not raw RAM/VRAM.
    const same: Array<[string, RawHardware, Record<string, string>]> = [
      ['backends', box, { ollama: '0.5.1', vllm: '0.11.0' }],
      ['raw RAM in the same bucket', { ...box, memTotalBytes: 63.9 * GiB }, {}],
      ['raw VRAM in the same bucket', { ...box, gpus: [{ ...gpu, memoryMiB: 24080 }] }, {}],
      ['patch release', { ...box, release: '6.11.2-arch1' }, {}],
      ['logical cores', { ...box, logicalCores: 16 }, {}],
      [
        'identifying data',
        { ...box, hostname: 'other', username: 'bob', locale: 'C', distro: 'Fedora', diskSerials: [], gpus: [{ ...gpu, driverVersion: '1', pciBusId: '2', vbiosVersion: '3' }] },
        {},
      ],
    ];
    for (const [what, raw, backends] of same) assert.equal(buildFingerprint(raw, backends, false).fingerprint_hash, base, what);
  });

  it('omits fingerprint_hash entirely in strict-anon mode', () => {
    const fp = buildFingerprint(identifyingLinuxBox(), {}, true);
    assert.equal(Object.hasOwn(fp, 'fingerprint_hash'), false);
    assert.ok(!JSON.stringify(fp).includes('fingerprint_hash'));
    assert.deepEqual(check('run', fp, 'Fingerprint'), []);
  });

  it('keeps extras.backends out of the hash', () => {
    const a = buildFingerprint(identifyingLinuxBox(), {}, false);
    const b = buildFingerprint(identifyingLinuxBox(), { 'llama.cpp': '7410', cuda: '13.0' }, false);
    assert.equal(a.fingerprint_hash, b.fingerprint_hash);
    assert.deepEqual(b.extras.backends, { 'llama.cpp': '7410', cuda: '13.0' });
  });

  it('uses the RAM bucket as unified memory on Apple silicon', () => {
    const fp = buildFingerprint(
      {
        platform: 'darwin',
        release: '26.3.1',
        cpuManufacturer: 'Apple',
        cpuBrand: 'M3 Pro',
        physicalCores: 12,
        logicalCores: 12,
        memTotalBytes: 36 * GiB,
        gpus: [{ vendor: 'apple', name: 'Apple M3 Pro', gpuCores: 18 }],
      },
      { mlx: '0.31.3', metal: 'Metal 3' },
      false,
    );
    assert.equal(fp.os_name, 'Darwin');
    assert.equal(fp.os_version, '26');
    assert.equal(fp.cpu_model, 'Apple M3 Pro');
    assert.equal(fp.cpu_cores, 12);
    assert.equal(fp.ram_gb, 40);
    assert.deepEqual(fp.gpus, [{ name: 'M3 Pro', kind: 'apple', memory_gb: 40 }]);
    assert.equal(fp.accelerator_summary, 'M3 Pro (18-core GPU) + 40 GB unified');
    assert.deepEqual(check('run', fp, 'Fingerprint'), []);
  });

  it('summarises a CPU-only box and groups identical GPUs', () => {
    const cpuOnly = buildFingerprint({ ...identifyingLinuxBox(), cpuBrand: 'EPYC 7B13', physicalCores: 12, memTotalBytes: 23.5 * GiB, gpus: [] }, {}, false);
    assert.equal(cpuOnly.accelerator_summary, 'CPU only: AMD EPYC 7B13, 24 GB RAM');
    assert.deepEqual(cpuOnly.gpus, []);
    const twoH100 = buildFingerprint(
      {
        ...identifyingLinuxBox(),
        gpus: [
          { vendor: 'nvidia', name: 'NVIDIA H100 80GB HBM3', memoryMiB: 81559 },
          { vendor: 'nvidia', name: 'NVIDIA H100 80GB HBM3', memoryMiB: 81559 },
        ],
      },
      {},
      false,
    );
    assert.equal(twoH100.accelerator_summary, '2x H100 80GB HBM3 80 GB + AMD Ryzen 9 7950X3D, 64 GB RAM');
  });

  it('falls back to logical cores only when physical cores are unknown', () => {
    assert.equal(buildFingerprint({ ...identifyingLinuxBox(), physicalCores: 0, logicalCores: 8 }, {}, false).cpu_cores, 8);
  });
});
