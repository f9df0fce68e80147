#!/usr/bin/env node
// `npm run pack:standalone`: llm-speed for people without Node. One archive per platform, each a
// folder `llm-speed/` holding
//   node/         the official Node.js binary for that platform, from the npm registry's
//                 node-<platform>-<arch> package, pinned by version and integrity
//                 (scripts/standalone-targets.json);
//   lib/          the CLI installed exactly as `npm install -g llm-speed` installs it (the same
//                 packed tarballs and shrinkwrap as scripts/install-test.sh), with
//                 node-llama-cpp's CPU build for that platform only;
//   bin/          a launcher (`llm-speed`, or `llm-speed.cmd` on Windows) that runs the CLI with
//                 that Node: nothing else is looked up on PATH;
//   standalone.json, files.sha256
//                 what the build is (target, Node, commit) and every file's SHA-256, which
//                 `llm-speed verify` checks.
// Two things differ from the npm install, both to leave out git and 34 MB: the synthetic model's
// tokenizer is extracted from node-llama-cpp's llama.cpp source bundle at build time (into
// node-llama-cpp/llama/models/, where the CLI looks first), and the bundle itself is cut to its
// header, which still names the llama.cpp commit the embedded engine reports.
// npm stays inside (it is a dependency of the CLI): `llm-speed plugins install` runs it with the
// bundled Node, as the npm install does with the user's.
//
// Node's single-executable applications (SEA) were not used: a SEA embeds one script, not a
// package tree, and cannot load native addons from inside the blob — node-llama-cpp's engine is
// native code loaded with dlopen from a file — so the tree would ship beside it anyway, and
// oclif finds its commands and plugins by reading folders at run time.
//
//   node scripts/pack-standalone.mjs [--target linux-x64,linux-arm64|all] [--out dist-standalone]
//                                    [--packages <folder from pack:all>] [--no-build] [--upstream <registry url>]
//
// Writes <out>/llm-speed-<target>.tar.xz (Windows: .zip) and <out>/SHA256SUMS. A target whose
// Node binary or node-llama-cpp build is not on the npm registry is skipped with the reason
// (an error when it was asked for by name).
import { execFileSync, spawn } from 'node:child_process';
import { createHash } from 'node:crypto';
import { chmodSync, cpSync, existsSync, lstatSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, readlinkSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';

const ROOT = fileURLToPath(new URL('..', import.meta.url));
const TARGETS = JSON.parse(readFileSync(join(ROOT, 'scripts/standalone-targets.json'), 'utf8'));
const VOCAB = 'models/ggml-vocab-llama-spm.gguf';

const { values } = parseArgs({
  options: {
    target: { type: 'string', default: 'all' },
    out: { type: 'string', default: 'dist-standalone' },
    packages: { type: 'string' },
    'no-build': { type: 'boolean', default: false },
    upstream: { type: 'string' },
  },
});
const OUT = resolve(ROOT, values.out);

class BuildError extends Error {}

function run(cmd, args, options = {}) {
  return execFileSync(cmd, args, { cwd: ROOT, encoding: 'utf8', stdio: ['ignore', 'pipe', 'inherit'], maxBuffer: 256 * 1024 * 1024, ...options });
}

function readJson(path) {
  return JSON.parse(readFileSync(path, 'utf8'));
}

function sha(algorithm, data, encoding = 'hex') {
  return createHash(algorithm).update(data).digest(encoding);
}

/** `npm view <spec> <field> --json`, or undefined when the registry has no such version. */
function npmView(spec, field, registry) {
  try {
    const text = run('npm', ['view', spec, field, '--json', '--registry', registry], { stdio: ['ignore', 'pipe', 'pipe'] }).trim();
    return text ? JSON.parse(text) : undefined;
  } catch {
    return undefined;
  }
}

/** Why a target cannot be built from the registry, or undefined when it can. */
function missingPiece(name, target, nlcVersion, registry) {
  const nodeSpec = `${target.node.package}@${TARGETS.node_version}`;
  const integrity = npmView(nodeSpec, 'dist.integrity', registry);
  if (!integrity) {
    const versions = npmView(target.node.package, 'versions', registry) ?? [];
    const newest = [...versions].reverse().find((v) => v.startsWith(`${TARGETS.node_version.split('.')[0]}.`)) ?? [...versions].pop();
    return `the npm registry has no ${nodeSpec} (newest there: ${newest ?? 'none'})`;
  }
  if (target.node.integrity !== integrity) {
    return `${nodeSpec} on the registry has integrity ${integrity}, not the pinned ${target.node.integrity} (scripts/standalone-targets.json): refusing a changed binary`;
  }
  if (!npmView(`${target.prebuild}@${nlcVersion}`, 'version', registry)) {
    const versions = npmView(target.prebuild, 'versions', registry) ?? [];
    return `the npm registry has no ${target.prebuild}@${nlcVersion}, node-llama-cpp's build for ${name} at the version the CLI pins (newest there: ${versions.at(-1) ?? 'none'})`;
  }
  return undefined;
}

/** Starts scripts/local-registry.mjs on a folder of packed tarballs. */
function startRegistry(dir, upstream) {
  return new Promise((resolveStart, reject) => {
    const child = spawn(process.execPath, [join(ROOT, 'scripts/local-registry.mjs'), '--dir', dir, '--upstream', upstream], { stdio: ['ignore', 'pipe', 'inherit'] });
    let buffer = '';
    child.stdout.on('data', (chunk) => {
      buffer += chunk;
      if (buffer.includes('\n')) resolveStart({ url: buffer.split('\n')[0].trim(), stop: () => child.kill('SIGTERM') });
    });
    child.on('error', reject);
    child.on('exit', (code) => reject(new Error(`local registry exited with code ${code}`)));
  });
}

/** Every folder named `name` below `dir` (node_modules trees nest). */
function findDirs(dir, name, found = []) {
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    if (!entry.isDirectory()) continue;
    const path = join(dir, entry.name);
    if (entry.name === name) found.push(path);
    else findDirs(path, name, found);
  }
  return found;
}

