import { Flags } from '@oclif/core';
import { cacheDir, UsageError } from '@llm-speed/framework';
import { nodeLlamaCppRoot, nodeLlamaCppVersion } from '../../embedded/session.js';
import { buildCudaServer } from '../../engine/build-server.js';
import { EngineCommand } from '../../engine/command.js';

export default class EngineBuildServer extends EngineCommand {
  static summary = 'Build llama-server for your GPU (CUDA) from the llama.cpp source that ships with llm-speed, and cache it for `bench`.';
  static description = `Needs the CUDA toolkit (nvcc), cmake, a C++ compiler and git; downloads nothing. The build takes about 5 minutes on 16 cores (longer on fewer) and is cached under the llm-speed cache folder (LLM_SPEED_CACHE_DIR), where \`llm-speed bench\` finds it: a run again prints the cached path at once. The binaries name the same llama.cpp release and commit as the embedded engine.`;
  static examples = ['<%= config.bin %> engine build-server --gpu cuda', '<%= config.bin %> engine build-server --gpu cuda --cuda-arch 89 --dry-run'];
  static enableJsonFlag = true;
  static flags = {
    gpu: Flags.string({ description: 'The GPU back-end to build.', options: ['cuda'], required: true }),
    'cuda-arch': Flags.string({ description: "CUDA architectures (CMAKE_CUDA_ARCHITECTURES, e.g. 90 or 86;89). Default: this machine's GPUs, from nvidia-smi." }),
    jobs: Flags.integer({ description: 'Parallel compile jobs (default: every core).', min: 1 }),
    'dry-run': Flags.boolean({ description: 'Print the cache folder and the cmake commands; build nothing.' }),
  };

  async run(): Promise<unknown> {
    const { flags } = await this.parse(EngineBuildServer);
    if (flags.gpu !== 'cuda') throw new UsageError(`unknown --gpu ${flags.gpu}`, ['use --gpu cuda']);
    const result = await buildCudaServer({
      cacheDir: cacheDir(process.env),
      nodeLlamaCppRoot: nodeLlamaCppRoot(),
      nodeLlamaCppVersion: await nodeLlamaCppVersion(),
      architectures: flags['cuda-arch'],
      jobs: flags.jobs,
      dryRun: flags['dry-run'],
      log: (line) => this.logToStderr(line),
    });
    if (flags['dry-run'] && !result.cached) {
      this.log(`cmake ${result.plan.configure.join(' ')}\ncmake ${result.plan.build.join(' ')}\n→ ${result.bin}`);
    } else {
      this.log(`${result.cached ? 'already built' : 'built'}: ${result.bin}\n\`llm-speed bench\` uses it; or name it: llm-speed bench --llama-cpp-path ${result.bin}`);
    }
    return { bin: result.bin, cached: result.cached, configure: result.plan.configure, build: result.plan.build };
  }
}
