/**
 * Search in SQL, mirroring the local recipes: exact float search (cosine over the full vectors),
 * and the two-stage binary recipe (Hamming candidates from the HNSW index on
 * `binary_quantize(embedding)`, `k x oversample` of them, re-ranked by cosine on the full vectors).
 * Metadata equality filters become `metadata @> filter` in the same query.
 *
 * @module
 */
import { type ModelFingerprint, WebEmbedError, assertSameModel } from '@webembed/core';
import { REMOTE_LIMITS, type RemoteSearchHit, type RemoteSearchMode } from '@webembed/remote';
import { binaryExpression, requireCatalogEntry } from './catalog.js';
import { type PgTarget, withClient } from './db.js';
import { type JsonObject, assertFilter } from './json.js';
import { assertCollectionName, collectionTable } from './names.js';
import { assertQueryVector, assertVector, columnType, vectorBinary } from './vectors.js';

/**
 * Search modes, named as in the engine's collection API. `float32`: cosine over the full vectors
 * (exact scan, or the float HNSW index when the collection has one and `exact` is not set).
 * `binary-rescore`: Hamming candidates, re-ranked by cosine.
 */
export type PgSearchMode = RemoteSearchMode;

/** Options of {@link searchCollection}. */
export interface PgSearchOptions {
  /** Hits to return, 1..1000 (default 10). */
  readonly k?: number;
  /** Fingerprint of the model that embedded the query; a different model is refused (`MODEL_MISMATCH`). */
  readonly fingerprint: ModelFingerprint;
  /** Default `binary-rescore`. */
  readonly mode?: PgSearchMode;
  /** Candidates per hit for `binary-rescore` (default 4, 1..100). */
  readonly oversample?: number;
  /** Metadata equality filter: every key equals the row's value, as in local search (SQL: `metadata @> filter`). */
  readonly filter?: JsonObject;
  /** `float32` mode: force an exact scan even when a float HNSW index exists (default: use the index when present). */
  readonly exact?: boolean;
}

/** One hit, shaped like the engine's local search results. `score` is cosine similarity (higher is better). */
export type PgSearchHit = RemoteSearchHit;

/** Largest k a search accepts. */
export const MAX_K = REMOTE_LIMITS.maxK;

/**
 * Searches collection `name` with one query vector. Results are sorted by cosine similarity,
 * highest first, ties by id. Throws `NOT_FOUND` for an unknown collection, `MODEL_MISMATCH` for a
 * query from another model, `DIMENSION_MISMATCH` / `NOT_FINITE` / `INVALID_K` / `INVALID_ARGUMENT`
 * for bad inputs, `ZERO_VECTOR` for a query that is zero (once stored as the collection's type).
 *
 * @example
 * ```ts
 * const hits = await searchCollection(pool, 'docs', queryVector, {
 *   k: 10, fingerprint, mode: 'binary-rescore', oversample: 4, filter: { lang: 'en' },
 * });
 * // [{ id, text, metadata, score }, ...]
 * ```
 */
