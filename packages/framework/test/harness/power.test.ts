import assert from 'node:assert/strict';
import { chmod, mkdtemp, mkdir, writeFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { linuxOnBattery, linuxThrottleEvents, parsePmset, powerFlags, readPowerState, systemPowerProbe } from '../../src/harness/power.js';

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

  it('counts every cpuN folder (cpu10 and up too), nothing else in the folder', async () => {
    for (let i = 0; i < 12; i++) {
      await mkdir(join(root, `cpu${i}`, 'thermal_throttle'), { recursive: true });
      await writeFile(join(root, `cpu${i}`, 'thermal_throttle', 'core_throttle_count'), '1\n');
    }
    // cpufreq and cpuidle sit beside them in /sys/devices/system/cpu
    await mkdir(join(root, 'cpufreq', 'thermal_throttle'), { recursive: true });
    await writeFile(join(root, 'cpufreq', 'thermal_throttle', 'core_throttle_count'), '100\n');
    // Neither a name that only starts like a CPU folder nor one that only ends like one.
    for (const other of ['cpu12-offline', 'xcpu13']) {
      await mkdir(join(root, other, 'thermal_throttle'), { recursive: true });
      await writeFile(join(root, other, 'thermal_throttle', 'core_throttle_count'), '100\n');
    }
    assert.equal(await linuxThrottleEvents(root), 12);
    assert.equal(await linuxThrottleEvents(join(root, 'missing')), undefined);
  });

  it('a supply folder without a type file is passed over, the mains beside it still read', async () => {
    await mkdir(join(root, 'ucsi-source-psy-0'));
    await writeFile(join(root, 'ucsi-source-psy-0', 'online'), '1\n');
    await mkdir(join(root, 'AC'));
    await writeFile(join(root, 'AC', 'type'), 'Mains\n');
    await writeFile(join(root, 'AC', 'online'), '0\n');
    assert.equal(await linuxOnBattery(root), true);
  });

  it('a machine with only a battery supply says nothing about mains (no flag either way)', async () => {
    await mkdir(join(root, 'BAT0'));
    await writeFile(join(root, 'BAT0', 'type'), 'Battery\n');
    await writeFile(join(root, 'BAT0', 'online'), '0\n');
    assert.equal(await linuxOnBattery(root), undefined);
    assert.equal(await linuxOnBattery(join(root, 'missing')), undefined);
  });

  it('pmset on AC power, a speed limit of 100 and battery at one end only', () => {
    assert.deepEqual(parsePmset('CPU_Speed_Limit = 100', "Now drawing from 'AC Power'"), { cpuSpeedLimit: 100, onBattery: false });
    assert.deepEqual(parsePmset('', ''), {});
    assert.deepEqual(parsePmset('CPU_Speed_Limit=85', ''), { cpuSpeedLimit: 85 }, 'with or without blanks around "="');
    assert.deepEqual(powerFlags({ cpuSpeedLimit: 100 }, { cpuSpeedLimit: 100 }), []);
    assert.deepEqual(powerFlags({ cpuSpeedLimit: 100 }, { cpuSpeedLimit: 99 }), ['thermal-throttled']);
    assert.deepEqual(powerFlags({ onBattery: false }, { onBattery: true }), ['on-battery']);
    assert.deepEqual(powerFlags({ onBattery: true }, { onBattery: false }), ['on-battery']);
  });

  it('reads the platform it runs on: sysfs on Linux, pmset on macOS, nothing elsewhere', async function () {
    if (process.platform !== 'linux') this.skip();
    assert.deepEqual(await readPowerState('linux'), { throttleEvents: await linuxThrottleEvents(), onBattery: await linuxOnBattery() });
    assert.deepEqual(await systemPowerProbe.read(), await readPowerState('linux'));
    assert.deepEqual(await readPowerState('win32'), {});
    // macOS: the real pmset's output format, from a stand-in on PATH.
    const pmset = join(root, 'pmset');
    // It answers only the two exact invocations the driver documents, so each is checked.
    await writeFile(pmset, `#!/bin/sh\nif [ "$*" = "-g therm" ]; then echo 'CPU_Speed_Limit \t= 70'; elif [ "$*" = "-g batt" ]; then echo "Now drawing from 'Battery Power'"; fi\n`);
    await chmod(pmset, 0o755);
    const path = process.env.PATH;
    try {
      process.env.PATH = root;
      assert.deepEqual(await readPowerState('darwin'), { cpuSpeedLimit: 70, onBattery: true });
      assert.deepEqual(await readPowerState('win32'), {}, 'pmset is asked on macOS only, even where one is on PATH');
      process.env.PATH = join(root, 'nowhere');
      assert.deepEqual(await readPowerState('darwin'), {}, 'no pmset: nothing known, nothing thrown');
    } finally {
      process.env.PATH = path;
    }
  });
});
