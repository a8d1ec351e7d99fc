/**
 * Asymmetric binary search: a float query scored against sign-bit corpus rows. Each corpus bit
 * stands for +1 (set) or -1 (clear), so
 * `score(q, x) = (sum of q_i where bit i is set - sum of q_i where it is clear) / c(x)`,
 * with `c(x) = 1` (`correction: 'none'`) or `c(x) = ||x||_1`, the L1 norm of the original float
 * row (`correction: 'l1'`, which puts the score on the scale of `q . x`). Sorted descending.
 *
 * Fast path: for each query and each byte position of a packed row, a 256-entry table holds
 * the partial score of every possible byte, so scanning a row is one table lookup and one add
 * a byte.
 *
 * @module
 */
import { WebEmbedError } from './errors.js';
import { allocateTopK, createTopKHeap, drainTopK, offerTopK, prepareSearch, type TopKHeap } from './topk.js';
import type { BinaryMatrix, Float32Matrix, SearchOptions, TopK } from './types.js';
import {
  assertBinaryMatrix,
  assertFinite,
  assertFloat32Matrix,
  assertKernel,
  assertSameDims,
} from './validate.js';
import { binaryModule, searchAsymmetricWasm, wasmMissing } from './wasm/binary-kernel.js';

/** How asymmetric scores are scaled per corpus row. */
export type AsymmetricCorrection = 'none' | 'l1';

/** Options of {@link searchBinaryAsymmetric}. */
export interface AsymmetricSearchOptions extends SearchOptions {
  /** `none` (default): raw signed sum. `l1`: divided by the row's L1 norm (needs `corpus.l1Norms`). */
  readonly correction?: AsymmetricCorrection;
  /** `auto` (default): WebAssembly when available, else JavaScript (identical scores). */
  readonly kernel?: 'auto' | 'js' | 'wasm';
}

/**
 * The asymmetric score of one float query against one packed row, computed bit by bit: the
 * plain definition, used as the reference for the table-driven kernel. A row whose L1 norm is 0
 * scores 0 under the `l1` correction.
 */
export function binaryAsymmetricScore(
  query: Float32Array,
  corpus: BinaryMatrix,
  row: number,
  correction: AsymmetricCorrection = 'none',
): number {
  assertBinaryMatrix(corpus, 'corpus');
  assertSameDims(corpus.dims, query.length, 'query');
  const base = row * corpus.wordsPerRow;
  let s = 0;
  for (let j = 0; j < corpus.dims; j++) {
    const bit = (corpus.words[base + (j >>> 5)] >>> (j & 31)) & 1;
    s += bit === 1 ? query[j] : -query[j];
  }
  if (correction === 'l1') {
    const l1 = requireL1Norms(corpus)[row];
    return l1 > 0 ? s / l1 : 0;
  }
  return s;
}

function requireL1Norms(corpus: BinaryMatrix): Float32Array {
  if (corpus.l1Norms === undefined) {
    throw new WebEmbedError(
      'INVALID_ARGUMENT',
      "correction 'l1' needs corpus.l1Norms (quantizeBinary computes them); this corpus was packed without norms",
    );
  }
  return corpus.l1Norms;
}

/**
 * Fills `table` (`wordsPerRow * 4 * 256` entries) with the partial scores of every byte value at
 * every byte position of a packed row for the query at `q[qOffset..qOffset+dims)`.
 */
export function buildAsymmetricTable(
  q: Float32Array,
  qOffset: number,
  dims: number,
  table: Float32Array,
): void {
  const bytes = table.length >>> 8;
  const partial = new Float64Array(256);
  const weights = new Float64Array(8);
  for (let p = 0; p < bytes; p++) {
    let total = 0;
    for (let b = 0; b < 8; b++) {
      const j = p * 8 + b;
      weights[b] = j < dims ? q[qOffset + j] : 0;
      total += weights[b];
    }
    partial[0] = -total;
    for (let v = 1; v < 256; v++) {
      const low = 31 - Math.clz32(v & -v);
      partial[v] = partial[v & (v - 1)] + 2 * weights[low];
    }
    table.set(partial, p << 8);
  }
}

