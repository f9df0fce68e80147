/** Finds a llama-server binary (config path, env, PATH, the project's own cached build) and reads its version. */
import { accessSync, constants, readdirSync, statSync } from 'node:fs';
import { delimiter, join, resolve } from 'node:path';
import { execFile } from 'node:child_process';
import type { DriverContext } from '@llm-speed/framework';

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
  const candidates = (ctx.env.PATH ?? '').split(delimiter).filter(Boolean).map((dir) => join(dir, SERVER_EXE));
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
  return builds.filter((b) => isFile(join(root, b, 'bin', '.complete'))).map((b) => join(root, b, 'bin', SERVER_EXE));
}

export function attachUrl(ctx: DriverContext): string | undefined {
  const url = (ctx.config.llama_cpp_url as string | undefined) ?? ctx.env.LLM_SPEED_LLAMA_CPP_URL;
  return url ? url.replace(/\/+$/, '') : undefined;
}

/** "version: 1234 (abcdef0)" → "1234 (abcdef0)"; "version: 0.5.0-dev (build 1, commit de3ff81)" likewise; backends from "ggml_... backend" lines where printed. */
export function parseServerVersion(output: string): { version?: string; backends: string[] } {
  const match = /^version:\s*(.+?)\s*$/im.exec(output);
  const backends = new Set<string>(['cpu']);
  for (const name of ['cuda', 'metal', 'rocm', 'vulkan']) if (new RegExp(`\\b${name}\\b`, 'i').test(output)) backends.add(name);
  // Builds from node-llama-cpp's source print "0.5.0-dev (build 1, commit de3ff81)"; normalise to llama.cpp's "b<build> (<commit>)".
  const nested = match ? /build\s+(\d+),\s*commit\s+([0-9a-f]+)/i.exec(match[1]!) : null;
  const plain = match ? /^(\d+)\s*\(([0-9a-f]+)\)/i.exec(match[1]!) : null;
  const version = nested ? `b${nested[1]} (${nested[2]})` : plain ? `b${plain[1]} (${plain[2]})` : match?.[1];
  return { version, backends: [...backends] };
}

export async function serverVersion(binary: string): Promise<{ version?: string; backends: string[] }> {
  // llama-server prints its version on stderr; read both streams with a deadline.
  const output = await new Promise<string>((resolve) => {
    execFile(binary, ['--version'], { timeout: 10_000 }, (_error, stdout, stderr) => resolve(`${stdout}\n${stderr}`));
  });
  return parseServerVersion(output);
}
