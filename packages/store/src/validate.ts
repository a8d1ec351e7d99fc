/**
 * Input checks for everything a caller hands the store. Every failure is a typed
 * {@link WebEmbedError} that names the bad value and what was expected.
 *
 * @module
 */
import {
  type Float32Matrix,
  type ModelFingerprint,
  WebEmbedError,
  assertInt8Calibration,
} from '@webembed/core';
import type { CollectionOptions, DocumentBatch, DocumentInput, Metadata, VectorKind } from './types.js';

const KINDS: readonly VectorKind[] = ['float32', 'int8', 'binary'];

/** A batch after validation: columnar, vectors contiguous. */
export interface NormalizedBatch {
  ids: string[];
  texts: string[];
  metadata: (Metadata | undefined)[];
  vectors: Float32Matrix;
}

/** Collection and alias names: non-empty strings up to 256 characters. */
export function assertName(name: unknown, what = 'collection name'): asserts name is string {
  if (typeof name !== 'string' || name.length === 0 || name.length > 256) {
    throw new WebEmbedError(
      'INVALID_ARGUMENT',
      `${what} must be a non-empty string of at most 256 characters, got ${describe(name)}`,
    );
  }
}

function describe(value: unknown): string {
  if (typeof value === 'string')
    return JSON.stringify(value.length > 40 ? `${value.slice(0, 40)}...` : value);
  if (value === null) return 'null';
  if (Array.isArray(value)) return `an array of ${value.length}`;
  return typeof value === 'object'
    ? (value.constructor?.name ?? 'object')
    : `${typeof value} ${String(value)}`;
}

/** Checks a fingerprint's shape (not its equality to anything). */
export function assertFingerprint(fp: unknown): asserts fp is ModelFingerprint {
  const f = fp as Partial<ModelFingerprint> | null;
  if (
    typeof f !== 'object' ||
    f === null ||
    typeof f.modelId !== 'string' ||
    f.modelId.length === 0 ||
    typeof f.revision !== 'string' ||
    !Number.isInteger(f.dims) ||
    (f.dims as number) <= 0 ||
    typeof f.pooling !== 'string' ||
    typeof f.normalized !== 'boolean' ||
    typeof f.prefixScheme !== 'string' ||
    !(f.matryoshkaDims === null || Number.isInteger(f.matryoshkaDims)) ||
    typeof f.dtype !== 'string'
  ) {
    throw new WebEmbedError(
      'INVALID_ARGUMENT',
      'fingerprint must be a ModelFingerprint (modelId, revision, dims > 0, pooling, normalized, prefixScheme, matryoshkaDims, dtype)',
    );
  }
}

/** Validates `createCollection` options; returns the kinds de-duplicated in canonical order. */
export function validateCollectionOptions(options: CollectionOptions): VectorKind[] {
  if (typeof options !== 'object' || options === null) {
    throw new WebEmbedError('INVALID_ARGUMENT', 'createCollection needs options { fingerprint, kinds }');
  }
  assertFingerprint(options.fingerprint);
  if (!Array.isArray(options.kinds) || options.kinds.length === 0) {
    throw new WebEmbedError(
      'INVALID_ARGUMENT',
      `kinds must be a non-empty array of 'float32' | 'int8' | 'binary', got ${describe(options.kinds)}`,
    );
  }
  for (const kind of options.kinds) {
    if (!KINDS.includes(kind)) {
      throw new WebEmbedError(
        'INVALID_ARGUMENT',
        `unknown vector kind ${describe(kind)}; expected 'float32', 'int8' or 'binary'`,
      );
    }
  }
  if (options.int8Calibration !== undefined) {
    if (!options.kinds.includes('int8')) {
      throw new WebEmbedError('INVALID_ARGUMENT', "int8Calibration given but kinds does not include 'int8'");
    }
    assertInt8Calibration(options.int8Calibration, options.fingerprint.dims, 'int8Calibration');
  }
  const blockRows = options.blockRows;
  if (blockRows !== undefined && (!Number.isInteger(blockRows) || blockRows < 1 || blockRows > 1 << 20)) {
    throw new WebEmbedError(
      'INVALID_ARGUMENT',
      `blockRows must be an integer in [1, 1048576], got ${describe(blockRows)}`,
    );
  }
  return KINDS.filter((k) => options.kinds.includes(k));
}

/** Deepest nesting of objects and arrays a row's metadata may have (the row object is level 1). */
export const MAX_METADATA_DEPTH = 32;

/**
 * Nesting depth of a JSON value (a scalar is 0, `{}` is 1), counted without recursion and
 * stopping once past {@link MAX_METADATA_DEPTH}, so a value nested thousands deep costs little.
 */
export function metadataDepth(value: unknown): number {
  let deepest = 0;
  const stack: [unknown, number][] = [[value, 1]];
  while (stack.length > 0) {
    const [v, depth] = stack.pop()!;
    if (typeof v !== 'object' || v === null) continue;
    if (depth > deepest) deepest = depth;
    if (deepest > MAX_METADATA_DEPTH) return deepest;
    for (const child of Array.isArray(v) ? v : Object.values(v)) stack.push([child, depth + 1]);
  }
  return deepest;
}

function assertMetadata(metadata: unknown, index: number): asserts metadata is Metadata | undefined {
  if (metadata === undefined) return;
  if (typeof metadata !== 'object' || metadata === null || Array.isArray(metadata)) {
    throw new WebEmbedError(
      'INVALID_ARGUMENT',
      `document ${index}: metadata must be a plain JSON object, got ${describe(metadata)}`,
      { index },
    );
  }
  if (metadataDepth(metadata) > MAX_METADATA_DEPTH) {
    throw new WebEmbedError(
      'INVALID_ARGUMENT',
      `document ${index}: metadata nests deeper than ${MAX_METADATA_DEPTH} levels`,
      { index },
    );
  }
}

