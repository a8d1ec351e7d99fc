/**
 * The catalog: one row per collection naming its dims, vector storage and model fingerprint,
 * plus the per-collection table, its indexes, and the bulk-load progress table.
 *
 * @module
 */
import { type ModelFingerprint, WebEmbedError, assertSameModel } from '@webembed/core';
import type pg from 'pg';
import { type PgTarget, inTransaction, withClient } from './db.js';
import { parseFingerprint } from './fingerprint.js';
import {
  CATALOG_TABLE,
  LOADS_TABLE,
  TABLE_PREFIX,
  assertCollectionName,
  collectionIndex,
  collectionTable,
  quoteIdent,
} from './names.js';
import {
  MAX_HNSW_BIT_DIMS,
  MAX_HNSW_DIMS,
  type VectorStorage,
  assertStorage,
  columnType,
} from './vectors.js';

/** Which indexes a collection gets after a load. */
export type IndexKind = 'binary' | 'float' | 'both' | 'none';

/** HNSW build parameters (pgvector defaults: m 16, ef_construction 64). */
export interface HnswParams {
  readonly m?: number;
  readonly efConstruction?: number;
}

/** What the catalog knows about a collection, plus its live row count and indexes. */
export interface PgCollectionInfo {
  readonly name: string;
  readonly dims: number;
  readonly storage: VectorStorage;
  readonly fingerprint: ModelFingerprint;
  readonly count: number;
  /** Whether the HNSW index over `binary_quantize(embedding)::bit(dims)` (bit_hamming_ops) exists. */
  readonly binaryIndex: boolean;
  /** Whether the HNSW cosine index over the full vectors exists. */
  readonly floatIndex: boolean;
  readonly createdAt: string;
  readonly updatedAt: string;
}

/** The catalog row of a collection, as stored. */
export interface CatalogEntry {
  readonly name: string;
  readonly dims: number;
  readonly storage: VectorStorage;
  readonly fingerprint: ModelFingerprint;
  readonly createdAt: string;
  readonly updatedAt: string;
}

const CATALOG = quoteIdent(CATALOG_TABLE);
const LOADS = quoteIdent(LOADS_TABLE);

/** SQLSTATE of "relation does not exist". */
const UNDEFINED_TABLE = '42P01';

/** Creates the pgvector extension and the catalog tables when missing. Safe to call often. */
export async function ensureCatalog(client: pg.ClientBase): Promise<void> {
  await client.query('CREATE EXTENSION IF NOT EXISTS vector');
  await client.query(`CREATE TABLE IF NOT EXISTS ${CATALOG} (
    name text PRIMARY KEY,
    dims integer NOT NULL CHECK (dims > 0),
    storage text NOT NULL CHECK (storage IN ('halfvec', 'vector')),
    fingerprint jsonb NOT NULL,
    created_at timestamptz NOT NULL DEFAULT now(),
    updated_at timestamptz NOT NULL DEFAULT now()
  )`);
  await client.query(`CREATE TABLE IF NOT EXISTS ${LOADS} (
    collection text NOT NULL REFERENCES ${CATALOG} (name) ON DELETE CASCADE,
    load_key text NOT NULL,
    rows_done bigint NOT NULL DEFAULT 0,
    total bigint,
    finished boolean NOT NULL DEFAULT false,
    updated_at timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (collection, load_key)
  )`);
}

/**
 * The catalog entry of `name`, or `null` when there is no such collection (or no catalog yet).
 * One query; when the catalog table does not exist yet inside a transaction, that transaction
 * is left aborted (callers then roll back).
 */
export async function readCatalogEntry(client: pg.ClientBase, name: string): Promise<CatalogEntry | null> {
  assertCollectionName(name);
  let res: pg.QueryResult;
  try {
    res = await client.query(
      `SELECT name, dims, storage, fingerprint, created_at::text AS created_at, updated_at::text AS updated_at
         FROM ${CATALOG} WHERE name = $1`,
      [name],
    );
  } catch (err) {
    if ((err as { code?: string }).code === UNDEFINED_TABLE) return null;
    throw err;
  }
  const row = res.rows[0];
  if (!row) return null;
  assertStorage(row.storage);
  return {
    name: row.name,
    dims: row.dims,
    storage: row.storage,
    fingerprint: parseFingerprint(row.fingerprint, `catalog fingerprint of collection "${name}"`),
    createdAt: row.created_at,
    updatedAt: row.updated_at,
  };
}

