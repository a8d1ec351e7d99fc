/**
 * Where collection searches run, and dense search on WebGPU through `@webembed/gpu`.
 *
 * `searchBackend: 'auto'` never opens a device on a software adapter (SwiftShader, llvmpipe, a
 * fallback adapter): those emulate the GPU on the CPU and search tens of times slower than the
 * CPU path. On a hardware adapter each collection times both paths on its first search of a
 * mode and batch-size bucket (again when its size has changed twofold) and routes that mode and
 * bucket to the faster; the choice and the measurement are in every response's `searchReason`.
 * Batches of queries (`searchMany`) are timed as batches and routed apart from single queries,
 * in the buckets of {@link batchBucket}: a GPU round trip that loses to the CPU for one query
 * can win for 64. `'webgpu'` uses the adapter the
 * browser gives, software or not; `'cpu'` never touches WebGPU.
 *
 * The GPU index is created with the searcher and its pipelines compiled then, in the
 * background; rows are uploaded once per snapshot generation (extended in place when writes
 * only appended or deleted rows). Filtered searches, and k beyond the GPU merge's limit, rank
 * on the CPU (the store's search pre-filters by metadata).
 *
 * @module
 */
import type { Float32Matrix, Int8Calibration, TopK } from '@webembed/core';
import {
  type AppendBatch,
  type GpuIndex,
  type GpuSearch,
  type GpuSearchOptions,
  MAX_GPU_K,
  type WarmUpSearch,
  createGpuSearch,
} from '@webembed/gpu';
import type { Collection, CollectionSnapshot, StoreSearchMode, VectorKind } from '@webembed/store';
import { liveRowCount, rankSnapshotMany } from '@webembed/store';
import {
  type DenseHit,
  type DenseSearchOptions,
  type DenseSearchTimings,
  type DenseSearcher,
  type RankedRows,
  createStoreSearcher,
  documentsOf,
  passesFilter,
  pickQueries,
  rankDistinctMany,
  watchSnapshot,
} from './dense-search.js';

/** Which search backend collections use. */
export type SearchBackendRequest = 'auto' | 'webgpu' | 'cpu';

const shared = new Map<SearchBackendRequest, Promise<GpuSearch>>();

/**
 * One `GpuSearch` per thread and request, created on first use. `auto` refuses software
 * adapters (its `backend` is then `cpu`, with the reason); `webgpu` takes any adapter and throws
 * `GPU_UNAVAILABLE` without one; `cpu` never touches WebGPU.
 */
export function sharedGpuSearch(request: SearchBackendRequest): Promise<GpuSearch> {
  let search = shared.get(request);
  if (!search) {
    search =
      request === 'auto'
        ? createGpuSearch({ backend: 'auto', allowSoftwareAdapter: false })
        : createGpuSearch({ backend: request });
    shared.set(request, search);
    search.catch(() => shared.delete(request));
  }
  return search;
}

/** Where an engine's searches run, and why (`engine.info.search`). */
export function searchBackendInfo(
  request: SearchBackendRequest,
  gpu: GpuSearch | null,
): { backend: 'webgpu' | 'cpu'; reason: string } {
  if (request === 'cpu' || gpu === null) return { backend: 'cpu', reason: "searchBackend 'cpu'" };
  if (request === 'webgpu') return { backend: gpu.backend, reason: `searchBackend 'webgpu': ${gpu.reason}` };
  if (gpu.backend !== 'webgpu') return { backend: 'cpu', reason: `auto: ${gpu.reason}` };
  return {
    backend: 'webgpu',
    reason: `auto: ${gpu.reason}; each collection times the CPU and WebGPU paths on its first search of a mode and uses the faster (see searchReason)`,
  };
}

/** A routing decision for one search mode of one collection. */
export interface BackendChoice {
  readonly backend: 'webgpu' | 'cpu';
  readonly reason: string;
}

