/**
 * The public entry point: {@link createGpuSearch} picks WebGPU or the CPU path once, and hands
 * out indexes that keep their rows on the GPU (with a host copy), search with WGSL kernels, and
 * fall back to `@webembed/core` on the CPU, with the same results, when there is no device or
 * the device faults.
 *
 * @module
 */
import { isWebEmbedError, type TopK, WebEmbedError } from '@webembed/core';
import {
  type AppendBatch,
  checkIndexOptions,
  completeBatch,
  type GpuIndexOptions,
  invalid,
} from './batch.js';
import { compilePipelines, confirmLost, createGpuContext, type GpuContext } from './context.js';
import {
  appendGpuRows,
  createGpuCorpus,
  destroyGpuCorpus,
  type GpuCorpus,
  writeSkipWords,
} from './corpus.js';
import { searchOnCpu } from './cpu.js';
import {
  type AcquireOptions,
  acquireGpu,
  asGpuError,
  type GpuAdapterDescription,
  type GpuCapabilities,
  withErrorScopes,
} from './device.js';
import { createWorkspace, destroyWorkspace, type Workspace } from './execute.js';
import { appendHostRows, createHostColumns, tombstoneHostRows, type VectorKind } from './host.js';
import { gpuIneligibility, pipelinesForMode, searchOnGpu } from './plan.js';
import { createRequest, type GpuSearchMode, type GpuSearchOptions, type SearchQueries } from './request.js';

/** Options of {@link createGpuSearch}. */
export interface CreateGpuSearchOptions extends AcquireOptions {
  /** `auto` (default): WebGPU when usable, else CPU. `cpu`: never touch WebGPU. `webgpu`: throw `GPU_UNAVAILABLE` instead of falling back. */
  readonly backend?: 'auto' | 'webgpu' | 'cpu';
  /**
   * What a GPU fault during a call does. `true` (default): report it to `onFault`, switch that
   * index (or, after device loss, everything) to the CPU path and answer from there. `false`:
   * throw the typed error (`GPU_DEVICE_LOST`, `GPU_OUT_OF_MEMORY`, `GPU_VALIDATION`).
   */
  readonly fallback?: boolean;
  /** Called once per GPU fault with the typed error. */
  readonly onFault?: (error: WebEmbedError) => void;
}

/** A searchable collection of rows, resident on the GPU when the backend is WebGPU. */
export interface GpuIndex {
  readonly dims: number;
  readonly kinds: readonly VectorKind[];
  /** Rows appended so far (deleted rows included; row ids never shift). */
  readonly rows: number;
  /** Rows not deleted. */
  readonly liveRows: number;
  /** Where this index's searches run now; turns to `cpu` after a fault. */
  readonly backend: 'webgpu' | 'cpu';
  /** Why it runs there. */
  readonly reason: string;
  /**
   * Appends rows (ids continue from `rows`); returns the id of the first new row. Rows are
   * uploaded once into growable GPU buffers, never re-uploaded.
   */
  append(batch: AppendBatch): Promise<number>;
  /** Deletes rows by id (tombstones; ids stay stable). Returns how many were live. */
  remove(rows: ArrayLike<number>): number;
  /**
   * Top-k of every query, exactly as `@webembed/core` computes it: ties to the lower row,
   * similarities descending, Hamming distances ascending. Concurrent calls are queued (one GPU
   * batch in flight per index); a search sees the rows appended before it runs.
   */
  search(queries: SearchQueries, options: GpuSearchOptions): Promise<TopK>;
  /**
   * Compiles, without blocking the thread, the GPU pipelines that searches with these options
   * run, so the first such search pays no shader compile (seconds on a software adapter). Call
   * it when the index is created. Resolves at once on the CPU path; a compile failure is a GPU
   * fault (the index then answers on the CPU, or it throws with `fallback: false`).
   */
  warmUp(searches: readonly WarmUpSearch[]): Promise<void>;
  /** Releases the index's GPU buffers; later calls throw `INVALID_ARGUMENT`. */
  destroy(): void;
}

/** The options of a search to compile pipelines for (see `GpuIndex.warmUp`). */
export type WarmUpSearch = Pick<GpuSearchOptions, 'mode' | 'candidates' | 'rescore'>;

const COLUMN_OF_MODE: Readonly<Record<GpuSearchMode, readonly VectorKind[]>> = {
  hamming: ['binary'],
  asymmetric: ['binary'],
  'asymmetric-l1': ['binary'],
  'binary-rescore': ['binary'],
  int8: ['int8'],
  float32: ['float32', 'float16'],
  cosine: ['float32', 'float16'],
};

function checkWarmUp(kinds: ReadonlySet<VectorKind>, search: WarmUpSearch): void {
  const needs = COLUMN_OF_MODE[search?.mode];
  if (!needs) {
    throw invalid(
      `warmUp mode must be one of ${Object.keys(COLUMN_OF_MODE).join(', ')}, got ${JSON.stringify(search?.mode)}`,
    );
  }
  if (!needs.some((kind) => kinds.has(kind))) {
    throw invalid(`mode '${search.mode}' needs ${needs.join(' or ')} rows, which this index does not store`);
  }
}

