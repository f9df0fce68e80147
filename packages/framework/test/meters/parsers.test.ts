/**
 * The meters' parsers on recorded output. Formats, by the documentation of each field:
 * - `nvidia-smi --help-query-gpu` lists each queryable field as a quoted name at the start of a
 *   line, newer names first and older ones after `or`; the excerpts here keep those lines of a
 *   550-series and a 470-series release (texts shortened). `power.draw`'s help says that on Ampere
 *   and newer it is a one-second average, which is why `power.draw.instant` is preferred.
 * - `nvidia-smi --query-gpu=... --format=csv -lms 100`: a header naming each field with its unit in
 *   brackets, then one line per GPU per query, cells separated by ", ", `[N/A]` when unavailable;
 *   `timestamp` is "YYYY/MM/DD HH:MM:SS.msec" (its help text); `clocks_event_reasons.active` a hex
 *   bitmask of nvml.h's nvmlClocksEventReason* values (0x1 GpuIdle, 0x4 SwPowerCap, 0x8 HwSlowdown,
 *   0x20 SwThermalSlowdown, 0x40 HwThermalSlowdown, 0x80 HwPowerBrakeSlowdown).
 * - powermetrics (man powermetrics): blocks opened by "*** Sampled system activity (...) (<n>ms
 *   elapsed) ***", power lines in mW, each an average over the block.
 */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { clockEvents, nvidiaArgs, nvidiaQuery, parseHeader, parseHelpQueryGpu, parseReading, parseTimestamp, THROTTLE_EVENTS } from '../../src/meters/nvidia-smi.js';
import { POWERMETRICS_ARGS, PowermetricsParser } from '../../src/meters/powermetrics.js';

const fixture = (name: string) => readFileSync(fileURLToPath(new URL(`../fixtures/meters/${name}`, import.meta.url)), 'utf8');

