/**
 * End to end: drivers are discovered at run time through oclif's plugin system. A third-party
 * driver linked from a temp folder shows up in `detect` with no framework change; broken plugins
 * become one-line skipped rows and never crash the CLI.
 */
import assert from 'node:assert/strict';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { check } from '@llm-speed/framework';
import { sandbox, type Sandbox } from '../helpers/cli.js';

function writePlugin(dir: string, name: string, hookSource: string): void {
  mkdirSync(join(dir, 'hooks'), { recursive: true });
  writeFileSync(join(dir, 'package.json'), JSON.stringify({ name, version: '1.0.0', type: 'module', oclif: { hooks: { 'llm-speed:drivers': './hooks/drivers.js' } } }, null, 2));
  writeFileSync(join(dir, 'hooks', 'drivers.js'), hookSource);
}

const THROWAWAY_DRIVER = `
export default async function () {
  return {
    name: 'throwaway',
    async detect() {
      return { name: 'throwaway', available: true, version: '9.9.9',
        capabilities: { streaming: true, true_concurrency: false, prefix_cache_stats: false, exact_output_length: true } };
    },
    async listModels() { return [{ identifier: 'throwaway-model', name: 'Throwaway' }]; },
    async open() { throw new Error('not a real backend'); },
  };
}`;

describe('driver plugins (e2e, real CLI)', function () {
  this.timeout(120_000);
  let box: Sandbox;
  before(() => {
    box = sandbox();
  });
  after(() => box.cleanup());

  it('lists the bundled driver plugins', async () => {
    const result = await box.run(['plugins', '--core']);
    assert.equal(result.exitCode, 0, String(result.stderr));
    // oclif shows scoped plugins by short name (scope "llm-speed", prefix "plugin")
    for (const p of ['llamacpp', 'ollama', 'vllm', 'mlx', 'exllamav2', 'hosted', 'openai-compat']) {
      assert.match(String(result.stdout), new RegExp(`^${p} \\d+\\.\\d+\\.\\d+ \\(core\\)$`, 'm'));
    }
  });

  it('discovers a linked third-party driver in detect, and it validates', async () => {
    const dir = join(box.root, 'throwaway-plugin');
    writePlugin(dir, 'llm-speed-plugin-throwaway', THROWAWAY_DRIVER);
    const link = await box.run(['plugins', 'link', dir, '--no-install']);
    assert.equal(link.exitCode, 0, String(link.stderr));

    const detect = await box.run(['detect', '--json']);
    assert.equal(detect.exitCode, 0, String(detect.stderr));
    const report = JSON.parse(String(detect.stdout));
    assert.deepEqual(check('driver', report, 'DetectReport'), []);
    const row = report.drivers.find((d: { name: string }) => d.name === 'throwaway');
    assert.ok(row, 'linked driver missing from detect');
    assert.equal(row.available, true);
    assert.equal(row.version, '9.9.9');
    assert.equal(row.plugin, 'llm-speed-plugin-throwaway');
    // the bundled llama.cpp driver is there too, detected or skipped with a reason
    const llama = report.drivers.find((d: { name: string }) => d.name === 'llama.cpp');
    assert.ok(llama && (llama.available || llama.reason));
  });

  it('turns a throwing hook, a non-driver and malformed detect output into skipped rows', async () => {
    const throwing = join(box.root, 'throwing-plugin');
    writePlugin(throwing, 'llm-speed-plugin-throwing', `export default async function () { throw new Error('optional dependency foo-native is missing'); }`);
    const notDriver = join(box.root, 'not-a-driver');
    writePlugin(notDriver, 'llm-speed-plugin-notdriver', `export default async function () { return { hello: 'world' }; }`);
    const malformed = join(box.root, 'malformed');
    writePlugin(
      malformed,
      'llm-speed-plugin-malformed',
      `export default async function () { return { name: 'malformed', detect: async () => ({ name: 'malformed', available: 'yes' }), listModels: async () => [], open: async () => { throw new Error('x'); } }; }`,
    );
    for (const dir of [throwing, notDriver, malformed]) {
      const link = await box.run(['plugins', 'link', dir, '--no-install']);
      assert.equal(link.exitCode, 0, String(link.stderr));
    }
    const detect = await box.run(['detect', '--json']);
    assert.equal(detect.exitCode, 0, String(detect.stderr));
    const report = JSON.parse(String(detect.stdout));
    const skipped = report.skipped_plugins as Array<{ plugin: string; reason: string }>;
    const reasonOf = (p: string) => skipped.find((s) => s.plugin === p)?.reason ?? '';
    assert.match(reasonOf('llm-speed-plugin-throwing'), /hook failed: optional dependency foo-native is missing/);
    assert.match(reasonOf('llm-speed-plugin-notdriver'), /not a valid driver plugin/);
    const bad = report.drivers.find((d: { name: string }) => d.name === 'malformed');
    assert.equal(bad.available, false);
    assert.match(bad.reason, /llm-speed-plugin-malformed returned invalid detect\(\) output: \/available: must be boolean/);

    // human output stays one line per driver and the command still succeeds
    const human = await box.run(['detect']);
    assert.equal(human.exitCode, 0);
    assert.match(String(human.stdout), /llm-speed-plugin-throwing: skipped: its drivers hook failed/);
  });

  it('rejects an unknown --backend with a clear message and non-zero exit', async () => {
    const result = await box.run(['bench', '--backend', 'nonexistent', '--dry-run']);
    assert.notEqual(result.exitCode, 0);
    const oneLine = String(result.stderr)
      .replace(/\s*›\s*/g, ' ')
      .replace(/\s+/g, ' ');
    assert.match(oneLine, /unknown backend "nonexistent" \(installed drivers: .*llama\.cpp.*\)/);
  });
});
