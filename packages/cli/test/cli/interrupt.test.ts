/**
 * The CLI's signal handling (cli/interrupt.ts) with a real Python runner process: a Node process
 * that holds a runner gets SIGTERM, SIGINT or SIGHUP, and the runner must not outlive it, even
 * when nothing closes the runner (a driver that forgets) and even when the runner ignores SIGTERM.
 * The llama-server side runs end to end in signals.e2e.test.ts.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { execa } from 'execa';

const SRC = fileURLToPath(new URL('../../src/', import.meta.url));
const FRAMEWORK_SRC = fileURLToPath(new URL('../../../framework/src/', import.meta.url));

/** A runner that says ready with its pid and then waits forever, optionally deaf to SIGTERM. */
const IDLE_RUNNER = `
import json, os, signal, sys, time
if "--deaf" in sys.argv:
    signal.signal(signal.SIGTERM, signal.SIG_IGN)
sys.stdout.write(json.dumps({"event": "ready", "pid": os.getpid()}) + "\\n"); sys.stdout.flush()
while True:
    time.sleep(1)
`;

/** The holder: like a command, it aborts on the first signal; it never closes the runner itself. */
const HOLDER = (runner: string, deaf: boolean) => `
import { handleInterrupts } from ${JSON.stringify(join(SRC, 'cli/interrupt.ts'))};
import { startPythonRunner } from ${JSON.stringify(join(FRAMEWORK_SRC, 'protocol/python-runner.ts'))};
const abort = new AbortController();
const interrupts = handleInterrupts({ log: (l) => process.stderr.write(l + '\\n'), onInterrupt: () => abort.abort() });
const runner = await startPythonRunner({ driver: 'test', python: 'python3', script: ${JSON.stringify(runner)}, args: ${deaf ? "['--deaf']" : '[]'} });
process.stdout.write(JSON.stringify({ pid: runner.ready.pid }) + '\\n');
await new Promise((resolve) => abort.signal.addEventListener('abort', resolve));
interrupts.dispose();
`;

function running(pid: number): boolean {
  try {
    process.kill(pid, 0);
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    return stat.slice(stat.lastIndexOf(')') + 2)[0] !== 'Z';
  } catch {
    return false;
  }
}

describe('interrupts: exit codes and no orphaned Python runner', function () {
  this.timeout(60_000);
  let dir: string;
  before(() => {
    dir = mkdtempSync(join(tmpdir(), 'llm-speed-interrupt-'));
    writeFileSync(join(dir, 'runner.py'), IDLE_RUNNER);
  });
  after(() => rmSync(dir, { recursive: true, force: true }));

  for (const [signal, code, deaf] of [
    ['SIGTERM', 143, false],
    ['SIGINT', 130, false],
    ['SIGHUP', 129, false],
    ['SIGTERM', 143, true],
  ] as const) {
    it(`${signal}${deaf ? ' (runner ignores SIGTERM)' : ''}: exits ${code} and the runner ends with it`, async () => {
      const holder = join(dir, `holder-${signal}-${deaf}.mts`);
      writeFileSync(holder, HOLDER(join(dir, 'runner.py'), deaf));
      const child = execa('node', ['--conditions=development', '--import=tsx', holder], { reject: false, timeout: 30_000 });
      const pid = await new Promise<number>((resolve, reject) => {
        let out = '';
        child.stdout!.on('data', (chunk: Buffer) => {
          out += chunk.toString();
          const line = /\{"pid":(\d+)\}/.exec(out);
          if (line) resolve(Number(line[1]));
        });
        child.catch(reject);
        void child.then((r) => reject(new Error(`holder ended early: ${r.stderr}`)));
      });
      assert.ok(running(pid));
      child.kill(signal);
      const result = await child;
      assert.equal(result.exitCode, code, result.stderr);
      for (let i = 0; i < 50 && running(pid); i++) await new Promise((r) => setTimeout(r, 100));
      assert.equal(running(pid), false, `python runner ${pid} survived`);
    });
  }
});
