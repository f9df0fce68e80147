import assert from 'node:assert/strict';
import { bucketGb, canonicalCpuModel, canonicalGpuName, canonicalOsName, osMajor } from '../../src/fingerprint/index.js';

describe('fingerprint: bucketGb (nearest multiple of 8 GiB, halves up)', () => {
  const cases: [number, number][] = [
    [0, 0],
    [3.6, 0],
    [3.99, 0],
    [4, 8],
    [11.9, 8],
    [12, 16],
    [23.99, 24],
    [24, 24],
    [31.4, 32],
    [32.2, 32],
    [36, 40],
    [79.6, 80],
    [80, 80],
    [191.7, 192],
  ];
  for (const [gib, bucket] of cases) {
    it(`${gib} → ${bucket}`, () => assert.equal(bucketGb(gib), bucket));
  }
  it('treats negative and non-finite input as 0', () => {
    assert.equal(bucketGb(-5), 0);
    assert.equal(bucketGb(Number.NaN), 0);
    assert.equal(bucketGb(Number.POSITIVE_INFINITY), 0);
  });
});

describe('fingerprint: canonical labels', () => {
  it('cleans CPU model lines', () => {
    assert.equal(canonicalCpuModel('AMD', 'Ryzen 9 7950X3D 16-Core Processor'), 'AMD Ryzen 9 7950X3D');
    assert.equal(canonicalCpuModel('Intel', 'Intel(R) Xeon(R) CPU E5-2680 v4 @ 2.40GHz'), 'Intel Xeon E5-2680 v4');
    assert.equal(canonicalCpuModel('Intel', 'Core™ i9-13900K'), 'Intel Core i9-13900K');
    assert.equal(canonicalCpuModel('Intel', 'Xeon® Platinum  8480+'), 'Intel Xeon Platinum 8480+');
    assert.equal(canonicalCpuModel('Apple', 'M3 Pro'), 'Apple M3 Pro');
    assert.equal(canonicalCpuModel('AMD', 'EPYC 7B13'), 'AMD EPYC 7B13');
    assert.equal(canonicalCpuModel('AMD', 'AMD EPYC 7B13 64-Core Processor'), 'AMD EPYC 7B13');
  });

  it('drops vendor and product-line prefixes from GPU names, keeps the SKU', () => {
    assert.equal(canonicalGpuName('NVIDIA GeForce RTX 4090'), 'RTX 4090');
    assert.equal(canonicalGpuName('NVIDIA H100 80GB HBM3'), 'H100 80GB HBM3');
    assert.equal(canonicalGpuName('Tesla V100-SXM2-16GB'), 'V100-SXM2-16GB');
    assert.equal(canonicalGpuName('AMD Instinct MI300X'), 'MI300X');
    assert.equal(canonicalGpuName('Radeon RX 7900 XT/7900 XTX'), 'Radeon RX 7900 XT/7900 XTX');
    assert.equal(canonicalGpuName('Apple M3 Pro'), 'M3 Pro');
    assert.equal(canonicalGpuName('Intel(R) Arc(TM) A770 Graphics'), 'Arc A770');
  });

  it('maps platforms to the schema OS names', () => {
    assert.equal(canonicalOsName('linux'), 'Linux');
    assert.equal(canonicalOsName('darwin'), 'Darwin');
    assert.equal(canonicalOsName('Windows'), 'Windows');
    assert.equal(canonicalOsName('win32'), 'Windows');
    assert.equal(canonicalOsName('freebsd'), 'FreeBSD');
    assert.equal(canonicalOsName('sunos'), 'Other');
  });

  it('keeps only the major OS version', () => {
    assert.equal(osMajor('Linux', '6.8.0-31-generic'), '6');
    assert.equal(osMajor('Darwin', '26.3.1'), '26');
    assert.equal(osMajor('Darwin', '13.5.7'), '13');
    assert.equal(osMajor('Windows', '10.0.19045'), '10');
    assert.equal(osMajor('Windows', '10.0.22631'), '11');
    assert.equal(osMajor('FreeBSD', '14.1-RELEASE-p3'), '14');
    assert.equal(osMajor('Other', 'unknown'), '0');
  });
});