/** A search backend: WebGPU with CPU fallback, or the CPU path alone. */
export interface GpuSearch {
  /** `webgpu` while a usable device is held; `cpu` when there never was one or it was lost. */
  readonly backend: 'webgpu' | 'cpu';
  /** Why this backend runs (adapter, features, or why WebGPU was not used or was lost). */
  readonly reason: string;
  /** The adapter, when one was found. */
  readonly adapterInfo: GpuAdapterDescription | null;
  /** Optional GPU capabilities in use, or null on the CPU path. */
  readonly capabilities: GpuCapabilities | null;
  /** The device limits in use, or null on the CPU path. */
  readonly limits: import('./device.js').GpuSearchLimits | null;
  /** The device in use (to share with other WebGPU work), or null on the CPU path / after loss. */
  readonly device: GPUDevice | null;
  /** The last GPU fault seen, if any. */
  readonly lastFault: WebEmbedError | null;
  /** A new, empty index. */
  createIndex(options: GpuIndexOptions): GpuIndex;
  /** Destroys every index and the device. */
  destroy(): void;
}

interface Shared {
  context: GpuContext | null;
  reason: string;
  readonly fallback: boolean;
  readonly onFault: ((error: WebEmbedError) => void) | undefined;
  readonly indexes: Set<GpuIndex>;
}

function createIndex(shared: Shared, options: GpuIndexOptions): GpuIndex {
  const kinds = checkIndexOptions(options);
  const host = createHostColumns(options.dims, kinds, options.int8Calibration);
  let gpu: { corpus: GpuCorpus; ws: Workspace } | null = null;
  let reason = shared.reason;
  let destroyed = false;
  if (shared.context) {
    const { device, gpu: acquired } = shared.context;
    const limit = Math.min(acquired.limits.maxStorageBufferBindingSize, acquired.limits.maxBufferSize);
    const corpus = createGpuCorpus(
      device,
      options.dims,
      kinds,
      Math.min(options.maxBindingBytes ?? limit, limit),
      acquired.limits.maxComputeWorkgroupsPerDimension,
    );
    gpu = { corpus, ws: createWorkspace(shared.context, corpus) };
  }

  const alive = () => {
    if (destroyed) throw invalid('this index was destroyed');
  };
  const onGpu = () => gpu !== null && shared.context !== null && !shared.context.lost;

  async function fault(err: unknown, what: string): Promise<void> {
    const context = shared.context;
    const lost = context ? await confirmLost(context) : false;
    const typed = asGpuError(err, what, lost);
    if (context) context.lastFault = typed;
    if (gpu) {
      destroyWorkspace(gpu.ws);
      destroyGpuCorpus(gpu.corpus);
      gpu = null;
    }
    reason = `CPU path after a GPU fault (${typed.code}): ${typed.message}`;
    if (lost && context) {
      shared.context = null;
      shared.reason = `CPU path: the GPU device was lost (${context.lostMessage || typed.message})`;
    }
    shared.onFault?.(typed);
    if (!shared.fallback) throw typed;
  }

  let gpuQueue: Promise<unknown> = Promise.resolve();
  async function searchOnGpuOrFallback(request: ReturnType<typeof createRequest>): Promise<TopK> {
    // The device may have been lost, or the index destroyed, while this search waited its turn.
    if (onGpu() && gpu) {
      try {
        return await searchOnGpu(gpu.ws, host, request);
      } catch (err) {
        if (isWebEmbedError(err) && !err.code.startsWith('GPU_')) throw err;
        await fault(err, 'searching');
      }
    }
    return searchOnCpu(host, request);
  }

  const index: GpuIndex = {
    dims: options.dims,
    kinds: [...kinds],
    get rows() {
      return host.rows;
    },
    get liveRows() {
      return host.rows - host.deleted;
    },
    get backend() {
      return onGpu() ? 'webgpu' : 'cpu';
    },
    get reason() {
      if (gpu && shared.context?.lost)
        return `CPU path: the GPU device was lost (${shared.context.lostMessage})`;
      return onGpu() ? shared.reason : reason;
    },
    async append(batch) {
      alive();
      const { count, full } = completeBatch(host, batch);
      const start = host.rows;
      appendHostRows(host, count, full);
      if (count > 0 && onGpu() && gpu) {
        const target = gpu;
        try {
          await withErrorScopes(target.corpus.device, 'uploading rows', () =>
            appendGpuRows(target.corpus, host, start),
          );
        } catch (err) {
          await fault(err, 'uploading rows');
        }
      }
      return start;
    },
    remove(rows) {
      alive();
      const list = Array.from(rows as ArrayLike<number>);
      for (const row of list) {
        if (!Number.isInteger(row) || row < 0 || row >= host.rows) {
          throw new WebEmbedError(
            'INVALID_ARGUMENT',
            `row ${row} does not exist; expected an id in [0, ${host.rows})`,
            {
              row,
            },
          );
        }
      }
      const changed = tombstoneHostRows(host, Int32Array.from(list));
      if (changed.length > 0 && onGpu() && gpu) {
        let lo = changed[0];
        let hi = changed[0];
        for (const row of changed) {
          lo = Math.min(lo, row);
          hi = Math.max(hi, row);
        }
        writeSkipWords(gpu.corpus, host, lo, hi + 1);
      }
      return changed.length;
    },
    async search(queries, options) {
      alive();
      const request = createRequest(
        { dims: host.dims, kinds, calibration: host.calibration, hasL1Norms: host.l1Norms !== undefined },
        queries,
        options,
      );
      if (onGpu() && gpu && gpuIneligibility(request, host) === null) {
        // One GPU search at a time per index: they share the workspace's buffers.
        const turn = gpuQueue.then(() => searchOnGpuOrFallback(request));
        gpuQueue = turn.catch(() => undefined);
        return await turn;
      }
      return searchOnCpu(host, request);
    },
    async warmUp(searches) {
      alive();
      if (!Array.isArray(searches)) throw invalid('warmUp needs an array of { mode, candidates?, rescore? }');
      for (const search of searches) checkWarmUp(kinds, search);
      const context = shared.context;
      if (!onGpu() || !context) return;
      const specs = searches.flatMap((search) =>
        pipelinesForMode(host, context.gpu.capabilities.packedDot, search),
      );
      try {
        await compilePipelines(context, specs);
      } catch (err) {
        await fault(err, 'compiling search pipelines');
      }
    },
    destroy() {
      if (destroyed) return;
      destroyed = true;
      if (gpu) {
        destroyWorkspace(gpu.ws);
        destroyGpuCorpus(gpu.corpus);
        gpu = null;
      }
      shared.indexes.delete(index);
    },
  };
  shared.indexes.add(index);
  return index;
}

