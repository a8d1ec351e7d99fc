/**
 * The WebAssembly float32 dot-product kernel: float64 SIMD arithmetic laid out exactly like the
 * JavaScript kernel, so scores are bit-identical. Corpus rows (and inverse norms for cosine)
 * are copied a tile at a time; the module returns only rows that can enter the current top-k
 * or whose score is not finite.
 *
 * @module
 */
import { WebEmbedError } from '../errors.js';
import { allocateTopK, createTopKHeap, drainTopK, offerTopK, type TopKHeap } from '../topk.js';
import type { TopK } from '../types.js';
import { FLOAT_DOT_WASM_BASE64 } from './float-dot-wasm.js';
import { align16, decodeBase64, ensureMemory, instantiateSync } from './instantiate.js';

interface FloatModule {
  readonly memory: WebAssembly.Memory;
  readonly select: (
    q: number,
    c: number,
    nRows: number,
    dims: number,
    inv: number,
    limit: number,
    out: number,
  ) => number;
}

/** Instantiates the module, or `null` where WebAssembly SIMD is missing. */
export function instantiateFloatModule(
  bytes: Uint8Array<ArrayBuffer> = decodeBase64(FLOAT_DOT_WASM_BASE64),
): FloatModule | null {
  return instantiateSync<FloatModule>(bytes, ['select']);
}

let cached: FloatModule | null | undefined;

/** The shared module instance, or `null` where WebAssembly SIMD is missing. */
export function floatModule(): FloatModule | null {
  cached ??= instantiateFloatModule();
  return cached;
}

const TILE_BYTES = 1 << 17;
const QUERY_GROUP = 16;

/**
 * Float top-k through the module. `q` holds `queryRows` rows of `dims` values (already unit
 * length for cosine); `inverseNorms` is `null` for dot.
 */
export function searchFloatWithModule(
  module: FloatModule,
  q: Float32Array,
  queryRows: number,
  corpus: Float32Array,
  corpusRows: number,
  dims: number,
  k: number,
  skip: Uint8Array | undefined,
  inverseNorms: Float64Array | null,
): TopK {
  const rowBytes = dims * 4;
  const tileRows = Math.max(1, Math.min(corpusRows, Math.floor(TILE_BYTES / rowBytes)));
  const group = Math.min(QUERY_GROUP, queryRows);
  const invPtr = align16(group * rowBytes);
  const pairsPtr = align16(invPtr + tileRows * 8);
  const tilePtr = align16(pairsPtr + tileRows * 8);
  ensureMemory(module.memory, tilePtr + tileRows * rowBytes);
  const buffer = module.memory.buffer;
  const floats = new Float32Array(buffer);
  const inverse = new Float64Array(buffer, invPtr, tileRows);
  const pairRows = new Int32Array(buffer, pairsPtr, tileRows * 2);
  const pairKeys = new Float32Array(buffer, pairsPtr, tileRows * 2);
  const out = allocateTopK(queryRows, k);
  const heaps: TopKHeap[] = [];
  for (let i = 0; i < group; i++) heaps.push(createTopKHeap(k));
  for (let first = 0; first < queryRows; first += group) {
    const count = Math.min(group, queryRows - first);
    floats.set(q.subarray(first * dims, (first + count) * dims), 0);
    for (let start = 0; start < corpusRows; start += tileRows) {
      const n = Math.min(tileRows, corpusRows - start);
      floats.set(corpus.subarray(start * dims, (start + n) * dims), tilePtr >>> 2);
      if (inverseNorms !== null) inverse.set(inverseNorms.subarray(start, start + n));
      for (let qi = 0; qi < count; qi++) {
        const heap = heaps[qi];
        const found = module.select(
          qi * rowBytes,
          tilePtr,
          n,
          dims,
          inverseNorms === null ? 0 : invPtr,
          heap.threshold,
          pairsPtr,
        );
        for (let i = 0; i < found; i++) {
          const r = start + pairRows[2 * i];
          if (skip !== undefined && skip[r] !== 0) continue;
          const key = pairKeys[2 * i + 1];
          if (key - key !== 0) {
            throw new WebEmbedError(
              'NOT_FINITE',
              `corpus row ${r} scores a non-finite similarity; it holds NaN or Infinity (expected finite values)`,
              { row: r },
            );
          }
          offerTopK(heap, key, r);
        }
      }
    }
    for (let qi = 0; qi < count; qi++) drainTopK(heaps[qi], out.indices, out.scores, (first + qi) * k);
  }
  return out;
}
