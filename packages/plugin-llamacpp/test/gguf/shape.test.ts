/**
 * The model's shape for the bandwidth roofline (METHODOLOGY §13.4), from GGUF files written here
 * with known tensors. Every expected byte count is worked out by hand below from ggml's block
 * sizes (Q8_0: 34 bytes per 32 weights, Q4_0: 18 per 32, Q4_K: 144 per 256, Q6_K: 210 per 256,
 * F16: 2 bytes, F32: 4 bytes), not by the code under test.
 */
import assert from 'node:assert/strict';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { bytesPerToken } from '@llm-speed/framework';
import { ggufModelShape, GgufValueType, layoutGguf, readGguf, type GgufValue } from '../../src/gguf/index.js';

const u32 = (value: number): GgufValue => ({ type: GgufValueType.UINT32, value });
const str = (value: string): GgufValue => ({ type: GgufValueType.STRING, value });
const F32 = 0;
const F16 = 1;
const Q4_0 = 2;
const Q8_0 = 8;
const Q4_K = 12;
const Q6_K = 14;

type Tensor = { name: string; dims: number[]; type: number; byteSize: number };

/** A dense layer: 64-wide model, 4 query heads of 16, 2 KV heads. */
function layer(n: number): Tensor[] {
  return [
    { name: `blk.${n}.attn_q.weight`, dims: [64, 64], type: Q8_0, byteSize: (4096 / 32) * 34 }, // 4,352
    { name: `blk.${n}.attn_k.weight`, dims: [64, 32], type: Q8_0, byteSize: (2048 / 32) * 34 }, // 2,176
    { name: `blk.${n}.attn_v.weight`, dims: [64, 32], type: Q8_0, byteSize: (2048 / 32) * 34 }, // 2,176
    { name: `blk.${n}.attn_output.weight`, dims: [64, 64], type: Q4_0, byteSize: (4096 / 32) * 18 }, // 2,304
    { name: `blk.${n}.ffn_up.weight`, dims: [64, 128], type: Q4_K, byteSize: (8192 / 256) * 144 }, // 4,608
    { name: `blk.${n}.attn_norm.weight`, dims: [64], type: F32, byteSize: 64 * 4 }, // 256
  ];
}

const ATTENTION: Array<[string, GgufValue]> = [
  ['general.architecture', str('llama')],
  ['llama.embedding_length', u32(64)],
  ['llama.attention.head_count', u32(4)],
];

function gguf(kv: Array<[string, GgufValue]>, tensors: Tensor[]): Buffer {
  const layout = layoutGguf(kv, tensors);
  return Buffer.concat([layout.header, Buffer.alloc(layout.totalSize - layout.header.length)]);
}

