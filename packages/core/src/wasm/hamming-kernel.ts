/**
 * The WebAssembly SIMD Hamming kernel: corpus rows are copied a tile at a time into the
 * module's memory, the module writes one distance a (query, row) pair with `i8x16.popcnt`, and
 * the bounded top-k selection runs in JavaScript over those distances. Gives exactly the
 * distances of the JavaScript kernel. Where WebAssembly or its SIMD proposal is missing, the
 * module fails validation and callers fall back to JavaScript.
 *
 * @module
 */
import { WebEmbedError } from '../errors.js';
import { allocateTopK, createTopKHeap, drainTopK, offerTopK, type TopKHeap } from '../topk.js';
import type { BinaryMatrix, TopK } from '../types.js';
import { assertBinaryMatrix } from '../validate.js';
import { HAMMING_WASM_BASE64 } from './hamming-wasm.js';
import { align16, decodeBase64, ensureMemory, instantiateSync } from './instantiate.js';

/** A Hamming top-k kernel: queries x corpus -> top-k, `k` already checked and capped. */
export type HammingKernel = (
  queries: BinaryMatrix,
  corpus: BinaryMatrix,
  k: number,
  skip: Uint8Array | undefined,
) => TopK;

interface HammingModule {
  readonly memory: WebAssembly.Memory;
  readonly hamming: (q: number, nq: number, c: number, nRows: number, wpr: number, out: number) => void;
  readonly select: (q: number, c: number, nRows: number, wpr: number, limit: number, out: number) => number;
}

export { decodeBase64 };

/**
 * Compiles and instantiates the module, or returns `null` when this runtime cannot (no
 * WebAssembly, no SIMD, compilation refused).
 */
export function instantiateHammingModule(
  bytes: Uint8Array<ArrayBuffer> = decodeBase64(HAMMING_WASM_BASE64),
): HammingModule | null {
  return instantiateSync<HammingModule>(bytes, ['hamming', 'select']);
}

let cached: HammingModule | null | undefined;

/** Whether the WebAssembly SIMD kernel runs here. */
export function hammingWasmAvailable(): boolean {
  cached ??= instantiateHammingModule();
  return cached !== null;
}

/** Bytes of corpus rows scanned per `select` call (and copied per call when not prepared). */
const TILE_BYTES = 1 << 17;
/** Queries handled per pass over the corpus. */
const QUERY_GROUP = 16;

/**
 * Module memory layout: `[query group][candidate pairs of one tile][corpus tile, or the whole
 * prepared corpus]`. Returns the byte offsets for rows of `wpr` words.
 */
function layout(wpr: number): { tileRows: number; pairsPtr: number; corpusPtr: number } {
  const rowBytes = wpr * 4;
  const tileRows = Math.max(1, Math.floor(TILE_BYTES / rowBytes));
  const pairsPtr = align16(QUERY_GROUP * rowBytes);
  return { tileRows, pairsPtr, corpusPtr: align16(pairsPtr + tileRows * 8) };
}

/** Module instances that own a prepared corpus, keyed by their memory's buffer. */
const preparedOwners = new WeakMap<ArrayBufferLike, HammingModule>();

/**
 * The WebAssembly kernel, or `null` when unavailable; with `required`, unavailability throws
 * `INVALID_ARGUMENT` instead.
 */
export function hammingKernelWasm(required: boolean): HammingKernel | null {
  cached ??= instantiateHammingModule();
  if (cached === null) {
    if (required) {
      throw new WebEmbedError(
        'INVALID_ARGUMENT',
        "kernel 'wasm' was requested but this runtime has no WebAssembly SIMD; use kernel 'auto' or 'js'",
      );
    }
    return null;
  }
  const shared = cached;
  return (queries, corpus, k, skip) => {
    const owner = preparedOwners.get(corpus.words.buffer);
    return searchWithModule(owner ?? shared, queries, corpus, k, skip);
  };
}

/**
 * Copies a packed corpus once into the memory of its own WebAssembly instance and returns the
 * same matrix backed by that memory. Hamming searches over the returned matrix read it in place
 * instead of copying it a tile at a time (about a third of the scan time for one query). Treat
 * the returned `words` as read-only. Without WebAssembly SIMD, returns `corpus` unchanged.
 *
 * @example
 * ```ts
 * const corpus = prepareHammingCorpus(quantizeBinary(vectors));
 * const hits = searchHamming(queries, corpus, { k: 10 }); // no per-search copy
 * ```
 */
