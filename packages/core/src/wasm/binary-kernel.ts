/**
 * The WebAssembly SIMD kernels over packed sign bits (binary.wat): Hamming distance and the
 * asymmetric score of a float query, with the top-k selected inside the module. Results are
 * identical to the JavaScript kernels (same distances, same f64 asymmetric arithmetic, same
 * tie rule).
 *
 * A corpus passed as it is gets copied into module memory a tile at a time. A corpus from
 * {@link prepareBinaryCorpus} lives in its own module instance, already in the 16-row block
 * layout the fastest kernels read (FastScan-style nibble lookups for the asymmetric score,
 * 16 rows per instruction for Hamming), so a search copies nothing.
 *
 * @module
 */
import { WebEmbedError } from '../errors.js';
import { allocateTopK } from '../topk.js';
import type { BinaryMatrix, Float32Matrix, TopK } from '../types.js';
import { assertBinaryMatrix } from '../validate.js';
import { BINARY_WASM_BASE64 } from './binary-wasm.js';
import { decodeBase64, instantiateSync } from './instantiate.js';
import { copySkip, drainHeap, drainHeaps, heapBytes, queryGroup, regions, reserve } from './scratch.js';

/** The exports of binary.wat. */
export interface BinaryModule {
  readonly memory: WebAssembly.Memory;
  readonly heapReset: (h: number, capacity: number) => void;
  readonly hammingRows: (
    q: number,
    c: number,
    nRows: number,
    wpr: number,
    row0: number,
    skip: number,
    h: number,
  ) => void;
  readonly hammingBlocks: (
    qs: number,
    c: number,
    nRows: number,
    nBytes: number,
    row0: number,
    skip: number,
    tmp: number,
    h: number,
  ) => void;
  readonly asymBlocks: (
    ctx: number,
    tabs: number,
    c: number,
    nRows: number,
    row0: number,
    tmp: number,
  ) => void;
  readonly asymFlush: (ctx: number) => void;
  readonly asymPrepare: (q: number, dims: number, nBytes: number, out: number) => void;
  readonly toBlocks: (src: number, dst: number, nBlocks: number, nBytes: number) => void;
  readonly l1Ranges: (l1: number, out: number, nBlocks: number) => void;
}

const EXPORTS = [
  'heapReset',
  'hammingRows',
  'hammingBlocks',
  'asymBlocks',
  'asymFlush',
  'asymPrepare',
  'toBlocks',
  'l1Ranges',
];

/**
 * Compiles and instantiates the module, or returns `null` when this runtime cannot (no
 * WebAssembly, no SIMD, compilation refused).
 */
export function instantiateBinaryModule(
  bytes: Uint8Array<ArrayBuffer> = decodeBase64(BINARY_WASM_BASE64),
): BinaryModule | null {
  return instantiateSync<BinaryModule>(bytes, EXPORTS);
}

let cached: BinaryModule | null | undefined;

/** The shared instance for corpora that are not prepared, or `null` without WebAssembly SIMD. */
export function binaryModule(): BinaryModule | null {
  cached ??= instantiateBinaryModule();
  return cached;
}

/** Whether the WebAssembly SIMD kernels run here. */
export function hammingWasmAvailable(): boolean {
  return binaryModule() !== null;
}

/** `kernel: 'wasm'` on a runtime without WebAssembly SIMD. */
export function wasmMissing(): WebEmbedError {
  return new WebEmbedError(
    'INVALID_ARGUMENT',
    "kernel 'wasm' was requested but this runtime has no WebAssembly SIMD; use kernel 'auto' or 'js'",
  );
}

/** Rows of a corpus copied per tile (a multiple of 16), and scanned by a query group per pass. */
const TILE_BYTES = 1 << 17;
/** Distances must fit the i16 lanes of hammingBlocks. */
const MAX_BLOCK_BYTES = 4095;

