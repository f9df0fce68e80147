#!/usr/bin/env node
// `npm run pack:all`: the release build. Packs every published package into one folder, in
// dependency order, and gives the `llm-speed` CLI an npm-shrinkwrap.json: the exact dependency
// tree the monorepo was tested with (METHODOLOGY §7.1: `llm-speed verify` hashes it), minus
// node-llama-cpp's GPU builds (CUDA, CUDA-ext, Vulkan: ~610 MB on linux-x64 that the embedded
// engine never loads — it runs on the CPU; GPUs are measured through llama-server). npm honours
// a published package's shrinkwrap, so `npm i -g llm-speed` installs that tree and nothing else.
//
//   node scripts/pack-all.mjs [--out dist-packages] [--no-build] [--upstream <registry url>]
//
// Then check the folder with scripts/install-test.sh, and publish those exact files
// (`npm publish <file>.tgz`, dependencies first): the CLI's shrinkwrap pins the other tarballs
// by integrity, so a re-pack (e.g. `lerna publish`) would not match it.
import { execFileSync, spawn } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';

const ROOT = fileURLToPath(new URL('..', import.meta.url));
const CLI_DIR = join(ROOT, 'packages/cli');
const SHRINKWRAP = join(CLI_DIR, 'npm-shrinkwrap.json');
/** node-llama-cpp's GPU builds; the embedded engine calls getLlama({ gpu: false }). */
const GPU_BUILD = /^@node-llama-cpp\/[^/]+-(cuda|cuda-ext|vulkan)$/;

const { values } = parseArgs({
  options: {
    out: { type: 'string', default: 'dist-packages' },
    'no-build': { type: 'boolean', default: false },
    upstream: { type: 'string' },
  },
});
const OUT = resolve(ROOT, values.out);

function run(cmd, args, options = {}) {
  return execFileSync(cmd, args, { cwd: ROOT, encoding: 'utf8', stdio: ['ignore', 'pipe', 'inherit'], maxBuffer: 256 * 1024 * 1024, ...options });
}

function readJson(path) {
  return JSON.parse(readFileSync(path, 'utf8'));
}

/** Workspace folder → package.json, for every workspace that is published (not private). */
function publishedWorkspaces() {
  const root = readJson(join(ROOT, 'package.json'));
  return root.workspaces.map((folder) => ({ folder, manifest: readJson(join(ROOT, folder, 'package.json')) })).filter(({ manifest }) => !manifest.private);
}

function tarManifest(file) {
  return JSON.parse(execFileSync('tar', ['-xzOf', file, 'package/package.json'], { encoding: 'utf8' }));
}

function integrity(file) {
  return `sha512-${createHash('sha512').update(readFileSync(file)).digest('base64')}`;
}

function npmPack(names) {
  const args = ['pack', ...names.flatMap((n) => ['-w', n]), '--pack-destination', OUT, '--json'];
  const packed = JSON.parse(run('npm', args));
  return packed.map((p) => join(OUT, p.filename));
}

/** Starts scripts/local-registry.mjs on OUT; resolves with its URL and a stop function. */
function startRegistry(upstream) {
  return new Promise((resolveStart, reject) => {
    const child = spawn(process.execPath, [join(ROOT, 'scripts/local-registry.mjs'), '--dir', OUT, '--upstream', upstream], { stdio: ['ignore', 'pipe', 'inherit'] });
    let buffer = '';
    child.stdout.on('data', (chunk) => {
      buffer += chunk;
      const line = buffer.split('\n')[0];
      if (buffer.includes('\n')) resolveStart({ url: line.trim(), stop: () => child.kill('SIGTERM') });
    });
    child.on('error', reject);
    child.on('exit', (code) => reject(new Error(`local registry exited with code ${code}`)));
  });
}

/**
 * The monorepo's lockfile re-rooted at the CLI: workspace links and folders dropped, packages
 * nested under a workspace folder moved under that package's install location, and our packed
 * packages entered as registry packages (version, integrity, dependencies). npm then prunes what
 * the CLI does not use and keeps every version it tested with.
 */
