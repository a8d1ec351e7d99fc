/**
 * The main-thread API: `createEngine` starts the engine in a module worker (so inference and
 * search never block the page) and returns the same {@link Engine} interface as the in-process
 * engine; `open` gives working semantic search over one collection in a few lines.
 *
 * @example
 * ```ts
 * import { env, open } from '@webembed/engine';
 * env.localModelPath = '/models/';
 * env.wasmPaths = { mjs: '/ort/ort-wasm-simd-threaded.asyncify.mjs', wasm: '/ort/ort-wasm-simd-threaded.asyncify.wasm' };
 * const notes = await open({ model: 'Xenova/multilingual-e5-small', collection: 'notes' });
 * await notes.add([{ id: '1', text: 'Le chat dort sur le canapé.' }]);
 * const { hits } = await notes.search('where does the cat sleep?', { k: 3 });
 * ```
 *
 * @module
 */
import { WebEmbedError } from '@webembed/core';
import { type Remote, proxy, releaseProxy, wrap } from 'comlink';
import type { AddOptions, CollectionSearchOptions, DocumentToAdd } from './collection.js';
import { isNodeRuntime } from './device.js';
import type { EmbedOptions } from './embedder.js';
import { type Engine, type EngineCollectionHandle, type EngineOptions, createLocalEngine } from './engine.js';
import { env } from './env.js';
import { registerErrorTransfer } from './error-transfer.js';
import type { EngineWorkerApi, PlainFilter } from './protocol.js';

/** Options of {@link createEngine}. */
export interface CreateEngineOptions extends Omit<EngineOptions, 'denseSearcher'> {
  /**
   * Where the engine runs: a module `Worker` you created (running `@webembed/engine/src/worker.ts`),
   * `'auto'` (default: a new module worker in browsers, in-process under Node), or `false`
   * (in-process, this thread).
   */
  readonly worker?: Worker | 'auto' | false;
}

let nextOpId = 1;

/** Runs `call` with an operation id that `signal` aborts in the worker. */
async function withAbort<T>(
  api: Remote<EngineWorkerApi>,
  signal: AbortSignal | undefined,
  call: (opId: number | undefined) => Promise<T>,
): Promise<T> {
  if (!signal) return call(undefined);
  if (signal.aborted) {
    throw new WebEmbedError('ABORTED', 'the operation was cancelled through its AbortSignal');
  }
  const opId = nextOpId++;
  const onAbort = () => {
    void api.abort(opId);
  };
  signal.addEventListener('abort', onAbort, { once: true });
  try {
    return await call(opId);
  } finally {
    signal.removeEventListener('abort', onAbort);
  }
}

function plainFilter(filter: CollectionSearchOptions['filter']): PlainFilter | undefined {
  if (filter === undefined) return undefined;
  if (typeof filter === 'function') {
    throw new WebEmbedError(
      'INVALID_ARGUMENT',
      'a filter function cannot cross to the engine worker; pass an object of metadata values, or use worker: false',
    );
  }
  return filter as PlainFilter;
}

function optionalProxy<F extends (...args: never[]) => unknown>(fn: F | undefined): F | undefined {
  return fn ? proxy(fn) : undefined;
}

/** An engine whose work runs in `worker` (already started). */
export async function engineInWorker(
  worker: Worker,
  options: Omit<CreateEngineOptions, 'worker'>,
): Promise<Engine> {
  registerErrorTransfer();
  const api = wrap<EngineWorkerApi>(worker);
  const { onLoadProgress, env: envOverrides, ...rest } = options;
  const info = await api.init({ ...rest, env: { ...env, ...envOverrides } }, optionalProxy(onLoadProgress));

  const collectionHandle = (name: string): EngineCollectionHandle => {
    const write = (docs: readonly DocumentToAdd[], o: AddOptions = {}, upsert = false) =>
      withAbort(api, o.signal, (opId) =>
        api.add(name, docs, { upsert, chunk: o.chunk, opId }, optionalProxy(o.onProgress)),
      );
    return {
      name,
      add: (docs, o) => write(docs, o, false),
      upsert: (docs, o) => write(docs, o, true),
      search: (query, o = {}) =>
        withAbort(api, o.signal, (opId) =>
          api.search(name, query, {
            k: o.k,
            mode: o.mode,
            filter: plainFilter(o.filter),
            hybridDense: o.hybridDense,
            opId,
          }),
        ),
      delete: (ids) => api.delete(name, ids),
      count: () => api.count(name),
      clear: () => api.clear(name),
      export: () => api.exportCollection(name),
      import: (bytes) => api.importCollection(name, bytes),
    };
  };

  return {
    info,
    embed: (texts, o: EmbedOptions = {}) =>
      withAbort(api, o.signal, (opId) =>
        api.embed(texts, { kind: o.kind, opId }, optionalProxy(o.onProgress)),
      ),
    async collection(name, o = {}) {
      await api.openCollection(name, o.kinds);
      return collectionHandle(name);
    },
    deleteCollection: (name) => api.deleteCollection(name),
    listCollections: () => api.listCollections(),
    async dispose() {
      try {
        await api.dispose();
      } finally {
        api[releaseProxy]();
        worker.terminate();
      }
    },
  };
}

/**
 * Starts an engine: in a module worker in browsers (WebGPU or WASM inference, collections in
 * IndexedDB, search on WebGPU with CPU fallback), in-process under Node.
 *
 * @example
 * ```ts
 * const engine = await createEngine({ model: 'Xenova/all-MiniLM-L6-v2', device: 'auto', dtype: 'q8' });
 * console.log(engine.info.backend, engine.info.adapter?.label);
 * const { vectors } = await engine.embed(['hello'], { kind: 'query' });
 * ```
 */
export async function createEngine(options: CreateEngineOptions): Promise<Engine> {
  const { worker = 'auto', ...rest } = options;
  if (worker === false || (worker === 'auto' && (isNodeRuntime() || typeof Worker === 'undefined'))) {
    return createLocalEngine(rest);
  }
  const instance =
    worker === 'auto'
      ? new Worker(new URL('./worker.ts', import.meta.url), { type: 'module', name: 'webembed-engine' })
      : worker;
  try {
    return await engineInWorker(instance, rest);
  } catch (err) {
    instance.terminate();
    throw err;
  }
}

/** Options of {@link open}. */
export interface OpenOptions extends CreateEngineOptions {
  /** Collection to open (created for this model when missing). */
  readonly collection: string;
}

/** An engine plus one open collection: semantic search in a few lines. */
export interface OpenedCollection extends EngineCollectionHandle {
  readonly engine: Engine;
  /** Disposes the engine (and its worker). */
  close(): Promise<void>;
}

/**
 * Opens `collection` with `model`: the shortest way to working semantic search.
 *
 * @example
 * ```ts
 * const docs = await open({ model: 'Xenova/all-MiniLM-L6-v2', collection: 'docs' });
 * await docs.add([{ id: 'a', text: 'Cats purr when content.' }]);
 * const { hits } = await docs.search('why do cats purr');
 * ```
 */
export async function open(options: OpenOptions): Promise<OpenedCollection> {
  const { collection: name, ...engineOptions } = options;
  const engine = await createEngine(engineOptions);
  try {
    const handle = await engine.collection(name);
    return { ...handle, engine, close: () => engine.dispose() };
  } catch (err) {
    await engine.dispose();
    throw err;
  }
}