/** Timings of one query ranked on both paths (best of a few runs each). */
export interface BackendTimings {
  readonly cpuMs: number;
  readonly gpuMs: number;
}

const msText = (ms: number) => (ms >= 10 ? ms.toFixed(1) : ms.toFixed(2));

/**
 * The batch-size bucket a search of `queries` query rows is routed in: `1` (a single search),
 * `2-8`, `9-64` or `65+`. `auto` times and routes each (mode, bucket) pair apart: per-query
 * GPU overhead (a submit and a read-back per batch) shrinks as the batch grows, while the CPU's
 * cost per query stays about flat, so the faster path can differ between buckets. Batches
 * within a bucket are close enough in size to share one measurement.
 */
export function batchBucket(queries: number): '1' | '2-8' | '9-64' | '65+' {
  if (queries <= 1) return '1';
  if (queries <= 8) return '2-8';
  if (queries <= 64) return '9-64';
  return '65+';
}

/**
 * Picks the faster path from measured timings (ties go to the CPU: no device round trip).
 * `queries` is the batch size that was timed (default 1, a single search); for a batch the
 * reason names its size and bucket.
 */
export function chooseBackend(
  timings: BackendTimings,
  rows: number,
  mode: string,
  queries = 1,
): BackendChoice {
  const backend = timings.gpuMs < timings.cpuMs ? 'webgpu' : 'cpu';
  const timed =
    queries === 1
      ? `${mode}, timed on a search`
      : `${mode}, timed on a batch of ${queries} queries; batches of ${batchBucket(queries)} queries route alike`;
  return {
    backend,
    reason: `${backend === 'cpu' ? 'cpu' : 'webgpu'} is faster: cpu ${msText(timings.cpuMs)} ms vs webgpu ${msText(timings.gpuMs)} ms at ${rows.toLocaleString('en-US')} rows (${timed})`,
  };
}

/** What {@link timeBothPaths} (or an injected `measure`) runs: the same ranking on each path. */
export interface MeasuredRun {
  /** Ranks the search (all its query rows) on the CPU. */
  readonly cpu: () => unknown;
  /** Ranks the search (all its query rows) on the GPU. */
  readonly gpu: () => Promise<unknown>;
  /** Query rows ranked by one run (1 for a single search, the batch size for `searchMany`). */
  readonly queries: number;
  /** The search mode timed. */
  readonly mode: StoreSearchMode;
}

/** Ranks one search (one query or a batch) on the CPU and on the GPU a few times each; returns the best times. */
export async function timeBothPaths(run: {
  readonly cpu: () => unknown;
  readonly gpu: () => Promise<unknown>;
}): Promise<BackendTimings> {
  // One untimed run each: the GPU allocates its buffers and bind groups on the first search.
  await run.gpu();
  run.cpu();
  let cpuMs = Number.POSITIVE_INFINITY;
  let gpuMs = Number.POSITIVE_INFINITY;
  for (let i = 0; i < 3; i++) {
    let start = performance.now();
    run.cpu();
    cpuMs = Math.min(cpuMs, performance.now() - start);
    start = performance.now();
    await run.gpu();
    gpuMs = Math.min(gpuMs, performance.now() - start);
  }
  return { cpuMs, gpuMs };
}

/** Options of {@link createGpuSearcher}. */
export interface GpuSearcherOptions {
  /**
   * `auto` (default): per search mode and batch-size bucket ({@link batchBucket}), time both
   * paths on the first search and route to the faster, measuring again once the live rows have
   * doubled or halved. `webgpu`: every
   * eligible search on the GPU.
   */
  readonly policy?: 'auto' | 'webgpu';
  /** Stored kinds, to compile their pipelines when the index is created. Default: from the first snapshot. */
  readonly kinds?: readonly VectorKind[];
  /** Int8 calibration of the collection, when known (the index is created with it). */
  readonly calibration?: Int8Calibration | null;
  /** Vector width; with `kinds`, lets the index and its pipelines be made before the first search. */
  readonly dims?: number;
  /** Whether stored vectors are unit length (float32 searches use dot, else cosine). Default true. */
  readonly normalized?: boolean;
  /** Times both paths for `auto` (tests inject fixed timings). Default {@link timeBothPaths}. */
  readonly measure?: (run: MeasuredRun) => Promise<BackendTimings>;
}

