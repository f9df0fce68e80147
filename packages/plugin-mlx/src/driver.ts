/**
 * The MLX driver (Apple Silicon): runs mlx-lm in the user's Python through the runner script
 * shipped in python/mlx_runner.py, which loads the model once and prints one JSON line per token.
 * Generation in one MLX process is serial, so W4's "concurrent" streams are flagged as such.
 */
import { readdir } from 'node:fs/promises';
import { homedir } from 'node:os';
import { join } from 'node:path';
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
  type ModelInfo,
} from '@llm-speed/framework';

const NAME = 'mlx';
export const MLX_RUNNER_SCRIPT = fileURLToPath(new URL('../python/mlx_runner.py', import.meta.url));
/** Importing mlx_lm pulls in mlx and transformers: seconds on a cold disk. */
const PROBE_TIMEOUT_MS = 30_000;
const LOAD_TIMEOUT_MS = 600_000;

const CAPABILITIES: DriverCapabilities = {
  streaming: true,
  true_concurrency: false,
  prefix_cache_stats: false,
  exact_output_length: false,
};

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
  return [versions.mlx ? `mlx ${String(versions.mlx)}` : undefined, `mlx-lm ${String(versions.mlx_lm ?? 'unknown')}`].filter(Boolean).join(', ');
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

  return {
    name: NAME,

    async detect(ctx): Promise<DriverDetection> {
      if (platform !== 'darwin' || arch !== 'arm64') {
        return { name: NAME, available: false, reason: `mlx needs Apple Silicon (this is ${platform} ${arch})` };
      }
      const python = pythonFor(ctx.config, ctx.env);
      const probe = await probePython(python, VERSION_PROBE, PROBE_TIMEOUT_MS, ctx.env);
      if (!probe.ok) {
        return { name: NAME, available: false, reason: `mlx-lm not importable by ${python}: pip install mlx-lm (${probe.reason ?? 'import failed'})`.slice(0, 300) };
      }
      const versions = JSON.parse(probe.stdout.split('\n').pop() ?? '{}') as { mlx_lm?: string; mlx?: string };
      // MLX computes on the Metal GPU of Apple Silicon by default; the session reports the device the runner sees.
      return { name: NAME, available: true, version: backendVersion(versions), reason: `mlx-lm importable by ${python}`, build: { kind: 'metal' }, capabilities: CAPABILITIES };
    },

    async listModels(ctx): Promise<ModelInfo[]> {
      return cachedMlxModels(ctx.env);
    },

    async open(modelRef, _options, ctx): Promise<DriverSession> {
      if (!modelRef) {
        throw new DriverError(NAME, 'no model given', { suggestions: ['Pass --model with a local MLX model folder or a hub id such as mlx-community/Llama-3.2-1B-Instruct-4bit.'] });
      }
      const python = pythonFor(ctx.config, ctx.env);
      ctx.log(`Loading ${modelRef} with mlx-lm...`);
      const runner = await startPythonRunner({ driver: NAME, python, script: MLX_RUNNER_SCRIPT, args: [modelRef], env: ctx.env, signal: ctx.signal, readyDeadlineMs: LOAD_TIMEOUT_MS });
      const versions = (runner.ready.versions ?? {}) as { mlx_lm?: unknown; mlx?: unknown };
      return {
        // A local folder is published by its name only (PRIVACY: no paths, no usernames).
        model: { identifier: publicModelName(modelRef), name: publicModelName(modelRef) },
        backendVersion: backendVersion(versions),
        capabilities: CAPABILITIES,
        // The runner reports MLX's default device (a Metal GPU on Apple Silicon) and its name.
        backendBuild: runnerBuild(runner.ready),
        extras: { engine: 'mlx_lm.stream_generate' },
        generate: (request) => runnerGeneration(runner, request),
        close: () => runner.close(),
      };
    },
  };
}

export const mlxDriver = createMlxDriver();
