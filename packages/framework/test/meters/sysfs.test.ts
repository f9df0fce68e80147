/**
 * The sysfs and procfs meters on fake trees written here, laid out as the kernel documents them:
 * powercap (Documentation/power/powercap/powercap.rst: zones intel-rapl:<n> with `name`,
 * `energy_uj`, `max_energy_range_uj`, sub-zones intel-rapl:<n>:<m>), amdgpu hwmon
 * (Documentation/gpu/amdgpu/thermal.rst: `name` "amdgpu", power1_average in µW, energy1_input in
 * µJ, freq1_input in Hz with freq1_label "sclk"), proc(5) (`/proc/stat`'s cpu line in ticks,
 * `/proc/<pid>/stat` with utime, stime, cutime, cstime as fields 14–17, `/proc/loadavg`) and cpufreq
 * (`cpu<n>/cpufreq/scaling_governor`).
 */
import assert from 'node:assert/strict';
import { chmodSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { findAmdGpuSensors, readAmdGpu } from '../../src/meters/hwmon.js';
import { backendPids, countCpus, cpuSnapshot, otherShare, parsePidStat, parseProcStat, processTree, readGovernors, readLoadavg, scanProcesses } from '../../src/meters/proc.js';
import { findRaplZones, RaplCounter } from '../../src/meters/rapl.js';

function write(root: string, path: string, text: string): void {
  const full = join(root, path);
  mkdirSync(join(full, '..'), { recursive: true });
  writeFileSync(full, text);
}

describe('sysfs and procfs meters (fake trees)', () => {
  let root: string;
  beforeEach(() => {
    root = mkdtempSync(join(tmpdir(), 'llm-speed-sysfs-'));
  });
  afterEach(() => rmSync(root, { recursive: true, force: true }));

  describe('RAPL (powercap)', () => {
    function zone(dir: string, name: string, uj: number, range = 262_143_328_850): void {
      write(root, `${dir}/name`, `${name}\n`);
      write(root, `${dir}/energy_uj`, `${uj}\n`);
      write(root, `${dir}/max_energy_range_uj`, `${range}\n`);
    }

    it('reads each package and its DRAM zone; psys, core and uncore would count the package twice', () => {
      zone('intel-rapl:0', 'package-0', 1000);
      zone('intel-rapl:0:0', 'core', 500);
      zone('intel-rapl:0:1', 'uncore', 100);
      zone('intel-rapl:0:2', 'dram', 300);
      zone('intel-rapl:1', 'package-1', 2000);
      zone('intel-rapl:2', 'psys', 9000);
      zone('intel-rapl-mmio:0', 'package-0', 1000);
      const found = findRaplZones(root);
      assert.equal(found.problem, undefined);
      assert.deepEqual(
        found.zones.map((z) => [z.zone, z.domain]),
        [
          ['intel-rapl:0', 'cpu-package'],
          ['intel-rapl:0:2', 'dram'],
          ['intel-rapl:1', 'cpu-package'],
        ],
      );
    });

    it('unwraps the counter when it passes max_energy_range_uj', () => {
      // Range 1,000,000 µJ: 999,000 → 1,000 is 1,000 µJ to the top and 1,000 after the wrap.
      zone('intel-rapl:0', 'package-0', 990_000, 1_000_000);
      const [z] = findRaplZones(root).zones;
      const counter = new RaplCounter(z!);
      assert.equal(counter.read(), 0);
      write(root, 'intel-rapl:0/energy_uj', '999000');
      assert.equal(counter.read(), 0.009); // 9,000 µJ
      write(root, 'intel-rapl:0/energy_uj', '1000');
      assert.equal(counter.read(), 0.011); // + 1,000 + 1,000 µJ across the wrap
      write(root, 'intel-rapl:0/energy_uj', '501000');
      assert.equal(counter.read(), 0.511);
    });

    it('says the counters need root when energy_uj is not readable', function () {
      if (process.getuid?.() === 0) this.skip(); // root reads a mode-000 file anyway
      zone('intel-rapl:0', 'package-0', 1000);
      chmodSync(join(root, 'intel-rapl:0/energy_uj'), 0o000);
      const found = findRaplZones(root);
      assert.deepEqual(found.zones, []);
      assert.match(found.problem!, /readable only by root/);
    });

    it('no powercap tree: no zones and no complaint', () => {
      assert.deepEqual(findRaplZones(join(root, 'missing')), { zones: [] });
    });
  });

  describe('amdgpu hwmon', () => {
    it('prefers the energy counter, else average power, and reads the shader clock', () => {
      write(root, 'hwmon0/name', 'k10temp\n');
      write(root, 'hwmon1/name', 'amdgpu\n');
      write(root, 'hwmon1/power1_average', '187000000\n'); // 187 W in µW
      write(root, 'hwmon1/freq1_input', '2482000000\n'); // 2,482 MHz in Hz
      write(root, 'hwmon1/freq1_label', 'sclk\n');
      write(root, 'hwmon2/name', 'amdgpu\n');
      write(root, 'hwmon2/energy1_input', '5000000\n'); // 5 J in µJ
      write(root, 'hwmon2/power1_average', '90000000\n');
      const sensors = findAmdGpuSensors(root);
      assert.deepEqual(
        sensors.map((s) => [s.hwmon, s.kind]),
        [
          ['hwmon1', 'power'],
          ['hwmon2', 'energy'],
        ],
      );
      assert.deepEqual(readAmdGpu(sensors[0]!), { value: 187, clockMhz: 2482 });
      assert.deepEqual(readAmdGpu(sensors[1]!), { value: 5 });
    });
  });

  describe('/proc: what else the machine does', () => {
    it('parses the cpu line: busy is user + nice + system + irq + softirq + steal, the total adds idle and iowait', () => {
      // user nice system idle iowait irq softirq steal guest guest_nice
      assert.deepEqual(parseProcStat('cpu  100 5 20 800 50 3 2 20 7 0\ncpu0 50 2 10 400 25 1 1 10 3 0\n'), { busy: 150, total: 1000 });
      assert.equal(parseProcStat('intr 1 2 3'), undefined);
    });

    it('parses a process line whose command name holds spaces and parentheses', () => {
      // Fields after the name: state(3) ppid(4) pgrp session tty tpgid flags minflt cminflt majflt cmajflt utime(14) stime(15) cutime(16) cstime(17) …
      const line = '4242 (node (worker) x) S 4000 4242 4242 0 -1 4194304 100 0 0 0 70 30 5 5 20 0 11 0 100 0 0';
      assert.deepEqual(parsePidStat(line), { pid: 4242, comm: 'node (worker) x', ppid: 4000, ticks: 110 });
    });

    function proc(stat: string, processes: Array<[pid: number, comm: string, ppid: number, utime: number, stime: number]>, loadavg = '2.50 1.00 0.50 3/200 4242\n'): void {
      write(root, 'proc/stat', stat);
      write(root, 'proc/loadavg', loadavg);
      for (const [pid, comm, ppid, u, s] of processes) write(root, `proc/${pid}/stat`, `${pid} (${comm}) S ${ppid} 0 0 0 -1 0 0 0 0 0 ${u} ${s} 0 0 20 0 1 0 0 0 0\n`);
    }

    it("other processes' share: the machine's busy ticks less llm-speed's tree and the backend's own processes", () => {
      // 2 CPUs. Tree: llm-speed 100 → nvidia-smi 101, llama-server 102 → its helper 103. Others: 200 (a compile), 300 ollama.
      const before: Array<[number, string, number, number, number]> = [
        [1, 'systemd', 0, 10, 10],
        [100, 'node', 1, 100, 20],
        [101, 'nvidia-smi', 100, 5, 5],
        [102, 'llama-server', 100, 400, 50],
        [103, 'llama-server', 102, 0, 0],
        [200, 'cc1plus', 1, 0, 0],
        [300, 'ollama', 1, 1000, 0],
      ];
      proc('cpu  2000 0 500 7000 500 0 0 0 0 0\ncpu0 0\ncpu1 0\n', before);
      const a = cpuSnapshot({ root: join(root, 'proc'), selfPid: 100, backend: 'llama.cpp' })!;
      // Over the workload: 1,000 ticks pass on all CPUs, 900 busy. The tree used 100 + 5 + 400 + 20 = 525;
      // the compile 300; ollama 75 (not this run's backend, so it counts as other).
      const after: Array<[number, string, number, number, number]> = [
        [1, 'systemd', 0, 10, 10],
        [100, 'node', 1, 200, 20],
        [101, 'nvidia-smi', 100, 10, 5],
        [102, 'llama-server', 100, 800, 50],
        [103, 'llama-server', 102, 20, 0],
        [200, 'cc1plus', 1, 250, 50],
        [300, 'ollama', 1, 1075, 0],
      ];
      proc('cpu  2800 0 600 7100 500 0 0 0 0 0\ncpu0 0\ncpu1 0\n', after);
      const b = cpuSnapshot({ root: join(root, 'proc'), selfPid: 100, backend: 'llama.cpp' })!;
      // Other = (900 − 525) / 1,000 = 0.375.
      assert.equal(otherShare(a, b), 0.375);
      assert.equal(countCpus(join(root, 'proc')), 2);
      assert.equal(readLoadavg(join(root, 'proc')), 2.5);
      // With ollama as the backend its 75 ticks are the backend's: (900 − 600) / 1,000.
      proc('cpu  2000 0 500 7000 500 0 0 0 0 0\n', before);
      const a2 = cpuSnapshot({ root: join(root, 'proc'), selfPid: 100, backend: 'ollama' })!;
      proc('cpu  2800 0 600 7100 500 0 0 0 0 0\n', after);
      const b2 = cpuSnapshot({ root: join(root, 'proc'), selfPid: 100, backend: 'ollama' })!;
      assert.equal(otherShare(a2, b2), 0.3);
    });

    it("walks llm-speed's tree through the threads' children files, and finds the backend's processes by name once", () => {
      // pid 100 (llm-speed) has threads 100 and 105; thread 105 started llama-server 102, whose thread 102 started 103.
      const processes: Array<[number, string, number, number, number]> = [
        [100, 'node', 1, 100, 0],
        [102, 'llama-server', 100, 400, 0],
        [103, 'helper', 102, 20, 0],
        [200, 'make', 1, 300, 0],
        [300, 'ollama', 1, 75, 0],
      ];
      proc('cpu  1000 0 0 9000 0 0 0 0 0 0\n', processes);
      write(root, 'proc/100/task/100/children', '');
      write(root, 'proc/100/task/105/children', '102 ');
      write(root, 'proc/102/task/102/children', '103');
      write(root, 'proc/103/task/103/children', '');
      const pids = backendPids({ root: join(root, 'proc'), backend: 'ollama' });
      assert.deepEqual(pids, [300]);
      // Ours: 100 + 400 + 20 (the tree) + 75 (ollama, the backend) = 595; make's 300 is not read at all.
      assert.deepEqual(cpuSnapshot({ root: join(root, 'proc'), selfPid: 100, backend: 'ollama', backendPids: pids }), { cpu: { busy: 1000, total: 10000 }, ours: 595 });
      // The full scan (kernels without children files) gives the same.
      assert.equal(cpuSnapshot({ root: join(root, 'proc'), selfPid: 100, backend: 'ollama' })!.ours, 595);
      assert.deepEqual(backendPids({ root: join(root, 'proc'), backend: 'scripted' }), []);
    });

    it('the process tree follows parents through every generation', () => {
      proc('cpu 0 0 0 0\n', [
        [10, 'a', 1, 0, 0],
        [11, 'b', 10, 0, 0],
        [12, 'c', 11, 0, 0],
        [13, 'd', 1, 0, 0],
      ]);
      assert.deepEqual([...processTree(scanProcesses(join(root, 'proc')), 10)].sort(), [10, 11, 12]);
    });

    it('governors: the distinct values, sorted; null without cpufreq', () => {
      write(root, 'cpu/cpu0/cpufreq/scaling_governor', 'performance\n');
      write(root, 'cpu/cpu1/cpufreq/scaling_governor', 'powersave\n');
      write(root, 'cpu/cpu2/cpufreq/scaling_governor', 'performance\n');
      write(root, 'cpu/cpufreq/boost', '1\n');
      assert.equal(readGovernors(join(root, 'cpu')), 'performance,powersave');
      assert.equal(readGovernors(join(root, 'nothing')), null);
    });
  });
});
