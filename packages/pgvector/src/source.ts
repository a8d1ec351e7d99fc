/**
 * What a load can read from: rows of `{ id, text, metadata, vector }` (array, iterable or async
 * iterable), or a columnar collection snapshot (ids + a Float32Matrix + texts/metadata by row,
 * with an optional tombstone mask), each with the model fingerprint of its vectors.
 *
 * @module
 */
import { type Float32Matrix, type ModelFingerprint, WebEmbedError } from '@webembed/core';
import { type JsonObject, assertMetadata, assertStorableString, isPlainObject } from './json.js';
import { assertVector } from './vectors.js';

/** One document to store: its id, text, optional metadata and its embedding. */
export interface CollectionRow {
  readonly id: string;
  readonly text: string;
  readonly metadata?: JsonObject | null;
  readonly vector: Float32Array | readonly number[];
}

/** Rows with the fingerprint of the model that embedded them. */
export interface RowsSource {
  readonly fingerprint: ModelFingerprint;
  readonly rows: Iterable<CollectionRow> | AsyncIterable<CollectionRow>;
  /** Row count when known (for progress); arrays report it themselves. */
  readonly total?: number;
}

/**
 * A columnar collection (the shape of a store snapshot or a decoded export file): row `r` is
 * `ids[r]`, `texts[r]`, `metadata[r]` and row `r` of `vectors`. Rows whose `skip[r]` is non-zero
 * are tombstones and are left out (core's `SearchOptions.skip` convention).
 */
export interface ColumnarSource {
  readonly fingerprint: ModelFingerprint;
  readonly ids: readonly string[];
  readonly vectors: Float32Matrix;
  readonly texts?: readonly string[] | ((row: number) => string);
  readonly metadata?:
    | readonly (JsonObject | null | undefined)[]
    | ((row: number) => JsonObject | null | undefined);
  readonly skip?: Uint8Array;
}

/** Anything {@link loadCollection} accepts. */
export type CollectionSource = RowsSource | ColumnarSource;

/** A source made uniform: fingerprint, total when known, and the rows in order. */
export interface NormalizedSource {
  readonly fingerprint: ModelFingerprint;
  readonly total: number | null;
  /** Ids in order when the whole source is in memory (lets a load compute its resume key). */
  readonly ids: readonly string[] | null;
  readonly rows: AsyncIterable<CollectionRow>;
}

/** Validates a source's shape and returns it as an async stream of rows. */
export function normalizeSource(source: CollectionSource): NormalizedSource {
  if (!isPlainObject(source) && (typeof source !== 'object' || source === null)) {
    throw new WebEmbedError(
      'INVALID_ARGUMENT',
      'a collection source must be { fingerprint, rows } or { fingerprint, ids, vectors, texts?, metadata? }',
    );
  }
  if (!source.fingerprint) {
    throw new WebEmbedError(
      'INVALID_ARGUMENT',
      'a collection source needs the fingerprint of the model of its vectors',
    );
  }
  if ('vectors' in source) return columnar(source);
  if (!('rows' in source) || source.rows == null) {
    throw new WebEmbedError(
      'INVALID_ARGUMENT',
      'a collection source must have `rows` (an iterable of { id, text, metadata, vector }) or `ids` + `vectors`',
    );
  }
  const rows = source.rows;
  const isArray = Array.isArray(rows);
  return {
    fingerprint: source.fingerprint,
    total: isArray ? rows.length : (source.total ?? null),
    ids: isArray ? (rows as readonly CollectionRow[]).map((r) => r?.id) : null,
    rows: toAsync(rows),
  };
}

