/**
 * The wire types of the webembed search service (`@webembed/pgvector` serves them over Postgres),
 * in one place for the service and its one client, and the limits both sides apply.
 *
 * - `GET  <service>/collections/:name`        → {@link RemoteCollectionInfo}
 * - `POST <service>/collections/:name/search` with {@link RemoteSearchRequest} → {@link RemoteSearchResponse}
 * - `GET  <service>/health`                   → {@link RemoteHealth}
 * - errors: a 4xx/5xx status with {@link RemoteErrorBody}, its `code` a WebEmbedError code.
 *
 * @module
 */
import type { ModelFingerprint, WebEmbedErrorCode } from '@webembed/core';

/** Any JSON value. */
export type JsonValue = string | number | boolean | null | JsonValue[] | { [key: string]: JsonValue };

/** A JSON object (document metadata, filters). */
export type JsonObject = { [key: string]: JsonValue };

/** Search modes a remote collection serves (named as in the engine's collection API). */
export type RemoteSearchMode = 'float32' | 'binary-rescore';

/** Bounds of a search request, the same on both sides of the wire. */
export const REMOTE_LIMITS = {
  /** Largest `k`. */
  maxK: 1000,
  /** Largest `oversample` (binary candidates per hit). */
  maxOversample: 100,
  /** Most dimensions in a query vector (pgvector's column limit). */
  maxDims: 16000,
  /** Longest `text` query, in characters. */
  maxTextLength: 20000,
} as const;

/**
 * One search hit, the shape of the engine's `SearchHit`: `metadata` is `undefined` when the
 * document has none (absent from the JSON), `score` is cosine similarity, higher is better.
 */
export interface RemoteSearchHit {
  readonly id: string;
  readonly text: string;
  readonly metadata: JsonObject | undefined;
  readonly score: number;
}

/**
 * Body of `POST <collection>/search`: a `vector` with the `fingerprint` of the model that made
 * it, or a `text` when the service embeds queries itself.
 */
export interface RemoteSearchRequest {
  readonly vector?: readonly number[];
  readonly text?: string;
  readonly fingerprint?: ModelFingerprint;
  /** Hits wanted, 1..{@link REMOTE_LIMITS}.maxK (default 10, as in the engine). */
  readonly k?: number;
  /** Default `binary-rescore`. */
  readonly mode?: RemoteSearchMode;
  /** Binary candidates rescored per hit (`binary-rescore`; the service's default is 4). */
  readonly oversample?: number;
  /** Metadata equality filter: a plain JSON object. */
  readonly filter?: JsonObject;
  /** `float32`: exact sequential search instead of a float index. */
  readonly exact?: boolean;
}

/** Response of `POST <collection>/search`, shaped like the engine's `SearchResponse`. */
export interface RemoteSearchResponse {
  readonly hits: RemoteSearchHit[];
  readonly mode: RemoteSearchMode;
  /** Milliseconds spent embedding a text query server-side (0 for vector queries) and searching. */
  readonly timings: { readonly embedMs: number; readonly searchMs: number };
}

/** Response of `GET <collection>`. */
export interface RemoteCollectionInfo {
  readonly name: string;
  readonly dims: number;
  readonly storage: 'halfvec' | 'vector';
  readonly fingerprint: ModelFingerprint;
  /** Rows in the collection. */
  readonly count: number;
  readonly binaryIndex: boolean;
  readonly floatIndex: boolean;
  readonly updatedAt: string;
  /** Whether the service embeds `text` queries itself. */
  readonly textQueries: boolean;
}

/** Response of `GET <service>/health`: 200 when the database answers, 503 when it does not. */
export type RemoteHealth =
  | { readonly status: 'ok'; readonly database: 'ok' }
  | { readonly status: 'unavailable'; readonly database: 'unreachable' };

/** Body of every error response (4xx/5xx). `code` is a WebEmbedError code. */
export interface RemoteErrorBody {
  readonly error: {
    readonly code: string;
    readonly message: string;
    readonly details?: Readonly<Record<string, string | number | boolean | null>>;
  };
}

/**
 * The error codes a service error carries through to the client as they are; any other code
 * (or none) becomes `REMOTE_FAILED`, with the service's code in `details.remoteCode`.
 */
export const REMOTE_ERROR_CODES: ReadonlySet<WebEmbedErrorCode> = new Set<WebEmbedErrorCode>([
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
