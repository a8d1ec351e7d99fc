/**
 * The search service: a small fastify app serving Postgres collections over HTTP with the same
 * request and result shapes as the engine's collection API. Requests are validated by JSON schema
 * (clear 400s), bodies are size-limited, an API key guards every route but `/health` (and is
 * required to listen beyond loopback), browsers on other origins are let in by an allow-list,
 * concurrent queries are bounded (429 past the bound), and a lost database connection is a 503
 * that passes when the database is back, never a crash.
 *
 * @module
 */
import { timingSafeEqual } from 'node:crypto';
import { isIP } from 'node:net';
import { type ModelFingerprint, WebEmbedError, isWebEmbedError } from '@webembed/core';
import Fastify, {
  type FastifyError,
  type FastifyInstance,
  type FastifyListenOptions,
  type FastifyReply,
} from 'fastify';
import pg from 'pg';
import { getCollectionInfo } from './catalog.js';
import { isConnectionLoss, withClient } from './db.js';
import type {
  RemoteCollectionInfo,
  RemoteErrorBody,
  RemoteHealth,
  RemoteSearchRequest,
  RemoteSearchResponse,
} from '@webembed/remote';
import { collectionParamsSchema, searchRequestSchema } from './protocol.js';
import { searchCollection } from './search.js';

/** Embeds a text query server-side; returns the vector and the fingerprint of the model used. */
export type QueryEmbedder = (
  text: string,
) => Promise<{ vector: Float32Array | readonly number[]; fingerprint: ModelFingerprint }>;

