/**
 * The ExLlamaV2 driver (NVIDIA CUDA): runs exllamav2's dynamic generator in the user's Python
 * through python/exllamav2_runner.py, which loads the model once and prints one JSON line per
 * generation step. Without stop conditions the generator emits exactly max_new_tokens.
 * Probing, the runner's lifecycle and the session are the framework's python-runner driver; what
 * is exllamav2's own is here.
 */
import { access } from 'node:fs/promises';
import { constants } from 'node:fs';
import { delimiter, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { createPythonRunnerDriver, reportedText, type Driver, type OpenOptions } from '@llm-speed/framework';

const NAME = 'exllamav2';
export const EXLLAMAV2_RUNNER_SCRIPT = fileURLToPath(new URL('../python/exllamav2_runner.py', import.meta.url));

const VERSION_PROBE = [
  'import json',
  'out = {}',
  'try:\n    import exllamav2\n    out["exllamav2"] = str(getattr(exllamav2, "__version__", "unknown"))\nexcept Exception as e:\n    out["error"] = type(e).__name__ + ": " + str(e)',
  'try:\n    import torch\n    out["cuda"] = torch.version.cuda\n    out["hip"] = getattr(torch.version, "hip", None)\n    out["cuda_available"] = bool(torch.cuda.is_available())\nexcept Exception:\n    pass',
  'print(json.dumps(out))',
].join('\n');

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
  const cuda = reportedText(versions.cuda);
  return [`exllamav2 ${reportedText(versions.exllamav2) ?? 'unknown'}`, cuda ? `cuda ${cuda}` : undefined].filter(Boolean).join(', ');
}

/** The generator's sequence length: what the workload needs, never under 2048. */
const maxSeqLen = (options: OpenOptions) => Math.max(options.contextTokens, 2048);

export function createExllamaV2Driver(options: ExllamaV2DriverOptions = {}): Driver {
  const hasNvidiaSmi = options.hasNvidiaSmi ?? ((env) => onPath('nvidia-smi', env));

  return createPythonRunnerDriver({
    name: NAME,
    script: EXLLAMAV2_RUNNER_SCRIPT,
    // Without stop conditions the dynamic generator emits exactly max_new_tokens. One generator per
    // session, requests one at a time through the runner: not concurrent.
    capabilities: { exact_output_length: true },
    versionProbe: VERSION_PROBE,
    // Importing exllamav2 imports torch: several seconds on a cold start; without exllamav2 installed nothing is imported.
    probeTimeoutMs: 60_000,
    requiredModules: ['exllamav2'],
    engine: 'exllamav2',
    modelHint: 'Pass --model with the folder of an EXL2-quantised model.',
    backendVersion,
    runnerArgs: (modelRef, openOptions) => [modelRef, String(maxSeqLen(openOptions))],
    extras: (versions, openOptions) => {
      const cuda = reportedText(versions.cuda);
      return { engine: 'ExLlamaV2DynamicGenerator', max_seq_len: maxSeqLen(openOptions), ...(cuda ? { cuda } : {}) };
    },
    // EXL2 models are plain folders anywhere on disk: there is no registry to list.
    listModels: async () => [],
    async detect(probe, ctx) {
      const { python, ok, answer, reason } = await probe();
      if (!ok) return { name: NAME, available: false, reason: `cannot run ${python}: ${reason ?? 'unknown error'}`.slice(0, 300) };
      const cuda = answer.cuda_available === true || (await hasNvidiaSmi(ctx.env));
      if (!cuda) return { name: NAME, available: false, reason: 'exllamav2 needs an NVIDIA GPU with CUDA (no nvidia-smi on PATH, torch sees no CUDA device)' };
      if (!answer.exllamav2) {
        return { name: NAME, available: false, reason: `exllamav2 not importable by ${python}: pip install exllamav2 (${reportedText(answer.error) ?? 'import failed'})`.slice(0, 300) };
      }
      // torch's own build: a ROCm torch names its HIP version, a CUDA one its CUDA version.
      const build = { kind: answer.hip ? ('rocm' as const) : answer.cuda ? ('cuda' as const) : ('unknown' as const) };
      return { name: NAME, available: true, version: backendVersion(answer), reason: `exllamav2 importable by ${python}`, build };
    },
  });
}

export const exllamaV2Driver = createExllamaV2Driver();
