/** Finds a llama-server binary (config path, env, PATH, the project's own cached build) and reads its version. */
import { accessSync, constants, readdirSync, statSync } from 'node:fs';
import { mkdir, readFile, rename, stat, writeFile } from 'node:fs/promises';
import { delimiter, join, resolve } from 'node:path';
import { execFile } from 'node:child_process';
import type { BackendBuild, DriverContext } from '@llm-speed/framework';

const SERVER_EXE = process.platform === 'win32' ? 'llama-server.exe' : 'llama-server';

function isFile(path: string): boolean {
  try {
    return statSync(path).isFile();
  } catch {
    return false;
  }
}

// A file spawn() cannot run is no llama-server: taking it would only fail later, at open().
function isExecutable(path: string): boolean {
  if (!isFile(path)) return false;
  try {
    accessSync(path, constants.X_OK);
    return true;
  } catch {
    return false;
  }
}

/** Where the user pointed the driver at a llama-server, and the words that name that setting. */
export function configuredServerPath(ctx: DriverContext): { path: string; setting: string } | undefined {
  return configuredPath(ctx);
}

function configuredPath(ctx: DriverContext): { path: string; setting: string } | undefined {
  const fromConfig = ctx.config.llama_cpp_path as string | undefined;
  if (fromConfig) return { path: resolve(fromConfig), setting: '--llama-cpp-path' };
  const fromEnv = ctx.env.LLM_SPEED_LLAMA_CPP_PATH;
  return fromEnv ? { path: resolve(fromEnv), setting: 'LLM_SPEED_LLAMA_CPP_PATH' } : undefined;
}

export interface ServerLookup {
  binary?: string;
  /** Set when a configured path holds no llama-server: one line naming the path and the fix. */
  problem?: string;
}

/**
 * A configured path is taken at its word: when it holds no llama-server the lookup says so
 * instead of falling back to PATH or the embedded engine, which would measure another engine
 * than the one the user asked for.
 */
export function lookupLlamaServer(ctx: DriverContext): ServerLookup {
  const configured = configuredPath(ctx);
  if (configured) {
    const { path } = configured;
    const binary = [path, join(path, SERVER_EXE), join(path, 'bin', SERVER_EXE)].find(isExecutable);
    return binary ? { binary } : { problem: configuredPathProblem(configured) };
  }
  const candidates = (ctx.env.PATH ?? '')
    .split(delimiter)
    .filter(Boolean)
    .map((dir) => join(dir, SERVER_EXE));
  candidates.push(...cachedBuilds(ctx.cacheDir));
  return { binary: candidates.find(isExecutable) };
}

export function findLlamaServer(ctx: DriverContext): string | undefined {
  return lookupLlamaServer(ctx).binary;
}

function configuredPathProblem({ path, setting }: { path: string; setting: string }): string {
  const fix = `point ${setting} at the llama-server binary or the folder holding it, or unset it to use llama-server from PATH or the embedded engine`;
  let what: string;
  try {
    const info = statSync(path);
    if (info.isFile()) what = 'is not executable';
    else {
      const inside = [join(path, SERVER_EXE), join(path, 'bin', SERVER_EXE)].find(isFile);
      what = inside ? `holds ${inside}, which is not executable` : `holds no ${SERVER_EXE} (nor bin/${SERVER_EXE})`;
    }
  } catch {
    what = 'does not exist';
  }
  return `${setting} ${path} ${what}: ${fix}`;
}

/**
 * llama-server binaries built by scripts/build-llama-server.sh from the llama.cpp source that
 * node-llama-cpp ships (complete builds only: the stamp is written last). On small CPUs the
 * embedded engine decodes well below llama-bench (see README), so a real server, once built,
 * is preferred over it.
 */
export function cachedBuilds(cacheDir: string): string[] {
  const root = join(cacheDir, 'llama.cpp');
  let builds: string[];
  try {
    builds = readdirSync(root).sort().reverse();
  } catch {
    return [];
  }
  // A GPU build (`llm-speed engine build-server`: <commit>-nlc<v>-cuda-r<n>) before the CPU one beside it.
  const gpuFirst = (b: string) => (/-(cuda|vulkan|rocm|metal)-r\d+$/.test(b) ? 0 : 1);
  return builds
    .filter((b) => isFile(join(root, b, 'bin', '.complete')))
    .sort((a, b) => gpuFirst(a) - gpuFirst(b))
    .map((b) => join(root, b, 'bin', SERVER_EXE));
}