/** Options of {@link createSearchService}. */
export interface SearchServiceOptions {
  /** The database: a `pg.Pool` (shared, not closed by the service) or a connection string (a pool the service owns). */
  readonly database: string | pg.Pool;
  /**
   * When set, every request but `GET /health` must carry it in
   * {@link SearchServiceOptions.apiKeyHeader}; otherwise 401. Without it the service listens on
   * loopback addresses only, unless {@link SearchServiceOptions.insecure} is set.
   */
  readonly apiKey?: string;
  /**
   * Lets the service listen on a non-loopback address without an API key (anyone who can reach it
   * can search). Off by default, so `apiKey: process.env.KEY` with `KEY` unset refuses to listen on
   * `0.0.0.0` instead of serving every collection to the network.
   */
  readonly insecure?: boolean;
  /**
   * Browser origins (`https://app.example`, exactly as browsers send them: scheme, host, port)
   * allowed to call the service from another origin. Their preflights are answered and their
   * responses carry `Access-Control-Allow-Origin`; other origins' preflights get 403. Default none.
   */
  readonly corsOrigins?: readonly string[];
  /**
   * Queries (searches and info requests, server-side embedding included) served at once; one more
   * gets 429 with `Retry-After: 1` (default 32). Keeps a burst from queueing without bound on the
   * database pool.
   */
  readonly maxConcurrentQueries?: number;
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

/** Seconds a client is asked to wait (`Retry-After`) after a 429 or a 503. */
const RETRY_AFTER_SECONDS = 1;
/** How long `GET /health` waits for the database before calling it unreachable. */
const HEALTH_TIMEOUT_MS = 2000;

/**
 * Builds the search service (not yet listening). Routes: `GET /collections/:name` (info and
 * fingerprint), `POST /collections/:name/search` ({@link RemoteSearchRequest} ->
 * {@link RemoteSearchResponse}) and `GET /health` ({@link RemoteHealth}). Errors answer
 * `{ error: { code, message } }` with 400 (bad input), 401 (API key), 403 (CORS origin not
 * allowed), 404 (unknown collection), 409 (query from another model), 413 (body too large),
 * 429 (too many concurrent queries) or 503 (database unreachable or failing; details in the
 * service's log, never in the response).
 *
 * `listen` refuses (`INVALID_ARGUMENT`) a non-loopback host when no `apiKey` is set, unless
 * `insecure: true`.
 *
 * @example
 * ```ts
 * const app = createSearchService({ database: process.env.DATABASE_URL!, apiKey: process.env.API_KEY });
 * await app.listen({ port: 8080, host: '127.0.0.1' }); // behind a reverse proxy
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
  const maxConcurrent = options.maxConcurrentQueries ?? 32;
  if (!Number.isInteger(maxConcurrent) || maxConcurrent < 1) {
    throw new WebEmbedError(
      'INVALID_ARGUMENT',
      `maxConcurrentQueries must be a positive integer; got ${String(maxConcurrent)}`,
    );
  }
  const corsOrigins = new Set(options.corsOrigins ?? []);
  for (const origin of corsOrigins) assertOrigin(origin);
  const ownsPool = typeof options.database === 'string';
  const pool =
    typeof options.database === 'string'
      ? // A bounded connect: a database that does not answer is a 503, not a request hanging on.
        new pg.Pool({ connectionString: options.database, connectionTimeoutMillis: 5000 })
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

  // An idle pooled connection that drops (a restarted Postgres) makes the pool emit 'error';
  // unheard, that throws and ends the process. The pool has already discarded the connection.
  const onPoolError = (err: Error) => app.log.warn({ err }, 'a pooled Postgres connection was lost');
  pool.on('error', onPoolError);
  app.addHook('onClose', async () => {
    pool.off('error', onPoolError);
  });

  const apiKey = options.apiKey;
  const listen = app.listen.bind(app) as (...args: unknown[]) => unknown;
  app.listen = ((...args: unknown[]) => {
    const listenOptions = (
      typeof args[0] === 'object' && args[0] !== null ? args[0] : {}
    ) as FastifyListenOptions;
    const host = listenOptions.host ?? 'localhost';
    if (
      listenOptions.path === undefined &&
      !isLoopback(host) &&
      apiKey === undefined &&
      options.insecure !== true
    ) {
      const err = new WebEmbedError(
        'INVALID_ARGUMENT',
        `refusing to listen on ${host} without an apiKey: anyone who can reach it could search every collection. Set apiKey, listen on 127.0.0.1 behind a proxy that authenticates, or pass insecure: true`,
        { host },
      );
      const callback = args.find((arg) => typeof arg === 'function') as ((e: Error) => void) | undefined;
      if (callback) return void callback(err);
      return Promise.reject(err);
    }
    return listen(...args);
  }) as typeof app.listen;

  app.addHook('onRequest', async (request, reply) => {
    const origin = request.headers.origin;
    if (typeof origin !== 'string') return;
    const allowed = corsOrigins.has(origin);
    if (request.method === 'OPTIONS' && request.headers['access-control-request-method'] !== undefined) {
      if (!allowed) {
        return reply
          .code(403)
          .send(
            errorBody(
              'INVALID_ARGUMENT',
              `origin ${origin.slice(0, 200)} may not call this service from a browser (not in corsOrigins)`,
            ),
          );
      }
      return reply
        .code(204)
        .headers({
          'access-control-allow-origin': origin,
          'access-control-allow-methods': 'GET, POST',
          'access-control-allow-headers': `content-type, ${keyHeader}`,
          'access-control-max-age': '600',
          vary: 'Origin',
        })
        .send();
    }
    if (allowed) {
      reply.headers({
        'access-control-allow-origin': origin,
        'access-control-expose-headers': 'retry-after',
        vary: 'Origin',
      });
    }
  });

  if (apiKey !== undefined) {
    const expected = Buffer.from(apiKey);
    app.addHook('onRequest', async (request, reply) => {
      if (request.routeOptions.url === '/health') return;
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
    if (isWebEmbedError(error, 'REMOTE_FAILED')) {
      // Postgres' messages name hosts, ports, users and the SQL: they go to the log only.
      request.log.error(error);
      const sqlstate = typeof error.details?.sqlstate === 'string' ? error.details.sqlstate : null;
      const lost = isConnectionLoss(error);
      return reply
        .code(503)
        .header('retry-after', String(RETRY_AFTER_SECONDS))
        .send(
          lost
            ? errorBody('REMOTE_FAILED', 'the database is unreachable; retry shortly')
            : errorBody(
                'REMOTE_FAILED',
                `the database failed${sqlstate ? ` (SQLSTATE ${sqlstate})` : ''}; see the service log`,
                sqlstate ? { sqlstate } : undefined,
              ),
        );
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

  let inFlight = 0;
  /** Runs a query in one of the `maxConcurrentQueries` slots, or answers 429 when none is free. */
  const inSlot = async <T>(reply: FastifyReply, work: () => Promise<T>): Promise<T | FastifyReply> => {
    if (inFlight >= maxConcurrent) {
      return reply
        .code(429)
        .header('retry-after', String(RETRY_AFTER_SECONDS))
        .send(
          errorBody(
            'REMOTE_FAILED',
            `the service is answering ${maxConcurrent} queries already (maxConcurrentQueries); retry after ${RETRY_AFTER_SECONDS} s`,
            { limit: maxConcurrent, retryAfterSeconds: RETRY_AFTER_SECONDS },
          ),
        );
    }
    inFlight += 1;
    try {
      return await work();
    } finally {
      inFlight -= 1;
    }
  };

