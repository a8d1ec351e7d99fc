/**
 * Document writes: add, upsert and delete. Each call is one transaction: blocks, ids,
 * tombstones, the collection record and any sidecars commit together or not at all.
 *
 * @module
 */
import { type ModelFingerprint, WebEmbedError, assertSameModel, sameCalibration } from '@webembed/core';
import { appendDocBlock, appendRowBlock, appendVectorBlock } from './blocks.js';
import { type IdIndex, type StoreContext, idIndexFor } from './context.js';
import { type DerivedForms, calibrateFrom, deriveForms } from './derive.js';
import type { BlockKey, CollectionRecord, RowBlock } from './schema.js';
import { type WriteTx, inReadTx, inWriteTx } from './tx.js';
import { getVectorBlock, putVectorBlock, storedForms } from './vector-io.js';
import { getRowBlock, putRowBlock } from './row-io.js';
import type { DocumentBatch, DocumentInput, WriteOptions } from './types.js';
import { type NormalizedBatch, assertFingerprint, assertIds, normalizeBatch } from './validate.js';

/** What a write changed. */
export interface WriteResult {
  /** Rows appended. */
  readonly written: number;
  /** Existing documents replaced (upsert only). */
  readonly replaced: number;
  /** Collection generation after the write. */
  readonly generation: number;
}

/** Reads a collection record or throws NOT_FOUND. */
export function requireRecord(record: CollectionRecord | undefined, name: string): CollectionRecord {
  if (!record) {
    throw new WebEmbedError(
      'NOT_FOUND',
      `collection ${JSON.stringify(name)} does not exist (was it deleted?)`,
      {
        collection: name,
      },
    );
  }
  return record;
}

function keepLastOccurrence(batch: NormalizedBatch): NormalizedBatch {
  const last = new Map<string, number>();
  batch.ids.forEach((id, i) => {
    last.set(id, i);
  });
  if (last.size === batch.ids.length) return batch;
  const keep = [...last.values()].sort((a, b) => a - b);
  const dims = batch.vectors.dims;
  const data = new Float32Array(keep.length * dims);
  keep.forEach((src, dst) => {
    data.set(batch.vectors.data.subarray(src * dims, (src + 1) * dims), dst * dims);
  });
  return {
    ids: keep.map((i) => batch.ids[i]),
    texts: keep.map((i) => batch.texts[i]),
    metadata: keep.map((i) => batch.metadata[i]),
    vectors: { data, rows: keep.length, dims },
  };
}

function assertNoDuplicates(batch: NormalizedBatch): void {
  const seen = new Set<string>();
  for (const id of batch.ids) {
    if (seen.has(id)) {
      throw new WebEmbedError(
        'ALREADY_EXISTS',
        `id ${JSON.stringify(id)} appears twice in the batch; add() needs unique ids (use upsert() to replace)`,
        { id },
      );
    }
    seen.add(id);
  }
}

/** Marks rows deleted in their row blocks (read, flip, put). Returns how many were live. */
async function tombstone(tx: WriteTx, record: CollectionRecord, index: IdIndex, ids: readonly string[]) {
  const byBlock = new Map<number, number[]>();
  let removed = 0;
  for (const id of ids) {
    const row = index.rows.get(id);
    if (row === undefined) continue;
    index.rows.delete(id);
    removed++;
    const block = Math.floor(row / record.blockRows);
    const list = byBlock.get(block) ?? [];
    list.push(row - block * record.blockRows);
    byBlock.set(block, list);
  }
  const rowStore = tx.objectStore('rowBlocks');
  for (const [block, offsets] of byBlock) {
    const key: BlockKey = [record.name, block];
    const rb = (await getRowBlock(rowStore, key)) as RowBlock;
    const skip = new Uint8Array(rb.skip);
    for (const o of offsets) skip[o] = 1;
    await putRowBlock(rowStore, key, { idText: rb.idText, idEnds: rb.idEnds, skip });
  }
  return removed;
}

/** Appends a batch's rows after `record.rows`, filling the last partial block first. */
async function appendRows(
  tx: WriteTx,
  record: CollectionRecord,
  batch: NormalizedBatch,
  forms: DerivedForms,
) {
  const vectorStore = tx.objectStore('vectorBlocks');
  const rowStore = tx.objectStore('rowBlocks');
  const docStore = tx.objectStore('docBlocks');
  const n = batch.ids.length;
  let row = record.rows;
  let offset = 0;
  while (offset < n) {
    const block = Math.floor(row / record.blockRows);
    const within = row - block * record.blockRows;
    const take = Math.min(record.blockRows - within, n - offset);
    const key: BlockKey = [record.name, block];
    const [vb, rb, db] =
      within > 0
        ? [
            await getVectorBlock(vectorStore, record.name, storedForms(record.kinds), record.dims, block),
            await getRowBlock(rowStore, key),
            await docStore.get(key),
          ]
        : [undefined, undefined, undefined];
    // One put at a time: a put that throws synchronously (aborted transaction) must not strand
    // the promise of an earlier put as an unhandled rejection.
    await putVectorBlock(
      vectorStore,
      record.name,
      block,
      appendVectorBlock(vb, forms, record.dims, offset, take),
    );
    await putRowBlock(rowStore, key, appendRowBlock(rb, batch.ids, offset, take));
    await docStore.put(appendDocBlock(db, batch.texts, batch.metadata, offset, take), key);
    row += take;
    offset += take;
  }
  return row;
}

