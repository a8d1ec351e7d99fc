/**
 * `@webembed/pgvector/client`: the browser-safe half, for code that talks to this package's search
 * service: all of `@webembed/remote` (the one client, which the engine's remote collections use
 * too, the merge of tiered search, the wire types and limits), re-exported. No `pg`, no Node module.
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
export * from '@webembed/remote';
