/**
 * Calibration-aware int8 query quantization: lets an integer kernel rank int8 corpus rows like
 * the float dot product of a float query with the decoded rows.
 *
 * A corpus row decodes per dimension as `x_i = o_i + c_i * s_i` (see {@link int8Affine}), so for
 * a float query `q`:
 *
 * `q . x = sum_i q_i * o_i + sum_i (q_i * s_i) * c_i`
 *
 * The first sum is a per-query constant (it never changes the ranking). The second is a dot of
 * the corpus codes with weights `w_i = q_i * s_i`. The weights are quantized with ONE symmetric
 * scale per query, `g = max_i |w_i| / 127`, to codes `a_i = round(w_i / g)` in `[-127, 127]`; the
 * integer dot `a . c` is computed exactly by the same kernels as before (WebAssembly SIMD, GPU
 * `dot4I8Packed`), and reported on the float dot scale as `g * (a . c) + offset`.
 *
 * Raw query codes from {@link quantizeInt8} instead weigh every dimension by its code alone,
 * which ignores the per-dimension steps and offsets and ranks noticeably worse (measured on
 * bge-m3 with the `ranges` scheme: recall@10 0.69 vs 0.95 with this mapping, see bench-results/quality.md).
 *
 * @module
 */
import { int8Affine } from './int8.js';
import type { Float32Matrix, Int8Calibration, Int8Matrix, TopK } from './types.js';
import { assertFinite, assertFloat32Matrix, assertInt8Calibration } from './validate.js';

/**
 * Int8 query codes that carry the mapping back to the float dot scale: row `r` scores a corpus
 * row with codes `c` as `scale[r] * (data[r] . c) + offset[r]`. It is an {@link Int8Matrix}
 * (its `calibration` is the corpus calibration), so the integer kernels accept it unchanged.
 */
export interface Int8QueryCodes extends Int8Matrix {
  /** Per query: the global step `g` of its weight codes (0 when every weight is 0). */
  readonly scale: Float64Array;
  /** Per query: the constant `sum_i q_i * o_i` that the decoded offsets contribute. */
  readonly offset: Float64Array;
}

/** True when int8 queries carry the float-scale mapping of {@link quantizeInt8Query}. */
export function isInt8QueryCodes(queries: Int8Matrix): queries is Int8QueryCodes {
  const candidate = queries as Partial<Int8QueryCodes>;
  return candidate.scale instanceof Float64Array && candidate.offset instanceof Float64Array;
}

/**
 * Quantizes float queries for searching int8 rows quantized with `calibration`, so that the
 * integer dot ranks like the float dot of the query with the decoded rows. Throws
 * `DIMENSION_MISMATCH` when widths differ, `NOT_FINITE` for NaN/Infinity.
 *
 * Error bound: with `|c_i| <= 128`, a query's score differs from `q . decoded(row)` by at most
 * `128 * sum_i |w_i - g * a_i| <= 64 * g * dims` before the final float32 rounding.
 *
 * @example
 * ```ts
 * const cal = calibrateInt8(corpus, 'ranges');
 * const codes = quantizeInt8(corpus, cal);
 * const hits = searchInt8(quantizeInt8Query(queries, cal), codes, { k: 10 });
 * // same as searchInt8(queries, codes, { k: 10 }) with float queries
 * ```
 */
export function quantizeInt8Query(queries: Float32Matrix, calibration: Int8Calibration): Int8QueryCodes {
  assertFloat32Matrix(queries, 'queries');
  assertInt8Calibration(calibration, queries.dims);
  assertFinite(queries.data, 'queries', queries.dims);
  const { rows, dims, data } = queries;
  const affine = int8Affine(calibration);
  const codes = new Int8Array(rows * dims);
  const scale = new Float64Array(rows);
  const offset = new Float64Array(rows);
  const weights = new Float64Array(dims);
  for (let r = 0; r < rows; r++) {
    const base = r * dims;
    let constant = 0;
    let largest = 0;
    for (let i = 0; i < dims; i++) {
      const q = data[base + i];
      constant += q * affine.offset[i];
      const w = q * affine.scale[i];
      weights[i] = w;
      if (Math.abs(w) > largest) largest = Math.abs(w);
    }
    const g = largest / 127;
    if (g > 0) {
      for (let i = 0; i < dims; i++) {
        codes[base + i] = Math.max(-127, Math.min(127, Math.round(weights[i] / g)));
      }
    }
    scale[r] = g;
    offset[r] = constant;
  }
  return { data: codes, rows, dims, calibration, scale, offset };
}

/**
 * The float-scale score of one query row for an exact integer dot `intDot`:
 * `fround(scale * intDot + offset)`, computed in float64 and rounded once. Both the CPU and GPU
 * paths map their integer scores through this, so they agree exactly.
 */
export function int8QueryScore(queries: Int8QueryCodes, query: number, intDot: number): number {
  return Math.fround(queries.scale[query] * intDot + queries.offset[query]);
}

/**
 * Maps a top-k of integer dots (as returned for `queries`' codes) onto the float dot scale in
 * place. The order is unchanged: the map is non-decreasing in the integer dot.
 */
export function mapInt8QueryScores(queries: Int8QueryCodes, result: TopK): TopK {
  const { k, scores } = result;
  for (let q = 0; q < result.queries; q++) {
    for (let j = 0; j < k; j++) scores[q * k + j] = int8QueryScore(queries, q, scores[q * k + j]);
  }
  return result;
}
