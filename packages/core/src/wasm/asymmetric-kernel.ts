/**
 * The WebAssembly asymmetric binary kernel: the same per-byte lookup tables and the same f64
 * arithmetic as the JavaScript kernel (so identical scores), without JavaScript's bounds checks.
 * Query tables stay in module memory; corpus words (and inverse L1 norms) are copied a tile at
 * a time; the module returns only rows that can enter the current top-k.
 *
 * @module
 */
import { allocateTopK, createTopKHeap, drainTopK, offerTopK, type TopKHeap } from '../topk.js';
import type { BinaryMatrix, Float32Matrix, TopK } from '../types.js';
import { ASYMMETRIC_WASM_BASE64 } from './asymmetric-wasm.js';
import { align16, decodeBase64, ensureMemory, instantiateSync } from './instantiate.js';

interface AsymmetricModule {
  readonly memory: WebAssembly.Memory;
  readonly select: (
    tables: number,
    c: number,
    nRows: number,
    wpr: number,
    inv: number,
    limit: number,
    out: number,
  ) => number;
}

/** Instantiates the module, or `null` where WebAssembly is missing. */
export function instantiateAsymmetricModule(
  bytes: Uint8Array<ArrayBuffer> = decodeBase64(ASYMMETRIC_WASM_BASE64),
): AsymmetricModule | null {
  return instantiateSync<AsymmetricModule>(bytes, ['select']);
}

let cached: AsymmetricModule | null | undefined;

/** The shared module instance, or `null` where WebAssembly is missing. */
export function asymmetricModule(): AsymmetricModule | null {
  cached ??= instantiateAsymmetricModule();
  return cached;
}

const TILE_BYTES = 1 << 16;
const QUERY_GROUP = 8;

/**
 * Asymmetric top-k through the module. `buildTable` fills one query's tables exactly as the
 * JavaScript kernel does; `inverseL1` is `null` without the L1 correction.
 */
export function searchAsymmetricWithModule(
  module: AsymmetricModule,
  queries: Float32Matrix,
  corpus: BinaryMatrix,
  k: number,
  skip: Uint8Array | undefined,
  inverseL1: Float64Array | null,
  buildTable: (q: Float32Array, offset: number, dims: number, table: Float32Array) => void,
): TopK {
  const wpr = corpus.wordsPerRow;
  const rowBytes = wpr * 4;
  const tableBytes = wpr * 4096;
  const tileRows = Math.max(1, Math.min(corpus.rows, Math.floor(TILE_BYTES / rowBytes)));
  const group = Math.min(QUERY_GROUP, queries.rows);
  const invPtr = align16(group * tableBytes);
  const pairsPtr = align16(invPtr + tileRows * 8);
  const tilePtr = align16(pairsPtr + tileRows * 8);
  ensureMemory(module.memory, tilePtr + tileRows * rowBytes);
  const buffer = module.memory.buffer;
  const words = new Uint32Array(buffer);
  const inverse = new Float64Array(buffer, invPtr, tileRows);
  const pairRows = new Int32Array(buffer, pairsPtr, tileRows * 2);
  const pairKeys = new Float32Array(buffer, pairsPtr, tileRows * 2);
  const out = allocateTopK(queries.rows, k);
  const heaps: TopKHeap[] = [];
  for (let i = 0; i < group; i++) heaps.push(createTopKHeap(k));
  for (let first = 0; first < queries.rows; first += group) {
    const count = Math.min(group, queries.rows - first);
    for (let i = 0; i < count; i++) {
      const table = new Float32Array(buffer, i * tableBytes, tableBytes >>> 2);
      buildTable(queries.data, (first + i) * queries.dims, queries.dims, table);
    }
    for (let start = 0; start < corpus.rows; start += tileRows) {
      const n = Math.min(tileRows, corpus.rows - start);
      words.set(corpus.words.subarray(start * wpr, (start + n) * wpr), tilePtr >>> 2);
      if (inverseL1 !== null) inverse.set(inverseL1.subarray(start, start + n));
      for (let qi = 0; qi < count; qi++) {
        const heap = heaps[qi];
        const found = module.select(
          qi * tableBytes,
          tilePtr,
          n,
          wpr,
          inverseL1 === null ? 0 : invPtr,
          heap.threshold,
          pairsPtr,
        );
        for (let i = 0; i < found; i++) {
          const r = start + pairRows[2 * i];
          if (skip === undefined || skip[r] === 0) offerTopK(heap, pairKeys[2 * i + 1], r);
        }
      }
    }
    for (let qi = 0; qi < count; qi++) drainTopK(heaps[qi], out.indices, out.scores, (first + qi) * k);
  }
  return out;
}
