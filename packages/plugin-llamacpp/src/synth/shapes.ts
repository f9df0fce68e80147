/**
 * Model shapes. 1b/3b/8b copy the layer count, widths and attention layout of Llama 3.2 1B,
 * Llama 3.2 3B and Llama 3.1 8B (which is what decode speed depends on); the vocabulary is the
 * 32,000-token llama SPM one instead of Llama 3's 128,256, so the embedding and output matrices are
 * smaller than the real ones (about 4% of the 8B's weights). 1b and 3b tie the output to the token
 * embedding, as the real models do.
 */
export type SynthSize = 'tiny' | '1b' | '3b' | '8b';
export type SynthQuant = 'F16' | 'Q8_0' | 'Q4_0';

export const SYNTH_SIZES: readonly SynthSize[] = ['tiny', '1b', '3b', '8b'];
export const SYNTH_QUANTS: readonly SynthQuant[] = ['F16', 'Q8_0', 'Q4_0'];

export interface LlamaShape {
  sizeLabel: string;
  nameLabel: string;
  layers: number;
  dim: number;
  ffn: number;
  heads: number;
  kvHeads: number;
  contextLength: number;
  tiedEmbeddings: boolean;
}

export const ROPE_THETA = 500000;
export const RMS_EPS = 1e-5;

export const SHAPES: Record<SynthSize, LlamaShape> = {
  // ~20M parameters, most of them the 32k-token embedding and output: tiny enough to generate in
  // about a second and decode fast on 2 CPU cores, big enough that llama.cpp runs the full llama
  // graph (GQA, SwiGLU, RoPE). Context 32768: long enough for every suite context tier up to 32k
  // while a full KV cache stays at 64 MiB in F16 on a CI machine.
  tiny: { sizeLabel: '20M', nameLabel: 'tiny', layers: 4, dim: 256, ffn: 768, heads: 4, kvHeads: 2, contextLength: 32768, tiedEmbeddings: false },
  '1b': { sizeLabel: '1B', nameLabel: '1B', layers: 16, dim: 2048, ffn: 8192, heads: 32, kvHeads: 8, contextLength: 131072, tiedEmbeddings: true },
  '3b': { sizeLabel: '3B', nameLabel: '3B', layers: 28, dim: 3072, ffn: 8192, heads: 24, kvHeads: 8, contextLength: 131072, tiedEmbeddings: true },
  '8b': { sizeLabel: '8B', nameLabel: '8B', layers: 32, dim: 4096, ffn: 14336, heads: 32, kvHeads: 8, contextLength: 131072, tiedEmbeddings: false },
};