/**
 * Creates the search backend: WebGPU when an adapter and device can be had (adapter limits and
 * the `shader-f16` / `subgroups` features requested, `dot4I8Packed` detected), else the CPU
 * path of `@webembed/core`, which returns the same results. Check `.backend` and `.reason`.
 *
 * @example
 * ```ts
 * const gpu = await createGpuSearch();
 * console.log(gpu.backend, gpu.reason);
 * const index = gpu.createIndex({ dims: 384, kinds: ['binary', 'float32'] });
 * await index.append({ float32: vectors }); // binary rows and L1 norms derived from float32
 * const hits = await index.search(queries, { k: 10, mode: 'binary-rescore', oversample: 4 });
 * ```
 */
export async function createGpuSearch(options: CreateGpuSearchOptions = {}): Promise<GpuSearch> {
  const backend = options.backend ?? 'auto';
  if (backend !== 'auto' && backend !== 'webgpu' && backend !== 'cpu') {
    throw invalid(`backend must be 'auto', 'webgpu' or 'cpu', got ${JSON.stringify(backend)}`);
  }
  const acquired = backend === 'cpu' ? null : await acquireGpu(options);
  if (backend === 'webgpu' && acquired?.kind !== 'webgpu') {
    throw new WebEmbedError('GPU_UNAVAILABLE', `WebGPU was required but is unusable: ${acquired?.reason}`);
  }
  const shared: Shared = {
    context: acquired?.kind === 'webgpu' ? createGpuContext(acquired) : null,
    reason:
      acquired === null
        ? 'CPU path requested (backend: cpu)'
        : `${acquired.kind === 'cpu' ? 'CPU path: ' : ''}${acquired.reason}`,
    fallback: options.fallback ?? true,
    onFault: options.onFault,
    indexes: new Set(),
  };
  const initial = acquired?.kind === 'webgpu' ? acquired : null;
  let lastFault: WebEmbedError | null = null;
  return {
    get backend() {
      return shared.context && !shared.context.lost ? 'webgpu' : 'cpu';
    },
    get reason() {
      if (shared.context?.lost) return `CPU path: the GPU device was lost (${shared.context.lostMessage})`;
      return shared.reason;
    },
    adapterInfo: acquired?.adapter ?? null,
    capabilities: initial?.capabilities ?? null,
    limits: initial?.limits ?? null,
    get device() {
      return shared.context && !shared.context.lost ? shared.context.device : null;
    },
    get lastFault() {
      return shared.context?.lastFault ?? lastFault;
    },
    createIndex(indexOptions) {
      return createIndex(shared, indexOptions);
    },
    destroy() {
      for (const index of [...shared.indexes]) index.destroy();
      if (shared.context) {
        lastFault = shared.context.lastFault;
        shared.context.device.destroy();
        shared.context = null;
        shared.reason = 'destroyed';
      }
    },
  };
}
