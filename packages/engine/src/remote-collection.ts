/**
 * Remote and tiered collections. A remote collection is searched through a webembed search
 * service (the client of `@webembed/remote`): the query is embedded here with the engine's model and sent as a
 * vector plus the model fingerprint (the service refuses another model with `MODEL_MISMATCH`),
 * or sent as text when no model is loaded and the service embeds queries itself. A tiered
 * collection searches a local hot set and the remote collection at once and merges the two
 * hit lists by score.
 *
 * @module
 */
import { type ModelFingerprint, WebEmbedError, assertSameModel, isWebEmbedError } from '@webembed/core';
import { groupByParent } from './chunks.js';
import {
  type CollectionSearchOptions,
  checkQueryBatch,
  type SearchHit,
  type SearchManyResponse,
  type SearchManyResult,
  type SearchMode,
  type SearchResponse,
} from './collection.js';
import type { EmbedOptions, EmbedResult } from './embedder.js';
import type { EngineCollectionHandle } from './engine.js';
import {
  type JsonObject,
  REMOTE_LIMITS,
  type RemoteClient,
  type RemoteCollectionInfo,
  type RemoteSearchMode,
  mergeHitsByScore,
} from '@webembed/remote';

/** Largest `k` the search service answers. */
export const REMOTE_MAX_K = REMOTE_LIMITS.maxK;

/** Options of a remote collection's `search`. */
export interface RemoteCollectionSearchOptions {
  /** Hits wanted, 1..1000 (default 10). */
  readonly k?: number;
  /** `float32` (exact cosine in Postgres) or `binary-rescore` (default: binary HNSW, float rescoring). */
  readonly mode?: SearchMode;
  /** Metadata equality filter: a plain object (functions cannot travel to the service). */
  readonly filter?: Readonly<Record<string, unknown>>;
  /** Binary candidates rescored per hit in `binary-rescore` (the service's default when unset). */
  readonly oversample?: number;
  /** Exact sequential search instead of the approximate index. */
  readonly exact?: boolean;
  readonly signal?: AbortSignal;
}

/** A collection searched through a webembed search service. */
export interface RemoteCollectionHandle {
  /** The remote collection's name (the last part of its URL). */
  readonly name: string;
  /** The collection's URL. */
  readonly url: string;
  /** Name, dims, fingerprint and row count as the service reports them. */
  info(options?: { signal?: AbortSignal }): Promise<RemoteCollectionInfo>;
  /**
   * Searches the remote collection; the response has the shape of a local collection's
   * (`searchBackend: 'remote'`, `score` cosine similarity, best first, every hit `source: 'remote'`;
   * chunk rows grouped under their document with `chunk` set, as in local collections).
   */
  search(query: string, options?: RemoteCollectionSearchOptions): Promise<SearchResponse>;
  /**
   * Several queries: `results[i]` equals `search(queries[i], options)`. With a model the queries
   * are embedded here in one batched call; the service is then asked once per query, one request
   * after another (the service has no batch endpoint). Errors as a local `searchMany`.
   */
  searchMany(
    queries: readonly string[],
    options?: RemoteCollectionSearchOptions,
  ): Promise<SearchManyResponse>;
}

/** What a remote collection needs from an engine: query embeddings and their fingerprint. */
export interface QueryEmbedder {
  readonly info: { readonly fingerprint: ModelFingerprint };
  embed(texts: readonly string[], options?: EmbedOptions): Promise<EmbedResult>;
}

/** What a tiered collection does when the remote part cannot be reached. */
export type RemoteFailurePolicy = 'throw' | 'local';

