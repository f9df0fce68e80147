#!/usr/bin/env node
/**
 * The GitHub Action's logic (action.yml at the repository root), kept here so that it can be run
 * and tested as a script: the same commands the action runs, run locally with the same inputs.
 *
 *   node scripts/action/bench-gate.mjs install   put `llm-speed` on PATH (INPUT_CLI: source | npm | path)
 *   node scripts/action/bench-gate.mjs run       bench (or take INPUT_CANDIDATE), compare with
 *                                                INPUT_BASELINE, write the Markdown summary, exit
 *                                                with the gate's code
 *
 * Inputs come as environment variables, named as GitHub names an action's inputs (INPUT_<NAME>,
 * upper case, "-" kept as "_"): WORKLOADS, REPS, BACKEND, MODEL, BENCH_ARGS (one argument a line),
 * CANDIDATE, BASELINE (a run file, a run id r_… or a permalink), API_URL, THRESHOLD, METRICS,
 * OUTPUT_DIR, CLI, CLI_VERSION. Where GitHub is not around, the summary goes to stdout and the
 * outputs are skipped: GITHUB_STEP_SUMMARY, GITHUB_OUTPUT and GITHUB_PATH are only appended to.
 *
 * Exit codes are `llm-speed compare --fail-on-regression`'s (0 no regression, 1 a regression
 * beyond the noise, 2 a usage error such as a bad threshold, 3 a workload that could not be
 * judged); a failed bench exits with bench's own code; a bad input to this script exits 2.
 *
 * Node built-ins only: in `npm` and `path` modes nothing is installed next to this file.
 */
import { spawn } from 'node:child_process';
import { appendFileSync, chmodSync, existsSync, mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

/** The repository this script belongs to: what `source` mode builds. */
const ACTION_ROOT = process.env.GITHUB_ACTION_PATH || resolve(dirname(fileURLToPath(import.meta.url)), '..', '..');

const input = (name, fallback = '') => {
  const value = process.env[`INPUT_${name.toUpperCase().replace(/ /g, '_')}`];
  return value === undefined || value.trim() === '' ? fallback : value.trim();
};

class InputError extends Error {}

/** Runs a command with stdout shown and captured; stderr shown (and captured when asked). */
function exec(command, args, options = {}) {
  return new Promise((resolvePromise, reject) => {
    const child = spawn(command, args, { cwd: options.cwd, env: process.env, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk) => {
      stdout += chunk;
      if (options.echo !== false) process.stdout.write(chunk);
    });
    child.stderr.on('data', (chunk) => {
      stderr += chunk;
      process.stderr.write(chunk);
    });
    child.on('error', (error) => reject(new InputError(`cannot run ${command}: ${error.message}${command === 'llm-speed' ? " (is it on PATH? the action's install step puts it there)" : ''}`)));
    child.on('close', (code, signal) => resolvePromise({ code: code ?? (signal ? 128 : 1), stdout, stderr }));
  });
}

function summary(markdown) {
  if (process.env.GITHUB_STEP_SUMMARY) appendFileSync(process.env.GITHUB_STEP_SUMMARY, markdown.endsWith('\n') ? markdown : markdown + '\n');
  else process.stdout.write(`\n--- summary ---\n${markdown}\n`);
}

function output(name, value) {
  if (process.env.GITHUB_OUTPUT) appendFileSync(process.env.GITHUB_OUTPUT, `${name}=${String(value).replace(/\r?\n/g, ' ')}\n`);
}

const fence = (text) => `\`\`\`text\n${text.replace(/```/g, "'''").trimEnd()}\n\`\`\``;

/** The bench command line the inputs ask for; every value is its own argument, never a shell string. */
export function benchArgs(file) {
  const args = ['bench', '--no-upload', '--json', file];
  const workloads = input('workloads');
  if (workloads) args.push('--workload', workloads.replace(/\s+/g, ''));
  const reps = input('reps');
  if (reps) {
    if (!/^[1-9][0-9]*$/.test(reps)) throw new InputError(`reps must be a whole number of repetitions (1 or more); got "${reps}"`);
    args.push('--reps', reps);
  }
  if (input('backend')) args.push('--backend', input('backend'));
  if (input('model')) args.push('--model', input('model'));
  // One argument a line: a value with spaces or quotes needs no shell quoting.
  for (const line of input('bench_args').split(/\r?\n/)) if (line.trim() !== '') args.push(line.trim());
  return args;
}

export function compareArgs(baseline, candidate) {
  const args = ['compare', baseline, candidate, '--markdown', '--fail-on-regression', input('threshold', '5')];
  for (const metric of input('metrics')
    .split(/[\s,]+/)
    .filter(Boolean))
    args.push('--metric', metric);
  if (input('api_url')) args.push('--api-url', input('api_url'));
  return args;
}

const GATE = { 0: 'passed', 1: 'regression', 3: 'unjudged' };

