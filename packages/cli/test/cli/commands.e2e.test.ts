/**
 * The smaller commands through the real CLI: normal use and bad input, exit codes and --json.
 */
import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { sandbox, type Sandbox } from '../helpers/cli.js';
import { sampleResult, sampleRun } from '@llm-speed/framework/testing';

const repo = fileURLToPath(new URL('../../../../', import.meta.url));

describe('validate / compare / list-models / plugins (e2e, real CLI)', function () {
  this.timeout(120_000);
  let box: Sandbox;
  before(() => {
    box = sandbox();
    writeFileSync(join(box.root, 'a.json'), JSON.stringify(sampleRun([sampleResult({ decode_tps: 100 })])));
    writeFileSync(join(box.root, 'b.json'), JSON.stringify(sampleRun([sampleResult({ decode_tps: 150 })])));
    writeFileSync(join(box.root, 'typo.json'), JSON.stringify({ api_url: 'http://127.0.0.1:1', mdoe: 'anon' }));
  });
  after(() => box.cleanup());

  it('validate: exit 0 for valid files, 1 with one line per problem', async () => {
    const ok = await box.run(['validate', join(box.root, 'a.json')]);
    assert.equal(ok.exitCode, 0, String(ok.stderr));
    assert.match(String(ok.stdout), /a\.json: valid run/);
    const bad = await box.run(['validate', join(box.root, 'typo.json'), '--schema', 'config']);
    assert.equal(bad.exitCode, 1);
    assert.match(String(bad.stdout), /typo\.json: config: \(root\): unexpected field "mdoe"/);
    const json = await box.run(['validate', join(box.root, 'a.json'), join(box.root, 'typo.json'), '--json']);
    assert.equal(json.exitCode, 1);
    assert.deepEqual(JSON.parse(String(json.stdout)).map((v: { valid: boolean }) => v.valid), [true, false]);
  });

  it('compare: a table with % differences, --json for scripts, bad refs refused', async () => {
    const table = await box.run(['compare', join(box.root, 'a.json'), join(box.root, 'b.json')]);
    assert.equal(table.exitCode, 0, String(table.stderr));
    assert.match(String(table.stdout), /decode_tps\s+100\.00\s+150\.00 \(\+50\.0%\)/);
    const json = await box.run(['compare', join(box.root, 'a.json'), join(box.root, 'b.json'), '--json']);
    const rows = JSON.parse(String(json.stdout)).rows as Array<{ metric: string; diff_pct: number[] }>;
    assert.equal(rows.find((r) => r.metric === 'decode_tps')!.diff_pct[1], 50);
    const one = await box.run(['compare', join(box.root, 'a.json')]);
    assert.notEqual(one.exitCode, 0);
    assert.match(String(one.stderr), /at least two runs/);
    const bad = await box.run(['compare', join(box.root, 'a.json'), 'nonsense']);
    assert.notEqual(bad.exitCode, 0);
    assert.match(String(bad.stderr), /neither a file nor a run id/);
  });

  it('list-models: per backend, --json; unknown backend refused', async () => {
    const json = await box.run(['list-models', '--json', '--backend', 'ollama']);
    assert.equal(json.exitCode, 0, String(json.stderr));
    const [ollama] = JSON.parse(String(json.stdout));
    assert.equal(ollama.backend, 'ollama');
    assert.equal(ollama.available, false);
    assert.match(ollama.reason, /Ollama/);
    const bad = await box.run(['list-models', '--backend', 'nope']);
    assert.notEqual(bad.exitCode, 0);
    assert.match(String(bad.stderr), /unknown backend "nope"/);
  });

  it('a bundled driver plugin can be linked on its own and removed without breaking the CLI', async () => {
    const link = await box.run(['plugins', 'link', join(repo, 'packages/plugin-ollama'), '--no-install']);
    assert.equal(link.exitCode, 0, String(link.stderr));
    const listed = await box.run(['plugins']);
    assert.match(String(listed.stdout), /ollama 0\.1\.0 \(link\)/);
    const detect = await box.run(['detect', '--json']);
    assert.equal(detect.exitCode, 0);
    assert.ok(JSON.parse(String(detect.stdout)).drivers.some((d: { name: string }) => d.name === 'ollama'));
    const unlink = await box.run(['plugins', 'unlink', '@llm-speed/plugin-ollama']);
    assert.equal(unlink.exitCode, 0, String(unlink.stderr));
    const after = await box.run(['detect', '--json']);
    assert.equal(after.exitCode, 0, String(after.stderr));
  });
});