function tileRows(rowBytes: number): number {
  return Math.max(16, Math.floor(TILE_BYTES / rowBytes / 16) * 16);
}

// ---------------------------------------------------------------------------------------------
// Prepared corpora.

interface PreparedBinary {
  readonly module: BinaryModule;
  readonly rows: number;
  readonly wordsPerRow: number;
  /** The 16-row blocks of the corpus. */
  readonly blocks: number;
  /** f32 L1 norms (rows rounded up to 16, zero padded), or 0 when the corpus has none. */
  readonly l1: number;
  /** Smallest and largest norm of each block (l1Ranges), or 0. */
  readonly ranges: number;
  /** The l1Norms array `l1` was copied from. */
  readonly l1Norms: Float32Array | undefined;
  /** First byte of module memory free for per-search scratch. */
  readonly end: number;
}

/** Prepared corpora, keyed by the `words` array of the matrix `prepareBinaryCorpus` returned. */
const prepared = new WeakMap<Uint32Array, PreparedBinary>();

function preparedFor(corpus: BinaryMatrix): PreparedBinary | undefined {
  const p = prepared.get(corpus.words);
  return p !== undefined && p.rows === corpus.rows && p.wordsPerRow === corpus.wordsPerRow ? p : undefined;
}

/**
 * Copies a packed corpus once into the memory of its own WebAssembly instance, in the 16-row
 * block layout the Hamming and asymmetric kernels scan fastest, and returns an equal matrix
 * (its own copy of `words` and `l1Norms`) that searches recognise: `searchHamming`,
 * `searchBinaryAsymmetric` and `searchTwoStage` over it copy nothing per search. The preparation
 * is a snapshot: treat the returned arrays as read-only and prepare again after changing rows.
 * Without WebAssembly SIMD, returns `corpus` unchanged. Throws `MISALIGNED_BUFFER` for a
 * malformed matrix.
 *
 * @example
 * ```ts
 * const binary = prepareBinaryCorpus(quantizeBinary(vectors));
 * const hits = searchTwoStage(queries, { binary, float32: vectors }, { k: 10 });
 * ```
 */
export function prepareBinaryCorpus(corpus: BinaryMatrix): BinaryMatrix {
  assertBinaryMatrix(corpus, 'corpus');
  const module = instantiateBinaryModule();
  return module === null ? corpus : prepareWith(module, corpus);
}

/** Prepares `corpus` in a given (fresh) module instance (exported for tests and benchmarks). */
export function prepareWith(module: BinaryModule, corpus: BinaryMatrix): BinaryMatrix {
  const { rows, wordsPerRow } = corpus;
  const nBytes = wordsPerRow * 4;
  const blocks = Math.ceil(rows / 16);
  const words = corpus.words.slice(0, rows * wordsPerRow);
  const l1Norms = corpus.l1Norms?.slice(0, rows);
  const layout = regions(16);
  const blocksAt = layout.take(blocks * 16 * nBytes);
  const l1 = l1Norms === undefined ? 0 : layout.take(blocks * 16 * 4);
  const ranges = l1Norms === undefined ? 0 : layout.take(blocks * 8);
  const end = layout.end;
  // Staging for the row-layout copy, past the prepared data (reused later as search scratch).
  const tile = tileRows(nBytes);
  const staging = layout.take(tile * nBytes);
  const buffer = reserve(module.memory, layout);
  const bytes = new Uint8Array(words.buffer, words.byteOffset, words.byteLength);
  const memory = new Uint8Array(buffer);
  for (let start = 0; start < rows; start += tile) {
    const n = Math.min(tile, rows - start);
    const padded = Math.ceil(n / 16) * 16;
    memory.set(bytes.subarray(start * nBytes, (start + n) * nBytes), staging);
    memory.fill(0, staging + n * nBytes, staging + padded * nBytes);
    module.toBlocks(staging, blocksAt + start * nBytes, padded / 16, nBytes);
  }
  if (l1Norms !== undefined) {
    new Float32Array(buffer, l1, blocks * 16).set(l1Norms);
    module.l1Ranges(l1, ranges, blocks);
  }
  const result: BinaryMatrix =
    l1Norms === undefined
      ? { words, rows, dims: corpus.dims, wordsPerRow }
      : { words, rows, dims: corpus.dims, wordsPerRow, l1Norms };
  prepared.set(words, { module, rows, wordsPerRow, blocks: blocksAt, l1, ranges, l1Norms, end });
  return result;
}

