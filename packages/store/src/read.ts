/**
 * Reads: collection info, id lookups, single documents, block-by-block iteration and the
 * whole-collection snapshot used for search.
 *
 * @module
 */
import { assembleBlocks, binaryMatrix, copyCalibration } from './blocks.js';
import { type StoreContext, buildIdIndex, idIndexFor } from './context.js';
import { type BlockKey, type CollectionRecord, blockRange } from './schema.js';
import { inReadTx } from './tx.js';
import type { CollectionInfo, CollectionSnapshot, LoadOptions, StoredDocument } from './types.js';
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
    const [vb, db] = await Promise.all([
      record.kinds.includes('float32') ? tx.objectStore('vectorBlocks').get(key) : undefined,
      tx.objectStore('docBlocks').get(key),
    ]);
    const vector =
      vb?.float32 !== undefined
        ? new Float32Array(vb.float32.slice(offset * record.dims * 4, (offset + 1) * record.dims * 4))
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
      const [vb, rb, db] = await Promise.all([
        tx.objectStore('vectorBlocks').get(key),
        tx.objectStore('rowBlocks').get(key),
        tx.objectStore('docBlocks').get(key),
      ]);
      return vb && rb && db ? { vb, rb, db, dims: record.dims } : null;
    });
    if (!read) return;
    const { vb, rb, db, dims } = read;
    const floats = vb.float32 ? new Float32Array(vb.float32) : undefined;
    for (let r = 0; r < vb.rows; r++) {
      if (rb.skip[r] !== 0) continue;
      yield {
        id: rb.ids[r],
        text: db.texts[r],
        metadata: db.metadata[r],
        vector: floats ? floats.slice(r * dims, (r + 1) * dims) : undefined,
      };
    }
  }
}

/**
 * Reads the whole collection into contiguous matrices in one read transaction (a handful of
 * `getAll` calls). Snapshots are cached per handle and reused while the generation is unchanged;
 * treat them as read-only.
 */
export async function loadSnapshot(
  ctx: StoreContext,
  name: string,
  options: LoadOptions = {},
): Promise<CollectionSnapshot> {
  const documents = options.documents ?? true;
  const action = `load ${JSON.stringify(name)}`;
  return inReadTx(ctx, action, async (tx) => {
    const record = requireRecord(await tx.objectStore('collections').get(name), name);
    const cached = ctx.snapshots.get(name);
    if (
      cached &&
      cached.uid === record.uid &&
      cached.generation === record.generation &&
      (cached.documents || !documents)
    ) {
      return cached.snapshot;
    }
    const range = blockRange(name);
    const [vectorBlocks, rowBlocks, docBlocks] = await Promise.all([
      tx.objectStore('vectorBlocks').getAll(range),
      tx.objectStore('rowBlocks').getAll(range),
      documents ? tx.objectStore('docBlocks').getAll(range) : Promise.resolve(null),
    ]);
    const rows = assembleBlocks(record.dims, record.kinds, vectorBlocks, rowBlocks, docBlocks);
    ctx.idIndexes.set(name, buildIdIndex(record, rowBlocks));
    const snapshot: CollectionSnapshot = {
      name,
      fingerprint: { ...record.fingerprint },
      dims: record.dims,
      kinds: [...record.kinds],
      calibration: copyCalibration(record.calibration),
      rows: rows.rows,
      count: record.count,
      generation: record.generation,
      ids: rows.ids,
      skip: rows.skip,
      ...(rows.float32 ? { float32: { data: rows.float32, rows: rows.rows, dims: record.dims } } : {}),
      ...(rows.int8 && record.calibration
        ? {
            int8: {
              data: rows.int8,
              rows: rows.rows,
              dims: record.dims,
              calibration: copyCalibration(record.calibration)!,
            },
          }
        : {}),
      ...(rows.binary ? { binary: binaryMatrix(rows.binary, rows.rows, record.dims, rows.l1Norms) } : {}),
      ...(rows.texts ? { texts: rows.texts, metadata: rows.metadata } : {}),
    };
    ctx.snapshots.set(name, { uid: record.uid, generation: record.generation, documents, snapshot });
    return snapshot;
  });
}
