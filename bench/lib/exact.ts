/**
 * The benchmarks' own exact float32 search: the ground truth every approximate path and every
 * peer is scored against. Deliberately independent of `@webembed/core`, so a bug there cannot
 * hide itself by also being in the reference. Dot product over unit vectors (= cosine); ties go
 * to the lower row index, as in the project's `TopK` convention.
 *
 * @module
 */
import type { Float32Matrix, TopK } from '@webembed/core';
import { WebEmbedError } from '@webembed/core';

/**
 * Exact top-k by dot product for every query row. `exclude(q)` may name one corpus row to leave
 * out for query `q` (leave-one-out evaluation); return -1 to keep all.
 */
export function exactTopK(
  queries: Float32Matrix,
  corpus: Float32Matrix,
  k: number,
  exclude: (query: number) => number = () => -1,
): TopK {
  if (queries.dims !== corpus.dims) {
    throw new WebEmbedError(
      'DIMENSION_MISMATCH',
      `queries have ${queries.dims} dims, corpus ${corpus.dims}; expected equal`,
      { expected: corpus.dims, actual: queries.dims },
    );
  }
  if (!Number.isInteger(k) || k < 1)
    throw new WebEmbedError('INVALID_K', `k must be a positive integer, got ${k}`);
  const dims = corpus.dims;
  const kk = Math.min(k, corpus.rows);
  const indices = new Int32Array(queries.rows * kk).fill(-1);
  const scores = new Float32Array(queries.rows * kk).fill(Number.NEGATIVE_INFINITY);
  const block = 16;
  const sims = new Float64Array(block);
  for (let q0 = 0; q0 < queries.rows; q0 += block) {
    const q1 = Math.min(queries.rows, q0 + block);
    const skipRows = new Int32Array(q1 - q0);
    for (let q = q0; q < q1; q++) skipRows[q - q0] = exclude(q);
    for (let r = 0; r < corpus.rows; r++) {
      const ro = r * dims;
      for (let q = q0; q < q1; q++) {
        const qo = q * dims;
        let s = 0;
        for (let j = 0; j < dims; j++) s += queries.data[qo + j] * corpus.data[ro + j];
        sims[q - q0] = s;
      }
      for (let q = q0; q < q1; q++) {
        if (skipRows[q - q0] === r) continue;
        const s = Math.fround(sims[q - q0]);
        const base = q * kk;
        if (s <= scores[base + kk - 1]) continue;
        let i = kk - 1;
        while (i > 0 && scores[base + i - 1] < s) {
          scores[base + i] = scores[base + i - 1];
          indices[base + i] = indices[base + i - 1];
          i--;
        }
        scores[base + i] = s;
        indices[base + i] = r;
      }
    }
  }
  return { queries: queries.rows, k: kk, indices, scores };
}

/** Keeps the first `length` dimensions of every row (Matryoshka-style truncation), renormalized. */
export function truncateRows(matrix: Float32Matrix, length: number): Float32Matrix {
  if (!Number.isInteger(length) || length < 1 || length > matrix.dims) {
    throw new WebEmbedError(
      'INVALID_ARGUMENT',
      `truncation length must be 1..${matrix.dims}, got ${length}`,
      {
        length,
        dims: matrix.dims,
      },
    );
  }
  const data = new Float32Array(matrix.rows * length);
  for (let r = 0; r < matrix.rows; r++) {
    let sum = 0;
    for (let j = 0; j < length; j++) {
      const v = matrix.data[r * matrix.dims + j];
      data[r * length + j] = v;
      sum += v * v;
    }
    const inv = sum > 0 ? 1 / Math.sqrt(sum) : 0;
    for (let j = 0; j < length; j++) data[r * length + j] *= inv;
  }
  return { data, rows: matrix.rows, dims: length };
}
