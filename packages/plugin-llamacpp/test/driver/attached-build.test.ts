/**
 * What an attached llama-server runs on (issue 26.20): the same CPU binary was `cpu` when spawned
 * and `unknown` when attached, so its runs landed in two comparable groups. /props names no device
 * and a CPU server logs none; the binary serving the URL (procfs) or the one named with
 * --llama-cpp-path says what it can use.
 */
import assert from 'node:assert/strict';
import { mkdirSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { llamaCppDriver } from '../../src/driver.js';
import { listeningInodes, runsOnCpuOnly, servingProcess } from '../../src/server/listening-process.js';
import { spawnServer } from '../../src/server/spawn.js';
import { llamaBinDir, makeContext, tempDir, tinyModel } from './helpers.js';

// proc(5): /proc/net/tcp, one socket a line; addresses "HEXADDR:HEXPORT", state 0A = LISTEN, inode the 10th column.
const TCP = `  sl  local_address rem_address   st tx_queue rx_queue tr tm->when retrnsmt   uid  timeout inode
   0: 0100007F:1F90 00000000:0000 0A 00000000:00000000 00:00000000 00000000  1000        0 424242 1 0000000000000000 100 0 0 10 0
   1: 0100007F:1F90 0100007F:A1B2 01 00000000:00000000 00:00000000 00000000  1000        0 515151 1 0000000000000000 20 4 30 10 -1
   2: 00000000:0016 00000000:0000 0A 00000000:00000000 00:00000000 00000000     0        0 11111 1 0000000000000000 100 0 0 10 0
`;

describe('llama.cpp driver: what an attached server runs on', function () {
  this.timeout(300_000);

  it('finds the listening socket of a port in /proc/net/tcp (not an established connection to it)', () => {
    assert.deepEqual(listeningInodes(TCP, 8080), ['424242']);
    assert.deepEqual(listeningInodes(TCP, 22), ['11111']);
    assert.deepEqual(listeningInodes(TCP, 9999), []);
  });

  it('maps the socket to its process, binary and arguments in a recorded procfs tree', async () => {
    const proc = tempDir();
    try {
      mkdirSync(join(proc.path, 'net'));
      writeFileSync(join(proc.path, 'net', 'tcp'), TCP);
      mkdirSync(join(proc.path, '4242', 'fd'), { recursive: true });
      symlinkSync('socket:[424242]', join(proc.path, '4242', 'fd', '7'));
      symlinkSync('/opt/llama/bin/llama-server', join(proc.path, '4242', 'exe'));
      writeFileSync(join(proc.path, '4242', 'cmdline'), ['/opt/llama/bin/llama-server', '-m', 'x.gguf', '-ngl', '0', ''].join('\0'));
      mkdirSync(join(proc.path, '77', 'fd'), { recursive: true });
      symlinkSync('socket:[515151]', join(proc.path, '77', 'fd', '3'));
      assert.deepEqual(await servingProcess('http://127.0.0.1:8080', proc.path), { pid: 4242, exe: '/opt/llama/bin/llama-server', args: ['-m', 'x.gguf', '-ngl', '0'] });
      // Another machine's server is never looked for here.
      assert.equal(await servingProcess('http://10.0.0.5:8080', proc.path), undefined);
    } finally {
      proc.remove();
    }
  });

  it('reads a command line that keeps the model off the GPU (llama.cpp common/arg.cpp spellings)', () => {
    assert.equal(runsOnCpuOnly(['-m', 'x.gguf', '-ngl', '0']), true);
    assert.equal(runsOnCpuOnly(['--n-gpu-layers=0']), true);
    assert.equal(runsOnCpuOnly(['--gpu-layers', '0']), true);
    assert.equal(runsOnCpuOnly(['--device', 'none']), true);
    assert.equal(runsOnCpuOnly(['-ngl', '99']), false);
    assert.equal(runsOnCpuOnly(['-m', 'x.gguf']), false);
  });

  it('a real CPU llama-server attached says cpu and the same version as when spawned', async () => {
    const model = await tinyModel();
    const abort = new AbortController();
    const server = await spawnServer({ binary: join(llamaBinDir(), 'llama-server'), model, contextTokens: 1024, parallel: 1, signal: abort.signal });
    try {
      const spawned = await llamaCppDriver.detect(makeContext({ llama_cpp_path: llamaBinDir() }));
      // No --llama-cpp-path, no log: the process behind the URL is read.
      const attached = await llamaCppDriver.detect(makeContext({ llama_cpp_url: server.baseUrl }));
      assert.deepEqual(attached.build, { kind: 'cpu' });
      assert.deepEqual(attached.build, spawned.build);
      assert.equal(attached.version, spawned.version);
      const session = await llamaCppDriver.open(undefined, { contextTokens: 1024, parallel: 1 }, makeContext({ llama_cpp_url: server.baseUrl }));
      assert.deepEqual(session.backendBuild, { kind: 'cpu' });
      assert.equal(session.backendVersion, spawned.version);
      await session.close();
    } finally {
      await server.stop();
      abort.abort();
    }
  });
});