/** A local collection (the hot set) backed by a remote collection for the rest. */
export interface TieredCollectionHandle extends EngineCollectionHandle {
  /** The remote part alone. */
  readonly remote: RemoteCollectionHandle;
  /**
   * Searches the local hot set and the remote collection at once and merges the hits by cosine
   * score (see {@link mergeHitsByScore}); every hit says its `source`. Dense modes with cosine
   * scores only (`float32`, `int8`, `binary-rescore`): `hamming` and `hybrid` scores are on
   * other scales and are refused with `INVALID_ARGUMENT`.
   */
  search(query: string, options?: CollectionSearchOptions): Promise<SearchResponse>;
  /**
   * Several queries, each answered as `search` answers it: embedded once in one batched call,
   * the local hot set searched as one batch (`searchMany` of the local collection), the remote
   * collection once per query, one request after another (the service has no batch endpoint).
   * With `whenRemoteFails: 'local'`, once one remote request fails to reach the service the
   * remaining queries skip the remote part too; each result says so in `remoteFailure`.
   */
  searchMany(queries: readonly string[], options?: CollectionSearchOptions): Promise<SearchManyResponse>;
}

function remoteModeOf(mode: SearchMode | undefined): RemoteSearchMode | undefined {
  if (mode === undefined || mode === 'float32' || mode === 'binary-rescore') return mode;
  throw new WebEmbedError(
    'INVALID_ARGUMENT',
    `a remote collection searches in mode float32 or binary-rescore, got ${JSON.stringify(mode)}`,
  );
}

function checkK(k: number): number {
  if (!Number.isInteger(k) || k < 1 || k > REMOTE_MAX_K) {
    throw new WebEmbedError(
      'INVALID_K',
      `k must be an integer from 1 to ${REMOTE_MAX_K} for a remote collection, got ${String(k)}`,
      { actual: String(k) },
    );
  }
  return k;
}

function plainFilter(filter: unknown): JsonObject | undefined {
  if (filter === undefined) return undefined;
  if (typeof filter !== 'object' || filter === null || Array.isArray(filter)) {
    throw new WebEmbedError(
      'INVALID_ARGUMENT',
      'a remote collection takes a filter of metadata values (a plain object); a filter function cannot travel to the service',
    );
  }
  // The service validates the values (JSON only, bounded depth) and answers INVALID_ARGUMENT.
  return filter as JsonObject;
}

function checkQuery(query: unknown, index?: number): string {
  const which = index === undefined ? 'the query' : `queries[${index}]`;
  if (typeof query !== 'string') {
    throw new WebEmbedError('NOT_A_STRING', `${which} must be a string, got ${typeof query}`, { index });
  }
  if (query.trim() === '') {
    throw new WebEmbedError('EMPTY_TEXT', `${which} is empty; pass some text`, { index });
  }
  return query;
}

/** The checks of a remote or tiered `searchMany` on its query list (sizes, then each query by index). */
function checkQueryList(queries: unknown): readonly string[] {
  checkQueryBatch(queries, (query, i) => checkQuery(query, i));
  return queries;
}

/**
 * A remote collection handle over `client`. With `embedder`, queries are embedded here and sent
 * as vectors with the embedder's fingerprint; without, they are sent as text (the service must
 * embed text queries, or it answers with an error).
 */
