/**
 * The MLX driver (Apple Silicon): runs mlx-lm in the user's Python through the runner script
 * shipped in python/mlx_runner.py, which loads the model once and prints one JSON line per token.
 * Generation in one MLX process is serial, so W4's "concurrent" streams are flagged as such.
 * Probing, the runner's lifecycle and the session are the framework's python-runner driver; what
 * is MLX's own is here.
 */
import { readdir } from 'node:fs/promises';
import { homedir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { createPythonRunnerDriver, reportedText, type Driver, type ModelInfo } from '@llm-speed/framework';

const NAME = 'mlx';
export const MLX_RUNNER_SCRIPT = fileURLToPath(new URL('../python/mlx_runner.py', import.meta.url));

const VERSION_PROBE = [
  'import json, mlx_lm',
  'try:\n    import mlx.core as mx\n    mlx_version = getattr(mx, "__version__", None)\nexcept Exception:\n    mlx_version = None',
  'print(json.dumps({"mlx_lm": getattr(mlx_lm, "__version__", "unknown"), "mlx": mlx_version}))',
].join('\n');

export interface MlxDriverOptions {
  platform?: NodeJS.Platform;
  arch?: string;
}

function backendVersion(versions: { mlx_lm?: unknown; mlx?: unknown }): string {
  // MLX's own version first: results read "mlx 0.31.3" like the other backends' versions.
  const mlx = reportedText(versions.mlx);
  return [mlx ? `mlx ${mlx}` : undefined, `mlx-lm ${reportedText(versions.mlx_lm) ?? 'unknown'}`].filter(Boolean).join(', ');
}

/** mlx-community models already in the Hugging Face cache (models--<org>--<name> folders). */
async function cachedMlxModels(env: NodeJS.ProcessEnv): Promise<ModelInfo[]> {
  const hub = env.HF_HUB_CACHE ?? (env.HF_HOME ? join(env.HF_HOME, 'hub') : join(homedir(), '.cache', 'huggingface', 'hub'));
  const entries = await readdir(hub).catch(() => [] as string[]);
  return entries
    .filter((e) => e.startsWith('models--mlx-community--'))
    .map((e) => e.slice('models--'.length).replace('--', '/'))
    .map((id) => ({ identifier: id, name: id }));
}

export function createMlxDriver(options: MlxDriverOptions = {}): Driver {
  const platform = options.platform ?? process.platform;
  const arch = options.arch ?? process.arch;

  return createPythonRunnerDriver({
    name: NAME,
    script: MLX_RUNNER_SCRIPT,
    // mlx_lm.stream_generate stops at end-of-sequence and has no way to ignore it.
    capabilities: { exact_output_length: false },
    versionProbe: VERSION_PROBE,
    // Importing mlx_lm pulls in mlx and transformers: seconds on a cold disk.
    probeTimeoutMs: 30_000,
    engine: 'mlx-lm',
    modelHint: 'Pass --model with a local MLX model folder or a hub id such as mlx-community/Llama-3.2-1B-Instruct-4bit.',
    backendVersion,
    extras: () => ({ engine: 'mlx_lm.stream_generate' }),
    listModels: (ctx) => cachedMlxModels(ctx.env),
    async detect(probe) {
      if (platform !== 'darwin' || arch !== 'arm64') {
        return { name: NAME, available: false, reason: `mlx needs Apple Silicon (this is ${platform} ${arch})` };
      }
      const { python, ok, answer, reason } = await probe();
      if (!ok) return { name: NAME, available: false, reason: `mlx-lm not importable by ${python}: pip install mlx-lm (${reason ?? 'import failed'})`.slice(0, 300) };
      // MLX computes on the Metal GPU of Apple Silicon by default; the session reports the device the runner sees.
      return { name: NAME, available: true, version: backendVersion(answer), reason: `mlx-lm importable by ${python}`, build: { kind: 'metal' } };
    },
  });
}

export const mlxDriver = createMlxDriver();
