/**
 * `llm-speed engine build-server --gpu cuda`: builds llama-server with CUDA from the llama.cpp
 * source node-llama-cpp ships (llama/gitRelease.bundle), as scripts/build-llama-server.sh does for
 * the CPU, into the same cache (`<cache>/llama.cpp/<commit>-nlc<version>-cuda-r<rev>/bin`), where
 * the llama.cpp driver finds it (detect.ts cachedBuilds: GPU builds first). The CPU build's folder
 * and flags are the script's and stay as they are.
 */
import { execFile, spawn } from 'node:child_process';
import { accessSync, constants, existsSync } from 'node:fs';
import { copyFile, mkdir, mkdtemp, open, readFile, rm, writeFile } from 'node:fs/promises';
import { availableParallelism, tmpdir } from 'node:os';
import { delimiter, dirname, join } from 'node:path';
import { LlmSpeedError } from '@llm-speed/framework';

/** Bump when the flags below change what the binaries do, so a stale build is not reused. */
export const CUDA_BUILD_REVISION = 1;
const BINARIES = ['llama-server', 'llama-bench'];

export class BuildServerError extends LlmSpeedError {
  constructor(message: string, suggestions: string[] = [], exitCode = 1) {
    super('build-server', message, { suggestions, exitCode });
    this.name = 'BuildServerError';
  }
}

export interface Toolchain {
  git?: string;
  cmake?: string;
  cxx?: string;
  nvcc?: string;
  /** cublas_v2.h: ggml's CUDA back-end links cuBLAS, which a partial toolkit (nvcc and cudart only) lacks. */
  cublas?: string;
}

/** cublas_v2.h beside the toolkit nvcc belongs to, or where CUDA installs put it (CUDA_PATH, /usr/local/cuda, /usr/include). */
function findCublasHeader(nvcc: string | undefined, env: NodeJS.ProcessEnv): string | undefined {
  const roots = [nvcc ? dirname(dirname(nvcc)) : undefined, env.CUDA_PATH, env.CUDA_HOME, '/usr/local/cuda', '/usr'].filter((r): r is string => Boolean(r));
  const candidates = roots.flatMap((root) => [join(root, 'include', 'cublas_v2.h'), join(root, 'targets', `${process.arch === 'arm64' ? 'sbsa' : 'x86_64'}-linux`, 'include', 'cublas_v2.h')]);
  return candidates.find((c) => existsSync(c));
}

function onPath(name: string, env: NodeJS.ProcessEnv): string | undefined {
  for (const dir of (env.PATH ?? '').split(delimiter).filter(Boolean)) {
    const candidate = join(dir, name);
    try {
      accessSync(candidate, constants.X_OK);
      return candidate;
    } catch {
      // not here
    }
  }
  return undefined;
}

/** The tools a CUDA build needs: nvcc from CUDACXX, PATH, or the toolkit's default folder. */
export function findToolchain(env: NodeJS.ProcessEnv = process.env): Toolchain {
  const nvcc = env.CUDACXX || onPath('nvcc', env) || ['/usr/local/cuda/bin/nvcc'].find((p) => existsSync(p));
  return { git: onPath('git', env), cmake: onPath('cmake', env), cxx: onPath('c++', env) ?? onPath('g++', env) ?? onPath('clang++', env), nvcc, cublas: findCublasHeader(nvcc, env) };
}

/** One error naming every missing tool and where each comes from; undefined when all are there. */
export function missingToolchain(tools: Toolchain): BuildServerError | undefined {
  const missing: string[] = [];
  const how: string[] = [];
  if (!tools.nvcc) {
    missing.push('nvcc (the CUDA toolkit)');
    how.push('install the CUDA toolkit (https://developer.nvidia.com/cuda-downloads; Debian/Ubuntu: apt-get install nvidia-cuda-toolkit), or set CUDACXX to its nvcc');
  } else if (!tools.cublas) {
    // Measured on the development machine: nvcc 13 with cudart only; cmake then fails on CUDA::cublas.
    missing.push('cuBLAS (cublas_v2.h: the CUDA toolkit here is partial)');
    how.push("install the CUDA toolkit's cuBLAS development files (NVIDIA's cuda-toolkit or cuda-libraries-dev package; Debian/Ubuntu: nvidia-cuda-toolkit), or set CUDA_PATH to a full toolkit");
  }
  if (!tools.cmake) {
    missing.push('cmake');
    how.push('install cmake ≥ 3.18 (Debian/Ubuntu: apt-get install cmake)');
  }
  if (!tools.cxx) {
    missing.push('a C++ compiler');
    how.push('install a C++ compiler (Debian/Ubuntu: apt-get install g++)');
  }
  if (!tools.git) {
    missing.push('git');
    how.push('install git');
  }
  if (missing.length === 0) return undefined;
  return new BuildServerError(`building llama-server with CUDA needs ${missing.join(', ')}, not found on this machine`, [
    ...how,
    'or use the embedded engine on the GPU instead, with nothing to build: llm-speed engine install',
  ]);
}

