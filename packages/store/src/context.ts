/**
 * Per-handle state shared by a store and its collections: the connection, the change hub, and
 * caches keyed by collection (validated against the persisted generation before every use).
 *
 * @module
 */
import { blockIds } from './blocks.js';
import type { ChangeHub } from './changes.js';
import { getAllRowBlocks } from './row-io.js';
import type { Connection } from './connection.js';
import { blockRange, type CollectionRecord, type RowBlock } from './schema.js';
import type { CollectionSnapshot } from './types.js';

/** Where each live id sits (global row = block * blockRows + offset). */
export interface IdIndex {
  uid: string;
  /** Generation this index reflects; -1 while a write is modifying it. */
  generation: number;
  rows: Map<string, number>;
}

/** A cached snapshot and what it reflects. */
export interface CachedSnapshot {
  uid: string;
  generation: number;
  documents: boolean;
  snapshot: CollectionSnapshot;
}

/** State of one store handle. */
export interface StoreContext {
  conn: Connection;
  hub: ChangeHub;
  idIndexes: Map<string, IdIndex>;
  snapshots: Map<string, CachedSnapshot>;
}

/** Anything that can read row blocks (an object store of a readonly or readwrite transaction). */
export interface RowBlockReader {
  getAll(query: IDBKeyRange): Promise<ArrayBuffer[]>;
}

/** Builds the id index from a collection's row blocks (in block order). */
export function buildIdIndex(record: CollectionRecord, blocks: readonly RowBlock[]): IdIndex {
  const rows = new Map<string, number>();
  for (let b = 0; b < blocks.length; b++) {
    const ids = blockIds(blocks[b]);
    const skip = blocks[b].skip;
    const base = b * record.blockRows;
    for (let r = 0; r < ids.length; r++) if (skip[r] === 0) rows.set(ids[r], base + r);
  }
  return { uid: record.uid, generation: record.generation, rows };
}

/** The cached id index when it matches `record`, else one rebuilt from storage (and cached). */
export async function idIndexFor(
  ctx: StoreContext,
  record: CollectionRecord,
  rowStore: RowBlockReader,
): Promise<IdIndex> {
  const cached = ctx.idIndexes.get(record.name);
  if (cached && cached.uid === record.uid && cached.generation === record.generation) return cached;
  const index = buildIdIndex(record, await getAllRowBlocks(rowStore, blockRange(record.name)));
  ctx.idIndexes.set(record.name, index);
  return index;
}

/** A random collection uid. */
export function newUid(): string {
  const c = globalThis.crypto;
  if (c && typeof c.randomUUID === 'function') return c.randomUUID();
  return `${Date.now().toString(36)}-${Math.random().toString(36).slice(2)}`;
}
