/**
 * IEEE 754 half-precision encoding with round-to-nearest-even, in exact arithmetic only (powers of
 * two and comparisons), so the bytes never depend on the platform's libm.
 */

const POW2: number[] = [];
{
  let p = 1;
  for (let e = 0; e <= 64; e++, p *= 2) POW2[e] = p;
}
const pow2 = (e: number): number => (e >= 0 ? POW2[e] : 1 / POW2[-e]);

function roundHalfEven(v: number): number {
  const f = Math.floor(v);
  const d = v - f;
  if (d > 0.5) return f + 1;
  if (d < 0.5) return f;
  return f % 2 === 0 ? f : f + 1;
}

export function toFloat16Bits(x: number): number {
  if (Number.isNaN(x)) return 0x7e00;
  const sign = x < 0 || Object.is(x, -0) ? 0x8000 : 0;
  const ax = Math.abs(x);
  if (ax >= 65520) return sign | 0x7c00;
  if (ax < pow2(-14)) return sign | roundHalfEven(ax * pow2(24)); // subnormal; 0x400 rounds up to the smallest normal
  let e = -14;
  while (e < 15 && ax >= pow2(e + 1)) e++;
  let m = roundHalfEven((ax * pow2(-e) - 1) * 1024);
  if (m === 1024) {
    m = 0;
    e++;
  }
  return sign | ((e + 15) << 10) | m;
}
