/**
 * The model's shape for the bandwidth roofline (METHODOLOGY §13.4), from the GGUF's own tensor
 * directory: our reader (reader.ts) already reads every tensor's name, type and dimensions, so a
 * tensor's bytes are its elements × the type's block size (types.ts GGML_TYPE_LAYOUT, from ggml's
 * type traits); a type the table does not know is measured by the distance to the next tensor's
 * offset, alignment padding included (at most general.alignment bytes more).
 *
 * Bytes read to decode one token:
 * - every tensor of every layer (`blk.<n>.…`), except that of a mixture of experts' expert tensors
 *   (`…_exps`, experts along the last dimension) only `expert_used_count` of `expert_count` are read;
 * - the output matrix (`output.weight`; a model without one ties it to the token embeddings, which
 *   are then read whole) and every other tensor outside the layers (norms);
 * - one row of each lookup table (`token_embd`, `position_embd`, `token_types`): a token reads its row.
 * KV cache per token of context: Σ over layers of head_count_kv × (key_length + value_length) ×
 * the element size (2 bytes: llama.cpp's default f16 cache).
 */
import type { ModelShape } from '@llm-speed/framework';
import { tensorTypeBytes, type GgufMetadata, type GgufTensorInfo } from './types.js';

/** llama.cpp's default KV cache type, f16. */
export const DEFAULT_KV_ELEMENT_BYTES = 2;

const LOOKUP_TABLES = /^(token_embd|position_embd|token_types)\.weight$/;
const EXPERTS = /^blk\.\d+\.ffn_\w+_exps\.weight$/;

function elements(t: GgufTensorInfo): number {
  return t.dims.reduce((p, d) => p * d, 1);
}

/** Every tensor's size in bytes, by name. */
export function tensorSizes(meta: Pick<GgufMetadata, 'tensors' | 'dataOffset' | 'fileSize'>): Map<string, number> {
  const sizes = new Map<string, number>();
  const byOffset = [...meta.tensors].sort((a, b) => a.offset - b.offset);
  byOffset.forEach((t, i) => {
    const typed = tensorTypeBytes(t.type, elements(t));
    if (typed !== undefined) return void sizes.set(t.name, typed);
    const next = byOffset[i + 1]?.offset ?? meta.fileSize - meta.dataOffset;
    if (next > t.offset) sizes.set(t.name, next - t.offset);
  });
  return sizes;
}

function num(kv: Record<string, unknown>, key: string): number | undefined {
  const v = kv[key];
  return typeof v === 'number' && Number.isFinite(v) ? v : undefined;
}

/** A per-layer value (head_count_kv may be an array, one entry per layer) as one number per layer. */
function perLayer(kv: Record<string, unknown>, key: string, layers: number): number[] | undefined {
  const v = kv[key];
  if (typeof v === 'number') return Array.from({ length: layers }, () => v);
  if (Array.isArray(v) && v.length === layers && v.every((x) => typeof x === 'number')) return v as number[];
  return undefined;
}

export type ShapeOutcome = { shape: ModelShape } | { reason: string };

export function ggufModelShape(meta: GgufMetadata, kvElementBytes = DEFAULT_KV_ELEMENT_BYTES): ShapeOutcome {
  const arch = meta.architecture;
  if (!arch) return { reason: 'the GGUF names no architecture' };
  const kv = meta.kv;
  const sizes = tensorSizes(meta);
  const missing = meta.tensors.find((t) => !sizes.has(t.name));
  if (missing) return { reason: `the size of tensor ${missing.name} is not known` };

  const expertCount = num(kv, `${arch}.expert_count`);
  const expertsUsed = num(kv, `${arch}.expert_used_count`);
  let weights = 0;
  const hasOutput = meta.tensors.some((t) => t.name === 'output.weight');
  for (const t of meta.tensors) {
    const bytes = sizes.get(t.name)!;
    if (LOOKUP_TABLES.test(t.name)) {
      const rows = t.dims[t.dims.length - 1] ?? 1;
      weights += bytes / rows;
      // Tied embeddings: the output projection is this matrix, read whole for every token.
      if (t.name === 'token_embd.weight' && !hasOutput) weights += bytes;
    } else if (EXPERTS.test(t.name) && expertCount && expertsUsed) {
      weights += (bytes * Math.min(expertsUsed, expertCount)) / expertCount;
    } else {
      weights += bytes;
    }
  }

  const layers = num(kv, `${arch}.block_count`);
  const heads = num(kv, `${arch}.attention.head_count`);
  const embedding = num(kv, `${arch}.embedding_length`);
  if (!layers) return { reason: `the GGUF has no ${arch}.block_count` };
  const kvHeads = perLayer(kv, `${arch}.attention.head_count_kv`, layers) ?? (heads ? perLayer(kv, `${arch}.attention.head_count`, layers) : undefined);
  const headDim = heads && embedding ? embedding / heads : undefined;
  const keyLength = num(kv, `${arch}.attention.key_length`) ?? headDim;
  const valueLength = num(kv, `${arch}.attention.value_length`) ?? headDim;
  if (!kvHeads || keyLength === undefined || valueLength === undefined) return { reason: `the GGUF does not give ${arch}'s attention heads` };
  const kvPerContextToken = kvHeads.reduce((s, h) => s + h * (keyLength + valueLength) * kvElementBytes, 0);
  return { shape: { weightBytesPerToken: weights, kvBytesPerContextToken: kvPerContextToken, kvElementBytes, source: 'gguf' } };
}