/** Puts sidecar values of a write into the same transaction. */
export async function putSidecars(tx: WriteTx, collection: string, sidecars: WriteOptions['sidecars']) {
  if (!sidecars) return;
  const store = tx.objectStore('sidecars');
  for (const [key, value] of Object.entries(sidecars)) await store.put(value, [collection, key]);
}

/**
 * Adds (`mode: 'add'`, refusing existing ids) or upserts documents into collection `name`.
 * Validation and quantization happen before the transaction opens.
 */
export async function writeDocuments(
  ctx: StoreContext,
  name: string,
  docs: readonly DocumentInput[] | DocumentBatch,
  fingerprint: ModelFingerprint,
  mode: 'add' | 'upsert',
  options: WriteOptions = {},
): Promise<WriteResult> {
  const action = `${mode} to ${JSON.stringify(name)}`;
  assertFingerprint(fingerprint);
  const before = requireRecord(
    await inReadTx(ctx, action, (tx) => tx.objectStore('collections').get(name)),
    name,
  );
  assertSameModel(before.fingerprint, fingerprint, 'documents');
  let batch = normalizeBatch(docs, before.dims);
  if (mode === 'add') assertNoDuplicates(batch);
  else batch = keepLastOccurrence(batch);
  const needsInt8 = before.kinds.includes('int8');
  let calibration = before.calibration ?? (needsInt8 ? calibrateFrom(batch.vectors) : null);
  let forms = deriveForms(batch.vectors, before.kinds, calibration);

  let index: IdIndex | undefined;
  const result = await inWriteTx(ctx, action, async (tx) => {
    const record = requireRecord(await tx.objectStore('collections').get(name), name);
    if (record.uid !== before.uid) {
      throw new WebEmbedError(
        'NOT_FOUND',
        `collection ${JSON.stringify(name)} was deleted and re-created during the write`,
      );
    }
    if (
      needsInt8 &&
      record.calibration &&
      (!calibration || !sameCalibration(record.calibration, calibration))
    ) {
      // Another writer fixed the calibration first: quantize with the stored one.
      calibration = record.calibration;
      forms = deriveForms(batch.vectors, record.kinds, calibration);
    }
    index = await idIndexFor(ctx, record, tx.objectStore('rowBlocks'));
    if (mode === 'add') {
      const taken = batch.ids.filter((id) => index?.rows.has(id));
      if (taken.length > 0) {
        throw new WebEmbedError(
          'ALREADY_EXISTS',
          `${taken.length} id(s) already in collection ${JSON.stringify(name)}, e.g. ${JSON.stringify(taken.slice(0, 3))}; use upsert() to replace`,
          { count: taken.length, id: taken[0] },
        );
      }
    }
    index.generation = -1; // being modified: readers rebuild until the commit lands
    const replaced = mode === 'upsert' ? await tombstone(tx, record, index, batch.ids) : 0;
    const first = record.rows;
    const rows = await appendRows(tx, record, batch, forms);
    for (let i = 0; i < batch.ids.length; i++) index.rows.set(batch.ids[i], first + i);
    await putSidecars(tx, name, options.sidecars);
    const next: CollectionRecord = {
      ...record,
      calibration,
      rows,
      count: record.count - replaced + batch.ids.length,
      generation: record.generation + 1,
      updatedAt: Date.now(),
    };
    await tx.objectStore('collections').put(next);
    return { written: batch.ids.length, replaced, generation: next.generation };
  }).catch((err) => {
    ctx.idIndexes.delete(name);
    throw err;
  });
  if (index) index.generation = result.generation;
  ctx.hub.emit({ type: 'write', collection: name, generation: result.generation });
  return result;
}

/** Tombstones documents by id; unknown ids are ignored. Returns how many were deleted. */
export async function deleteDocuments(
  ctx: StoreContext,
  name: string,
  ids: readonly string[],
  options: WriteOptions = {},
): Promise<number> {
  const action = `delete from ${JSON.stringify(name)}`;
  assertIds(ids, action);
  let index: IdIndex | undefined;
  const result = await inWriteTx(ctx, action, async (tx) => {
    const record = requireRecord(await tx.objectStore('collections').get(name), name);
    index = await idIndexFor(ctx, record, tx.objectStore('rowBlocks'));
    index.generation = -1;
    const removed = await tombstone(tx, record, index, ids);
    await putSidecars(tx, name, options.sidecars);
    const generation = record.generation + 1;
    if (removed > 0 || options.sidecars) {
      await tx.objectStore('collections').put({
        ...record,
        count: record.count - removed,
        generation,
        updatedAt: Date.now(),
      });
      return { removed, generation };
    }
    return { removed, generation: record.generation };
  }).catch((err) => {
    ctx.idIndexes.delete(name);
    throw err;
  });
  if (index) index.generation = result.generation;
  if (result.removed > 0) ctx.hub.emit({ type: 'delete', collection: name, generation: result.generation });
  return result.removed;
}