interface IndexState {
  readonly index: GpuIndex;
  /** The snapshot the index reflects, or null while it is still empty. */
  readonly snapshot: CollectionSnapshot | null;
  readonly calibration: Int8Calibration | null;
}

function gpuOptions(mode: StoreSearchMode, k: number, snapshot: CollectionSnapshot): GpuSearchOptions {
  switch (mode) {
    case 'float32':
      return { k, mode: snapshot.fingerprint.normalized ? 'float32' : 'cosine' };
    case 'int8':
      return { k, mode: 'int8' };
    case 'hamming':
      return { k, mode: 'hamming' };
    default:
      // Nothing to rescore with: the asymmetric binary scores are the ranking (as on the CPU).
      if (!snapshot.float32 && !snapshot.int8) {
        return { k, mode: snapshot.binary?.l1Norms ? 'asymmetric-l1' : 'asymmetric' };
      }
      return {
        k,
        mode: 'binary-rescore',
        oversample: 4,
        candidates: snapshot.binary?.l1Norms ? 'asymmetric-l1' : 'asymmetric',
      };
  }
}

/**
 * The searches whose pipelines an index of these kinds compiles up front: those a search naming
 * no mode runs (exact float32, else int8, up to `exactSearchLimit` rows; binary + rescore past
 * it). Other modes compile on their first search.
 */
function warmUpSearches(kinds: readonly VectorKind[], normalized: boolean): WarmUpSearch[] {
  const out: WarmUpSearch[] = [];
  if (kinds.includes('float32')) out.push({ mode: normalized ? 'float32' : 'cosine' });
  else if (kinds.includes('int8')) out.push({ mode: 'int8' });
  if (kinds.includes('binary')) {
    out.push(
      kinds.includes('float32') || kinds.includes('int8')
        ? { mode: 'binary-rescore', candidates: 'asymmetric-l1' }
        : { mode: 'asymmetric-l1' },
    );
  }
  return out;
}

/** The ranked rows of query `q` of a top-k result. */
function rankedOf(top: TopK, q: number): RankedRows {
  const rows: number[] = [];
  const scores: number[] = [];
  for (let i = q * top.k; i < (q + 1) * top.k; i++) {
    if (top.indices[i] < 0) continue;
    rows.push(top.indices[i]);
    scores.push(top.scores[i]);
  }
  return { rows, scores };
}

/**
 * A searcher that ranks on `gpu` when it holds a WebGPU device (every eligible search with
 * policy `webgpu`, the measured faster path per mode with `auto`), else the store's CPU
 * searcher. Same hits either way: the GPU kernels reproduce `@webembed/core`'s ordering and ties
 * (Hamming and int8 exactly; float scores within float rounding, ~1e-6, from another summation order).
 */