export interface BuildPlan {
  /** The cache folder: <cache>/llama.cpp/<commit>-nlc<version>-cuda-r<rev>; binaries in bin/. */
  out: string;
  configure: string[];
  build: string[];
}

/**
 * The commands, as the CUDA build in ../shared/gpu-check/run.sh was measured with (304 s on 16
 * cores of an H200 machine): a static Release build of llama-server and llama-bench, the release
 * and commit named as the CPU build names them (scripts/build-llama-server.sh), for the GPU's own
 * architecture when nvidia-smi tells it (else ggml's default list, slower to build).
 */
export function cudaBuildPlan(args: {
  cacheDir: string;
  commit: string;
  tag?: string;
  nodeLlamaCppVersion: string;
  source: string;
  work: string;
  nvcc: string;
  architectures?: string;
  jobs: number;
}): BuildPlan {
  const out = join(args.cacheDir, 'llama.cpp', `${args.commit.slice(0, 12)}-nlc${args.nodeLlamaCppVersion}-cuda-r${CUDA_BUILD_REVISION}`);
  const release = args.tag !== undefined && /^v\d/.test(args.tag);
  const configure = [
    '-S',
    args.source,
    '-B',
    join(args.work, 'build'),
    '-DCMAKE_BUILD_TYPE=Release',
    '-DBUILD_SHARED_LIBS=OFF',
    '-DGGML_CUDA=ON',
    `-DCMAKE_CUDA_COMPILER=${args.nvcc}`,
    ...(args.architectures ? [`-DCMAKE_CUDA_ARCHITECTURES=${args.architectures}`] : []),
    '-DLLAMA_OPENSSL=OFF',
    '-DLLAMA_BUILD_TESTS=OFF',
    '-DLLAMA_BUILD_EXAMPLES=OFF',
    '-DLLAMA_BUILD_TOOLS=ON',
    '-DLLAMA_BUILD_SERVER=ON',
    '-DLLAMA_USE_PREBUILT_UI=OFF',
    `-DLLAMA_BUILD_IS_DEV=${release ? 'OFF' : 'ON'}`,
    '-DLLAMA_BUILD_NUMBER=0',
    `-DLLAMA_BUILD_COMMIT=${args.commit.slice(0, 7)}`,
  ];
  const build = ['--build', join(args.work, 'build'), '--config', 'Release', '-j', String(args.jobs), '--target', ...BINARIES];
  return { out, configure, build };
}

/** "9.0" per GPU from nvidia-smi (documented field compute_cap) → "90"; undefined without an answer. */
export function cudaArchitectures(nvidiaSmiCsv: string): string | undefined {
  const caps = [
    ...new Set(
      nvidiaSmiCsv
        .split(/\r?\n/)
        .map((l) => l.trim())
        .filter((l) => /^\d+\.\d+$/.test(l))
        .map((l) => l.replace('.', '')),
    ),
  ];
  return caps.length > 0 ? caps.join(';') : undefined;
}

function output(command: string, args: string[]): Promise<string | undefined> {
  return new Promise((resolve) => execFile(command, args, { timeout: 10_000 }, (error, stdout) => resolve(error ? undefined : stdout)));
}

/** Runs a step; its output goes to the build log, and cmake's "[ 42%]" lines become progress. */
function step(label: string, command: string, args: string[], logFile: string, progress: (percent: number) => void): Promise<void> {
  return new Promise((resolve, reject) => {
    void open(logFile, 'a').then((log) => {
      const child = spawn(command, args, { stdio: ['ignore', 'pipe', 'pipe'] });
      let last = -1;
      const onData = (data: Buffer) => {
        void log.write(data);
        for (const m of data.toString().matchAll(/^\[\s*(\d+)%\]/gm)) {
          const percent = Number(m[1]);
          if (percent !== last) progress((last = percent));
        }
      };
      child.stdout.on('data', onData);
      child.stderr.on('data', onData);
      child.once('error', (error) => void log.close().finally(() => reject(error)));
      child.once('exit', (code) => {
        void log.close().finally(async () => {
          if (code === 0) return resolve();
          // The first error lines say what went wrong (a missing library, a compiler error); the log has the rest.
          const text = await readFile(logFile, 'utf8').catch(() => '');
          const errors = text
            .split('\n')
            .filter((l) => /error/i.test(l))
            .slice(0, 3)
            .map((l) => l.trim());
          reject(new BuildServerError(`${label} failed (${command} exited ${code})${errors.length ? `: ${errors.join(' | ')}` : ''}`, [`the whole log: ${logFile}`]));
        });
      });
    }, reject);
  });
}

