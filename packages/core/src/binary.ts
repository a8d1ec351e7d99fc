/**
 * Binary quantization: one sign bit a dimension (set when the value is `> 0`), packed 32 to a
 * `Uint32Array` word. Dimension `j` of row `r` is bit `j & 31` of word
 * `r * wordsPerRow + (j >>> 5)`; padding bits past `dims` stay 0. 32x smaller than float32.
 *
 * @module
 */
import { WebEmbedError } from './errors.js';
import type { BinaryMatrix, Float32Matrix } from './types.js';
import { assertBinaryMatrix, assertFinite, assertFloat32Matrix } from './validate.js';

/** Words a packed row of `dims` bits takes: `ceil(dims / 32)`. */
export function wordsPerRow(dims: number): number {
  return Math.ceil(dims / 32);
}

/**
 * Packs the sign bits of every row and records each row's L1 norm (`l1Norms`, used by
 * asymmetric scoring with the `l1` correction). Throws `NOT_FINITE` for NaN/Infinity.
 *
 * @example
 * ```ts
 * const bits = quantizeBinary(corpus); // corpus.rows x ceil(dims/32) words
 * const hits = searchHamming(quantizeBinary(queries), bits, { k: 10 });
 * ```
 */
export function quantizeBinary(m: Float32Matrix): BinaryMatrix {
  assertFloat32Matrix(m, 'matrix');
  const { rows, dims, data } = m;
  const wpr = wordsPerRow(dims);
  const words = new Uint32Array(rows * wpr);
  const l1Norms = new Float32Array(rows);
  // The same bytes read as int32: a float is > 0 exactly when its bit pattern is a positive
  // int32 (+0 is 0, -0 and negatives have the sign bit set), so a bit is set without a branch.
  const bitsOf = new Int32Array(data.buffer, data.byteOffset, data.length);
  const fullWords = dims >>> 5;
  const tail = dims & 31;
  for (let r = 0; r < rows; r++) {
    let at = r * dims;
    const wordBase = r * wpr;
    let l1 = 0;
    for (let w = 0; w < fullWords; w++) {
      let word = 0;
      for (let b = 0; b < 32; b++) {
        const x = bitsOf[at + b];
        l1 += Math.abs(data[at + b]);
        word |= (((0 - x) & ~x) >>> 31) << b;
      }
      words[wordBase + w] = word;
      at += 32;
    }
    if (tail !== 0) {
      let word = 0;
      for (let b = 0; b < tail; b++) {
        const x = bitsOf[at + b];
        l1 += Math.abs(data[at + b]);
        word |= (((0 - x) & ~x) >>> 31) << b;
      }
      words[wordBase + fullWords] = word;
    }
    // A NaN or Infinity anywhere in the row makes the float64 sum non-finite (finite float32
    // magnitudes cannot overflow it); the full scan then names the first offending value.
    if (l1 - l1 !== 0) assertFinite(data, 'matrix', dims);
    l1Norms[r] = l1;
  }
  return { words, rows, dims, wordsPerRow: wpr, l1Norms };
}

/**
 * Packs rows given as 0/1 bytes (`rows x dims`, non-zero means set) without norms; for bits
 * that arrive already binarized. Throws `MISALIGNED_BUFFER` when the length is not `rows x dims`.
 */
export function packBits(bits: Uint8Array, dims: number): BinaryMatrix {
  if (!Number.isInteger(dims) || dims <= 0) {
    throw new WebEmbedError('DIMENSION_MISMATCH', `dims must be a positive integer, got ${String(dims)}`);
  }
  if (!(bits instanceof Uint8Array) || bits.length % dims !== 0) {
    throw new WebEmbedError(
      'MISALIGNED_BUFFER',
      `bits must be a Uint8Array whose length is a multiple of dims ${dims}, got ${bits?.length}`,
    );
  }
  const rows = bits.length / dims;
  const wpr = wordsPerRow(dims);
  const words = new Uint32Array(rows * wpr);
  for (let r = 0; r < rows; r++) {
    for (let j = 0; j < dims; j++) {
      if (bits[r * dims + j] !== 0) words[r * wpr + (j >>> 5)] |= 1 << (j & 31);
    }
  }
  return { words, rows, dims, wordsPerRow: wpr };
}

/** Unpacks to one 0/1 byte a dimension (`rows x dims`), the inverse of {@link packBits}. */
export function unpackBits(m: BinaryMatrix): Uint8Array {
  assertBinaryMatrix(m, 'binary matrix');
  const out = new Uint8Array(m.rows * m.dims);
  for (let r = 0; r < m.rows; r++) {
    for (let j = 0; j < m.dims; j++) {
      out[r * m.dims + j] = (m.words[r * m.wordsPerRow + (j >>> 5)] >>> (j & 31)) & 1;
    }
  }
  return out;
}

/** Number of set bits of a 32-bit word (SWAR). */
export function popcount32(x: number): number {
  x -= (x >>> 1) & 0x55555555;
  x = (x & 0x33333333) + ((x >>> 2) & 0x33333333);
  x = (x + (x >>> 4)) & 0x0f0f0f0f;
  return Math.imul(x, 0x01010101) >>> 24;
}

/** Hamming distance between two equally long packed bit vectors. */
export function hammingDistance(a: Uint32Array, b: Uint32Array): number {
  if (a.length !== b.length) {
    throw new WebEmbedError(
      'DIMENSION_MISMATCH',
      `packed vectors have ${a.length} and ${b.length} words; expected equal lengths`,
      { expected: a.length, actual: b.length },
    );
  }
  let d = 0;
  for (let i = 0; i < a.length; i++) d += popcount32(a[i] ^ b[i]);
  return d;
}
