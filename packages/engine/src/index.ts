/**
 * `@webembed/engine`: the embedding engine. transformers.js in a Web Worker (WebGPU or WASM) or
 * in-process (Node), model presets, token accounting, caching, and collections that search
 * through `@webembed/gpu` and persist through `@webembed/store`.
 *
 * @module
 */
export { env, applyEnv, defaultWasmThreads } from './env.js';
export type { EngineEnv, WasmPaths } from './env.js';
export {
  PRESETS,
  NO_PREFIXES,
  E5_PREFIXES,
  BGE_PREFIXES,
  resolvePreset,
  outputDims,
  fingerprintOf,
} from './presets.js';
export type { ModelPreset, ModelOverrides, Pooling, PrefixScheme, TextKind } from './presets.js';
export { backendCandidates, checkWebGpu, isNodeRuntime, probeWebGpu } from './device.js';
export type { AdapterDescription, Backend, DeviceRequest } from './device.js';
export type { Dtype, LoadProgress } from './runtime.js';
export { createEmbedder } from './embedder.js';
export type {
  EmbedOptions,
  EmbedResult,
  Embedder,
  EmbedderInfo,
  EmbedderOptions,
  TokenEmbeddings,
} from './embedder.js';
export { planBatches } from './batching.js';
export { sha256Hex } from './hash.js';
export { createLocalEngine, engineFromEmbedder } from './engine.js';
export type {
  Engine,
  EngineCollectionHandle,
  EngineInfo,
  EngineOptions,
  OpenCollectionOptions,
} from './engine.js';
export type {
  AddOptions,
  AddResult,
  ChunkingOptions,
  CollectionSearchOptions,
  DocumentToAdd,
  EngineCollection,
  SearchHit,
  SearchManyResponse,
  SearchManyResult,
  SearchMode,
  SearchResponse,
  SearchTimings,
} from './collection.js';
export { createStoreSearcher } from './dense-search.js';
export type { DenseHit, DenseSearchManyResult, DenseSearcher } from './dense-search.js';
export { CHUNK_KEYS, chunkIdOf } from './chunks.js';
export { EXACT_SEARCH_ROW_LIMIT, MAX_SEARCH_MANY_QUERIES } from './collection.js';
export { DEFAULT_LOAD_STALL_TIMEOUT_MS, createEngine, engineInWorker, open } from './client.js';
export type {
  CreateEngineOptions,
  OpenOptions,
  OpenRemoteOptions,
  OpenedCollection,
  OpenedRemoteCollection,
  OpenedTieredCollection,
  RemoteTier,
} from './client.js';
// The service's client and protocol live in @webembed/remote (one client for engine and pgvector).
export { createRemoteClient, mergeHitsByScore, normalizeEndpoint } from '@webembed/remote';
export type {
  RemoteClient,
  RemoteCollectionInfo,
  RemoteEndpoint,
  RemoteSearchMode,
  RemoteSearchRequest,
  RemoteSearchResponse,
} from '@webembed/remote';
export { REMOTE_MAX_K, checkRemoteModel, remoteCollection, tieredCollection } from './remote-collection.js';
export type {
  QueryEmbedder,
  RemoteCollectionHandle,
  RemoteCollectionSearchOptions,
  RemoteFailurePolicy,
  TieredCollectionHandle,
} from './remote-collection.js';
export { createWorkerApi } from './worker-api.js';
export { serveEngineWorker } from './serve-worker.js';
export { DEFAULT_START_TIMEOUT_MS } from './worker-start.js';
export type { StartedWorker } from './worker-start.js';
export type { EngineWorkerApi, PlainFilter, WorkerEngineOptions } from './protocol.js';
export { registerErrorTransfer, serializeError, deserializeError } from './error-transfer.js';
export type { SerializedError } from './error-transfer.js';
export { batchBucket, createGpuSearcher, sharedGpuSearch } from './gpu-search.js';
export type { SearchBackendRequest } from './gpu-search.js';
export { lateChunkEmbed, loadLateChunkingModel, poolTokenSpan } from './late-chunking.js';
export type {
  ChunkSpan,
  LateChunkOptions,
  LateChunkResult,
  LateChunkingModel,
  LoadLateChunkingModelOptions,
  SequenceStates,
} from './late-chunking.js';
export { lateChunkingModelOf } from './late-chunking-adapter.js';
