/**
 * The only module that talks to `@webembed/engine`: configures `env` for this origin (model files,
 * ORT runtime, threads), loads the model, opens the demo's collection, and maps the engine's
 * results to the demo's {@link SearchService}.
 */
import { type Engine, createEngine, env } from '@webembed/engine';
import type { RuntimeConfig } from './config';
import { createDownloadTracker, singleThreadReason, threadsFor } from './download-progress';
import type { DocMetadata, DownloadProgress, Hit, SearchService } from './search-service';

/** The two ORT runtime files, served from `config.ortUrl`. */
const ORT_MJS = 'ort-wasm-simd-threaded.asyncify.mjs';
const ORT_WASM = 'ort-wasm-simd-threaded.asyncify.wasm';

function toMetadata(value: unknown): DocMetadata {
  const m = (value ?? {}) as Partial<DocMetadata>;
  return {
    lang: typeof m.lang === 'string' ? m.lang : 'und',
    source: m.source === 'user' ? 'user' : 'corpus',
    ...(typeof m.topic === 'string' ? { topic: m.topic } : {}),
    ...(typeof m.title === 'string' ? { title: m.title } : {}),
  };
}

/** Loads the model and opens the collection; resolves once searching is possible. */
export async function createSearchService(
  config: RuntimeConfig,
  callbacks: { onDownload: (p: DownloadProgress) => void },
): Promise<SearchService> {
  const isolated = globalThis.crossOriginIsolated === true;
  const sharedMemory = typeof SharedArrayBuffer === 'function';
  const threads = threadsFor(isolated, navigator.hardwareConcurrency || 1, sharedMemory);
  env.allowRemoteModels = config.allowRemoteModels;
  if (config.modelPath !== null) env.localModelPath = config.modelPath;
  env.wasmPaths = { mjs: config.ortUrl + ORT_MJS, wasm: config.ortUrl + ORT_WASM };
  env.numThreads = threads;
  // The service worker already keeps model files (cache first); a second copy in transformers.js'
  // own cache would store every model twice. Without a controlling service worker, keep it.
  env.useBrowserCache = !navigator.serviceWorker?.controller;

  // The engine runs in its own module worker; `?device=` picks both the inference backend and where
  // the vector search runs (WebGPU, or WASM + CPU search).
  const engine: Engine = await createEngine({
    model: config.model,
    revision: config.modelRevision,
    device: config.device,
    searchBackend: config.device === 'wasm' ? 'cpu' : config.device,
    dtype: config.dtype as 'q8',
    database: 'webembed-demo-vectors',
    onLoadProgress: createDownloadTracker(callbacks.onDownload),
    loadStallTimeoutMs: config.loadStallTimeoutMs,
  });
  const collection = await engine.collection(config.collection);
  const info = engine.info;
  let searchBackend: string = info.search.backend;

  return {
    info: {
      backend: info.backend,
      adapter: info.adapter?.label ?? null,
      fallbackAdapter: info.adapter?.isFallbackAdapter ?? false,
      model: info.modelId,
      dtype: info.dtype,
      dims: info.fingerprint.dims,
      threads: info.threads ?? threads,
      threadsNote: (info.threads ?? threads) > 1 ? null : singleThreadReason(isolated, sharedMemory),
      fallbackReasons: info.fallbackReasons,
      get searchBackend() {
        return searchBackend;
      },
      searchReason: info.search.reason,
    },
    count: () => collection.count(),
    async add(docs, options) {
      const input = docs.map((d) => ({ id: d.id, text: d.text, metadata: { ...d.metadata } }));
      const addOptions = {
        ...(options.chunk ? { chunk: { ...options.chunk } } : {}),
        ...(options.signal ? { signal: options.signal } : {}),
        onProgress: (done: number, total: number) => options.onProgress?.({ done, total }),
      };
      const result = options.replace
        ? await collection.upsert(input, addOptions)
        : await collection.add(input, addOptions);
      return { documents: result.documents, vectors: result.rows, truncatedChunks: result.truncated };
    },
    async importIndex(bytes) {
      await collection.import(bytes);
      return collection.count();
    },
    async search(query, { mode, k }) {
      const response = await collection.search(query, { mode, k });
      searchBackend = response.searchBackend;
      const hits: Hit[] = response.hits.map((h) => ({
        id: h.id,
        text: h.text,
        score: h.score,
        metadata: toMetadata(h.metadata),
        chunkIndex: h.chunk?.index ?? null,
      }));
      return { hits, embedMs: response.timings.embedMs, searchMs: response.timings.searchMs };
    },
    async delete(ids) {
      await collection.delete(ids);
    },
    clear: () => collection.clear(),
    close: () => engine.dispose(),
  };
}