/** Queries whose tables are built and scanned together (bounds table memory). */
const QUERY_GROUP = 32;
/** Corpus rows scanned per block, so a block stays in cache across the query group. */
const BLOCK_BYTES = 1 << 16;

/**
 * Exact top-k by asymmetric binary score (see module doc), descending, ties to the lower row.
 * Throws `DIMENSION_MISMATCH`, `MISALIGNED_BUFFER`, `INVALID_K`, `EMPTY_CORPUS`, `NOT_FINITE`
 * (query values), `INVALID_ARGUMENT` (`l1` without `l1Norms`, unknown correction).
 *
 * @example
 * ```ts
 * const bits = quantizeBinary(corpus); // keeps l1Norms
 * const hits = searchBinaryAsymmetric(queries, bits, { k: 10, correction: 'l1' });
 * ```
 */
export function searchBinaryAsymmetric(
  queries: Float32Matrix,
  corpus: BinaryMatrix,
  options: AsymmetricSearchOptions,
): TopK {
  assertFloat32Matrix(queries, 'queries');
  assertBinaryMatrix(corpus, 'corpus');
  assertSameDims(corpus.dims, queries.dims, 'queries');
  const correction = options?.correction ?? 'none';
  if (correction !== 'none' && correction !== 'l1') {
    throw new WebEmbedError(
      'INVALID_ARGUMENT',
      `correction must be 'none' or 'l1', got ${JSON.stringify(correction)}`,
    );
  }
  const { k, skip } = prepareSearch(corpus.rows, options);
  assertFinite(queries.data, 'queries', queries.dims);
  const kernel = options.kernel ?? 'auto';
  assertKernel(kernel);
  const l1 = correction === 'l1' ? requireL1Norms(corpus) : null;
  if (kernel !== 'js') {
    const module = binaryModule();
    if (module !== null) return searchAsymmetricWasm(module, queries, corpus, k, skip, l1 !== null);
    if (kernel === 'wasm') throw wasmMissing();
  }
  const out = allocateTopK(queries.rows, k);
  for (let first = 0; first < queries.rows; first += QUERY_GROUP) {
    const count = Math.min(QUERY_GROUP, queries.rows - first);
    scanGroup(queries, first, count, corpus, k, skip, l1, out);
  }
  return out;
}

function scanGroup(
  queries: Float32Matrix,
  first: number,
  count: number,
  corpus: BinaryMatrix,
  k: number,
  skip: Uint8Array | undefined,
  l1: Float32Array | null,
  out: TopK,
): void {
  const wpr = corpus.wordsPerRow;
  const tableSize = wpr * 1024;
  const tables = new Float32Array(count * tableSize);
  const heaps: TopKHeap[] = [];
  for (let i = 0; i < count; i++) {
    buildAsymmetricTable(
      queries.data,
      (first + i) * queries.dims,
      queries.dims,
      tables.subarray(i * tableSize, (i + 1) * tableSize),
    );
    heaps.push(createTopKHeap(k));
  }
  const words = corpus.words;
  const blockRows = Math.max(1, Math.floor(BLOCK_BYTES / (wpr * 4)));
  for (let start = 0; start < corpus.rows; start += blockRows) {
    const end = Math.min(corpus.rows, start + blockRows);
    for (let i = 0; i < count; i++) {
      const heap = heaps[i];
      const t0 = i * tableSize;
      for (let r = start; r < end; r++) {
        if (skip !== undefined && skip[r] !== 0) continue;
        const base = r * wpr;
        let s = 0;
        for (let w = 0, t = t0; w < wpr; w++, t += 1024) {
          const x = words[base + w];
          s +=
            tables[t + (x & 255)] +
            tables[t + 256 + ((x >>> 8) & 255)] +
            tables[t + 512 + ((x >>> 16) & 255)] +
            tables[t + 768 + (x >>> 24)];
        }
        // A row whose norm is not > 0 scores 0 (times the f64 inverse, like the WebAssembly kernel).
        const key = Math.fround(l1 === null ? s : s * (l1[r] > 0 ? 1 / l1[r] : 0));
        if (key > heap.threshold) offerTopK(heap, key, r);
      }
    }
  }
  for (let i = 0; i < count; i++) drainTopK(heaps[i], out.indices, out.scores, (first + i) * k);
}
