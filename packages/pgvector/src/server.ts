/**
 * The search service: a small fastify app serving Postgres collections over HTTP with the same
 * request and result shapes as the engine's collection API. Requests are validated by JSON schema
 * (clear 400s), bodies are size-limited, and an optional API key guards every route.
 *
 * @module
 */
import { timingSafeEqual } from 'node:crypto';
import { type ModelFingerprint, WebEmbedError, isWebEmbedError } from '@webembed/core';
import Fastify, { type FastifyError, type FastifyInstance } from 'fastify';
import pg from 'pg';
import { getCollectionInfo } from './catalog.js';
import {
  type RemoteCollectionInfo,
  type RemoteErrorBody,
  type RemoteSearchRequest,
  type RemoteSearchResponse,
  collectionParamsSchema,
  searchRequestSchema,
} from './protocol.js';
import { searchCollection } from './search.js';

/** Embeds a text query server-side; returns the vector and the fingerprint of the model used. */
export type QueryEmbedder = (
  text: string,
) => Promise<{ vector: Float32Array | readonly number[]; fingerprint: ModelFingerprint }>;

/** Options of {@link createSearchService}. */
export interface SearchServiceOptions {
  /** The database: a `pg.Pool` (shared, not closed by the service) or a connection string (a pool the service owns). */
  readonly database: string | pg.Pool;
  /** When set, every request must carry it in {@link SearchServiceOptions.apiKeyHeader}; otherwise 401. */
  readonly apiKey?: string;
  /** Header holding the API key (default `x-api-key`). */
  readonly apiKeyHeader?: string;
  /** Largest request body in bytes (default 1 MiB); larger bodies get 413. */
  readonly bodyLimit?: number;
  /** When set, only these collections are served; others answer 404. */
  readonly collections?: readonly string[];
  /** Lets clients send `text` instead of a vector. */
  readonly embedQuery?: QueryEmbedder;
  /** Passed to fastify (default false). */
  readonly logger?: boolean;
}

const STATUS: Partial<Record<string, number>> = {
  INVALID_ARGUMENT: 400,
  INVALID_K: 400,
  DIMENSION_MISMATCH: 400,
  NOT_FINITE: 400,
  ZERO_VECTOR: 400,
  EMPTY_TEXT: 400,
  NOT_A_STRING: 400,
  TEXT_TOO_LONG: 400,
  NOT_FOUND: 404,
  MODEL_MISMATCH: 409,
  REMOTE_FAILED: 503,
};

/**
 * Builds the search service (not yet listening). Routes: `GET /collections/:name` (info and
 * fingerprint) and `POST /collections/:name/search` ({@link RemoteSearchRequest} ->
 * {@link RemoteSearchResponse}). Errors answer `{ error: { code, message } }` with 400 (bad input),
 * 401 (API key), 404 (unknown collection), 409 (query from another model), 413 (body too large).
 *
 * @example
 * ```ts
 * const app = createSearchService({ database: process.env.DATABASE_URL!, apiKey: process.env.API_KEY });
 * await app.listen({ port: 8080, host: '0.0.0.0' });
 * ```
 */
