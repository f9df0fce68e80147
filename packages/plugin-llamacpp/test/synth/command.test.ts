import assert from 'node:assert/strict';
import { mkdtemp, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import ModelsSynth from '../../src/commands/models/synth.js';
import { sha256File } from '../../src/gguf/index.js';
import { sharedCacheDir } from './shared-cache.js';

const PLUGIN_ROOT = fileURLToPath(new URL('../../', import.meta.url));

describe('llm-speed models synth', function () {
  this.timeout(120_000);
  let dir: string;
  let savedCacheEnv: string | undefined;
  before(async () => {
    dir = await mkdtemp(join(tmpdir(), 'llm-speed-synth-cmd-'));
    savedCacheEnv = process.env.LLM_SPEED_CACHE_DIR;
    // The shared cache already holds the extracted vocabulary.
    process.env.LLM_SPEED_CACHE_DIR = sharedCacheDir();
  });
  after(async () => {
    if (savedCacheEnv === undefined) delete process.env.LLM_SPEED_CACHE_DIR;
    else process.env.LLM_SPEED_CACHE_DIR = savedCacheEnv;
    await rm(dir, { recursive: true, force: true });
  });

  async function runJson(argv: string[]): Promise<{ identifier: string; path: string; bytes: number; digest: string }> {
    const chunks: string[] = [];
    const write = process.stdout.write.bind(process.stdout);
    process.stdout.write = ((chunk: string | Uint8Array) => {
      chunks.push(String(chunk));
      return true;
    }) as typeof process.stdout.write;
    try {
      await ModelsSynth.run(argv, PLUGIN_ROOT);
    } finally {
      process.stdout.write = write;
    }
    return JSON.parse(chunks.join(''));
  }

  it('--size tiny twice gives byte-identical files and reports path, size and digest as JSON', async () => {
    const a = await runJson(['--size', 'tiny', '--quant', 'Q4_0', '--out', join(dir, 'one.gguf'), '--json']);
    const b = await runJson(['--size', 'tiny', '--quant', 'Q4_0', '--out', join(dir, 'two.gguf'), '--json']);
    assert.equal(a.identifier, 'llm-speed/synth-llama-tiny-Q4_0');
    assert.equal(a.path, join(dir, 'one.gguf'));
    assert.equal(a.bytes, (await stat(a.path)).size);
    assert.equal(a.digest, await sha256File(a.path));
    assert.equal(b.digest, a.digest);
  });

  it('rejects sizes and quants it cannot make', async () => {
    await assert.rejects(ModelsSynth.run(['--size', '70b', '--out', join(dir, 'x.gguf')], PLUGIN_ROOT), /70b/);
    await assert.rejects(ModelsSynth.run(['--size', 'tiny', '--quant', 'Q4_K_M', '--out', join(dir, 'x.gguf')], PLUGIN_ROOT), /Q4_K_M/);
  });
});
