/**
 * One Ctrl-C delivered twice is one Ctrl-C (cli/interrupt.ts, DUPLICATE_SIGNAL_MS): a parent that
 * forwards the terminal's SIGINT to its child makes the same keypress arrive twice within
 * milliseconds, and it must not be taken for "Ctrl-C again to quit now", which skips saving the
 * run. A second SIGINT well after the first still quits at once.
 */
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { execa } from 'execa';
import { DUPLICATE_SIGNAL_MS } from '../../src/cli/interrupt.js';

const SRC = fileURLToPath(new URL('../../src/', import.meta.url));

/** Like bench: on the first signal it takes 1.5 s to "save", then prints `saved` and disposes (exit 130). */
const SAVER = `
import { handleInterrupts } from ${JSON.stringify(join(SRC, 'cli/interrupt.ts'))};
const interrupts = handleInterrupts({
  log: (l) => process.stderr.write(l + '\\n'),
  onInterrupt: () => setTimeout(() => { process.stdout.write('saved\\n'); interrupts.dispose(); }, 1500),
});
process.stdout.write('ready\\n');
setInterval(() => {}, 1000);
`;

async function run(gapMs: number): Promise<{ exitCode?: number; stdout: string }> {
  const child = execa('node', ['--import', 'tsx', '--input-type=module', '-e', SAVER], { reject: false, env: { NODE_OPTIONS: '--conditions=development' } });
  await new Promise<void>((resolve) => child.stdout!.on('data', (d: Buffer) => String(d).includes('ready') && resolve()));
  child.kill('SIGINT');
  await new Promise((r) => setTimeout(r, gapMs));
  child.kill('SIGINT');
  const result = await child;
  return { exitCode: result.exitCode, stdout: String(result.stdout) };
}

describe('interrupts: one Ctrl-C delivered twice', function () {
  this.timeout(60_000);

  it(`the same SIGINT again within ${DUPLICATE_SIGNAL_MS} ms: the run is still saved, exit 130`, async () => {
    const r = await run(20);
    assert.equal(r.exitCode, 130);
    assert.match(r.stdout, /saved/, 'the first SIGINT was allowed to finish saving');
  });

  it('a second SIGINT later is the user asking to quit now: exit 130 at once, without saving', async () => {
    const r = await run(DUPLICATE_SIGNAL_MS + 400);
    assert.equal(r.exitCode, 130);
    assert.doesNotMatch(r.stdout, /saved/);
  });
});