export function remoteCollection(
  client: RemoteClient,
  embedder: QueryEmbedder | null,
): RemoteCollectionHandle {
  const name = decodeURIComponent(client.url.slice(client.url.lastIndexOf('/') + 1));
  return {
    name,
    url: client.url,
    info: (options = {}) => client.info(options.signal),
    async search(query, options = {}) {
      checkQuery(query);
      return searchOne(query, options);
    },
    async searchMany(queries, options = {}) {
      checkQueryList(queries);
      checkK(options.k ?? 10);
      remoteModeOf(options.mode);
      plainFilter(options.filter);
      let vectors: Float32Array[] | null = null;
      let embedMs = 0;
      if (embedder) {
        const started = performance.now();
        const embedded = await embedder.embed(queries, { kind: 'query', signal: options.signal });
        embedMs = performance.now() - started;
        const { dims, data } = embedded.vectors;
        vectors = queries.map((_, i) => data.subarray(i * dims, (i + 1) * dims));
      }
      const started = performance.now();
      const results: SearchManyResult[] = [];
      let textEmbedMs = 0;
      for (let i = 0; i < queries.length; i++) {
        const response = await searchOne(queries[i], options, vectors ? vectors[i] : undefined);
        textEmbedMs += response.timings.embedMs;
        results.push({ hits: response.hits, mode: response.mode });
      }
      return {
        results,
        timings: {
          embedMs: embedder ? embedMs : textEmbedMs,
          searchMs: performance.now() - started - (embedder ? 0 : textEmbedMs),
        },
        searchBackend: 'remote',
      };
    },
  };

  /** One query; `vector` is its embedding when already computed (else embedded here, or sent as text). */
  async function searchOne(
    query: string,
    options: RemoteCollectionSearchOptions,
    vector?: Float32Array,
  ): Promise<SearchResponse> {
    const k = checkK(options.k ?? 10);
    const mode = remoteModeOf(options.mode);
    const filter = plainFilter(options.filter);
    const common = { k, mode, filter, oversample: options.oversample, exact: options.exact };
    let embedMs = 0;
    let request: Parameters<RemoteClient['search']>[0];
    if (embedder) {
      let data = vector;
      if (!data) {
        const started = performance.now();
        data = (await embedder.embed([query], { kind: 'query', signal: options.signal })).vectors.data;
        embedMs = performance.now() - started;
      }
      request = { ...common, vector: Array.from(data), fingerprint: embedder.info.fingerprint };
    } else {
      request = { ...common, text: query };
    }
    const started = performance.now();
    let result = await client.search(request, options.signal);
    // Chunk rows (metadata `$parent`, as the CLI writes them) group under their document, as
    // in local collections; when that leaves fewer than k documents, ask once for more rows.
    let grouped = groupByParent(result.hits, k);
    if (grouped.length < k && result.hits.length === k && k < REMOTE_MAX_K) {
      result = await client.search({ ...request, k: Math.min(REMOTE_MAX_K, k * 4 + 10) }, options.signal);
      grouped = groupByParent(result.hits, k);
    }
    return {
      hits: grouped.map((hit) => ({ ...hit, source: 'remote' as const })),
      mode: result.mode,
      // Round trip, service time included; a text query's embedding time is the service's.
      timings: {
        embedMs: embedder ? embedMs : result.timings.embedMs,
        searchMs: performance.now() - started,
      },
      searchBackend: 'remote',
    };
  }
}

/**
 * Checks at open time that the remote collection holds vectors of `fingerprint`'s model
 * (`MODEL_MISMATCH` otherwise). With `policy: 'local'`, an unreachable service is not an error
 * here (the service checks the fingerprint on every search anyway).
 */
export async function checkRemoteModel(
  remote: RemoteCollectionHandle,
  fingerprint: ModelFingerprint | null,
  policy: RemoteFailurePolicy = 'throw',
): Promise<void> {
  let info: RemoteCollectionInfo;
  try {
    info = await remote.info();
  } catch (err) {
    if (policy === 'local' && isWebEmbedError(err, 'REMOTE_FAILED')) return;
    throw err;
  }
  if (fingerprint) {
    assertSameModel(info.fingerprint, fingerprint, `queries of the model loaded (${fingerprint.modelId})`);
  } else if (!info.textQueries) {
    throw new WebEmbedError(
      'INVALID_ARGUMENT',
      `the service of ${remote.url} does not embed text queries; open it with a model (${info.fingerprint.modelId}) so queries are embedded here`,
    );
  }
}

/**
 * A tiered collection: `local` (the hot set, with its full API) plus `remote` for the rest.
 * Searches run on both at once; the query is embedded once (the engine's embedding cache serves
 * the local search the same vector).
 */
/** The remote mode of a tiered search; refuses modes whose scores cannot merge with cosine ones. */
function tieredRemoteMode(mode: CollectionSearchOptions['mode']): RemoteSearchMode {
  if (mode === 'hamming' || mode === 'hybrid') {
    throw new WebEmbedError(
      'INVALID_ARGUMENT',
      `a tiered collection merges cosine scores; mode ${mode} scores on another scale (use float32, int8 or binary-rescore)`,
    );
  }
  return mode === 'float32' ? 'float32' : 'binary-rescore';
}

