/**
 * When `plugins install` or `plugins link` fails in its npm step, the error carries npm's own
 * reason (read from the log npm writes for that run), not only "… exited with code 1". No
 * network: the failures are local files that do not exist, and npm runs with --offline.
 */
import assert from 'node:assert/strict';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { explainNpmFailure, npmErrorLines, npmExit } from '../../src/cli/npm-failure.js';
import { sandbox, type Sandbox } from '../helpers/cli.js';

/** oclif wraps an error at the terminal width behind " ›   " margins; this undoes the wrapping. */
const unwrap = (stderr: unknown) => String(stderr).replace(/\n\s*›\s{0,3}/g, '');

describe("plugins: npm failures show npm's reason (e2e, real CLI)", function () {
  this.timeout(120_000);
  let box: Sandbox;
  before(() => {
    box = sandbox();
    // npm's cache (and so its logs) inside the sandbox; --offline so nothing can reach a registry.
    Object.assign(box.env, { npm_config_cache: join(box.root, 'npm-cache'), npm_config_offline: 'true', npm_config_update_notifier: 'false' });
  });
  after(() => box.cleanup());

  it("plugins install of a tarball that does not exist: npm's ENOENT line and the log path", async () => {
    const missing = join(box.root, 'no-such-driver-1.0.0.tgz');
    const result = await box.run(['plugins', 'install', `file:${missing}`]);
    assert.notEqual(result.exitCode, 0);
    const stderr = unwrap(result.stderr);
    assert.match(stderr, /npm install failed \(exit code \d+\)\. npm says:/);
    assert.match(stderr, /npm error code ENOENT/);
    assert.ok(stderr.includes(`npm error path ${missing}`), stderr);
    assert.ok(stderr.includes(`npm's full log: ${join(box.root, 'npm-cache', '_logs')}`), stderr);
  });

  it('plugins link, whose npm runs with --loglevel=silent: the reason is still in the error', async () => {
    const dir = join(box.root, 'broken-plugin');
    mkdirSync(join(dir, 'hooks'), { recursive: true });
    const dependencies = { 'not-here': 'file:./not-here-1.0.0.tgz' };
    writeFileSync(
      join(dir, 'package.json'),
      JSON.stringify({ name: 'llm-speed-plugin-broken', version: '1.0.0', type: 'module', dependencies, oclif: { hooks: { 'llm-speed:drivers': './hooks/drivers.js' } } }),
    );
    // A lockfile makes `plugins link` install the plugin's dependencies, as for a freshly cloned driver.
    writeFileSync(
      join(dir, 'package-lock.json'),
      JSON.stringify({ name: 'llm-speed-plugin-broken', version: '1.0.0', lockfileVersion: 3, requires: true, packages: { '': { name: 'llm-speed-plugin-broken', version: '1.0.0', dependencies } } }),
    );
    writeFileSync(join(dir, 'hooks', 'drivers.js'), 'export default async function () { return undefined; }\n');

    const result = await box.run(['plugins', 'link', dir]);
    assert.notEqual(result.exitCode, 0);
    const stderr = unwrap(result.stderr);
    assert.match(stderr, /npm error code ENOENT/);
    assert.ok(stderr.includes(join(dir, 'not-here-1.0.0.tgz')), stderr);
    assert.doesNotMatch(stderr, /Run with DEBUG=/);
  });
});

describe('npm-failure (unit)', () => {
  it('recognises the npm exit @oclif/plugin-plugins reports, and nothing else', () => {
    const exit = npmExit(new Error('/usr/bin/node /x/node_modules/npm/bin/npm-cli.js install file:/a.tgz --omit dev --no-audit --loglevel=notice --no-fund exited with code 254'));
    assert.deepEqual(exit, { args: 'install file:/a.tgz --omit dev --no-audit --loglevel=notice --no-fund', code: 254 });
    assert.equal(npmExit(new Error('the ollama server did not answer')), undefined);
  });

  it('leaves other errors as they are', async () => {
    const error = new Error('something else');
    assert.equal(await explainNpmFailure(error, Date.now(), { npm_config_logs_dir: '/nonexistent' }), error);
  });

  it("keeps npm's error lines in order, without the log-path line", () => {
    const log = [
      '0 verbose cli /usr/bin/node npm-cli.js',
      '1 verbose argv "install" "@llm-speed/plugin-nope"',
      '14 error code E404',
      '15 error 404 Not Found - GET https://registry.npmjs.org/@llm-speed%2fplugin-nope - Not found',
      '16 error 404',
      '17 error A complete log of this run can be found in: /x.log',
    ].join('\n');
    assert.deepEqual(npmErrorLines(log), ['npm error code E404', 'npm error 404 Not Found - GET https://registry.npmjs.org/@llm-speed%2fplugin-nope - Not found', 'npm error 404']);
  });
});
