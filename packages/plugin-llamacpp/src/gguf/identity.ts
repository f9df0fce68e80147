import { basename } from 'node:path';
import type { ModelRef } from '@llm-speed/framework';
import { modelDigest, type DigestOptions } from './digest.js';
import { readGgufMetadata } from './reader.js';
import type { GgufMetadata } from './types.js';

/** Metadata key the synthesiser writes; its presence marks pseudo-random weights. */
export const SYNTHETIC_KEY = 'llm_speed.synthetic';
export const SYNTHETIC_SIZE_KEY = 'llm_speed.size';

export function isSynthetic(meta: GgufMetadata): boolean {
  return meta.kv[SYNTHETIC_KEY] === true;
}

/** "8B", "1.2B", "20M": the label convention of general.size_label, derived when the file has none. */
export function sizeLabelFromParameters(count: number): string | undefined {
  if (count <= 0) return undefined;
  if (count >= 1e9) {
    const b = count / 1e9;
    return `${b >= 10 ? Math.round(b) : Number(b.toFixed(1))}B`;
  }
  if (count >= 1e6) return `${Math.round(count / 1e6)}M`;
  return `${Math.round(count / 1e3)}K`;
}

/**
 * What results say about a GGUF model. Synthetic models get the identifier
 * `llm-speed/synth-<arch>-<size>-<quant>` so nobody mistakes them for a real checkpoint; other
 * files are identified by their file name without .gguf.
 */
export async function modelIdentity(path: string, cacheDir: string, options: DigestOptions & { metadata?: GgufMetadata } = {}): Promise<ModelRef> {
  // A caller that already read the header passes it: a large vocabulary makes the read cost real.
  const meta = options.metadata ?? (await readGgufMetadata(path));
  const digest = await modelDigest(path, cacheDir, options);
  const fileStem = basename(path).replace(/\.gguf$/i, '');
  const quant = meta.quant ?? null;
  const size = meta.sizeLabel ?? sizeLabelFromParameters(meta.parameterCount) ?? null;
  if (isSynthetic(meta)) {
    const written = meta.kv[SYNTHETIC_SIZE_KEY];
    const synthSize = (typeof written === 'string' ? written : (size ?? 'unknown')).toLowerCase();
    return {
      identifier: `llm-speed/synth-${meta.architecture ?? 'llama'}-${synthSize}-${quant ?? 'unknown'}`,
      name: meta.name ?? fileStem,
      size,
      quant,
      digest,
    };
  }
  return { identifier: fileStem, name: meta.name ?? fileStem, size, quant, digest };
}
