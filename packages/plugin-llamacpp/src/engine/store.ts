/**
 * Where `llm-speed engine install` puts node-llama-cpp's GPU builds, and how the embedded engine
 * finds them: `<data folder>/engines/node-llama-cpp-<version>/node_modules/<package>`, one folder
 * per node-llama-cpp version (a build only loads into the version it was published with), with an
 * `engine.json` written last that says the install is complete and which GPU it is for.
 *
 * node-llama-cpp looks for its prebuilt packages with a bare `import("@node-llama-cpp/<name>")`
 * from its own folder, which never reaches the data folder; a module resolve hook
 * (node:module register()) maps those names, and only those, to the installed copies.
 */
import { register } from 'node:module';
import { readFile, readdir, rm, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { dataDir } from '@llm-speed/framework';
import type { EngineGpu } from './packages.js';

export const ENGINE_MARKER = 'engine.json';

export interface InstalledEngine {
  gpu: EngineGpu;
  nodeLlamaCppVersion: string;
  packages: Array<{ name: string; version: string; integrity: string }>;
  /** Where it lives, and its size on disk. */
  folder: string;
  bytes: number;
}

export function enginesRoot(env: NodeJS.ProcessEnv = process.env): string {
  return join(dataDir(env), 'engines');
}

export function engineFolder(nodeLlamaCppVersion: string, env: NodeJS.ProcessEnv = process.env): string {
  return join(enginesRoot(env), `node-llama-cpp-${nodeLlamaCppVersion}`);
}

export function packageFolder(folder: string, name: string): string {
  return join(folder, 'node_modules', ...name.split('/'));
}

async function folderBytes(path: string): Promise<number> {
  let total = 0;
  for (const entry of await readdir(path, { withFileTypes: true }).catch(() => [])) {
    const full = join(path, entry.name);
    if (entry.isDirectory()) total += await folderBytes(full);
    else if (entry.isFile()) total += (await stat(full)).size;
  }
  return total;
}

async function readEngine(folder: string): Promise<InstalledEngine | undefined> {
  try {
    const marker = JSON.parse(await readFile(join(folder, ENGINE_MARKER), 'utf8')) as Omit<InstalledEngine, 'folder' | 'bytes'>;
    return { ...marker, folder, bytes: await folderBytes(folder) };
  } catch {
    return undefined;
  }
}

/** Every complete install, for every node-llama-cpp version (an upgrade leaves the old one behind until removed). */
export async function installedEngines(env: NodeJS.ProcessEnv = process.env): Promise<InstalledEngine[]> {
  const root = enginesRoot(env);
  const names = (await readdir(root).catch(() => [] as string[])).filter((n) => n.startsWith('node-llama-cpp-')).sort();
  const engines = await Promise.all(names.map((n) => readEngine(join(root, n))));
  return engines.filter((e): e is InstalledEngine => e !== undefined);
}

/** The engine installed for this node-llama-cpp version, if any. */
export async function installedEngine(nodeLlamaCppVersion: string, env: NodeJS.ProcessEnv = process.env): Promise<InstalledEngine | undefined> {
  return readEngine(engineFolder(nodeLlamaCppVersion, env));
}

/** Removes installs: one node-llama-cpp version's, or all. Resolves what was removed and the bytes freed. */
export async function removeEngines(version: string | undefined, env: NodeJS.ProcessEnv = process.env): Promise<InstalledEngine[]> {
  const root = enginesRoot(env);
  const names = (await readdir(root).catch(() => [] as string[])).filter((n) => n.startsWith('node-llama-cpp-') && (!version || n === `node-llama-cpp-${version}`));
  const removed: InstalledEngine[] = [];
  for (const name of names) {
    const folder = join(root, name);
    // Incomplete installs (no marker) are removed too, and counted by size.
    const engine = (await readEngine(folder)) ?? { gpu: 'cuda' as EngineGpu, nodeLlamaCppVersion: name.slice('node-llama-cpp-'.length), packages: [], folder, bytes: await folderBytes(folder) };
    await rm(folder, { recursive: true, force: true });
    removed.push(engine);
  }
  return removed;
}

// Runs in node's module-hooks thread: maps the installed package names to their entry files.
const HOOK_SOURCE = `
let map = {};
export function initialize(data) { map = data.map; }
export async function resolve(specifier, context, next) {
  const url = map[specifier];
  return url ? { url, format: 'module', shortCircuit: true } : next(specifier, context);
}
`;

const registered = new Set<string>();

/**
 * Lets node-llama-cpp's `import("@node-llama-cpp/<name>")` find the installed copies. Once per
 * package per process; later imports of other names pass through untouched.
 */
export function exposeEngine(engine: InstalledEngine): void {
  const map: Record<string, string> = {};
  for (const { name } of engine.packages) {
    if (registered.has(name)) continue;
    map[name] = pathToFileURL(join(packageFolder(engine.folder, name), 'dist', 'index.js')).href;
    registered.add(name);
  }
  if (Object.keys(map).length === 0) return;
  register(`data:text/javascript,${encodeURIComponent(HOOK_SOURCE)}`, { data: { map } });
}