/**
 * The former name of {@link prepareBinaryCorpus}, kept for existing callers.
 *
 * @deprecated Use `prepareBinaryCorpus`, which prepares for asymmetric search too.
 */
export const prepareHammingCorpus: (corpus: BinaryMatrix) => BinaryMatrix = prepareBinaryCorpus;

// ---------------------------------------------------------------------------------------------
// Hamming.

/** Hamming top-k (`k` already checked and capped): ascending distances, ties to the lower row. */
export function searchHammingWasm(
  module: BinaryModule,
  queries: BinaryMatrix,
  corpus: BinaryMatrix,
  k: number,
  skip: Uint8Array | undefined,
): TopK {
  const p = preparedFor(corpus);
  if (p !== undefined && corpus.wordsPerRow * 4 <= MAX_BLOCK_BYTES) return hammingBlocks(p, queries, k, skip);
  return hammingRows(module, queries, corpus, k, skip);
}

function hammingBlocks(
  p: PreparedBinary,
  queries: BinaryMatrix,
  k: number,
  skip: Uint8Array | undefined,
): TopK {
  const { module, rows } = p;
  const nBytes = p.wordsPerRow * 4;
  const group = queryGroup(queries.rows, k, 16);
  const layout = regions(p.end);
  const heaps = layout.take(group * heapBytes(k));
  const splats = layout.take(group * 16 * nBytes);
  const tmp = layout.take(32);
  const skipAt = layout.take(rows);
  const buffer = reserve(module.memory, layout);
  const skipPtr = copySkip(buffer, skipAt, skip);
  const memory = new Uint8Array(buffer);
  const queryBytes = new Uint8Array(queries.words.buffer, queries.words.byteOffset, queries.rows * nBytes);
  const out = allocateTopK(queries.rows, k);
  const tile = group === 1 ? rows : tileRows(nBytes);
  for (let first = 0; first < queries.rows; first += group) {
    const count = Math.min(group, queries.rows - first);
    for (let i = 0; i < count; i++) {
      module.heapReset(heaps + i * heapBytes(k), k);
      const base = splats + i * 16 * nBytes;
      const q = (first + i) * nBytes;
      for (let b = 0; b < nBytes; b++) memory.fill(queryBytes[q + b], base + 16 * b, base + 16 * b + 16);
    }
    for (let start = 0; start < rows; start += tile) {
      const n = Math.min(tile, rows - start);
      for (let i = 0; i < count; i++) {
        module.hammingBlocks(
          splats + i * 16 * nBytes,
          p.blocks + start * nBytes,
          n,
          nBytes,
          start,
          skipPtr === 0 ? 0 : skipPtr + start,
          tmp,
          heaps + i * heapBytes(k),
        );
      }
    }
    drainHeaps(buffer, heaps, k, count, out, first, true);
  }
  return out;
}

