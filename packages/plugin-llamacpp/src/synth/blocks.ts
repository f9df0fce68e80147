import { toFloat16Bits } from './fp16.js';
import { Xoshiro128 } from './prng.js';

/**
 * Weight generators: each writes the on-disk bytes of a ggml tensor type straight from the PRNG,
 * with no float maths per weight, so even an 8B model is quick to produce. Every generator gives
 * weights of mean 0 and standard deviation ≈ 0.02, the scale of a freshly initialised transformer,
 * which keeps llama.cpp's activations finite.
 */
export const WEIGHT_STD = 0.02;

/** F16: a 16-bit random index into 65,536 evenly spaced values of a uniform(-a, a) with std 0.02. */
const F16_TABLE = (() => {
  const table = new Uint16Array(65536);
  const a = WEIGHT_STD * Math.sqrt(3);
  for (let k = 0; k < 65536; k++) table[k] = toFloat16Bits((((k + 0.5) / 65536) * 2 - 1) * a);
  return table;
})();

/** Q8_0: random bytes as int8, -128 folded to 0 so values are symmetric in -127..127 (std ≈ 73.5). */
const Q8_MAP = (() => {
  const map = new Uint8Array(256);
  for (let b = 0; b < 256; b++) map[b] = b === 0x80 ? 0 : b;
  return map;
})();
const Q8_SCALE = toFloat16Bits(WEIGHT_STD / 73.5);

/** Q4_0: nibble q means (q - 8) · d; nibble 0 is folded to 8 so values are symmetric in -7..7 (std ≈ 4.18). */
const Q4_MAP = (() => {
  const map = new Uint8Array(256);
  const fold = (n: number): number => (n === 0 ? 8 : n);
  for (let b = 0; b < 256; b++) map[b] = fold(b & 15) | (fold(b >> 4) << 4);
  return map;
})();
const Q4_SCALE = toFloat16Bits(WEIGHT_STD / 4.18);

export interface BlockFormat {
  /** Elements per block and bytes per block. */
  blockElems: number;
  blockBytes: number;
  /** Fills `out` (a whole number of blocks) with the next bytes of the tensor. */
  fill(rng: Xoshiro128, out: Uint8Array): void;
}

function assertLittleEndian(): void {
  if (new Uint8Array(new Uint16Array([1]).buffer)[0] !== 1) {
    throw new Error('The synthetic model generator needs a little-endian CPU (GGUF is little-endian).');
  }
}

export const F32_ONES: BlockFormat = {
  blockElems: 1,
  blockBytes: 4,
  fill(_rng, out) {
    new Float32Array(out.buffer, out.byteOffset, out.byteLength / 4).fill(1);
  },
};

export const F16_RANDOM: BlockFormat = {
  blockElems: 1,
  blockBytes: 2,
  fill(rng, out) {
    assertLittleEndian();
    const halves = new Uint16Array(out.buffer, out.byteOffset, out.byteLength / 2);
    const words = new Uint32Array(Math.ceil(halves.length / 2));
    rng.fill(words);
    for (let i = 0, j = 0; j < halves.length; i++, j += 2) {
      const w = words[i];
      halves[j] = F16_TABLE[w & 0xffff];
      if (j + 1 < halves.length) halves[j + 1] = F16_TABLE[w >>> 16];
    }
  },
};

function quantFormat(blockBytes: number, scale: number, map: Uint8Array): BlockFormat {
  const payload = blockBytes - 2;
  return {
    blockElems: 32,
    blockBytes,
    fill(rng, out) {
      assertLittleEndian();
      const blocks = out.byteLength / blockBytes;
      const words = new Uint32Array((blocks * payload) / 4);
      rng.fill(words);
      const random = new Uint8Array(words.buffer);
      for (let b = 0, p = 0, r = 0; b < blocks; b++) {
        out[p] = scale & 0xff;
        out[p + 1] = scale >> 8;
        p += 2;
        for (let k = 0; k < payload; k++) out[p++] = map[random[r++]];
      }
    },
  };
}

export const Q8_0_RANDOM = quantFormat(34, Q8_SCALE, Q8_MAP);
export const Q4_0_RANDOM = quantFormat(18, Q4_SCALE, Q4_MAP);
