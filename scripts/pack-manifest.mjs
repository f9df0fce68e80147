#!/usr/bin/env node
// The prepack/postpack step of every published package (npm pack, npm publish and lerna all run
// it). In the monorepo, package.json `exports` carry a `development` condition that points into
// src/ so the tests run the TypeScript through tsx; a published package has no src/, so prepack
// writes a package.json without those conditions and postpack puts the original back, byte for
// byte. Prepack also records the commit the package is built from (build-info.json, read by
// `llm-speed verify`, METHODOLOGY §7.1) and refuses to pack a stale or missing build.
//
// A package may bundle workspace packages that are not on the registry yet
// (`"bundleWorkspaces": ["@llm-speed/schemas"]` in its package.json): prepack puts each one, as
// `npm pack` of its workspace would publish it, into the package's own node_modules/ and writes
// `bundleDependencies` into the packed manifest, so the tarball installs without a registry that
// has them (`npm install ./llm-speed-framework-<v>.tgz`, DRIVERS.md §7). Postpack removes them.
// npm cannot bundle a workspace link itself: the folder it finds at the repository root is a symlink.
//
//   node <repo>/scripts/pack-manifest.mjs prepack|postpack     (run in the package folder)
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, realpathSync, renameSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';

const REPO_ROOT = fileURLToPath(new URL('..', import.meta.url));
const BACKUP = '.package.json.prepack';
const BUILD_INFO = 'build-info.json';
/** The bundled workspace folders prepack made (node_modules/<name>), for postpack to remove. */
const BUNDLED = '.bundled-workspaces.prepack';
const dir = process.cwd();

function fail(message) {
  console.error(`pack-manifest (${relative(process.env.INIT_CWD ?? dir, dir) || '.'}): ${message}`);
  process.exit(1);
}

/** A copy of an exports map without the `development` condition, at any depth. */
function withoutDevelopment(value) {
  if (Array.isArray(value)) return value.map(withoutDevelopment);
  if (value === null || typeof value !== 'object') return value;
  return Object.fromEntries(
    Object.entries(value)
      .filter(([key]) => key !== 'development')
      .map(([key, v]) => [key, withoutDevelopment(v)]),
  );
}

/** Every path string in the fields npm and Node read to load a package. */
function entryPaths(manifest) {
  const out = [];
  const walk = (v) => {
    if (typeof v === 'string') out.push(v);
    else if (v && typeof v === 'object') Object.values(v).forEach(walk);
  };
  walk([manifest.main, manifest.types, manifest.typings, manifest.exports, manifest.bin, manifest.oclif?.commands, manifest.oclif?.hooks]);
  return out.filter((p) => p.startsWith('./') || p.startsWith('dist/') || p.startsWith('src/') || p.startsWith('bin/'));
}

function gitCommit() {
  try {
    const commit = execFileSync('git', ['rev-parse', 'HEAD'], { cwd: dir, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] }).trim();
    const dirty = execFileSync('git', ['status', '--porcelain', '--untracked-files=no'], { cwd: dir, encoding: 'utf8' }).trim() !== '';
    return { commit, dirty };
  } catch (error) {
    fail(`cannot read the git commit to record in ${BUILD_INFO} (${error.message.split('\n')[0]}); pack from a git checkout of llm-speed.`);
  }
}

/** Each compiled file must come from a source file that still exists (tsc -b never deletes stale output). */
function staleOutputs() {
  if (!existsSync(join(dir, 'dist')) || !existsSync(join(dir, 'src'))) return [];
  const stale = [];
  const walk = (sub) => {
    for (const entry of readdirSync(join(dir, 'dist', sub), { withFileTypes: true })) {
      const rel = join(sub, entry.name);
      if (entry.isDirectory()) walk(rel);
      else if (entry.name.endsWith('.js') && !['.ts', '.tsx'].some((ext) => existsSync(join(dir, 'src', rel.replace(/\.js$/, ext))))) stale.push(join('dist', rel));
    }
  };
  walk('');
  return stale;
}