/** Relative paths of every file below dir, sorted (symbolic links included as files). */
function listFiles(dir, base = dir, out = []) {
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) listFiles(path, base, out);
    else out.push(relative(base, path));
  }
  return out.sort();
}

function treeBytes(dir) {
  return listFiles(dir).reduce((sum, file) => sum + lstatSync(join(dir, file)).size, 0);
}

/** The official Node binary for a target: npm pack from the registry, integrity checked, unpacked into <stage>/node. */
function addNode(stage, name, target, registry, work) {
  const spec = `${target.node.package}@${TARGETS.node_version}`;
  const packed = JSON.parse(run('npm', ['pack', spec, '--json', '--pack-destination', work, '--registry', registry], { stdio: ['ignore', 'pipe', 'pipe'] }))[0];
  const file = join(work, packed.filename);
  const integrity = `sha512-${sha('sha512', readFileSync(file), 'base64')}`;
  if (integrity !== target.node.integrity) throw new BuildError(`${spec}: downloaded integrity ${integrity} is not the pinned ${target.node.integrity}`);
  const exe = target.os === 'win32' ? 'node.exe' : 'node';
  const unpacked = join(work, `node-${name}`);
  mkdirSync(unpacked, { recursive: true });
  run('tar', ['-xzf', file, '-C', unpacked, `package/bin/${exe}`, 'package/LICENSE']);
  mkdirSync(join(stage, 'node', 'bin'), { recursive: true });
  cpSync(join(unpacked, 'package/bin', exe), join(stage, 'node', 'bin', exe));
  cpSync(join(unpacked, 'package/LICENSE'), join(stage, 'node', 'LICENSE'));
  chmodSync(join(stage, 'node', 'bin', exe), 0o755);
  return { package: target.node.package, version: TARGETS.node_version, integrity };
}

/** node-llama-cpp in the installed tree, its tokenizer extracted and its source bundle cut to the header. */
function slimNodeLlamaCpp(cliDir, work) {
  const nlc = [join(cliDir, 'node_modules/node-llama-cpp'), join(cliDir, '../node-llama-cpp')].find((d) => existsSync(join(d, 'package.json')));
  if (!nlc) throw new BuildError(`node-llama-cpp is not in the installed tree under ${cliDir}`);
  const bundle = join(nlc, 'llama/gitRelease.bundle');
  const bytes = readFileSync(bundle);
  // A v2/v3 git bundle: text header lines ("# v2 git bundle", "<sha> <ref>"), a blank line, then the pack.
  const end = bytes.indexOf('\n\n');
  if (!bytes.subarray(0, 20).toString('latin1').startsWith('# v') || end < 0) throw new BuildError(`${bundle} is not a git bundle`);
  const commit = /^([0-9a-f]{40}) /m.exec(bytes.subarray(0, end).toString('latin1'))?.[1];
  if (!commit) throw new BuildError(`${bundle} names no commit`);
  const repo = join(work, 'llama.cpp.git');
  rmSync(repo, { recursive: true, force: true });
  run('git', ['init', '--quiet', '--bare', repo]);
  run('git', ['--git-dir', repo, 'fetch', '--quiet', bundle, commit]);
  const vocab = execFileSync('git', ['--git-dir', repo, 'show', `${commit}:${VOCAB}`], { maxBuffer: 64 << 20 });
  mkdirSync(join(nlc, 'llama/models'), { recursive: true });
  writeFileSync(join(nlc, 'llama', VOCAB), vocab);
  writeFileSync(bundle, bytes.subarray(0, end + 2));
  return { commit: commit.slice(0, 12), vocab_sha256: sha('sha256', vocab), bundle_bytes_dropped: bytes.length - end - 2 };
}

