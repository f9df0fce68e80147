/**
 * `llm-speed engine build-server --gpu cuda`: what can be checked on a machine without a GPU — the
 * missing-toolkit error, the cmake command lines, the cache key (beside, never replacing, the CPU
 * build of scripts/build-llama-server.sh), and that the driver prefers a cached GPU build. The
 * CUDA compile itself is not run here (it needs about 5 minutes on 16 cores; see the report).
 */
import assert from 'node:assert/strict';
import { mkdirSync, writeFileSync, chmodSync } from 'node:fs';
import { join } from 'node:path';
import { cachedBuilds } from '../../src/detect.js';
import { nodeLlamaCppRoot } from '../../src/embedded/session.js';
import { buildCudaServer, BuildServerError, cudaArchitectures, cudaBuildPlan, missingToolchain } from '../../src/engine/build-server.js';
import { llamaBinDir, tempDir } from './helpers.js';

describe('llm-speed engine build-server --gpu cuda', () => {
  it('names every missing tool and where it comes from, and the engine install that needs none', () => {
    const error = missingToolchain({ git: '/usr/bin/git', cxx: '/usr/bin/c++' });
    assert.ok(error instanceof BuildServerError);
    assert.equal(error.message, 'building llama-server with CUDA needs nvcc (the CUDA toolkit), cmake, not found on this machine');
    assert.match(error.suggestions[0]!, /CUDA toolkit .*apt-get install nvidia-cuda-toolkit.*CUDACXX/);
    assert.match(error.suggestions[1]!, /cmake/);
    assert.equal(error.suggestions.at(-1), 'or use the embedded engine on the GPU instead, with nothing to build: llm-speed engine install');
    assert.equal(missingToolchain({ git: 'g', cmake: 'c', cxx: 'x', nvcc: 'n', cublas: 'h' }), undefined);
    // This machine's toolkit: nvcc 13 and cudart without cuBLAS, on which cmake's configure fails (CUDA::cublas).
    const partial = missingToolchain({ git: 'g', cmake: 'c', cxx: 'x', nvcc: '/usr/local/bin/nvcc' });
    assert.equal(partial?.message, 'building llama-server with CUDA needs cuBLAS (cublas_v2.h: the CUDA toolkit here is partial), not found on this machine');
  });

  it('without the tools on PATH, the command fails with that error before anything is written', async () => {
    const cache = tempDir();
    try {
      await assert.rejects(
        buildCudaServer({ cacheDir: cache.path, nodeLlamaCppRoot: nodeLlamaCppRoot(), nodeLlamaCppVersion: '3.22.1', env: { PATH: '', CUDACXX: '' }, architectures: '90', log: () => undefined }),
        (error: unknown) => error instanceof BuildServerError && /needs .*cmake, a C\+\+ compiler, git, not found/.test(error.message),
      );
    } finally {
      cache.remove();
    }
  });

  it('plans a static CUDA Release build named like the CPU one, in its own cache folder', () => {
    const plan = cudaBuildPlan({
      cacheDir: '/c',
      commit: 'de3ff815ea7d559ee917f063901b8986f038abc6',
      tag: 'v0.5.0',
      nodeLlamaCppVersion: '3.22.1',
      source: '/w/src',
      work: '/w',
      nvcc: '/usr/local/cuda/bin/nvcc',
      architectures: '90',
      jobs: 16,
    });
    // The CPU build of scripts/build-llama-server.sh lives in .../de3ff815ea7d-nlc3.22.1-r3: untouched.
    assert.equal(plan.out, '/c/llama.cpp/de3ff815ea7d-nlc3.22.1-cuda-r1');
    assert.deepEqual(plan.configure.slice(0, 4), ['-S', '/w/src', '-B', '/w/build']);
    for (const flag of [
      '-DGGML_CUDA=ON',
      '-DCMAKE_CUDA_COMPILER=/usr/local/cuda/bin/nvcc',
      '-DCMAKE_CUDA_ARCHITECTURES=90',
      '-DBUILD_SHARED_LIBS=OFF',
      '-DLLAMA_BUILD_IS_DEV=OFF',
      '-DLLAMA_BUILD_NUMBER=0',
      '-DLLAMA_BUILD_COMMIT=de3ff81',
    ])
      assert.ok(plan.configure.includes(flag), flag);
    assert.deepEqual(plan.build, ['--build', '/w/build', '--config', 'Release', '-j', '16', '--target', 'llama-server', 'llama-bench']);
    const untagged = cudaBuildPlan({ cacheDir: '/c', commit: 'de3ff815ea7d', nodeLlamaCppVersion: '3.22.1', source: '/s', work: '/w', nvcc: 'nvcc', jobs: 2 });
    assert.ok(untagged.configure.includes('-DLLAMA_BUILD_IS_DEV=ON'));
    assert.ok(!untagged.configure.some((f) => f.startsWith('-DCMAKE_CUDA_ARCHITECTURES')), "no nvidia-smi answer: ggml's default list");
  });

  it("reads the GPUs' architectures from nvidia-smi --query-gpu=compute_cap", () => {
    assert.equal(cudaArchitectures('9.0\n9.0\n'), '90');
    assert.equal(cudaArchitectures('8.6\n8.9\n'), '86;89');
    assert.equal(cudaArchitectures(''), undefined);
  });

  it('a cached build is found at once, and the driver takes a cached GPU build before the CPU one', async () => {
    const cache = tempDir();
    try {
      const plan = cudaBuildPlan({ cacheDir: cache.path, commit: 'de3ff815ea7d559ee917f063901b8986f038abc6', nodeLlamaCppVersion: '3.22.1', source: '', work: '', nvcc: 'nvcc', jobs: 1 });
      for (const folder of [plan.out, join(cache.path, 'llama.cpp', 'de3ff815ea7d-nlc3.22.1-r3')]) {
        mkdirSync(join(folder, 'bin'), { recursive: true });
        writeFileSync(join(folder, 'bin', 'llama-server'), '#!/bin/sh\n');
        chmodSync(join(folder, 'bin', 'llama-server'), 0o755);
        writeFileSync(join(folder, 'bin', '.complete'), '');
      }
      const found = await buildCudaServer({
        cacheDir: cache.path,
        nodeLlamaCppRoot: nodeLlamaCppRoot(),
        nodeLlamaCppVersion: '3.22.1',
        env: { PATH: '' },
        architectures: undefined,
        log: () => undefined,
      });
      assert.equal(found.cached, true);
      assert.equal(found.bin, join(plan.out, 'bin'));
      assert.deepEqual(cachedBuilds(cache.path), [join(plan.out, 'bin', 'llama-server'), join(cache.path, 'llama.cpp', 'de3ff815ea7d-nlc3.22.1-r3', 'bin', 'llama-server')]);
    } finally {
      cache.remove();
    }
  });

  it("the project's CPU build is still found where the script put it", () => {
    assert.match(llamaBinDir(), /-nlc[\d.]+-r3\/bin$/);
  });
});
