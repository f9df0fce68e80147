/**
 * What `npm pack` (and so npm publish, lerna and `npm run pack:all`) makes of a workspace package:
 * no src/ in the tarball, no `development` export condition or src/ path in its package.json,
 * a build stamp with this checkout's commit, and the package.json in the repository left exactly
 * as it was — also when the pack is refused (stale build output, an interrupted earlier pack).
 * The full release (every package, the CLI's shrinkwrap, an install) is scripts/install-test.sh.
 */
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { execa } from 'execa';

const PACKAGE = fileURLToPath(new URL('../../../plugin-ollama/', import.meta.url));

function tarText(file: string, entry: string): string {
  return execFileSync('tar', ['-xzOf', file, entry], { encoding: 'utf8' });
}

describe('npm pack of a workspace package (scripts/pack-manifest.mjs)', function () {
  this.timeout(120_000);
  let out: string;
  let original: Buffer;
  beforeEach(() => {
    out = mkdtempSync(join(tmpdir(), 'llm-speed-pack-'));
    original = readFileSync(join(PACKAGE, 'package.json'));
  });
  afterEach(() => {
    rmSync(out, { recursive: true, force: true });
    assert.deepEqual(readFileSync(join(PACKAGE, 'package.json')), original, 'package.json changed');
    assert.equal(existsSync(join(PACKAGE, '.package.json.prepack')), false, 'a backup was left behind');
    assert.equal(existsSync(join(PACKAGE, 'build-info.json')), false, 'a build stamp was left in the checkout');
  });

  const pack = () => execa('npm', ['pack', '--pack-destination', out, '--json'], { cwd: PACKAGE, reject: false });

  it('packs dist without src/ or the development condition, stamped with HEAD', async () => {
    const source = JSON.parse(original.toString('utf8'));
    assert.equal(source.exports['.'].development, './src/index.ts', 'the monorepo keeps its development condition');
    const result = await pack();
    assert.equal(result.exitCode, 0, String(result.stderr));
    const file = join(out, JSON.parse(String(result.stdout))[0].filename);
    const entries = execFileSync('tar', ['-tzf', file], { encoding: 'utf8' }).split('\n').filter(Boolean);
    assert.ok(entries.includes('package/dist/index.js'), entries.join(', '));
    assert.deepEqual(
      entries.filter((e) => e.startsWith('package/src/') || e.endsWith('.map')),
      [],
    );

    const packed = tarText(file, 'package/package.json');
    assert.doesNotMatch(packed, /"development"/);
    assert.doesNotMatch(packed, /\.\/src\//);
    assert.deepEqual(JSON.parse(packed).exports['.'], { types: './dist/index.d.ts', default: './dist/index.js' });
    const head = execFileSync('git', ['rev-parse', 'HEAD'], { cwd: PACKAGE, encoding: 'utf8' }).trim();
    assert.equal(JSON.parse(tarText(file, 'package/build-info.json')).commit, head);
  });

  it('refuses stale build output (a compiled file whose source is gone)', async () => {
    const planted = join(PACKAGE, 'dist', 'zz-removed-module.js');
    writeFileSync(planted, 'export {};\n');
    try {
      const result = await pack();
      assert.notEqual(result.exitCode, 0);
      assert.match(String(result.stderr), /stale build output with no source: dist\/zz-removed-module\.js/);
    } finally {
      rmSync(planted, { force: true });
    }
  });

  it('refuses to pack over an interrupted earlier pack, and says how to recover', async () => {
    const backup = join(PACKAGE, '.package.json.prepack');
    writeFileSync(backup, original);
    try {
      const result = await pack();
      assert.notEqual(result.exitCode, 0);
      assert.match(String(result.stderr), /an earlier pack was interrupted.*mv \.package\.json\.prepack package\.json/s);
    } finally {
      rmSync(backup, { force: true });
    }
  });
});
