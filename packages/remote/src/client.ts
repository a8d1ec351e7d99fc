/**
 * The one fetch client of the webembed search service: the engine's remote and tiered collections
 * and `@webembed/pgvector/client` both use it, so request shapes and error mapping live here only.
 * Browser-safe: fetch and URL, no Node module.
 *
 * @module
 */
import { type ModelFingerprint, WebEmbedError, type WebEmbedErrorCode } from '@webembed/core';
import {
  type JsonObject,
  REMOTE_ERROR_CODES,
  type RemoteCollectionInfo,
  type RemoteSearchHit,
  type RemoteSearchRequest,
  type RemoteSearchResponse,
} from './protocol.js';

/** Where a remote collection lives and how to reach it. */
export interface RemoteEndpoint {
  /** The collection's URL, e.g. `https://search.example.com/collections/docs` (http or https). */
  readonly url: string;
  /** Sent in the API key header when set. */
  readonly apiKey?: string;
  /** Header carrying the API key (default `x-api-key`). */
  readonly apiKeyHeader?: string;
  /** The fetch to use (default `globalThis.fetch`). */
  readonly fetch?: typeof fetch;
}

/** A fetch client for one remote collection. */
export interface RemoteClient {
  /** The collection's URL, without a trailing slash. */
  readonly url: string;
  /** Name, dims, fingerprint, row count and indexes of the remote collection. */
  info(signal?: AbortSignal): Promise<RemoteCollectionInfo>;
  /**
   * Searches the remote collection. Errors the service reports come back as WebEmbedErrors with
   * the service's code (`MODEL_MISMATCH`, `DIMENSION_MISMATCH`, `ZERO_VECTOR`, `NOT_FOUND`, ...)
   * and `details.status`; an unknown code, 401, 429, 5xx or a transport failure as
   * `REMOTE_FAILED` (with `details.retryAfterSeconds` when the service sent `Retry-After`); a
   * cancelled request as `ABORTED`. A vector holding NaN or Infinity (which JSON cannot carry) is
   * refused before sending (`NOT_FINITE`).
   */
  search(request: RemoteSearchRequest, signal?: AbortSignal): Promise<RemoteSearchResponse>;
}

/** Checks an endpoint given as a URL string or an object and returns it as an object. */
export function normalizeEndpoint(endpoint: string | RemoteEndpoint, apiKey?: string): RemoteEndpoint {
  const given = typeof endpoint === 'string' ? { url: endpoint } : endpoint;
  if (typeof given !== 'object' || given === null || typeof given.url !== 'string') {
    throw new WebEmbedError(
      'INVALID_ARGUMENT',
      'remote must be a collection URL or { url, apiKey? }, e.g. "https://search.example.com/collections/docs"',
    );
  }
  if (apiKey !== undefined && typeof apiKey !== 'string') {
    throw new WebEmbedError('INVALID_ARGUMENT', `apiKey must be a string, got ${typeof apiKey}`);
  }
  return apiKey !== undefined && given.apiKey === undefined ? { ...given, apiKey } : given;
}

/**
 * A fetch client for the remote collection at `endpoint` (`<service>/collections/<name>`, as a
 * URL string or a {@link RemoteEndpoint}). Throws `INVALID_ARGUMENT` for a URL that is not
 * http(s) or when no fetch is available.
 *
 * @example
 * ```ts
 * const docs = createRemoteClient({ url: 'https://search.example.com/collections/docs', apiKey });
 * const { hits } = await docs.search({ vector: Array.from(queryVector), fingerprint, k: 10 });
 * ```
 */
