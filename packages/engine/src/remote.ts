/**
 * The engine's HTTP client for a collection served by a webembed search service (the one
 * `@webembed/pgvector` runs over Postgres). Written against the service's documented HTTP
 * contract, so the engine (layer 2) needs no dependency on the Node-side package:
 *
 * - `GET  <url>`        → {@link RemoteCollectionInfo}
 * - `POST <url>/search` with a {@link RemoteSearchRequest} → {@link RemoteSearchResult}
 * - errors: a 4xx/5xx status with `{ error: { code, message, details? } }`, `code` a WebEmbedError code.
 *
 * `<url>` is the collection's URL, `<service>/collections/<name>`. Browser-safe: fetch only.
 *
 * @module
 */
import { type ModelFingerprint, WebEmbedError, type WebEmbedErrorCode } from '@webembed/core';
import type { SearchHit } from './collection.js';

/** Search modes a remote collection serves. */
export type RemoteSearchMode = 'float32' | 'binary-rescore';

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

/** Body of `POST <url>/search`: a `vector` with the `fingerprint` that made it, or a `text`. */
export interface RemoteSearchRequest {
  readonly vector?: readonly number[];
  readonly text?: string;
  readonly fingerprint?: ModelFingerprint;
  /** Hits wanted, 1..1000 (the service's default is 10). */
  readonly k?: number;
  readonly mode?: RemoteSearchMode;
  /** Binary candidates per hit rescored (binary-rescore). */
  readonly oversample?: number;
  /** Metadata equality filter, a plain JSON object. */
  readonly filter?: Readonly<Record<string, unknown>>;
  /** Exact (sequential) search instead of the approximate index. */
  readonly exact?: boolean;
}

/** Response of `POST <url>/search`: cosine-similarity hits, best first. */
export interface RemoteSearchResult {
  readonly hits: SearchHit[];
  readonly mode: RemoteSearchMode;
  readonly timings: { readonly embedMs: number; readonly searchMs: number };
}

/** Response of `GET <url>`. */
export interface RemoteCollectionInfo {
  readonly name: string;
  readonly dims: number;
  readonly fingerprint: ModelFingerprint;
  /** Live rows. */
  readonly count: number;
  /** Whether the service embeds `text` queries itself. */
  readonly textQueries: boolean;
}

/** A fetch client for one remote collection. */
export interface RemoteClient {
  /** The collection's URL, without a trailing slash. */
  readonly url: string;
  info(signal?: AbortSignal): Promise<RemoteCollectionInfo>;
  /**
   * Searches the remote collection. Errors the service reports come back as WebEmbedErrors with
   * the service's code (`MODEL_MISMATCH`, `DIMENSION_MISMATCH`, `NOT_FOUND`, ...), an unknown code
   * or a transport failure as `REMOTE_FAILED`, a cancelled request as `ABORTED`.
   */
  search(request: RemoteSearchRequest, signal?: AbortSignal): Promise<RemoteSearchResult>;
}

/** Codes a service error may carry through; anything else becomes `REMOTE_FAILED`. */
const PASSED_THROUGH: ReadonlySet<string> = new Set<WebEmbedErrorCode>([
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
 * A fetch client for the remote collection at `endpoint.url` (`<service>/collections/<name>`).
 * Throws `INVALID_ARGUMENT` for a URL that is not http(s) or when no fetch is available.
 *
 * @example
 * ```ts
 * const client = createRemoteClient({ url: 'https://search.example.com/collections/docs', apiKey });
 * const { hits } = await client.search({ text: 'where does the cat sleep?', k: 5 });
 * ```
 */
export function createRemoteClient(endpoint: RemoteEndpoint): RemoteClient {
  const { url, apiKey, apiKeyHeader = 'x-api-key' } = normalizeEndpoint(endpoint);
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
  const doFetch = endpoint.fetch ?? globalThis.fetch?.bind(globalThis);
  if (typeof doFetch !== 'function') {
    throw new WebEmbedError('INVALID_ARGUMENT', 'no fetch in this runtime: pass remote.fetch');
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
        throw new WebEmbedError('ABORTED', `request to ${target} was cancelled through its AbortSignal`);
      }
      throw new WebEmbedError(
        'REMOTE_FAILED',
        `request to ${target} failed: ${(err as Error)?.message ?? String(err)}`,
        { url: target },
        { cause: err },
      );
    }
    const body: unknown = await response.json().catch(() => null);
    if (!response.ok) throw errorFrom(response.status, body, target);
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
        name: String(body.name),
        dims: body.dims,
        fingerprint: fingerprint as ModelFingerprint,
        count: Number(body.count),
        textQueries: body.textQueries === true,
      };
    },
    async search(request, signal) {
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
      const hits = (body.hits as Record<string, unknown>[]).map((hit, i) => {
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
          // JSON has no undefined: a hit without metadata has none.
          metadata: (hit.metadata ?? undefined) as SearchHit['metadata'],
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

function errorFrom(status: number, body: unknown, url: string): WebEmbedError {
  const error = (body as { error?: { code?: unknown; message?: unknown; details?: unknown } } | null)?.error;
  const remoteCode = typeof error?.code === 'string' ? error.code : null;
  const code = remoteCode !== null && PASSED_THROUGH.has(remoteCode) ? remoteCode : 'REMOTE_FAILED';
  const message = typeof error?.message === 'string' ? error.message : `HTTP ${status}`;
  const details =
    typeof error?.details === 'object' && error.details !== null
      ? (error.details as Record<string, string | number | boolean | null>)
      : {};
  return new WebEmbedError(code as WebEmbedErrorCode, `${url}: ${message}`, {
    ...details,
    status,
    remoteCode,
    url,
  });
}