  // Concurrent health checks share one probe, so polling cannot flood the pool.
  let probe: Promise<boolean> | null = null;
  const databaseReachable = (): Promise<boolean> => {
    probe ??= pingDatabase(pool).finally(() => {
      probe = null;
    });
    return probe;
  };
  app.get('/health', async (_request, reply): Promise<RemoteHealth> => {
    const reachable = await databaseReachable();
    reply.code(reachable ? 200 : 503);
    return reachable ? { status: 'ok', database: 'ok' } : { status: 'unavailable', database: 'unreachable' };
  });

  const checkAllowed = (name: string) => {
    if (allowed && !allowed.has(name)) {
      throw new WebEmbedError('NOT_FOUND', `collection "${name}" is not served here`, { name });
    }
  };

  app.get<{ Params: { name: string } }>(
    '/collections/:name',
    { schema: { params: collectionParamsSchema } },
    async (request, reply) => {
      checkAllowed(request.params.name);
      return inSlot(reply, async (): Promise<RemoteCollectionInfo> => {
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
      });
    },
  );

  app.post<{ Params: { name: string }; Body: RemoteSearchRequest }>(
    '/collections/:name/search',
    { schema: { params: collectionParamsSchema, body: searchRequestSchema } },
    async (request, reply) => {
      const { name } = request.params;
      checkAllowed(name);
      return inSlot(reply, () => searchOnce(name, request.body));
    },
  );

  async function searchOnce(name: string, body: RemoteSearchRequest): Promise<RemoteSearchResponse> {
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
  }

  if (ownsPool) app.addHook('onClose', async () => pool.end());
  return app;
}

/** True for hosts that only this machine can reach (IPv4 127/8, ::1, localhost). */
function isLoopback(host: string): boolean {
  const bare = host.replace(/^\[|\]$/g, '').toLowerCase();
  if (bare === 'localhost') return true;
  if (isIP(bare) === 4) return bare.startsWith('127.');
  if (isIP(bare) === 6) return bare === '::1' || /^(0+:){7}0*1$/.test(bare) || /^::ffff:127\./.test(bare);
  return false;
}

/** Throws `INVALID_ARGUMENT` unless `origin` is a browser origin: http(s), host, optional port, nothing else. */
function assertOrigin(origin: unknown): void {
  let parsed: URL | null = null;
  try {
    parsed = typeof origin === 'string' ? new URL(origin) : null;
  } catch {
    parsed = null;
  }
  if (!parsed || parsed.origin !== origin || (parsed.protocol !== 'http:' && parsed.protocol !== 'https:')) {
    throw new WebEmbedError(
      'INVALID_ARGUMENT',
      `corsOrigins must list browser origins such as "https://app.example" (scheme, host and port only; no "*", no path); got ${JSON.stringify(origin)}`,
    );
  }
}

/** Whether one `SELECT 1` answers within {@link HEALTH_TIMEOUT_MS}. */
async function pingDatabase(pool: pg.Pool): Promise<boolean> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  const timeout = new Promise<boolean>((resolve) => {
    timer = setTimeout(() => resolve(false), HEALTH_TIMEOUT_MS);
  });
  const ping = withClient(pool, (client) => client.query('SELECT 1')).then(
    () => true,
    () => false,
  );
  try {
    return await Promise.race([ping, timeout]);
  } finally {
    clearTimeout(timer);
  }
}

function errorBody(code: string, message: string, details?: WebEmbedError['details']): RemoteErrorBody {
  const clean: Record<string, string | number | boolean | null> = {};
  for (const [key, value] of Object.entries(details ?? {})) if (value !== undefined) clean[key] = value;
  return { error: { code, message, ...(Object.keys(clean).length > 0 ? { details: clean } : {}) } };
}
