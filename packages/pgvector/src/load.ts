/**
 * Bulk loading a collection into Postgres: batched idempotent upserts, each batch committed in
 * one transaction together with the load's progress, so an interrupted load resumes where its
 * last committed batch ended, with no row lost or doubled. Indexes are built after the rows.
 *
 * @module
 */
import { createHash } from 'node:crypto';
import { WebEmbedError, fingerprintKey } from '@webembed/core';
import type pg from 'pg';
import {
  type CatalogEntry,
  type HnswParams,
  type IndexKind,
  createIndexes,
  createOrCheckCollection,
} from './catalog.js';
import { type PgTarget, type ReconnectPolicy, inTransaction, withSession } from './db.js';
import { CATALOG_TABLE, LOADS_TABLE, assertCollectionName, collectionTable, quoteIdent } from './names.js';
import { type CollectionRow, type CollectionSource, assertRow, normalizeSource } from './source.js';
import {
  type VectorStorage,
  assertDims,
  assertStorable,
  assertStorage,
  columnType,
  vectorBinary,
} from './vectors.js';

/** Progress of a load, reported after each committed batch and each built index. */
export interface LoadProgress {
  readonly collection: string;
  /** `rows` while upserting, `index` while building indexes, `done` at the end. */
  readonly phase: 'rows' | 'index' | 'done';
  /** Rows of the source committed so far, including rows skipped because an earlier run committed them. */
  readonly rowsDone: number;
  /** Rows in the source, when known. */
  readonly total: number | null;
  /** Rows skipped at the start because an interrupted earlier run had committed them. */
  readonly resumedFrom: number;
  /** The index being built (phase `index`). */
  readonly index?: string;
}

/**
 * Options of {@link loadCollection}. `retries` / `retryDelayMs` ({@link ReconnectPolicy}): when the
 * connection is lost after the load has started (a restarted Postgres), the load reconnects with
 * backoff and redoes the step that failed (default 8 tries in a row, from 250 ms doubling to 5 s);
 * a committed batch is never written twice and an uncommitted one is written again. A `pg.Client`
 * target cannot be reconnected, and a first connection that fails fails at once.
 */
export interface LoadOptions extends ReconnectPolicy {
  /** Rows per INSERT and per transaction (default 500, 1..10000). */
  readonly batchSize?: number;
  /** `halfvec` (default; 2 bytes a dimension) or `vector` (float32). */
  readonly storage?: VectorStorage;
  /** Indexes to build after the rows: `binary` (default), `float`, `both` or `none` (exact scans). */
  readonly index?: IndexKind;
  /** HNSW build parameters. */
  readonly hnsw?: HnswParams;
  /** Called after each committed batch and each index built. */
  readonly onProgress?: (progress: LoadProgress) => void;
  /** Stops the load between batches with `ABORTED`; committed batches stay and a later run resumes. */
  readonly signal?: AbortSignal;
  /**
   * Identifies this load for resuming. Defaults to a hash of the model and the ids in order when the
   * whole source is in memory (arrays, snapshots); streaming sources resume only with an explicit key
   * (without one they simply upsert everything again, which is idempotent).
   */
  readonly loadKey?: string;
  /** Set to false to ignore an earlier interrupted run and upsert every row again. Default true. */
  readonly resume?: boolean;
}

/** What a finished load did. */
export interface LoadResult {
  readonly collection: string;
  /** Rows upserted by this run. */
  readonly rowsWritten: number;
  /** Rows skipped because an earlier interrupted run had committed them. */
  readonly rowsSkipped: number;
  /** Indexes created by this run. */
  readonly indexesCreated: readonly string[];
  readonly ms: number;
}

const LOADS = quoteIdent(LOADS_TABLE);
const CATALOG = quoteIdent(CATALOG_TABLE);