function hammingRows(
  module: BinaryModule,
  queries: BinaryMatrix,
  corpus: BinaryMatrix,
  k: number,
  skip: Uint8Array | undefined,
): TopK {
  const wpr = corpus.wordsPerRow;
  const rowBytes = wpr * 4;
  const rows = corpus.rows;
  const group = queryGroup(queries.rows, k, 16);
  const tile = Math.min(tileRows(rowBytes), Math.ceil(rows / 16) * 16);
  const layout = regions(16);
  const heaps = layout.take(group * heapBytes(k));
  const q = layout.take(group * rowBytes);
  const skipAt = layout.take(rows);
  const tileAt = layout.take(tile * rowBytes);
  const buffer = reserve(module.memory, layout);
  const skipPtr = copySkip(buffer, skipAt, skip);
  const memoryWords = new Uint32Array(buffer);
  const out = allocateTopK(queries.rows, k);
  for (let first = 0; first < queries.rows; first += group) {
    const count = Math.min(group, queries.rows - first);
    memoryWords.set(queries.words.subarray(first * wpr, (first + count) * wpr), q >>> 2);
    for (let i = 0; i < count; i++) module.heapReset(heaps + i * heapBytes(k), k);
    for (let start = 0; start < rows; start += tile) {
      const n = Math.min(tile, rows - start);
      memoryWords.set(corpus.words.subarray(start * wpr, (start + n) * wpr), tileAt >>> 2);
      for (let i = 0; i < count; i++) {
        module.hammingRows(
          q + i * rowBytes,
          tileAt,
          n,
          wpr,
          start,
          skipPtr === 0 ? 0 : skipPtr + start,
          heaps + i * heapBytes(k),
        );
      }
    }
    drainHeaps(buffer, heaps, k, count, out, first, true);
  }
  return out;
}

// ---------------------------------------------------------------------------------------------
// Asymmetric.

/** How a query's FastScan codes bound its scores (see asymBlocks in binary.wat). */
interface CodeBounds {
  /** A row whose kernel sum is S' scores between `step * S' + low` and `step * S' + bias`. */
  step: number;
  bias: number;
  low: number;
  /** 1 when codes cannot bound safely (extreme magnitudes): every row is scored exactly. */
  all: number;
}

/**
 * Fills `codes` at `at` with the query's FastScan tables (per byte position 16 low-nibble then
 * 16 high-nibble codes in 0..255) and returns the affine map from a row's code sum S to bounds
 * of its raw score.
 *
 * A nibble of 4 dimensions with weights w scores `T[v] = sum_i (bit i of v ? w_i : -w_i)`;
 * `U[v] = T[v] + A` with `A = sum |w_i|` lies in `[0, 2A]` and is coded as `round(U / step)`,
 * `step = max 2A / 255`. So `score = step * S - sum A + e` with `|e|` at most the sum over
 * nibbles of their largest coding error; the bounds widen that by 1e-5 of `sum A` to cover every
 * float32 rounding the bound and the exact score go through (each well under 1e-6 of `sum A`).
 *
 * The kernel adds, for each byte, the rounded-up average of its two nibble codes
 * (`i8x16.avgr_u`, one u8 lane instead of two), so what it sums is S' with
 * `S <= 2 S' <= S + nBytes`: the map returned is in terms of S' (step `2 step`, the lower bound
 * `nBytes` codes lower).
 */