/** Drops node-llama-cpp builds for other platforms (npm installs arm builds on x64 too: they list x64 for cross-building). */
function pruneOtherPrebuilds(stage, target) {
  const keep = target.prebuild.split('/')[1];
  const removed = [];
  for (const scope of findDirs(join(stage, 'lib'), '@node-llama-cpp')) {
    for (const build of readdirSync(scope)) {
      if (build !== keep) {
        rmSync(join(scope, build), { recursive: true, force: true });
        removed.push(build);
      }
    }
  }
  if (!findDirs(join(stage, 'lib'), '@node-llama-cpp').some((scope) => existsSync(join(scope, keep)))) throw new BuildError(`${target.prebuild} was not installed`);
  return [...new Set(removed)];
}

const UNIX_LAUNCHER = `#!/bin/sh
# llm-speed, standalone: runs the CLI in ../lib with the Node binary in ../node, so neither Node nor
# npm has to be installed. Links to this file (e.g. from ~/.local/bin) are followed to find them.
self=$0
while [ -h "$self" ]; do
  link=$(readlink "$self")
  case $link in
    /*) self=$link ;;
    *) self=\${self%/*}/$link ;;
  esac
done
case $self in
  */*) here=\${self%/*} ;;
  *) here=. ;;
esac
root=$(cd "$here/.." && pwd -P) || exit 1
exec "$root/node/bin/node" "$root/lib/node_modules/llm-speed/bin/run.js" "$@"
`;

const WINDOWS_LAUNCHER = `@echo off\r
rem llm-speed, standalone: runs the CLI in ..\\lib with the Node binary in ..\\node.\r
setlocal\r
"%~dp0..\\node\\bin\\node.exe" "%~dp0..\\lib\\node_modules\\llm-speed\\bin\\run.js" %*\r
exit /b %ERRORLEVEL%\r
`;

function writeLaunchers(stage, target) {
  rmSync(join(stage, 'bin'), { recursive: true, force: true });
  mkdirSync(join(stage, 'bin'));
  if (target.os === 'win32') {
    writeFileSync(join(stage, 'bin', 'llm-speed.cmd'), WINDOWS_LAUNCHER);
  } else {
    writeFileSync(join(stage, 'bin', 'llm-speed'), UNIX_LAUNCHER);
    chmodSync(join(stage, 'bin', 'llm-speed'), 0o755);
  }
}

/** files.sha256 in sha256sum's format, over every file but itself. */
function writeFileHashes(stage) {
  const lines = listFiles(stage)
    .filter((f) => f !== 'files.sha256')
    .map((f) => {
      const path = join(stage, f);
      const data = lstatSync(path).isSymbolicLink() ? Buffer.from(`symlink:${readlinkSync(path)}`) : readFileSync(path);
      return `${sha('sha256', data)}  ${f.split('\\').join('/')}`;
    });
  writeFileSync(join(stage, 'files.sha256'), lines.join('\n') + '\n');
  return lines.length;
}

function archive(stage, name, target, commitTime) {
  const parent = dirname(stage);
  if (target.os === 'win32') {
    const file = join(OUT, `llm-speed-${name}.zip`);
    rmSync(file, { force: true });
    // python3's zipfile writes a plain deflate zip that Expand-Archive and Explorer open.
    run('python3', ['-m', 'zipfile', '-c', file, basename(stage)], { cwd: parent });
    return file;
  }
  const file = join(OUT, `llm-speed-${name}.tar.xz`);
  const tar = ['--sort=name', '--owner=0', '--group=0', '--numeric-owner', `--mtime=@${commitTime}`, '-C', parent, '-cf', '-', basename(stage)];
  execFileSync('sh', ['-c', `tar "$@" | xz -6 -T2 > '${file}'`, 'tar', ...tar], { stdio: ['ignore', 'inherit', 'inherit'] });
  return file;
}

function mb(bytes) {
  return `${(bytes / 1e6).toFixed(1)} MB`;
}