export interface BuildServerOptions {
  cacheDir: string;
  /** node-llama-cpp's package folder (llama/gitRelease.bundle, llama/llama.cpp.info.json). */
  nodeLlamaCppRoot: string;
  nodeLlamaCppVersion: string;
  env?: NodeJS.ProcessEnv;
  architectures?: string;
  jobs?: number;
  /** Print the plan, build nothing. */
  dryRun?: boolean;
  log: (line: string) => void;
}

/** Builds (or finds in the cache) the CUDA llama-server; resolves its bin folder and whether it was cached. */
export async function buildCudaServer(options: BuildServerOptions): Promise<{ bin: string; cached: boolean; plan: BuildPlan }> {
  const env = options.env ?? process.env;
  const bundle = join(options.nodeLlamaCppRoot, 'llama', 'gitRelease.bundle');
  const head = await readFile(bundle).then(
    (b) => b.subarray(0, 4096).toString('latin1'),
    () => undefined,
  );
  const commit = head ? /^([0-9a-f]{40}) /m.exec(head)?.[1] : undefined;
  if (!commit) throw new BuildServerError(`no llama.cpp source bundle at ${bundle}`, ['reinstall llm-speed: node-llama-cpp ships the source it builds from']);
  const tag = await readFile(join(options.nodeLlamaCppRoot, 'llama', 'llama.cpp.info.json'), 'utf8').then(
    (t) => (JSON.parse(t) as { tag?: string }).tag,
    () => undefined,
  );
  const tools = findToolchain(env);
  const architectures = options.architectures ?? cudaArchitectures((await output('nvidia-smi', ['--query-gpu=compute_cap', '--format=csv,noheader'])) ?? '');
  const work = options.dryRun ? join(tmpdir(), 'llm-speed-cuda-build.XXXXXX') : await mkdtemp(join(tmpdir(), 'llm-speed-cuda-build.'));
  const plan = cudaBuildPlan({
    cacheDir: options.cacheDir,
    commit,
    tag,
    nodeLlamaCppVersion: options.nodeLlamaCppVersion,
    source: join(work, 'src'),
    work,
    nvcc: tools.nvcc ?? 'nvcc',
    architectures,
    jobs: options.jobs ?? availableParallelism(),
  });
  const bin = join(plan.out, 'bin');
  const stamp = join(bin, '.complete');
  if (existsSync(stamp)) return { bin, cached: true, plan };
  const missing = missingToolchain(tools);
  if (missing) throw missing;
  if (options.dryRun) return { bin, cached: false, plan };

  await mkdir(plan.out, { recursive: true });
  // One build at a time per cache folder: a second caller is told, not made to build twice.
  const lock = await open(join(plan.out, '.lock'), 'wx').catch(() => {
    throw new BuildServerError(`another build of ${plan.out} is running (or one was killed: delete ${join(plan.out, '.lock')})`);
  });
  const logFile = join(plan.out, 'build.log');
  try {
    await writeFile(logFile, '');
    options.log(
      `building llama-server with CUDA from node-llama-cpp ${options.nodeLlamaCppVersion}'s llama.cpp ${tag ?? ''} (${commit.slice(0, 7)}) for ${architectures ? `CUDA architecture ${architectures}` : "ggml's default CUDA architectures"}; about 5 minutes on 16 cores, longer on fewer; log: ${logFile}`,
    );
    await step('cloning the llama.cpp source', tools.git!, ['clone', '--quiet', bundle, join(work, 'src')], logFile, () => undefined);
    options.log('configuring (cmake)');
    await step('configuring the CUDA build (cmake)', tools.cmake!, plan.configure, logFile, () => undefined);
    let shown = -10;
    await step('compiling', tools.cmake!, plan.build, logFile, (percent) => {
      if (percent >= shown + 10 || percent === 100) options.log(`compiling: ${(shown = percent)}%`);
    });
    await rm(bin, { recursive: true, force: true });
    await mkdir(bin, { recursive: true });
    for (const binary of BINARIES) await copyFile(join(work, 'build', 'bin', binary), join(bin, binary));
    await writeFile(stamp, '');
    return { bin, cached: false, plan };
  } finally {
    await lock.close();
    await rm(join(plan.out, '.lock'), { force: true });
    await rm(work, { recursive: true, force: true });
  }
}