describe('nvidia-smi meter', () => {
  it('builds its query from the fields this release lists: power.draw.instant, clocks.sm and clocks_event_reasons.active on a 550 driver', () => {
    const offered = parseHelpQueryGpu(fixture('nvidia-smi-help-query-gpu-550.txt'));
    assert.ok(offered.has('clocks_throttle_reasons.active') && offered.has('clocks_event_reasons.active') && offered.has('clocks.current.sm'));
    assert.ok(!offered.has('total_energy_consumption'));
    const query = nvidiaQuery(offered)!;
    assert.deepEqual(query.fields, ['timestamp', 'index', 'power.draw.instant', 'clocks.sm', 'clocks_event_reasons.active']);
    assert.equal(query.energy, undefined);
    assert.deepEqual(nvidiaArgs(query), ['--query-gpu=timestamp,index,power.draw.instant,clocks.sm,clocks_event_reasons.active', '--format=csv', '-lms', '100']);
  });

  it('on an older release falls back to power.draw and clocks_throttle_reasons.active', () => {
    const query = nvidiaQuery(parseHelpQueryGpu(fixture('nvidia-smi-help-query-gpu-470.txt')))!;
    assert.deepEqual(query.fields, ['timestamp', 'index', 'power.draw', 'clocks.sm', 'clocks_throttle_reasons.active']);
  });

  it('uses the energy counter when the release offers total_energy_consumption, and nothing when it offers no power at all', () => {
    const query = nvidiaQuery(new Set(['timestamp', 'index', 'total_energy_consumption', 'power.draw']))!;
    assert.deepEqual(query.fields, ['timestamp', 'index', 'total_energy_consumption', 'power.draw']);
    assert.equal(query.energy, 2);
    assert.equal(nvidiaQuery(new Set(['timestamp', 'index', 'clocks.sm'])), undefined);
  });

  it('reads a recorded -lms stream: watts, SM clock, clock-event reasons and the local timestamp', () => {
    const lines = fixture('nvidia-smi-lms-h200.csv').trim().split('\n');
    const query = nvidiaQuery(parseHelpQueryGpu(fixture('nvidia-smi-help-query-gpu-550.txt')))!;
    const units = parseHeader(lines[0]!);
    assert.deepEqual(units, ['', '', 'w', 'mhz', '']);
    const readings = lines.slice(1).map((l) => parseReading(l, query, units));
    assert.deepEqual(readings[0], { index: 0, epochMs: new Date(2026, 11, 4, 10, 0, 0, 0).getTime(), watts: 79.5, smClockMhz: 345, events: ['gpu_idle'] });
    assert.equal(readings[2]!.watts, 341.75);
    // [N/A] power: no watts, the rest of the line still counts.
    assert.equal(readings[3]!.watts, undefined);
    assert.deepEqual(readings[3]!.events, ['sw_power_cap']);
    // 0x44 = SwPowerCap (0x4) + HwThermalSlowdown (0x40).
    assert.deepEqual(readings[4]!.events, ['sw_power_cap', 'hw_thermal_slowdown']);
    assert.equal(readings[4]!.smClockMhz, 1755);
    assert.equal(parseReading(lines[0]!, query, units), undefined, 'the header is not a reading');
  });

  it('an energy counter is read in the unit its header names', () => {
    const query = nvidiaQuery(new Set(['timestamp', 'index', 'total_energy_consumption', 'power.draw']))!;
    const units = parseHeader('timestamp, index, total_energy_consumption [mJ], power.draw [W]');
    assert.deepEqual(parseReading('2026/12/04 10:00:00.000, 1, 123456789, 80.00 W', query, units), {
      index: 1,
      epochMs: new Date(2026, 11, 4, 10).getTime(),
      joules: 123456.789,
      watts: 80,
    });
    // A unit it cannot read is not taken for joules.
    assert.equal(parseReading('2026/12/04 10:00:00.000, 1, 5, 80.00 W', query, parseHeader('timestamp, index, total_energy_consumption [Wh], power.draw [W]'))!.joules, undefined);
  });

  it('decodes every documented clock-event bit; throttling is the power and thermal ones only', () => {
    assert.deepEqual(clockEvents(0x1ff), [
      'gpu_idle',
      'applications_clocks_setting',
      'sw_power_cap',
      'hw_slowdown',
      'sync_boost',
      'sw_thermal_slowdown',
      'hw_thermal_slowdown',
      'hw_power_brake_slowdown',
      'display_clock_setting',
    ]);
    assert.deepEqual([...THROTTLE_EVENTS], ['sw_power_cap', 'hw_slowdown', 'sw_thermal_slowdown', 'hw_thermal_slowdown', 'hw_power_brake_slowdown']);
    assert.equal(parseTimestamp('2026/12/04 10:00:00'), new Date(2026, 11, 4, 10).getTime());
    assert.equal(parseTimestamp('yesterday'), undefined);
  });
});

describe('powermetrics meter', () => {
  it('reads the combined SoC power of each block as an average over its elapsed time', () => {
    const parser = new PowermetricsParser();
    const blocks = [
      ...fixture('powermetrics-m3.txt')
        .split('\n')
        .map((l) => parser.line(l)),
      parser.end(),
    ].filter((b) => b !== undefined);
    assert.deepEqual(blocks, [
      { elapsedMs: 101.36, watts: 14.08, domain: 'soc' },
      { elapsedMs: 100.52, watts: 2, domain: 'soc' },
    ]);
    assert.deepEqual([...POWERMETRICS_ARGS], ['--samplers', 'cpu_power,gpu_power', '-i', '100']);
  });

  it('falls back to the CPU power line when a block has no combined figure', () => {
    const parser = new PowermetricsParser();
    parser.line('*** Sampled system activity (Fri Dec  4 10:00:00 2026 +0100) (100.00ms elapsed) ***');
    parser.line('CPU Power: 2500 mW');
    assert.deepEqual(parser.end(), { elapsedMs: 100, watts: 2.5, domain: 'cpu' });
  });
});