export function tieredCollection(
  local: EngineCollectionHandle,
  remote: RemoteCollectionHandle,
  embedder: QueryEmbedder,
  policy: RemoteFailurePolicy = 'throw',
): TieredCollectionHandle {
  async function search(query: string, options: CollectionSearchOptions = {}): Promise<SearchResponse> {
    checkQuery(query);
    const k = checkK(options.k ?? 10);
    const remoteMode = tieredRemoteMode(options.mode);
    const filter = plainFilter(options.filter);
    const started = performance.now();
    // Embeds once: the local search and the remote request then hit the engine's embedding cache.
    await embedder.embed([query], { kind: 'query', signal: options.signal });
    const embedMs = performance.now() - started;
    const localSearch = local.search(query, options);
    const remoteSearch = remote.search(query, { k, mode: remoteMode, filter, signal: options.signal }).then(
      (response) => ({ response, failure: undefined }),
      (err: unknown) => {
        if (policy === 'local' && isWebEmbedError(err, 'REMOTE_FAILED')) {
          return { response: undefined, failure: { code: err.code, message: err.message } };
        }
        throw err;
      },
    );
    const [localResponse, remoteResult] = await Promise.all([localSearch, remoteSearch]);
    const localHits: SearchHit[] = localResponse.hits.map((hit) => ({ ...hit, source: 'local' }));
    const hits = mergeHitsByScore(localHits, remoteResult.response?.hits ?? [], k);
    return {
      hits,
      mode: localResponse.mode,
      timings: { embedMs, searchMs: performance.now() - started - embedMs },
      searchBackend: localResponse.searchBackend,
      ...(remoteResult.failure ? { remoteFailure: remoteResult.failure } : {}),
    };
  }
  async function searchMany(
    queries: readonly string[],
    options: CollectionSearchOptions = {},
  ): Promise<SearchManyResponse> {
    checkQueryList(queries);
    const k = checkK(options.k ?? 10);
    const remoteMode = tieredRemoteMode(options.mode);
    const filter = plainFilter(options.filter);
    const started = performance.now();
    // One batched embedding: the local batch and each remote request then hit the engine's cache.
    await embedder.embed(queries, { kind: 'query', signal: options.signal });
    const embedMs = performance.now() - started;
    const localSearch = local.searchMany(queries, options);
    const remoteSearches = (async () => {
      const out: { hits: SearchHit[]; failure?: { code: string; message: string } }[] = [];
      let failure: { code: string; message: string } | undefined;
      for (const query of queries) {
        if (failure) {
          out.push({ hits: [], failure });
          continue;
        }
        try {
          const response = await remote.search(query, {
            k,
            mode: remoteMode,
            filter,
            signal: options.signal,
          });
          out.push({ hits: response.hits });
        } catch (err) {
          if (!(policy === 'local' && isWebEmbedError(err, 'REMOTE_FAILED'))) throw err;
          failure = { code: err.code, message: err.message };
          out.push({ hits: [], failure });
        }
      }
      return out;
    })();
    const [localResponse, remoteResults] = await Promise.all([localSearch, remoteSearches]);
    const results = localResponse.results.map((result, i): SearchManyResult => {
      const localHits: SearchHit[] = result.hits.map((hit) => ({ ...hit, source: 'local' }));
      const { failure } = remoteResults[i];
      return {
        hits: mergeHitsByScore(localHits, remoteResults[i].hits, k),
        mode: result.mode,
        ...(failure ? { remoteFailure: failure } : {}),
      };
    });
    return {
      results,
      timings: { embedMs, searchMs: performance.now() - started - embedMs },
      searchBackend: localResponse.searchBackend,
      searchReason: localResponse.searchReason,
    };
  }
  return { ...local, search, searchMany, remote };
}
