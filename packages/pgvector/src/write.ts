/**
 * One call for the CLI's `--to postgres://...`: write a store snapshot, a decoded export file,
 * or rows into Postgres, creating the collection when missing.
 *
 * @module
 */
import {
  type Float32Matrix,
  type Int8Matrix,
  type ModelFingerprint,
  WebEmbedError,
  dequantizeInt8,
} from '@webembed/core';
import { decodeCollectionFile } from '@webembed/store';
import type { PgTarget } from './db.js';
import type { JsonObject } from './json.js';
import { type LoadOptions, type LoadResult, loadCollection } from './load.js';
import type { CollectionSource, ColumnarSource } from './source.js';

/**
 * The parts of a `@webembed/store` CollectionSnapshot (or a decoded export file) a load reads:
 * rows of ids/texts/metadata, the tombstone mask, and float32 vectors (or, failing those, int8
 * codes with their calibration, dequantized on the way: lossy).
 */
export interface SnapshotLike {
  readonly name: string;
  readonly fingerprint: ModelFingerprint;
  readonly ids: readonly string[];
  readonly skip?: Uint8Array;
  readonly float32?: Float32Matrix;
  readonly int8?: Int8Matrix;
  readonly texts?: readonly string[];
  readonly metadata?: readonly (unknown | undefined)[];
}

/** Options of {@link writeCollectionToPostgres}: a load's options plus the target collection name. */
export interface WriteToPostgresOptions extends LoadOptions {
  /** Collection name in Postgres (default: the snapshot's `name`; required for row sources). */
  readonly name?: string;
}

/**
 * Turns a store snapshot (or decoded export file) into a load source: live rows only, float32
 * vectors when present, else int8 codes dequantized with their calibration.
 * Throws `INVALID_ARGUMENT` when the snapshot holds neither.
 */
export function snapshotSource(snapshot: SnapshotLike): ColumnarSource {
  let vectors = snapshot.float32;
  if (!vectors && snapshot.int8) vectors = dequantizeInt8(snapshot.int8);
  if (!vectors) {
    throw new WebEmbedError(
      'INVALID_ARGUMENT',
      `snapshot "${snapshot.name}" holds neither float32 nor int8 vectors; Postgres needs full vectors (binary codes alone cannot be rescored)`,
    );
  }
  return {
    fingerprint: snapshot.fingerprint,
    ids: snapshot.ids,
    vectors,
    texts: snapshot.texts,
    metadata: snapshot.metadata as readonly (JsonObject | null | undefined)[] | undefined,
    skip: snapshot.skip,
  };
}

function isSnapshot(value: object): value is SnapshotLike {
  return 'ids' in value && ('float32' in value || 'int8' in value) && !('vectors' in value);
}

/**
 * Writes a collection into Postgres: the bytes of a collection file (`encodeCollectionFile` of
 * `@webembed/store`, as the CLI writes it; decoded and checksum-verified here), a store snapshot
 * (`SnapshotLike`), or a {@link CollectionSource} (rows or columns). Creates the pgvector
 * extension, the catalog and the table when missing, upserts in batches (resumable), then builds
 * the binary HNSW index. Corrupt or foreign files fail with the store's `CORRUPT_FILE` /
 * `UNSUPPORTED_FORMAT` before anything is written.
 *
 * @example
 * ```ts
 * await writeCollectionToPostgres(await readFile('docs.wecol'), 'postgres://localhost/app', {
 *   onProgress: (p) => console.log(`${p.phase} ${p.rowsDone}/${p.total}`),
 * });
 * ```
 */
export async function writeCollectionToPostgres(
  fileOrSnapshotOrSource: Uint8Array | SnapshotLike | CollectionSource,
  connection: PgTarget,
  options: WriteToPostgresOptions = {},
): Promise<LoadResult> {
  const snapshotOrSource =
    fileOrSnapshotOrSource instanceof Uint8Array
      ? (decodeCollectionFile(fileOrSnapshotOrSource) as SnapshotLike)
      : fileOrSnapshotOrSource;
  if (typeof snapshotOrSource !== 'object' || snapshotOrSource === null) {
    throw new WebEmbedError(
      'INVALID_ARGUMENT',
      'writeCollectionToPostgres needs a snapshot or a collection source',
    );
  }
  const snapshot = isSnapshot(snapshotOrSource) ? snapshotOrSource : null;
  const name = options.name ?? snapshot?.name;
  if (name === undefined) {
    throw new WebEmbedError(
      'INVALID_ARGUMENT',
      'options.name is required when the source is not a named snapshot',
    );
  }
  const source: CollectionSource = snapshot
    ? snapshotSource(snapshot)
    : (snapshotOrSource as CollectionSource);
  return loadCollection(connection, name, source, options);
}
