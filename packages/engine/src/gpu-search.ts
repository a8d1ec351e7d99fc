/**
 * Dense search on WebGPU through `@webembed/gpu`: the collection's snapshot is uploaded once per
 * collection into a GPU index (extended in place when writes only appended or deleted rows,
 * rebuilt otherwise), and unfiltered searches run
 * there with the same scoring as the store's CPU search. Filtered searches, and k beyond what the
 * GPU merge supports, go to the store's exact CPU search (which pre-filters by metadata).
 *
 * @module
 */
import {
  type AppendBatch,
  type GpuIndex,
  type GpuSearch,
  type GpuSearchOptions,
  MAX_GPU_K,
  createGpuSearch,
} from '@webembed/gpu';
import type { Collection, CollectionSnapshot } from '@webembed/store';
import { type DenseSearcher, createStoreSearcher, passesFilter } from './dense-search.js';

/** Which search backend collections use. */
export type SearchBackendRequest = 'auto' | 'webgpu' | 'cpu';

let shared: Promise<GpuSearch> | null = null;

/** One `GpuSearch` per thread, created on first use (WebGPU when usable, else its CPU path). */
export function sharedGpuSearch(request: SearchBackendRequest): Promise<GpuSearch> {
  if (request === 'cpu') return createGpuSearch({ backend: 'cpu' });
  shared ??= createGpuSearch({ backend: request });
  return shared;
}

interface BuiltIndex {
  readonly generation: number;
  readonly index: GpuIndex;
  readonly snapshot: CollectionSnapshot;
}

function gpuOptions(mode: string, k: number, snapshot: CollectionSnapshot): GpuSearchOptions {
  switch (mode) {
    case 'float32':
      return { k, mode: snapshot.fingerprint.normalized ? 'float32' : 'cosine' };
    case 'int8':
      return { k, mode: 'int8' };
    case 'hamming':
      return { k, mode: 'hamming' };
    default:
      return {
        k,
        mode: 'binary-rescore',
        oversample: 4,
        candidates: snapshot.binary?.l1Norms ? 'asymmetric-l1' : 'asymmetric',
      };
  }
}

/**
 * A searcher that runs on `gpu` when it holds a WebGPU device, else the store's CPU searcher.
 * Same hits either way: the GPU kernels reproduce `@webembed/core`'s ordering and ties.
 */
export function createGpuSearcher(stored: Collection, gpu: GpuSearch): DenseSearcher {
  const cpu = createStoreSearcher(stored);
  if (gpu.backend !== 'webgpu') return cpu;
  let built: BuiltIndex | null = null;

  async function rebuild(snapshot: CollectionSnapshot): Promise<BuiltIndex> {
    built?.index.destroy();
    built = null;
    const index = gpu.createIndex({
      dims: snapshot.dims,
      kinds: snapshot.kinds,
      int8Calibration: snapshot.calibration ?? undefined,
    });
    if (snapshot.rows > 0) {
      await index.append({ float32: snapshot.float32, int8: snapshot.int8, binary: snapshot.binary });
      const deleted: number[] = [];
      for (let r = 0; r < snapshot.rows; r++) if (snapshot.skip[r]) deleted.push(r);
      if (deleted.length > 0) index.remove(deleted);
    }
    return { generation: snapshot.generation, index, snapshot };
  }

  /** Brings the GPU index up to `snapshot`: append new rows and tombstone deleted ones when only that changed. */
  async function indexFor(): Promise<BuiltIndex> {
    const snapshot = await stored.load({ documents: true });
    if (built && built.generation === snapshot.generation) return built;
    if (built && appendOnly(built.snapshot, snapshot)) {
      const old = built.snapshot;
      if (snapshot.rows > old.rows) await built.index.append(rowsFrom(snapshot, old.rows));
      const deleted: number[] = [];
      for (let r = 0; r < snapshot.rows; r++)
        if (snapshot.skip[r] && (r >= old.rows || !old.skip[r])) deleted.push(r);
      if (deleted.length > 0) built.index.remove(deleted);
      built = { generation: snapshot.generation, index: built.index, snapshot };
      return built;
    }
    built = await rebuild(snapshot);
    return built;
  }

  return {
    get backend() {
      return gpu.backend === 'webgpu' ? 'webgpu' : 'cpu';
    },
    async search(query, options) {
      if (options.filter !== undefined || options.k > MAX_GPU_K || gpu.backend !== 'webgpu') {
        return cpu.search(query, options);
      }
      const { index, snapshot } = await indexFor();
      if (index.liveRows === 0) return [];
      const k = Math.min(options.k, index.liveRows);
      const top = await index.search(
        { data: query, rows: 1, dims: snapshot.dims },
        gpuOptions(options.mode, k, snapshot),
      );
      const hits = [];
      for (let i = 0; i < top.k; i++) {
        const row = top.indices[i];
        if (row < 0) continue;
        hits.push({
          id: snapshot.ids[row],
          text: snapshot.texts?.[row] ?? '',
          metadata: snapshot.metadata?.[row],
          score: top.scores[i],
        });
      }
      return hits;
    },
    passes: passesFilter,
    invalidate() {
      // The next search compares generations and appends or rebuilds as needed.
    },
    dispose() {
      built?.index.destroy();
      built = null;
    },
  };
}

/**
 * True when `next` only appended rows to `prev` and tombstoned some: same ids in the old rows,
 * no row revived, same calibration. Then the GPU index can be extended instead of rebuilt.
 */
function appendOnly(prev: CollectionSnapshot, next: CollectionSnapshot): boolean {
  if (next.rows < prev.rows || next.dims !== prev.dims || !sameCalibration(prev, next)) return false;
  for (let r = 0; r < prev.rows; r++) {
    if (prev.ids[r] !== next.ids[r] || (prev.skip[r] && !next.skip[r])) return false;
  }
  return true;
}

function sameCalibration(a: CollectionSnapshot, b: CollectionSnapshot): boolean {
  const x = a.calibration;
  const y = b.calibration;
  if (x === y) return true;
  if (!x || !y || x.scheme !== y.scheme) return false;
  for (let j = 0; j < x.min.length; j++) if (x.min[j] !== y.min[j] || x.max[j] !== y.max[j]) return false;
  return true;
}

/** Rows `start..` of every stored form of a snapshot, as an append batch. */
function rowsFrom(s: CollectionSnapshot, start: number): AppendBatch {
  const rows = s.rows - start;
  const { dims } = s;
  return {
    float32: s.float32 && { data: s.float32.data.subarray(start * dims, s.rows * dims), rows, dims },
    int8: s.int8 && { ...s.int8, data: s.int8.data.subarray(start * dims, s.rows * dims), rows },
    binary: s.binary && {
      words: s.binary.words.subarray(start * s.binary.wordsPerRow, s.rows * s.binary.wordsPerRow),
      rows,
      dims,
      wordsPerRow: s.binary.wordsPerRow,
      l1Norms: s.binary.l1Norms?.subarray(start, s.rows),
    },
  };
}