export function prepareHammingCorpus(corpus: BinaryMatrix): BinaryMatrix {
  assertBinaryMatrix(corpus, 'corpus');
  const module = instantiateHammingModule();
  if (module === null) return corpus;
  const { corpusPtr } = layout(corpus.wordsPerRow);
  ensureMemory(module.memory, corpusPtr + corpus.words.byteLength);
  const words = new Uint32Array(module.memory.buffer, corpusPtr, corpus.words.length);
  words.set(corpus.words);
  preparedOwners.set(module.memory.buffer, module);
  return corpus.l1Norms === undefined
    ? { words, rows: corpus.rows, dims: corpus.dims, wordsPerRow: corpus.wordsPerRow }
    : {
        words,
        rows: corpus.rows,
        dims: corpus.dims,
        wordsPerRow: corpus.wordsPerRow,
        l1Norms: corpus.l1Norms,
      };
}

/**
 * Runs the search on a module instance (exported for tests). When `corpus.words` already lives
 * in that instance's memory (see {@link prepareHammingCorpus}) rows are read in place;
 * otherwise each tile of rows is copied in first.
 */
export function searchWithModule(
  module: HammingModule,
  queries: BinaryMatrix,
  corpus: BinaryMatrix,
  k: number,
  skip: Uint8Array | undefined,
): TopK {
  const wpr = corpus.wordsPerRow;
  const rowBytes = wpr * 4;
  const { tileRows, pairsPtr, corpusPtr } = layout(wpr);
  const inPlace = corpus.words.buffer === module.memory.buffer;
  if (!inPlace) ensureMemory(module.memory, corpusPtr + Math.min(tileRows, corpus.rows) * rowBytes);
  const memoryWords = new Uint32Array(module.memory.buffer);
  const pairs = new Int32Array(module.memory.buffer, pairsPtr, tileRows * 2);
  const group = Math.min(QUERY_GROUP, queries.rows);
  const out = allocateTopK(queries.rows, k);
  const heaps: TopKHeap[] = [];
  for (let i = 0; i < group; i++) heaps.push(createTopKHeap(k));
  for (let first = 0; first < queries.rows; first += group) {
    const count = Math.min(group, queries.rows - first);
    memoryWords.set(queries.words.subarray(first * wpr, (first + count) * wpr), 0);
    for (let start = 0; start < corpus.rows; start += tileRows) {
      const n = Math.min(tileRows, corpus.rows - start);
      let tilePtr = corpusPtr;
      if (inPlace) tilePtr = corpus.words.byteOffset + start * rowBytes;
      else memoryWords.set(corpus.words.subarray(start * wpr, (start + n) * wpr), corpusPtr >>> 2);
      for (let qi = 0; qi < count; qi++) {
        const heap = heaps[qi];
        // Rows arrive in increasing order, so once the heap is full a row must be strictly
        // closer than the current k-th hit: distance <= worst - 1.
        const limit = heap.size < heap.capacity ? 0x7fffffff : -heap.threshold - 1;
        if (limit < 0) continue;
        const found = module.select(qi * rowBytes, tilePtr, n, wpr, limit, pairsPtr);
        for (let i = 0; i < found; i++) {
          const r = start + pairs[2 * i];
          if (skip === undefined || skip[r] === 0) offerTopK(heap, -pairs[2 * i + 1], r);
        }
      }
    }
    for (let qi = 0; qi < count; qi++) drainTopK(heaps[qi], out.indices, out.scores, (first + qi) * k, true);
  }
  return out;
}

/** All `queries x rows` distances through the module (for tests and cross-checks). */
export function hammingDistancesWithModule(
  module: HammingModule,
  queries: BinaryMatrix,
  corpus: BinaryMatrix,
): Int32Array {
  const rowBytes = corpus.wordsPerRow * 4;
  const cPtr = align16(queries.rows * rowBytes);
  const outPtr = align16(cPtr + corpus.rows * rowBytes);
  ensureMemory(module.memory, outPtr + queries.rows * corpus.rows * 4);
  const words = new Uint32Array(module.memory.buffer);
  words.set(queries.words, 0);
  words.set(corpus.words, cPtr >>> 2);
  module.hamming(0, queries.rows, cPtr, corpus.rows, corpus.wordsPerRow, outPtr);
  return new Int32Array(module.memory.buffer, outPtr, queries.rows * corpus.rows).slice();
}
