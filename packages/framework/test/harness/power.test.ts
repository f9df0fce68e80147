import assert from 'node:assert/strict';
import { mkdtemp, mkdir, writeFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { linuxOnBattery, linuxThrottleEvents, parsePmset, powerFlags } from '../../src/harness/power.js';

describe('power and thermal flags', () => {
  let root: string;
  beforeEach(async () => {
    root = await mkdtemp(join(tmpdir(), 'llm-speed-power-'));
  });
  afterEach(() => rm(root, { recursive: true, force: true }));

  it('sums Linux throttle counters and flags an increase during the run', async () => {
    for (const cpu of ['cpu0', 'cpu1']) {
      await mkdir(join(root, cpu, 'thermal_throttle'), { recursive: true });
      await writeFile(join(root, cpu, 'thermal_throttle', 'core_throttle_count'), '3\n');
      await writeFile(join(root, cpu, 'thermal_throttle', 'package_throttle_count'), '1\n');
    }
    const before = await linuxThrottleEvents(root);
    assert.equal(before, 8);
    await writeFile(join(root, 'cpu1', 'thermal_throttle', 'core_throttle_count'), '5\n');
    const after = await linuxThrottleEvents(root);
    assert.deepEqual(powerFlags({ throttleEvents: before }, { throttleEvents: after }), ['thermal-throttled']);
    assert.deepEqual(powerFlags({ throttleEvents: 8 }, { throttleEvents: 8 }), []);
  });

  it('reads mains state from power_supply', async () => {
    await mkdir(join(root, 'AC'));
    await writeFile(join(root, 'AC', 'type'), 'Mains\n');
    await writeFile(join(root, 'AC', 'online'), '0\n');
    assert.equal(await linuxOnBattery(root), true);
    await writeFile(join(root, 'AC', 'online'), '1\n');
    assert.equal(await linuxOnBattery(root), false);
  });

  it('parses pmset output (macOS)', () => {
    const s = parsePmset('Note: No thermal warning level has been recorded\nCPU_Speed_Limit \t= 70\n', "Now drawing from 'Battery Power'\n -InternalBattery-0 (id=1)\t80%;");
    assert.deepEqual(s, { cpuSpeedLimit: 70, onBattery: true });
    assert.deepEqual(powerFlags(s, { cpuSpeedLimit: 100, onBattery: true }), ['thermal-throttled', 'on-battery']);
  });

  it('unknown state gives no flags', () => {
    assert.deepEqual(powerFlags({}, {}), []);
  });
});
