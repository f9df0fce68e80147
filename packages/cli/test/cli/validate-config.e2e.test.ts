/**
 * `llm-speed validate` knows what `bench` would refuse in a config file (issue 26 item 10): a config
 * with `workloads: [W1, W9]` passed validate, and bench then stopped with "unknown workload W9".
 * Each case runs both commands on the same file: validate exits 1 and prints the very message
 * bench exits 2 with (bench fails before it detects, opens or measures anything).
 */
import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { sandbox, type Sandbox } from '../helpers/cli.js';

/** suite-v1's workloads as bench names them in its error (packages/framework/suites/suite-v1). */
const SUITE_V1 = 'suite-v1 has W1 chat-short, W2 chat-long, W3 long-context-decay, W4 concurrent-decode, W5 agent-trace';

describe('llm-speed validate: a config is checked for what bench would refuse (e2e)', function () {
  this.timeout(180_000);
  let box: Sandbox;
  before(() => {
    box = sandbox();
  });
  after(() => box.cleanup());

  const write = (name: string, text: string) => {
    const path = join(box.root, name);
    writeFileSync(path, text);
    return path;
  };

  it('workloads: [W1, W9] fails validate with the message bench gives', async () => {
    const file = write('w9.yaml', 'workloads: [W1, W9]\nupload: false\n');
    const validate = await box.run(['validate', file]);
    assert.equal(validate.exitCode, 1, String(validate.stdout));
    const expected = `unknown workload "W9"; ${SUITE_V1}`;
    assert.equal(String(validate.stdout).trim(), `${file}: config: /workloads: ${expected}`);
    const bench = await box.run(['bench', '--config', file, '--no-upload']);
    assert.equal(bench.exitCode, 2, String(bench.stderr));
    assert.ok(String(bench.stderr).includes(expected), String(bench.stderr));
  });

  it('a matrix run naming W9 fails validate, and bench refuses it before the first run starts', async () => {
    const file = write('matrix.yaml', 'matrix:\n  runs:\n    - backend: llama.cpp\n      workloads: [W1]\n    - backend: llama.cpp\n      workloads: [W9]\n');
    const validate = await box.run(['validate', file, '--json']);
    assert.equal(validate.exitCode, 1);
    const [verdict] = JSON.parse(String(validate.stdout)) as Array<{ valid: boolean; errors: string[] }>;
    assert.deepEqual(verdict!.errors, [`/matrix/runs/1/workloads: unknown workload "W9"; ${SUITE_V1}`]);
    const bench = await box.run(['bench', '--config', file, '--no-upload']);
    assert.equal(bench.exitCode, 2);
    assert.ok(!String(bench.stderr).includes('[1/2]'), 'no invocation started');
  });

  it('an unknown suite, backend or drivers section: the same words as bench and the driver settings check', async () => {
    const file = write(
      'others.yaml',
      ['suite: suite-v9', 'backend: llama-cpp', 'drivers:', '  openai-compat:', '    base_url: localhost:1234', '  open-compat:', '    base_url: http://127.0.0.1:1'].join('\n') + '\n',
    );
    const validate = await box.run(['validate', file, '--json']);
    assert.equal(validate.exitCode, 1);
    const errors = (JSON.parse(String(validate.stdout)) as Array<{ errors: string[] }>)[0]!.errors;
    assert.match(errors[0]!, /^\/suite: unknown suite "suite-v9"; this llm-speed ships suite-v1/);
    assert.match(errors[1]!, /^\/backend: unknown backend "llama-cpp" \(installed drivers: .*llama\.cpp.*\)$/);
    assert.match(errors[2]!, /^\/drivers: drivers\.open-compat matches no installed driver \(did you mean "openai-compat"\?\)/);
    assert.match(errors[3]!, /^\/drivers\/openai-compat: the openai-compat driver's settings is invalid: base_url/);
    assert.equal(errors.length, 4, errors.join('\n'));
    const bench = await box.run(['bench', '--config', file, '--no-upload']);
    assert.equal(bench.exitCode, 2);
    assert.match(String(bench.stderr), /unknown suite "suite-v9"; this llm-speed ships suite-v1/);
  });

  it('a valid config with the suite’s ids, names and a comma list still passes', async () => {
    const file = write('ok.yaml', 'workloads: [W1, chat-long, "W4,agent-trace"]\nbackend: llama.cpp\ndrivers:\n  openai-compat:\n    base_url: http://127.0.0.1:1234/v1\n');
    const validate = await box.run(['validate', file]);
    assert.equal(validate.exitCode, 0, String(validate.stdout));
    assert.match(String(validate.stdout), /: valid config/);
  });
});