/** Like {@link readCatalogEntry} but throws `NOT_FOUND` when the collection does not exist. */
export async function requireCatalogEntry(client: pg.ClientBase, name: string): Promise<CatalogEntry> {
  const entry = await readCatalogEntry(client, name);
  if (!entry) {
    throw new WebEmbedError('NOT_FOUND', `no collection named "${name}" in this Postgres database`, { name });
  }
  return entry;
}

/**
 * Creates collection `name` (catalog row + table) or checks that the existing one has the same
 * model fingerprint (`MODEL_MISMATCH` otherwise) and storage. Returns the catalog entry.
 * Runs inside the caller's transaction; takes a row lock on the catalog entry.
 */
export async function createOrCheckCollection(
  client: pg.ClientBase,
  name: string,
  fingerprint: ModelFingerprint,
  storage: VectorStorage,
): Promise<CatalogEntry> {
  assertCollectionName(name);
  await ensureCatalog(client);
  await client.query(
    `INSERT INTO ${CATALOG} (name, dims, storage, fingerprint) VALUES ($1, $2, $3, $4::jsonb)
     ON CONFLICT (name) DO NOTHING`,
    [name, fingerprint.dims, storage, JSON.stringify(fingerprint)],
  );
  await client.query(`SELECT 1 FROM ${CATALOG} WHERE name = $1 FOR UPDATE`, [name]);
  const entry = await requireCatalogEntry(client, name);
  assertSameModel(entry.fingerprint, fingerprint, `rows for collection "${name}"`);
  if (entry.storage !== storage) {
    throw new WebEmbedError(
      'INVALID_ARGUMENT',
      `collection "${name}" stores its vectors as ${entry.storage}; a load asked for ${storage}`,
      { expected: entry.storage, actual: storage },
    );
  }
  await client.query(`CREATE TABLE IF NOT EXISTS ${collectionTable(name)} (
    id text PRIMARY KEY,
    text text NOT NULL,
    metadata jsonb,
    embedding ${columnType(storage, entry.dims)} NOT NULL
  )`);
  return entry;
}

/** The SQL expression the binary HNSW index is built on (search must use it verbatim). */
export function binaryExpression(dims: number): string {
  return `(binary_quantize(embedding)::bit(${dims}))`;
}

/**
 * Creates the requested indexes on a collection's table when missing: the HNSW index on
 * `binary_quantize(embedding)::bit(dims)` with `bit_hamming_ops` (binary), the HNSW cosine
 * index on the full vectors (float), and a GIN index on metadata (always, for filters).
 * Returns the names of the indexes created now; `onCreated` hears of each as soon as it is built.
 */
export async function createIndexes(
  client: pg.ClientBase,
  entry: CatalogEntry,
  kind: IndexKind,
  hnsw: HnswParams = {},
  onCreated?: (index: string) => void,
): Promise<string[]> {
  const table = collectionTable(entry.name);
  const withClause = hnswWith(hnsw);
  const wanted: [suffix: string, sql: (index: string) => string][] = [
    [
      'meta_gin',
      (index) => `CREATE INDEX IF NOT EXISTS ${index} ON ${table} USING gin (metadata jsonb_path_ops)`,
    ],
  ];
  if (kind === 'binary' || kind === 'both') {
    if (entry.dims > MAX_HNSW_BIT_DIMS) {
      throw new WebEmbedError(
        'INVALID_ARGUMENT',
        `an HNSW index on bit(d) allows at most ${MAX_HNSW_BIT_DIMS} dims`,
      );
    }
    wanted.push([
      'bq_hnsw',
      (index) =>
        `CREATE INDEX IF NOT EXISTS ${index} ON ${table} USING hnsw (${binaryExpression(entry.dims)} bit_hamming_ops)${withClause}`,
    ]);
  }
  if (kind === 'float' || kind === 'both') {
    if (entry.dims > MAX_HNSW_DIMS[entry.storage]) {
      throw new WebEmbedError(
        'INVALID_ARGUMENT',
        `an HNSW index on ${entry.storage} allows at most ${MAX_HNSW_DIMS[entry.storage]} dims; this collection has ${entry.dims} (use the binary index, or no index for exact search)`,
        { dims: entry.dims },
      );
    }
    wanted.push([
      'cos_hnsw',
      (index) =>
        `CREATE INDEX IF NOT EXISTS ${index} ON ${table} USING hnsw (embedding ${entry.storage}_cosine_ops)${withClause}`,
    ]);
  }
  const existing = await indexNames(client, entry.name);
  const created: string[] = [];
  for (const [suffix, sql] of wanted) {
    const plain = `${TABLE_PREFIX}${entry.name}_${suffix}`;
    if (existing.has(plain)) continue;
    await client.query(sql(collectionIndex(entry.name, suffix)));
    created.push(plain);
    onCreated?.(plain);
  }
  return created;
}

