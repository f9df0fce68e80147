/**
 * scripts/test.sh, the one test command: a failed llama-server build stops it at once with the
 * build's own error (before any test runs), so does a lint, format or test type finding (right
 * after the build), and a good run lints, checks the format, the tests' types and PostgreSQL, goes on to mocha and then to the
 * install test. Runs the real script in a scratch copy of the repository layout whose
 * build steps, llama-server build, PostgreSQL check and npx are stand-ins, so nothing heavy runs.
 */
import assert from 'node:assert/strict';
import { chmodSync, copyFileSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { execa } from 'execa';

const TEST_SH = fileURLToPath(new URL('../../../../scripts/test.sh', import.meta.url));

/** Stand-ins for the npm scripts test.sh runs; each notes its name in steps.log, so order shows. */
const NPM_SCRIPTS = {
  'schemas:check': 'echo schemas:check >> steps.log',
  build: 'echo build >> steps.log',
  lint: 'echo lint >> steps.log',
  'format:check': 'echo format:check >> steps.log',
  'typecheck:tests': 'echo typecheck:tests >> steps.log',
};

function scratchRepo(buildScript: string, scripts: Partial<typeof NPM_SCRIPTS> = {}): { root: string; env: Record<string, string> } {
  const root = mkdtempSync(join(tmpdir(), 'llm-speed-test-sh-'));
  mkdirSync(join(root, 'scripts'));
  mkdirSync(join(root, 'bin'));
  copyFileSync(TEST_SH, join(root, 'scripts', 'test.sh'));
  writeFileSync(join(root, 'package.json'), JSON.stringify({ name: 'scratch', private: true, scripts: { ...NPM_SCRIPTS, ...scripts } }));
  writeFileSync(join(root, 'scripts', 'build-llama-server.sh'), buildScript);
  writeFileSync(join(root, 'scripts', 'install-test.sh'), `echo "install-test $*" > "${join(root, 'install-test.ran')}"\necho install-test >> "${join(root, 'steps.log')}"\n`);
  writeFileSync(join(root, 'scripts', 'standalone-test.sh'), `echo "standalone-test $*" > "${join(root, 'standalone-test.ran')}"\necho standalone-test >> "${join(root, 'steps.log')}"\n`);
  writeFileSync(join(root, 'scripts', 'postgres-test.sh'), `echo "postgres-test $*" > "${join(root, 'postgres-test.ran')}"\n`);
  // npx stands in for mocha: it records that the tests would have run.
  writeFileSync(join(root, 'bin', 'npx'), `#!/usr/bin/env bash\necho "$*" > "${join(root, 'mocha.ran')}"\necho mocha >> "${join(root, 'steps.log')}"\n`);
  chmodSync(join(root, 'bin', 'npx'), 0o755);
  return { root, env: { PATH: `${join(root, 'bin')}:${process.env.PATH}`, LLM_SPEED_TEST_CACHE_DIR: join(root, 'cache') } };
}

describe('scripts/test.sh', function () {
  this.timeout(60_000);
  const roots: string[] = [];
  after(() => roots.forEach((r) => rmSync(r, { recursive: true, force: true })));

  it("stops at once with the build's own error when the llama-server build fails", async () => {
    const { root, env } = scratchRepo('echo "-- configuring llama.cpp"\necho "CMake Error: CMAKE_CXX_COMPILER not set, after EnableLanguage" >&2\nexit 3\n');
    roots.push(root);
    const result = await execa('bash', [join(root, 'scripts', 'test.sh')], { cwd: root, env, reject: false });
    assert.notEqual(result.exitCode, 0);
    assert.match(String(result.stderr), /building llama-server failed/);
    assert.match(String(result.stderr), /CMake Error: CMAKE_CXX_COMPILER not set/);
    assert.equal(existsSync(join(root, 'mocha.ran')), false, 'the tests ran after a failed build');
    assert.equal(existsSync(join(root, 'postgres-test.ran')), false, 'PostgreSQL was prepared after a failed build');
    assert.equal(existsSync(join(root, 'install-test.ran')), false);
  });

  for (const [step, said] of [
    ['lint', 'packages/framework/src/harness/runner.ts\n  12:3  error  Promises must be awaited  @typescript-eslint/no-floating-promises'],
    ['format:check', '[warn] packages/framework/src/harness/runner.ts\n[warn] Code style issues found in the above file. Run Prettier with --write to fix.'],
    ['typecheck:tests', "packages/server/test/ingest.test.ts(12,7): error TS2339: Property 'hostname' does not exist on type 'RunPayload'.\nFound 1 error."],
  ] as const) {
    it(`stops before the llama-server build and the tests when ${step} fails, with its own words`, async () => {
      const { root, env } = scratchRepo('echo "/cache/llama.cpp/b1/bin/llama-server"\n', { [step]: `echo ${step} >> steps.log; printf '%s\\n' ${JSON.stringify(said)} >&2; exit 1` });
      roots.push(root);
      const result = await execa('bash', [join(root, 'scripts', 'test.sh')], { cwd: root, env, reject: false });
      assert.notEqual(result.exitCode, 0);
      assert.ok(String(result.stderr).includes(said.split('\n')[1]!), String(result.stderr));
      const steps = readFileSync(join(root, 'steps.log'), 'utf8').trim().split('\n');
      assert.equal(steps.at(-1), step, `nothing ran after the failed ${step}: ${steps.join(', ')}`);
      assert.doesNotMatch(String(result.stdout), /^llama-server:/m, `llama-server was built after a failed ${step}`);
      assert.equal(existsSync(join(root, 'mocha.ran')), false, `the tests ran after a failed ${step}`);
      assert.equal(existsSync(join(root, 'postgres-test.ran')), false);
      assert.equal(existsSync(join(root, 'install-test.ran')), false);
      assert.equal(existsSync(join(root, 'standalone-test.ran')), false);
    });
  }

  it('after a good build runs the tests, then the install test and the standalone test (both skipped when mocha gets arguments)', async () => {
    const { root, env } = scratchRepo('echo "building..."\necho "/cache/llama.cpp/b1/bin/llama-server"\n');
    roots.push(root);
    const full = await execa('bash', [join(root, 'scripts', 'test.sh')], { cwd: root, env, reject: false });
    assert.equal(full.exitCode, 0, String(full.stderr));
    assert.match(String(full.stdout), /^llama-server: \/cache\/llama\.cpp\/b1\/bin\/llama-server$/m);
    assert.equal(readFileSync(join(root, 'postgres-test.ran'), 'utf8').trim(), 'postgres-test check', 'the server tests need their PostgreSQL checked first');
    assert.match(readFileSync(join(root, 'mocha.ran'), 'utf8'), /^mocha --exit packages\/\*\/test\/\*\*\/\*\.test\.ts/);
    assert.deepEqual(
      readFileSync(join(root, 'steps.log'), 'utf8').trim().split('\n'),
      ['schemas:check', 'build', 'lint', 'format:check', 'typecheck:tests', 'mocha', 'install-test', 'standalone-test'],
      "lint, format and the tests' types right after the build, before the tests; the user-level tests last",
    );
    assert.equal(readFileSync(join(root, 'install-test.ran'), 'utf8').trim(), 'install-test --no-build');
    assert.equal(readFileSync(join(root, 'standalone-test.ran'), 'utf8').trim(), 'standalone-test --no-build');

    rmSync(join(root, 'install-test.ran'));
    rmSync(join(root, 'standalone-test.ran'));
    const targeted = await execa('bash', [join(root, 'scripts', 'test.sh'), '--grep', 'verify'], { cwd: root, env, reject: false });
    assert.equal(targeted.exitCode, 0, String(targeted.stderr));
    assert.match(readFileSync(join(root, 'mocha.ran'), 'utf8'), /--grep verify$/m);
    assert.equal(existsSync(join(root, 'install-test.ran')), false);
    assert.equal(existsSync(join(root, 'standalone-test.ran')), false);
    assert.match(String(targeted.stdout), /install test and standalone test skipped/);
  });
});
