/**
 * `@webembed/pgvector`: serve webembed collections from Postgres with pgvector. Bulk load
 * (batched, resumable upserts, binary HNSW index), two-stage binary search in SQL, and a small
 * fastify search service. Node only; browsers import `@webembed/pgvector/client`.
 *
 * @example
 * ```ts
 * import { loadCollection, searchCollection, createSearchService } from '@webembed/pgvector';
 * await loadCollection(url, 'docs', { fingerprint, rows });
 * const hits = await searchCollection(url, 'docs', queryVector, { k: 10, fingerprint });
 * await createSearchService({ database: url }).listen({ port: 8080 });
 * ```
 *
 * @module
 */
export {
  createIndexes,
  dropCollection,
  ensureCatalog,
  getCollectionInfo,
  listCollections,
} from './catalog.js';
export type { HnswParams, IndexKind, PgCollectionInfo } from './catalog.js';
export { isConnectionLoss, redact, withClient } from './db.js';
export type { PgTarget, ReconnectPolicy } from './db.js';
export { parseFingerprint } from './fingerprint.js';
export type { JsonObject, JsonValue } from './json.js';
export { loadCollection } from './load.js';
export type { LoadOptions, LoadProgress, LoadResult } from './load.js';
export { assertCollectionName, quoteIdent } from './names.js';
export { MAX_K, searchCollection } from './search.js';
export type { PgSearchHit, PgSearchMode, PgSearchOptions } from './search.js';
export { createSearchService } from './server.js';
export type { QueryEmbedder, SearchServiceOptions } from './server.js';
export type { CollectionRow, CollectionSource, ColumnarSource, RowsSource } from './source.js';
export { snapshotSource, writeCollectionToPostgres } from './write.js';
export type { SnapshotLike, WriteToPostgresOptions } from './write.js';
export type { VectorStorage } from './vectors.js';
// The protocol's client and types (`@webembed/remote`), as `@webembed/pgvector/client` has them.
export * from './client.js';