function fastScanCodes(
  q: Float32Array,
  offset: number,
  dims: number,
  nBytes: number,
  codes: Uint8Array,
  at: number,
): CodeBounds {
  const nibbles = nBytes * 2;
  const w = reusedWeights(nibbles * 4);
  let total = 0;
  let widest = 0;
  for (let j = 0; j < nibbles * 4; j++) w[j] = j < dims ? q[offset + j] : 0;
  for (let n = 0; n < nibbles; n++) {
    const a = Math.abs(w[4 * n]) + Math.abs(w[4 * n + 1]) + Math.abs(w[4 * n + 2]) + Math.abs(w[4 * n + 3]);
    total += a;
    if (2 * a > widest) widest = 2 * a;
  }
  if (!(total < 1e30) || (total > 0 && total < 1e-30)) return { step: 0, bias: 0, low: 0, all: 1 };
  const step = widest > 0 ? widest / 255 : 1;
  const inverse = 1 / step;
  const u = nibbleValues;
  let error = 0;
  for (let n = 0, o = at; n < nibbles; n++, o += 16) {
    const j = 4 * n;
    const w0 = w[j];
    const w1 = w[j + 1];
    const w2 = w[j + 2];
    const w3 = w[j + 3];
    // u[v] = sum_i (bit i of v ? w_i : -w_i) + sum_i |w_i|, all in [0, 2A]: u[0], then
    // u[v] = u[v without its lowest set bit i] + 2 w_i.
    const u0 = Math.abs(w0) - w0 + Math.abs(w1) - w1 + Math.abs(w2) - w2 + (Math.abs(w3) - w3);
    const a = 2 * w0;
    const b = 2 * w1;
    const c = 2 * w2;
    const d = 2 * w3;
    const u2 = u0 + b;
    const u4 = u0 + c;
    const u6 = u4 + b;
    const u8 = u0 + d;
    const u10 = u8 + b;
    const u12 = u8 + c;
    const u14 = u12 + b;
    u[0] = u0;
    u[1] = u0 + a;
    u[2] = u2;
    u[3] = u2 + a;
    u[4] = u4;
    u[5] = u4 + a;
    u[6] = u6;
    u[7] = u6 + a;
    u[8] = u8;
    u[9] = u8 + a;
    u[10] = u10;
    u[11] = u10 + a;
    u[12] = u12;
    u[13] = u12 + a;
    u[14] = u14;
    u[15] = u14 + a;
    let worst = 0;
    for (let v = 0; v < 16; v++) {
      const x = u[v];
      let code = (Math.max(x, 0) * inverse + 0.5) | 0;
      if (code > 255) code = 255;
      codes[o + v] = code;
      const e = Math.abs(x - step * code);
      if (e > worst) worst = e;
    }
    error += worst;
  }
  const margin = error + 1e-5 * total;
  return { step: 2 * step, bias: margin - total, low: -margin - total - step * nBytes, all: 0 };
}

let weightCache = new Float64Array(0);
/** The 16 values of one nibble in fastScanCodes. */
const nibbleValues = new Float64Array(16);

/** A reused array of at least `n` float64 (the query weights of fastScanCodes). */
function reusedWeights(n: number): Float64Array {
  if (weightCache.length < n) weightCache = new Float64Array(n);
  return weightCache;
}

/** Buffered rows per query between exact-scoring passes (asymFlush). */
const BUFFER_ROWS = 4096;
/** Bytes of one query's context (see binary.wat). */
const CONTEXT_BYTES = 80;

/**
 * Asymmetric top-k through the module (`k` already checked and capped), bit-identical to the
 * JavaScript kernel. `l1`: divide by the rows' L1 norms (`corpus.l1Norms`, checked present).
 */
