/**
 * The collection handle: a thin typed facade over the write, read, search and maintenance
 * functions, bound to one collection of one open store.
 *
 * @module
 */
import { type ModelFingerprint, WebEmbedError } from '@webembed/core';
import type { StoreContext } from './context.js';
import { encodeCollectionFile } from './file-format.js';
import { clearCollection, compactCollection, getSidecar, setSidecar } from './maintain.js';
import { getDocument, hasIds, iterateDocuments, loadSnapshot, readRecord, toInfo } from './read.js';
import { searchSnapshot } from './search.js';
import type {
  CollectionInfo,
  CollectionSnapshot,
  DocumentBatch,
  DocumentInput,
  LoadOptions,
  StoreSearchHit,
  StoreChange,
  StoreSearchOptions,
  StoredDocument,
  VectorKind,
  WriteOptions,
} from './types.js';
import { type WriteResult, deleteDocuments, writeDocuments } from './write.js';

/**
 * One persisted collection. Every method reads or writes IndexedDB in its own transaction; every
 * write commits fully or not at all. Errors are `WebEmbedError`s (`NOT_FOUND` once the collection
 * is deleted, `DB_CLOSED` once the store is closed).
 */
export interface Collection {
  /** The collection's name (aliases are resolved when the handle is made). */
  readonly name: string;
  /** Current persisted description (fingerprint, dims, kinds, calibration, counts). */
  info(): Promise<CollectionInfo>;
  /** Live documents. */
  count(): Promise<number>;
  /**
   * Adds documents; `fingerprint` must equal the collection's (MODEL_MISMATCH otherwise), ids must
   * be new (ALREADY_EXISTS), vectors finite (NOT_FINITE) with the collection's dims (DIMENSION_MISMATCH).
   */
  add(
    docs: readonly DocumentInput[] | DocumentBatch,
    fingerprint: ModelFingerprint,
    options?: WriteOptions,
  ): Promise<WriteResult>;
  /** Like `add`, but replaces documents whose id exists (the last of duplicate ids in a batch wins). */
  upsert(
    docs: readonly DocumentInput[] | DocumentBatch,
    fingerprint: ModelFingerprint,
    options?: WriteOptions,
  ): Promise<WriteResult>;
  /** Deletes documents by id (tombstones; `compact()` reclaims space). Returns how many existed. */
  delete(ids: readonly string[], options?: WriteOptions): Promise<number>;
  /** One document, or `undefined`. */
  get(id: string): Promise<StoredDocument | undefined>;
  /** Which ids are stored, in order: resume an interrupted indexing run by skipping them. */
  hasIds(ids: readonly string[]): Promise<boolean[]>;
  /** Every live document, in insertion order, block by block. */
  iterate(): AsyncGenerator<StoredDocument>;
  /** The collection in memory for search (cached while unchanged; do not mutate it). */
  load(options?: LoadOptions): Promise<CollectionSnapshot>;
  /** CPU top-k search of one float query over the current snapshot. */
  search(query: Float32Array, options: StoreSearchOptions): Promise<StoreSearchHit[]>;
  /** Stores a structured-cloneable value next to the collection (e.g. a serialized BM25 index). */
  setSidecar(key: string, value: unknown): Promise<void>;
  /** A sidecar value or `undefined`. */
  getSidecar(key: string): Promise<unknown>;
  /** Rewrites the collection without deleted rows; returns rows reclaimed. */
  compact(): Promise<number>;
  /** Removes every document and sidecar; keeps fingerprint, kinds and calibration. */
  clear(): Promise<void>;
  /** The whole collection (live rows) as one binary file, see FORMAT.md. */
  export(): Promise<Uint8Array>;
  /**
   * Calls `listener` after every committed change to this collection: from this store handle
   * (`local`, before the write's promise resolves) or from another tab or handle (`remote`, when
   * its notification arrives). Returns the function that removes the listener.
   */
  onChange(listener: (change: StoreChange) => void): () => void;
  /**
   * Whether other tabs' and handles' changes reach {@link Collection.onChange} (false where
   * `BroadcastChannel` is missing: then only this handle's own changes do).
   */
  readonly seesRemoteChanges: boolean;
}

const KINDS_FOR_MODE: Readonly<Record<string, readonly VectorKind[] | undefined>> = {
  float32: ['float32'],
  int8: ['int8'],
  hamming: ['binary'],
  'binary-rescore': ['binary', 'float32', 'int8'],
};

/** A handle on collection `name` (which must exist; checked by the caller). */
export function collectionHandle(ctx: StoreContext, name: string): Collection {
  return {
    name,
    info: async () => toInfo(await readRecord(ctx, name, `info of ${JSON.stringify(name)}`)),
    count: async () => (await readRecord(ctx, name, `count of ${JSON.stringify(name)}`)).count,
    add: (docs, fingerprint, options) => writeDocuments(ctx, name, docs, fingerprint, 'add', options),
    upsert: (docs, fingerprint, options) => writeDocuments(ctx, name, docs, fingerprint, 'upsert', options),
    delete: (ids, options) => deleteDocuments(ctx, name, ids, options),
    get: (id) => getDocument(ctx, name, id),
    hasIds: (ids) => hasIds(ctx, name, ids),
    iterate: () => iterateDocuments(ctx, name),
    load: (options) => loadSnapshot(ctx, name, options),
    search: async (query, options) => {
      // Read only the forms the mode scans (a cached fuller snapshot is reused as is).
      const kinds = options?.mode ? KINDS_FOR_MODE[options.mode] : undefined;
      return searchSnapshot(await loadSnapshot(ctx, name, { documents: true, kinds }), query, options);
    },
    setSidecar: (key, value) => setSidecar(ctx, name, key, value),
    getSidecar: (key) => getSidecar(ctx, name, key),
    compact: () => compactCollection(ctx, name),
    clear: () => clearCollection(ctx, name),
    export: async () => encodeCollectionFile(await loadSnapshot(ctx, name, { documents: true })),
    onChange(listener) {
      if (typeof listener !== 'function') {
        throw new WebEmbedError('INVALID_ARGUMENT', 'onChange needs a function (change) => void');
      }
      return ctx.hub.subscribe((change) => {
        if (change.collection === name && change.type !== 'alias') listener(change);
      });
    },
    seesRemoteChanges: ctx.hub.crossContext,
  };
}
