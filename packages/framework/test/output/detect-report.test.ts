/**
 * `llm-speed detect`'s report, line by line (the output area's mutation survivors, issue 27): the
 * hardware block is exactly what an upload carries (PRIVACY.md: OS, CPU and cores, RAM to the
 * nearest 8 GB, each GPU with its kind and memory, the summary and the class hash, or "(omitted)"
 * under --strict-anon), then each backend detected or skipped with its reason.
 */
import assert from 'node:assert/strict';
import { renderDetectReport } from '../../src/output/detect-table.js';
import { sampleRun } from '../../src/testing/sample-run.js';

describe('detect report', () => {
  const fingerprint = sampleRun().fingerprint;

  it('the hardware an upload carries, then each backend detected or skipped, aligned on the longest name', () => {
    const fp = { ...fingerprint, gpus: [{ name: 'NVIDIA GeForce RTX 4090', kind: 'nvidia', memory_gb: 24 }] } as typeof fingerprint;
    const lines = renderDetectReport({
      fingerprint: fp,
      drivers: [
        { name: 'llama.cpp', available: true, version: '0.5.0', build: { kind: 'cpu' } },
        { name: 'openai-compatible', available: false, reason: 'no server at http://127.0.0.1:8080' },
        { name: 'mlx', available: false },
      ],
      skipped_plugins: [{ plugin: '@acme/llm-speed-driver-x', reason: 'needs @llm-speed/framework 9' }],
    }).split('\n');
    assert.deepEqual(lines, [
      'Hardware (exactly what an upload carries):',
      `  OS          ${fp.os_name} ${fp.os_version}`,
      `  CPU         ${fp.cpu_model}, ${fp.cpu_cores} cores`,
      `  RAM         ${fp.ram_gb} GB (nearest 8 GB)`,
      '  GPU         NVIDIA GeForce RTX 4090 (nvidia, 24 GB)',
      `  Summary     ${fp.accelerator_summary}`,
      `  Class hash  ${fp.fingerprint_hash}`,
      '',
      'Backends:',
      // Names padded to "openai-compatible" (17 letters); a skip without a reason ends at "skipped".
      '  llama.cpp          detected  0.5.0 · cpu',
      '  openai-compatible  skipped   no server at http://127.0.0.1:8080',
      '  mlx                skipped',
      '  @acme/llm-speed-driver-x: skipped: needs @llm-speed/framework 9',
    ]);
  });

  it('no GPU says "none"; a --strict-anon fingerprint has no class hash; no drivers says how to add one', () => {
    const lines = renderDetectReport({ fingerprint: { ...fingerprint, gpus: [], fingerprint_hash: null } as unknown as typeof fingerprint, drivers: [] }).split('\n');
    assert.ok(lines.includes('  GPU         none'), lines.join('\n'));
    assert.ok(lines.includes('  Class hash  (omitted)'), lines.join('\n'));
    assert.equal(lines.at(-1), '  (no driver plugins installed: llm-speed plugins install <package>)');
    // Short names still get the minimum column of 8.
    const one = renderDetectReport({ fingerprint, drivers: [{ name: 'vllm', available: true, version: '0.6' }] }).split('\n');
    assert.equal(one.at(-1), '  vllm      detected  0.6');
  });
});
