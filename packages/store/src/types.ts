/**
 * Public shapes of `@webembed/store`: collection options and info, documents, snapshots,
 * search options and change events.
 *
 * @module
 */
import type {
  BinaryMatrix,
  Float32Matrix,
  Int8Calibration,
  Int8Matrix,
  ModelFingerprint,
} from '@webembed/core';

/** Any value JSON can carry; document metadata must be one of these (a plain object at the top). */
export type JsonValue = string | number | boolean | null | JsonValue[] | { [key: string]: JsonValue };

/** A flat JSON object attached to a document. */
export type Metadata = { [key: string]: JsonValue };

/** The vector forms a collection keeps. `float32` is the original; `int8` and `binary` are derived. */
export type VectorKind = 'float32' | 'int8' | 'binary';

/** How a collection is created. */
export interface CollectionOptions {
  /** The model whose vectors this collection holds; vectors of any other model are refused. */
  readonly fingerprint: ModelFingerprint;
  /** Which vector forms to store (at least one). The store derives `int8` and `binary` itself. */
  readonly kinds: readonly VectorKind[];
  /**
   * Int8 calibration. When `kinds` has `int8` and this is absent, it is computed (scheme
   * `ranges`) from the first batch written and then kept fixed for the life of the collection.
   */
  readonly int8Calibration?: Int8Calibration;
  /** Rows per stored block (default 4096). Larger blocks: fewer records, bigger rewrites. */
  readonly blockRows?: number;
}

/** What a collection is, as persisted. */
export interface CollectionInfo {
  readonly name: string;
  readonly fingerprint: ModelFingerprint;
  readonly dims: number;
  readonly kinds: readonly VectorKind[];
  /** `null` until known (no int8 kind, or no vector written yet and none given). */
  readonly calibration: Int8Calibration | null;
  /** Live documents (tombstoned rows excluded). */
  readonly count: number;
  /** Stored rows, tombstones included (`rows - count` is what `compact()` reclaims). */
  readonly rows: number;
  readonly blockRows: number;
  /** Increases by one on every committed write; snapshots carry the generation they were read at. */
  readonly generation: number;
  readonly createdAt: number;
  readonly updatedAt: number;
}

/** One document to write. */
export interface DocumentInput {
  readonly id: string;
  readonly text: string;
  readonly metadata?: Metadata;
  readonly vector: Float32Array;
}

/**
 * A batch in columnar form: row `r` of `vectors` belongs to `ids[r]`. Cheaper than
 * {@link DocumentInput} objects for large batches.
 */
export interface DocumentBatch {
  readonly ids: readonly string[];
  readonly texts: readonly string[];
  readonly metadata?: readonly (Metadata | undefined)[];
  readonly vectors: Float32Matrix;
}

/** A stored document as returned by `get` and `iterate`. */
export interface StoredDocument {
  readonly id: string;
  readonly text: string;
  readonly metadata: Metadata | undefined;
  /** The stored float32 vector, when the collection keeps `float32`. */
  readonly vector: Float32Array | undefined;
}

/** Extra writes that commit in the same transaction as a document write. */
export interface WriteOptions {
  /** Sidecar values (see `setSidecar`) to store atomically with the write. */
  readonly sidecars?: Readonly<Record<string, unknown>>;
}

/**
 * An in-memory image of a collection, ready for search: contiguous matrices over all stored
 * rows (tombstones included, masked by `skip`), plus ids/texts/metadata by row.
 */
export interface CollectionSnapshot {
  readonly name: string;
  readonly fingerprint: ModelFingerprint;
  readonly dims: number;
  readonly kinds: readonly VectorKind[];
  readonly calibration: Int8Calibration | null;
  /** Rows in the matrices (tombstones included). */
  readonly rows: number;
  /** Live rows. */
  readonly count: number;
  /** Generation of the collection this snapshot was read at. */
  readonly generation: number;
  /** Document id of each row. Snapshots from the store decode ids on first access (then keep them). */
  readonly ids: readonly string[];
  /** Tombstone mask for core's `SearchOptions.skip`: non-zero means the row is deleted. */
  readonly skip: Uint8Array;
  readonly float32?: Float32Matrix;
  readonly int8?: Int8Matrix;
  readonly binary?: BinaryMatrix;
  /** Text of each row, when loaded with documents (the default). */
  readonly texts?: readonly string[];
  /** Metadata of each row, when loaded with documents. */
  readonly metadata?: readonly (Metadata | undefined)[];
}

/** How `load()` reads a collection. */
export interface LoadOptions {
  /** Also read texts and metadata (default true). Ids and tombstones are always read. */
  readonly documents?: boolean;
  /**
   * Vector forms to read (default: every stored one). E.g. `['binary']` to feed a Hamming scan
   * without reading int8 or float32 blocks. The snapshot's `kinds` says what it holds.
   */
  readonly kinds?: readonly VectorKind[];
}

/** Search modes of the CPU search: which stored form is scanned and how it is scored. */
export type StoreSearchMode = 'float32' | 'int8' | 'hamming' | 'binary-rescore';

/** A metadata filter: an equality object (every key must equal) or a predicate. */
export type MetadataFilter =
  | Readonly<Record<string, JsonValue>>
  | ((metadata: Metadata | undefined, id: string) => boolean);

/** Options of `collection.search`. */
export interface StoreSearchOptions {
  /** Hits wanted (positive integer). */
  readonly k: number;
  /** Default: `float32` when stored, else `int8`, else `binary-rescore`. */
  readonly mode?: StoreSearchMode;
  /** Restricts hits to documents whose metadata passes. */
  readonly filter?: MetadataFilter;
  /** Candidates per hit for `binary-rescore` (default 4). */
  readonly oversample?: number;
}

/** One search hit. */
export interface StoreSearchHit {
  readonly id: string;
  readonly text: string;
  readonly metadata: Metadata | undefined;
  /** Similarity (descending) or, for `hamming`, a Hamming distance (ascending). */
  readonly score: number;
  /** Row of the hit in the snapshot searched. */
  readonly row: number;
}

/** What changed, for `onChange` listeners. */
export interface StoreChange {
  /** `local`: a write from this store handle; `remote`: another tab or handle (BroadcastChannel). */
  readonly origin: 'local' | 'remote';
  readonly type:
    | 'create'
    | 'delete-collection'
    | 'write'
    | 'delete'
    | 'compact'
    | 'clear'
    | 'alias'
    | 'import'
    | 'sidecar';
  /** Collection (or alias, for `alias`) affected. */
  readonly collection: string;
  /** Collection generation after the change, when it has one. */
  readonly generation?: number;
}

/** Options of `openVectorStore`. */
export interface OpenStoreOptions {
  /**
   * Called when our schema upgrade waits on a connection in another tab that does not close.
   * Other webembed tabs close on `versionchange` by themselves, so this only fires for foreign code.
   */
  readonly onBlocked?: () => void;
}
