/**
 * `openVectorStore`: the database-level API (collections, aliases, import, persistence).
 *
 * @module
 */
import { WebEmbedError } from '@webembed/core';
import { copyCalibration } from './blocks.js';
import { createChangeHub } from './changes.js';
import { type Collection, collectionHandle } from './collection.js';
import { openConnection } from './connection.js';
import { type StoreContext, buildIdIndex, newUid } from './context.js';
import { decodeCollectionFile } from './file-format.js';
import { deleteCollectionData, writeAllBlocks } from './maintain.js';
import { toInfo } from './read.js';
import type { CollectionRecord } from './schema.js';
import { inReadTx, inWriteTx } from './tx.js';
import type { CollectionInfo, CollectionOptions, OpenStoreOptions, StoreChange } from './types.js';
import { assertName, validateCollectionOptions } from './validate.js';

/** The default database name. */
export const DEFAULT_DB_NAME = 'webembed';
const DEFAULT_BLOCK_ROWS = 4096;

/** Storage usage as the browser reports it (bytes). */
export interface StorageEstimate {
  readonly usage: number | null;
  readonly quota: number | null;
}

/**
 * An open vector database. Collections are independent; an alias names a collection and can be
 * switched atomically (blue-green re-indexing).
 */
export interface VectorStore {
  /** The IndexedDB database name. */
  readonly dbName: string;
  /** Creates an empty collection (ALREADY_EXISTS when the name or an alias of it is taken). */
  createCollection(name: string, options: CollectionOptions): Promise<Collection>;
  /**
   * A handle on a collection by name or alias (NOT_FOUND when neither exists). An alias is resolved
   * now: the handle keeps pointing at the same collection after the alias moves.
   */
  collection(nameOrAlias: string): Promise<Collection>;
  /** Whether a collection (or alias) of this name exists. */
  hasCollection(nameOrAlias: string): Promise<boolean>;
  /** Every collection's info, sorted by name. */
  listCollections(): Promise<CollectionInfo[]>;
  /** Deletes a collection, its blocks and sidecars in one transaction (refused while an alias points at it). */
  deleteCollection(name: string): Promise<void>;
  /** Points `alias` at collection `target` (creating or moving it) in one transaction. */
  setAlias(alias: string, target: string): Promise<void>;
  /** Removes an alias; returns whether it existed. */
  deleteAlias(alias: string): Promise<boolean>;
  /** The collection an alias points to, or `undefined`. */
  resolveAlias(alias: string): Promise<string | undefined>;
  /** Every alias with its target. */
  listAliases(): Promise<{ alias: string; target: string }[]>;
  /**
   * Imports a collection file (see FORMAT.md) as a new collection named `name` (default: the
   * name in the file). The file is fully checked before anything is written (CORRUPT_FILE,
   * UNSUPPORTED_FORMAT, NOT_FINITE), and the write is one transaction. A taken name is refused
   * (ALREADY_EXISTS) unless `replace` is true: then the old collection is replaced in that same
   * transaction, so a failed import (a quota error, a closed tab) leaves it as it was.
   */
  importCollection(bytes: Uint8Array, options?: { name?: string; replace?: boolean }): Promise<Collection>;
  /** Calls `listener` after every committed change, from this handle (`local`) or other tabs (`remote`). */
  onChange(listener: (change: StoreChange) => void): () => void;
  /** Asks the browser to keep this origin's data under storage pressure (`navigator.storage.persist`). */
  requestPersistence(): Promise<boolean>;
  /** Storage used and available to this origin (`navigator.storage.estimate`); nulls when unknown. */
  estimateUsage(): Promise<StorageEstimate>;
  /** Closes the connection; later calls throw DB_CLOSED. */
  close(): void;
}

async function resolveName(
  ctx: StoreContext,
  nameOrAlias: string,
  action: string,
): Promise<string | undefined> {
  return inReadTx(ctx, action, async (tx) => {
    if (await tx.objectStore('collections').getKey(nameOrAlias)) return nameOrAlias;
    return (await tx.objectStore('aliases').get(nameOrAlias))?.target;
  });
}

function notFound(name: string): WebEmbedError {
  return new WebEmbedError('NOT_FOUND', `no collection or alias named ${JSON.stringify(name)}`, {
    collection: name,
  });
}

