/**
 * What else the machine is doing (Linux; proc(5)). `/proc/stat`'s first line sums every CPU's time
 * in clock ticks: user nice system idle iowait irq softirq steal guest guest_nice (guest time is
 * already inside user). `/proc/<pid>/stat` gives a process's own utime and stime (fields 14 and
 * 15) and its waited-for children's cutime and cstime (16 and 17), in the same ticks, after the
 * command name in parentheses (which may itself hold spaces and parentheses). Both are read at the
 * start and the end of a workload's timed part, never during it.
 *
 * Other processes' share = (busy ticks of the whole machine − ticks of llm-speed's own process
 * tree and of the backend's known processes) ÷ all ticks of all CPUs. Steal (time the hypervisor
 * gave another guest) counts as busy: on a shared VM it is exactly the noise this measures.
 *
 * The tree is walked through `/proc/<pid>/task/<tid>/children` (each thread's children), which
 * reads a few dozen files where scanning every process reads hundreds (measured: 0.5 ms against
 * 33 ms on the loaded 2-core machine); kernels without those files get the full scan.
 */
import { join } from 'node:path';
import { list, readText } from './sysfs.js';

export const PROC_ROOT = '/proc';
export const CPU_ROOT = '/sys/devices/system/cpu';

export interface CpuTimes {
  busy: number;
  total: number;
}

export function parseProcStat(text: string): CpuTimes | undefined {
  const line = text.split('\n').find((l) => /^cpu\s/.test(l));
  if (!line) return undefined;
  const v = line.trim().split(/\s+/).slice(1).map(Number);
  if (v.length < 4 || v.some((n) => !Number.isFinite(n))) return undefined;
  const [user = 0, nice = 0, system = 0, idle = 0, iowait = 0, irq = 0, softirq = 0, steal = 0] = v;
  const busy = user + nice + system + irq + softirq + steal;
  return { busy, total: busy + idle + iowait };
}

export interface ProcessTimes {
  pid: number;
  comm: string;
  ppid: number;
  /** utime + stime + cutime + cstime. */
  ticks: number;
}

export function parsePidStat(text: string): ProcessTimes | undefined {
  const open = text.indexOf('(');
  const close = text.lastIndexOf(')');
  if (open < 0 || close < open) return undefined;
  const pid = Number(text.slice(0, open).trim());
  const f = text
    .slice(close + 1)
    .trim()
    .split(/\s+/);
  // f[0] is field 3 (state): field n is f[n - 3].
  const ppid = Number(f[1]);
  const times = [f[11], f[12], f[13], f[14]].map(Number);
  if (!Number.isInteger(pid) || !Number.isInteger(ppid) || times.some((n) => !Number.isFinite(n))) return undefined;
  return { pid, comm: text.slice(open + 1, close), ppid, ticks: times.reduce((s, n) => s + n, 0) };
}

export function scanProcesses(root = PROC_ROOT): ProcessTimes[] {
  const out: ProcessTimes[] = [];
  for (const entry of list(root)) {
    if (!/^\d+$/.test(entry)) continue;
    const text = readText(join(root, entry, 'stat'));
    const p = text === undefined ? undefined : parsePidStat(text);
    if (p) out.push(p);
  }
  return out;
}

/** `root` and every process descended from it. */
export function processTree(processes: ProcessTimes[], root: number): Set<number> {
  const children = new Map<number, number[]>();
  for (const p of processes) children.set(p.ppid, [...(children.get(p.ppid) ?? []), p.pid]);
  const tree = new Set<number>([root]);
  const queue = [root];
  while (queue.length > 0) {
    for (const child of children.get(queue.pop()!) ?? []) {
      if (tree.has(child)) continue;
      tree.add(child);
      queue.push(child);
    }
  }
  return tree;
}

/**
 * The processes a backend llm-speed did not start runs as (command names as /proc shows them,
 * cut to 15 characters): an attached llama-server, the Ollama daemon and its runners, a vLLM
 * server. Their CPU is the backend's work, not noise. Backends llm-speed spawns are its children
 * and are excluded as such.
 */
export const BACKEND_PROCESS_NAMES: Readonly<Record<string, readonly string[]>> = {
  'llama.cpp': ['llama-server'],
  ollama: ['ollama', 'ollama_llama_se'],
  vllm: ['vllm', 'VLLM::EngineCor', 'VLLM::Worker'],
};

export interface CpuSnapshot {
  cpu: CpuTimes;
  /** Ticks of llm-speed's process tree and the backend's processes. */
  ours: number;
}