export function attachUrl(ctx: DriverContext): string | undefined {
  const url = (ctx.config.llama_cpp_url as string | undefined) ?? ctx.env.LLM_SPEED_LLAMA_CPP_URL;
  return url ? url.replace(/\/+$/, '') : undefined;
}

/**
 * llama.cpp's release and commit, spelt the same way for every engine built from one source:
 * "<release> (<commit>)", e.g. "0.5.0 (de3ff81)". The build number llama.cpp also prints counts
 * the commits of the tree it was built in, so a build from a one-commit source bundle calls itself
 * "build 1": it names nothing and is left out. Builds that name no release (older llama.cpp prints
 * "version: 4567 (abcdef0)", /props says "b4567-abcdef0") are named by llama.cpp's own release
 * tags, b<build>, unless the build number is 0 or 1.
 */
export interface LlamaCppVersion {
  /** "0.5.0", "0.5.0-dev" or "b4567"; undefined when the build names none. */
  release?: string;
  /** Short commit hash. */
  commit?: string;
  /** The canonical spelling: "<release> (<commit>)", or whatever was printed when it cannot be parsed. */
  version?: string;
}

function canonical(release: string | undefined, commit: string | undefined): string | undefined {
  const shortCommit = commit && /^[0-9a-f]{7,40}$/i.test(commit) ? commit.slice(0, 7).toLowerCase() : undefined;
  if (release && shortCommit) return `${release} (${shortCommit})`;
  if (shortCommit) return `(${shortCommit})`;
  return release;
}

const buildRelease = (build: string): string | undefined => (Number(build) > 1 ? `b${build}` : undefined);

/**
 * `llama-server --version`: "version: 0.5.0 (build 0, commit de3ff81)" (llama.cpp
 * common/build-info.cpp.in, llama_print_build_info) or, from older builds, "version: 4567 (abcdef0)".
 */
export function parseServerVersion(output: string): LlamaCppVersion {
  const line = /^version:\s*(.+?)\s*$/im.exec(output)?.[1];
  if (!line) return {};
  const nested = /^(\S+)\s*\(build\s+(\d+),\s*commit\s+([0-9a-f]+|unknown)\)/i.exec(line);
  if (nested) {
    const commit = nested[3]!.toLowerCase() === 'unknown' ? undefined : nested[3];
    const release = nested[1]!;
    return { release, commit, version: canonical(release, commit) };
  }
  const plain = /^(\d+)\s*\(([0-9a-f]+)\)/i.exec(line);
  if (plain) {
    const release = buildRelease(plain[1]!);
    return { release, commit: plain[2], version: canonical(release, plain[2]) };
  }
  return { version: line };
}

/** /props `build_info`: "b4567-abcdef0" (llama.cpp common/build-info.cpp.in, llama_build_info). */
export function parseBuildInfo(buildInfo: string | undefined): LlamaCppVersion {
  const match = buildInfo ? /^b(\d+)-([0-9a-f]+|unknown)$/i.exec(buildInfo.trim()) : null;
  if (!match) return buildInfo ? { version: buildInfo } : {};
  const commit = match[2]!.toLowerCase() === 'unknown' ? undefined : match[2];
  const release = buildRelease(match[1]!);
  return { release, commit, version: canonical(release, commit) };
}

/** Runs the binary with one flag and a deadline; llama-server prints on stderr, so both streams are read. */
function binaryOutput(binary: string, flag: string, timeout: number): Promise<string> {
  return new Promise<string>((resolve) => {
    execFile(binary, [flag], { timeout }, (_error, stdout, stderr) => resolve(`${stdout}\n${stderr}`));
  });
}

export async function serverVersion(binary: string, cacheDir?: string): Promise<LlamaCppVersion> {
  return (await probeServer(binary, cacheDir)).version;
}

/**
 * ggml device names (ggml_backend_dev_name) → the compute backend. Names as ggml registers them:
 * CUDA0, ROCm0, MUSA0 (ggml/include/ggml-cuda.h GGML_CUDA_NAME + index), MTL0 (ggml-metal.cpp),
 * Vulkan0 (ggml-vulkan.h GGML_VK_NAME), SYCL0 (ggml-sycl.h), GPUOpenCL (ggml-opencl.cpp),
 * CANN0 (ggml-cann.cpp). Accelerator devices that only help the CPU (BLAS, ZenDNN) and remote
 * devices (RPC[...]) name no compute backend of their own.
 */