function taken(name: string, by: 'collection' | 'alias'): WebEmbedError {
  return new WebEmbedError(
    'ALREADY_EXISTS',
    `the name ${JSON.stringify(name)} is already used by ${by === 'alias' ? 'an alias' : 'a collection'}`,
    {
      collection: name,
    },
  );
}

/**
 * Opens (creating if needed) the vector database `dbName`.
 *
 * @example
 * ```ts
 * const store = await openVectorStore();
 * const docs = await store.createCollection('docs', { fingerprint, kinds: ['float32', 'binary'] });
 * await docs.add([{ id: 'a', text: 'hello', vector }], fingerprint);
 * const hits = await docs.search(queryVector, { k: 5, filter: { lang: 'en' } });
 * ```
 */
export async function openVectorStore(
  dbName = DEFAULT_DB_NAME,
  options: OpenStoreOptions = {},
): Promise<VectorStore> {
  assertName(dbName, 'database name');
  const conn = await openConnection(dbName, options.onBlocked);
  const ctx: StoreContext = {
    conn,
    hub: createChangeHub(dbName, (change) => {
      // Another tab changed things: cached indexes/snapshots are re-validated by generation anyway;
      // drop them for deleted or re-imported collections so memory is freed early.
      if (change.type === 'delete-collection' || change.type === 'import' || change.type === 'create') {
        ctx.idIndexes.delete(change.collection);
        ctx.snapshots.delete(change.collection);
      }
    }),
    idIndexes: new Map(),
    snapshots: new Map(),
  };

  const store: VectorStore = {
    dbName,

    async createCollection(name, collectionOptions) {
      assertName(name);
      const kinds = validateCollectionOptions(collectionOptions);
      const fingerprint = { ...collectionOptions.fingerprint };
      const now = Date.now();
      const record: CollectionRecord = {
        name,
        uid: newUid(),
        fingerprint,
        dims: fingerprint.dims,
        kinds,
        calibration: copyCalibration(collectionOptions.int8Calibration ?? null),
        count: 0,
        rows: 0,
        blockRows: collectionOptions.blockRows ?? DEFAULT_BLOCK_ROWS,
        generation: 0,
        createdAt: now,
        updatedAt: now,
      };
      await inWriteTx(ctx, `create ${JSON.stringify(name)}`, async (tx) => {
        if (await tx.objectStore('collections').getKey(name)) throw taken(name, 'collection');
        if (await tx.objectStore('aliases').getKey(name)) throw taken(name, 'alias');
        await tx.objectStore('collections').add(record);
      });
      ctx.idIndexes.delete(name);
      ctx.snapshots.delete(name);
      ctx.hub.emit({ type: 'create', collection: name, generation: 0 });
      return collectionHandle(ctx, name);
    },

    async collection(nameOrAlias) {
      assertName(nameOrAlias);
      const name = await resolveName(ctx, nameOrAlias, `open collection ${JSON.stringify(nameOrAlias)}`);
      if (name === undefined) throw notFound(nameOrAlias);
      return collectionHandle(ctx, name);
    },

    async hasCollection(nameOrAlias) {
      assertName(nameOrAlias);
      return (await resolveName(ctx, nameOrAlias, 'hasCollection')) !== undefined;
    },

    async listCollections() {
      const records = await inReadTx(ctx, 'listCollections', (tx) => tx.objectStore('collections').getAll());
      return records.map(toInfo);
    },

    async deleteCollection(name) {
      assertName(name);
      await inWriteTx(ctx, `delete collection ${JSON.stringify(name)}`, async (tx) => {
        if (!(await tx.objectStore('collections').getKey(name))) throw notFound(name);
        const aliases = (await tx.objectStore('aliases').getAll()).filter((a) => a.target === name);
        if (aliases.length > 0) {
          throw new WebEmbedError(
            'INVALID_ARGUMENT',
            `collection ${JSON.stringify(name)} is the target of alias(es) ${aliases.map((a) => JSON.stringify(a.alias)).join(', ')}; move or delete them first`,
          );
        }
        await deleteCollectionData(tx, name, true);
        await tx.objectStore('collections').delete(name);
      });
      ctx.idIndexes.delete(name);
      ctx.snapshots.delete(name);
      ctx.hub.emit({ type: 'delete-collection', collection: name });
    },

    async setAlias(alias, target) {
      assertName(alias, 'alias');
      assertName(target);
      await inWriteTx(ctx, `setAlias ${JSON.stringify(alias)}`, async (tx) => {
        if (await tx.objectStore('collections').getKey(alias)) throw taken(alias, 'collection');
        if (!(await tx.objectStore('collections').getKey(target))) {
          throw new WebEmbedError(
            'NOT_FOUND',
            `alias target collection ${JSON.stringify(target)} does not exist`,
            {
              collection: target,
            },
          );
        }
        await tx.objectStore('aliases').put({ alias, target });
      });
      ctx.hub.emit({ type: 'alias', collection: alias });
    },

    async deleteAlias(alias) {
      assertName(alias, 'alias');
      const existed = await inWriteTx(ctx, `deleteAlias ${JSON.stringify(alias)}`, async (tx) => {
        const found = (await tx.objectStore('aliases').getKey(alias)) !== undefined;
        if (found) await tx.objectStore('aliases').delete(alias);
        return found;
      });
      if (existed) ctx.hub.emit({ type: 'alias', collection: alias });
      return existed;
    },

    async resolveAlias(alias) {
      assertName(alias, 'alias');
      return inReadTx(
        ctx,
        'resolveAlias',
        async (tx) => (await tx.objectStore('aliases').get(alias))?.target,
      );
    },

    async listAliases() {
      const all = await inReadTx(ctx, 'listAliases', (tx) => tx.objectStore('aliases').getAll());
      return all.map(({ alias, target }) => ({ alias, target }));
    },

    async importCollection(bytes, importOptions = {}) {
      const snapshot = decodeCollectionFile(bytes);
      const name = importOptions.name ?? snapshot.name;
      assertName(name);
      const now = Date.now();
      const record: CollectionRecord = {
        name,
        uid: newUid(),
        fingerprint: snapshot.fingerprint,
        dims: snapshot.dims,
        kinds: [...snapshot.kinds],
        calibration: snapshot.calibration,
        count: snapshot.rows,
        rows: snapshot.rows,
        blockRows: DEFAULT_BLOCK_ROWS,
        generation: 1,
        createdAt: now,
        updatedAt: now,
      };
      const forms = {
        float32: snapshot.float32,
        int8: snapshot.int8,
        binary: snapshot.binary && {
          ...snapshot.binary,
          l1Norms: snapshot.binary.l1Norms ?? new Float32Array(snapshot.rows).fill(Number.NaN),
        },
      };
      await inWriteTx(ctx, `import ${JSON.stringify(name)}`, async (tx) => {
        if (await tx.objectStore('aliases').getKey(name)) throw taken(name, 'alias');
        if (await tx.objectStore('collections').getKey(name)) {
          if (importOptions.replace !== true) throw taken(name, 'collection');
          await deleteCollectionData(tx, name, true);
          await tx.objectStore('collections').delete(name);
        }
        await tx.objectStore('collections').add(record);
        const rowBlocks = await writeAllBlocks(
          tx,
          record,
          snapshot.ids,
          snapshot.texts ?? [],
          snapshot.metadata ?? [],
          forms,
        );
        ctx.idIndexes.set(name, buildIdIndex(record, rowBlocks));
      }).catch((err) => {
        ctx.idIndexes.delete(name);
        throw err;
      });
      ctx.snapshots.delete(name);
      ctx.hub.emit({ type: 'import', collection: name, generation: record.generation });
      return collectionHandle(ctx, name);
    },

    onChange(listener) {
      if (typeof listener !== 'function') {
        throw new WebEmbedError('INVALID_ARGUMENT', 'onChange needs a function (change) => void');
      }
      return ctx.hub.subscribe(listener);
    },

    async requestPersistence() {
      const storage = (globalThis as { navigator?: Navigator }).navigator?.storage;
      if (!storage?.persist) return false;
      try {
        return await storage.persist();
      } catch {
        return false;
      }
    },

    async estimateUsage() {
      const storage = (globalThis as { navigator?: Navigator }).navigator?.storage;
      if (!storage?.estimate) return { usage: null, quota: null };
      const estimate = await storage.estimate();
      return { usage: estimate.usage ?? null, quota: estimate.quota ?? null };
    },

    close() {
      conn.close();
      ctx.hub.close();
      ctx.idIndexes.clear();
      ctx.snapshots.clear();
    },
  };
  return store;
}
