/**
 * The IndexedDB layout (an idb `DBSchema`). Vectors live in blocks of `blockRows` rows, one
 * record per block and per concern, keyed `[collection, blockIndex]`, so opening a collection of
 * a million vectors is a few hundred record reads instead of a million.
 *
 * @module
 */
import type { Int8Calibration, ModelFingerprint } from '@webembed/core';
import type { DBSchema } from 'idb';
import type { Metadata, VectorKind } from './types.js';

/** Bump when the object stores change; `upgrade` in `db.ts` migrates from every older version. */
export const SCHEMA_VERSION = 1;

/** Persisted description of one collection. */
export interface CollectionRecord {
  name: string;
  /** Random id given at creation: tells a re-created collection of the same name from the old one. */
  uid: string;
  fingerprint: ModelFingerprint;
  dims: number;
  kinds: VectorKind[];
  calibration: Int8Calibration | null;
  /** Live rows. */
  count: number;
  /** Stored rows including tombstones; block `b` holds rows `[b * blockRows, (b + 1) * blockRows)`. */
  rows: number;
  blockRows: number;
  generation: number;
  createdAt: number;
  updatedAt: number;
}

/**
 * The forms stored per block, one record each, so a reader fetches only the forms it needs
 * (binary alone for a Hamming scan). A `binary` record holds the block's words followed by its
 * rows' float32 L1 norms.
 */
export type StoredForm = 'float32' | 'int8' | 'binary';

/** Vector data of one block in memory; every buffer holds exactly `rows` rows. */
export interface VectorBlockRecord {
  rows: number;
  /** `rows * dims` float32 values. */
  float32?: ArrayBuffer;
  /** `rows * dims` int8 codes. */
  int8?: ArrayBuffer;
  /** `rows * ceil(dims / 32)` uint32 words. */
  binary?: ArrayBuffer;
  /** `rows` float32 L1 norms of the original float rows (asymmetric binary scoring). */
  l1Norms?: ArrayBuffer;
}

/**
 * Ids and tombstones of one block, decoded (stored packed in one ArrayBuffer, see `row-io.ts`).
 * Id `r` is `idText.slice(idEnds[r - 1] ?? 0, idEnds[r])`.
 */
export interface RowBlock {
  idText: string;
  idEnds: Uint32Array;
  /**
   * The id text as stored (UTF-16 code units), when read from storage: one id decodes from it
   * without touching `idText`, a rope of chunks that V8 would flatten whole on first slice.
   */
  idUnits?: Uint16Array;
  /** Non-zero: the row is deleted. */
  skip: Uint8Array;
}

/** Texts and metadata of one block. */
export interface DocBlockRecord {
  texts: string[];
  metadata: (Metadata | undefined)[];
}

/** Key of a row or doc block record. */
export type BlockKey = [collection: string, block: number];

/** Key of one form of one vector block. */
export type VectorKey = [collection: string, form: StoredForm, block: number];

/** The database schema, for idb's typed API. */
export interface StoreSchema extends DBSchema {
  collections: { key: string; value: CollectionRecord };
  aliases: { key: string; value: { alias: string; target: string } };
  /** Raw little-endian typed-array bytes of one form of one block. */
  vectorBlocks: { key: VectorKey; value: ArrayBuffer };
  /** Packed row blocks (`row-io.ts`). */
  rowBlocks: { key: BlockKey; value: ArrayBuffer };
  docBlocks: { key: BlockKey; value: DocBlockRecord };
  sidecars: { key: [collection: string, key: string]; value: unknown };
}

/** Object stores a document write touches. */
export const BLOCK_STORES = ['vectorBlocks', 'rowBlocks', 'docBlocks'] as const;

/** Every object store. */
export const ALL_STORES = [
  'collections',
  'aliases',
  'vectorBlocks',
  'rowBlocks',
  'docBlocks',
  'sidecars',
] as const;

/** Key range covering every row or doc block of one collection. */
export function blockRange(collection: string): IDBKeyRange {
  return IDBKeyRange.bound([collection, 0], [collection, Number.MAX_SAFE_INTEGER]);
}

/** Key range covering one form of every block of one collection, in block order. */
export function formRange(collection: string, form: StoredForm): IDBKeyRange {
  return IDBKeyRange.bound([collection, form, 0], [collection, form, Number.MAX_SAFE_INTEGER]);
}

/** Key range covering every vector record of one collection. */
export function vectorRange(collection: string): IDBKeyRange {
  return IDBKeyRange.bound([collection, ''], [collection, []]);
}

/** Key range covering every sidecar of one collection. */
export function sidecarRange(collection: string): IDBKeyRange {
  // Arrays sort above every string in IndexedDB's key order, so `[collection, []]` bounds all string keys.
  return IDBKeyRange.bound([collection, ''], [collection, []]);
}
