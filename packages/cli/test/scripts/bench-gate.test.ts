/**
 * The GitHub Action (action.yml) and its script, scripts/action/bench-gate.mjs, tested as a script:
 * action.yml is parsed to check that its steps call the script with every input; then the script
 * runs the way the action runs it — the real `llm-speed` on PATH, the inputs as INPUT_*
 * variables, GITHUB_STEP_SUMMARY and GITHUB_OUTPUT as files — with fixture runs, with a stand-in
 * board on 127.0.0.1 serving the baseline by run id and by permalink, and once with a real
 * `llm-speed bench` (the embedded engine and the synthetic tiny model, --quick).
 */
import assert from 'node:assert/strict';
import { chmodSync, existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { execa } from 'execa';
import yaml from 'js-yaml';
import { check } from '@llm-speed/framework';
import { jsonResponse, sampleResult, sampleRun, startReplayServer, type ReplayServer } from '@llm-speed/framework/testing';
import { BIN, sandbox, type Sandbox } from '../helpers/cli.js';

const REPO = fileURLToPath(new URL('../../../../', import.meta.url));
const SCRIPT = join(REPO, 'scripts', 'action', 'bench-gate.mjs');
const ACTION = join(REPO, 'action.yml');
const STEP_RUN = /^node "\$GITHUB_ACTION_PATH\/scripts\/action\/bench-gate\.mjs" (install|run)$/;

interface ActionStep {
  uses?: string;
  id?: string;
  run?: string;
  shell?: string;
  env?: Record<string, string>;
}
interface Action {
  inputs: Record<string, { description: string; default?: string }>;
  outputs: Record<string, { value: string }>;
  runs: { using: string; steps: ActionStep[] };
}

describe('action.yml: a composite action whose steps call scripts/action/bench-gate.mjs', () => {
  const action = yaml.load(readFileSync(ACTION, 'utf8')) as Action;
  const script = readFileSync(SCRIPT, 'utf8');

  it('is composite, and every run step is one call of the script (no logic inline)', () => {
    assert.equal(action.runs.using, 'composite');
    const runs = action.runs.steps.filter((s) => s.run !== undefined);
    assert.deepEqual(
      runs.map((s) => STEP_RUN.exec(s.run!.trim())?.[1]),
      ['install', 'run'],
    );
    for (const step of runs) assert.equal(step.shell, 'bash');
  });

  it('passes every input to the script as INPUT_<NAME>, and the script reads each one', () => {
    const passed = new Map<string, string>();
    for (const step of action.runs.steps) for (const [name, value] of Object.entries(step.env ?? {})) passed.set(name, value);
    for (const name of Object.keys(action.inputs)) {
      const env = `INPUT_${name.toUpperCase().replace(/-/g, '_')}`;
      assert.equal(passed.get(env), `\${{ inputs.${name} }}`, `${name} reaches the script as ${env}`);
      assert.ok(script.includes(`input('${name.replace(/-/g, '_')}'`), `the script reads ${name}`);
      assert.ok(action.inputs[name]!.description.length > 20, `${name} says what it is`);
    }
    assert.equal(passed.size, Object.keys(action.inputs).length, 'no variable without an input');
  });

  it('its outputs are the ones the script writes, from the step that writes them', () => {
    for (const [name, { value }] of Object.entries(action.outputs)) {
      assert.equal(value, `\${{ steps.gate.outputs.${name} }}`);
      assert.ok(script.includes(`output('${name}'`), `the script writes ${name}`);
    }
    assert.ok(action.runs.steps.some((s) => s.id === 'gate' && s.run?.includes('bench-gate.mjs" run')));
  });
});

describe('scripts/action/bench-gate.mjs run, as the action runs it', function () {
  this.timeout(15 * 60_000);
  let box: Sandbox;
  let shims: string;
  let board: ReplayServer;
  const file = (name: string) => join(box.root, name);
  const BASE_ID = 'r_AAAAAAAAAAA';

  /** Runs the script with the inputs given, `llm-speed` (this checkout's) on PATH, and GitHub's files. */
  async function gate(command: 'run' | 'install', inputs: Record<string, string>, env: Record<string, string> = {}) {
    const dir = mkdtempSync(join(box.root, 'job-'));
    const files = { GITHUB_STEP_SUMMARY: join(dir, 'summary.md'), GITHUB_OUTPUT: join(dir, 'output.txt'), GITHUB_PATH: join(dir, 'path.txt'), RUNNER_TEMP: dir };
    for (const f of [files.GITHUB_STEP_SUMMARY, files.GITHUB_OUTPUT, files.GITHUB_PATH]) writeFileSync(f, '');
    const vars = Object.fromEntries(Object.entries(inputs).map(([k, v]) => [`INPUT_${k.toUpperCase().replace(/-/g, '_')}`, v]));
    const result = await execa(process.execPath, [SCRIPT, command], {
      env: { ...box.env, PATH: `${shims}:/usr/bin:/bin`, ...files, ...vars, ...env },
      extendEnv: false,
      reject: false,
      cwd: box.root,
      timeout: 10 * 60_000,
    });
    const outputs = Object.fromEntries(
      readFileSync(files.GITHUB_OUTPUT, 'utf8')
        .split('\n')
        .filter(Boolean)
        .map((l) => [l.slice(0, l.indexOf('=')), l.slice(l.indexOf('=') + 1)]),
    );
    return { ...result, summary: readFileSync(files.GITHUB_STEP_SUMMARY, 'utf8'), outputs, path: readFileSync(files.GITHUB_PATH, 'utf8'), dir };
  }

  before(async () => {
    box = sandbox();
    shims = mkdtempSync(join(tmpdir(), 'llm-speed-gate-shim-'));
    writeFileSync(join(shims, 'llm-speed'), `#!/bin/sh\nexec "${process.execPath}" "${BIN}" "$@"\n`);
    chmodSync(join(shims, 'llm-speed'), 0o755);
    const w1 = (decode_tps: number) => sampleRun([sampleResult({ decode_tps })]);
    writeFileSync(file('base.json'), JSON.stringify(w1(100)));
    writeFileSync(file('slower.json'), JSON.stringify(w1(90)));
    writeFileSync(file('same.json'), JSON.stringify(w1(98)));
    // A stand-in board: the results server's GET /v1/results/<id>, on 127.0.0.1.
    board = await startReplayServer([{ method: 'GET', path: `/v1/results/${BASE_ID}`, response: jsonResponse(200, w1(100)) }]);
  });
  after(async () => {
    await board.close();
    rmSync(shims, { recursive: true, force: true });
    box.cleanup();
  });

  it('a regression beyond the threshold: exit 1, the table in the job summary, the outputs set', async () => {
    const r = await gate('run', { candidate: file('slower.json'), baseline: file('base.json'), threshold: '5' });
    assert.equal(r.exitCode, 1, r.stderr);
    // 90 vs 100: −10 %, past 5 % (single measurements are compared as points).
    assert.match(r.summary, /^## llm-speed compare: base\.json vs slower\.json$/m);
    assert.match(r.summary, /^❌ \*\*regression: 1 figure of slower\.json worse than base\.json by more than 5 % beyond the noise\*\*/m);
    assert.match(r.summary, /^\| chat-short \| decode tok\/s \| 100\.00 \| \*\*90\.00 \(−10\.0 %, n = 1\)\*\* 🔻 \|$/m);
    assert.deepEqual(r.outputs, { 'run-file': file('slower.json'), gate: 'regression', 'exit-code': '1' });
  });

  it('within the threshold: exit 0, gate passed; --metric narrows what is judged', async () => {
    const r = await gate('run', { candidate: file('same.json'), baseline: file('base.json'), threshold: '5' });
    assert.equal(r.exitCode, 0, r.stderr);
    assert.match(r.summary, /^✅ \*\*no regression: /m);
    assert.equal(r.outputs.gate, 'passed');
    const ttft = await gate('run', { candidate: file('slower.json'), baseline: file('base.json'), threshold: '5', metrics: 'ttft_ms, wall_ms' });
    assert.equal(ttft.exitCode, 0, 'decode is not judged, and TTFT did not move');
    assert.match(ttft.summary, /metrics: ttft_ms, wall_ms/);
  });

  it('the baseline from a board: a run id with api-url, and a permalink read from its own server', async () => {
    const byId = await gate('run', { candidate: file('slower.json'), baseline: BASE_ID, 'api-url': board.url, threshold: '5' });
    assert.equal(byId.exitCode, 1, byId.stderr);
    assert.match(byId.summary, new RegExp(`regression: 1 figure of slower\\.json worse than ${BASE_ID}`));
    const byLink = await gate('run', { candidate: file('same.json'), baseline: `${board.url}/r/${BASE_ID}` });
    assert.equal(byLink.exitCode, 0, byLink.stderr);
    assert.match(byLink.summary, new RegExp(`\\| workload \\| metric \\| ${BASE_ID} \\| same\\.json \\(Δ\\) \\|`));
    assert.ok(board.requests.filter((q) => q.path === `/v1/results/${BASE_ID}`).length >= 2);
    // A board that is not there: an error (exit 1, gate "error"), said in the summary — never a pass.
    const down = await gate('run', { candidate: file('same.json'), baseline: BASE_ID, 'api-url': 'http://127.0.0.1:9' });
    assert.equal(down.exitCode, 1);
    assert.equal(down.outputs.gate, 'error');
    assert.match(down.summary, new RegExp(`❌ \\*\\*\`llm-speed compare\` failed \\(exit 1\\)\\*\\* against baseline \`${BASE_ID}\``));
    assert.match(down.summary, /cannot read r_AAAAAAAAAAA/);
  });

  it('bad inputs exit 2 and say so in the summary: a threshold the gate cannot take, reps that are not a count', async () => {
    const threshold = await gate('run', { candidate: file('same.json'), baseline: file('base.json'), threshold: 'abc' });
    assert.equal(threshold.exitCode, 2);
    assert.match(threshold.summary, /--fail-on-regression takes a percentage from 0 up to \(not including\) 100; got "abc"/);
    const reps = await gate('run', { reps: 'many', baseline: file('base.json') });
    assert.equal(reps.exitCode, 2);
    assert.match(reps.summary, /reps must be a whole number of repetitions \(1 or more\); got "many"/);
    const missing = await gate('run', { candidate: file('nope.json') });
    assert.equal(missing.exitCode, 2);
    assert.match(missing.summary, /candidate .*nope\.json does not exist/);
    const usage = await execa(process.execPath, [SCRIPT, 'deploy'], { reject: false });
    assert.equal(usage.exitCode, 2);
    assert.match(usage.stderr, /usage: node scripts\/action\/bench-gate\.mjs <install\|run> \(got "deploy"\)/);
  });

  it('with no candidate it runs the real `llm-speed bench` (the same command the action runs), and the next run gates against it', async () => {
    // --quick W1 on the embedded engine and the synthetic model: real tokens, seconds on an idle machine.
    const first = await gate('run', { workloads: 'W1', 'bench-args': '--quick' });
    assert.equal(first.exitCode, 0, first.stderr);
    const runFile = first.outputs['run-file']!;
    assert.ok(existsSync(runFile), runFile);
    const run = JSON.parse(readFileSync(runFile, 'utf8'));
    assert.deepEqual(check('run', run), []);
    assert.ok(run.results[0].decode_tps > 0, 'real tokens');
    assert.equal(first.outputs.gate, 'none');
    assert.match(first.summary, /Measured here: `llm-speed bench --no-upload --json \S+candidate\.json --workload W1 --quick`/);
    assert.match(first.summary, /No baseline given/);
    assert.match(first.summary, /```text\n[\s\S]*chat-short[\s\S]*```/, 'the results table in the summary');
    // Against it: both quick W1 of one shape, so the gate judges them; decode cannot fall 99 %.
    const second = await gate('run', { workloads: 'W1', 'bench-args': '--quick', baseline: runFile, threshold: '99', metrics: 'decode_tps' });
    assert.equal(second.exitCode, 0, second.stderr + second.summary);
    assert.equal(second.outputs.gate, 'passed');
    assert.match(second.summary, /\| chat-short \| standing \| baseline, 1 rep(, [a-z-]+)* \| same group, 1 rep/);
    assert.notEqual(second.outputs['run-file'], runFile);
  });

  it('install: "path" checks the llm-speed on PATH; "source" builds the action\'s checkout (npm ci, npm run build) and puts a shim on PATH', async () => {
    assert.equal((await gate('install', { cli: 'path' })).exitCode, 0);
    const bad = await gate('install', { cli: 'brew' });
    assert.equal(bad.exitCode, 2);
    assert.match(bad.stderr, /cli must be source, npm or path; got "brew"/);
    // A stand-in npm records what it is asked; the build it stands for is the one this test runs in.
    const fake = mkdtempSync(join(tmpdir(), 'llm-speed-gate-npm-'));
    try {
      writeFileSync(join(fake, 'npm'), `#!/bin/sh\necho "$PWD $*" >> "${join(fake, 'npm.log')}"\n`);
      chmodSync(join(fake, 'npm'), 0o755);
      const source = await gate('install', { cli: 'source' }, { PATH: `${fake}:/usr/bin:/bin`, GITHUB_ACTION_PATH: REPO });
      assert.equal(source.exitCode, 0, source.stderr);
      assert.deepEqual(readFileSync(join(fake, 'npm.log'), 'utf8').trim().split('\n'), [`${REPO.replace(/\/$/, '')} ci --no-audit --no-fund`, `${REPO.replace(/\/$/, '')} run build`]);
      const bin = source.path.trim();
      assert.equal(bin, join(source.dir, 'llm-speed-bin'));
      const version = await execa(join(bin, 'llm-speed'), ['--version'], { reject: false, env: { ...box.env, PATH: '/usr/bin:/bin' }, extendEnv: false });
      assert.equal(version.exitCode, 0, version.stderr);
      assert.match(version.stdout, /^llm-speed\/\d+\.\d+\.\d+/);
      const npm = await gate('install', { cli: 'npm', 'cli-version': '0.1.0' }, { PATH: `${fake}:/usr/bin:/bin` });
      assert.equal(npm.exitCode, 0);
      assert.match(readFileSync(join(fake, 'npm.log'), 'utf8'), /install --global --no-audit --no-fund llm-speed@0\.1\.0$/m);
    } finally {
      rmSync(fake, { recursive: true, force: true });
    }
  });
});
