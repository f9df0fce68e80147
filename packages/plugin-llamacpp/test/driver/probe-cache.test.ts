/**
 * llama-server's `--version` and `--list-devices` answers are kept per binary (path, size,
 * modification time): on an H200 each probe initialised CUDA, over a second, and `detect` paid it
 * on every command (issue 25). A stand-in llama-server (a shell script printing recorded output of
 * the formats llama.cpp common/arg.cpp and build-info print) counts how often it is run.
 */
import assert from 'node:assert/strict';
import { chmodSync, readFileSync, utimesSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { probeServer } from '../../src/detect.js';
import { tempDir } from './helpers.js';

const H200_DEVICES =
  'ggml_cuda_init: found 1 CUDA devices (Total VRAM: 143166 MiB):\n  Device 0: NVIDIA H200, compute capability 9.0, VMM: yes, VRAM: 143166 MiB\nAvailable devices:\n  CUDA0: NVIDIA H200 (143166 MiB, 142570 MiB free)\n';

function standIn(dir: string, devices: string): { binary: string; runs(): number } {
  const binary = join(dir, 'llama-server');
  const count = join(dir, 'runs');
  writeFileSync(count, '');
  writeFileSync(binary, `#!/bin/sh\necho "$1" >> '${count}'\nif [ "$1" = --version ]; then echo 'version: 0.5.0 (build 0, commit de3ff81)' >&2; else printf '%s' '${devices}'; fi\n`);
  chmodSync(binary, 0o755);
  return { binary, runs: () => readFileSync(count, 'utf8').split('\n').filter(Boolean).length };
}

describe('llama-server probes, cached per binary', () => {
  it('runs the binary once, answers from the cache after, and probes again when the binary changes', async () => {
    const dir = tempDir();
    try {
      const server = standIn(dir.path, H200_DEVICES);
      const cache = join(dir.path, 'cache');
      const first = await probeServer(server.binary, cache);
      assert.deepEqual(first, { version: { release: '0.5.0', commit: 'de3ff81', version: '0.5.0 (de3ff81)' }, build: { kind: 'cuda', devices: ['NVIDIA H200'] } });
      assert.equal(server.runs(), 2, '--version and --list-devices, once each');
      assert.deepEqual(await probeServer(server.binary, cache), first);
      assert.equal(server.runs(), 2, 'answered from the cache');
      // A rebuilt binary (new modification time) is probed again.
      const later = new Date(Date.now() + 5_000);
      utimesSync(server.binary, later, later);
      await probeServer(server.binary, cache);
      assert.equal(server.runs(), 4);
      // Without a cache folder the binary is always run.
      await probeServer(server.binary);
      assert.equal(server.runs(), 6);
    } finally {
      dir.remove();
    }
  });

  it('an answer that is not a device list is not kept: the next probe asks again', async () => {
    const dir = tempDir();
    try {
      const server = standIn(dir.path, 'error: unknown argument: --list-devices\n');
      const cache = join(dir.path, 'cache');
      assert.equal((await probeServer(server.binary, cache)).build, undefined);
      await probeServer(server.binary, cache);
      assert.equal(server.runs(), 4);
    } finally {
      dir.remove();
    }
  });
});
