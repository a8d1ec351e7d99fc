/**
 * The WebAssembly SIMD int8 dot-product kernel: corpus rows are copied a tile at a time into
 * the module's memory, the module scores each row exactly (`i32x4.dot_i16x8_s`) and returns only
 * rows that can enter the current top-k; the selection runs in JavaScript. Integer arithmetic
 * is exact, so results are identical to the JavaScript kernel.
 *
 * @module
 */
import { allocateTopK, createTopKHeap, drainTopK, offerTopK, type TopKHeap } from '../topk.js';
import type { Int8Matrix, TopK } from '../types.js';
import { align16, decodeBase64, ensureMemory, instantiateSync } from './instantiate.js';
import { INT8_DOT_WASM_BASE64 } from './int8-dot-wasm.js';

interface Int8Module {
  readonly memory: WebAssembly.Memory;
  readonly select: (q: number, c: number, nRows: number, dims: number, limit: number, out: number) => number;
  readonly dots: (q: number, c: number, nRows: number, dims: number, out: number) => void;
}

/** Instantiates the module, or `null` where WebAssembly SIMD is missing. */
export function instantiateInt8Module(
  bytes: Uint8Array<ArrayBuffer> = decodeBase64(INT8_DOT_WASM_BASE64),
): Int8Module | null {
  return instantiateSync<Int8Module>(bytes, ['select', 'dots']);
}

let cached: Int8Module | null | undefined;

/** The shared module instance, or `null` where WebAssembly SIMD is missing. */
export function int8Module(): Int8Module | null {
  cached ??= instantiateInt8Module();
  return cached;
}

const TILE_BYTES = 1 << 17;
const QUERY_GROUP = 16;

/** Exact int8 top-k through the module (`k` already checked and capped). */
export function searchInt8WithModule(
  module: Int8Module,
  queries: Int8Matrix,
  corpus: Int8Matrix,
  k: number,
  skip: Uint8Array | undefined,
): TopK {
  const dims = corpus.dims;
  const tileRows = Math.max(1, Math.min(corpus.rows, Math.floor(TILE_BYTES / dims)));
  const rowStride = dims;
  const pairsPtr = align16(QUERY_GROUP * rowStride);
  const tilePtr = align16(pairsPtr + tileRows * 8);
  ensureMemory(module.memory, tilePtr + tileRows * rowStride);
  const bytes = new Int8Array(module.memory.buffer);
  const pairs = new Int32Array(module.memory.buffer, pairsPtr, tileRows * 2);
  const group = Math.min(QUERY_GROUP, queries.rows);
  const out = allocateTopK(queries.rows, k);
  const heaps: TopKHeap[] = [];
  for (let i = 0; i < group; i++) heaps.push(createTopKHeap(k));
  for (let first = 0; first < queries.rows; first += group) {
    const count = Math.min(group, queries.rows - first);
    bytes.set(queries.data.subarray(first * dims, (first + count) * dims), 0);
    for (let start = 0; start < corpus.rows; start += tileRows) {
      const n = Math.min(tileRows, corpus.rows - start);
      bytes.set(corpus.data.subarray(start * dims, (start + n) * dims), tilePtr);
      for (let qi = 0; qi < count; qi++) {
        const heap = heaps[qi];
        // Scores are integers and rows arrive in increasing order: once full, a row must beat
        // the k-th score by at least 1.
        const limit = heap.size < heap.capacity ? -0x80000000 : heap.threshold + 1;
        const found = module.select(qi * rowStride, tilePtr, n, dims, limit, pairsPtr);
        for (let i = 0; i < found; i++) {
          const r = start + pairs[2 * i];
          if (skip === undefined || skip[r] === 0) offerTopK(heap, Math.fround(pairs[2 * i + 1]), r);
        }
      }
    }
    for (let qi = 0; qi < count; qi++) drainTopK(heaps[qi], out.indices, out.scores, (first + qi) * k);
  }
  return out;
}

/** Every score of one query row against every corpus row, through the module (for tests). */
export function int8DotsWithModule(module: Int8Module, query: Int8Array, corpus: Int8Matrix): Int32Array {
  const cPtr = align16(query.length);
  const outPtr = align16(cPtr + corpus.data.length);
  ensureMemory(module.memory, outPtr + corpus.rows * 4);
  const bytes = new Int8Array(module.memory.buffer);
  bytes.set(query, 0);
  bytes.set(corpus.data, cPtr);
  module.dots(0, cPtr, corpus.rows, corpus.dims, outPtr);
  return new Int32Array(module.memory.buffer, outPtr, corpus.rows).slice();
}
