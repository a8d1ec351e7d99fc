/**
 * The typed protocol between the main thread and the engine worker (types only). The worker
 * exposes an {@link EngineWorkerApi} with comlink; the main thread holds a `Remote` of it.
 * Everything crossing is structured-cloneable: callbacks go as comlink proxies, AbortSignals as
 * operation ids the main thread aborts through `abort(opId)`, and metadata filters must be plain
 * objects (functions cannot be cloned).
 *
 * @module
 */
import type { Metadata } from '@webembed/store';
import type {
  AddResult,
  ChunkingOptions,
  SearchManyResponse,
  SearchMode,
  SearchResponse,
} from './collection.js';
import type { DocumentToAdd } from './collection.js';
import type { EmbedResult } from './embedder.js';
import type { EngineInfo, EngineOptions, OpenCollectionOptions } from './engine.js';
import type { EngineEnv } from './env.js';
import type { TextKind } from './presets.js';
import type { LoadProgress } from './runtime.js';

/** Engine options that can cross to the worker (no functions). */
export type WorkerEngineOptions = Omit<EngineOptions, 'onLoadProgress' | 'denseSearcher' | 'env'> & {
  /** The main thread's `env` merged with per-engine overrides, applied inside the worker. */
  readonly env: Partial<EngineEnv>;
};

/** A metadata equality filter (the only filter form that crosses the boundary). */
export type PlainFilter = Readonly<Record<string, Metadata[string]>>;

/** The worker's API. Every method is async on the main thread. */
/** A collection search's options as they cross to the worker: a plain filter and the operation id for aborts. */
export interface WireSearchOptions {
  readonly k?: number;
  readonly mode?: SearchMode;
  readonly filter?: PlainFilter;
  readonly hybridDense?: Exclude<SearchMode, 'hybrid'>;
  readonly opId?: number;
}

export interface EngineWorkerApi {
  /** Loads the model; must be called once, first. */
  init(options: WorkerEngineOptions, onLoadProgress?: (event: LoadProgress) => void): Promise<EngineInfo>;
  embed(
    texts: readonly string[],
    options: { kind?: TextKind; opId?: number },
    onProgress?: (done: number, total: number) => void,
  ): Promise<EmbedResult>;
  openCollection(name: string, options?: OpenCollectionOptions): Promise<void>;
  add(
    collection: string,
    docs: readonly DocumentToAdd[],
    options: { upsert: boolean; chunk?: ChunkingOptions | boolean; opId?: number },
    onProgress?: (done: number, total: number) => void,
  ): Promise<AddResult>;
  search(collection: string, query: string, options: WireSearchOptions): Promise<SearchResponse>;
  /** `searchMany` of an open collection (same options as `search`). */
  searchMany(
    collection: string,
    queries: readonly string[],
    options: WireSearchOptions,
  ): Promise<SearchManyResponse>;
  delete(collection: string, ids: readonly string[]): Promise<number>;
  count(collection: string): Promise<number>;
  clear(collection: string): Promise<void>;
  exportCollection(collection: string): Promise<Uint8Array>;
  importCollection(collection: string, bytes: Uint8Array): Promise<void>;
  deleteCollection(name: string): Promise<void>;
  listCollections(): Promise<string[]>;
  /** Aborts the operation started with this id (no-op when finished). */
  abort(opId: number): void;
  dispose(): Promise<void>;
}
