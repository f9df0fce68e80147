/**
 * A --llama-cpp-path that holds no llama-server is the user's mistake to hear about: running the
 * embedded engine instead would publish numbers of another engine than the one asked for.
 */
import assert from 'node:assert/strict';
import { chmodSync, mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { llamaCppDriver } from '../../src/driver.js';
import { lookupLlamaServer } from '../../src/detect.js';
import { llamaBinDir, makeContext, modelCacheDir, tempDir, tinyModel } from './helpers.js';

describe('llama.cpp driver: a configured llama-server path without one', function () {
  this.timeout(120_000);
  let dir: ReturnType<typeof tempDir>;
  let model: string;
  before(async () => {
    model = await tinyModel();
  });
  beforeEach(() => {
    dir = tempDir();
  });
  afterEach(() => dir.remove());

  const layouts: Record<string, (root: string) => string> = {
    'an empty folder': (root) => root,
    'a path that does not exist': (root) => join(root, 'nowhere'),
    'a file that is not executable': (root) => {
      writeFileSync(join(root, 'llama-server'), '#!/bin/sh\n');
      return join(root, 'llama-server');
    },
    'a folder whose bin/llama-server is not executable': (root) => {
      mkdirSync(join(root, 'bin'));
      writeFileSync(join(root, 'bin', 'llama-server'), '#!/bin/sh\n');
      return root;
    },
  };

  for (const [what, layout] of Object.entries(layouts)) {
    it(`detect() and open() refuse ${what}, never falling back to the embedded engine`, async () => {
      const configured = layout(dir.path);
      const lines: string[] = [];
      const ctx = { ...makeContext({ llama_cpp_path: configured }), log: (line: string) => lines.push(line) };
      const detection = await llamaCppDriver.detect(ctx);
      assert.equal(detection.available, false, JSON.stringify(detection));
      assert.ok(detection.reason?.includes(configured), detection.reason);
      assert.match(detection.reason ?? '', /--llama-cpp-path/);
      assert.doesNotMatch(detection.reason ?? '', /\n/);
      await assert.rejects(llamaCppDriver.open(model, { contextTokens: 256, parallel: 1 }, ctx), (error: Error) => {
        assert.equal(error.name, 'DriverError');
        assert.ok(error.message.includes(configured), error.message);
        assert.match(error.message, /--llama-cpp-path/);
        return true;
      });
      assert.deepEqual(
        lines.filter((l) => /embedded/.test(l)),
        [],
      );
    });
  }

  it('names LLM_SPEED_LLAMA_CPP_PATH when the path came from the environment', async () => {
    const ctx = { config: {}, cacheDir: modelCacheDir, env: { PATH: '', LLM_SPEED_LLAMA_CPP_PATH: dir.path }, signal: new AbortController().signal, log: () => undefined };
    const detection = await llamaCppDriver.detect(ctx);
    assert.equal(detection.available, false);
    assert.match(detection.reason ?? '', /LLM_SPEED_LLAMA_CPP_PATH/);
    assert.ok(detection.reason?.includes(dir.path), detection.reason);
  });

  it('accepts the folder of a real build, its bin/ parent and the binary itself', () => {
    const bin = llamaBinDir();
    for (const configured of [bin, join(bin, '..'), join(bin, 'llama-server')]) {
      assert.deepEqual(lookupLlamaServer(makeContext({ llama_cpp_path: configured })), { binary: join(bin, 'llama-server') }, configured);
    }
  });

  it('a non-executable llama-server on PATH is skipped, not taken', () => {
    writeFileSync(join(dir.path, 'llama-server'), '#!/bin/sh\n');
    const ctx = { config: {}, cacheDir: dir.path, env: { PATH: dir.path }, signal: new AbortController().signal, log: () => undefined };
    assert.deepEqual(lookupLlamaServer(ctx), { binary: undefined });
    chmodSync(join(dir.path, 'llama-server'), 0o755);
    assert.deepEqual(lookupLlamaServer(ctx), { binary: join(dir.path, 'llama-server') });
  });
});