export function createRemoteClient(endpoint: string | RemoteEndpoint): RemoteClient {
  const { url, apiKey, apiKeyHeader = 'x-api-key', fetch: givenFetch } = normalizeEndpoint(endpoint);
  let parsed: URL;
  try {
    parsed = new URL(url, (globalThis as { location?: { href: string } }).location?.href);
  } catch {
    throw new WebEmbedError('INVALID_ARGUMENT', `remote URL ${JSON.stringify(url)} is not a valid URL`);
  }
  if (parsed.protocol !== 'http:' && parsed.protocol !== 'https:') {
    throw new WebEmbedError(
      'INVALID_ARGUMENT',
      `remote URL must be http: or https:, got ${parsed.protocol} in ${JSON.stringify(url)}`,
    );
  }
  const base = parsed.toString().replace(/\/+$/, '');
  const doFetch = givenFetch ?? globalThis.fetch?.bind(globalThis);
  if (typeof doFetch !== 'function') {
    throw new WebEmbedError('INVALID_ARGUMENT', 'no fetch in this runtime: pass fetch in the endpoint');
  }
  const headers: Record<string, string> = { accept: 'application/json' };
  if (apiKey !== undefined) headers[apiKeyHeader.toLowerCase()] = apiKey;

  async function call(path: string, init: RequestInit): Promise<Record<string, unknown>> {
    const target = base + path;
    let response: Response;
    try {
      response = await doFetch(target, { ...init, headers: { ...headers, ...init.headers } });
    } catch (err) {
      if ((err as Error)?.name === 'AbortError' || init.signal?.aborted) {
        throw new WebEmbedError(
          'ABORTED',
          `request to ${target} was cancelled through its AbortSignal`,
          undefined,
          {
            cause: err,
          },
        );
      }
      throw new WebEmbedError(
        'REMOTE_FAILED',
        `request to ${target} failed: ${(err as Error)?.message ?? String(err)}`,
        { url: target },
        { cause: err },
      );
    }
    const body: unknown = await response.json().catch(() => null);
    if (!response.ok) throw errorFrom(response, body, target);
    if (body === null || typeof body !== 'object' || Array.isArray(body)) {
      throw new WebEmbedError(
        'REMOTE_FAILED',
        `${target} answered ${response.status} without a JSON object; expected a webembed search service`,
        { url: target, status: response.status },
      );
    }
    return body as Record<string, unknown>;
  }

  return {
    url: base,
    async info(signal) {
      const body = await call('', { method: 'GET', signal });
      const fingerprint = body.fingerprint;
      if (typeof body.dims !== 'number' || typeof fingerprint !== 'object' || fingerprint === null) {
        throw new WebEmbedError(
          'REMOTE_FAILED',
          `${base} answered without dims and fingerprint; expected a webembed collection description`,
          { url: base },
        );
      }
      return {
        ...(body as unknown as RemoteCollectionInfo),
        name: String(body.name),
        count: Number(body.count),
        fingerprint: fingerprint as ModelFingerprint,
        textQueries: body.textQueries === true,
      };
    },
    async search(request, signal) {
      const vector = request?.vector;
      if (vector !== undefined && typeof vector?.length === 'number') {
        for (let i = 0; i < vector.length; i++) {
          if (typeof vector[i] === 'number' && !Number.isFinite(vector[i])) {
            throw new WebEmbedError(
              'NOT_FINITE',
              `the query vector holds ${vector[i]} at dimension ${i}; every value must be a finite number`,
              { index: i },
            );
          }
        }
      }
      const body = await call('/search', {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify(request),
        signal,
      });
      if (!Array.isArray(body.hits)) {
        throw new WebEmbedError('REMOTE_FAILED', `${base}/search answered without a hits array`, {
          url: base,
        });
      }
      const hits = (body.hits as Record<string, unknown>[]).map((hit, i): RemoteSearchHit => {
        if (typeof hit?.id !== 'string' || typeof hit.score !== 'number') {
          throw new WebEmbedError(
            'REMOTE_FAILED',
            `${base}/search hit ${i} has no string id and numeric score`,
            { url: base },
          );
        }
        return {
          id: hit.id,
          text: typeof hit.text === 'string' ? hit.text : '',
          // JSON has no undefined: a hit without metadata has none, as local hits say it.
          metadata: (hit.metadata ?? undefined) as JsonObject | undefined,
          score: hit.score,
        };
      });
      const timings = (body.timings ?? {}) as { embedMs?: unknown; searchMs?: unknown };
      return {
        hits,
        mode: body.mode === 'float32' ? 'float32' : 'binary-rescore',
        timings: {
          embedMs: typeof timings.embedMs === 'number' ? timings.embedMs : 0,
          searchMs: typeof timings.searchMs === 'number' ? timings.searchMs : 0,
        },
      };
    },
  };
}

function errorFrom(response: Response, body: unknown, url: string): WebEmbedError {
  const { status } = response;
  const error = (body as { error?: { code?: unknown; message?: unknown; details?: unknown } } | null)?.error;
  const remoteCode = typeof error?.code === 'string' ? error.code : null;
  const code =
    remoteCode !== null && REMOTE_ERROR_CODES.has(remoteCode as WebEmbedErrorCode)
      ? remoteCode
      : 'REMOTE_FAILED';
  const message = typeof error?.message === 'string' ? error.message : `HTTP ${status}`;
  const details =
    typeof error?.details === 'object' && error.details !== null
      ? (error.details as Record<string, string | number | boolean | null>)
      : {};
  const retryAfter = Number(response.headers?.get('retry-after') ?? Number.NaN);
  return new WebEmbedError(code as WebEmbedErrorCode, `${url}: ${message}`, {
    ...details,
    status,
    remoteCode,
    url,
    ...(Number.isFinite(retryAfter) && retryAfter >= 0 ? { retryAfterSeconds: retryAfter } : {}),
  });
}
