/**
 * Bounded top-k selection: a k-sized binary heap whose root is the worst kept hit, so each
 * candidate costs one comparison unless it beats the current k-th best. Higher keys are
 * better; among equal keys the lower row index wins. Distances (smaller is better) are fed in
 * negated.
 *
 * @module
 */
import { WebEmbedError } from './errors.js';
import type { SearchOptions, TopK } from './types.js';
import { assertCorpus, assertK, searchableRows } from './validate.js';

/** A k-sized selection in progress. `threshold` is the key a new hit must beat once full. */
export interface TopKHeap {
  readonly capacity: number;
  size: number;
  /** Key of the worst kept hit when the heap is full, `-Infinity` before. */
  threshold: number;
  readonly keys: Float64Array;
  readonly rows: Int32Array;
}

/** A new empty selection keeping at most `capacity` hits. */
export function createTopKHeap(capacity: number): TopKHeap {
  return {
    capacity,
    size: 0,
    threshold: Number.NEGATIVE_INFINITY,
    keys: new Float64Array(capacity),
    rows: new Int32Array(capacity),
  };
}

/** Empties a selection for reuse with the next query. */
export function resetTopKHeap(heap: TopKHeap): void {
  heap.size = 0;
  heap.threshold = Number.NEGATIVE_INFINITY;
}

/** True when hit (keyA, rowA) ranks strictly below hit (keyB, rowB). */
function worse(keyA: number, rowA: number, keyB: number, rowB: number): boolean {
  return keyA < keyB || (keyA === keyB && rowA > rowB);
}

/**
 * Offers one hit. Rows may arrive in any order; ties on key keep the lower row. Callers that
 * scan rows in increasing order may skip the call whenever `key <= heap.threshold`.
 */
export function offerTopK(heap: TopKHeap, key: number, row: number): void {
  const { keys, rows, capacity } = heap;
  if (heap.size < capacity) {
    // Sift up from the end: parents must be worse than (or equal rank to) children.
    let i = heap.size++;
    while (i > 0) {
      const parent = (i - 1) >> 1;
      if (!worse(key, row, keys[parent], rows[parent])) break;
      keys[i] = keys[parent];
      rows[i] = rows[parent];
      i = parent;
    }
    keys[i] = key;
    rows[i] = row;
    if (heap.size === capacity) heap.threshold = keys[0];
    return;
  }
  if (!worse(keys[0], rows[0], key, row)) return;
  // Replace the root and sift down.
  const size = heap.size;
  let i = 0;
  for (;;) {
    const left = 2 * i + 1;
    if (left >= size) break;
    const right = left + 1;
    let child = left;
    if (right < size && worse(keys[right], rows[right], keys[left], rows[left])) child = right;
    if (!worse(keys[child], rows[child], key, row)) break;
    keys[i] = keys[child];
    rows[i] = rows[child];
    i = child;
  }
  keys[i] = key;
  rows[i] = row;
  heap.threshold = keys[0];
}

/**
 * Writes the kept hits best-first into `indices`/`scores` at `offset` (`heap.size` entries) and
 * empties the heap. `negate` turns keys back into distances.
 */
export function drainTopK(
  heap: TopKHeap,
  indices: Int32Array,
  scores: Float32Array,
  offset: number,
  negate = false,
): void {
  writeRanked(heap.keys, heap.rows, heap.size, indices, scores, offset, negate);
  resetTopKHeap(heap);
}

/**
 * Writes `n` hits `(keys[i], rows[i])`, given in any order, best-first (higher key, then lower
 * row) into `indices`/`scores` at `offset`; `negate` writes `-key`. Shared by the JavaScript heap
 * and the heaps the WebAssembly kernels keep in their memory.
 */
export function writeRanked(
  keys: ArrayLike<number>,
  rows: ArrayLike<number>,
  n: number,
  indices: Int32Array,
  scores: Float32Array,
  offset: number,
  negate: boolean,
): void {
  const order = new Int32Array(n);
  for (let i = 0; i < n; i++) order[i] = i;
  order.sort((a, b) =>
    worse(keys[a], rows[a], keys[b], rows[b]) ? 1 : worse(keys[b], rows[b], keys[a], rows[a]) ? -1 : 0,
  );
  for (let i = 0; i < n; i++) {
    const j = order[i];
    indices[offset + i] = rows[j];
    scores[offset + i] = negate ? 0 - keys[j] : keys[j];
  }
}

/** Allocates an empty `queries x k` result. */
export function allocateTopK(queries: number, k: number): TopK {
  return { queries, k, indices: new Int32Array(queries * k), scores: new Float32Array(queries * k) };
}

/**
 * Checks `k` and caps it at the number of searchable rows, throwing `EMPTY_CORPUS` when every
 * row is tombstoned.
 */
export function effectiveK(k: number, searchable: number): number {
  if (searchable === 0) {
    throw new WebEmbedError(
      'EMPTY_CORPUS',
      'every corpus row is marked deleted in the skip mask; nothing left to search',
    );
  }
  return Math.min(k, searchable);
}

/**
 * The checks every search starts with: `k` a positive integer (`INVALID_K`), a non-empty corpus
 * (`EMPTY_CORPUS`), a skip mask of one byte a row (`MISALIGNED_BUFFER`). Returns `k` capped at
 * the number of live rows and the mask.
 */
export function prepareSearch(
  corpusRows: number,
  options: SearchOptions,
): { k: number; skip: Uint8Array | undefined } {
  if (!options || typeof options !== 'object') {
    throw new WebEmbedError('INVALID_ARGUMENT', 'search options must be an object with at least { k }');
  }
  assertK(options.k);
  assertCorpus(corpusRows, options.skip);
  return { k: effectiveK(options.k, searchableRows(corpusRows, options.skip)), skip: options.skip };
}