async function run() {
  const dir = input('output_dir') ? resolve(input('output_dir')) : mkdtempSync(join(process.env.RUNNER_TEMP || tmpdir(), 'llm-speed-gate-'));
  mkdirSync(dir, { recursive: true });
  let candidate = input('candidate');
  /** What ran: a line, and the results table folded away under the comparison. */
  let measured;
  if (candidate) {
    if (!existsSync(candidate)) throw new InputError(`candidate ${candidate} does not exist: give a run file saved by \`llm-speed bench --json\`, or leave it empty to run bench here`);
    measured = [`Candidate: \`${candidate}\` (given, not measured here).`];
  } else {
    candidate = join(dir, 'candidate.json');
    const args = benchArgs(candidate);
    console.error(`bench-gate: llm-speed ${args.join(' ')}`);
    const bench = await exec('llm-speed', args);
    if (bench.code !== 0 || !existsSync(candidate)) {
      const tail = `${bench.stdout}\n${bench.stderr}`.trim().split('\n').slice(-40).join('\n');
      summary(['## llm-speed benchmark', '', `❌ **\`llm-speed bench\` failed (exit ${bench.code})**`, '', fence(tail), ''].join('\n'));
      output('gate', 'error');
      output('exit-code', bench.code || 1);
      return bench.code || 1;
    }
    measured = [`Measured here: \`llm-speed ${args.join(' ')}\``, '', '<details><summary>Results table</summary>', '', fence(bench.stdout), '', '</details>', ''];
  }
  output('run-file', candidate);
  const baseline = input('baseline');
  if (!baseline) {
    summary(['## llm-speed benchmark', '', ...measured, '', 'No baseline given: nothing to compare with. Keep this run (the `run-file` output) and pass it as `baseline` next time.', ''].join('\n'));
    output('gate', 'none');
    output('exit-code', 0);
    return 0;
  }
  const args = compareArgs(baseline, candidate);
  console.error(`bench-gate: llm-speed ${args.join(' ')}`);
  const compared = await exec('llm-speed', args);
  const gate = compared.stdout.trim() !== '' ? GATE[compared.code] : undefined;
  // The verdict and its table first; what ran under it.
  if (gate) summary([compared.stdout.trimEnd(), '', ...measured].join('\n'));
  else {
    const failed = `❌ **\`llm-speed compare\` failed (exit ${compared.code})** against baseline \`${baseline}\``;
    summary(['## llm-speed benchmark', '', failed, '', fence(compared.stderr || compared.stdout), '', ...measured].join('\n'));
  }
  output('gate', gate ?? 'error');
  output('exit-code', compared.code);
  return compared.code;
}

async function install() {
  const mode = input('cli', 'source');
  if (mode === 'path') {
    const found = await exec('llm-speed', ['--version']);
    if (found.code !== 0) throw new InputError('cli: path, but `llm-speed --version` failed: install llm-speed before this action, or use cli: source or npm');
    return 0;
  }
  if (mode === 'npm') {
    const version = input('cli_version', 'latest');
    const npm = await exec('npm', ['install', '--global', '--no-audit', '--no-fund', `llm-speed@${version}`]);
    return npm.code;
  }
  if (mode !== 'source') throw new InputError(`cli must be source, npm or path; got "${mode}"`);
  // The action's own checkout, at the ref the workflow pinned: built as README says (npm ci, npm run build).
  for (const args of [
    ['ci', '--no-audit', '--no-fund'],
    ['run', 'build'],
  ]) {
    const step = await exec('npm', args, { cwd: ACTION_ROOT });
    if (step.code !== 0) return step.code;
  }
  const bin = join(process.env.RUNNER_TEMP || tmpdir(), 'llm-speed-bin');
  mkdirSync(bin, { recursive: true });
  const shim = join(bin, 'llm-speed');
  writeFileSync(shim, `#!/bin/sh\nexec node "${join(ACTION_ROOT, 'packages', 'cli', 'bin', 'run.js')}" "$@"\n`);
  chmodSync(shim, 0o755);
  if (process.env.GITHUB_PATH) appendFileSync(process.env.GITHUB_PATH, `${bin}\n`);
  else console.error(`bench-gate: llm-speed is ${shim}; add ${bin} to PATH`);
  return 0;
}

const commands = { run, install };
const command = process.argv[2];
if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  if (!Object.hasOwn(commands, command)) {
    console.error(`usage: node scripts/action/bench-gate.mjs <install|run> (got ${command === undefined ? 'nothing' : `"${command}"`})`);
    process.exit(2);
  }
  commands[command]().then(
    (code) => process.exit(code),
    (error) => {
      console.error(`bench-gate: ${error.message}`);
      if (error instanceof InputError) summary(`## llm-speed benchmark\n\n❌ **${error.message}**\n`);
      process.exit(error instanceof InputError ? 2 : 1);
    },
  );
}
