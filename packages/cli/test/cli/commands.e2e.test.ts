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
    assert.deepEqual(
      JSON.parse(String(json.stdout)).map((v: { valid: boolean }) => v.valid),
      [true, false],
    );
  });

  it('compare: a table with % differences, --json for scripts, bad refs refused', async () => {
    const table = await box.run(['compare', join(box.root, 'a.json'), join(box.root, 'b.json')]);
    assert.equal(table.exitCode, 0, String(table.stderr));
    assert.match(String(table.stdout), /decode_tps\s+100\.00\s+150\.00 \(\+50\.0 %, n = 1\)/);
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

  it('list-models: an available backend lists its model, with the digest the file has', async () => {
    // A real GGUF through the real CLI: the tiny synthetic model, whose bytes are the same on every
    // machine (packages/plugin-llamacpp/test/synth/synth.test.ts pins this digest).
    const gguf = join(box.root, 'models-elsewhere', 'tiny.gguf');
    const made = await box.run(['models', 'synth', '--size', 'tiny', '--quant', 'Q4_0', '--out', gguf, '--json']);
    assert.equal(made.exitCode, 0, String(made.stderr));
    const env = { LLM_SPEED_MODEL: gguf };
    const json = await box.run(['list-models', '--backend', 'llama.cpp', '--json'], { env });
    assert.equal(json.exitCode, 0, String(json.stderr));
    const [llama] = JSON.parse(String(json.stdout));
    assert.equal(llama.backend, 'llama.cpp');
    assert.equal(llama.available, true, llama.reason);
    const listed = llama.models.find((m: { identifier: string }) => m.identifier === 'llm-speed/synth-llama-tiny-Q4_0');
    assert.deepEqual(listed, {
      identifier: 'llm-speed/synth-llama-tiny-Q4_0',
      name: 'llm-speed synthetic llama tiny',
      size: '20M',
      quant: 'Q4_0',
      digest: '9982d7bfbb64521e21298cbae10abb0ebc82143fb5be57e91378469821af5b9f',
    });
    const text = await box.run(['list-models', '--backend', 'llama.cpp'], { env });
    assert.equal(text.exitCode, 0, String(text.stderr));
    assert.match(String(text.stdout), /llm-speed\/synth-llama-tiny-Q4_0\b.*Q4_0/);
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