const DEVICE_KINDS: Array<[RegExp, BackendBuild['kind']]> = [
  [/^CUDA\d+$/, 'cuda'],
  [/^ROCm\d+$/, 'rocm'],
  [/^MUSA\d+$/, 'musa'],
  [/^MTL\d+$/, 'metal'],
  [/^Metal$/, 'metal'],
  [/^Vulkan\d+$/, 'vulkan'],
  [/^SYCL\d+$/, 'sycl'],
  [/^GPUOpenCL$/, 'opencl'],
  [/^CANN\d+$/, 'cann'],
];

export function deviceKind(name: string): BackendBuild['kind'] | undefined {
  return DEVICE_KINDS.find(([pattern]) => pattern.test(name))?.[1];
}

function buildOf(devices: Array<{ name: string; description: string }>): BackendBuild {
  const compute = devices.filter((d) => deviceKind(d.name) !== undefined);
  if (compute.length === 0) return { kind: 'cpu' };
  const kind = deviceKind(compute[0]!.name)!;
  const names = [...new Set(compute.map((d) => (d.description || d.name).slice(0, 64)))].slice(0, 16);
  return { kind, devices: names };
}

/**
 * `llama-server --list-devices` (llama.cpp common/arg.cpp, common_print_available_devices): the
 * non-CPU devices this build can use, one per line, "  CUDA0: NVIDIA H200 (143166 MiB, 142570 MiB
 * free)", or "  (none)" for a CPU-only build. Undefined when the output is not that list.
 */
export function parseListDevices(output: string): BackendBuild | undefined {
  const lines = output.split(/\r?\n/);
  const header = lines.findIndex((l) => /^Available devices:\s*$/.test(l.trim()));
  if (header === -1) return undefined;
  const devices: Array<{ name: string; description: string }> = [];
  for (const line of lines.slice(header + 1)) {
    const match = /^\s+([^\s:]+):\s+(.+?)\s+\(\d+ MiB, \d+ MiB free\)\s*$/.exec(line);
    if (match) devices.push({ name: match[1]!, description: match[2]! });
  }
  return buildOf(devices);
}

export async function listDevices(binary: string, cacheDir?: string): Promise<BackendBuild | undefined> {
  return (await probeServer(binary, cacheDir)).build;
}

export interface ServerProbe {
  version: LlamaCppVersion;
  /** What `--list-devices` says the build can use; undefined when its output was not that list. */
  build?: BackendBuild;
}

/**
 * The file that remembers each llama-server's `--version` and `--list-devices` answers. Both
 * initialise every GPU back-end the build has: on an H200 with CUDA 13 each took over a second, and
 * `detect` ran them for every command. The answers depend only on the binary (and the devices
 * present, which change no more often than the binary), so they are kept per binary, keyed by its
 * path, size and modification time: a rebuilt or replaced binary is probed again.
 */
const PROBE_CACHE_FILE = 'llama-server-probes.json';
const PROBE_CACHE_VERSION = 1;

interface ProbeCacheEntry extends ServerProbe {
  size: number;
  mtimeMs: number;
}

type ProbeCache = { version: number; binaries: Record<string, ProbeCacheEntry> };

async function readProbeCache(file: string): Promise<ProbeCache> {
  try {
    const parsed = JSON.parse(await readFile(file, 'utf8')) as ProbeCache;
    if (parsed?.version === PROBE_CACHE_VERSION && typeof parsed.binaries === 'object' && parsed.binaries !== null) return parsed;
  } catch {
    // Missing or unreadable: the probes run again, and the file is rewritten.
  }
  return { version: PROBE_CACHE_VERSION, binaries: {} };
}

/** Probes in flight, per binary: detect() and open() of one command ask at the same time. */
const probing = new Map<string, Promise<ServerProbe>>();

/**
 * `--version` and `--list-devices` of a llama-server, in parallel, from the cache in `cacheDir`
 * when the binary is the one probed before. Without a cache folder the binary is always run.
 */
