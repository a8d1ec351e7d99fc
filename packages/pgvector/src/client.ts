/**
 * `@webembed/pgvector/client`: the browser-safe half, for code that talks to this package's search
 * service. It is the one client of `@webembed/remote` (the engine's remote collections use the same
 * one), re-exported here; it imports no `pg` and no Node module.
 *
 * @example
 * ```ts
 * import { createRemoteClient, mergeHitsByScore } from '@webembed/pgvector/client';
 * const docs = createRemoteClient({ url: 'https://search.example.com/collections/docs', apiKey });
 * const { hits } = await docs.search({ vector: Array.from(queryVector), fingerprint, k: 10 });
 * ```
 *
 * @module
 */
export { createRemoteClient, mergeHitsByScore, normalizeEndpoint } from '@webembed/remote';
export type {
  RemoteClient,
  RemoteCollectionInfo,
  RemoteEndpoint,
  RemoteErrorBody,
  RemoteHealth,
  RemoteSearchHit,
  RemoteSearchMode,
  RemoteSearchRequest,
  RemoteSearchResponse,
} from '@webembed/remote';
