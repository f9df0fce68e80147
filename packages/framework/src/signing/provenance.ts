/**
 * What `llm-speed verify` reports (METHODOLOGY §7.1), so anyone can check that an installed CLI
 * matches the open-source tree: the SHA-256 of its pinned dependency tree, the commit it was
 * built from, and its version.
 *
 * Dependency hash: the lockfile if one ships with the package (npm-shrinkwrap.json or
 * package-lock.json in the package folder, or in the root of the git checkout it runs from);
 * otherwise the installed dependency closure, one `name@version` line per package, sorted,
 * read from node_modules/<name>/package.json. The report says which of the two was hashed.
 *
 * Commit: `build-info.json` ({"commit": "<sha>"}) written into the package at release build
 * time; otherwise `git rev-parse HEAD` when the package is a git checkout; otherwise "unknown".
 */
import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

export interface Provenance {
  version: string;
  commit: string;
  commit_source: 'build-info' | 'git' | 'unknown';
  dependencies_sha256: string;
  dependencies_source: string;
}

/** The framework package folder (this file is src/signing/ or dist/signing/ inside it). */
export function frameworkPackageDir(): string {
  return fileURLToPath(new URL('../../', import.meta.url)).replace(/[\\/]$/, '');
}

function sha256(data: string | Buffer): string {
  return createHash('sha256').update(data).digest('hex');
}

function gitTopLevel(dir: string): string | undefined {
  try {
    return execFileSync('git', ['rev-parse', '--show-toplevel'], { cwd: dir, encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'], timeout: 5000 }).trim();
  } catch {
    return undefined;
  }
}

function readJson(path: string): Record<string, unknown> | undefined {
  try {
    return JSON.parse(readFileSync(path, 'utf8')) as Record<string, unknown>;
  } catch {
    return undefined;
  }
}

/** Node's lookup: <dir>/node_modules/<name>, then each parent folder's node_modules. */
function findInstalled(name: string, fromDir: string): string | undefined {
  let dir = fromDir;
  for (;;) {
    const candidate = join(dir, 'node_modules', name);
    if (existsSync(join(candidate, 'package.json'))) return candidate;
    const parent = dirname(dir);
    if (parent === dir) return undefined;
    dir = parent;
  }
}

/** Sorted `name@version` lines of the installed dependency closure (optional ones only if present). */
export function installedDependencyLines(packageDir: string): string[] {
  const lines = new Set<string>();
  const seen = new Set<string>();
  const queue: string[] = [packageDir];
  while (queue.length > 0) {
    const dir = queue.shift()!;
    const manifest = readJson(join(dir, 'package.json'));
    if (!manifest) continue;
    const deps = { ...(manifest.dependencies as object), ...(manifest.optionalDependencies as object) } as Record<string, string>;
    for (const name of Object.keys(deps)) {
      const found = findInstalled(name, dir);
      if (!found || seen.has(found)) continue;
      seen.add(found);
      const version = readJson(join(found, 'package.json'))?.version;
      lines.add(`${name}@${typeof version === 'string' ? version : 'unknown'}`);
      queue.push(found);
    }
  }
  return [...lines].sort();
}

function dependencyHash(packageDir: string): { sha256: string; source: string } {
  const checkout = gitTopLevel(packageDir);
  for (const dir of [packageDir, checkout].filter((d): d is string => Boolean(d))) {
    for (const file of ['npm-shrinkwrap.json', 'package-lock.json']) {
      const path = join(dir, file);
      if (existsSync(path)) return { sha256: sha256(readFileSync(path)), source: dir === packageDir ? file : `${file} (checkout root)` };
    }
  }
  const lines = installedDependencyLines(packageDir);
  return { sha256: sha256(lines.map((l) => l + '\n').join('')), source: `installed dependency tree (${lines.length} packages, sorted name@version lines)` };
}

function buildCommit(packageDir: string): { commit: string; source: Provenance['commit_source'] } {
  const stamp = readJson(join(packageDir, 'build-info.json'))?.commit;
  if (typeof stamp === 'string' && /^[0-9a-f]{7,40}$/.test(stamp)) return { commit: stamp, source: 'build-info' };
  try {
    const commit = execFileSync('git', ['rev-parse', 'HEAD'], { cwd: packageDir, encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'], timeout: 5000 }).trim();
    if (/^[0-9a-f]{40}$/.test(commit)) return { commit, source: 'git' };
  } catch {
    // not a checkout, or git is missing
  }
  return { commit: 'unknown', source: 'unknown' };
}

export function provenance(packageDir: string = frameworkPackageDir()): Provenance {
  const version = readJson(join(packageDir, 'package.json'))?.version;
  const deps = dependencyHash(packageDir);
  const commit = buildCommit(packageDir);
  return {
    version: typeof version === 'string' ? version : 'unknown',
    commit: commit.commit,
    commit_source: commit.source,
    dependencies_sha256: deps.sha256,
    dependencies_source: deps.source,
  };
}
