/**
 * `@webembed/pgvector/client`: the browser-safe half. A fetch client for a collection served by
 * the search service, and {@link mergeByScore} for tiered search (a local hot set first, the
 * remote collection for the rest). Imports no `pg` and no Node module.
 *
 * @module
 */
import { type ModelFingerprint, WebEmbedError, type WebEmbedErrorCode } from '@webembed/core';
import type { JsonObject } from './json.js';
import type {
  RemoteCollectionInfo,
  RemoteErrorBody,
  RemoteSearchMode,
  RemoteSearchRequest,
  RemoteSearchResponse,
} from './protocol.js';

export type {
  RemoteCollectionInfo,
  RemoteErrorBody,
  RemoteSearchHit,
  RemoteSearchMode,
  RemoteSearchRequest,
  RemoteSearchResponse,
} from './protocol.js';

/** Options of {@link createRemoteCollection}. */
export interface RemoteCollectionOptions {
  /** Sent in the API key header when set. */
  readonly apiKey?: string;
  /** Header carrying the API key (default `x-api-key`). */
  readonly apiKeyHeader?: string;
  /** The fetch to use (default `globalThis.fetch`). */
  readonly fetch?: typeof fetch;
}

/** Options of {@link RemoteCollection.search}. */
export interface RemoteSearchOptions {
  /** Hits wanted (default 10). */
  readonly k?: number;
  /** Required for vector queries: the fingerprint of the model that made the query vector. */
  readonly fingerprint?: ModelFingerprint;
  readonly mode?: RemoteSearchMode;
  readonly oversample?: number;
  readonly filter?: JsonObject;
  readonly exact?: boolean;
  readonly signal?: AbortSignal;
}

/** A collection served by the search service, searched over HTTP. */
export interface RemoteCollection {
  /** The collection's URL, e.g. `https://search.example.com/collections/docs`. */
  readonly url: string;
  /** Name, dims, fingerprint, row count and indexes of the remote collection. */
  info(options?: { signal?: AbortSignal }): Promise<RemoteCollectionInfo>;
  /**
   * Searches with a query vector (plus `fingerprint`) or a text (when the service embeds text).
   * Errors the service reports come back as WebEmbedErrors with the service's code
   * (e.g. `MODEL_MISMATCH`, `DIMENSION_MISMATCH`); transport failures as `REMOTE_FAILED`.
   */
  search(
    query: Float32Array | readonly number[] | string,
    options: RemoteSearchOptions,
  ): Promise<RemoteSearchResponse>;
}

const KNOWN_CODES: ReadonlySet<string> = new Set<WebEmbedErrorCode>([
  'DIMENSION_MISMATCH',
  'NOT_FINITE',
  'ZERO_VECTOR',
  'INVALID_K',
  'EMPTY_CORPUS',
  'INVALID_ARGUMENT',
  'MODEL_MISMATCH',
  'EMPTY_TEXT',
  'TEXT_TOO_LONG',
  'NOT_A_STRING',
  'NOT_FOUND',
  'REMOTE_FAILED',
]);

/**
 * A client for one collection of a webembed search service. `url` is the collection's URL
 * (`<service>/collections/<name>`).
 *
 * @example
 * ```ts
 * import { createRemoteCollection } from '@webembed/pgvector/client';
 * const docs = createRemoteCollection('https://search.example.com/collections/docs', { apiKey });
 * const { hits } = await docs.search(queryVector, { k: 10, fingerprint });
 * ```
 */
