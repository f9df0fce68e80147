import { Flags } from '@oclif/core';
import { collectFingerprint, dataDir, isAccelerator, UsageError } from '@llm-speed/framework';
import { createInterface } from 'node:readline/promises';
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { nodeLlamaCppVersion } from '../../embedded/session.js';
import { EngineCommand, mb } from '../../engine/command.js';
import { installEngine, registryUrl } from '../../engine/install.js';
import { engineBuilds, PINNED_NODE_LLAMA_CPP, type EngineBuild, type EngineGpu } from '../../engine/packages.js';
import { installedEngine } from '../../engine/store.js';

/** Remembers that `bench` offered the install once, so a terminal is asked only the first time. */
const OFFER_FILE = 'engine-offer.json';

export default class EngineInstall extends EngineCommand {
  static summary = "Download node-llama-cpp's GPU build (CUDA or Vulkan) for the embedded engine, so it runs on this machine's GPU.";
  static description = `llm-speed ships the embedded engine (node-llama-cpp) for the CPU only, to keep the install small. This fetches node-llama-cpp's own prebuilt GPU build for this platform from the npm registry — the same package npm would install, at the version llm-speed was tested with — checks its sha512 integrity against the pin, and unpacks it into llm-speed's data folder (LLM_SPEED_DATA_DIR, default ~/.local/share/llm-speed/engines). After that the embedded engine runs on the GPU, and results say so (backend_build). On linux-x64: CUDA downloads 320 MB and takes 564 MB on disk (needs the CUDA runtime, toolkit 12 or 13); Vulkan 24 MB and 74 MB (needs the Vulkan loader). \`llm-speed engine remove\` frees the space.`;
  static examples = ['<%= config.bin %> engine install', '<%= config.bin %> engine install --gpu vulkan', '<%= config.bin %> engine install --registry http://127.0.0.1:4873/'];
  static enableJsonFlag = true;
  static flags = {
    gpu: Flags.string({ description: 'Which build: cuda (NVIDIA) or vulkan (AMD, Intel, NVIDIA). Default: cuda with an NVIDIA GPU, else vulkan.', options: ['cuda', 'vulkan'] }),
    registry: Flags.string({ description: 'npm registry to download from (LLM_SPEED_NPM_REGISTRY; default npm_config_registry, then https://registry.npmjs.org/).', helpValue: 'URL' }),
    offer: Flags.boolean({ hidden: true, description: 'Ask first, in a terminal only, and only once per machine when it has an idle GPU (what `bench` calls).' }),
  };

  async run(): Promise<unknown> {
    const { flags } = await this.parse(EngineInstall);
    const version = await nodeLlamaCppVersion();
    const builds = engineBuilds();
    if (flags.offer) return this.offer(builds, version, flags.registry);
    if (builds.length === 0) {
      const why =
        process.platform === 'darwin' && process.arch === 'arm64'
          ? "on Apple silicon the embedded engine's one build already runs on Metal: there is nothing to install"
          : `node-llama-cpp publishes no GPU build for ${process.platform}-${process.arch}`;
      throw new UsageError(why, ['to measure a GPU, pass --llama-cpp-path a llama-server built for it (llm-speed engine build-server --gpu cuda builds one with CUDA)']);
    }
    const gpu = (flags.gpu as EngineGpu | undefined) ?? (await this.defaultGpu());
    const build = builds.find((b) => b.gpu === gpu)!;
    const engine = await installEngine({ build: pinned(build, version), nodeLlamaCppVersion: version, registry: registryUrl(flags.registry), log: (line) => this.logToStderr(line) });
    this.log(`the embedded engine now runs on ${gpu.toUpperCase()} (needs ${build.needs}); \`llm-speed bench\` uses it when no llama-server is given`);
    return { gpu, folder: engine.folder, packages: engine.packages };
  }

  private async defaultGpu(): Promise<EngineGpu> {
    const gpus = (await collectFingerprint({ strictAnon: true })).gpus.filter(isAccelerator);
    if (gpus.some((g) => g.kind === 'nvidia')) return 'cuda';
    if (gpus.length > 0) return 'vulkan';
    throw new UsageError('no GPU found on this machine (nvidia-smi, rocm-smi and the system report none)', [
      'to install anyway, name the build: llm-speed engine install --gpu cuda (or --gpu vulkan)',
    ]);
  }

  /** `bench`'s offer: a terminal, a GPU the CPU run would leave idle, no engine yet, and never asked before. */
  private async offer(builds: EngineBuild[], version: string, registry: string | undefined): Promise<{ installed: boolean }> {
    if (!process.stdin.isTTY || !process.stderr.isTTY || builds.length === 0) return { installed: false };
    if (await installedEngine(version)) return { installed: false };
    const remembered = join(dataDir(), OFFER_FILE);
    if (
      await readFile(remembered).then(
        () => true,
        () => false,
      )
    )
      return { installed: false };
    let gpu: EngineGpu;
    try {
      gpu = await this.defaultGpu();
    } catch {
      return { installed: false };
    }
    const build = builds.find((b) => b.gpu === gpu)!;
    const size = build.packages.reduce((s, p) => s + (p.tarballBytes ?? 0), 0);
    await mkdir(dataDir(), { recursive: true });
    await writeFile(remembered, JSON.stringify({ offered: new Date().toISOString(), gpu }));
    const rl = createInterface({ input: process.stdin, output: process.stderr });
    const answer = await rl.question(
      `This machine has a GPU, but the embedded engine runs on the CPU. Download its ${gpu.toUpperCase()} build now (${size ? mb(size) : 'size unknown'}, once)? [y/N] `,
    );
    rl.close();
    if (!/^y(es)?$/i.test(answer.trim())) {
      this.logToStderr('not installed; `llm-speed engine install` does it any time');
      return { installed: false };
    }
    await installEngine({ build: pinned(build, version), nodeLlamaCppVersion: version, registry: registryUrl(registry), log: (line) => this.logToStderr(line) });
    return { installed: true };
  }
}

/** The pins hold for the node-llama-cpp they were taken from; another version is checked against the registry's integrity. */
function pinned(build: EngineBuild, version: string): EngineBuild {
  if (version === PINNED_NODE_LLAMA_CPP) return build;
  return { ...build, packages: build.packages.map(({ name }) => ({ name })) };
}
