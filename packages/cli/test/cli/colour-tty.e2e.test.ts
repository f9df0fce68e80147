/**
 * Colour where it belongs (issue 27, row 14): the real CLI under a pseudo-terminal (util-linux
 * `script`, which gives the command a pty for stdin/stdout/stderr), without NO_COLOR, paints
 * `compare`'s better/worse cells; the same command piped, or with NO_COLOR set (no-color.org: any
 * non-empty value), prints no escape sequence at all. Every other CLI test runs with NO_COLOR=1 and
 * piped output, so these are the only runs that see what a user's terminal sees.
 */
import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { execa } from 'execa';
import { sampleResult, sampleRun } from '@llm-speed/framework/testing';
import { BIN, sandbox, type Sandbox } from '../helpers/cli.js';

const ESC = '\x1b[';
const quote = (s: string) => `'${s.replace(/'/g, `'\\''`)}'`;

describe('compare: colour on a terminal only (e2e, real CLI under a pty)', function () {
  this.timeout(120_000);
  let box: Sandbox;
  let args: string[];
  /** The sandbox's environment without NO_COLOR, and nothing inherited from the test process. */
  let env: Record<string, string>;
  before(() => {
    box = sandbox();
    writeFileSync(join(box.root, 'base.json'), JSON.stringify(sampleRun([sampleResult({ decode_tps: 100 })])));
    writeFileSync(join(box.root, 'slower.json'), JSON.stringify(sampleRun([sampleResult({ decode_tps: 90 })])));
    args = ['compare', join(box.root, 'base.json'), join(box.root, 'slower.json')];
    const { NO_COLOR: _dropped, ...rest } = box.env;
    env = { ...rest, PATH: process.env.PATH ?? '/usr/bin:/bin', TERM: 'xterm-256color', HOME: box.root };
  });
  after(() => box.cleanup());

  const underPty = (extra: Record<string, string> = {}) =>
    execa('script', ['-qfec', [process.execPath, BIN, ...args].map(quote).join(' '), '/dev/null'], { env: { ...env, ...extra }, extendEnv: false, reject: false, cwd: box.root, stdin: 'ignore' });

  it('on a terminal without NO_COLOR: the worse decode cell is red (SGR 31), reset after it', async () => {
    const run = await underPty();
    assert.equal(run.exitCode, 0, String(run.stdout));
    const out = String(run.stdout);
    // 90 vs 100 tok/s, single measurements: −10.0 %, a rate lower: worse, painted red.
    const line = out.split(/\r?\n/).find((l) => /decode_tps|decode tok\/s/.test(l) && l.includes('chat-short'));
    assert.ok(line, out);
    assert.match(line, /\x1b\[31m[^\x1b]*−10\.0[^\x1b]*\x1b\[0m/, JSON.stringify(line));
  });

  it('piped without NO_COLOR, and on a terminal with NO_COLOR=1: not one escape sequence', async () => {
    const piped = await execa(process.execPath, [BIN, ...args], { env, extendEnv: false, reject: false, cwd: box.root });
    assert.equal(piped.exitCode, 0, String(piped.stderr));
    assert.match(String(piped.stdout), /−10\.0/);
    assert.ok(!String(piped.stdout).includes(ESC), JSON.stringify(String(piped.stdout)));
    const noColour = await underPty({ NO_COLOR: '1' });
    assert.match(String(noColour.stdout), /−10\.0/);
    assert.ok(!String(noColour.stdout).includes(ESC), JSON.stringify(String(noColour.stdout)));
  });
});
