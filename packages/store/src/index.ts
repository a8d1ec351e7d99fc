/**
 * `@webembed/store`: persistent, model-guarded vector collections on IndexedDB (via idb), with a
 * block layout (thousands of vectors per record), tombstone deletes and compaction, aliases for
 * blue-green re-indexing, sidecar blobs, cross-tab change events, and a portable binary
 * collection file whose codec also runs in Node.
 *
 * @example
 * ```ts
 * import { openVectorStore } from '@webembed/store';
 * const store = await openVectorStore('my-app');
 * const docs = await store.createCollection('docs', { fingerprint, kinds: ['float32', 'int8', 'binary'] });
 * await docs.add([{ id: 'a', text: 'Alice', metadata: { lang: 'en' }, vector }], fingerprint);
 * const hits = await docs.search(queryVector, { k: 10, mode: 'binary-rescore', filter: { lang: 'en' } });
 * ```
 *
 * @module
 */
export { openVectorStore, DEFAULT_DB_NAME } from './store.js';
export type { StorageEstimate, VectorStore } from './store.js';
export type { Collection } from './collection.js';
export type { WriteResult } from './write.js';
export {
  COLLECTION_FILE_MAGIC,
  COLLECTION_FILE_VERSION,
  decodeCollectionFile,
  encodeCollectionFile,
} from './file-format.js';
export { buildSnapshot, liveRows, snapshotRowId } from './snapshot.js';
export type { BuildSnapshotInput } from './snapshot.js';
export {
  filterPredicate,
  liveRowCount,
  rankSnapshot,
  rankSnapshotMany,
  searchSnapshot,
} from './search.js';
export type { RankedSnapshotRows } from './search.js';
export { crc32 } from './crc32.js';
export { MAX_METADATA_DEPTH } from './validate.js';
export type {
  CollectionInfo,
  CollectionOptions,
  CollectionSnapshot,
  DocumentBatch,
  DocumentInput,
  JsonValue,
  LoadOptions,
  Metadata,
  MetadataFilter,
  OpenStoreOptions,
  StoreChange,
  StoreSearchHit,
  StoreSearchMode,
  StoreSearchOptions,
  StoredDocument,
  VectorKind,
  WriteOptions,
} from './types.js';
