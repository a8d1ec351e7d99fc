/**
 * One IndexedDB connection per store handle, opened with idb. The connection steps aside when
 * another tab upgrades the schema (`versionchange` -> close, reopen on next use), so upgrades in
 * other tabs never hang on us; our own upgrade reports a blocked state through `onBlocked`.
 *
 * @module
 */
import { WebEmbedError } from '@webembed/core';
import { type IDBPDatabase, openDB } from 'idb';
import { closedError, toStoreError } from './errors.js';
import { ALL_STORES, SCHEMA_VERSION, type StoreSchema } from './schema.js';

/** A lazily (re)opened connection. */
export interface Connection {
  readonly dbName: string;
  /** The open database, reopening it when another tab's upgrade closed it. Throws DB_CLOSED after `close()`. */
  get(action: string): Promise<IDBPDatabase<StoreSchema>>;
  /** Closes for good; later `get` calls throw DB_CLOSED. */
  close(): void;
  readonly closed: boolean;
}

function createStores(db: IDBPDatabase<StoreSchema>, oldVersion: number): void {
  if (oldVersion < 1) {
    db.createObjectStore('collections', { keyPath: 'name' });
    db.createObjectStore('aliases', { keyPath: 'alias' });
    db.createObjectStore('vectorBlocks');
    db.createObjectStore('rowBlocks');
    db.createObjectStore('docBlocks');
    db.createObjectStore('sidecars');
  }
}

async function openOnce(dbName: string, onBlocked: (() => void) | undefined, onLost: () => void) {
  const handlers = {
    blocked: () => onBlocked?.(),
    // Another connection wants a newer version: get out of its way, reopen lazily.
    blocking: () => onLost(),
    terminated: () => onLost(),
  };
  try {
    return await openDB<StoreSchema>(dbName, SCHEMA_VERSION, {
      upgrade: (db, oldVersion) => createStores(db, oldVersion),
      ...handlers,
    });
  } catch (err) {
    if ((err as { name?: string })?.name !== 'VersionError') throw err;
    // A newer webembed already upgraded this database. Use it as is if our stores are all there.
    const db = await openDB<StoreSchema>(dbName, undefined, handlers);
    const missing = ALL_STORES.filter((s) => !db.objectStoreNames.contains(s));
    if (missing.length > 0) {
      db.close();
      throw new WebEmbedError(
        'UNSUPPORTED_FORMAT',
        `database ${JSON.stringify(dbName)} is at version ${db.version} without stores ${missing.join(', ')}; it was written by an incompatible webembed`,
      );
    }
    return db;
  }
}

/** Opens `dbName` now (so open errors surface at `openVectorStore`) and returns the connection. */
export async function openConnection(dbName: string, onBlocked?: () => void): Promise<Connection> {
  let current: IDBPDatabase<StoreSchema> | null = null;
  let pending: Promise<IDBPDatabase<StoreSchema>> | null = null;
  let closed = false;

  const open = async (): Promise<IDBPDatabase<StoreSchema>> => {
    let db: IDBPDatabase<StoreSchema> | null = null;
    const onLost = () => {
      db?.close();
      if (current === db) current = null;
    };
    db = await openOnce(dbName, onBlocked, onLost);
    if (closed) {
      db.close();
      throw closedError('open');
    }
    current = db;
    return db;
  };

  try {
    await open();
  } catch (err) {
    throw toStoreError(err, `open ${JSON.stringify(dbName)}`);
  }

  return {
    dbName,
    get closed() {
      return closed;
    },
    async get(action: string) {
      if (closed) throw closedError(action);
      if (current) return current;
      if (!pending) {
        pending = open().finally(() => {
          pending = null;
        });
      }
      try {
        return await pending;
      } catch (err) {
        throw toStoreError(err, action);
      }
    },
    close() {
      closed = true;
      current?.close();
      current = null;
    },
  };
}
