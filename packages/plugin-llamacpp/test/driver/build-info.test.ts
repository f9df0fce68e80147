/**
 * What llama.cpp says about its own build, parsed the same way for every engine built from one
 * source. Outputs are the real ones of this machine's CPU build (run here), and recorded ones for
 * builds that cannot run here, written from the llama.cpp source that prints them:
 * - `--version`: common/build-info.cpp.in, llama_print_build_info: "version: %s (build %d, commit %s)"
 *   then "built with %s for %s"; older llama.cpp printed "version: %d (%s)".
 * - `/props` build_info: common/build-info.cpp.in, llama_build_info: "b" + build number + "-" + commit.
 * - `--list-devices`: common/arg.cpp, common_print_available_devices: "Available devices:" then
 *   "  %s: %s (%zu MiB, %zu MiB free)" per non-CPU device (ggml_backend_dev_name, _description),
 *   or "  (none)". Device names: CUDA0 / ROCm0 / MUSA0 (ggml/include/ggml-cuda.h GGML_CUDA_NAME +
 *   index), MTL0 (ggml/src/ggml-metal/ggml-metal.cpp GGML_METAL_NAME), Vulkan0 (ggml-vulkan.h
 *   GGML_VK_NAME), BLAS (ggml-blas.cpp: an accelerator of the CPU, not a compute backend).
 * - start-up log: ggml/src/ggml-cuda/ggml-cuda.cu ggml_cuda_init ("found %d CUDA devices (Total
 *   VRAM: %zu MiB):", "  Device %d: %s, compute capability %d.%d, VMM: %s, VRAM: %zu MiB"),
 *   ggml/src/ggml-metal/ggml-metal-context.m ("%s: found device: %s"), src/llama.cpp
 *   llama_model_load_from_file_impl ("%s: using device %s (%s) (%s) - %zu MiB free"),
 *   src/llama-model.cpp load_tensors ("offloaded %d/%d layers to GPU").
 */
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { bundledLlamaCppCommit } from '../../src/embedded/session.js';
import { deviceKind, listDevices, parseBuildInfo, parseListDevices, parseServerVersion, parseStartupLog, serverVersion } from '../../src/detect.js';
import { llamaCppDriver } from '../../src/driver.js';
import { spawnServer } from '../../src/server/spawn.js';
import { llamaBinDir, makeContext, tempDir, tinyModel } from './helpers.js';

const CUDA_LIST = 'Available devices:\n  CUDA0: NVIDIA H200 (143166 MiB, 142570 MiB free)\n';
const CUDA_2_LIST = 'Available devices:\n  CUDA0: NVIDIA GeForce RTX 4090 (24080 MiB, 23512 MiB free)\n  CUDA1: NVIDIA GeForce RTX 4090 (24080 MiB, 23800 MiB free)\n';
const METAL_LIST = 'Available devices:\n  MTL0: Apple M2 Max (49152 MiB, 49151 MiB free)\n  BLAS: Accelerate (0 MiB, 0 MiB free)\n';
const VULKAN_LIST = 'Available devices:\n  Vulkan0: AMD Radeon RX 7900 XTX (RADV NAVI31) (24560 MiB, 24000 MiB free)\n';
const ROCM_LIST = 'Available devices:\n  ROCm0: AMD Radeon RX 7900 XTX (24560 MiB, 24400 MiB free)\n';
const CPU_LIST = 'Available devices:\n  (none)\n';

const CUDA_STARTUP = [
  'ggml_cuda_init: found 1 CUDA devices (Total VRAM: 143166 MiB):',
  '  Device 0: NVIDIA H200, compute capability 9.0, VMM: yes, VRAM: 143166 MiB',
  '0.00.010.662 I srv  llama_server: initializing ...',
  '0.00.663.952 I srv  llama_server: model loaded',
].join('\n');
const METAL_STARTUP = 'ggml_metal_init: allocating\nggml_metal_init: found device: Apple M3 Pro\nggml_metal_init: picking default device: Apple M3 Pro\n';
const VERBOSE_LOAD = 'llama_model_load_from_file_impl: using device Vulkan0 (AMD Radeon RX 7900 XTX (RADV NAVI31)) (0000:03:00.0) - 24000 MiB free\nload_tensors: offloaded 29/29 layers to GPU\n';

