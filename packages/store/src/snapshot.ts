/**
 * Building snapshots without IndexedDB, for Node tools (the CLI indexer writes collection files
 * with this plus `encodeCollectionFile`), and compacting snapshots to their live rows.
 *
 * @module
 */
import {
  type Int8Calibration,
  type ModelFingerprint,
  WebEmbedError,
  assertInt8Calibration,
} from '@webembed/core';
import { type AssembledRows, binaryMatrix, copyCalibration } from './blocks.js';
import type { CollectionRecord } from './schema.js';
import { calibrateFrom, deriveForms } from './derive.js';
import type { CollectionSnapshot, DocumentBatch, DocumentInput, VectorKind } from './types.js';
import { assertFingerprint, assertName, normalizeBatch, validateCollectionOptions } from './validate.js';

/** Input of {@link buildSnapshot}. */
export interface BuildSnapshotInput {
  readonly name: string;
  readonly fingerprint: ModelFingerprint;
  readonly kinds: readonly VectorKind[];
  /** Int8 calibration; computed from the documents (scheme `ranges`) when absent and `int8` is wanted. */
  readonly int8Calibration?: Int8Calibration;
  readonly docs: readonly DocumentInput[] | DocumentBatch;
}

/**
 * A snapshot from documents, with the same validation and derived forms a store write applies.
 * Pure: runs in Node. Ids must be unique (ALREADY_EXISTS).
 *
 * @example
 * ```ts
 * const snapshot = buildSnapshot({ name: 'docs', fingerprint, kinds: ['float32', 'binary'], docs });
 * writeFileSync('docs.wecol', encodeCollectionFile(snapshot));
 * ```
 */
export function buildSnapshot(input: BuildSnapshotInput): CollectionSnapshot {
  assertName(input?.name);
  assertFingerprint(input.fingerprint);
  const kinds = validateCollectionOptions({
    fingerprint: input.fingerprint,
    kinds: input.kinds,
    int8Calibration: input.int8Calibration,
  });
  const dims = input.fingerprint.dims;
  const batch = normalizeBatch(input.docs, dims);
  const seen = new Set<string>();
  for (const id of batch.ids) {
    if (seen.has(id))
      throw new WebEmbedError('ALREADY_EXISTS', `id ${JSON.stringify(id)} appears twice`, { id });
    seen.add(id);
  }
  let calibration: Int8Calibration | null = null;
  if (kinds.includes('int8')) {
    calibration = input.int8Calibration ?? calibrateFrom(batch.vectors);
    assertInt8Calibration(calibration, dims, 'int8Calibration');
  }
  const forms = deriveForms(batch.vectors, kinds, calibration);
  const rows = batch.ids.length;
  return {
    name: input.name,
    fingerprint: { ...input.fingerprint },
    dims,
    kinds,
    calibration: copyCalibration(calibration),
    rows,
    count: rows,
    generation: 0,
    ids: batch.ids,
    skip: new Uint8Array(rows),
    ...forms,
    texts: batch.texts,
    metadata: batch.metadata,
  };
}

/** The snapshot restricted to its live rows (the same object when nothing is deleted). */
export function liveRows(snapshot: CollectionSnapshot): CollectionSnapshot {
  const keep: number[] = [];
  for (let r = 0; r < snapshot.rows; r++) if (snapshot.skip[r] === 0) keep.push(r);
  if (keep.length === snapshot.rows) return snapshot;
  const dims = snapshot.dims;
  const pick = <T extends Float32Array | Int8Array | Uint32Array>(src: T, width: number, out: T): T => {
    keep.forEach((r, i) => {
      out.set(src.subarray(r * width, (r + 1) * width), i * width);
    });
    return out;
  };
  const n = keep.length;
  const b = snapshot.binary;
  return {
    ...snapshot,
    rows: n,
    count: n,
    ids: keep.map((r) => snapshot.ids[r]),
    skip: new Uint8Array(n),
    float32: snapshot.float32 && {
      data: pick(snapshot.float32.data, dims, new Float32Array(n * dims)),
      rows: n,
      dims,
    },
    int8: snapshot.int8 && {
      ...snapshot.int8,
      data: pick(snapshot.int8.data, dims, new Int8Array(n * dims)),
      rows: n,
    },
    binary: b && {
      words: pick(b.words, b.wordsPerRow, new Uint32Array(n * b.wordsPerRow)),
      rows: n,
      dims,
      wordsPerRow: b.wordsPerRow,
      ...(b.l1Norms ? { l1Norms: pick(b.l1Norms, 1, new Float32Array(n)) } : {}),
    },
    texts: snapshot.texts && keep.map((r) => snapshot.texts![r]),
    metadata: snapshot.metadata && keep.map((r) => snapshot.metadata![r]),
  };
}

/**
 * A snapshot of a stored collection from its record and assembled rows. `ids` is decoded on
 * first access and then kept: a scan that only needs the ids of its top hits never pays for
 * decoding a million of them up front.
 */
export function snapshotOf(record: CollectionRecord, rows: AssembledRows): CollectionSnapshot {
  const dims = record.dims;
  const calibration = copyCalibration(record.calibration);
  const snapshot = {
    name: record.name,
    fingerprint: { ...record.fingerprint },
    dims,
    kinds: [...record.kinds],
    calibration,
    rows: rows.rows,
    count: record.count,
    generation: record.generation,
    ids: [] as readonly string[],
    skip: rows.skip,
    ...(rows.float32 ? { float32: { data: rows.float32, rows: rows.rows, dims } } : {}),
    ...(rows.int8 && calibration ? { int8: { data: rows.int8, rows: rows.rows, dims, calibration } } : {}),
    ...(rows.binary ? { binary: binaryMatrix(rows.binary, rows.rows, dims, rows.l1Norms) } : {}),
    ...(rows.texts ? { texts: rows.texts, metadata: rows.metadata } : {}),
  };
  let ids: string[] | undefined;
  Object.defineProperty(snapshot, 'ids', {
    enumerable: true,
    configurable: true,
    get: () => {
      ids ??= rows.decodeIds();
      return ids;
    },
  });
  rowIdReaders.set(snapshot, (row) => ids?.[row] ?? rows.idAt(row));
  return snapshot;
}

/** Per-row id decoders of store snapshots whose ids are decoded lazily. */
const rowIdReaders = new WeakMap<CollectionSnapshot, (row: number) => string>();

/**
 * The id of one row of a snapshot. For a snapshot read from the store this decodes that row's id
 * alone, so hydrating the k hits of a search never decodes the ids of every row.
 */
export function snapshotRowId(snapshot: CollectionSnapshot, row: number): string {
  const read = rowIdReaders.get(snapshot);
  return read ? read(row) : snapshot.ids[row];
}
