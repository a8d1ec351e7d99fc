/**
 * Module-memory bookkeeping the WebAssembly kernels share: 16-byte aligned regions carved out
 * of a module's memory for one search call, the byte size of a top-k heap (topk-heap.wati),
 * and reading a heap back as ranked hits. Regions are reused call after call (the memory only
 * grows), so a search allocates nothing in proportion to the corpus.
 *
 * @module
 */
import { writeRanked } from '../topk.js';
import type { TopK } from '../types.js';
import { align16, ensureMemory } from './instantiate.js';

/** Regions handed out one after another from `base`; `end` is the first byte past them. */
export interface Regions {
  /** Reserves `bytes` (rounded up to 16) and returns their offset. */
  take(bytes: number): number;
  readonly end: number;
}

/** Starts handing out regions at `base`. */
export function regions(base: number): Regions {
  let end = align16(base);
  return {
    take(bytes) {
      const at = end;
      end = align16(end + bytes);
      return at;
    },
    get end() {
      return end;
    },
  };
}

/** Grows `memory` to hold every region of `layout` and returns its (new) buffer. */
export function reserve(memory: WebAssembly.Memory, layout: Regions): ArrayBuffer {
  ensureMemory(memory, layout.end);
  return memory.buffer;
}

/** Bytes of one heap holding `capacity` hits: a 16-byte header, then (f32 key, i32 row) pairs. */
export function heapBytes(capacity: number): number {
  return 16 + 8 * capacity;
}

/** Module memory the heaps of one query group may take (large `k` means smaller groups). */
const HEAP_BUDGET = 1 << 24;

/** How many queries to search together: at most `most`, fewer when their heaps get large. */
export function queryGroup(queries: number, k: number, most: number): number {
  return Math.max(1, Math.min(queries, most, Math.floor(HEAP_BUDGET / heapBytes(k))));
}

/**
 * Writes the hits of the heap at `h` best-first into `indices`/`scores` at `offset`
 * (`negate`: scores are `-key`, for distances).
 */
export function drainHeap(
  buffer: ArrayBuffer,
  h: number,
  indices: Int32Array,
  scores: Float32Array,
  offset: number,
  negate: boolean,
): void {
  const n = new Int32Array(buffer, h, 1)[0];
  const keys = new Float32Array(n);
  const rows = new Int32Array(n);
  const keyView = new Float32Array(buffer, h + 16, 2 * n);
  const rowView = new Int32Array(buffer, h + 16, 2 * n);
  for (let i = 0; i < n; i++) {
    keys[i] = keyView[2 * i];
    rows[i] = rowView[2 * i + 1];
  }
  writeRanked(keys, rows, n, indices, scores, offset, negate);
}

/**
 * Drains the `count` heaps at `heaps` (one `heapBytes(k)` apart) into rows `first ..` of `out`.
 */
export function drainHeaps(
  buffer: ArrayBuffer,
  heaps: number,
  k: number,
  count: number,
  out: TopK,
  first: number,
  negate: boolean,
): void {
  for (let i = 0; i < count; i++) {
    drainHeap(buffer, heaps + i * heapBytes(k), out.indices, out.scores, (first + i) * k, negate);
  }
}

/**
 * Copies `skip` into module memory at `at` (one byte a row) and returns `at`, or 0 (no mask)
 * when `skip` is undefined. Kernels never place a mask at offset 0.
 */
export function copySkip(buffer: ArrayBuffer, at: number, skip: Uint8Array | undefined): number {
  if (skip === undefined) return 0;
  new Uint8Array(buffer, at, skip.length).set(skip);
  return at;
}
