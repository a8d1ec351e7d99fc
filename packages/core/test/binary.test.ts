import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  hammingDistance,
  packBits,
  popcount32,
  quantizeBinary,
  unpackBits,
  wordsPerRow,
  type Float32Matrix,
} from '../src/index.js';
import { expectCode } from './expect-code.js';
import { bitAt } from './helpers.js';

const matrix = fc
  .record({ rows: fc.integer({ min: 1, max: 6 }), dims: fc.integer({ min: 1, max: 130 }) })
  .chain(({ rows, dims }) =>
    fc
      .array(fc.oneof(fc.constant(0), fc.constant(-0), fc.float({ min: -5, max: 5, noNaN: true })), {
        minLength: rows * dims,
        maxLength: rows * dims,
      })
      .map((values): Float32Matrix => ({ data: Float32Array.from(values), rows, dims })),
  );

describe('binary quantization', () => {
  it('sets bit j exactly when value j > 0, pads with zero bits, records L1 norms', () => {
    fc.assert(
      fc.property(matrix, (m) => {
        const b = quantizeBinary(m);
        expect(b.wordsPerRow).toBe(Math.ceil(m.dims / 32));
        expect(b.words.length).toBe(m.rows * b.wordsPerRow);
        for (let r = 0; r < m.rows; r++) {
          let l1 = 0;
          for (let j = 0; j < m.dims; j++) {
            const v = m.data[r * m.dims + j];
            l1 += Math.abs(v);
            expect(bitAt(b, r, j)).toBe(v > 0 ? 1 : 0);
          }
          for (let j = m.dims; j < b.wordsPerRow * 32; j++) expect(bitAt(b, r, j)).toBe(0);
          expect(b.l1Norms?.[r]).toBeCloseTo(l1, 4);
        }
        const unpacked = unpackBits(b);
        expect(packBits(unpacked, m.dims).words).toEqual(b.words);
        expect(Array.from(unpacked)).toEqual(Array.from(m.data, (v) => (v > 0 ? 1 : 0)));
      }),
    );
  });

  it('records L1 norms exactly as a left-to-right float64 sum rounded to float32', () => {
    fc.assert(
      fc.property(matrix, (m) => {
        const b = quantizeBinary(m);
        for (let r = 0; r < m.rows; r++) {
          let l1 = 0;
          for (let j = 0; j < m.dims; j++) l1 += Math.abs(m.data[r * m.dims + j]);
          expect(b.l1Norms?.[r]).toBe(Math.fround(l1));
        }
      }),
    );
  });

  it('names the first non-finite value of a later row, in full words and in the tail', () => {
    for (const [dims, dimension, bad] of [
      [70, 65, Number.POSITIVE_INFINITY],
      [64, 3, Number.NEGATIVE_INFINITY],
      [5, 4, Number.NaN],
    ] as const) {
      const data = new Float32Array(3 * dims).fill(0.5);
      data[2 * dims + dimension] = bad;
      data[2 * dims + dims - 1] = Number.NaN;
      expectCode(() => quantizeBinary({ data, rows: 3, dims }), 'NOT_FINITE');
      try {
        quantizeBinary({ data, rows: 3, dims });
      } catch (err) {
        expect((err as { details?: unknown }).details).toEqual({ row: 2, dimension });
      }
    }
  });

  it('counts bits like a bit-by-bit loop', () => {
    fc.assert(
      fc.property(
        fc.array(fc.integer({ min: 0, max: 0xffffffff }), { minLength: 1, maxLength: 8 }),
        fc.array(fc.integer({ min: 0, max: 0xffffffff }), { minLength: 8, maxLength: 8 }),
        (a, b) => {
          const x = Uint32Array.from(a);
          const y = Uint32Array.from(b.slice(0, a.length));
          let expected = 0;
          for (let i = 0; i < x.length; i++)
            for (let bit = 0; bit < 32; bit++) expected += ((x[i] ^ y[i]) >>> bit) & 1;
          expect(hammingDistance(x, y)).toBe(expected);
          expect(popcount32(x[0])).toBe(x[0].toString(2).replace(/0/g, '').length);
        },
      ),
    );
    expect(popcount32(0xffffffff)).toBe(32);
    expect(wordsPerRow(33)).toBe(2);
  });

  it('rejects bad input with typed errors', () => {
    expectCode(
      () => quantizeBinary({ data: new Float32Array([Number.NaN]), rows: 1, dims: 1 }),
      'NOT_FINITE',
    );
    expectCode(() => quantizeBinary({ data: new Float32Array(3), rows: 1, dims: 2 }), 'MISALIGNED_BUFFER');
    expectCode(() => packBits(new Uint8Array(5), 2), 'MISALIGNED_BUFFER');
    expectCode(() => packBits(new Uint8Array(4), 0), 'DIMENSION_MISMATCH');
    expectCode(() => hammingDistance(new Uint32Array(1), new Uint32Array(2)), 'DIMENSION_MISMATCH');
    expectCode(
      () => unpackBits({ words: new Uint32Array(3), rows: 1, dims: 64, wordsPerRow: 2 }),
      'MISALIGNED_BUFFER',
    );
    expectCode(
      () => unpackBits({ words: new Uint32Array(2), rows: 1, dims: 64, wordsPerRow: 1 }),
      'MISALIGNED_BUFFER',
    );
  });
});