function columnar(source: ColumnarSource): NormalizedSource {
  const { ids, vectors, skip } = source;
  if (vectors.rows !== ids.length) {
    throw new WebEmbedError(
      'DIMENSION_MISMATCH',
      `the source has ${ids.length} ids but ${vectors.rows} vector rows; expected one vector per id`,
      { expected: ids.length, actual: vectors.rows },
    );
  }
  if (vectors.data.length !== vectors.rows * vectors.dims) {
    throw new WebEmbedError(
      'MISALIGNED_BUFFER',
      `vectors.data has ${vectors.data.length} values; expected rows x dims = ${vectors.rows * vectors.dims}`,
    );
  }
  if (skip && skip.length !== ids.length) {
    throw new WebEmbedError(
      'DIMENSION_MISMATCH',
      `the skip mask has ${skip.length} entries; expected one per row (${ids.length})`,
    );
  }
  const texts = source.texts;
  const metadata = source.metadata;
  const textAt = (r: number): string =>
    texts === undefined ? '' : typeof texts === 'function' ? texts(r) : (texts as readonly string[])[r];
  const metaAt = (r: number): JsonObject | null | undefined =>
    metadata === undefined
      ? null
      : typeof metadata === 'function'
        ? metadata(r)
        : (metadata as readonly (JsonObject | null | undefined)[])[r];
  const live: number[] = [];
  for (let r = 0; r < ids.length; r++) if (!skip || skip[r] === 0) live.push(r);
  const dims = vectors.dims;
  async function* rows(): AsyncIterable<CollectionRow> {
    for (const r of live) {
      yield {
        id: ids[r],
        text: textAt(r),
        metadata: metaAt(r) ?? null,
        vector: vectors.data.subarray(r * dims, (r + 1) * dims),
      };
    }
  }
  return { fingerprint: source.fingerprint, total: live.length, ids: live.map((r) => ids[r]), rows: rows() };
}

async function* toAsync(
  rows: Iterable<CollectionRow> | AsyncIterable<CollectionRow>,
): AsyncIterable<CollectionRow> {
  if (Symbol.asyncIterator in rows) {
    yield* rows as AsyncIterable<CollectionRow>;
    return;
  }
  if (!(Symbol.iterator in rows)) {
    throw new WebEmbedError(
      'INVALID_ARGUMENT',
      'source.rows must be an array, an iterable or an async iterable',
    );
  }
  yield* rows as Iterable<CollectionRow>;
}

/**
 * Throws a typed error unless `row` is a valid document for a collection of `dims` dimensions:
 * `INVALID_ARGUMENT` for a missing/empty id, non-JSON metadata, or an id, text or metadata string
 * Postgres cannot store (U+0000, unpaired surrogates), `NOT_A_STRING` for a non-string text,
 * `DIMENSION_MISMATCH` / `NOT_FINITE` for a bad vector. `index` is the row's position in the source.
 */
export function assertRow(row: unknown, dims: number, index: number): asserts row is CollectionRow {
  const where = `row ${index}`;
  if (typeof row !== 'object' || row === null) {
    throw new WebEmbedError(
      'INVALID_ARGUMENT',
      `${where} must be an object { id, text, metadata?, vector }`,
      { index },
    );
  }
  const r = row as Partial<CollectionRow>;
  if (typeof r.id !== 'string' || r.id.length === 0 || r.id.length > 1000) {
    throw new WebEmbedError(
      'INVALID_ARGUMENT',
      `${where}: id must be a non-empty string of at most 1000 characters; got ${JSON.stringify(r.id)}`,
      { index },
    );
  }
  assertStorableString(r.id, `${where}: the id`);
  if (typeof r.text !== 'string') {
    throw new WebEmbedError('NOT_A_STRING', `${where} (id ${JSON.stringify(r.id)}): text must be a string`, {
      index,
    });
  }
  assertStorableString(r.text, `${where} (id ${JSON.stringify(r.id)}): the text`);
  assertMetadata(r.metadata, `${where} (id ${JSON.stringify(r.id)})`);
  if (!(r.vector instanceof Float32Array) && !Array.isArray(r.vector)) {
    throw new WebEmbedError(
      'INVALID_ARGUMENT',
      `${where} (id ${JSON.stringify(r.id)}): vector must be a Float32Array or an array of numbers`,
      { index },
    );
  }
  assertVector(r.vector, dims, `${where} (id ${JSON.stringify(r.id)})`);
}