async function main() {
  const started = Date.now();
  const upstream = values.upstream ?? run('npm', ['config', 'get', 'registry']).trim();
  const cli = readJson(join(ROOT, 'packages/cli/package.json'));
  const nlcVersion =
    readJson(join(ROOT, 'packages/plugin-llamacpp/package.json')).optionalDependencies?.['node-llama-cpp']?.replace(/^[^\d]*/, '') ??
    readJson(join(ROOT, 'node_modules/node-llama-cpp/package.json')).version;
  const all = Object.keys(TARGETS.targets);
  const asked = values.target === 'all' ? all : values.target.split(',').map((t) => t.trim());
  const unknown = asked.filter((t) => !all.includes(t));
  if (unknown.length) throw new BuildError(`unknown target ${unknown.join(', ')}; the targets are ${all.join(', ')}`);

  mkdirSync(OUT, { recursive: true });
  const work = mkdtempSync(join(tmpdir(), 'llm-speed-standalone-'));
  const packages = values.packages ? resolve(values.packages) : join(work, 'packages');
  let registry;
  try {
    if (!values.packages)
      run(process.execPath, [join(ROOT, 'scripts/pack-all.mjs'), '--out', packages, ...(values['no-build'] ? ['--no-build'] : []), '--upstream', upstream], {
        stdio: ['ignore', 'inherit', 'inherit'],
      });
    const cliTarball = readdirSync(packages).find((f) => f === `llm-speed-${cli.version}.tgz`);
    if (!cliTarball) throw new BuildError(`no llm-speed-${cli.version}.tgz in ${packages}: run pack:all first`);
    const buildInfo = JSON.parse(execFileSync('tar', ['-xzOf', join(packages, cliTarball), 'package/build-info.json'], { encoding: 'utf8' }));
    const commitTime = Number(run('git', ['log', '-1', '--format=%ct']).trim()) || 0;
    registry = await startRegistry(packages, upstream);

    const sums = existsSync(join(OUT, 'SHA256SUMS')) ? readFileSync(join(OUT, 'SHA256SUMS'), 'utf8').split('\n').filter(Boolean) : [];
    const built = [];
    for (const name of asked) {
      const target = TARGETS.targets[name];
      const missing = missingPiece(name, target, nlcVersion, upstream);
      if (missing) {
        if (values.target !== 'all') throw new BuildError(`cannot build ${name}: ${missing}`);
        console.log(`${name.padEnd(13)} skipped: ${missing}`);
        continue;
      }
      const stage = join(work, name, 'llm-speed');
      mkdirSync(stage, { recursive: true });
      // Exactly the user's install, for that platform: npm picks the optional builds by --os/--cpu.
      run('npm', ['install', '-g', '--prefix', stage, '--os', target.os, '--cpu', target.cpu, '--ignore-scripts', '--no-audit', '--no-fund', '--registry', registry.url, `llm-speed@${cli.version}`], {
        stdio: ['ignore', 'pipe', 'inherit'],
        env: { ...process.env, npm_config_update_notifier: 'false' },
      });
      const cliDir = join(stage, 'lib/node_modules/llm-speed');
      if (!existsSync(join(cliDir, 'bin/run.js'))) throw new BuildError(`npm did not install llm-speed into ${cliDir}`);
      const pruned = pruneOtherPrebuilds(stage, target);
      const llama = slimNodeLlamaCpp(cliDir, work);
      const node = addNode(stage, name, target, upstream, work);
      writeLaunchers(stage, target);
      const info = { kind: 'llm-speed-standalone', version: cli.version, target: name, commit: buildInfo.commit, dirty: buildInfo.dirty === true, node, llama_cpp: llama, files: 'files.sha256' };
      writeFileSync(join(stage, 'standalone.json'), JSON.stringify(info, null, 2) + '\n');
      const files = writeFileHashes(stage);
      const unpacked = treeBytes(stage);
      const file = archive(stage, name, target, commitTime);
      const digest = sha('sha256', readFileSync(file));
      const line = `${digest}  ${basename(file)}`;
      sums.splice(0, sums.length, ...sums.filter((l) => !l.endsWith(`  ${basename(file)}`)), line);
      built.push(name);
      console.log(
        `${name.padEnd(13)} ${basename(file).padEnd(32)} ${mb(statSync(file).size).padStart(9)} archive, ${mb(unpacked).padStart(9)} unpacked, ${files} files (left out: ${pruned.join(', ') || 'nothing'}; llama.cpp bundle cut by ${mb(llama.bundle_bytes_dropped)})`,
      );
      rmSync(join(work, name), { recursive: true, force: true });
    }
    writeFileSync(join(OUT, 'SHA256SUMS'), sums.sort((a, b) => a.slice(66).localeCompare(b.slice(66))).join('\n') + '\n');
    console.log(
      `pack:standalone: ${built.length ? built.join(', ') : 'nothing'} built into ${relative(ROOT, OUT) || OUT} in ${((Date.now() - started) / 1000).toFixed(0)} s (Node ${TARGETS.node_version}, llm-speed ${cli.version}, commit ${String(buildInfo.commit).slice(0, 12)})`,
    );
  } finally {
    registry?.stop();
    rmSync(work, { recursive: true, force: true });
  }
}

main().catch((error) => {
  console.error(`pack:standalone failed: ${error.message}`);
  process.exit(1);
});