function hnswWith(hnsw: HnswParams): string {
  const parts: string[] = [];
  const check = (value: number | undefined, what: string, min: number, max: number) => {
    if (value === undefined) return;
    if (!Number.isInteger(value) || value < min || value > max) {
      throw new WebEmbedError(
        'INVALID_ARGUMENT',
        `hnsw.${what} must be an integer from ${min} to ${max}; got ${value}`,
      );
    }
    parts.push(`${what === 'efConstruction' ? 'ef_construction' : 'm'} = ${value}`);
  };
  check(hnsw.m, 'm', 2, 100);
  check(hnsw.efConstruction, 'efConstruction', 4, 1000);
  return parts.length === 0 ? '' : ` WITH (${parts.join(', ')})`;
}

/** Names of the indexes on a collection's table. */
export async function indexNames(client: pg.ClientBase, name: string): Promise<Set<string>> {
  const res = await client.query<{ indexname: string }>(
    'SELECT indexname FROM pg_indexes WHERE schemaname = current_schema() AND tablename = $1',
    [TABLE_PREFIX + name],
  );
  return new Set(res.rows.map((r) => r.indexname));
}

/** Info (fingerprint, dims, storage, row count, indexes) of collection `name`; `NOT_FOUND` if absent. */
export async function getCollectionInfo(target: PgTarget, name: string): Promise<PgCollectionInfo> {
  assertCollectionName(name);
  // One read-only transaction: the count and the indexes of one snapshot.
  return withClient(target, (client) =>
    inTransaction(client, async () => {
      const entry = await requireCatalogEntry(client, name);
      const count = await client.query<{ n: string }>(
        `SELECT count(*)::text AS n FROM ${collectionTable(name)}`,
      );
      const indexes = await indexNames(client, name);
      return {
        ...entry,
        count: Number(count.rows[0]?.n ?? 0),
        binaryIndex: indexes.has(`${TABLE_PREFIX}${name}_bq_hnsw`),
        floatIndex: indexes.has(`${TABLE_PREFIX}${name}_cos_hnsw`),
      };
    }),
  );
}

/** Names of every collection in the catalog (empty when there is no catalog yet). */
export async function listCollections(target: PgTarget): Promise<string[]> {
  return withClient(target, async (client) => {
    const exists = await client.query<{ t: string | null }>('SELECT to_regclass($1)::text AS t', [CATALOG]);
    if (exists.rows[0]?.t == null) return [];
    const res = await client.query<{ name: string }>(`SELECT name FROM ${CATALOG} ORDER BY name`);
    return res.rows.map((r) => r.name);
  });
}

/** Drops collection `name` (table, indexes, catalog row, load records). Returns false when it did not exist. */
export async function dropCollection(target: PgTarget, name: string): Promise<boolean> {
  assertCollectionName(name);
  return withClient(target, async (client) => {
    if (!(await readCatalogEntry(client, name))) return false;
    await client.query('BEGIN');
    try {
      await client.query(`DROP TABLE IF EXISTS ${collectionTable(name)}`);
      const res = await client.query(`DELETE FROM ${CATALOG} WHERE name = $1`, [name]);
      await client.query('COMMIT');
      return (res.rowCount ?? 0) > 0;
    } catch (err) {
      await client.query('ROLLBACK').catch(() => undefined);
      throw err;
    }
  });
}
