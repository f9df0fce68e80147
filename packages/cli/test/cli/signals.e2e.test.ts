/**
 * No orphan processes (issue 12): a real `llm-speed bench` with a real spawned llama-server gets
 * SIGINT, SIGTERM or SIGHUP (sent to the CLI's pid only, as `kill` or a supervisor does, not to
 * the process group as a terminal's Ctrl-C would): the CLI must exit with 130, 143 or 129, no
 * llama-server may survive it, and the partial run must be saved locally.
 * The llama-server binary is the one scripts/build-llama-server.sh builds (npm test builds it first).
 */
import assert from 'node:assert/strict';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { execa } from 'execa';
import { check } from '@llm-speed/framework';
import { sandbox, type Sandbox } from '../helpers/cli.js';

const BUILD_SCRIPT = fileURLToPath(new URL('../../../../scripts/build-llama-server.sh', import.meta.url));

/** [pid, parent pid, command name, state] of every process, from /proc. */
function processes(): Array<{ pid: number; ppid: number; comm: string; state: string }> {
  const out = [];
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const stat = readFileSync(`/proc/${entry}/stat`, 'utf8');
      const close = stat.lastIndexOf(')');
      const comm = stat.slice(stat.indexOf('(') + 1, close);
      const [state, ppid] = stat.slice(close + 2).split(' ');
      out.push({ pid: Number(entry), ppid: Number(ppid), comm, state: state! });
    } catch {
      // the process ended while we read
    }
  }
  return out;
}

function descendants(root: number): Array<{ pid: number; comm: string }> {
  const all = processes();
  const found: Array<{ pid: number; comm: string }> = [];
  const queue = [root];
  while (queue.length > 0) {
    const parent = queue.shift()!;
    for (const p of all) {
      if (p.ppid !== parent) continue;
      found.push(p);
      queue.push(p.pid);
    }
  }
  return found;
}

/** Alive and not a zombie waiting to be reaped. */
function running(pid: number): boolean {
  try {
    process.kill(pid, 0);
  } catch {
    return false;
  }
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    return stat.slice(stat.lastIndexOf(')') + 2)[0] !== 'Z';
  } catch {
    return false;
  }
}

async function waitFor<T>(what: string, probe: () => T | undefined, timeoutMs: number): Promise<T> {
  const until = Date.now() + timeoutMs;
  for (;;) {
    const value = probe();
    if (value !== undefined) return value;
    if (Date.now() > until) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

describe('llm-speed bench: interrupted by a signal, leaves no backend process (e2e, real llama-server)', function () {
  this.timeout(10 * 60_000);
  let box: Sandbox;
  let bin: string;
  before(async () => {
    box = sandbox();
    const { stdout } = await execa('bash', [BUILD_SCRIPT], { timeout: 30 * 60_000 });
    bin = stdout.trim().split('\n').pop()!;
  });
  after(() => box.cleanup());

  for (const [signal, code] of [
    ['SIGTERM', 143],
    ['SIGINT', 130],
    ['SIGHUP', 129],
  ] as const) {
    it(`${signal}: exits ${code}, llama-server ends with it, and the partial run is saved`, async () => {
      const cli = execa('node', [join(fileURLToPath(new URL('../../bin/run.js', import.meta.url))), 'bench', '--suite', 'suite-v1-test', '--no-upload', '--llama-cpp-path', bin], {
        env: box.env,
        reject: false,
        cwd: box.root,
        timeout: 8 * 60_000,
        // execa follows its own kill('SIGTERM') with a SIGKILL after 5 s; on a loaded machine the
        // CLI's orderly stop (llama-server reaped, partial run saved) takes longer than that, and
        // the SIGKILL, not the CLI, would decide the exit code. The CLI's own 20 s grace is tested.
        forceKillAfterDelay: false,
      });
      let stderr = '';
      cli.stderr!.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
      // The serving process (with --port), not the short-lived `llama-server --version` of detection.
      const serving = (pid: number) => {
        try {
          return readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0').includes('--port');
        } catch {
          return false;
        }
      };
      // Every serving llama-server the CLI ever had (the driver restarts it between workloads
      // when slots or context change), watched until the CLI has exited.
      const seen = new Set<number>();
      let exited = false;
      const watch = (async () => {
        while (!exited) {
          for (const p of descendants(cli.pid!)) if (p.comm.startsWith('llama-server') && serving(p.pid)) seen.add(p.pid);
          await new Promise((r) => setTimeout(r, 50));
        }
      })();
      await waitFor('llama-server to be spawned', () => (seen.size > 0 ? true : undefined), 5 * 60_000);
      // Once the first workload has finished there is something to keep: then interrupt.
      await waitFor('the first workload to finish', () => (/✓ W1 chat-short/.test(stderr) ? true : undefined), 5 * 60_000);
      await waitFor('a serving llama-server', () => ([...seen].some(running) ? true : undefined), 60_000);
      cli.kill(signal);
      const result = await cli;
      exited = true;
      await watch;
      for (const pid of seen) {
        await waitFor(`llama-server ${pid} to end`, () => (running(pid) ? undefined : true), 10_000).catch(() => undefined);
        assert.equal(running(pid), false, `llama-server ${pid} survived the CLI`);
      }
      assert.equal(result.exitCode, code, `exit code after ${signal}\n${result.stderr}`);
      assert.match(String(result.stderr), new RegExp(`interrupted \\(${signal}\\)`));

      const saved = String(result.stderr).match(/saved: (\S+\.json)/)?.[1];
      assert.ok(saved && existsSync(saved), `the partial run is saved locally\n${result.stderr}`);
      const run = JSON.parse(readFileSync(saved, 'utf8'));
      assert.deepEqual(check('run', run), []);
      assert.equal(run.results[0].workload, 'chat-short');
      assert.equal(run.results[0].error, null, 'what finished before the signal is kept as measured');
      assert.ok(run.results[0].decode_tps > 0);
      assert.ok(
        run.results.some((r: { error: string | null }) => /interrupted/.test(r.error ?? '')),
        'the run says it was interrupted',
      );
    });
  }
});
