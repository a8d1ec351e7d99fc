/**
 * Transaction helpers: every write is one readwrite transaction that commits fully or is
 * aborted, and every failure leaves as a typed WebEmbedError.
 *
 * @module
 */
import type { IDBPDatabase, IDBPTransaction } from 'idb';
import type { StoreContext } from './context.js';
import { isQuotaError, toStoreError } from './errors.js';
import { ALL_STORES, type StoreSchema } from './schema.js';

type StoreName = (typeof ALL_STORES)[number];

/** A transaction over every object store. */
export type WriteTx = IDBPTransaction<StoreSchema, StoreName[], 'readwrite'>;
/** A read-only transaction over every object store. */
export type ReadTx = IDBPTransaction<StoreSchema, StoreName[], 'readonly'>;

function openTx<M extends IDBTransactionMode>(db: IDBPDatabase<StoreSchema>, mode: M) {
  return db.transaction([...ALL_STORES] as StoreName[], mode, { durability: 'default' });
}

async function begin<M extends IDBTransactionMode>(ctx: StoreContext, action: string, mode: M) {
  for (let attempt = 0; ; attempt++) {
    const db = await ctx.conn.get(action);
    try {
      return openTx(db, mode);
    } catch (err) {
      // Another tab's upgrade may have closed this connection between get() and transaction():
      // the connection reopens on the next get(), so try once more.
      if (attempt === 0 && (err as { name?: string })?.name === 'InvalidStateError' && !ctx.conn.closed) {
        continue;
      }
      throw toStoreError(err, action);
    }
  }
}

/**
 * Runs `body` in one readwrite transaction and waits for the commit. If `body` throws or the
 * commit fails (quota, abort), the transaction is aborted and nothing it wrote remains.
 */
export async function inWriteTx<T>(
  ctx: StoreContext,
  action: string,
  body: (tx: WriteTx) => Promise<T>,
): Promise<T> {
  const tx = (await begin(ctx, action, 'readwrite')) as WriteTx;
  const done = tx.done;
  done.catch(() => {});
  try {
    const result = await body(tx);
    await done;
    return result;
  } catch (err) {
    try {
      tx.abort();
    } catch {
      // Already finished (committed or aborted): nothing to undo.
    }
    const txError = tx.error;
    throw toStoreError(isQuotaError(txError) ? txError : err, action);
  }
}

/** Runs `body` in one readonly transaction. */
export async function inReadTx<T>(
  ctx: StoreContext,
  action: string,
  body: (tx: ReadTx) => Promise<T>,
): Promise<T> {
  const tx = (await begin(ctx, action, 'readonly')) as ReadTx;
  tx.done.catch(() => {});
  try {
    return await body(tx);
  } catch (err) {
    throw toStoreError(err, action);
  }
}