function prepack() {
  if (existsSync(join(dir, BACKUP))) {
    fail(`${BACKUP} exists: an earlier pack was interrupted. Put it back with \`mv ${BACKUP} package.json\` (or check package.json against git), then pack again.`);
  }
  const original = readFileSync(join(dir, 'package.json'));
  const manifest = JSON.parse(original.toString('utf8'));
  const packed = { ...manifest, exports: withoutDevelopment(manifest.exports) };
  if (packed.exports === undefined) delete packed.exports;

  const intoSrc = entryPaths(packed).filter((p) => /^(\.\/)?src\//.test(p));
  if (intoSrc.length > 0) fail(`package.json still points into src/ after stripping the development condition: ${intoSrc.join(', ')}`);
  const missing = entryPaths(packed).filter((p) => !p.includes('*') && !existsSync(join(dir, p)));
  if (missing.length > 0) fail(`missing build output: ${missing.join(', ')}. Run \`npm run build\` at the repository root first.`);
  const stale = staleOutputs();
  if (stale.length > 0) fail(`stale build output with no source: ${stale.slice(0, 5).join(', ')}${stale.length > 5 ? ', …' : ''}. Run \`npx tsc -b --clean && npm run build\`.`);

  // The CLI ships the dependency tree it was tested with; scripts/pack-all.mjs writes it.
  if (manifest.name === 'llm-speed' && !existsSync(join(dir, 'npm-shrinkwrap.json'))) {
    fail('npm-shrinkwrap.json is missing: pack the CLI with `npm run pack:all` at the repository root, which writes it.');
  }
  const { commit, dirty } = gitCommit();
  if (dirty && !process.env.LLM_SPEED_PACK_ALL) console.error(`pack-manifest: warning: ${manifest.name} is packed from a checkout with uncommitted changes; ${BUILD_INFO} says so.`);
  writeFileSync(join(dir, BUILD_INFO), JSON.stringify({ commit, dirty }, null, 2) + '\n');
  const bundle = manifest.bundleWorkspaces ?? [];
  delete packed.bundleWorkspaces;
  if (bundle.length > 0) {
    const missingDeps = bundle.filter((name) => !manifest.dependencies?.[name]);
    if (missingDeps.length > 0) fail(`bundleWorkspaces names ${missingDeps.join(', ')}, which dependencies do not list.`);
    removeBundled();
    writeFileSync(join(dir, BUNDLED), JSON.stringify(bundleWorkspaces(bundle)));
    packed.bundleDependencies = bundle;
  }
  writeFileSync(join(dir, BACKUP), original);
  writeFileSync(join(dir, 'package.json'), JSON.stringify(packed, null, 2) + '\n');
}

/**
 * Puts each workspace package named in `bundleWorkspaces` into node_modules/<name> as its own
 * `npm pack` would publish it (files, stripped manifest, build-info.json). Returns the folders made.
 */
function bundleWorkspaces(names) {
  const made = [];
  for (const name of names) {
    const target = join(dir, 'node_modules', name);
    if (existsSync(target)) fail(`${relative(dir, target)} exists; remove it (a bundled workspace is copied there at pack time).`);
    // The monorepo's node_modules/<name> is the workspace link.
    let source;
    try {
      source = realpathSync(join(REPO_ROOT, 'node_modules', name));
    } catch {
      fail(`cannot find the workspace ${name} to bundle (node_modules/${name} at the repository root); run \`npm ci\` there.`);
    }
    const stage = mkdtempSync(join(tmpdir(), 'llm-speed-bundle-'));
    try {
      const [packed] = JSON.parse(execFileSync('npm', ['pack', '--json', '--pack-destination', stage], { cwd: source, encoding: 'utf8', stdio: ['ignore', 'pipe', 'inherit'] }));
      mkdirSync(target, { recursive: true });
      execFileSync('tar', ['-xzf', join(stage, packed.filename), '-C', target, '--strip-components=1']);
      made.push(relative(dir, target));
    } finally {
      rmSync(stage, { recursive: true, force: true });
    }
  }
  return made;
}

function removeBundled() {
  const marker = join(dir, BUNDLED);
  if (!existsSync(marker)) return;
  for (const folder of JSON.parse(readFileSync(marker, 'utf8'))) {
    rmSync(join(dir, folder), { recursive: true, force: true });
    // node_modules/@scope, emptied
    const scope = dirname(join(dir, folder));
    if (scope !== join(dir, 'node_modules') && existsSync(scope) && readdirSync(scope).length === 0) rmSync(scope, { recursive: true });
  }
  rmSync(marker);
}

function postpack() {
  rmSync(join(dir, BUILD_INFO), { force: true });
  removeBundled();
  if (existsSync(join(dir, BACKUP)) && statSync(join(dir, BACKUP)).size > 0) renameSync(join(dir, BACKUP), join(dir, 'package.json'));
}

const step = process.argv[2];
if (step === 'prepack') prepack();
else if (step === 'postpack') postpack();
else fail('usage: pack-manifest.mjs prepack|postpack');
