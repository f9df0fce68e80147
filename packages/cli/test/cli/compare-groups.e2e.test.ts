/**
 * `llm-speed compare` through the real CLI: the per-workload comparability warnings (the rule
 * the results server ranks by) reach both the text output and --json.
 */
import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { sandbox, type Sandbox } from '../helpers/cli.js';
import { sampleResult, sampleRun } from '../../../framework/test/helpers/sample-run.js';

describe('compare warns by the comparability rule (e2e, real CLI)', function () {
  this.timeout(120_000);
  let box: Sandbox;
  before(() => {
    box = sandbox();
    writeFileSync(join(box.root, 'full.json'), JSON.stringify(sampleRun([sampleResult({ extras: { engine: 'server' } })])));
    writeFileSync(join(box.root, 'quick.json'), JSON.stringify(sampleRun([sampleResult({ flags: ['quick'], output_tokens: 32, decode_tps: 300, extras: { engine: 'embedded' } })])));
  });
  after(() => box.cleanup());

  it('says per workload which run is not comparable and which groups differ, in text and in --json', async () => {
    const text = await box.run(['compare', join(box.root, 'full.json'), join(box.root, 'quick.json')]);
    assert.equal(text.exitCode, 0, String(text.stderr));
    // One line per warning, never wrapped: the paths in it can be pasted.
    assert.doesNotMatch(String(text.stderr), /›/);
    assert.ok(
      String(text.stderr)
        .split('\n')
        .includes(`warning: chat-short: ${join(box.root, 'quick.json')} is not comparable: quick run (32 of 256 tokens)`),
      String(text.stderr),
    );
    const warnings = String(text.stderr).replace(/\s+/g, ' ');
    assert.match(warnings, /chat-short: \S*quick\.json is not comparable: quick run \(32 of 256 tokens\)/);
    assert.match(warnings, /chat-short: \S*full\.json and \S*quick\.json are in different groups \(engine: server vs embedded\)/);
    assert.match(String(text.stdout), /decode_tps/, 'the figures are shown anyway');

    const json = await box.run(['compare', join(box.root, 'full.json'), join(box.root, 'quick.json'), '--json']);
    assert.equal(json.exitCode, 0, String(json.stderr));
    const comparison = JSON.parse(String(json.stdout));
    const [chatShort] = comparison.comparability;
    assert.equal(chatShort.workload, 'chat-short');
    assert.equal(chatShort.comparable, false);
    assert.deepEqual(chatShort.runs[1].reasons, ['quick run (32 of 256 tokens)']);
    assert.deepEqual(chatShort.runs[1].differences, ['engine: server vs embedded']);
    assert.equal(comparison.warnings.length, 2);
  });
});