export function probeServer(binary: string, cacheDir?: string): Promise<ServerProbe> {
  const key = `${resolve(binary)}\u0000${cacheDir ?? ''}`;
  let pending = probing.get(key);
  if (!pending) {
    pending = probeServerOnce(resolve(binary), cacheDir).finally(() => probing.delete(key));
    probing.set(key, pending);
  }
  return pending;
}

async function probeServerOnce(binary: string, cacheDir: string | undefined): Promise<ServerProbe> {
  const info = await stat(binary).catch(() => undefined);
  const file = cacheDir ? join(cacheDir, PROBE_CACHE_FILE) : undefined;
  if (file && info) {
    const hit = (await readProbeCache(file)).binaries[binary];
    if (hit && hit.size === info.size && hit.mtimeMs === info.mtimeMs) return { version: hit.version, ...(hit.build ? { build: hit.build } : {}) };
  }
  const [versionOutput, devicesOutput] = await Promise.all([binaryOutput(binary, '--version', 10_000), binaryOutput(binary, '--list-devices', 20_000)]);
  const probe: ServerProbe = { version: parseServerVersion(versionOutput) };
  const build = parseListDevices(devicesOutput);
  if (build) probe.build = build;
  // Only complete answers are kept: a probe that timed out or crashed is asked again next time.
  if (file && info && probe.version.version && probe.build) await writeProbeCache(file, binary, { ...probe, size: info.size, mtimeMs: info.mtimeMs }).catch(() => undefined);
  return probe;
}

async function writeProbeCache(file: string, binary: string, entry: ProbeCacheEntry): Promise<void> {
  const cache = await readProbeCache(file);
  cache.binaries[binary] = entry;
  await mkdir(join(file, '..'), { recursive: true });
  // Written whole, then renamed: a reader never sees half a file, and concurrent writers lose at most an entry.
  const tmp = `${file}.${process.pid}.${Date.now()}.tmp`;
  await writeFile(tmp, JSON.stringify(cache, null, 2));
  await rename(tmp, file);
}

/**
 * A llama-server start-up log (its stderr): the devices it initialised or loaded the model on.
 * At the default verbosity ggml's GPU back-ends announce themselves while they initialise:
 * "ggml_cuda_init: found 1 CUDA devices (Total VRAM: 143166 MiB):" then "  Device 0: NVIDIA H200,
 * compute capability 9.0, VMM: yes, VRAM: 143166 MiB" (ggml/src/ggml-cuda/ggml-cuda.cu, also for
 * ROCm and MUSA builds, which name themselves there), "ggml_metal_init: found device: Apple M2 Max"
 * (ggml/src/ggml-metal/ggml-metal-context.m). At higher verbosity the model load says
 * "llama_model_load_from_file_impl: using device CUDA0 (NVIDIA H200) (0000:01:00.0) - 142570 MiB
 * free" (src/llama.cpp), and "load_tensors: offloaded 0/33 layers to GPU" (src/llama-model.cpp)
 * means the weights stayed with the CPU. A log with none of these says nothing (undefined): a
 * CPU build and a Vulkan build both start silently.
 */
export function parseStartupLog(log: string): BackendBuild | undefined {
  if (/offloaded 0\/\d+ layers to GPU/.test(log)) return { kind: 'cpu' };
  const used: Array<{ name: string; description: string }> = [];
  for (const m of log.matchAll(/using device (\S+) \((.*?)\)(?: \(| -)/g)) used.push({ name: m[1]!, description: m[2]! });
  if (used.some((d) => deviceKind(d.name))) return buildOf(used);
  const cuda = /ggml_cuda_init: found \d+ (CUDA|ROCm|MUSA) devices/.exec(log);
  if (cuda) {
    const names = [...log.matchAll(/^\s*Device \d+: ([^,\n]+),/gm)].map((m) => m[1]!.trim());
    const kind = ({ CUDA: 'cuda', ROCm: 'rocm', MUSA: 'musa' } as const)[cuda[1] as 'CUDA' | 'ROCm' | 'MUSA'];
    return names.length > 0 ? { kind, devices: [...new Set(names.map((n) => n.slice(0, 64)))].slice(0, 16) } : { kind };
  }
  const metal = /ggml_metal_init: (?:found|picking default) device: (.+)$/m.exec(log);
  if (metal) return { kind: 'metal', devices: [metal[1]!.trim().slice(0, 64)] };
  return undefined;
}
