/**
 * The WebAssembly SIMD int8 dot-product kernel (int8-dot.wat): corpus rows are copied a tile at a
 * time into the module's memory, and each query of a group scans the tile while it is in cache,
 * scoring each row exactly (`i32x4.dot_i16x8_s`) and keeping its top-k in the module. Integer
 * arithmetic is exact, so results are identical to the JavaScript kernel.
 *
 * @module
 */
import { allocateTopK } from '../topk.js';
import type { Int8Matrix, TopK } from '../types.js';
import { align16, decodeBase64, ensureMemory, instantiateSync } from './instantiate.js';
import { INT8_DOT_WASM_BASE64 } from './int8-dot-wasm.js';
import { copySkip, drainHeaps, heapBytes, queryGroup, regions, reserve } from './scratch.js';

interface Int8Module {
  readonly memory: WebAssembly.Memory;
  readonly heapReset: (h: number, capacity: number) => void;
  readonly widen: (q: number, dims: number, out: number) => void;
  readonly select: (
    q16: number,
    c: number,
    nRows: number,
    dims: number,
    row0: number,
    skip: number,
    h: number,
  ) => void;
  readonly dots: (q: number, c: number, nRows: number, dims: number, out: number) => void;
}

/** Instantiates the module, or `null` where WebAssembly SIMD is missing. */
export function instantiateInt8Module(
  bytes: Uint8Array<ArrayBuffer> = decodeBase64(INT8_DOT_WASM_BASE64),
): Int8Module | null {
  return instantiateSync<Int8Module>(bytes, ['select', 'dots', 'widen', 'heapReset']);
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
  const padded = align16(dims);
  const tileRows = Math.max(1, Math.min(corpus.rows, Math.floor(TILE_BYTES / dims)));
  const group = queryGroup(queries.rows, k, QUERY_GROUP);
  const layout = regions(16);
  const codes = layout.take(group * padded + 16);
  const wide = layout.take(group * 2 * padded);
  const heaps = layout.take(group * heapBytes(k));
  const skipAt = layout.take(corpus.rows);
  const tile = layout.take(tileRows * dims);
  const buffer = reserve(module.memory, layout);
  const skipPtr = copySkip(buffer, skipAt, skip);
  const bytes = new Int8Array(buffer);
  const out = allocateTopK(queries.rows, k);
  for (let first = 0; first < queries.rows; first += group) {
    const count = Math.min(group, queries.rows - first);
    for (let i = 0; i < count; i++) {
      const row = (first + i) * dims;
      bytes.set(queries.data.subarray(row, row + dims), codes + i * padded);
      module.widen(codes + i * padded, dims, wide + i * 2 * padded);
      module.heapReset(heaps + i * heapBytes(k), k);
    }
    for (let start = 0; start < corpus.rows; start += tileRows) {
      const n = Math.min(tileRows, corpus.rows - start);
      bytes.set(corpus.data.subarray(start * dims, (start + n) * dims), tile);
      for (let i = 0; i < count; i++) {
        module.select(
          wide + i * 2 * padded,
          tile,
          n,
          dims,
          start,
          skipPtr === 0 ? 0 : skipPtr + start,
          heaps + i * heapBytes(k),
        );
      }
    }
    drainHeaps(buffer, heaps, k, count, out, first, false);
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