function seedLockfile(cliManifest, packed) {
  const lock = readJson(join(ROOT, 'package-lock.json'));
  const byFolder = new Map(publishedWorkspaces().map(({ folder, manifest }) => [folder, manifest.name]));
  const packages = { '': { name: cliManifest.name, version: cliManifest.version, dependencies: cliManifest.dependencies } };
  for (const [key, entry] of Object.entries(lock.packages)) {
    if (key === '' || entry.link || byFolder.has(key)) continue;
    const nested = /^(packages\/[^/]+|schemas)\/node_modules\/(.+)$/.exec(key);
    if (nested) {
      const owner = byFolder.get(nested[1]);
      if (owner && owner !== cliManifest.name) packages[`node_modules/${owner}/node_modules/${nested[2]}`] = entry;
      continue;
    }
    packages[key] = entry;
  }
  for (const { file, manifest } of packed) {
    const fields = ['version', 'license', 'dependencies', 'optionalDependencies', 'peerDependencies', 'peerDependenciesMeta', 'bin', 'engines'];
    packages[`node_modules/${manifest.name}`] = { ...Object.fromEntries(fields.filter((f) => manifest[f] !== undefined).map((f) => [f, manifest[f]])), integrity: integrity(file) };
  }
  // npm reads a lockfile parent-first (its own files are sorted); a child listed before its parent is lost.
  const sorted = Object.fromEntries(
    Object.keys(packages)
      .sort()
      .map((key) => [key, packages[key]]),
  );
  return { name: cliManifest.name, version: cliManifest.version, lockfileVersion: 3, requires: true, packages: sorted };
}