export function createSearchService(options: SearchServiceOptions): FastifyInstance {
  const bodyLimit = options.bodyLimit ?? 1024 * 1024;
  if (!Number.isInteger(bodyLimit) || bodyLimit < 1024) {
    throw new WebEmbedError(
      'INVALID_ARGUMENT',
      `bodyLimit must be an integer of at least 1024 bytes; got ${bodyLimit}`,
    );
  }
  if (options.apiKey !== undefined && (typeof options.apiKey !== 'string' || options.apiKey.length < 8)) {
    throw new WebEmbedError('INVALID_ARGUMENT', 'apiKey must be a string of at least 8 characters');
  }
  const ownsPool = typeof options.database === 'string';
  const pool =
    typeof options.database === 'string'
      ? new pg.Pool({ connectionString: options.database })
      : options.database;
  if (!(pool instanceof pg.Pool)) {
    throw new WebEmbedError('INVALID_ARGUMENT', 'database must be a connection string or a pg.Pool');
  }
  const allowed = options.collections ? new Set(options.collections) : null;
  const keyHeader = (options.apiKeyHeader ?? 'x-api-key').toLowerCase();
  const app = Fastify({
    logger: options.logger ?? false,
    bodyLimit,
    // Strict validation: unknown fields are errors (not silently dropped) and "3" is not a number.
    ajv: { customOptions: { removeAdditional: false, coerceTypes: false, allErrors: false } },
  });

  if (options.apiKey !== undefined) {
    const expected = Buffer.from(options.apiKey);
    app.addHook('onRequest', async (request, reply) => {
      const given = request.headers[keyHeader];
      const ok =
        typeof given === 'string' &&
        Buffer.byteLength(given) === expected.length &&
        timingSafeEqual(Buffer.from(given), expected);
      if (!ok) {
        return reply
          .code(401)
          .send(errorBody('REMOTE_FAILED', `missing or wrong API key (header ${keyHeader})`));
      }
    });
  }

  app.setErrorHandler((error: FastifyError, request, reply) => {
    if (error.validation) {
      const context = error.validationContext ?? 'body';
      const message = error.validation.some((v) => v.keyword === 'oneOf')
        ? `invalid request: ${context} must hold either \`vector\` with \`fingerprint\` (the model that made it), or \`text\``
        : `invalid request: ${context}${error.validation[0]?.instancePath ?? ''} ${error.validation[0]?.message ?? error.message}`;
      return reply.code(400).send(errorBody('INVALID_ARGUMENT', message));
    }
    if (isWebEmbedError(error)) {
      const status = STATUS[error.code] ?? 500;
      return reply.code(status).send(errorBody(error.code, error.message, error.details));
    }
    if (typeof error.statusCode === 'number' && error.statusCode >= 400 && error.statusCode < 500) {
      // fastify's own client errors: body too large (413), bad JSON (400), bad content type (415).
      return reply.code(error.statusCode).send(errorBody('INVALID_ARGUMENT', error.message));
    }
    request.log.error(error);
    return reply
      .code(500)
      .send(errorBody('REMOTE_FAILED', 'internal error while searching; see the service log'));
  });
  app.setNotFoundHandler((request, reply) =>
    reply.code(404).send(errorBody('NOT_FOUND', `no route ${request.method} ${request.url}`)),
  );

  const checkAllowed = (name: string) => {
    if (allowed && !allowed.has(name)) {
      throw new WebEmbedError('NOT_FOUND', `collection "${name}" is not served here`, { name });
    }
  };

  app.get<{ Params: { name: string } }>(
    '/collections/:name',
    { schema: { params: collectionParamsSchema } },
    async (request): Promise<RemoteCollectionInfo> => {
      checkAllowed(request.params.name);
      const info = await getCollectionInfo(pool, request.params.name);
      return {
        name: info.name,
        dims: info.dims,
        storage: info.storage,
        fingerprint: info.fingerprint,
        count: info.count,
        binaryIndex: info.binaryIndex,
        floatIndex: info.floatIndex,
        updatedAt: info.updatedAt,
        textQueries: options.embedQuery !== undefined,
      };
    },
  );

  app.post<{ Params: { name: string }; Body: RemoteSearchRequest }>(
    '/collections/:name/search',
    { schema: { params: collectionParamsSchema, body: searchRequestSchema } },
    async (request): Promise<RemoteSearchResponse> => {
      const { name } = request.params;
      checkAllowed(name);
      const body = request.body;
      let vector = body.vector;
      let fingerprint = body.fingerprint;
      let embedMs = 0;
      if (body.text !== undefined) {
        if (!options.embedQuery) {
          throw new WebEmbedError(
            'INVALID_ARGUMENT',
            'this service has no server-side embedder: send `vector` with the `fingerprint` of the model that made it',
          );
        }
        const started = performance.now();
        const embedded = await options.embedQuery(body.text);
        embedMs = performance.now() - started;
        vector = Array.from(embedded.vector);
        fingerprint = embedded.fingerprint;
      }
      const mode = body.mode ?? 'binary-rescore';
      const started = performance.now();
      const hits = await searchCollection(pool, name, vector as readonly number[], {
        k: body.k,
        fingerprint: fingerprint as ModelFingerprint,
        mode,
        oversample: body.oversample,
        filter: body.filter as RemoteSearchRequest['filter'],
        exact: body.exact,
      });
      return { hits, mode, timings: { embedMs, searchMs: performance.now() - started } };
    },
  );

  if (ownsPool) app.addHook('onClose', async () => pool.end());
  return app;
}

function errorBody(code: string, message: string, details?: WebEmbedError['details']): RemoteErrorBody {
  const clean: Record<string, string | number | boolean | null> = {};
  for (const [key, value] of Object.entries(details ?? {})) if (value !== undefined) clean[key] = value;
  return { error: { code, message, ...(Object.keys(clean).length > 0 ? { details: clean } : {}) } };
}
