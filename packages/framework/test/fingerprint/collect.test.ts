import assert from 'node:assert/strict';
import { check } from '../../src/contract/validate.js';
import { collectFingerprint, type FingerprintProbe, type SystemFacts } from '../../src/fingerprint/index.js';
import { fixture } from './fixtures.js';

const GiB = 1024 ** 3;

/** A canned probe: `tools` maps a command name to its stdout; a missing entry is a missing tool. */
function cannedProbe(facts: SystemFacts, tools: Record<string, string>): FingerprintProbe & { calls: string[] } {
  const calls: string[] = [];
  return {
    calls,
    system: async () => facts,
    runTool: async (command, args) => {
      calls.push(`${command} ${args.join(' ')}`);
      return command in tools ? { stdout: tools[command]! } : undefined;
    },
  };
}

function linuxFacts(graphics: SystemFacts['graphics'] = []): SystemFacts {
  return {
    os: { platform: 'linux', kernel: '6.8.0-31-generic', release: '24.04.1', hostname: 'gpu-node-17', distro: 'Ubuntu' },
    cpu: { manufacturer: 'AMD', brand: 'EPYC 9654 96-Core Processor', physicalCores: 96, cores: 192 },
    mem: { total: 755.5 * GiB },
    graphics,
  };
}

describe('fingerprint: collectFingerprint with an injected probe', () => {
  it('NVIDIA: parses nvidia-smi, takes the kernel major, asks only for the kept fields', async () => {
    const probe = cannedProbe(linuxFacts([{ vendor: 'NVIDIA Corporation', model: 'GH100 [H100 SXM5 80GB]', vram: 81559 }]), {
      'nvidia-smi': fixture('nvidia-smi-2gpu.csv'),
    });
    const fp = await collectFingerprint({ probe, backends: { vllm: '0.11.0' } });
    assert.equal(fp.os_version, '6');
    assert.equal(fp.cpu_model, 'AMD EPYC 9654');
    assert.equal(fp.cpu_cores, 96);
    assert.equal(fp.ram_gb, 752);
    // The tool's two devices win over systeminformation's controller entry for the same vendor.
    assert.deepEqual(fp.gpus, [
      { name: 'H100 80GB HBM3', kind: 'nvidia', memory_gb: 80 },
      { name: 'H100 80GB HBM3', kind: 'nvidia', memory_gb: 80 },
    ]);
    assert.ok(probe.calls.includes('nvidia-smi --query-gpu=name,memory.total --format=csv'), probe.calls.join('\n'));
    assert.ok(!probe.calls.some((c) => c.startsWith('system_profiler')));
    const text = JSON.stringify(fp);
    for (const secret of ['00000000:18:00.0', '550.54.15', '96.00.74.00.0D', 'gpu-node-17', '24.04']) assert.ok(!text.includes(secret), secret);
    assert.deepEqual(check('run', fp, 'Fingerprint'), []);
  });

  it('AMD: parses rocm-smi', async () => {
    const fp = await collectFingerprint({ probe: cannedProbe(linuxFacts(), { 'rocm-smi': fixture('rocm-smi-mi300x.json') }) });
    assert.deepEqual(fp.gpus, [
      { name: 'MI300X', kind: 'amd', memory_gb: 192 },
      { name: 'MI300X', kind: 'amd', memory_gb: 192 },
    ]);
    assert.equal(fp.accelerator_summary, '2x MI300X 192 GB + AMD EPYC 9654, 752 GB RAM');
    assert.deepEqual(check('run', fp, 'Fingerprint'), []);
  });

  it('Apple: runs system_profiler only on Darwin and uses the macOS product major', async () => {
    const facts: SystemFacts = {
      os: { platform: 'darwin', kernel: '25.3.0', release: '26.3.1' },
      cpu: { manufacturer: 'Apple', brand: 'M3 Pro', physicalCores: 12, cores: 12 },
      mem: { total: 36 * GiB },
      graphics: [{ vendor: 'Apple', model: 'Apple M3 Pro', vram: null, vramDynamic: true }],
    };
    const probe = cannedProbe(facts, { system_profiler: fixture('system-profiler-m3pro.json'), 'nvidia-smi': 'should not run' });
    const fp = await collectFingerprint({ probe, strictAnon: true });
    assert.deepEqual(probe.calls, ['system_profiler SPDisplaysDataType -json']);
    assert.equal(fp.os_name, 'Darwin');
    assert.equal(fp.os_version, '26');
    assert.deepEqual(fp.gpus, [{ name: 'M3 Pro', kind: 'apple', memory_gb: 40 }]);
    assert.equal(fp.accelerator_summary, 'M3 Pro (18-core GPU) + 40 GB unified');
    assert.equal(Object.hasOwn(fp, 'fingerprint_hash'), false);
    assert.deepEqual(check('run', fp, 'Fingerprint'), []);
  });

  it('none: every tool missing and only a BMC VGA controller → CPU only', async () => {
    const probe = cannedProbe(linuxFacts([{ vendor: 'ASPEED Technology, Inc.', model: 'ASPEED Graphics Family', vram: 8 }]), {});
    const fp = await collectFingerprint({ probe });
    assert.deepEqual(fp.gpus, []);
    assert.equal(fp.accelerator_summary, 'CPU only: AMD EPYC 9654, 752 GB RAM');
    assert.deepEqual(fp.extras, { backends: {} });
    assert.deepEqual(check('run', fp, 'Fingerprint'), []);
  });

  it('falls back to systeminformation controllers for vendors no tool answered for', async () => {
    const probe = cannedProbe(linuxFacts([{ vendor: 'Intel Corporation', model: 'Arc A770 Graphics', vram: 16384, vramDynamic: false }]), {});
    const fp = await collectFingerprint({ probe });
    assert.deepEqual(fp.gpus, [{ name: 'Arc A770', kind: 'intel', memory_gb: 16 }]);
  });

  it('takes the bracketed marketing name from lspci-style models when nvidia-smi is missing', async () => {
    const probe = cannedProbe(linuxFacts([{ vendor: 'NVIDIA Corporation', model: 'AD102 [GeForce RTX 4090]', vram: 24564 }]), {});
    const fp = await collectFingerprint({ probe });
    assert.deepEqual(fp.gpus, [{ name: 'RTX 4090', kind: 'nvidia', memory_gb: 24 }]);
  });

  it('Apple without system_profiler: systeminformation controller and its core count', async () => {
    const facts: SystemFacts = {
      os: { platform: 'darwin', kernel: '22.6.0', release: '13.5.7' },
      cpu: { manufacturer: 'Apple', brand: 'M2 Max', physicalCores: 12, cores: 12 },
      mem: { total: 96 * GiB },
      graphics: [{ vendor: 'Apple', model: 'Apple M2 Max', vram: null, vramDynamic: true, cores: 38 }],
    };
    const fp = await collectFingerprint({ probe: cannedProbe(facts, {}) });
    assert.equal(fp.os_version, '13');
    assert.deepEqual(fp.gpus, [{ name: 'M2 Max', kind: 'apple', memory_gb: 96 }]);
    assert.equal(fp.accelerator_summary, 'M2 Max (38-core GPU) + 96 GB unified');
  });
});

describe('fingerprint: collectFingerprint on this machine', function () {
  this.timeout(20000);
  it('returns a schema-valid fingerprint (default probe: systeminformation + execa)', async () => {
    const fp = await collectFingerprint({ backends: { 'llama.cpp': 'test' } });
    assert.deepEqual(check('run', fp, 'Fingerprint'), []);
    assert.match(fp.fingerprint_hash!, /^[0-9a-f]{16}$/);
    const anon = await collectFingerprint({ strictAnon: true });
    assert.equal(Object.hasOwn(anon, 'fingerprint_hash'), false);
    assert.deepEqual(check('run', anon, 'Fingerprint'), []);
  });
});
