/**
 * Float vector math over `Float32Array`: norms, normalization, dot, cosine, euclidean, their
 * row-wise batch forms, and the validating matrix constructor. Sums accumulate in float64.
 *
 * @module
 */
import { WebEmbedError } from './errors.js';
import type { Float32Matrix } from './types.js';
import { assertFinite, assertFloat32Matrix, assertSameDims } from './validate.js';

/**
 * Wraps a flat row-major buffer as a matrix after checking it: `dims` a positive integer
 * (`DIMENSION_MISMATCH`), length a multiple of `dims` (`MISALIGNED_BUFFER`), every value
 * finite (`NOT_FINITE`). Accepts a `Float32Array` (kept, not copied) or a number array (copied).
 *
 * @example
 * ```ts
 * const m = toMatrix(new Float32Array([1, 0, 0, 1]), 2); // 2 rows x 2 dims
 * ```
 */
export function toMatrix(data: Float32Array | readonly number[], dims: number): Float32Matrix {
  if (!Number.isInteger(dims) || dims <= 0) {
    throw new WebEmbedError('DIMENSION_MISMATCH', `dims must be a positive integer, got ${String(dims)}`, {
      dims: String(dims),
    });
  }
  const array = data instanceof Float32Array ? data : Array.isArray(data) ? Float32Array.from(data) : null;
  if (array === null) {
    throw new WebEmbedError('INVALID_ARGUMENT', 'matrix data must be a Float32Array or an array of numbers');
  }
  if (array.length % dims !== 0) {
    throw new WebEmbedError(
      'MISALIGNED_BUFFER',
      `matrix data holds ${array.length} values, not a multiple of dims ${dims}`,
      { length: array.length, dims },
    );
  }
  assertFinite(array, 'matrix', dims);
  return { data: array, rows: array.length / dims, dims };
}

/** Row `r` of a matrix as a view (no copy). */
export function row(m: Float32Matrix, r: number): Float32Array {
  if (!Number.isInteger(r) || r < 0 || r >= m.rows) {
    throw new WebEmbedError('INVALID_ARGUMENT', `row ${r} is out of range [0, ${m.rows})`, {
      row: r,
      rows: m.rows,
    });
  }
  return m.data.subarray(r * m.dims, (r + 1) * m.dims);
}

/** Inner product of `a[aOffset..aOffset+n)` and `b[bOffset..bOffset+n)`, no checks. */
export function dotAt(a: Float32Array, aOffset: number, b: Float32Array, bOffset: number, n: number): number {
  let s0 = 0;
  let s1 = 0;
  let s2 = 0;
  let s3 = 0;
  let i = 0;
  const n4 = n - (n & 3);
  for (; i < n4; i += 4) {
    s0 += a[aOffset + i] * b[bOffset + i];
    s1 += a[aOffset + i + 1] * b[bOffset + i + 1];
    s2 += a[aOffset + i + 2] * b[bOffset + i + 2];
    s3 += a[aOffset + i + 3] * b[bOffset + i + 3];
  }
  for (; i < n; i++) s0 += a[aOffset + i] * b[bOffset + i];
  return s0 + s1 + (s2 + s3);
}

/** Inner product of two equally long vectors (`DIMENSION_MISMATCH` otherwise). */
export function dot(a: Float32Array, b: Float32Array): number {
  assertSameDims(a.length, b.length, 'second vector');
  return dotAt(a, 0, b, 0, a.length);
}

/** Euclidean (L2) norm. */
export function l2Norm(v: Float32Array): number {
  return Math.sqrt(dotAt(v, 0, v, 0, v.length));
}

/** Sum of absolute values (L1 norm). */
export function l1Norm(v: Float32Array): number {
  let s = 0;
  for (let i = 0; i < v.length; i++) s += Math.abs(v[i]);
  return s;
}

function zeroVector(what: string): WebEmbedError {
  return new WebEmbedError(
    'ZERO_VECTOR',
    `${what} is the zero vector (or its norm underflows); it has no direction, so it cannot be normalized or compared by cosine`,
  );
}

/**
 * A unit-length copy of `v`. Throws `ZERO_VECTOR` for a zero vector, `NOT_FINITE` for
 * NaN/Infinity.
 */
export function normalize(v: Float32Array): Float32Array {
  assertFinite(v, 'vector');
  const norm = l2Norm(v);
  if (!(norm > 0) || !Number.isFinite(norm)) throw zeroVector('vector');
  const out = new Float32Array(v.length);
  for (let i = 0; i < v.length; i++) out[i] = v[i] / norm;
  return out;
}

/** Cosine similarity in [-1, 1]. Throws `ZERO_VECTOR` when either vector is zero. */
export function cosine(a: Float32Array, b: Float32Array): number {
  assertSameDims(a.length, b.length, 'second vector');
  const na = l2Norm(a);
  const nb = l2Norm(b);
  if (!(na > 0)) throw zeroVector('first vector');
  if (!(nb > 0)) throw zeroVector('second vector');
  return dotAt(a, 0, b, 0, a.length) / (na * nb);
}

/** Euclidean distance between two equally long vectors. */
export function euclidean(a: Float32Array, b: Float32Array): number {
  assertSameDims(a.length, b.length, 'second vector');
  let s = 0;
  for (let i = 0; i < a.length; i++) {
    const d = a[i] - b[i];
    s += d * d;
  }
  return Math.sqrt(s);
}

/** L2 norm of every row. */
export function rowNorms(m: Float32Matrix): Float32Array {
  assertFloat32Matrix(m, 'matrix');
  const out = new Float32Array(m.rows);
  for (let r = 0; r < m.rows; r++) out[r] = Math.sqrt(dotAt(m.data, r * m.dims, m.data, r * m.dims, m.dims));
  return out;
}

/** L1 norm of every row. */
export function rowL1Norms(m: Float32Matrix): Float32Array {
  assertFloat32Matrix(m, 'matrix');
  const out = new Float32Array(m.rows);
  const { data, dims } = m;
  for (let r = 0; r < m.rows; r++) {
    let s = 0;
    for (let i = r * dims, end = i + dims; i < end; i++) s += Math.abs(data[i]);
    out[r] = s;
  }
  return out;
}

/**
 * A copy of `m` with every row scaled to unit length. Throws `ZERO_VECTOR` naming the first
 * zero row and `NOT_FINITE` for NaN/Infinity.
 */
export function normalizeRows(m: Float32Matrix): Float32Matrix {
  assertFloat32Matrix(m, 'matrix');
  assertFinite(m.data, 'matrix', m.dims);
  const { rows, dims, data } = m;
  const out = new Float32Array(data.length);
  for (let r = 0; r < rows; r++) {
    const base = r * dims;
    const norm = Math.sqrt(dotAt(data, base, data, base, dims));
    if (!(norm > 0) || !Number.isFinite(norm)) throw zeroVector(`row ${r}`);
    for (let i = 0; i < dims; i++) out[base + i] = data[base + i] / norm;
  }
  return { data: out, rows, dims };
}

/** `a.rows x b.rows` pairwise dot products (row-major), for small matrices and tests. */
export function dotMatrix(a: Float32Matrix, b: Float32Matrix): Float32Array {
  assertFloat32Matrix(a, 'first matrix');
  assertFloat32Matrix(b, 'second matrix');
  assertSameDims(a.dims, b.dims, 'second matrix');
  const out = new Float32Array(a.rows * b.rows);
  for (let i = 0; i < a.rows; i++) {
    for (let j = 0; j < b.rows; j++)
      out[i * b.rows + j] = dotAt(a.data, i * a.dims, b.data, j * b.dims, a.dims);
  }
  return out;
}