export async function searchCollection(
  target: PgTarget,
  name: string,
  query: Float32Array | readonly number[],
  options: PgSearchOptions,
): Promise<PgSearchHit[]> {
  assertCollectionName(name);
  const k = options.k ?? 10;
  if (typeof k !== 'number' || !Number.isInteger(k) || k < 1 || k > MAX_K) {
    throw new WebEmbedError('INVALID_K', `k must be an integer from 1 to ${MAX_K}; got ${String(k)}`, {
      k: String(k),
    });
  }
  const mode = options.mode ?? 'binary-rescore';
  if (mode !== 'float32' && mode !== 'binary-rescore') {
    throw new WebEmbedError(
      'INVALID_ARGUMENT',
      `mode must be "float32" or "binary-rescore" for Postgres collections; got ${JSON.stringify(mode)}`,
    );
  }
  const oversample = options.oversample ?? 4;
  if (typeof oversample !== 'number' || !Number.isInteger(oversample) || oversample < 1 || oversample > 100) {
    throw new WebEmbedError(
      'INVALID_ARGUMENT',
      `oversample must be an integer from 1 to 100; got ${oversample}`,
    );
  }
  if (options.filter !== undefined) assertFilter(options.filter);
  if (!options.fingerprint) {
    throw new WebEmbedError(
      'INVALID_ARGUMENT',
      'a search needs the fingerprint of the model that embedded the query, to refuse vectors of another model',
    );
  }

  const efSearch = Math.min(1000, Math.max(40, mode === 'float32' ? k : k * oversample));
  return withClient(target, async (client) => {
    // One round trip opens the transaction and sets the HNSW knobs for it alone. Iterative scans
    // keep walking the graph until LIMIT rows pass the filter (pgvector 0.8); relaxed order is
    // fine because every path sorts its final hits exactly.
    await client.query(
      `BEGIN; SET LOCAL hnsw.ef_search = ${efSearch}; SET LOCAL hnsw.iterative_scan = 'relaxed_order'`,
    );
    try {
      const entry = await requireCatalogEntry(client, name);
      assertSameModel(entry.fingerprint, options.fingerprint, 'the query vector and this collection');
      assertVector(query, entry.dims, 'the query vector');
      assertQueryVector(query, entry.storage, 'the query vector');
      const type = columnType(entry.storage, entry.dims);
      const table = collectionTable(name);
      const params: unknown[] = [vectorBinary(query, entry.storage)];
      const where = filterSql(options.filter, params);
      // pgvector's cosine distance of a zero row is NaN; local search scores such a row 0
      // (distance 1), so Postgres does the same rather than answer `score: null`.
      const cosine = `COALESCE(NULLIF(embedding <=> $1::${type}, 'NaN'), 1)`;
      const bareCosine = `embedding <=> $1::${type}`;
      let sql: string;
      if (mode === 'float32') {
        if (options.exact) {
          // The tie-breaking `id` in ORDER BY keeps any HNSW index out: an exact scan.
          sql = `SELECT id, text, metadata, 1 - (${cosine}) AS score FROM ${table} ${where}
                 ORDER BY ${cosine}, id LIMIT ${k}`;
        } else {
          // ORDER BY the bare distance lets the planner use the float HNSW index when there is one;
          // relaxed_order may return hits slightly out of order, so the final k are sorted again.
          sql = `SELECT * FROM (
                   SELECT id, text, metadata, 1 - (${cosine}) AS score FROM ${table} ${where}
                   ORDER BY ${bareCosine} LIMIT ${k}
                 ) AS hits ORDER BY score DESC, id`;
        }
      } else {
        const candidates = k * oversample;
        const hamming = `${binaryExpression(entry.dims)} <~> binary_quantize($1::${type})`;
        sql = `WITH candidates AS MATERIALIZED (
                 SELECT id, text, metadata, embedding FROM ${table} ${where}
                 ORDER BY ${hamming} LIMIT ${candidates}
               )
               SELECT id, text, metadata, 1 - (${cosine}) AS score FROM candidates
               ORDER BY ${cosine}, id LIMIT ${k}`;
      }
      const res = await client.query<{
        id: string;
        text: string;
        metadata: JsonObject | null;
        score: number;
      }>(sql, params);
      await client.query('COMMIT');
      return res.rows.map((row) => ({
        id: row.id,
        text: row.text,
        metadata: row.metadata ?? undefined,
        score: Number(row.score),
      }));
    } catch (err) {
      await client.query('ROLLBACK').catch(() => undefined);
      throw err;
    }
  });
}

/**
 * The WHERE clause of a metadata equality filter, with the same meaning as local search (store's
 * filterPredicate): every key of the filter equals the row's value (JSON equality). JSON
 * containment (`@>`, served by the GIN index) selects the rows; for array and object values,
 * where containment is looser than equality (`{ tags: ['a'] }` is contained in `['a', 'b']`),
 * an exact `metadata -> key = value` check follows. An empty filter matches every row.
 */
function filterSql(filter: JsonObject | undefined, params: unknown[]): string {
  if (filter === undefined || Object.keys(filter).length === 0) return '';
  const clauses = [`metadata @> $${params.push(JSON.stringify(filter))}::jsonb`];
  for (const [key, value] of Object.entries(filter)) {
    if (value !== null && typeof value === 'object') {
      clauses.push(`metadata -> $${params.push(key)}::text = $${params.push(JSON.stringify(value))}::jsonb`);
    }
  }
  return `WHERE ${clauses.join(' AND ')}`;
}
