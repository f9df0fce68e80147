import { existsSync } from 'node:fs';
import { join } from 'node:path';
import type { SynthQuant, SynthSize } from './shapes.js';
import { synthesizeModel } from './synthesize.js';

export function synthIdentifier(size: SynthSize, quant: SynthQuant): string {
  return `llm-speed/synth-llama-${size}-${quant}`;
}

export function synthModelPath(cacheDir: string, size: SynthSize, quant: SynthQuant): string {
  return join(cacheDir, 'models', `synth-llama-${size}-${quant}.gguf`);
}

// Concurrent callers in one process share one generation instead of writing the file twice.
const inFlight = new Map<string, Promise<string>>();

/** Path of the cached synthetic model, generated on first use (the file only appears when complete). */
export async function ensureSynthModel(options: { size: SynthSize; quant: SynthQuant; cacheDir: string; log?: (line: string) => void }): Promise<string> {
  const path = synthModelPath(options.cacheDir, options.size, options.quant);
  if (existsSync(path)) return path;
  let pending = inFlight.get(path);
  if (!pending) {
    options.log?.(`Generating the synthetic model ${synthIdentifier(options.size, options.quant)} (pseudo-random weights, for speed measurement only) into ${path}`);
    pending = synthesizeModel({ arch: 'llama', size: options.size, quant: options.quant, outPath: path, cacheDir: options.cacheDir }).then(() => path);
    inFlight.set(path, pending);
    pending.then(
      () => inFlight.delete(path),
      () => inFlight.delete(path),
    );
  }
  return pending;
}
