/**
 * `@webembed/remote`: the HTTP protocol of the webembed search service in one place. The wire
 * types and limits (the service in `@webembed/pgvector` answers with them), the one fetch client
 * (the engine's remote and tiered collections use it; `@webembed/pgvector/client` re-exports it),
 * and the score merge of tiered search. Browser-safe; depends on `@webembed/core` only.
 *
 * @example
 * ```ts
 * import { createRemoteClient, mergeHitsByScore } from '@webembed/remote';
 * const docs = createRemoteClient({ url: 'https://search.example.com/collections/docs', apiKey });
 * const { hits } = await docs.search({ vector: Array.from(queryVector), fingerprint, k: 10 });
 * const tiered = mergeHitsByScore(localHits, hits, 10);
 * ```
 *
 * @module
 */
export { createRemoteClient, normalizeEndpoint } from './client.js';
export type { RemoteClient, RemoteEndpoint } from './client.js';
export { mergeHitsByScore } from './merge.js';
export { REMOTE_ERROR_CODES, REMOTE_LIMITS } from './protocol.js';
export type {
  JsonObject,
  JsonValue,
  RemoteCollectionInfo,
  RemoteErrorBody,
  RemoteHealth,
  RemoteSearchHit,
  RemoteSearchMode,
  RemoteSearchRequest,
  RemoteSearchResponse,
} from './protocol.js';
