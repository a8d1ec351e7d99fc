/**
 * Reads: collection info, id lookups, single documents, block-by-block iteration and the
 * whole-collection snapshot used for search.
 *
 * @module
 */
import { WebEmbedError } from '@webembed/core';
import { assembleBlocks, blockIds, copyCalibration } from './blocks.js';
import { type StoreContext, idIndexFor } from './context.js';
import { type BlockKey, type CollectionRecord, blockRange } from './schema.js';
import { snapshotOf } from './snapshot.js';
import { getAllForms, storedForms } from './vector-io.js';
import { getAllRowBlocks, getRowBlock } from './row-io.js';
import { inReadTx } from './tx.js';
import type { CollectionInfo, CollectionSnapshot, LoadOptions, StoredDocument, VectorKind } from './types.js';

const KINDS: readonly VectorKind[] = ['float32', 'int8', 'binary'];
import { assertIds } from './validate.js';
import { requireRecord } from './write.js';

/** Public view of a record (copies, so callers cannot mutate stored state). */
export function toInfo(record: CollectionRecord): CollectionInfo {
  return {
    name: record.name,
    fingerprint: { ...record.fingerprint },
    dims: record.dims,
    kinds: [...record.kinds],
    calibration: copyCalibration(record.calibration),
    count: record.count,
    rows: record.rows,
    blockRows: record.blockRows,
    generation: record.generation,
    createdAt: record.createdAt,
    updatedAt: record.updatedAt,
  };
}

/** The persisted record of `name` (NOT_FOUND when absent). */
export async function readRecord(ctx: StoreContext, name: string, action: string): Promise<CollectionRecord> {
  return requireRecord(await inReadTx(ctx, action, (tx) => tx.objectStore('collections').get(name)), name);
}

/** For each id, whether a live document has it (resume an interrupted indexing run with this). */
export async function hasIds(ctx: StoreContext, name: string, ids: readonly string[]): Promise<boolean[]> {
  const action = `hasIds in ${JSON.stringify(name)}`;
  assertIds(ids, action);
  return inReadTx(ctx, action, async (tx) => {
    const record = requireRecord(await tx.objectStore('collections').get(name), name);
    const index = await idIndexFor(ctx, record, tx.objectStore('rowBlocks'));
    return ids.map((id) => index.rows.has(id));
  });
}

/** One live document by id, or `undefined`. */
export async function getDocument(
  ctx: StoreContext,
  name: string,
  id: string,
): Promise<StoredDocument | undefined> {
  const action = `get from ${JSON.stringify(name)}`;
  assertIds([id], action);
  return inReadTx(ctx, action, async (tx) => {
    const record = requireRecord(await tx.objectStore('collections').get(name), name);
    const index = await idIndexFor(ctx, record, tx.objectStore('rowBlocks'));
    const row = index.rows.get(id);
    if (row === undefined) return undefined;
    const block = Math.floor(row / record.blockRows);
    const offset = row - block * record.blockRows;
    const key: BlockKey = [name, block];
    const floats = record.kinds.includes('float32')
      ? await tx.objectStore('vectorBlocks').get([name, 'float32', block])
      : undefined;
    const db = await tx.objectStore('docBlocks').get(key);
    const vector = floats
      ? new Float32Array(floats.slice(offset * record.dims * 4, (offset + 1) * record.dims * 4))
      : undefined;
    return { id, text: db?.texts[offset] ?? '', metadata: db?.metadata[offset], vector };
  });
}

/**
 * Live documents block by block (one short read transaction per block, so a long consumer
 * never holds a transaction open). Writes that land mid-iteration may or may not be seen.
 */
export async function* iterateDocuments(ctx: StoreContext, name: string): AsyncGenerator<StoredDocument> {
  const action = `iterate ${JSON.stringify(name)}`;
  const first = await readRecord(ctx, name, action);
  for (let block = 0; ; block++) {
    const key: BlockKey = [name, block];
    const read = await inReadTx(ctx, action, async (tx) => {
      const record = requireRecord(await tx.objectStore('collections').get(name), name);
      if (record.uid !== first.uid || block * record.blockRows >= record.rows) return null;
      const floats = record.kinds.includes('float32')
        ? await tx.objectStore('vectorBlocks').get([name, 'float32', block])
        : undefined;
      const rb = await getRowBlock(tx.objectStore('rowBlocks'), key);
      const db = await tx.objectStore('docBlocks').get(key);
      return rb && db ? { floats, rb, db, dims: record.dims } : null;
    });
    if (!read) return;
    const { rb, db, dims } = read;
    const floats = read.floats ? new Float32Array(read.floats) : undefined;
    const ids = blockIds(rb);
    for (let r = 0; r < ids.length; r++) {
      if (rb.skip[r] !== 0) continue;
      yield {
        id: ids[r],
        text: db.texts[r],
        metadata: db.metadata[r],
        vector: floats ? floats.slice(r * dims, (r + 1) * dims) : undefined,
      };
    }
  }
}

/**
 * Reads the whole collection into contiguous matrices in one read transaction (one `getAll` per
 * stored form plus ids; texts and metadata unless `documents: false`). Snapshots are cached per
 * handle and reused while the generation is unchanged; treat them as read-only.
 */
export async function loadSnapshot(
  ctx: StoreContext,
  name: string,
  options: LoadOptions = {},
): Promise<CollectionSnapshot> {
  const documents = options.documents ?? true;
  const action = `load ${JSON.stringify(name)}`;
  const wanted = options.kinds;
  if (wanted !== undefined && (!Array.isArray(wanted) || wanted.some((k) => !KINDS.includes(k)))) {
    throw new WebEmbedError(
      'INVALID_ARGUMENT',
      `load kinds must be an array of 'float32' | 'int8' | 'binary'`,
    );
  }
  return inReadTx(ctx, action, async (tx) => {
    const record = requireRecord(await tx.objectStore('collections').get(name), name);
    const kinds = record.kinds.filter((k) => wanted === undefined || wanted.includes(k));
    const cached = ctx.snapshots.get(name);
    if (
      cached &&
      cached.uid === record.uid &&
      cached.generation === record.generation &&
      (cached.documents || !documents) &&
      kinds.every((k) => cached.snapshot.kinds.includes(k))
    ) {
      return cached.snapshot;
    }
    const range = blockRange(name);
    const [forms, rowBlocks, docBlocks] = await Promise.all([
      getAllForms(tx.objectStore('vectorBlocks'), name, storedForms(kinds), record.dims),
      getAllRowBlocks(tx.objectStore('rowBlocks'), range),
      documents ? tx.objectStore('docBlocks').getAll(range) : null,
    ]);
    const snapshot = snapshotOf(
      { ...record, kinds },
      assembleBlocks(record.dims, forms, rowBlocks, docBlocks),
    );
    ctx.snapshots.set(name, { uid: record.uid, generation: record.generation, documents, snapshot });
    return snapshot;
  });
}
