/**
 * Exact search over int8 codes. The score of query codes `a` and corpus codes `b` is the exact
 * integer dot product `sum_i a_i * b_i` of the codes themselves (no decoding), sorted
 * descending. With the `symmetric` scheme, and with equal steps across dimensions, this ranks
 * like the float dot product of the decoded vectors; with `ranges`, the per-dimension offsets
 * make it an approximation: use two-stage rescoring (`searchTwoStage` with `rescore: 'int8'`) for
 * scores on the float scale. Both sides must carry the same calibration.
 *
 * @module
 */
import { WebEmbedError } from './errors.js';
import { sameCalibration } from './int8.js';
import { allocateTopK, createTopKHeap, drainTopK, offerTopK, prepareSearch } from './topk.js';
import type { Int8Matrix, SearchOptions, TopK } from './types.js';
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
 * Throws `MODEL_MISMATCH` when queries and corpus were quantized with different calibrations,
 * plus the usual `DIMENSION_MISMATCH`, `INVALID_K`, `EMPTY_CORPUS`, `MISALIGNED_BUFFER`. Runs on
 * WebAssembly SIMD where available (identical results: the arithmetic is exact).
 *
 * @example
 * ```ts
 * const cal = calibrateInt8(corpus, 'symmetric');
 * const hits = searchInt8(quantizeInt8(queries, cal), quantizeInt8(corpus, cal), { k: 10 });
 * ```
 */
export function searchInt8(queries: Int8Matrix, corpus: Int8Matrix, options: Int8SearchOptions): TopK {
  assertInt8Matrix(queries, 'queries');
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