export function searchAsymmetricWasm(
  module: BinaryModule,
  queries: Float32Matrix,
  corpus: BinaryMatrix,
  k: number,
  skip: Uint8Array | undefined,
  l1: boolean,
): TopK {
  const p = preparedFor(corpus);
  const usable = p !== undefined && (!l1 || (p.l1Norms !== undefined && corpus.l1Norms === p.l1Norms));
  const owner = usable ? p.module : module;
  const nBytes = corpus.wordsPerRow * 4;
  const dims = corpus.dims;
  const rows = corpus.rows;
  const blocks = Math.ceil(rows / 16);
  const group = queryGroup(queries.rows, k, 8);
  const layout = regions(usable ? p.end : 16);
  const contexts = layout.take(group * CONTEXT_BYTES);
  const heaps = layout.take(group * 2 * heapBytes(k));
  const buffers = layout.take(group * BUFFER_ROWS * 8);
  const codes = layout.take(group * 32 * nBytes);
  const tables = layout.take(group * 192 * nBytes);
  const q = layout.take(group * dims * 4);
  const tmp = layout.take(192);
  const skipAt = layout.take(rows);
  // A corpus that is not prepared is copied in whole (row layout, for exact scores) and turned
  // into blocks a tile at a time.
  const tile = tileRows(nBytes);
  const copy = usable ? 0 : layout.take(blocks * 16 * nBytes);
  const tileBlocks = usable ? 0 : layout.take(tile * nBytes);
  const norms = usable ? p.l1 : l1 ? layout.take(blocks * 16 * 4) : 0;
  const ranges = usable ? p.ranges : l1 ? layout.take(blocks * 8) : 0;
  const buffer = reserve(owner.memory, layout);
  const skipPtr = copySkip(buffer, skipAt, skip);
  const memory = new Uint8Array(buffer);
  if (!usable) {
    const words = corpus.words;
    memory.set(new Uint8Array(words.buffer, words.byteOffset, rows * nBytes), copy);
    memory.fill(0, copy + rows * nBytes, copy + blocks * 16 * nBytes);
    if (l1 && corpus.l1Norms !== undefined) {
      const f = new Float32Array(buffer, norms, blocks * 16);
      f.set(corpus.l1Norms.subarray(0, rows));
      f.fill(0, rows);
      owner.l1Ranges(norms, ranges, blocks);
    }
  }
  const ints = new Int32Array(buffer);
  const floats = new Float32Array(buffer);
  const out = allocateTopK(queries.rows, k);
  for (let first = 0; first < queries.rows; first += group) {
    const count = Math.min(group, queries.rows - first);
    floats.set(queries.data.subarray(first * dims, (first + count) * dims), q >>> 2);
    for (let i = 0; i < count; i++) {
      const ctx = contexts + i * CONTEXT_BYTES;
      const lower = heaps + 2 * i * heapBytes(k);
      const exact = lower + heapBytes(k);
      owner.heapReset(lower, k);
      owner.heapReset(exact, k);
      owner.asymPrepare(q + i * dims * 4, dims, nBytes, tables + i * 192 * nBytes);
      const b = fastScanCodes(
        queries.data,
        (first + i) * dims,
        dims,
        nBytes,
        memory,
        codes + i * 32 * nBytes,
      );
      const c = ctx >>> 2;
      floats[c] = b.step;
      floats[c + 1] = b.bias;
      floats[c + 2] = b.low;
      ints[c + 3] = b.all;
      ints[c + 4] = lower;
      ints[c + 5] = exact;
      ints[c + 6] = buffers + i * BUFFER_ROWS * 8;
      ints[c + 7] = BUFFER_ROWS;
      ints[c + 8] = 0;
      ints[c + 9] = tables + i * 192 * nBytes;
      ints[c + 10] = usable ? p.blocks : copy;
      ints[c + 11] = usable ? 1 : nBytes;
      ints[c + 12] = usable ? 16 : 1;
      ints[c + 13] = l1 ? norms : 0;
      ints[c + 14] = l1 ? ranges : 0;
      ints[c + 15] = nBytes;
      ints[c + 16] = skipPtr;
    }
    // A query scans the prepared corpus in one call; a group goes tile by tile so that each tile
    // is scanned by every query while it is in cache.
    const step = usable && count === 1 ? rows : tile;
    for (let start = 0; start < rows; start += step) {
      const n = Math.min(step, rows - start);
      let at = tileBlocks;
      if (usable) at = p.blocks + start * nBytes;
      else owner.toBlocks(copy + start * nBytes, tileBlocks, Math.ceil(n / 16), nBytes);
      for (let i = 0; i < count; i++)
        owner.asymBlocks(contexts + i * CONTEXT_BYTES, codes + i * 32 * nBytes, at, n, start, tmp);
    }
    for (let i = 0; i < count; i++) {
      owner.asymFlush(contexts + i * CONTEXT_BYTES);
      const exact = heaps + (2 * i + 1) * heapBytes(k);
      drainHeap(buffer, exact, out.indices, out.scores, (first + i) * k, false);
    }
  }
  return out;
}
