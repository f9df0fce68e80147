import { stat } from 'node:fs/promises';
import { resolve } from 'node:path';
import { Command, Flags } from '@oclif/core';
import { modelDigest } from '../../gguf/digest.js';
import { resolveCacheDir } from '../../synth/cache-dir.js';
import { synthIdentifier, synthModelPath } from '../../synth/ensure.js';
import { SYNTH_QUANTS, SYNTH_SIZES, type SynthQuant, type SynthSize } from '../../synth/shapes.js';
import { synthesizeModel } from '../../synth/synthesize.js';

export default class ModelsSynth extends Command {
  static summary = 'Write a llama GGUF with deterministic pseudo-random weights: a zero-download reference model for speed tests.';
  static description = `Decode speed of a dense transformer does not depend on the weight values, so a model of the right shape with pseudo-random weights measures the hardware like the real one. The same --size and --quant give the same bytes (and digest) on every machine. Results on it are labelled llm-speed/synth-llama-<size>-<quant>; it generates meaningless text.`;
  static examples = ['<%= config.bin %> models synth --size tiny', '<%= config.bin %> models synth --size 8b --quant Q4_0 --out ./synth-8b.gguf --json'];
  static enableJsonFlag = true;
  static flags = {
    arch: Flags.string({ description: 'Architecture.', options: ['llama'], default: 'llama' }),
    size: Flags.string({ description: 'Shape: tiny (~20M parameters, for tests), or the layer layout of Llama 3.2 1B / 3.2 3B / 3.1 8B.', options: [...SYNTH_SIZES], required: true }),
    quant: Flags.string({ description: 'Weight type.', options: [...SYNTH_QUANTS], default: 'F16' }),
    out: Flags.string({ description: 'Output file (default: the llm-speed cache, where the embedded default looks for it).' }),
  };

  async run(): Promise<{ identifier: string; path: string; bytes: number; digest: string }> {
    const { flags } = await this.parse(ModelsSynth);
    const size = flags.size as SynthSize;
    const quant = flags.quant as SynthQuant;
    const cacheDir = resolveCacheDir();
    const path = resolve(flags.out ?? synthModelPath(cacheDir, size, quant));
    await synthesizeModel({ arch: 'llama', size, quant, outPath: path, cacheDir, log: (line) => this.logToStderr(line) });
    const bytes = (await stat(path)).size;
    const digest = await modelDigest(path, cacheDir);
    const result = { identifier: synthIdentifier(size, quant), path, bytes, digest };
    this.log(`${result.identifier}\n  path    ${path}\n  size    ${bytes} bytes\n  sha256  ${digest}`);
    return result;
  }
}
