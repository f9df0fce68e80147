/**
 * Ctrl-C under `npx` (issue 26 item 11), with the real CLI and a real llama-server. npx is
 * `npm exec`: npm starts the package's bin through `sh -c`, so three processes share the terminal's
 * process group — npm, sh, node. A terminal's Ctrl-C sends SIGINT to the whole group; npm then
 * waits for its child and re-raises the signal on itself, and sh passes nothing on. So llm-speed
 * hears exactly one SIGINT, stops the backend, saves the partial run, exits 130, and the shell
 * sees 130 from npm (killed by SIGINT). This test does what the terminal does (SIGINT to the group)
 * and checks all of that; the package is installed into a temp project as `npx` finds it there
 * (node_modules/.bin/llm-speed → this checkout's CLI), the same process tree as npx from the registry.
 *
 * Measured with npm 10.9.9 and 11.19.1 (README "Exit codes"): SIGINT sent to npm's pid alone (a
 * supervisor that signals one process) never reaches llm-speed — npm forwards it to sh, which does
 * not pass it on — and the run goes on; signal the process group instead.
 */
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, readFileSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { execa } from 'execa';
import { sandbox, type Sandbox } from '../helpers/cli.js';

const BUILD_SCRIPT = fileURLToPath(new URL('../../../../scripts/build-llama-server.sh', import.meta.url));
const CLI_DIR = fileURLToPath(new URL('../../', import.meta.url));

/** Processes whose process group is `pgid`, from /proc (Linux). */
function group(pgid: number): number[] {
  const out: number[] = [];
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const stat = readFileSync(`/proc/${entry}/stat`, 'utf8');
      if (Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[2]) === pgid) out.push(Number(entry));
    } catch {
      // gone meanwhile
    }
  }
  return out;
}

describe('llm-speed bench under npx: Ctrl-C (SIGINT to the process group) saves the run and exits 130 (e2e)', function () {
  this.timeout(10 * 60_000);
  let box: Sandbox;
  before(function () {
    if (process.platform !== 'linux') this.skip();
    box = sandbox();
  });
  after(() => box?.cleanup());

  it('npm waits for llm-speed, which saves the interrupted run; npm ends by SIGINT, so the shell sees 130', async () => {
    const bin = (await execa('bash', [BUILD_SCRIPT], { timeout: 30 * 60_000 })).stdout.trim().split('\n').pop()!;
    // A project with llm-speed installed, as `npx llm-speed` finds it.
    const project = join(box.root, 'project');
    mkdirSync(join(project, 'node_modules', '.bin'), { recursive: true });
    writeFileSync(join(project, 'package.json'), JSON.stringify({ name: 'npx-user', version: '1.0.0', private: true }));
    symlinkSync(CLI_DIR, join(project, 'node_modules', 'llm-speed'));
    symlinkSync('../llm-speed/bin/run.js', join(project, 'node_modules', '.bin', 'llm-speed'));

    // detached: a process group of its own, led by npm, as a terminal's foreground job is.
    const npx = spawn('npx', ['llm-speed', 'bench', '--suite', 'suite-v1', '--workload', 'W2', '--no-upload', '--llama-cpp-path', bin], {
      cwd: project,
      env: { ...process.env, ...box.env },
      detached: true,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stderr = '';
    npx.stderr.on('data', (d) => (stderr += d));
    npx.stdout.on('data', () => undefined);
    const ended = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) => npx.on('exit', (code, signal) => resolve({ code, signal })));

    // Mid-measurement: W2's 1,024 tokens take seconds on the tiny model.
    const deadline = Date.now() + 5 * 60_000;
    while (!/running W2/.test(stderr) && Date.now() < deadline) await new Promise((r) => setTimeout(r, 100));
    assert.match(stderr, /running W2/, stderr);
    await new Promise((r) => setTimeout(r, 500));
    const before = group(npx.pid!);
    assert.ok(before.length >= 3, `npm, sh and node share the group (saw ${before.length})`);
    process.kill(-npx.pid!, 'SIGINT');

    const exit = await ended;
    assert.ok(exit.signal === 'SIGINT' || exit.code === 130, `npm ended by SIGINT or with 130: ${JSON.stringify(exit)}`);
    // npm ended only after llm-speed had saved the run and ended: nothing of the group is left, llama-server included.
    await new Promise((r) => setTimeout(r, 300));
    assert.deepEqual(group(npx.pid!), [], 'no process of the group outlived npm');
    assert.equal((stderr.match(/interrupted \(SIGINT\)/g) ?? []).length, 1, 'llm-speed heard one SIGINT, not a second one from npm');
    const saved = /saved: (\S+\.json)/.exec(stderr)?.[1];
    assert.ok(saved && existsSync(saved), `the partial run was saved: ${stderr}`);
    const run = JSON.parse(readFileSync(saved, 'utf8'));
    assert.ok(run.results[0].flags.includes('interrupted'), 'the saved run says it was interrupted');
  });
});
