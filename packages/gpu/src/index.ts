/// <reference types="@webgpu/types" preserve="true" />
/**
 * `@webembed/gpu`: WebGPU search: WGSL compute kernels for Hamming, asymmetric binary, int8 and
 * float top-k over GPU-resident corpora, with the CPU path of `@webembed/core` as fallback
 * (same results: Hamming and int8 exactly, float scores within rounding).
 *
 * @example
 * ```ts
 * import { createGpuSearch } from '@webembed/gpu';
 * const gpu = await createGpuSearch();           // WebGPU, or the CPU path with .reason
 * const index = gpu.createIndex({ dims: 384, kinds: ['binary', 'float32'] });
 * await index.append({ float32: corpus });        // binary rows + L1 norms derived
 * const top = await index.search(queries, { k: 10, mode: 'binary-rescore' });
 * ```
 *
 * @module
 */
export { createGpuSearch } from './search.js';
export type { CreateGpuSearchOptions, GpuIndex, GpuSearch, WarmUpSearch } from './search.js';
export type { AppendBatch, GpuIndexOptions } from './batch.js';
export type { GpuSearchMode, GpuSearchOptions, SearchQueries } from './request.js';
export type { VectorKind } from './host.js';
export { acquireGpu, isSoftwareAdapter } from './device.js';
export type {
  AcquiredGpu,
  AcquireOptions,
  GpuAdapterDescription,
  GpuCapabilities,
  GpuSearchLimits,
  NoGpu,
} from './device.js';
export { MAX_LIST_LEN as MAX_GPU_K } from './kernels/merge.wgsl.js';