describe('llama.cpp build identity: version and devices', function () {
  this.timeout(120_000);

  it('names a release and commit, never the build number of a one-commit bundle', () => {
    assert.deepEqual(parseServerVersion('version: 0.5.0 (build 0, commit de3ff81)\nbuilt with GNU 12.2.0 for Linux x86_64'), { release: '0.5.0', commit: 'de3ff81', version: '0.5.0 (de3ff81)' });
    // The H200 report: a build of the bundle without the build script's tag and commit.
    assert.equal(parseServerVersion('version: 0.5.0-dev (build 1, commit de3ff81)').version, '0.5.0-dev (de3ff81)');
    // Older llama.cpp: the build number is the release tag (b4567).
    assert.equal(parseServerVersion('version: 4567 (abcdef0)\nbuilt with cc for x86_64').version, 'b4567 (abcdef0)');
    assert.equal(parseServerVersion('version: 1 (abcdef0)').version, '(abcdef0)');
    assert.equal(parseServerVersion('version: 0.5.0 (build 12, commit unknown)').version, '0.5.0');
    assert.deepEqual(parseServerVersion('no version here'), {});
  });

  it("reads /props build_info the same way (an attached server's only name)", () => {
    assert.deepEqual(parseBuildInfo('b4567-abcdef0'), { release: 'b4567', commit: 'abcdef0', version: 'b4567 (abcdef0)' });
    assert.equal(parseBuildInfo('b0-de3ff81').version, '(de3ff81)');
    assert.equal(parseBuildInfo('b1-de3ff81').version, '(de3ff81)');
    assert.deepEqual(parseBuildInfo(undefined), {});
  });

  it('reads the compute backend and device names from --list-devices', () => {
    assert.deepEqual(parseListDevices(CUDA_LIST), { kind: 'cuda', devices: ['NVIDIA H200'] });
    assert.deepEqual(parseListDevices(CUDA_2_LIST), { kind: 'cuda', devices: ['NVIDIA GeForce RTX 4090'] });
    assert.deepEqual(parseListDevices(METAL_LIST), { kind: 'metal', devices: ['Apple M2 Max'] }, 'BLAS helps the CPU; it is no compute backend');
    assert.deepEqual(parseListDevices(VULKAN_LIST), { kind: 'vulkan', devices: ['AMD Radeon RX 7900 XTX (RADV NAVI31)'] });
    assert.deepEqual(parseListDevices(ROCM_LIST), { kind: 'rocm', devices: ['AMD Radeon RX 7900 XTX'] });
    assert.deepEqual(parseListDevices(CPU_LIST), { kind: 'cpu' });
    assert.equal(parseListDevices('error: unknown argument: --list-devices'), undefined);
    assert.equal(deviceKind('BLAS'), undefined);
    assert.equal(deviceKind('RPC[10.0.0.2:50052]'), undefined);
  });

  it('reads the devices a server started on from its start-up log, and says nothing when the log does not', () => {
    assert.deepEqual(parseStartupLog(CUDA_STARTUP), { kind: 'cuda', devices: ['NVIDIA H200'] });
    assert.deepEqual(parseStartupLog(METAL_STARTUP), { kind: 'metal', devices: ['Apple M3 Pro'] });
    assert.deepEqual(parseStartupLog(VERBOSE_LOAD), { kind: 'vulkan', devices: ['AMD Radeon RX 7900 XTX (RADV NAVI31)'] });
    assert.deepEqual(parseStartupLog(`${CUDA_STARTUP}\nload_tensors: offloaded 0/33 layers to GPU`), { kind: 'cpu' }, 'a GPU build that kept every layer on the CPU');
    // A CPU build and a Vulkan build both start without a word about devices.
    assert.equal(parseStartupLog('0.00.010.662 I srv  llama_server: initializing ...\n0.00.663.952 I srv  llama_server: model loaded\n'), undefined);
  });

  it("parses this machine's real llama-server: its version, and --list-devices of a CPU build", async () => {
    const binary = `${llamaBinDir()}/llama-server`;
    const raw = execFileSync(binary, ['--list-devices'], { encoding: 'utf8' });
    assert.match(raw, /^Available devices:\n {2}\(none\)\n$/);
    assert.deepEqual(await listDevices(binary), { kind: 'cpu' });
    const version = await serverVersion(binary);
    assert.equal(version.commit, await bundledLlamaCppCommit(), 'built from the bundle node-llama-cpp ships');
    assert.match(version.version ?? '', /^\d+\.\d+\.\d+ \([0-9a-f]{7}\)$/);
  });

  it("takes an attached server's build from the log file it is pointed at: the last start in it", async () => {
    const server = await spawnServer({ binary: `${llamaBinDir()}/llama-server`, model: await tinyModel(), contextTokens: 256, parallel: 1, signal: new AbortController().signal });
    const dir = tempDir();
    try {
      const log = join(dir.path, 'llama-server.log');
      // An older CPU run, its exit, then the CUDA start-up of the server now running.
      writeFileSync(log, `0.00.001 I srv  llama_server: initializing ...\n0.08.082 I srv    operator(): operator(): cleaning up before exit...\n${CUDA_STARTUP}\n`);
      const ctx = makeContext({ llama_cpp_url: server.baseUrl, llama_cpp_log: log });
      const session = await llamaCppDriver.open(undefined, { contextTokens: 256, parallel: 1 }, ctx);
      assert.deepEqual(session.backendBuild, { kind: 'cuda', devices: ['NVIDIA H200'] });
      assert.deepEqual((await llamaCppDriver.detect(ctx)).build, { kind: 'cuda', devices: ['NVIDIA H200'] });
      // /props names only "b0-<commit>": the binary serving the URL (this machine's process, issue
      // 26.20) lends its release — the same spelling a spawned server and the embedded engine get —
      // as does the --llama-cpp-path binary of that commit.
      const local = await serverVersion(`${llamaBinDir()}/llama-server`);
      assert.equal(session.backendVersion, local.version);
      const withLocal = await llamaCppDriver.open(undefined, { contextTokens: 256, parallel: 1 }, makeContext({ llama_cpp_url: server.baseUrl, llama_cpp_path: llamaBinDir() }));
      assert.equal(withLocal.backendVersion, local.version);
      // Without a log, the serving binary's own device list: this CPU build's "(none)" (it was `unknown`
      // before issue 26.20, so the same binary formed two groups); a log that cannot be read is an error that names it.
      assert.deepEqual((await llamaCppDriver.open(undefined, { contextTokens: 256, parallel: 1 }, makeContext({ llama_cpp_url: server.baseUrl }))).backendBuild, { kind: 'cpu' });
      await assert.rejects(
        llamaCppDriver.open(undefined, { contextTokens: 256, parallel: 1 }, makeContext({ llama_cpp_url: server.baseUrl, llama_cpp_log: join(dir.path, 'missing.log') })),
        /cannot read the llama-server log .*missing\.log/,
      );
    } finally {
      dir.remove();
      await server.stop();
    }
  });

  it('spells one llama.cpp source the same way on llama-server and the embedded engine', async () => {
    const server = await llamaCppDriver.detect(makeContext({ llama_cpp_path: llamaBinDir() }));
    const embedded = await llamaCppDriver.detect(makeContext({}));
    assert.match(embedded.version ?? '', /^\d+\.\d+\.\d+ \([0-9a-f]{7}\), node-llama-cpp \d+\.\d+\.\d+$/);
    assert.ok(embedded.version!.startsWith(`${server.version}, node-llama-cpp `), `${embedded.version} vs ${server.version}`);
    assert.deepEqual(embedded.build, { kind: 'cpu' });
  });
});
