/**
 * The WebAssembly float32 dot-product kernel (float-dot.wat): rows are screened with float32
 * SIMD and a rounding bound, and only rows that can enter the top-k are scored with the float64
 * arithmetic of the JavaScript kernel, so scores are bit-identical. The top-k is selected in the
 * module.
 *
 * A corpus passed as it is gets copied into module memory a tile at a time (with the inverse
 * norms for cosine). A corpus from {@link prepareFloatCorpus} already lives in its own module's
 * memory and is read in place.
 *
 * @module
 */
import { WebEmbedError } from '../errors.js';
import { allocateTopK } from '../topk.js';
import type { Float32Matrix, TopK } from '../types.js';
import { assertFloat32Matrix } from '../validate.js';
import { FLOAT_DOT_WASM_BASE64 } from './float-dot-wasm.js';
import { decodeBase64, instantiateSync } from './instantiate.js';
import { copySkip, drainHeaps, heapBytes, queryGroup, regions, reserve } from './scratch.js';

interface FloatModule {
  readonly memory: WebAssembly.Memory;
  readonly heapReset: (h: number, capacity: number) => void;
  readonly select: (
    q: number,
    c: number,
    nRows: number,
    dims: number,
    inv: number,
    row0: number,
    skip: number,
    err: number,
    h: number,
  ) => number;
}

/** Instantiates the module, or `null` where WebAssembly SIMD is missing. */
export function instantiateFloatModule(
  bytes: Uint8Array<ArrayBuffer> = decodeBase64(FLOAT_DOT_WASM_BASE64),
): FloatModule | null {
  return instantiateSync<FloatModule>(bytes, ['select', 'heapReset']);
}

let cached: FloatModule | null | undefined;

/** The shared module instance, or `null` where WebAssembly SIMD is missing. */
export function floatModule(): FloatModule | null {
  cached ??= instantiateFloatModule();
  return cached;
}

const TILE_BYTES = 1 << 17;
const QUERY_GROUP = 16;
/** Largest `k` a prepared corpus serves in place (its scratch is sized once; larger `k` copies). */
const PREPARED_K = 1024;

/**
 * The float32 screen's error factor: the float64 key of a row differs from its float32 score by
 * at most `(dims / 4 + 8) * 2^-24` times the sum of the products' magnitudes (four running sums
 * of dims / 4 products, their reduction, the inverse norm and the final rounding); four times
 * that leaves room for the rounding of the bound itself.
 */
function screenError(dims: number): number {
  return (dims + 32) * 2 ** -24;
}

interface PreparedFloat {
  readonly module: FloatModule;
  readonly rows: number;
  readonly dims: number;
  /** Offset of the rows in module memory. */
  readonly data: number;
  /** Fixed scratch after the rows: query group, heaps, inverse norms, skip mask. */
  readonly queries: number;
  readonly heaps: number;
  readonly inverse: number;
  readonly skip: number;
}

/** Prepared corpora, keyed by the `data` view `prepareFloatCorpus` returned. */
const prepared = new WeakMap<Float32Array, PreparedFloat>();

/**
 * Copies a float32 corpus once into the memory of its own WebAssembly instance and returns a
 * matrix whose `data` is a view of that memory: exact searches over it (`searchFloat`, including
 * two-stage float32 rescoring) read rows in place instead of copying every row on every search.
 * Treat `data` as read-only (changing it changes what searches see); prepare again for a new
 * corpus version. Sending the matrix to another thread copies the whole module memory. Without
 * WebAssembly SIMD, or when the memory cannot grow that far, returns `corpus` unchanged. Throws
 * `MISALIGNED_BUFFER` for a malformed matrix.
 *
 * @example
 * ```ts
 * const corpus = prepareFloatCorpus(normalizeRows(toMatrix(vectors, 384)));
 * const hits = searchFloat(queries, corpus, { k: 10 }); // no per-search copy
 * ```
 */
export function prepareFloatCorpus(corpus: Float32Matrix): Float32Matrix {
  assertFloat32Matrix(corpus, 'corpus');
  const module = instantiateFloatModule();
  if (module === null) return corpus;
  const { rows, dims } = corpus;
  const layout = regions(16);
  const at = layout.take(rows * dims * 4);
  const queries = layout.take(QUERY_GROUP * dims * 4);
  const heaps = layout.take(QUERY_GROUP * heapBytes(PREPARED_K));
  const inverse = layout.take(rows * 8);
  const skip = layout.take(rows);
  let buffer: ArrayBuffer;
  try {
    buffer = reserve(module.memory, layout);
  } catch {
    return corpus; // the memory cannot grow that far here: keep searching the array as it is
  }
  const data = new Float32Array(buffer, at, rows * dims);
  data.set(corpus.data.subarray(0, rows * dims));
  prepared.set(data, { module, rows, dims, data: at, queries, heaps, inverse, skip });
  return { data, rows, dims };
}

