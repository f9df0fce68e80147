/**
 * The ExLlamaV2 driver (NVIDIA CUDA): runs exllamav2's dynamic generator in the user's Python
 * through python/exllamav2_runner.py, which loads the model once and prints one JSON line per
 * generation step. Without stop conditions the generator emits exactly max_new_tokens.
 */
import { access } from 'node:fs/promises';
import { constants } from 'node:fs';
import { delimiter, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import {
  DriverError,
  probePython,
  publicModelName,
  pythonFor,
  runnerBuild,
  runnerGeneration,
  startPythonRunner,
  type Driver,
  type DriverCapabilities,
  type DriverDetection,
  type DriverSession,
} from '@llm-speed/framework';

const NAME = 'exllamav2';
export const EXLLAMAV2_RUNNER_SCRIPT = fileURLToPath(new URL('../python/exllamav2_runner.py', import.meta.url));
/** Importing exllamav2 imports torch: several seconds on a cold start. */
const PROBE_TIMEOUT_MS = 60_000;
const LOAD_TIMEOUT_MS = 600_000;

const CAPABILITIES: DriverCapabilities = {
  streaming: true,
  // One dynamic generator per session, requests sent one at a time through the runner.
  true_concurrency: false,
  prefix_cache_stats: false,
  exact_output_length: true,
};

const VERSION_PROBE = [
  'import json',
  'out = {}',
  'try:\n    import exllamav2\n    out["exllamav2"] = str(getattr(exllamav2, "__version__", "unknown"))\nexcept Exception as e:\n    out["error"] = type(e).__name__ + ": " + str(e)',
  'try:\n    import torch\n    out["cuda"] = torch.version.cuda\n    out["hip"] = getattr(torch.version, "hip", None)\n    out["cuda_available"] = bool(torch.cuda.is_available())\nexcept Exception:\n    pass',
  'print(json.dumps(out))',
].join('\n');

interface ProbeAnswer {
  exllamav2?: string;
  error?: string;
  cuda?: string | null;
  hip?: string | null;
  cuda_available?: boolean;
}

async function onPath(binary: string, env: NodeJS.ProcessEnv): Promise<boolean> {
  for (const dir of (env.PATH ?? '').split(delimiter).filter(Boolean)) {
    try {
      await access(join(dir, binary), constants.X_OK);
      return true;
    } catch {
      // not in this folder
    }
  }
  return false;
}

export interface ExllamaV2DriverOptions {
  /** Whether an NVIDIA driver is present (default: nvidia-smi on PATH); injectable for tests. */
  hasNvidiaSmi?: (env: NodeJS.ProcessEnv) => Promise<boolean>;
}

function backendVersion(versions: { exllamav2?: unknown; cuda?: unknown }): string {
  return [`exllamav2 ${String(versions.exllamav2 ?? 'unknown')}`, versions.cuda ? `cuda ${String(versions.cuda)}` : undefined].filter(Boolean).join(', ');
}

export function createExllamaV2Driver(options: ExllamaV2DriverOptions = {}): Driver {
  const hasNvidiaSmi = options.hasNvidiaSmi ?? ((env) => onPath('nvidia-smi', env));

  return {
    name: NAME,

    async detect(ctx): Promise<DriverDetection> {
      const python = pythonFor(ctx.config, ctx.env);
      const probe = await probePython(python, VERSION_PROBE, PROBE_TIMEOUT_MS, ctx.env);
      if (!probe.ok) return { name: NAME, available: false, reason: `cannot run ${python}: ${probe.reason ?? 'unknown error'}`.slice(0, 300) };
      const answer = JSON.parse(probe.stdout.split('\n').pop() ?? '{}') as ProbeAnswer;
      const cuda = answer.cuda_available === true || (await hasNvidiaSmi(ctx.env));
      if (!cuda) return { name: NAME, available: false, reason: 'exllamav2 needs an NVIDIA GPU with CUDA (no nvidia-smi on PATH, torch sees no CUDA device)' };
      if (!answer.exllamav2) {
        return { name: NAME, available: false, reason: `exllamav2 not importable by ${python}: pip install exllamav2 (${answer.error ?? 'import failed'})`.slice(0, 300) };
      }
      // torch's own build: a ROCm torch names its HIP version, a CUDA one its CUDA version.
      const build = { kind: answer.hip ? ('rocm' as const) : answer.cuda ? ('cuda' as const) : ('unknown' as const) };
      return { name: NAME, available: true, version: backendVersion(answer), reason: `exllamav2 importable by ${python}`, build, capabilities: CAPABILITIES };
    },

    async listModels(): Promise<[]> {
      // EXL2 models are plain folders anywhere on disk: there is no registry to list.
      return [];
    },

    async open(modelRef, openOptions, ctx): Promise<DriverSession> {
      if (!modelRef) {
        throw new DriverError(NAME, 'no model given', { suggestions: ['Pass --model with the folder of an EXL2-quantised model.'] });
      }
      const python = pythonFor(ctx.config, ctx.env);
      const maxSeqLen = Math.max(openOptions.contextTokens, 2048);
      ctx.log(`Loading ${modelRef} with exllamav2...`);
      const runner = await startPythonRunner({
        driver: NAME,
        python,
        script: EXLLAMAV2_RUNNER_SCRIPT,
        args: [modelRef, String(maxSeqLen)],
        env: ctx.env,
        signal: ctx.signal,
        readyDeadlineMs: LOAD_TIMEOUT_MS,
      });
      const versions = (runner.ready.versions ?? {}) as { exllamav2?: unknown; cuda?: unknown };
      return {
        // EXL2 models are local folders: published by folder name only (PRIVACY: no paths, no usernames).
        model: { identifier: publicModelName(modelRef), name: publicModelName(modelRef) },
        backendVersion: backendVersion(versions),
        capabilities: CAPABILITIES,
        // torch's view of the GPU the runner loaded the model on (CUDA or ROCm, and its name).
        backendBuild: runnerBuild(runner.ready),
        extras: { engine: 'ExLlamaV2DynamicGenerator', max_seq_len: maxSeqLen, ...(versions.cuda ? { cuda: String(versions.cuda) } : {}) },
        generate: (request) => runnerGeneration(runner, request),
        close: () => runner.close(),
      };
    },
  };
}

export const exllamaV2Driver = createExllamaV2Driver();
