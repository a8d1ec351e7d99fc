/**
 * The in-process engine: one embedder plus persistent collections. The worker runs exactly this;
 * Node code (the CLI, tests) can use it directly without a worker.
 *
 * @module
 */
import { type ModelFingerprint, assertSameModel } from '@webembed/core';
import {
  type Collection,
  type CollectionInfo,
  type VectorKind,
  type VectorStore,
  decodeCollectionFile,
  openVectorStore,
} from '@webembed/store';
import { isNodeRuntime } from './device.js';
import {
  type SearchBackendRequest,
  createGpuSearcher,
  searchBackendInfo,
  sharedGpuSearch,
} from './gpu-search.js';
import {
  type AddOptions,
  type CollectionSearchOptions,
  type DocumentToAdd,
  type EngineCollection,
  EXACT_SEARCH_ROW_LIMIT,
  createEngineCollection,
} from './collection.js';
import { type DenseSearcher, createStoreSearcher } from './dense-search.js';
import {
  type EmbedOptions,
  type EmbedResult,
  type Embedder,
  type EmbedderInfo,
  type EmbedderOptions,
  createEmbedder,
} from './embedder.js';

/** Options of {@link createLocalEngine}. */
export interface EngineOptions extends EmbedderOptions {
  /** IndexedDB database holding the collections. Default `webembed`. */
  readonly database?: string;
  /** Makes the dense searcher of each collection (overrides `searchBackend`). */
  readonly denseSearcher?: (collection: Collection) => Promise<DenseSearcher> | DenseSearcher;
  /**
   * Where collection searches run. `auto` (default in browsers and workers): never on a software
   * WebGPU adapter (SwiftShader, llvmpipe: CPU search instead); on a hardware adapter each
   * collection times the CPU and WebGPU paths on its first search of a mode and uses the faster
   * (every response's `searchReason` says which and why). `webgpu`: on the adapter the browser
   * gives, software or not (GPU_UNAVAILABLE without one). `cpu` (default under Node): the
   * `@webembed/core` CPU search only.
   */
  readonly searchBackend?: SearchBackendRequest;
}

/** Options of `engine.collection`. */
export interface OpenCollectionOptions {
  /** Vector forms to keep when the collection is created. Default `['float32', 'int8', 'binary']`. */
  readonly kinds?: readonly VectorKind[];
  /**
   * Largest collection searched exactly when a search names no mode. Up to this many rows the
   * default mode is exact (`float32`, else `int8`); past it, when binary rows are kept, the default
   * becomes `binary-rescore` (1-bit candidates rescored, recall@10 about 0.99 at x4 on real
   * embeddings). Default {@link EXACT_SEARCH_ROW_LIMIT}.
   */
  readonly exactSearchLimit?: number;
}

/** What the engine runs on. */
export interface EngineInfo extends EmbedderInfo {
  readonly fingerprint: ModelFingerprint;
  /** Where collection searches run, and why. */
  readonly search: { readonly backend: 'webgpu' | 'cpu'; readonly reason: string };
}

/** A collection handle that can also replace its contents from an exported file. */
export interface EngineCollectionHandle extends EngineCollection {
  /** Replaces this collection with a file made by `export()` (MODEL_MISMATCH for another model's file). */
  import(bytes: Uint8Array): Promise<void>;
}

/** An engine: embed texts, and open collections of documents embedded with its model. */
export interface Engine {
  readonly info: EngineInfo;
  embed(texts: readonly string[], options?: EmbedOptions): Promise<EmbedResult>;
  /** Opens the collection `name`, creating it for this model when missing (MODEL_MISMATCH if it holds another model's vectors). */
  collection(name: string, options?: OpenCollectionOptions): Promise<EngineCollectionHandle>;
  /** Deletes a collection and everything in it. */
  deleteCollection(name: string): Promise<void>;
  /** Names of the collections in the database. */
  listCollections(): Promise<string[]>;
  dispose(): Promise<void>;
}

const DEFAULT_KINDS: readonly VectorKind[] = ['float32', 'int8', 'binary'];

