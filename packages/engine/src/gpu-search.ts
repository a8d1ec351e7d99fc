/**
 * Dense search on WebGPU through `@webembed/gpu`: the collection's snapshot is uploaded once per
 * collection generation into a GPU index (deleted rows tombstoned), and unfiltered searches run
 * there with the same scoring as the store's CPU search. Filtered searches, and k beyond what the
 * GPU merge supports, go to the store's exact CPU search (which pre-filters by metadata).
 *
 * @module
 */
import {
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

  async function indexFor(): Promise<BuiltIndex> {
    const snapshot = await stored.load({ documents: true });
    if (built && built.generation === snapshot.generation) return built;
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
    built = { generation: snapshot.generation, index, snapshot };
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
      built?.index.destroy();
      built = null;
    },
  };
}
