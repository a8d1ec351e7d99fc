/**
 * The engine worker's implementation of {@link EngineWorkerApi}: one local engine, its open
 * collections by name, and abort controllers by operation id. Kept apart from the worker entry
 * so it can run (and be tested) over any comlink endpoint.
 *
 * @module
 */
import { WebEmbedError } from '@webembed/core';
import { transfer } from 'comlink';
import type { CollectionSearchOptions } from './collection.js';
import { type Engine, type EngineCollectionHandle, createLocalEngine } from './engine.js';
import { env } from './env.js';
import type { EngineWorkerApi, WireSearchOptions } from './protocol.js';

/** A fresh worker API object (not yet initialized). */
export function createWorkerApi(): EngineWorkerApi {
  let engine: Engine | null = null;
  const collections = new Map<string, EngineCollectionHandle>();
  const controllers = new Map<number, AbortController>();

  const ready = (): Engine => {
    if (!engine)
      throw new WebEmbedError('INVALID_ARGUMENT', 'the engine worker is not initialized; call init() first');
    return engine;
  };
  const opened = (name: string): EngineCollectionHandle => {
    const handle = collections.get(name);
    if (!handle) {
      throw new WebEmbedError('NOT_FOUND', `collection ${JSON.stringify(name)} is not open in the worker`, {
        collection: name,
      });
    }
    return handle;
  };
  const signalFor = (opId: number | undefined): AbortSignal | undefined => {
    if (opId === undefined) return undefined;
    const controller = new AbortController();
    controllers.set(opId, controller);
    return controller.signal;
  };
  /** A collection search's options as the worker receives them, with the operation's abort signal. */
  const searchOptionsOf = (options: WireSearchOptions): CollectionSearchOptions => ({
    k: options.k,
    mode: options.mode,
    filter: options.filter,
    hybridDense: options.hybridDense,
    signal: signalFor(options.opId),
  });
  const done = (opId: number | undefined) => {
    if (opId !== undefined) controllers.delete(opId);
  };

  return {
    async init(options, onLoadProgress) {
      if (engine) throw new WebEmbedError('ALREADY_EXISTS', 'the engine worker is already initialized');
      Object.assign(env, options.env);
      engine = await createLocalEngine({ ...options, onLoadProgress });
      return engine.info;
    },
    async embed(texts, options, onProgress) {
      try {
        const result = await ready().embed(texts, {
          kind: options.kind,
          signal: signalFor(options.opId),
          onProgress,
        });
        return transfer(result, [result.vectors.data.buffer as ArrayBuffer]);
      } finally {
        done(options.opId);
      }
    },
    async openCollection(name, options = {}) {
      if (!collections.has(name)) collections.set(name, await ready().collection(name, options));
    },
    async add(collection, docs, options, onProgress) {
      try {
        const handle = opened(collection);
        const addOptions = { chunk: options.chunk, signal: signalFor(options.opId), onProgress };
        return options.upsert ? await handle.upsert(docs, addOptions) : await handle.add(docs, addOptions);
      } finally {
        done(options.opId);
      }
    },
    async search(collection, query, options) {
      try {
        return await opened(collection).search(query, searchOptionsOf(options));
      } finally {
        done(options.opId);
      }
    },
    async searchMany(collection, queries, options) {
      try {
        return await opened(collection).searchMany(queries, searchOptionsOf(options));
      } finally {
        done(options.opId);
      }
    },
    delete: (collection, ids) => opened(collection).delete(ids),
    count: (collection) => opened(collection).count(),
    clear: (collection) => opened(collection).clear(),
    async exportCollection(collection) {
      const bytes = await opened(collection).export();
      return transfer(bytes, [bytes.buffer as ArrayBuffer]);
    },
    importCollection: (collection, bytes) => opened(collection).import(bytes),
    async deleteCollection(name) {
      collections.delete(name);
      await ready().deleteCollection(name);
    },
    listCollections: () => ready().listCollections(),
    abort(opId) {
      controllers.get(opId)?.abort();
    },
    async dispose() {
      collections.clear();
      await engine?.dispose();
      engine = null;
    },
  };
}