/** Wraps an already loaded embedder into an engine over the IndexedDB database `database`. */
export async function engineFromEmbedder(
  embedder: Embedder,
  options: Pick<EngineOptions, 'database' | 'denseSearcher' | 'searchBackend'> = {},
): Promise<Engine> {
  let store: VectorStore | null = null;
  const openStore = async () => {
    store ??= await openVectorStore(options.database);
    return store;
  };
  const request = options.searchBackend ?? (isNodeRuntime() ? 'cpu' : 'auto');
  const gpu = options.denseSearcher || request === 'cpu' ? null : await sharedGpuSearch(request);
  const search = options.denseSearcher
    ? { backend: 'cpu' as const, reason: 'a custom dense searcher was given' }
    : searchBackendInfo(request, gpu);
  const makeSearcher =
    options.denseSearcher ??
    ((stored: Collection, info: CollectionInfo) =>
      gpu?.backend === 'webgpu'
        ? createGpuSearcher(stored, gpu, {
            policy: request === 'webgpu' ? 'webgpu' : 'auto',
            dims: info.dims,
            kinds: info.kinds,
            calibration: info.calibration,
            normalized: info.fingerprint.normalized,
          })
        : createStoreSearcher(stored, search.reason, info.kinds));

  const searchers = new Set<DenseSearcher>();

  async function bind(
    name: string,
    exactSearchLimit: number | undefined,
  ): Promise<{ collection: EngineCollection; dense: DenseSearcher }> {
    const db = await openStore();
    const stored = await db.collection(name);
    const info = await stored.info();
    assertSameModel(
      info.fingerprint,
      embedder.fingerprint,
      `the model loaded (${embedder.fingerprint.modelId})`,
    );
    const dense = await makeSearcher(stored, info);
    searchers.add(dense);
    return {
      collection: await createEngineCollection({
        embedder,
        stored,
        kinds: info.kinds,
        dense,
        exactSearchLimit,
      }),
      dense,
    };
  }

  const handles = new Map<string, Promise<EngineCollectionHandle>>();

  async function openHandle(
    name: string,
    openOptions: OpenCollectionOptions,
  ): Promise<EngineCollectionHandle> {
    const db = await openStore();
    if (!(await db.hasCollection(name))) {
      await db.createCollection(name, {
        fingerprint: embedder.fingerprint,
        kinds: openOptions.kinds ?? DEFAULT_KINDS,
      });
    }
    let bound = await bind(name, openOptions.exactSearchLimit);
    let inner = bound.collection;
    return {
      name,
      add: (docs: readonly DocumentToAdd[], o?: AddOptions) => inner.add(docs, o),
      upsert: (docs: readonly DocumentToAdd[], o?: AddOptions) => inner.upsert(docs, o),
      search: (query: string, o?: CollectionSearchOptions) => inner.search(query, o),
      searchMany: (queries: readonly string[], o?: CollectionSearchOptions) => inner.searchMany(queries, o),
      delete: (ids: readonly string[]) => inner.delete(ids),
      count: () => inner.count(),
      clear: () => inner.clear(),
      export: () => inner.export(),
      async import(bytes: Uint8Array) {
        const decoded = decodeCollectionFile(bytes);
        assertSameModel(embedder.fingerprint, decoded.fingerprint, 'the imported file');
        // One transaction replaces the stored collection: a failed write leaves it as it was.
        await db.importCollection(bytes, { name, replace: true });
        bound.dense.dispose?.();
        searchers.delete(bound.dense);
        bound = await bind(name, openOptions.exactSearchLimit);
        inner = bound.collection;
      },
    };
  }

  return {
    info: { ...embedder.info, fingerprint: embedder.fingerprint, search },
    embed: (texts, embedOptions) => embedder.embed(texts, embedOptions),
    collection(name, openOptions = {}) {
      // One handle per name, so its in-memory BM25 index never goes stale behind another handle.
      let handle = handles.get(name);
      if (!handle) {
        handle = openHandle(name, openOptions);
        handles.set(name, handle);
        handle.catch(() => handles.delete(name));
      }
      return handle;
    },
    async deleteCollection(name) {
      handles.delete(name);
      await (await openStore()).deleteCollection(name);
    },

    async listCollections() {
      return (await (await openStore()).listCollections()).map((c) => c.name);
    },
    async dispose() {
      for (const dense of searchers) dense.dispose?.();
      searchers.clear();
      store?.close();
      await embedder.dispose();
    },
  };
}

/**
 * Loads a model in this thread and returns an engine over IndexedDB collections. Browsers
 * usually want `createEngine` (a worker) instead; Node (with an IndexedDB implementation such as
 * fake-indexeddb for collections) and workers use this.
 *
 * @example
 * ```ts
 * const engine = await createLocalEngine({ model: 'Xenova/all-MiniLM-L6-v2', device: 'cpu' });
 * const docs = await engine.collection('docs');
 * await docs.add([{ id: '1', text: 'Cats purr when content.' }]);
 * const { hits } = await docs.search('why do cats purr', { k: 3 });
 * ```
 */
export async function createLocalEngine(options: EngineOptions): Promise<Engine> {
  const embedder = await createEmbedder(options);
  return engineFromEmbedder(embedder, options);
}
