/**
 * Collection maintenance: sidecar blobs, compaction of tombstones, and clearing.
 *
 * @module
 */
import { appendDocBlock, appendRowBlock, appendVectorBlock, assembleBlocks } from './blocks.js';
import { type StoreContext, buildIdIndex } from './context.js';
import type { DerivedForms } from './derive.js';
import {
  type BlockKey,
  type CollectionRecord,
  type RowBlock,
  blockRange,
  vectorRange,
  sidecarRange,
} from './schema.js';
import { type WriteTx, inReadTx, inWriteTx } from './tx.js';
import type { Metadata } from './types.js';
import { assertName } from './validate.js';
import { putSidecars, requireRecord } from './write.js';
import { liveRows, snapshotOf } from './snapshot.js';
import { getAllForms, putVectorBlock, storedForms } from './vector-io.js';
import { getAllRowBlocks, putRowBlock } from './row-io.js';

/** Stores a sidecar value (any structured-cloneable value) for a collection, in one transaction. */
export async function setSidecar(
  ctx: StoreContext,
  name: string,
  key: string,
  value: unknown,
): Promise<void> {
  assertName(key, 'sidecar key');
  const action = `setSidecar ${JSON.stringify(key)} of ${JSON.stringify(name)}`;
  await inWriteTx(ctx, action, async (tx) => {
    requireRecord(await tx.objectStore('collections').get(name), name);
    await putSidecars(tx, name, { [key]: value });
  });
  ctx.hub.emit({ type: 'sidecar', collection: name });
}

/** A sidecar value, or `undefined` when none was stored under `key`. */
export async function getSidecar(ctx: StoreContext, name: string, key: string): Promise<unknown> {
  assertName(key, 'sidecar key');
  return inReadTx(ctx, `getSidecar ${JSON.stringify(key)} of ${JSON.stringify(name)}`, async (tx) => {
    requireRecord(await tx.objectStore('collections').get(name), name);
    return tx.objectStore('sidecars').get([name, key]);
  });
}

/** Deletes every block record and sidecar of a collection inside `tx`. */
export async function deleteCollectionData(tx: WriteTx, name: string, sidecars: boolean): Promise<void> {
  const range = blockRange(name);
  await tx.objectStore('vectorBlocks').delete(vectorRange(name));
  await tx.objectStore('rowBlocks').delete(range);
  await tx.objectStore('docBlocks').delete(range);
  if (sidecars) await tx.objectStore('sidecars').delete(sidecarRange(name));
}

/** Writes contiguous rows as fresh blocks `0..` of `record` (used by compact and import). */
export async function writeAllBlocks(
  tx: WriteTx,
  record: CollectionRecord,
  ids: readonly string[],
  texts: readonly string[],
  metadata: readonly (Metadata | undefined)[],
  forms: DerivedForms,
): Promise<RowBlock[]> {
  const rowBlocks: RowBlock[] = [];
  for (let start = 0, block = 0; start < ids.length; start += record.blockRows, block++) {
    const take = Math.min(record.blockRows, ids.length - start);
    const key: BlockKey = [record.name, block];
    const rb = appendRowBlock(undefined, ids, start, take);
    rowBlocks.push(rb);
    await putVectorBlock(
      tx.objectStore('vectorBlocks'),
      record.name,
      block,
      appendVectorBlock(undefined, forms, record.dims, start, take),
    );
    await putRowBlock(tx.objectStore('rowBlocks'), key, rb);
    await tx.objectStore('docBlocks').put(appendDocBlock(undefined, texts, metadata, start, take), key);
  }
  return rowBlocks;
}

/**
 * Rewrites a collection without its tombstoned rows, in one transaction. Returns the rows
 * reclaimed (0 without a write when there are none).
 */
export async function compactCollection(ctx: StoreContext, name: string): Promise<number> {
  const action = `compact ${JSON.stringify(name)}`;
  const result = await inWriteTx(ctx, action, async (tx) => {
    const record = requireRecord(await tx.objectStore('collections').get(name), name);
    if (record.rows === record.count) return { reclaimed: 0, generation: record.generation };
    const range = blockRange(name);
    const formBuffers = await getAllForms(
      tx.objectStore('vectorBlocks'),
      name,
      storedForms(record.kinds),
      record.dims,
    );
    const rbs = await getAllRowBlocks(tx.objectStore('rowBlocks'), range);
    const dbs = await tx.objectStore('docBlocks').getAll(range);
    const all = assembleBlocks(record.dims, formBuffers, rbs, dbs);
    const live = liveRows(snapshotOf(record, all));
    const forms: DerivedForms = { float32: live.float32, int8: live.int8, binary: live.binary };
    await deleteCollectionData(tx, name, false);
    const next: CollectionRecord = {
      ...record,
      rows: live.rows,
      count: live.rows,
      generation: record.generation + 1,
      updatedAt: Date.now(),
    };
    const rowBlocks = await writeAllBlocks(tx, next, live.ids, live.texts ?? [], live.metadata ?? [], forms);
    await tx.objectStore('collections').put(next);
    ctx.idIndexes.set(name, buildIdIndex(next, rowBlocks));
    return { reclaimed: record.rows - live.rows, generation: next.generation };
  }).catch((err) => {
    ctx.idIndexes.delete(name);
    throw err;
  });
  if (result.reclaimed > 0)
    ctx.hub.emit({ type: 'compact', collection: name, generation: result.generation });
  return result.reclaimed;
}

/** Removes every document (and, with `sidecars`, every sidecar); keeps fingerprint and calibration. */
export async function clearCollection(ctx: StoreContext, name: string, sidecars = true): Promise<void> {
  const action = `clear ${JSON.stringify(name)}`;
  const generation = await inWriteTx(ctx, action, async (tx) => {
    const record = requireRecord(await tx.objectStore('collections').get(name), name);
    await deleteCollectionData(tx, name, sidecars);
    const next = { ...record, rows: 0, count: 0, generation: record.generation + 1, updatedAt: Date.now() };
    await tx.objectStore('collections').put(next);
    return next.generation;
  });
  ctx.idIndexes.delete(name);
  ctx.hub.emit({ type: 'clear', collection: name, generation });
}
