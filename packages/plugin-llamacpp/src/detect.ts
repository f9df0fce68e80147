/** Finds a llama-server binary (config path, env, PATH, the project's own cached build) and reads its version. */
import { readdirSync, statSync } from 'node:fs';
import { delimiter, join } from 'node:path';
import { execFile } from 'node:child_process';
import type { DriverContext } from '@llm-speed/framework';

function isFile(path: string): boolean {
  try {
    return statSync(path).isFile();
  } catch {
    return false;
  }
}

export function findLlamaServer(ctx: DriverContext): string | undefined {
  const configured = (ctx.config.llama_cpp_path as string | undefined) ?? ctx.env.LLM_SPEED_LLAMA_CPP_PATH;
  const candidates: string[] = [];
  if (configured) candidates.push(configured, join(configured, 'llama-server'), join(configured, 'bin', 'llama-server'));
  else {
    for (const dir of (ctx.env.PATH ?? '').split(delimiter).filter(Boolean)) candidates.push(join(dir, 'llama-server'));
    candidates.push(...cachedBuilds(ctx.cacheDir));
  }
  return candidates.find(isFile);
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
  return builds.filter((b) => isFile(join(root, b, 'bin', '.complete'))).map((b) => join(root, b, 'bin', 'llama-server'));
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
