/**
 * A bundled driver's name cannot be reused (issue 26 item 15): a plugin offering a driver named
 * `openai-compat` installs, but `llm-speed detect` lists it as skipped, with the very line
 * docs/DRIVERS.md §4 quotes, and the bundled driver is the one that answers.
 */
import assert from 'node:assert/strict';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { sandbox, type Sandbox } from '../helpers/cli.js';

const DRIVERS_MD = fileURLToPath(new URL('../../../../docs/DRIVERS.md', import.meta.url));

/** The message DRIVERS.md §4 quotes: the fenced line under "cannot be reused". */
function documentedMessage(): string {
  const doc = readFileSync(DRIVERS_MD, 'utf8');
  const at = doc.indexOf('cannot\nbe reused');
  const fence = /```\n(.+)\n```/.exec(doc.slice(at));
  assert.ok(at >= 0 && fence, 'DRIVERS.md §4 quotes the message for a reused bundled name');
  return fence[1]!;
}

describe('a plugin reusing a bundled driver name (e2e, real CLI)', function () {
  this.timeout(120_000);
  let box: Sandbox;
  before(() => {
    box = sandbox();
  });
  after(() => box.cleanup());

  it('is skipped with the message DRIVERS.md quotes; the bundled driver answers', async () => {
    const dir = join(box.root, 'my-openai-compat');
    mkdirSync(join(dir, 'hooks'), { recursive: true });
    writeFileSync(join(dir, 'package.json'), JSON.stringify({ name: 'llm-speed-plugin-my-compat', version: '1.0.0', type: 'module', oclif: { hooks: { 'llm-speed:drivers': './hooks/drivers.js' } } }));
    writeFileSync(
      join(dir, 'hooks', 'drivers.js'),
      `export default async () => ({ name: 'openai-compat', detect: async () => ({ name: 'openai-compat', available: true, version: 'mine' }), listModels: async () => [], open: async () => { throw new Error('x'); } });`,
    );
    const link = await box.run(['plugins', 'link', dir, '--no-install']);
    assert.equal(link.exitCode, 0, String(link.stderr));
    const detect = await box.run(['detect', '--json']);
    assert.equal(detect.exitCode, 0, String(detect.stderr));
    const report = JSON.parse(String(detect.stdout));
    const skipped = (report.skipped_plugins as Array<{ plugin: string; reason: string }>).find((s) => s.plugin === 'llm-speed-plugin-my-compat');
    assert.ok(skipped, JSON.stringify(report.skipped_plugins));
    assert.equal(skipped.reason, documentedMessage());
    const row = report.drivers.find((d: { name: string }) => d.name === 'openai-compat');
    assert.equal(row.plugin, '@llm-speed/plugin-openai-compat');
    assert.notEqual(row.version, 'mine');
  });
});
