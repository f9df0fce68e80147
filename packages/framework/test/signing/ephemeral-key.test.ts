/**
 * --strict-anon's key (PRIVACY §3) lives in memory only. ephemeralKeyPair runs in a child process
 * whose HOME, XDG folders, llm-speed config and cache folders, TMPDIR and working directory all
 * point into one empty temp folder it could write to; afterwards that folder must still be empty.
 */
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, readdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { execa } from 'execa';

const KEYS = fileURLToPath(new URL('../../src/signing/keys.ts', import.meta.url));
/** tsx by absolute URL (the child's working directory is the empty sandbox); its transform cache off, so it writes nothing either. */
const TSX = import.meta.resolve('tsx');

function filesUnder(dir: string): string[] {
  const out: string[] = [];
  for (const entry of readdirSync(dir)) {
    const path = join(dir, entry);
    if (statSync(path).isDirectory()) out.push(...filesUnder(path));
    else out.push(path);
  }
  return out;
}

describe('ephemeralKeyPair writes nothing anywhere', () => {
  let root: string;
  before(() => {
    root = mkdtempSync(join(tmpdir(), 'llm-speed-ephemeral-'));
  });
  after(() => rmSync(root, { recursive: true, force: true }));

  it('leaves HOME, the XDG and llm-speed folders, TMPDIR and the working directory empty', async () => {
    const sandbox = join(root, 'sandbox');
    const folders = ['home', 'home/.config', 'xdg-config', 'xdg-data', 'xdg-cache', 'config', 'cache', 'data', 'tmp', 'cwd'];
    for (const f of folders) mkdirSync(join(sandbox, f), { recursive: true });
    const script = join(root, 'ephemeral.mts');
    writeFileSync(script, `import { ephemeralKeyPair } from ${JSON.stringify(KEYS)};\nconst k = await ephemeralKeyPair();\nprocess.stdout.write(String(k.publicKey.length + k.secretKey.length));\n`);
    const result = await execa('node', ['--conditions=development', `--import=${TSX}`, script], {
      cwd: join(sandbox, 'cwd'),
      env: {
        HOME: join(sandbox, 'home'),
        XDG_CONFIG_HOME: join(sandbox, 'xdg-config'),
        XDG_DATA_HOME: join(sandbox, 'xdg-data'),
        XDG_CACHE_HOME: join(sandbox, 'xdg-cache'),
        LLM_SPEED_CONFIG_DIR: join(sandbox, 'config'),
        LLM_SPEED_CACHE_DIR: join(sandbox, 'cache'),
        LLM_SPEED_DATA_DIR: join(sandbox, 'data'),
        TMPDIR: join(sandbox, 'tmp'),
        TSX_DISABLE_CACHE: '1',
      },
      extendEnv: true,
      reject: false,
    });
    assert.equal(result.exitCode, 0, result.stderr);
    assert.equal(result.stdout, '64', 'a 32-byte public and a 32-byte secret key were made');
    assert.deepEqual(filesUnder(sandbox), [], 'ephemeralKeyPair wrote a file');
  });
});
