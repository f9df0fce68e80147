/**
 * `detect` asks Python whether an engine's module is installed before importing it (issue 25: on
 * an H200 machine the vLLM and exllamav2 probes imported torch on every `detect`). Runs the real
 * python3 of this machine.
 */
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { probeEngine } from '../../src/protocol/python-driver.js';
import { missingModules } from '../../src/protocol/python-runner.js';

describe('python module probe (without importing)', function () {
  this.timeout(60_000);

  it('names the modules python3 lacks, from its import path alone', async () => {
    assert.deepEqual(await missingModules('python3', ['json', 'llm_speed_no_such_module']), ['llm_speed_no_such_module']);
    assert.deepEqual(await missingModules('python3', ['json']), []);
  });

  it('an interpreter that is not there answers nothing (undefined), at once', async () => {
    assert.equal(await missingModules('llm-speed-no-such-python', ['json']), undefined);
  });

  it("an engine whose module is missing: the version probe (which would import torch) is never run, and the answer reads as that probe's import failure", async () => {
    const dir = mkdtempSync(join(tmpdir(), 'llm-speed-pyprobe-'));
    const marker = join(dir, 'ran');
    try {
      const probe = await probeEngine(
        { versionProbe: `open(${JSON.stringify(marker)}, 'w').write('ran')\nprint('{}')`, probeTimeoutMs: 20_000, requiredModules: ['llm_speed_no_such_module'] },
        { config: {}, env: process.env },
      );
      assert.deepEqual(probe, { python: 'python3', ok: true, answer: { error: "ModuleNotFoundError: No module named 'llm_speed_no_such_module'" } });
      assert.equal(existsSync(marker), false, 'the version probe did not run');
      // With the module there, the version probe runs as before.
      const present = await probeEngine(
        { versionProbe: `open(${JSON.stringify(marker)}, 'w').write('ran')\nprint('{"v": 1}')`, probeTimeoutMs: 20_000, requiredModules: ['json'] },
        { config: {}, env: process.env },
      );
      assert.deepEqual(present.answer, { v: 1 });
      assert.equal(existsSync(marker), true);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
