import assert from 'node:assert/strict';
import { chmodSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { cachedBuilds, findLlamaServer } from '../../src/detect.js';

describe("llama-server lookup: the project's own cached build", () => {
  let cache: string;
  beforeEach(() => {
    cache = mkdtempSync(join(tmpdir(), 'llm-speed-cached-build-'));
  });
  afterEach(() => rmSync(cache, { recursive: true, force: true }));

  const build = (name: string, complete: boolean) => {
    const bin = join(cache, 'llama.cpp', name, 'bin');
    mkdirSync(bin, { recursive: true });
    writeFileSync(join(bin, 'llama-server'), '#!/bin/sh\n');
    chmodSync(join(bin, 'llama-server'), 0o755);
    if (complete) writeFileSync(join(bin, '.complete'), '');
    return join(bin, 'llama-server');
  };
  const ctx = (env: NodeJS.ProcessEnv, config: Record<string, unknown> = {}) => ({ config, cacheDir: cache, env, signal: new AbortController().signal, log: () => {} });

  it('finds a complete build when nothing is on PATH, never an interrupted one', () => {
    build('aaa-nlc1', false);
    assert.equal(findLlamaServer(ctx({ PATH: '' })), undefined);
    const complete = build('bbb-nlc1', true);
    assert.deepEqual(cachedBuilds(cache), [complete]);
    assert.equal(findLlamaServer(ctx({ PATH: '' })), complete);
  });

  it('an explicit path wins over the cache', () => {
    build('bbb-nlc1', true);
    const mine = join(cache, 'mine');
    mkdirSync(mine);
    writeFileSync(join(mine, 'llama-server'), '');
    chmodSync(join(mine, 'llama-server'), 0o755);
    assert.equal(findLlamaServer(ctx({ PATH: '' }, { llama_cpp_path: mine })), join(mine, 'llama-server'));
  });
});