function notFiniteRow(row: number): WebEmbedError {
  return new WebEmbedError(
    'NOT_FINITE',
    `corpus row ${row} scores a non-finite similarity; it holds NaN or Infinity (expected finite values)`,
    { row },
  );
}

/**
 * Float top-k through the module. `q` holds `queryRows` rows of `dims` values (already unit
 * length for cosine); `inverseNorms` is `null` for dot. Throws `NOT_FINITE` for the first
 * unskipped row whose score is not finite.
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
  const p = prepared.get(corpus);
  if (p !== undefined && p.rows === corpusRows && p.dims === dims && k <= PREPARED_K) {
    return searchPrepared(p, q, queryRows, k, skip, inverseNorms);
  }
  const rowBytes = dims * 4;
  const tileRows = Math.max(1, Math.min(corpusRows, Math.floor(TILE_BYTES / rowBytes)));
  const group = queryGroup(queryRows, k, QUERY_GROUP);
  const layout = regions(16);
  const queries = layout.take(group * rowBytes);
  const heaps = layout.take(group * heapBytes(k));
  const skipAt = layout.take(corpusRows);
  const inverse = layout.take(tileRows * 8);
  const tile = layout.take(tileRows * rowBytes);
  const buffer = reserve(module.memory, layout);
  const skipPtr = copySkip(buffer, skipAt, skip);
  const floats = new Float32Array(buffer);
  const inverseView = new Float64Array(buffer, inverse, tileRows);
  const err = screenError(dims);
  const out = allocateTopK(queryRows, k);
  for (let first = 0; first < queryRows; first += group) {
    const count = Math.min(group, queryRows - first);
    floats.set(q.subarray(first * dims, (first + count) * dims), queries >>> 2);
    for (let i = 0; i < count; i++) module.heapReset(heaps + i * heapBytes(k), k);
    for (let start = 0; start < corpusRows; start += tileRows) {
      const n = Math.min(tileRows, corpusRows - start);
      floats.set(corpus.subarray(start * dims, (start + n) * dims), tile >>> 2);
      if (inverseNorms !== null) inverseView.set(inverseNorms.subarray(start, start + n));
      for (let i = 0; i < count; i++) {
        const bad = module.select(
          queries + i * rowBytes,
          tile,
          n,
          dims,
          inverseNorms === null ? 0 : inverse,
          start,
          skipPtr === 0 ? 0 : skipPtr + start,
          err,
          heaps + i * heapBytes(k),
        );
        if (bad >= 0) throw notFiniteRow(bad);
      }
    }
    drainHeaps(buffer, heaps, k, count, out, first, false);
  }
  return out;
}

/** The in-place search of a prepared corpus, within the scratch reserved when it was prepared. */
function searchPrepared(
  p: PreparedFloat,
  q: Float32Array,
  queryRows: number,
  k: number,
  skip: Uint8Array | undefined,
  inverseNorms: Float64Array | null,
): TopK {
  const { module, rows, dims } = p;
  const buffer = module.memory.buffer;
  const skipPtr = copySkip(buffer, p.skip, skip);
  if (inverseNorms !== null) new Float64Array(buffer, p.inverse, rows).set(inverseNorms);
  const floats = new Float32Array(buffer);
  const data = p.data;
  const rowBytes = dims * 4;
  const tileRows = Math.max(1, Math.floor(TILE_BYTES / rowBytes));
  const err = screenError(dims);
  const out = allocateTopK(queryRows, k);
  for (let first = 0; first < queryRows; first += QUERY_GROUP) {
    const count = Math.min(QUERY_GROUP, queryRows - first);
    floats.set(q.subarray(first * dims, (first + count) * dims), p.queries >>> 2);
    for (let i = 0; i < count; i++) module.heapReset(p.heaps + i * heapBytes(k), k);
    // One pass for a single query; tile by tile for a group, so each tile stays in cache.
    const step = count === 1 ? rows : tileRows;
    for (let start = 0; start < rows; start += step) {
      const n = Math.min(step, rows - start);
      for (let i = 0; i < count; i++) {
        const bad = module.select(
          p.queries + i * rowBytes,
          data + start * rowBytes,
          n,
          dims,
          inverseNorms === null ? 0 : p.inverse + 8 * start,
          start,
          skipPtr === 0 ? 0 : skipPtr + start,
          err,
          p.heaps + i * heapBytes(k),
        );
        if (bad >= 0) throw notFiniteRow(bad);
      }
    }
    drainHeaps(buffer, p.heaps, k, count, out, first, false);
  }
  return out;
}