async function writeShrinkwrap(packed, upstream) {
  const cliManifest = readJson(join(CLI_DIR, 'package.json'));
  const stage = mkdtempSync(join(tmpdir(), 'llm-speed-shrinkwrap-'));
  const registry = await startRegistry(upstream);
  try {
    writeFileSync(join(stage, 'package.json'), JSON.stringify({ name: cliManifest.name, version: cliManifest.version, dependencies: cliManifest.dependencies }, null, 2));
    writeFileSync(join(stage, 'package-lock.json'), JSON.stringify(seedLockfile(cliManifest, packed), null, 2));
    run('npm', ['install', '--package-lock-only', '--ignore-scripts', '--no-audit', '--no-fund', '--registry', registry.url], { cwd: stage });
    const lock = readJson(join(stage, 'package-lock.json'));
    const dropped = [];
    for (const [key, entry] of Object.entries(lock.packages)) {
      const name = key.replace(/^.*node_modules\//, '');
      if (GPU_BUILD.test(name)) {
        delete lock.packages[key];
        dropped.push(`${name}@${entry.version}`);
        continue;
      }
      // Resolved URLs would name this machine's registry (or the stand-in one); without them npm
      // fetches name@version from whichever registry the user has, and checks the integrity.
      delete entry.resolved;
      if (entry.dev || entry.extraneous) throw new Error(`the CLI's tree holds a dev-only or extraneous package: ${key}`);
    }
    for (const { file, manifest } of packed) {
      const entry = lock.packages[`node_modules/${manifest.name}`];
      if (entry && entry.integrity !== integrity(file)) throw new Error(`${manifest.name} in the shrinkwrap does not match ${relative(ROOT, file)}`);
    }
    writeFileSync(SHRINKWRAP, JSON.stringify(lock, null, 2) + '\n');
    return dropped;
  } finally {
    registry.stop();
    rmSync(stage, { recursive: true, force: true });
  }
}

/** What must hold for every tarball: no src/, no development condition, a build stamp. */
function checkTarball(file) {
  const entries = execFileSync('tar', ['-tzf', file], { encoding: 'utf8' }).split('\n').filter(Boolean);
  const manifest = tarManifest(file);
  const problems = [];
  if (entries.some((e) => e.startsWith('package/src/'))) problems.push('contains src/');
  const text = JSON.stringify(manifest);
  if (text.includes('"development"')) problems.push('package.json has a development condition');
  if (/"\.?\/?src\//.test(text)) problems.push('package.json points into src/');
  if (!entries.includes('package/build-info.json')) problems.push('no build-info.json');
  for (const field of ['license', 'repository', 'engines', 'files']) if (!manifest[field]) problems.push(`no "${field}"`);
  if (manifest.name === 'llm-speed' && !entries.includes('package/npm-shrinkwrap.json')) problems.push('no npm-shrinkwrap.json');
  if (problems.length > 0) throw new Error(`${relative(ROOT, file)}: ${problems.join('; ')}`);
  return { manifest, entries: entries.length };
}

/**
 * tsc -b never deletes output whose source was moved or removed; such files would ship (and
 * prepack refuses them). Removes them from a workspace's dist/ and says which. A source is a .ts
 * or a .tsx file (the server's pages): output of either is kept.
 */
function pruneStaleOutput(folder) {
  const dist = join(ROOT, folder, 'dist');
  const src = join(ROOT, folder, 'src');
  if (!existsSync(dist) || !existsSync(src)) return [];
  const removed = [];
  const walk = (sub) => {
    for (const entry of readdirSync(join(dist, sub), { withFileTypes: true })) {
      const rel = join(sub, entry.name);
      if (entry.isDirectory()) walk(rel);
      else {
        const base = rel.replace(/(\.d\.ts|\.js)(\.map)?$/, '');
        if (base !== rel && !existsSync(join(src, `${base}.ts`)) && !existsSync(join(src, `${base}.tsx`))) {
          rmSync(join(dist, rel));
          removed.push(join(folder, 'dist', rel));
        }
      }
    }
  };
  walk('');
  return removed;
}

/** Puts back any package.json a failed pack left stripped (scripts/pack-manifest.mjs). */
function restoreManifests() {
  for (const { folder } of publishedWorkspaces()) {
    const backup = join(ROOT, folder, '.package.json.prepack');
    if (existsSync(backup)) renameSync(backup, join(ROOT, folder, 'package.json'));
    rmSync(join(ROOT, folder, 'build-info.json'), { force: true });
  }
}

async function main() {
  const started = Date.now();
  const upstream = values.upstream ?? run('npm', ['config', 'get', 'registry']).trim();
  if (!values['no-build']) run('npm', ['run', '--silent', 'build'], { stdio: ['ignore', 'inherit', 'inherit'] });
  const pruned = publishedWorkspaces().flatMap(({ folder }) => pruneStaleOutput(folder));
  if (pruned.length > 0) console.error(`pack:all: removed ${pruned.length} compiled files whose source is gone: ${pruned.slice(0, 5).join(', ')}${pruned.length > 5 ? ', …' : ''}`);
  mkdirSync(OUT, { recursive: true });
  for (const old of readdirSync(OUT).filter((f) => f.endsWith('.tgz'))) rmSync(join(OUT, old));

  process.env.LLM_SPEED_PACK_ALL = '1'; // each package's prepack then leaves the dirty-tree warning to us
  if (run('git', ['status', '--porcelain', '--untracked-files=no']).trim() !== '') {
    console.error('pack:all: warning: the checkout has uncommitted changes; every build-info.json records "dirty": true.');
  }
  const workspaces = publishedWorkspaces();
  const libraries = workspaces.filter(({ manifest }) => manifest.name !== 'llm-speed').map(({ manifest }) => manifest.name);
  const packed = npmPack(libraries).map((file) => ({ file, manifest: tarManifest(file) }));
  const dropped = await writeShrinkwrap(
    packed.filter(({ manifest }) => manifest.name !== '@llm-speed/server'),
    upstream,
  );
  try {
    packed.push(...npmPack(['llm-speed']).map((file) => ({ file, manifest: tarManifest(file) })));
  } finally {
    renameSync(SHRINKWRAP, join(OUT, 'llm-speed.npm-shrinkwrap.json'));
  }

  for (const { file } of packed) {
    const { manifest, entries } = checkTarball(file);
    const size = readFileSync(file).length;
    console.log(`${manifest.name.padEnd(30)} ${manifest.version.padEnd(8)} ${(size / 1024).toFixed(0).padStart(6)} kB  ${String(entries).padStart(4)} files  ${relative(ROOT, file)}`);
  }
  console.log(`llm-speed's npm-shrinkwrap.json leaves out node-llama-cpp's GPU builds: ${dropped.join(', ') || '(none found)'}`);
  console.log(`packed ${packed.length} packages into ${relative(ROOT, OUT) || OUT} in ${((Date.now() - started) / 1000).toFixed(1)} s`);
}

main().catch((error) => {
  restoreManifests();
  rmSync(SHRINKWRAP, { force: true });
  console.error(`pack:all failed: ${error.message}`);
  process.exit(1);
});
