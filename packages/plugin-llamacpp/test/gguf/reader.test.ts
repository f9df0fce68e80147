import assert from 'node:assert/strict';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { LlmSpeedError } from '@llm-speed/framework';
import { GgufValueType, layoutGguf, modelIdentity, quantFromFileType, readGgufMetadata, type GgufValue } from '../../src/gguf/index.js';

const u32 = (value: number): GgufValue => ({ type: GgufValueType.UINT32, value });
const str = (value: string): GgufValue => ({ type: GgufValueType.STRING, value });

/** A small but complete GGUF: metadata of several types and two F32 tensors with data. */
function smallGguf(kvOverride: Array<[string, GgufValue]> = []): Buffer {
  const kv: Array<[string, GgufValue]> = [
    ['general.architecture', str('llama')],
    ['general.name', str('Tiny Test Model')],
    ['general.size_label', str('7B')],
    ['general.file_type', u32(15)],
    ['llama.context_length', u32(4096)],
    ['llama.vocab_size', u32(3)],
    ['llama.rope.freq_base', { type: GgufValueType.FLOAT32, value: 10000 }],
    ['test.u64', { type: GgufValueType.UINT64, value: 5000000000n }],
    ['test.flag', { type: GgufValueType.BOOL, value: true }],
    ['tokenizer.ggml.tokens', { type: GgufValueType.ARRAY, itemType: GgufValueType.STRING, value: ['<s>', 'héllo', '▁world'] }],
    ['tokenizer.ggml.scores', { type: GgufValueType.ARRAY, itemType: GgufValueType.FLOAT32, value: [0, -1.5, -2.25] }],
    ...kvOverride,
  ];
  const tensors = [
    { name: 'a.weight', dims: [4, 2], type: 0, byteSize: 32 },
    { name: 'b.weight', dims: [3], type: 0, byteSize: 12 },
  ];
  const layout = layoutGguf(kv, tensors);
  const data = Buffer.alloc(layout.totalSize - layout.header.length, 0x11);
  return Buffer.concat([layout.header, data]);
}

describe('GGUF reader', () => {
  let dir: string;
  before(async () => {
    dir = await mkdtemp(join(tmpdir(), 'llm-speed-gguf-'));
  });
  after(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  async function expectGgufError(bytes: Buffer, name: string, pattern: RegExp): Promise<void> {
    const path = join(dir, name);
    await writeFile(path, bytes);
    await assert.rejects(readGgufMetadata(path), (error: unknown) => {
      assert.ok(error instanceof LlmSpeedError, `expected LlmSpeedError, got ${String(error)}`);
      assert.ok(error.message.includes(path), `message names the file: ${error.message}`);
      assert.match(error.message, pattern);
      return true;
    });
  }

  it('reads header, metadata and the tensor directory', async () => {
    const path = join(dir, 'small.gguf');
    await writeFile(path, smallGguf());
    const meta = await readGgufMetadata(path);
    assert.equal(meta.version, 3);
    assert.equal(meta.architecture, 'llama');
    assert.equal(meta.name, 'Tiny Test Model');
    assert.equal(meta.sizeLabel, '7B');
    assert.equal(meta.fileType, 15);
    assert.equal(meta.quant, 'Q4_K_M');
    assert.equal(meta.contextLength, 4096);
    assert.equal(meta.vocabSize, 3);
    assert.equal(meta.tensorCount, 2);
    assert.equal(meta.parameterCount, 11);
    assert.deepEqual(
      meta.tensors.map((t) => [t.name, t.dims, t.offset]),
      [
        ['a.weight', [4, 2], 0],
        ['b.weight', [3], 32],
      ],
    );
    assert.equal(meta.kv['test.u64'], 5000000000);
    assert.equal(meta.kv['test.flag'], true);
    assert.equal(meta.kv['llama.rope.freq_base'], 10000);
    assert.deepEqual(meta.kv['tokenizer.ggml.tokens'], ['<s>', 'héllo', '▁world']);
    assert.deepEqual(meta.kv['tokenizer.ggml.scores'], [0, -1.5, -2.25]);
    assert.equal(meta.dataOffset % 32, 0);
  });

  it('rejects a file with the wrong magic, naming the file', async () => {
    const bytes = smallGguf();
    bytes.write('GGML', 0, 'latin1');
    await expectGgufError(bytes, 'wrong-magic.gguf', /not a GGUF file.*"GGML"/);
    await expectGgufError(Buffer.from('{"not":"a model"}'), 'json.gguf', /not a GGUF file/);
  });

  it('rejects empty and truncated files at every stage, naming the file', async () => {
    const bytes = smallGguf();
    await expectGgufError(Buffer.alloc(0), 'empty.gguf', /only 0 bytes/);
    for (const cut of [6, 20, 40, 120, bytes.length - 40, bytes.length - 21]) {
      await expectGgufError(bytes.subarray(0, cut), `cut-${cut}.gguf`, /truncated/);
    }
  });

  it('rejects absurd lengths immediately instead of allocating or hanging', async () => {
    const bytes = smallGguf();
    // The first key's length field sits right after magic, version, tensor count and kv count.
    bytes.writeBigUInt64LE(1n << 50n, 24);
    await expectGgufError(bytes, 'huge-key.gguf', /claims \d+ bytes/);
  });

  it('rejects unsupported versions and missing files', async () => {
    const bytes = smallGguf();
    bytes.writeUInt32LE(1, 4);
    await expectGgufError(bytes, 'v1.gguf', /unsupported GGUF version 1/);
    const missing = join(dir, 'does-not-exist.gguf');
    await assert.rejects(readGgufMetadata(missing), (e: unknown) => e instanceof LlmSpeedError && e.message.includes(missing) && /not found/.test(e.message));
  });

  it('maps llama.cpp file types to quant strings', () => {
    const expected: Record<number, string> = {
      0: 'F32',
      1: 'F16',
      2: 'Q4_0',
      3: 'Q4_1',
      7: 'Q8_0',
      8: 'Q5_0',
      10: 'Q2_K',
      12: 'Q3_K_M',
      14: 'Q4_K_S',
      15: 'Q4_K_M',
      17: 'Q5_K_M',
      18: 'Q6_K',
      23: 'IQ3_XXS',
      30: 'IQ4_XS',
      32: 'BF16',
      38: 'MXFP4_MOE',
    };
    for (const [ftype, name] of Object.entries(expected)) assert.equal(quantFromFileType(Number(ftype)), name, `ftype ${ftype}`);
    assert.equal(quantFromFileType(1024 + 15), 'Q4_K_M', 'LLAMA_FTYPE_GUESSED bit');
    assert.equal(quantFromFileType(999), undefined);
  });

  it('identifies a real (non-synthetic) model by its file name, deriving what the header lacks', async () => {
    const path = join(dir, 'Some-Model-Q4_K_M.gguf');
    await writeFile(path, smallGguf());
    const ref = await modelIdentity(path, join(dir, 'cache'));
    assert.equal(ref.identifier, 'Some-Model-Q4_K_M');
    assert.equal(ref.name, 'Tiny Test Model');
    assert.equal(ref.size, '7B');
    assert.equal(ref.quant, 'Q4_K_M');
    assert.match(ref.digest ?? '', /^[0-9a-f]{64}$/);
  });
});