/**
 * Writes a collection's rows into Postgres (creating the pgvector extension, the catalog and the
 * collection's table when missing), then builds its indexes. Rows are upserted by id, so loading
 * the same rows twice leaves one copy; a load of vectors from another model than the collection's
 * is refused with `MODEL_MISMATCH` before anything is written.
 *
 * @example
 * ```ts
 * const result = await loadCollection('postgres://localhost/app', 'docs', {
 *   fingerprint,
 *   rows: [{ id: 'a', text: 'hello', metadata: { lang: 'en' }, vector }],
 * }, { onProgress: (p) => console.log(p.rowsDone, '/', p.total) });
 * ```
 */
export async function loadCollection(
  target: PgTarget,
  name: string,
  source: CollectionSource,
  options: LoadOptions = {},
): Promise<LoadResult> {
  const started = performance.now();
  assertCollectionName(name);
  const batchSize = options.batchSize ?? 500;
  if (!Number.isInteger(batchSize) || batchSize < 1 || batchSize > 10_000) {
    throw new WebEmbedError(
      'INVALID_ARGUMENT',
      `batchSize must be an integer from 1 to 10000; got ${batchSize}`,
    );
  }
  const storage = options.storage ?? 'halfvec';
  assertStorage(storage);
  const indexKind = options.index ?? 'binary';
  if (!['binary', 'float', 'both', 'none'].includes(indexKind)) {
    throw new WebEmbedError(
      'INVALID_ARGUMENT',
      `index must be "binary", "float", "both" or "none"; got ${JSON.stringify(indexKind)}`,
    );
  }
  const normalized = normalizeSource(source);
  const { fingerprint, total } = normalized;
  assertDims(fingerprint.dims);
  columnType(storage, fingerprint.dims);
  const loadKey =
    options.loadKey ?? (normalized.ids ? defaultLoadKey(fingerprintKey(fingerprint), normalized.ids) : null);
  throwIfAborted(options.signal);

  // Every step is one transaction: repeatable after a lost connection, and never interleaved with
  // other connections' statements by a server that multiplexes them onto one session (PGlite's
  // socket server, which the tests use, does so outside transactions).
  return withSession(target, options, async (session) => {
    const entry = await session.run((client) =>
      inTransaction(client, () => createOrCheckCollection(client, name, fingerprint, storage)),
    );
    const resumeFrom =
      loadKey && options.resume !== false
        ? await session.run((client) => inTransaction(client, () => committedRows(client, name, loadKey)))
        : 0;
    const report = (progress: Omit<LoadProgress, 'collection' | 'total' | 'resumedFrom'>) =>
      options.onProgress?.({ collection: name, total, resumedFrom: resumeFrom, ...progress });

    let position = 0;
    let written = 0;
    let batch: CollectionRow[] = [];
    const flush = async () => {
      throwIfAborted(options.signal);
      // Rows and progress commit together; after a lost connection the whole batch is redone
      // (upserts by id, so a batch whose COMMIT reached the server before the loss stays single).
      await session.run((client) =>
        inTransaction(client, async () => {
          await upsertBatch(client, entry, batch);
          if (loadKey) await recordProgress(client, name, loadKey, position, total, false);
        }),
      );
      written += batch.length;
      batch = [];
      report({ phase: 'rows', rowsDone: position });
    };
    for await (const row of normalized.rows) {
      assertRow(row, entry.dims, position);
      assertStorable(row.vector, entry.storage, `row ${position} (id ${JSON.stringify(row.id)})`);
      position += 1;
      if (position <= resumeFrom) continue;
      batch.push(row);
      if (batch.length >= batchSize) await flush();
    }
    if (batch.length > 0) await flush();
    if (resumeFrom > position) {
      throw new WebEmbedError(
        'INVALID_ARGUMENT',
        `load "${loadKey}" had committed ${resumeFrom} rows but the source now has only ${position}; pass resume: false or another loadKey`,
      );
    }

    const indexesCreated: string[] = [];
    throwIfAborted(options.signal);
    await session.run((client) =>
      inTransaction(client, () =>
        createIndexes(client, entry, indexKind, options.hnsw, (index) => {
          indexesCreated.push(index);
          report({ phase: 'index', rowsDone: position, index });
        }),
      ),
    );
    await session.run((client) =>
      inTransaction(client, async () => {
        if (loadKey) await recordProgress(client, name, loadKey, position, total, true);
        await client.query(`UPDATE ${CATALOG} SET updated_at = now() WHERE name = $1`, [name]);
      }),
    );
    await session.run((client) =>
      inTransaction(client, () => client.query(`ANALYZE ${collectionTable(name)}`)),
    );
    report({ phase: 'done', rowsDone: position });
    return {
      collection: name,
      rowsWritten: written,
      rowsSkipped: Math.min(resumeFrom, position),
      indexesCreated,
      ms: performance.now() - started,
    };
  });
}

