/**
 * What `llm-speed verify` reports (METHODOLOGY §7.1), pinned on real folders: inside a git
 * checkout the commit is the checkout's HEAD; an installed package reports the commit recorded
 * when it was packed (build-info.json); the dependency hash is the SHA-256 of the shipped
 * lockfile, else of the installed tree's sorted name@version lines, and it changes when any
 * dependency's version does. The expected hashes are computed here from the bytes they cover.
 */
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { frameworkPackageDir, installedDependencyLines, provenance } from '../../src/signing/index.js';

const FRAMEWORK = fileURLToPath(new URL('../../', import.meta.url));
const sha256 = (data: string | Buffer) => createHash('sha256').update(data).digest('hex');
const EMPTY = sha256('');

function writeJson(path: string, value: unknown): void {
  mkdirSync(join(path, '..'), { recursive: true });
  writeFileSync(path, JSON.stringify(value, null, 2));
}

/** An installed package outside any git checkout: package.json, node_modules with two deps. */
function installedPackage(root: string, versions: { a: string; b: string }): string {
  const dir = join(root, 'lib', 'node_modules', 'llm-speed');
  writeJson(join(dir, 'package.json'), { name: 'llm-speed', version: '3.1.4', dependencies: { 'dep-a': '^1.0.0' } });
  writeJson(join(dir, 'node_modules', 'dep-a', 'package.json'), { name: 'dep-a', version: versions.a, dependencies: { '@scope/dep-b': '^2.0.0' } });
  writeJson(join(dir, 'node_modules', '@scope', 'dep-b', 'package.json'), { name: '@scope/dep-b', version: versions.b });
  return dir;
}

