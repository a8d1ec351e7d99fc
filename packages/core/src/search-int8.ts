/**
 * Exact search over int8 codes. The kernel always takes the exact integer dot of query codes
 * and corpus codes (no decoding). What the query codes mean depends on what is passed:
 * - float queries (a Float32Matrix), or codes from `quantizeInt8Query`: calibration-aware; the
 *   codes are the query's per-dimension weights `q_i * s_i` on one global step, so the ranking
 *   follows the float dot of the query with the decoded rows, and scores are reported on that
 *   float dot scale (`scale * intDot + offset`, see int8-query.ts). This is the mode to use.
 * - raw codes from `quantizeInt8` (legacy): the score is the integer dot of the codes
 *   themselves, which ignores each dimension's step and offset and ranks worse.
 * Both sides must carry the same calibration.
 *
 * @module
 */
import { WebEmbedError } from './errors.js';
import { sameCalibration } from './int8.js';
import { isInt8QueryCodes, mapInt8QueryScores, quantizeInt8Query } from './int8-query.js';
import { allocateTopK, createTopKHeap, drainTopK, offerTopK, prepareSearch } from './topk.js';
import type { Float32Matrix, Int8Matrix, SearchOptions, TopK } from './types.js';
import { assertInt8Matrix, assertSameDims, assertKernel } from './validate.js';
import { int8Module, searchInt8WithModule } from './wasm/int8-kernel.js';

/** Options of {@link searchInt8}. */
export interface Int8SearchOptions extends SearchOptions {
  /** `auto` (default): WebAssembly SIMD when available, else JavaScript. `js`/`wasm` force one. */
  readonly kernel?: 'auto' | 'js' | 'wasm';
}

/** Exact integer dot of two code rows, no checks. */
export function int8DotAt(a: Int8Array, aOffset: number, b: Int8Array, bOffset: number, n: number): number {
  let s0 = 0;
  let s1 = 0;
  let i = 0;
  const n2 = n - (n & 1);
  for (; i < n2; i += 2) {
    s0 = (s0 + a[aOffset + i] * b[bOffset + i]) | 0;
    s1 = (s1 + a[aOffset + i + 1] * b[bOffset + i + 1]) | 0;
  }
  if (i < n) s0 = (s0 + a[aOffset + i] * b[bOffset + i]) | 0;
  return (s0 + s1) | 0;
}

/**
 * Exact top-k by integer dot product of int8 codes, descending, ties to the lower row.
 * Float queries are quantized with the corpus calibration by `quantizeInt8Query` and their
 * scores are on the float dot scale (ranked by the exact integer dot of their weight codes);
 * `Int8QueryCodes` are used as given; plain `Int8Matrix` queries keep the raw-code semantics
 * (score = integer dot of the codes). Throws `MODEL_MISMATCH` when queries and corpus were
 * quantized with different calibrations, plus the usual `DIMENSION_MISMATCH`, `NOT_FINITE`,
 * `INVALID_K`, `EMPTY_CORPUS`, `MISALIGNED_BUFFER`. Runs on WebAssembly SIMD where available
 * (identical results: the arithmetic is exact).
 *
 * @example
 * ```ts
 * const cal = calibrateInt8(corpus, 'ranges');
 * const hits = searchInt8(queries, quantizeInt8(corpus, cal), { k: 10 }); // float queries
 * ```
 */
export function searchInt8(
  queries: Float32Matrix | Int8Matrix,
  corpus: Int8Matrix,
  options: Int8SearchOptions,
): TopK {
  if (queries && queries.data instanceof Float32Array) {
    assertInt8Matrix(corpus, 'corpus');
    const codes = quantizeInt8Query(queries as Float32Matrix, corpus.calibration);
    return searchInt8(codes, corpus, options);
  }
  const codes = queries as Int8Matrix;
  assertInt8Matrix(codes, 'queries');
  const calibrated = isInt8QueryCodes(codes);
  if (calibrated && (codes.scale.length < codes.rows || codes.offset.length < codes.rows)) {
    throw new WebEmbedError(
      'MISALIGNED_BUFFER',
      `int8 query codes hold ${codes.scale.length} scales and ${codes.offset.length} offsets, expected ${codes.rows} of each`,
      { expected: codes.rows, actual: Math.min(codes.scale.length, codes.offset.length) },
    );
  }
  const result = searchInt8Codes(codes, corpus, options);
  return calibrated ? mapInt8QueryScores(codes, result) : result;
}

/** The integer search itself: scores are the (float32-rounded) integer dots. */
function searchInt8Codes(queries: Int8Matrix, corpus: Int8Matrix, options: Int8SearchOptions): TopK {
  assertInt8Matrix(corpus, 'corpus');
  assertSameDims(corpus.dims, queries.dims, 'queries');
  if (!sameCalibration(queries.calibration, corpus.calibration)) {
    throw new WebEmbedError(
      'MODEL_MISMATCH',
      'queries and corpus were quantized with different int8 calibrations; quantize queries with the calibration stored with the corpus',
    );
  }
  const { k, skip } = prepareSearch(corpus.rows, options);
  const kernel = options.kernel ?? 'auto';
  assertKernel(kernel);
  if (kernel !== 'js') {
    const module = int8Module();
    if (module !== null) return searchInt8WithModule(module, queries, corpus, k, skip);
    if (kernel === 'wasm') {
      throw new WebEmbedError(
        'INVALID_ARGUMENT',
        "kernel 'wasm' was requested but this runtime has no WebAssembly SIMD; use kernel 'auto' or 'js'",
      );
    }
  }
  return searchInt8Js(queries, corpus, k, skip);
}

/** The plain JavaScript kernel (also the reference the WebAssembly kernel is tested against). */
export function searchInt8Js(
  queries: Int8Matrix,
  corpus: Int8Matrix,
  k: number,
  skip: Uint8Array | undefined,
): TopK {
  const dims = corpus.dims;
  const out = allocateTopK(queries.rows, k);
  const heap = createTopKHeap(k);
  const q = queries.data;
  const data = corpus.data;
  for (let qi = 0; qi < queries.rows; qi++) {
    const qBase = qi * dims;
    for (let r = 0; r < corpus.rows; r++) {
      if (skip !== undefined && skip[r] !== 0) continue;
      const key = Math.fround(int8DotAt(q, qBase, data, r * dims, dims));
      if (key > heap.threshold) offerTopK(heap, key, r);
    }
    drainTopK(heap, out.indices, out.scores, qi * k);
  }
  return out;
}