function assertFiniteRow(data: Float32Array, row: number, dims: number, id: string): void {
  const start = row * dims;
  for (let j = 0; j < dims; j++) {
    const v = data[start + j];
    if (v - v !== 0) {
      throw new WebEmbedError(
        'NOT_FINITE',
        `document ${JSON.stringify(id)} (row ${row}): vector[${j}] is ${v}; vectors must be finite`,
        { index: row, dimension: j },
      );
    }
  }
}

/**
 * Checks documents (array or columnar batch) against the collection's dims and returns them in
 * columnar form. Ids must be non-empty strings; texts strings; vectors finite Float32Arrays.
 */
export function normalizeBatch(
  docs: readonly DocumentInput[] | DocumentBatch,
  dims: number,
): NormalizedBatch {
  let batch: NormalizedBatch;
  if (Array.isArray(docs)) {
    const list = docs as readonly DocumentInput[];
    const data = new Float32Array(list.length * dims);
    const ids: string[] = new Array(list.length);
    const texts: string[] = new Array(list.length);
    const metadata: (Metadata | undefined)[] = new Array(list.length);
    for (let i = 0; i < list.length; i++) {
      const doc = list[i];
      if (typeof doc !== 'object' || doc === null) {
        throw new WebEmbedError(
          'INVALID_ARGUMENT',
          `document ${i} must be { id, text, vector }, got ${describe(doc)}`,
          {
            index: i,
          },
        );
      }
      if (!(doc.vector instanceof Float32Array)) {
        throw new WebEmbedError(
          'INVALID_ARGUMENT',
          `document ${i}: vector must be a Float32Array, got ${describe(doc.vector)}`,
          {
            index: i,
          },
        );
      }
      if (doc.vector.length !== dims) {
        throw new WebEmbedError(
          'DIMENSION_MISMATCH',
          `document ${i}: vector has ${doc.vector.length} dimensions, expected ${dims}`,
          { index: i, expected: dims, actual: doc.vector.length },
        );
      }
      data.set(doc.vector, i * dims);
      ids[i] = doc.id;
      texts[i] = doc.text;
      metadata[i] = doc.metadata;
    }
    batch = { ids, texts, metadata, vectors: { data, rows: list.length, dims } };
  } else {
    const columns = docs as DocumentBatch;
    if (
      typeof columns !== 'object' ||
      columns === null ||
      !Array.isArray(columns.ids) ||
      !Array.isArray(columns.texts)
    ) {
      throw new WebEmbedError(
        'INVALID_ARGUMENT',
        'documents must be an array of { id, text, vector } or a batch { ids, texts, metadata?, vectors }',
      );
    }
    const m = columns.vectors;
    if (typeof m !== 'object' || m === null || !(m.data instanceof Float32Array)) {
      throw new WebEmbedError(
        'INVALID_ARGUMENT',
        'batch.vectors must be a Float32Matrix { data, rows, dims }',
      );
    }
    if (m.dims !== dims) {
      throw new WebEmbedError(
        'DIMENSION_MISMATCH',
        `batch vectors have ${m.dims} dimensions, expected ${dims}`,
        {
          expected: dims,
          actual: m.dims,
        },
      );
    }
    if (m.data.length !== m.rows * m.dims) {
      throw new WebEmbedError(
        'MISALIGNED_BUFFER',
        `batch.vectors.data has ${m.data.length} values, expected rows * dims = ${m.rows * m.dims}`,
      );
    }
    const n = columns.ids.length;
    if (
      m.rows !== n ||
      columns.texts.length !== n ||
      (columns.metadata !== undefined && columns.metadata.length !== n)
    ) {
      throw new WebEmbedError(
        'DIMENSION_MISMATCH',
        `batch columns differ in length: ids ${n}, texts ${columns.texts.length}, vectors ${m.rows}, metadata ${columns.metadata?.length ?? n}`,
      );
    }
    batch = {
      ids: [...columns.ids],
      texts: [...columns.texts],
      metadata: columns.metadata ? [...columns.metadata] : new Array(n).fill(undefined),
      vectors: m,
    };
  }
  if (batch.ids.length === 0) {
    throw new WebEmbedError('EMPTY_BATCH', 'no documents given; expected at least one');
  }
  for (let i = 0; i < batch.ids.length; i++) {
    const id = batch.ids[i];
    if (typeof id !== 'string' || id.length === 0) {
      throw new WebEmbedError(
        'INVALID_ARGUMENT',
        `document ${i}: id must be a non-empty string, got ${describe(id)}`,
        {
          index: i,
        },
      );
    }
    if (typeof batch.texts[i] !== 'string') {
      throw new WebEmbedError(
        'NOT_A_STRING',
        `document ${JSON.stringify(id)}: text must be a string, got ${describe(batch.texts[i])}`,
        {
          index: i,
        },
      );
    }
    assertMetadata(batch.metadata[i], i);
    assertFiniteRow(batch.vectors.data, i, dims, id);
  }
  return batch;
}

/** Checks a list of ids (delete, hasIds). */
export function assertIds(ids: readonly string[], action: string): void {
  if (!Array.isArray(ids)) {
    throw new WebEmbedError(
      'INVALID_ARGUMENT',
      `${action}: ids must be an array of strings, got ${describe(ids)}`,
    );
  }
  for (let i = 0; i < ids.length; i++) {
    if (typeof ids[i] !== 'string' || ids[i].length === 0) {
      throw new WebEmbedError(
        'INVALID_ARGUMENT',
        `${action}: ids[${i}] must be a non-empty string, got ${describe(ids[i])}`,
        {
          index: i,
        },
      );
    }
  }
}