export function createRemoteCollection(url: string, options: RemoteCollectionOptions = {}): RemoteCollection {
  let base: URL;
  try {
    base = new URL(url, (globalThis as { location?: { href: string } }).location?.href);
  } catch {
    throw new WebEmbedError(
      'INVALID_ARGUMENT',
      `remote collection URL ${JSON.stringify(url)} is not a valid URL`,
    );
  }
  if (base.protocol !== 'http:' && base.protocol !== 'https:') {
    throw new WebEmbedError(
      'INVALID_ARGUMENT',
      `remote collection URL must be http(s); got ${base.protocol}`,
    );
  }
  const collectionUrl = base.toString().replace(/\/+$/, '');
  const doFetch = options.fetch ?? globalThis.fetch?.bind(globalThis);
  if (typeof doFetch !== 'function') {
    throw new WebEmbedError('INVALID_ARGUMENT', 'no fetch available: pass options.fetch');
  }
  const headers: Record<string, string> = { accept: 'application/json' };
  if (options.apiKey !== undefined)
    headers[(options.apiKeyHeader ?? 'x-api-key').toLowerCase()] = options.apiKey;

  async function call<T>(path: string, init: RequestInit): Promise<T> {
    let response: Response;
    try {
      response = await doFetch(collectionUrl + path, { ...init, headers: { ...headers, ...init.headers } });
    } catch (err) {
      if ((err as Error)?.name === 'AbortError') {
        throw new WebEmbedError('ABORTED', `request to ${collectionUrl}${path} was aborted`, undefined, {
          cause: err,
        });
      }
      throw new WebEmbedError(
        'REMOTE_FAILED',
        `request to ${collectionUrl}${path} failed: ${(err as Error)?.message ?? String(err)}`,
        undefined,
        { cause: err },
      );
    }
    const body: unknown = await response.json().catch(() => null);
    if (!response.ok) throw errorFromResponse(response.status, body, collectionUrl + path);
    if (body === null || typeof body !== 'object') {
      throw new WebEmbedError(
        'REMOTE_FAILED',
        `${collectionUrl}${path} answered ${response.status} without a JSON body`,
      );
    }
    return body as T;
  }

  return {
    url: collectionUrl,
    info: ({ signal } = {}) => call<RemoteCollectionInfo>('', { method: 'GET', signal }),
    search(query, searchOptions) {
      const { signal, ...rest } = searchOptions;
      let request: RemoteSearchRequest;
      if (typeof query === 'string') {
        request = { ...rest, text: query };
        delete (request as { fingerprint?: unknown }).fingerprint;
      } else {
        if (!rest.fingerprint) {
          throw new WebEmbedError(
            'INVALID_ARGUMENT',
            'a vector query needs options.fingerprint (the model that made the vector) so the service can refuse another model',
          );
        }
        request = { ...rest, vector: Array.from(query) };
      }
      return call<RemoteSearchResponse>('/search', {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify(request),
        signal,
      }).then((response) => {
        if (!Array.isArray(response.hits)) {
          throw new WebEmbedError('REMOTE_FAILED', `${collectionUrl}/search answered without a hits array`);
        }
        // JSON has no undefined: metadata missing from a hit means the document has none.
        const hits = response.hits.map((hit) => ({ ...hit, metadata: hit.metadata ?? undefined }));
        return { ...response, hits };
      });
    },
  };
}

function errorFromResponse(status: number, body: unknown, url: string): WebEmbedError {
  const error = (body as Partial<RemoteErrorBody> | null)?.error;
  const message = typeof error?.message === 'string' ? error.message : `HTTP ${status}`;
  const code = typeof error?.code === 'string' && KNOWN_CODES.has(error.code) ? error.code : 'REMOTE_FAILED';
  return new WebEmbedError(code as WebEmbedErrorCode, `${url}: ${message}`, {
    ...(error?.details ?? {}),
    status,
    remoteCode: typeof error?.code === 'string' ? error.code : null,
  });
}

/**
 * Merges two score-sorted hit lists (higher score first) into the best `k`, for tiered search:
 * a local hot set searched first, the remote collection for the rest. A document in both lists
 * appears once, with its higher score (the local hit wins a tie, and ties between documents go
 * to the local list). Both lists must use the same score scale (cosine similarity).
 *
 * @example
 * ```ts
 * const local = await hotSet.search(query, { k: 10 });
 * const { hits: remote } = await docs.search(vector, { k: 10, fingerprint });
 * const hits = mergeByScore(local, remote, 10);
 * ```
 */
export function mergeByScore<T extends { readonly id: string; readonly score: number }>(
  local: readonly T[],
  remote: readonly T[],
  k: number,
): T[] {
  if (!Number.isInteger(k) || k < 1) {
    throw new WebEmbedError('INVALID_K', `k must be a positive integer; got ${String(k)}`, { k: String(k) });
  }
  const best = new Map<string, { hit: T; order: number }>();
  let order = 0;
  for (const list of [local, remote]) {
    for (const hit of list) {
      if (typeof hit?.id !== 'string' || typeof hit.score !== 'number' || Number.isNaN(hit.score)) {
        throw new WebEmbedError(
          'INVALID_ARGUMENT',
          'every hit to merge needs a string id and a numeric score',
        );
      }
      const seen = best.get(hit.id);
      if (!seen || hit.score > seen.hit.score) best.set(hit.id, { hit, order: seen ? seen.order : order });
      order += 1;
    }
  }
  return [...best.values()]
    .sort((a, b) => b.hit.score - a.hit.score || a.order - b.order)
    .slice(0, k)
    .map((entry) => entry.hit);
}
