/**
 * Exact Hamming search over packed sign bits: distance = number of differing bits, sorted
 * ascending, ties to the lower row. Uses the WebAssembly SIMD kernel when the runtime has it
 * (reading a corpus from `prepareBinaryCorpus` in place) and the plain JavaScript popcount
 * otherwise; both give identical results.
 *
 * @module
 */
import { popcount32 } from './binary.js';
import { allocateTopK, createTopKHeap, drainTopK, offerTopK, prepareSearch } from './topk.js';
import type { BinaryMatrix, SearchOptions, TopK } from './types.js';
import { assertBinaryMatrix, assertSameDims, assertKernel } from './validate.js';
import { binaryModule, searchHammingWasm, wasmMissing } from './wasm/binary-kernel.js';

/** Options of {@link searchHamming}. */
export interface HammingSearchOptions extends SearchOptions {
  /** `auto` (default): WebAssembly SIMD when available, else JavaScript. `js`/`wasm` force one. */
  readonly kernel?: 'auto' | 'js' | 'wasm';
}

/**
 * Exact top-k by Hamming distance (ascending; scores are the distances), ties to the lower row.
 * Throws `DIMENSION_MISMATCH`, `MISALIGNED_BUFFER`, `INVALID_K`, `EMPTY_CORPUS`.
 *
 * @example
 * ```ts
 * const hits = searchHamming(quantizeBinary(queries), quantizeBinary(corpus), { k: 10 });
 * ```
 */
export function searchHamming(
  queries: BinaryMatrix,
  corpus: BinaryMatrix,
  options: HammingSearchOptions,
): TopK {
  assertBinaryMatrix(queries, 'queries');
  assertBinaryMatrix(corpus, 'corpus');
  assertSameDims(corpus.dims, queries.dims, 'queries');
  const { k, skip } = prepareSearch(corpus.rows, options);
  const kernel = options.kernel ?? 'auto';
  assertKernel(kernel);
  if (kernel !== 'js') {
    const module = binaryModule();
    if (module !== null) return searchHammingWasm(module, queries, corpus, k, skip);
    if (kernel === 'wasm') throw wasmMissing();
  }
  return searchHammingJs(queries, corpus, k, skip);
}

/** The plain JavaScript kernel (also the reference the WebAssembly kernel is tested against). */
export function searchHammingJs(
  queries: BinaryMatrix,
  corpus: BinaryMatrix,
  k: number,
  skip: Uint8Array | undefined,
): TopK {
  const wpr = corpus.wordsPerRow;
  const out = allocateTopK(queries.rows, k);
  const heap = createTopKHeap(k);
  const cw = corpus.words;
  const qw = queries.words;
  for (let qi = 0; qi < queries.rows; qi++) {
    const qBase = qi * wpr;
    for (let r = 0; r < corpus.rows; r++) {
      if (skip !== undefined && skip[r] !== 0) continue;
      const base = r * wpr;
      let d = 0;
      for (let w = 0; w < wpr; w++) d += popcount32(qw[qBase + w] ^ cw[base + w]);
      const key = -d;
      if (key > heap.threshold) offerTopK(heap, key, r);
    }
    drainTopK(heap, out.indices, out.scores, qi * k, true);
  }
  return out;
}
