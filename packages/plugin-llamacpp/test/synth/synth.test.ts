import assert from 'node:assert/strict';
import { mkdtemp, open, readFile, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { LlmSpeedError } from '@llm-speed/framework';
import { modelIdentity, readGgufMetadata, sha256File } from '../../src/gguf/index.js';
import { ensureSynthModel, synthesizeModel, synthTensors } from '../../src/synth/index.js';
import { toFloat16Bits } from '../../src/synth/fp16.js';
import { sharedCacheDir, tinyModel } from './shared-cache.js';

function fromFloat16Bits(h: number): number {
  const sign = h & 0x8000 ? -1 : 1;
  const e = (h >> 10) & 0x1f;
  const m = h & 0x3ff;
  if (e === 0) return sign * m * 2 ** -24;
  if (e === 31) return m ? NaN : sign * Infinity;
  return sign * (1 + m / 1024) * 2 ** (e - 15);
}

async function tensorBytes(path: string, name: string): Promise<{ bytes: Buffer; type: number; elements: number }> {
  const meta = await readGgufMetadata(path);
  const t = meta.tensors.find((x) => x.name === name);
  assert.ok(t, `tensor ${name} exists`);
  const elements = t.dims.reduce((p, d) => p * d, 1);
  const size = t.type === 1 ? elements * 2 : t.type === 2 ? (elements / 32) * 18 : t.type === 8 ? (elements / 32) * 34 : elements * 4;
  const fh = await open(path, 'r');
  try {
    const bytes = Buffer.alloc(size);
    await fh.read(bytes, 0, size, meta.dataOffset + t.offset);
    return { bytes, type: t.type, elements };
  } finally {
    await fh.close();
  }
}

/** Dequantises F16, Q8_0 or Q4_0 data the way ggml does. */
function dequantise({ bytes, type, elements }: { bytes: Buffer; type: number; elements: number }): Float64Array {
  const out = new Float64Array(elements);
  if (type === 1) {
    for (let i = 0; i < elements; i++) out[i] = fromFloat16Bits(bytes.readUInt16LE(i * 2));
  } else if (type === 8) {
    for (let b = 0; b < elements / 32; b++) {
      const d = fromFloat16Bits(bytes.readUInt16LE(b * 34));
      for (let j = 0; j < 32; j++) out[b * 32 + j] = d * bytes.readInt8(b * 34 + 2 + j);
    }
  } else if (type === 2) {
    for (let b = 0; b < elements / 32; b++) {
      const d = fromFloat16Bits(bytes.readUInt16LE(b * 18));
      for (let j = 0; j < 16; j++) {
        const q = bytes[b * 18 + 2 + j];
        out[b * 32 + j] = d * ((q & 15) - 8);
        out[b * 32 + j + 16] = d * ((q >> 4) - 8);
      }
    }
  } else {
    for (let i = 0; i < elements; i++) out[i] = bytes.readFloatLE(i * 4);
  }
  return out;
}

function meanStd(values: Float64Array): { mean: number; std: number } {
  let sum = 0;
  let sq = 0;
  for (const v of values) {
    sum += v;
    sq += v * v;
  }
  const mean = sum / values.length;
  return { mean, std: Math.sqrt(sq / values.length - mean * mean) };
}

describe('synthetic llama model', function () {
  this.timeout(120_000);
  let dir: string;
  before(async () => {
    dir = await mkdtemp(join(tmpdir(), 'llm-speed-synth-out-'));
  });
  after(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it('encodes half floats with round-to-nearest-even', () => {
    const cases: Array<[number, number]> = [
      [1, 0x3c00],
      [0.5, 0x3800],
      [-2, 0xc000],
      [65504, 0x7bff],
      [1e6, 0x7c00],
      [0.1, 0x2e66],
      [2 ** -24, 0x0001],
      [2 ** -14, 0x0400],
      [0, 0],
      [1 + 2 ** -11, 0x3c00],
      [1 + 3 * 2 ** -11, 0x3c02],
    ];
    for (const [x, bits] of cases) assert.equal(toFloat16Bits(x), bits, `f16(${x})`);
  });

  for (const quant of ['F16', 'Q4_0'] as const) {
    it(`tiny ${quant}: the same bytes every time`, async () => {
      const a = join(dir, `a-${quant}.gguf`);
      const b = join(dir, `b-${quant}.gguf`);
      await synthesizeModel({ arch: 'llama', size: 'tiny', quant, outPath: a, cacheDir: sharedCacheDir() });
      await synthesizeModel({ arch: 'llama', size: 'tiny', quant, outPath: b, cacheDir: sharedCacheDir() });
      const [da, db] = [await sha256File(a), await sha256File(b)];
      assert.equal(da, db);
      assert.equal((await stat(a)).size, (await stat(b)).size);
      const leftovers = (await import('node:fs')).readdirSync(dir).filter((f) => f.endsWith('.partial'));
      assert.deepEqual(leftovers, [], 'no temporary files left behind');
    });
  }

  it('pins the tiny model digests (a change here changes every synthetic result: bump SYNTH_FORMAT_VERSION)', async () => {
    // These are the bytes any machine must produce with node-llama-cpp 3.22.1's vocabulary.
    assert.equal(await sha256File(await tinyModel('F16')), PINNED.F16);
    assert.equal(await sha256File(await tinyModel('Q4_0')), PINNED.Q4_0);
  });

  it('carries the metadata, vocabulary and marker that identify it', async () => {
    const path = await tinyModel('Q4_0');
    const meta = await readGgufMetadata(path);
    assert.equal(meta.architecture, 'llama');
    assert.equal(meta.name, 'llm-speed synthetic llama tiny');
    assert.equal(meta.sizeLabel, '20M');
    assert.equal(meta.quant, 'Q4_0');
    assert.equal(meta.fileType, 2);
    assert.equal(meta.contextLength, 32768);
    assert.ok((meta.vocabSize ?? 0) >= 32000);
    assert.equal((meta.kv['tokenizer.ggml.tokens'] as string[]).length, meta.vocabSize);
    assert.equal(meta.kv['tokenizer.ggml.model'], 'llama');
    assert.equal(meta.kv['llm_speed.synthetic'], true);
    assert.match(String(meta.kv['general.description']), /pseudo-random/i);
    assert.equal(meta.kv['llama.rope.freq_base'], 500000);
    const ref = await modelIdentity(path, join(dir, 'digests'));
    assert.deepEqual(ref, { identifier: 'llm-speed/synth-llama-tiny-Q4_0', name: 'llm-speed synthetic llama tiny', size: '20M', quant: 'Q4_0', digest: PINNED.Q4_0 });
  });

  it('writes weights of mean ≈ 0 and std ≈ 0.02 in every format, and norms of 1', async () => {
    const f16 = await tinyModel('F16');
    const q4 = await tinyModel('Q4_0');
    for (const [path, name, type] of [
      [f16, 'blk.0.attn_q.weight', 1],
      [q4, 'blk.0.ffn_up.weight', 2],
      [q4, 'token_embd.weight', 8],
    ] as const) {
      const raw = await tensorBytes(path, name);
      assert.equal(raw.type, type, `${name} type`);
      const { mean, std } = meanStd(dequantise(raw));
      assert.ok(Math.abs(mean) < 0.001, `${name} mean ${mean}`);
      assert.ok(std > 0.018 && std < 0.022, `${name} std ${std}`);
    }
    const norm = dequantise(await tensorBytes(q4, 'blk.1.ffn_norm.weight'));
    assert.ok(norm.every((v) => v === 1));
  });

  it("matches the real models' layer layout for 1b, 3b and 8b", () => {
    const params = (size: '1b' | '3b' | '8b'): number => synthTensors(size, 'Q4_0', 32000).reduce((s, t) => s + t.dims.reduce((p, d) => p * d, 1), 0);
    const count = (size: '1b' | '3b' | '8b', suffix: string): number => synthTensors(size, 'F16', 32000).filter((t) => t.name.endsWith(suffix)).length;
    assert.equal(count('1b', 'attn_q.weight'), 16);
    assert.equal(count('3b', 'attn_q.weight'), 28);
    assert.equal(count('8b', 'attn_q.weight'), 32);
    const k8 = synthTensors('8b', 'F16', 32000).find((t) => t.name === 'blk.0.attn_k.weight');
    assert.deepEqual(k8?.dims, [4096, 1024], '8 KV heads of 128');
    const ffn8 = synthTensors('8b', 'F16', 32000).find((t) => t.name === 'blk.0.ffn_down.weight');
    assert.deepEqual(ffn8?.dims, [14336, 4096]);
    assert.ok(Math.abs(params('1b') - 1.04e9) < 0.02e9, `1b: ${params('1b')}`);
    assert.ok(Math.abs(params('3b') - 2.92e9) < 0.03e9, `3b: ${params('3b')}`);
    assert.ok(Math.abs(params('8b') - 7.24e9) < 0.05e9, `8b: ${params('8b')}`);
  });

  it('says exactly what to install when git is missing, and leaves no model behind', async () => {
    const savedPath = process.env.PATH;
    process.env.PATH = join(dir, 'empty-bin');
    const outPath = join(dir, 'nogit.gguf');
    try {
      await assert.rejects(synthesizeModel({ arch: 'llama', size: 'tiny', quant: 'F16', outPath, cacheDir: join(dir, 'fresh-cache') }), (error: unknown) => {
        assert.ok(error instanceof LlmSpeedError);
        assert.match(error.message, /git is needed/);
        assert.match(error.suggestions.join(' '), /Install git/);
        return true;
      });
    } finally {
      process.env.PATH = savedPath;
    }
    assert.equal((await import('node:fs')).existsSync(outPath), false);
  });

  it('ensureSynthModel generates into the cache once, logging one line', async () => {
    const cacheDir = join(dir, 'ensure-cache');
    const lines: string[] = [];
    const log = (line: string): void => {
      lines.push(line);
    };
    // Reuse the extracted vocabulary so this test does not extract it again.
    const vocabSrc = join(sharedCacheDir(), 'vocab');
    await (await import('node:fs/promises')).cp(vocabSrc, join(cacheDir, 'vocab'), { recursive: true });
    const [p1, p2] = await Promise.all([ensureSynthModel({ size: 'tiny', quant: 'F16', cacheDir, log }), ensureSynthModel({ size: 'tiny', quant: 'F16', cacheDir, log })]);
    assert.equal(p1, join(cacheDir, 'models', 'synth-llama-tiny-F16.gguf'));
    assert.equal(p2, p1);
    assert.equal(lines.length, 1);
    assert.match(lines[0], /synth-llama-tiny-F16/);
    assert.equal(await ensureSynthModel({ size: 'tiny', quant: 'F16', cacheDir, log }), p1);
    assert.equal(lines.length, 1, 'no second generation');
    assert.equal(await sha256File(p1), PINNED.F16);
    assert.ok((await readFile(p1)).subarray(0, 4).equals(Buffer.from('GGUF')));
  });
});

const PINNED = {
  F16: 'b175e49324aa85039940be7a7538f437cfa0ba741a73c8b9d0b2cf00f8d97884',
  Q4_0: '9982d7bfbb64521e21298cbae10abb0ebc82143fb5be57e91378469821af5b9f',
};