describe('GGUF model shape (bytes read per decoded token)', () => {
  let dir: string;
  before(async () => {
    dir = await mkdtemp(join(tmpdir(), 'llm-speed-shape-'));
  });
  after(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  async function shapeOf(name: string, kv: Array<[string, GgufValue]>, tensors: Tensor[]) {
    const path = join(dir, name);
    await writeFile(path, gguf(kv, tensors));
    return ggufModelShape(await readGguf(path));
  }

  const embedding: Tensor = { name: 'token_embd.weight', dims: [64, 100], type: F16, byteSize: 64 * 100 * 2 }; // 12,800; a row: 128
  const outputNorm: Tensor = { name: 'output_norm.weight', dims: [64], type: F32, byteSize: 256 };
  const output: Tensor = { name: 'output.weight', dims: [64, 100], type: Q6_K, byteSize: (6400 / 256) * 210 }; // 5,250

  it('a dense model: every layer tensor, the output matrix, the norms and one embedding row; KV from the heads', async () => {
    const outcome = await shapeOf('dense.gguf', [...ATTENTION, ['llama.block_count', u32(2)], ['llama.attention.head_count_kv', u32(2)]], [embedding, ...layer(0), ...layer(1), outputNorm, output]);
    assert.ok('shape' in outcome, JSON.stringify(outcome));
    // A layer: 4,352 + 2,176 + 2,176 + 2,304 + 4,608 + 256 = 15,872; two: 31,744.
    // Weights per token: 128 (one embedding row) + 31,744 + 256 (output norm) + 5,250 (output) = 37,378.
    assert.equal(outcome.shape.weightBytesPerToken, 37_378);
    // KV per token of context: 2 layers × 2 KV heads × (16 + 16) head dims × 2 bytes (f16) = 256.
    assert.equal(outcome.shape.kvBytesPerContextToken, 256);
    assert.equal(outcome.shape.kvElementBytes, 2);
    assert.equal(outcome.shape.source, 'gguf');
    // At 1,000 tokens of context: 37,378 + 256 × 1,000 = 293,378 bytes per decoded token.
    assert.equal(bytesPerToken(outcome.shape, 1000), 293_378);
  });

  it('tied embeddings: without output.weight the embedding matrix is the output projection, read whole', async () => {
    const outcome = await shapeOf('tied.gguf', [...ATTENTION, ['llama.block_count', u32(2)], ['llama.attention.head_count_kv', u32(2)]], [embedding, ...layer(0), ...layer(1), outputNorm]);
    assert.ok('shape' in outcome);
    // 128 (the row) + 12,800 (the matrix as output) + 31,744 + 256 = 44,928.
    assert.equal(outcome.shape.weightBytesPerToken, 44_928);
  });

  it('a mixture of experts reads only the experts each token uses; per-layer KV head counts and explicit key/value lengths', async () => {
    const kv: Array<[string, GgufValue]> = [
      ...ATTENTION,
      ['llama.block_count', u32(1)],
      ['llama.expert_count', u32(8)],
      ['llama.expert_used_count', u32(2)],
      ['llama.attention.head_count_kv', { type: GgufValueType.ARRAY, itemType: GgufValueType.UINT32, value: [2] }],
      ['llama.attention.key_length', u32(24)],
      ['llama.attention.value_length', u32(8)],
    ];
    const tensors: Tensor[] = [
      embedding,
      { name: 'blk.0.ffn_up_exps.weight', dims: [64, 32, 8], type: F16, byteSize: 64 * 32 * 8 * 2 }, // 32,768, 8 experts
      { name: 'blk.0.ffn_gate_inp.weight', dims: [64, 8], type: F32, byteSize: 64 * 8 * 4 }, // 2,048: the router, read whole
      { name: 'output.weight', dims: [64, 100], type: F16, byteSize: 12_800 },
    ];
    const outcome = await shapeOf('moe.gguf', kv, tensors);
    assert.ok('shape' in outcome, JSON.stringify(outcome));
    // 128 + 32,768 × 2/8 (= 8,192) + 2,048 + 12,800 = 23,168.
    assert.equal(outcome.shape.weightBytesPerToken, 23_168);
    // 1 layer × 2 KV heads × (24 + 8) × 2 bytes = 128.
    assert.equal(outcome.shape.kvBytesPerContextToken, 128);
  });

  it('a tensor type outside the table is sized by the distance to the next tensor (padding included)', async () => {
    // Type 31 was Q4_0_4_4, removed from GGUF files: no block size for it. Its 40 bytes are padded
    // to the 32-byte alignment, so the next tensor starts 64 bytes later.
    const odd: Tensor = { name: 'blk.0.odd.weight', dims: [8], type: 31, byteSize: 40 };
    const outcome = await shapeOf('odd.gguf', [...ATTENTION, ['llama.block_count', u32(1)], ['llama.attention.head_count_kv', u32(4)]], [odd, outputNorm]);
    assert.ok('shape' in outcome);
    assert.equal(outcome.shape.weightBytesPerToken, 64 + 256);
  });

  it('says why when the file does not give the attention shape', async () => {
    const outcome = await shapeOf(
      'headless.gguf',
      [
        ['general.architecture', str('llama')],
        ['llama.block_count', u32(1)],
      ],
      [outputNorm],
    );
    assert.deepEqual(outcome, { reason: "the GGUF does not give llama's attention heads" });
  });
});