/** Child pids of a process, from every thread's `children` file; undefined when the kernel has none. */
function childrenOf(root: string, pid: number): number[] | undefined {
  const tasks = list(join(root, String(pid), 'task'));
  if (tasks.length === 0) return undefined;
  const out: number[] = [];
  let seen = false;
  for (const tid of tasks) {
    const text = readText(join(root, String(pid), 'task', tid, 'children'));
    if (text === undefined) continue;
    seen = true;
    for (const word of text.split(/\s+/)) if (/^\d+$/.test(word)) out.push(Number(word));
  }
  return seen ? out : undefined;
}

/** `self` and its descendants through the children files, or undefined where the kernel lacks them. */
function treeByChildren(root: string, self: number): Set<number> | undefined {
  const tree = new Set<number>([self]);
  const queue = [self];
  while (queue.length > 0) {
    const pid = queue.pop()!;
    const children = childrenOf(root, pid);
    if (children === undefined) {
      if (pid === self) return undefined;
      continue;
    }
    for (const child of children) {
      if (tree.has(child)) continue;
      tree.add(child);
      queue.push(child);
    }
  }
  return tree;
}

/** Processes running under the backend's names (BACKEND_PROCESS_NAMES): found once, by a full scan. */
export function backendPids(options: { root?: string; backend?: string }): number[] {
  const names = new Set(BACKEND_PROCESS_NAMES[options.backend ?? ''] ?? []);
  if (names.size === 0) return [];
  return scanProcesses(options.root ?? PROC_ROOT)
    .filter((p) => names.has(p.comm))
    .map((p) => p.pid);
}

function ticksOf(root: string, pid: number): number {
  const text = readText(join(root, String(pid), 'stat'));
  return (text === undefined ? undefined : parsePidStat(text))?.ticks ?? 0;
}

/**
 * The machine's CPU times and those of llm-speed's tree and the backend's processes. `backendPids`
 * come from backendPids() (found once per run); without the children files the whole of /proc is
 * scanned, names and all.
 */
export function cpuSnapshot(options: { root?: string; selfPid: number; backend?: string; backendPids?: readonly number[] }): CpuSnapshot | undefined {
  const root = options.root ?? PROC_ROOT;
  const stat = readText(join(root, 'stat'));
  const cpu = stat === undefined ? undefined : parseProcStat(stat);
  if (!cpu) return undefined;
  const tree = options.backendPids ? treeByChildren(root, options.selfPid) : undefined;
  if (tree) {
    const pids = new Set([...tree, ...options.backendPids!]);
    return { cpu, ours: [...pids].reduce((s, pid) => s + ticksOf(root, pid), 0) };
  }
  const processes = scanProcesses(root);
  const scanned = processTree(processes, options.selfPid);
  const names = new Set(BACKEND_PROCESS_NAMES[options.backend ?? ''] ?? []);
  const ours = processes.filter((p) => scanned.has(p.pid) || names.has(p.comm)).reduce((s, p) => s + p.ticks, 0);
  return { cpu, ours };
}

/** Other processes' share of all CPU time between two snapshots, in [0, 1]; null when no time passed. */
export function otherShare(before: CpuSnapshot, after: CpuSnapshot): number | null {
  const total = after.cpu.total - before.cpu.total;
  if (!(total > 0)) return null;
  const other = after.cpu.busy - before.cpu.busy - (after.ours - before.ours);
  return Math.min(1, Math.max(0, other / total));
}

export function readLoadavg(root = PROC_ROOT): number | null {
  const first = Number(readText(join(root, 'loadavg'))?.split(/\s+/)[0]);
  return Number.isFinite(first) ? first : null;
}

/** The cpufreq governors in use, sorted and comma-separated ("performance", "powersave,schedutil"); null without cpufreq. */
export function readGovernors(root = CPU_ROOT): string | null {
  const seen = new Set<string>();
  for (const cpu of list(root)) {
    if (!/^cpu\d+$/.test(cpu)) continue;
    const g = readText(join(root, cpu, 'cpufreq', 'scaling_governor'));
    if (g && /^[a-z0-9_-]+$/.test(g)) seen.add(g);
  }
  return seen.size ? [...seen].sort().join(',').slice(0, 64) : null;
}

/** Logical CPUs the kernel lists as online in /proc/stat (cpu0, cpu1, …). */
export function countCpus(root = PROC_ROOT): number | null {
  const stat = readText(join(root, 'stat'));
  if (stat === undefined) return null;
  const n = stat.split('\n').filter((l) => /^cpu\d+\s/.test(l)).length;
  return n > 0 ? n : null;
}
