/**
 * Matryoshka truncation: models trained with Matryoshka representation learning keep most of
 * their quality in a prefix of the vector, so a shorter prefix re-normalized to unit length is
 * a smaller embedding of the same text.
 *
 * @module
 */
import { WebEmbedError } from './errors.js';
import type { Float32Matrix } from './types.js';
import { normalizeRows } from './vector.js';
import { assertFloat32Matrix } from './validate.js';

/**
 * Keeps the first `dims` dimensions of every row and re-normalizes each row to unit length.
 * Throws `DIMENSION_MISMATCH` unless `1 <= dims <= m.dims` (integer), `ZERO_VECTOR` when a
 * row's prefix is all zeros, `NOT_FINITE` for NaN/Infinity.
 *
 * @example
 * ```ts
 * const small = truncateDims(embeddings, 256); // 1024 -> 256 dims, unit rows
 * ```
 */
export function truncateDims(m: Float32Matrix, dims: number): Float32Matrix {
  assertFloat32Matrix(m, 'matrix');
  if (!Number.isInteger(dims) || dims < 1 || dims > m.dims) {
    throw new WebEmbedError(
      'DIMENSION_MISMATCH',
      `Matryoshka dims must be an integer in [1, ${m.dims}], got ${String(dims)}`,
      { expected: m.dims, actual: String(dims) },
    );
  }
  const prefix = new Float32Array(m.rows * dims);
  for (let r = 0; r < m.rows; r++) {
    prefix.set(m.data.subarray(r * m.dims, r * m.dims + dims), r * dims);
  }
  return normalizeRows({ data: prefix, rows: m.rows, dims });
}
