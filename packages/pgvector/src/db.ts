/**
 * Where the SQL goes: a connection string, a `pg.Pool` or a connected `pg.Client`, and a helper
 * that borrows one client for a unit of work and always gives it back.
 *
 * @module
 */
import { WebEmbedError, isWebEmbedError } from '@webembed/core';
import pg from 'pg';

/** A Postgres to talk to: a connection string (`postgres://...`), a `pg.Pool`, or a connected `pg.Client`. */
export type PgTarget = string | pg.Pool | pg.Client;

/**
 * Runs `work` with one client of `target`: a fresh connection for a string (closed afterwards),
 * a pooled client for a Pool (released afterwards, destroyed if the work failed mid-transaction),
 * or the given Client itself. Errors from Postgres or the connection come out as `REMOTE_FAILED`
 * WebEmbedErrors (SQLSTATE in `details.sqlstate`, the original as `cause`).
 */
export async function withClient<T>(
  target: PgTarget,
  work: (client: pg.ClientBase) => Promise<T>,
): Promise<T> {
  try {
    return await borrow(target, work);
  } catch (err) {
    throw asWebEmbedError(err);
  }
}

async function borrow<T>(target: PgTarget, work: (client: pg.ClientBase) => Promise<T>): Promise<T> {
  if (typeof target === 'string') {
    const client = new pg.Client({ connectionString: target });
    await connect(client, target);
    try {
      return await work(client);
    } finally {
      await client.end().catch(() => undefined);
    }
  }
  if (target instanceof pg.Pool) {
    const client = await target.connect();
    let failed = false;
    try {
      return await work(client);
    } catch (err) {
      failed = true;
      throw err;
    } finally {
      client.release(failed);
    }
  }
  return work(target);
}

/**
 * Runs `work` inside BEGIN/COMMIT on one client, rolling back when it throws.
 * Settings changed with `SET LOCAL` inside `work` end with the transaction.
 */
export async function inTransaction<T>(client: pg.ClientBase, work: () => Promise<T>): Promise<T> {
  await client.query('BEGIN');
  try {
    const result = await work();
    await client.query('COMMIT');
    return result;
  } catch (err) {
    await client.query('ROLLBACK').catch(() => undefined);
    throw err;
  }
}

function asWebEmbedError(err: unknown): unknown {
  if (isWebEmbedError(err)) return err;
  const { message, code } = (err ?? {}) as { message?: string; code?: string };
  return new WebEmbedError(
    'REMOTE_FAILED',
    `Postgres failed: ${message ?? String(err)}`,
    { sqlstate: typeof code === 'string' ? code : null },
    { cause: err },
  );
}

async function connect(client: pg.Client, connectionString: string): Promise<void> {
  try {
    await client.connect();
  } catch (err) {
    throw new WebEmbedError(
      'REMOTE_FAILED',
      `could not connect to Postgres at ${redact(connectionString)}: ${(err as Error).message}`,
      undefined,
      { cause: err },
    );
  }
}

/** A connection string with its password replaced by `***`, safe for messages and logs. */
export function redact(connectionString: string): string {
  try {
    const url = new URL(connectionString);
    if (url.password) url.password = '***';
    return url.toString();
  } catch {
    return '(unparseable connection string)';
  }
}