describe('provenance (llm-speed verify)', () => {
  let root: string;
  beforeEach(() => {
    root = mkdtempSync(join(tmpdir(), 'llm-speed-provenance-'));
  });
  afterEach(() => rmSync(root, { recursive: true, force: true }));

  it("inside this git checkout: the checkout's HEAD and the SHA-256 of its package-lock.json", () => {
    const head = execFileSync('git', ['rev-parse', 'HEAD'], { cwd: FRAMEWORK, encoding: 'utf8' }).trim();
    const top = execFileSync('git', ['rev-parse', '--show-toplevel'], { cwd: FRAMEWORK, encoding: 'utf8' }).trim();
    const info = provenance(FRAMEWORK);
    assert.equal(info.commit, head);
    assert.equal(info.commit_source, 'git');
    assert.equal(info.dependencies_sha256, sha256(readFileSync(join(top, 'package-lock.json'))));
    assert.equal(info.dependencies_source, 'package-lock.json (checkout root)');
    assert.equal(info.version, JSON.parse(readFileSync(join(FRAMEWORK, 'package.json'), 'utf8')).version);
  });

  it('in another git checkout without a build stamp: that checkout\'s HEAD, never "unknown"', () => {
    const dir = installedPackage(root, { a: '1.0.0', b: '2.0.0' });
    const git = (...args: string[]) =>
      execFileSync('git', args, { cwd: dir, encoding: 'utf8', env: { ...process.env, GIT_AUTHOR_NAME: 't', GIT_AUTHOR_EMAIL: 't@t', GIT_COMMITTER_NAME: 't', GIT_COMMITTER_EMAIL: 't@t' } }).trim();
    git('init', '-q');
    git('add', 'package.json');
    git('commit', '-q', '-m', 'one');
    const info = provenance(dir);
    assert.equal(info.commit, git('rev-parse', 'HEAD'));
    assert.equal(info.commit_source, 'git');
  });

  it("installed (no checkout): the commit recorded at pack time, and the shipped shrinkwrap's SHA-256", () => {
    const dir = installedPackage(root, { a: '1.0.0', b: '2.0.0' });
    const commit = 'a'.repeat(8) + '0123456789abcdef0123456789abcdef';
    writeJson(join(dir, 'build-info.json'), { commit, dirty: false });
    const shrinkwrap = { name: 'llm-speed', lockfileVersion: 3, packages: { 'node_modules/dep-a': { version: '1.0.0' } } };
    writeJson(join(dir, 'npm-shrinkwrap.json'), shrinkwrap);

    const info = provenance(dir);
    assert.deepEqual(
      { version: info.version, commit: info.commit, commit_source: info.commit_source, source: info.dependencies_source },
      { version: '3.1.4', commit, commit_source: 'build-info', source: 'npm-shrinkwrap.json' },
    );
    assert.equal(info.dependencies_sha256, sha256(readFileSync(join(dir, 'npm-shrinkwrap.json'))));

    shrinkwrap.packages['node_modules/dep-a'].version = '1.0.1';
    writeJson(join(dir, 'npm-shrinkwrap.json'), shrinkwrap);
    const bumped = provenance(dir);
    assert.notEqual(bumped.dependencies_sha256, info.dependencies_sha256);
    assert.equal(bumped.dependencies_sha256, sha256(readFileSync(join(dir, 'npm-shrinkwrap.json'))));
  });

  it('installed without a lockfile: the hash of the sorted name@version lines, changing with any version', () => {
    const dir = installedPackage(root, { a: '1.0.0', b: '2.0.0' });
    const before = provenance(dir);
    assert.equal(before.dependencies_sha256, sha256('@scope/dep-b@2.0.0\ndep-a@1.0.0\n'));
    assert.notEqual(before.dependencies_sha256, EMPTY);
    assert.match(before.dependencies_source, /installed dependency tree \(2 packages/);
    assert.equal(before.commit, 'unknown'); // no stamp, no checkout: said plainly, never guessed

    installedPackage(root, { a: '1.0.0', b: '2.0.1' }); // a transitive dependency moves
    assert.equal(provenance(dir).dependencies_sha256, sha256('@scope/dep-b@2.0.1\ndep-a@1.0.0\n'));
  });

  it('lists what is installed: an absent optional dependency is left out, a version-less one says unknown', () => {
    const dir = installedPackage(root, { a: '1.0.0', b: '2.0.0' });
    writeJson(join(dir, 'package.json'), { name: 'llm-speed', version: '3.1.4', dependencies: { 'dep-a': '^1.0.0', 'dep-c': '*' }, optionalDependencies: { 'not-installed': '^1.0.0' } });
    writeJson(join(dir, 'node_modules', 'dep-c', 'package.json'), { name: 'dep-c' });
    assert.deepEqual(installedDependencyLines(dir), ['@scope/dep-b@2.0.0', 'dep-a@1.0.0', 'dep-c@unknown']);
    // A folder without package.json is no installed package: Node's lookup goes on to the parent's node_modules.
    mkdirSync(join(dir, 'node_modules', 'dep-a', 'node_modules', '@scope', 'dep-b'), { recursive: true });
    writeJson(join(dir, '..', '@scope', 'dep-b', 'package.json'), { name: '@scope/dep-b', version: '2.0.9' });
    assert.deepEqual(installedDependencyLines(dir), ['@scope/dep-b@2.0.0', 'dep-a@1.0.0', 'dep-c@unknown']);
  });

  it('ignores a build stamp that is not a commit id, and says "unknown" for a package without a version', () => {
    const dir = installedPackage(root, { a: '1.0.0', b: '2.0.0' });
    for (const commit of ['release-0123456789abcdef', '0123456789abcdef-dirty', 'abc', 42]) {
      writeJson(join(dir, 'build-info.json'), { commit });
      assert.deepEqual((({ commit: c, commit_source }) => ({ c, commit_source }))(provenance(dir)), { c: 'unknown', commit_source: 'unknown' }, String(commit));
    }
    writeJson(join(dir, 'package.json'), { name: 'llm-speed' });
    assert.equal(provenance(dir).version, 'unknown');
  });

  it('by default describes the framework package this code belongs to', () => {
    assert.equal(frameworkPackageDir(), FRAMEWORK.replace(/[\\/]$/, ''));
    assert.deepEqual(provenance(), provenance(FRAMEWORK));
  });
});
