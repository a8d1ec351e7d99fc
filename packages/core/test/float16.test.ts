import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  float16BitsToFloat32,
  float32ToFloat16Bits,
  fromFloat16,
  fromFloat16Matrix,
  toFloat16,
  toFloat16Matrix,
} from '../src/index.js';
import { expectCode } from './expect-code.js';

/** Nearest float16 by brute force over all finite halves of the same sign, ties to even. */
function nearestHalfBits(x: number): number {
  const sign = x < 0 || Object.is(x, -0) ? 0x8000 : 0;
  const a = Math.abs(x);
  if (a >= 65520) return sign | 0x7c00; // 65520 = max half + half an ulp: rounds to infinity
  let lo = 0;
  let hi = 0x7bff;
  while (lo < hi) {
    const mid = (lo + hi + 1) >> 1;
    if (float16BitsToFloat32(mid) <= a) lo = mid;
    else hi = mid - 1;
  }
  const below = lo;
  const above = Math.min(lo + 1, 0x7bff);
  const dBelow = a - float16BitsToFloat32(below);
  const dAbove = float16BitsToFloat32(above) - a;
  let pick = below;
  if (above !== below && (dAbove < dBelow || (dAbove === dBelow && (above & 1) === 0))) pick = above;
  return sign | pick;
}

describe('float16', () => {
  it('round-trips every float16 bit pattern exactly (NaNs stay NaN)', () => {
    const wrong: number[] = [];
    for (let h = 0; h < 65536; h++) {
      const f = float16BitsToFloat32(h);
      const back = float32ToFloat16Bits(f);
      if (Number.isNaN(f) ? !Number.isNaN(float16BitsToFloat32(back)) : back !== h) wrong.push(h);
    }
    expect(wrong).toEqual([]);
  });

  it('rounds to nearest, ties to even, matching a brute-force search', () => {
    fc.assert(
      fc.property(fc.float({ noNaN: true, min: -70000, max: 70000 }), (x) => {
        expect(float32ToFloat16Bits(x)).toBe(nearestHalfBits(Math.fround(x)));
      }),
      { numRuns: 3000 },
    );
    // Exact midpoints between neighbours go to the even mantissa.
    expect(float32ToFloat16Bits(1 + 2 ** -11)).toBe(0x3c00);
    expect(float32ToFloat16Bits(1 + 3 * 2 ** -11)).toBe(0x3c02);
    expect(float32ToFloat16Bits(2 ** -25)).toBe(0); // half the smallest subnormal
    expect(float32ToFloat16Bits(3 * 2 ** -25)).toBe(2); // 1.5 subnormal steps -> 2 (even)
  });

  it('handles subnormals, signed zero, overflow, infinities and NaN', () => {
    expect(float32ToFloat16Bits(2 ** -24)).toBe(1);
    expect(float32ToFloat16Bits(2 ** -14)).toBe(0x0400);
    expect(float32ToFloat16Bits(-0)).toBe(0x8000);
    expect(float32ToFloat16Bits(65504)).toBe(0x7bff);
    expect(float32ToFloat16Bits(65519)).toBe(0x7bff);
    expect(float32ToFloat16Bits(65520)).toBe(0x7c00);
    expect(float32ToFloat16Bits(-1e9)).toBe(0xfc00);
    expect(float32ToFloat16Bits(Number.POSITIVE_INFINITY)).toBe(0x7c00);
    expect(Number.isNaN(float16BitsToFloat32(float32ToFloat16Bits(Number.NaN)))).toBe(true);
    expect(float16BitsToFloat32(0x7c00)).toBe(Number.POSITIVE_INFINITY);
    expect(Object.is(float16BitsToFloat32(0x8000), -0)).toBe(true);
  });

  it('keeps relative error within 2^-11 for normal values and absolute error within 2^-25 below', () => {
    fc.assert(
      fc.property(fc.float({ noNaN: true, min: -65000, max: 65000 }), (x) => {
        const f = Math.fround(x);
        const back = fromFloat16(toFloat16(new Float32Array([f])))[0];
        if (Math.abs(f) >= 2 ** -14) expect(Math.abs(back - f)).toBeLessThanOrEqual(Math.abs(f) * 2 ** -11);
        else expect(Math.abs(back - f)).toBeLessThanOrEqual(2 ** -25);
      }),
      { numRuns: 3000 },
    );
  });

  it('converts matrices and rejects bad input', () => {
    const m = { data: new Float32Array([0.5, -1, 2, 1024]), rows: 2, dims: 2 };
    const h = toFloat16Matrix(m);
    expect(h.bits).toBeInstanceOf(Uint16Array);
    expect(fromFloat16Matrix(h)).toEqual(m);
    expectCode(() => fromFloat16Matrix({ bits: new Uint16Array(3), rows: 2, dims: 2 }), 'MISALIGNED_BUFFER');
    expectCode(() => toFloat16([1, 2] as unknown as Float32Array), 'INVALID_ARGUMENT');
    expectCode(() => fromFloat16([1] as unknown as Uint16Array), 'INVALID_ARGUMENT');
    expectCode(() => toFloat16Matrix({ data: new Float32Array(3), rows: 2, dims: 2 }), 'MISALIGNED_BUFFER');
  });
});