export function createGpuSearcher(
  stored: Collection,
  gpu: GpuSearch,
  options: GpuSearcherOptions = {},
): DenseSearcher {
  if (gpu.backend !== 'webgpu') return createStoreSearcher(stored, gpu.reason, options.kinds);
  const policy = options.policy ?? 'auto';
  const measure = options.measure ?? timeBothPaths;
  const view = watchSnapshot(stored);
  // Keyed by mode and batch-size bucket: `float32|1`, `float32|9-64`, ...
  const routes = new Map<string, BackendChoice & { rows: number }>();
  let state: IndexState | null = null;
  let warming: Promise<void> = Promise.resolve();

  function createIndex(
    dims: number,
    kinds: readonly VectorKind[],
    calibration: Int8Calibration | null,
    normalized: boolean,
  ): IndexState {
    // Without a calibration yet (an empty collection) the index starts without int8 rows; it is
    // rebuilt with them once the first write fixes the calibration.
    const usable = kinds.filter((kind) => kind !== 'int8' || calibration !== null);
    const index = gpu.createIndex({ dims, kinds: usable, int8Calibration: calibration ?? undefined });
    const compiled = index.warmUp(warmUpSearches(usable, normalized));
    warming = warming.then(() => compiled).catch(() => undefined);
    return { index, snapshot: null, calibration };
  }

  if (options.dims !== undefined && options.kinds !== undefined) {
    state = createIndex(options.dims, options.kinds, options.calibration ?? null, options.normalized ?? true);
  }

  // Concurrent searches after a write must not both append the new rows: one update at a time.
  let indexing: Promise<unknown> = Promise.resolve();
  function indexFor(snapshot: CollectionSnapshot): Promise<GpuIndex> {
    const update = indexing.then(() => bringUpTo(snapshot));
    indexing = update.catch(() => undefined);
    return update;
  }

  /** Brings the GPU index up to `snapshot`: append new rows and tombstone deleted ones when only that changed. */
  async function bringUpTo(snapshot: CollectionSnapshot): Promise<GpuIndex> {
    if (state?.snapshot === snapshot) return state.index;
    const prev = state?.snapshot ?? null;
    if (state && compatible(state, snapshot) && (prev === null || appendOnly(prev, snapshot))) {
      const from = prev?.rows ?? 0;
      if (snapshot.rows > from) await state.index.append(rowsFrom(snapshot, from));
      const deleted: number[] = [];
      for (let r = 0; r < snapshot.rows; r++) {
        if (snapshot.skip[r] && (prev === null || r >= prev.rows || !prev.skip[r])) deleted.push(r);
      }
      if (deleted.length > 0) state.index.remove(deleted);
      state = { ...state, snapshot };
      return state.index;
    }
    state?.index.destroy();
    state = createIndex(snapshot.dims, snapshot.kinds, snapshot.calibration, snapshot.fingerprint.normalized);
    if (snapshot.rows > 0) await state.index.append(rowsFrom(snapshot, 0));
    const deleted: number[] = [];
    for (let r = 0; r < snapshot.rows; r++) if (snapshot.skip[r]) deleted.push(r);
    if (deleted.length > 0) state.index.remove(deleted);
    state = { ...state, snapshot };
    return state.index;
  }

  async function route(
    mode: StoreSearchMode,
    queries: number,
    snapshot: CollectionSnapshot,
    index: GpuIndex,
    rankCpu: () => unknown,
    rankGpu: () => Promise<unknown>,
  ): Promise<BackendChoice> {
    if (index.backend !== 'webgpu') return { backend: 'cpu', reason: index.reason };
    if (policy === 'webgpu') return { backend: 'webgpu', reason: `searchBackend 'webgpu': ${index.reason}` };
    const live = liveRowCount(snapshot);
    const key = `${mode}|${batchBucket(queries)}`;
    const known = routes.get(key);
    if (known && live <= known.rows * 2 && live * 2 >= known.rows) return known;
    const timings = await measure({ cpu: rankCpu, gpu: rankGpu, queries, mode });
    const choice = chooseBackend(timings, live, mode, queries);
    routes.set(key, { ...choice, rows: live });
    return choice;
  }

  /** Ranks every row of `queries`: one batched CPU or GPU call per ranking round. */
  async function rankBatch(
    queries: Float32Matrix,
    searchOptions: DenseSearchOptions,
  ): Promise<{
    hits: DenseHit[][];
    backend: 'webgpu' | 'cpu';
    reason: string;
    timings: DenseSearchTimings;
  }> {
    const started = performance.now();
    const snapshot = await view.current();
    const { mode, filter } = searchOptions;
    const rankCpu = (picked: readonly number[], k: number) =>
      rankSnapshotMany(snapshot, pickQueries(queries, picked), { k, mode, filter });
    if (filter !== undefined || searchOptions.k > MAX_GPU_K || liveRowCount(snapshot) === 0) {
      const snapshotMs = performance.now() - started;
      const { hits, kernelMs, hydrateMs } = await rankDistinctMany(
        snapshot,
        searchOptions,
        queries.rows,
        rankCpu,
      );
      const reason =
        filter !== undefined
          ? 'filtered searches run on the CPU path'
          : liveRowCount(snapshot) === 0
            ? 'the collection is empty'
            : `k above the GPU selection limit (${MAX_GPU_K}) runs on the CPU path`;
      return { hits, backend: 'cpu', reason, timings: { snapshotMs, kernelMs, hydrateMs } };
    }
    const index = await indexFor(snapshot);
    const snapshotMs = performance.now() - started;
    const kernelStart = performance.now();
    await warming;
    const rankGpu = async (picked: readonly number[], k: number) => {
      const top = await index.search(
        pickQueries(queries, picked),
        gpuOptions(mode, Math.min(k, index.liveRows), snapshot),
      );
      return picked.map((_, i) => rankedOf(top, i));
    };
    const all = Array.from({ length: queries.rows }, (_, q) => q);
    const choice = await route(
      mode,
      queries.rows,
      snapshot,
      index,
      () => rankCpu(all, searchOptions.k),
      () => rankGpu(all, searchOptions.k),
    );
    const setupMs = performance.now() - kernelStart;
    const ranked = await rankDistinctMany(snapshot, searchOptions, queries.rows, (picked, k) =>
      choice.backend === 'webgpu' ? rankGpu(picked, k) : rankCpu(picked, k),
    );
    // A fault during this search moves the index to the CPU path: report where it really ran.
    const backend = choice.backend === 'webgpu' ? index.backend : 'cpu';
    return {
      hits: ranked.hits,
      backend,
      reason: backend === choice.backend ? choice.reason : index.reason,
      timings: { snapshotMs, kernelMs: setupMs + ranked.kernelMs, hydrateMs: ranked.hydrateMs },
    };
  }

  return {
    backend: 'webgpu',
    async search(query, searchOptions) {
      const { hits, ...rest } = await rankBatch({ data: query, rows: 1, dims: query.length }, searchOptions);
      return { hits: hits[0], ...rest };
    },
    searchMany: rankBatch,
    async liveRows() {
      const kept = view.kept();
      return kept ? liveRowCount(kept) : stored.count();
    },
    documents: async (ids) => documentsOf(view.kept() ?? (await view.current()), ids),
    passes: passesFilter,
    invalidate: () => view.invalidate(),
    dispose() {
      view.dispose();
      state?.index.destroy();
      state = null;
    },
  };
}

/** Whether `snapshot`'s rows fit the index as created (same width, kinds and calibration). */
function compatible(state: IndexState, snapshot: CollectionSnapshot): boolean {
  const { index } = state;
  if (index.dims !== snapshot.dims) return false;
  const wanted = snapshot.kinds.filter((kind) => kind !== 'int8' || snapshot.calibration !== null);
  if (wanted.length !== index.kinds.length || wanted.some((kind) => !index.kinds.includes(kind)))
    return false;
  return sameCalibration(state.calibration, snapshot.calibration);
}

/**
 * True when `next` only appended rows to `prev` and tombstoned some: same ids in the old rows,
 * no row revived. Then the GPU index can be extended instead of rebuilt.
 */
function appendOnly(prev: CollectionSnapshot, next: CollectionSnapshot): boolean {
  if (next.rows < prev.rows) return false;
  for (let r = 0; r < prev.rows; r++) {
    if (prev.ids[r] !== next.ids[r] || (prev.skip[r] && !next.skip[r])) return false;
  }
  return true;
}

function sameCalibration(x: Int8Calibration | null, y: Int8Calibration | null): boolean {
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