/**
 * Upserts one batch with a single multi-row INSERT; vectors travel as binary parameters.
 * Duplicate ids inside the batch keep their last row (Postgres refuses to update one row twice
 * in a statement).
 */
async function upsertBatch(
  client: pg.ClientBase,
  entry: CatalogEntry,
  rows: readonly CollectionRow[],
): Promise<void> {
  const byId = new Map<string, CollectionRow>();
  for (const row of rows) byId.set(row.id, row);
  const type = columnType(entry.storage, entry.dims);
  const params: unknown[] = [];
  const tuples: string[] = [];
  for (const row of byId.values()) {
    const n = params.length;
    tuples.push(`($${n + 1}, $${n + 2}, $${n + 3}::jsonb, $${n + 4}::${type})`);
    params.push(
      row.id,
      row.text,
      row.metadata == null ? null : JSON.stringify(row.metadata),
      vectorBinary(row.vector, entry.storage),
    );
  }
  await client.query(
    `INSERT INTO ${collectionTable(entry.name)} (id, text, metadata, embedding) VALUES ${tuples.join(', ')}
     ON CONFLICT (id) DO UPDATE SET text = EXCLUDED.text, metadata = EXCLUDED.metadata, embedding = EXCLUDED.embedding`,
    params,
  );
}

async function committedRows(client: pg.ClientBase, name: string, loadKey: string): Promise<number> {
  const res = await client.query<{ rows_done: string; finished: boolean }>(
    `SELECT rows_done::text AS rows_done, finished FROM ${LOADS} WHERE collection = $1 AND load_key = $2`,
    [name, loadKey],
  );
  const row = res.rows[0];
  // A finished load is not resumed: running it again upserts everything (idempotent).
  return !row || row.finished ? 0 : Number(row.rows_done);
}

async function recordProgress(
  client: pg.ClientBase,
  name: string,
  loadKey: string,
  rowsDone: number,
  total: number | null,
  finished: boolean,
): Promise<void> {
  await client.query(
    `INSERT INTO ${LOADS} (collection, load_key, rows_done, total, finished) VALUES ($1, $2, $3, $4, $5)
     ON CONFLICT (collection, load_key) DO UPDATE
       SET rows_done = EXCLUDED.rows_done, total = EXCLUDED.total, finished = EXCLUDED.finished, updated_at = now()`,
    [name, loadKey, rowsDone, total, finished],
  );
}

/** The default resume key: SHA-256 of the model's fingerprint key and the ids in order. */
function defaultLoadKey(modelKey: string, ids: readonly string[]): string {
  const hash = createHash('sha256');
  hash.update(modelKey);
  for (const id of ids) hash.update(`\0${id}`);
  return `ids:${ids.length}:${hash.digest('hex').slice(0, 32)}`;
}

function throwIfAborted(signal: AbortSignal | undefined): void {
  if (signal?.aborted) {
    throw new WebEmbedError(
      'ABORTED',
      'the load was aborted; rows committed so far are kept and a rerun resumes',
    );
  }
}
