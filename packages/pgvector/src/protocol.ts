/**
 * The wire types of the search service, shared by the server and the browser-safe client
 * (nothing here imports `pg` or Node modules), and the JSON schemas the server validates with.
 *
 * @module
 */
import type { ModelFingerprint } from '@webembed/core';
import { fingerprintJsonSchema } from './fingerprint.js';
import type { JsonObject } from './json.js';

/** Search modes a Postgres collection serves (named as in the engine's collection API). */
export type RemoteSearchMode = 'float32' | 'binary-rescore';

/**
 * One search hit, the same shape as the engine's `SearchHit`: `metadata` is `undefined` when the
 * document has none (absent from the JSON), `score` is cosine similarity, higher is better.
 */
export interface RemoteSearchHit {
  readonly id: string;
  readonly text: string;
  readonly metadata: JsonObject | undefined;
  readonly score: number;
}

/**
 * Body of `POST /collections/:name/search`. Send `vector` with the `fingerprint` of the model
 * that made it, or `text` when the service has a server-side embedder.
 */
export interface RemoteSearchRequest {
  readonly vector?: readonly number[];
  readonly text?: string;
  readonly fingerprint?: ModelFingerprint;
  /** Hits wanted, 1..1000 (default 10, as in the engine). */
  readonly k?: number;
  /** Default `binary-rescore`. */
  readonly mode?: RemoteSearchMode;
  readonly oversample?: number;
  readonly filter?: JsonObject;
  readonly exact?: boolean;
}

/** Response of `POST /collections/:name/search`, shaped like the engine's `SearchResponse`. */
export interface RemoteSearchResponse {
  readonly hits: RemoteSearchHit[];
  readonly mode: RemoteSearchMode;
  /** Milliseconds spent embedding a text query server-side (0 for vector queries) and searching. */
  readonly timings: { readonly embedMs: number; readonly searchMs: number };
}

/** Response of `GET /collections/:name`. */
export interface RemoteCollectionInfo {
  readonly name: string;
  readonly dims: number;
  readonly storage: 'halfvec' | 'vector';
  readonly fingerprint: ModelFingerprint;
  readonly count: number;
  readonly binaryIndex: boolean;
  readonly floatIndex: boolean;
  readonly updatedAt: string;
  /** Whether the service embeds `text` queries itself. */
  readonly textQueries: boolean;
}

/** Body of every error response (4xx/5xx). `code` is a WebEmbedError code. */
export interface RemoteErrorBody {
  readonly error: {
    readonly code: string;
    readonly message: string;
    readonly details?: Readonly<Record<string, string | number | boolean | null>>;
  };
}

/** JSON schema of the `:name` route parameter. */
export const collectionParamsSchema = {
  type: 'object',
  required: ['name'],
  properties: { name: { type: 'string', pattern: '^[A-Za-z][A-Za-z0-9_-]{0,47}$' } },
} as const;

/** JSON schema of {@link RemoteSearchRequest}. */
export const searchRequestSchema = {
  type: 'object',
  additionalProperties: false,
  properties: {
    vector: { type: 'array', minItems: 1, maxItems: 16000, items: { type: 'number' } },
    text: { type: 'string', minLength: 1, maxLength: 20000 },
    fingerprint: fingerprintJsonSchema,
    k: { type: 'integer', minimum: 1, maximum: 1000 },
    mode: { enum: ['float32', 'binary-rescore'] },
    oversample: { type: 'integer', minimum: 1, maximum: 100 },
    filter: { type: 'object' },
    exact: { type: 'boolean' },
  },
  oneOf: [
    { required: ['vector', 'fingerprint'], not: { required: ['text'] } },
    { required: ['text'], not: { required: ['vector'] } },
  ],
} as const;
