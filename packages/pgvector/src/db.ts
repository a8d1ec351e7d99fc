/**
 * Where the SQL goes: a connection string, a `pg.Pool` or a connected `pg.Client`; a helper that
 * borrows one client for a unit of work and always gives it back; and a session that reconnects
 * when the connection is lost (a restarted Postgres) and reruns the step that failed.
 *
 * A client whose connection drops emits `'error'`, and an EventEmitter with no listener for it
 * throws, which kills the process. Every client borrowed here has a listener while it is in use;
 * the query that was running fails with the error instead.
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
 * WebEmbedErrors (SQLSTATE in `details.sqlstate`, `details.connection` true when the connection
 * was lost or never made, the original as `cause`).
 */
export async function withClient<T>(
  target: PgTarget,
  work: (client: pg.ClientBase) => Promise<T>,
): Promise<T> {
  try {
    const lease = await acquire(target);
    let failed = false;
    try {
      return await work(lease.client);
    } catch (err) {
      failed = true;
      throw err;
    } finally {
      await lease.release(failed);
    }
  } catch (err) {
    throw asWebEmbedError(err);
  }
}

/** How a {@link withSession} session reconnects after losing its connection. */
export interface ReconnectPolicy {
  /** Reconnections tried in a row before giving up (default 8; 0 never reconnects). */
  readonly retries?: number;
  /** Wait before the first reconnection, doubled each time up to 5 s (default 250 ms). */
  readonly retryDelayMs?: number;
  /** Hears of each lost connection before the wait: the try (1, 2, ...), the wait, the error. */
  readonly onReconnect?: (event: { attempt: number; delayMs: number; error: WebEmbedError }) => void;
}

/** One connection at a time to a target, replaced when it is lost. */
export interface Session {
  /**
   * Runs `step` on the session's connection. When the connection is lost during the step (or a
   * new one cannot be made), the session waits, reconnects and runs the step again, up to the
   * policy's retries in a row: steps must therefore be safe to repeat (a transaction that rolls
   * back as a whole, an idempotent upsert, a read).
   */
  run<T>(step: (client: pg.ClientBase) => Promise<T>): Promise<T>;
}

/**
 * Runs `work` with a {@link Session} on `target`. The first connection is made once, without
 * retries (a wrong address fails at once); later losses are retried by {@link Session.run}.
 * A `pg.Client` target cannot be reconnected: its losses fail the step. Errors come out as in
 * {@link withClient}.
 */
export async function withSession<T>(
  target: PgTarget,
  policy: ReconnectPolicy,
  work: (session: Session) => Promise<T>,
): Promise<T> {
  const retries = policy.retries ?? 8;
  const firstDelay = policy.retryDelayMs ?? 250;
  if (!Number.isInteger(retries) || retries < 0 || retries > 100) {
    throw new WebEmbedError('INVALID_ARGUMENT', `retries must be an integer from 0 to 100; got ${retries}`);
  }
  if (!Number.isFinite(firstDelay) || firstDelay < 0 || firstDelay > 60_000) {
    throw new WebEmbedError(
      'INVALID_ARGUMENT',
      `retryDelayMs must be a number of milliseconds from 0 to 60000; got ${firstDelay}`,
    );
  }
  const reconnectable = !(target instanceof pg.Client);
  let lease: Lease | null = null;
  try {
    lease = await acquire(target);
    const session: Session = {
      async run(step) {
        for (let attempt = 0; ; attempt++) {
          try {
            if (!lease) lease = await acquire(target);
            return await step(lease.client);
          } catch (err) {
            if (!reconnectable || !isConnectionLoss(err) || attempt >= retries) throw err;
            await lease?.release(true);
            lease = null;
            const delayMs = Math.min(5000, firstDelay * 2 ** attempt);
            policy.onReconnect?.({
              attempt: attempt + 1,
              delayMs,
              error: asWebEmbedError(err) as WebEmbedError,
            });
            await new Promise((resolve) => setTimeout(resolve, delayMs));
          }
        }
      },
    };
    const result = await work(session);
    await lease?.release(false);
    lease = null;
    return result;
  } catch (err) {
    await lease?.release(true);
    throw asWebEmbedError(err);
  }
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

/** SQLSTATEs of a connection that is gone or cannot be made yet: class 08 and the shutdown codes. */
const LOST_SQLSTATE = /^(08...|57P0[1-3])$/;
/** Node socket errors of a connection that is gone or refused. */
const LOST_SOCKET = new Set([
  'ECONNREFUSED',
  'ECONNRESET',
  'EPIPE',
  'ETIMEDOUT',
  'EHOSTUNREACH',
  'ENETUNREACH',
  'ENETDOWN',
  'EAI_AGAIN',
]);
/** pg's own messages for a lost connection (plain Errors without a code). */
const LOST_MESSAGE =
  /Connection terminated|Connection ended|not queryable|timeout exceeded when trying to connect|Client was closed/i;

/**
 * True when `err` (from pg, or a REMOTE_FAILED made from one) means the connection to Postgres
 * was lost or could not be made, as opposed to an error in the SQL or the data. Such failures
 * may pass (a restarting server); others will not.
 */
export function isConnectionLoss(err: unknown): boolean {
  if (isWebEmbedError(err)) {
    if (err.details?.connection === true) return true;
    return err.code === 'REMOTE_FAILED' && err.cause !== undefined && isConnectionLoss(err.cause);
  }
  const { code, message } = (err ?? {}) as { code?: unknown; message?: unknown };
  if (typeof code === 'string' && (LOST_SQLSTATE.test(code) || LOST_SOCKET.has(code))) return true;
  return typeof message === 'string' && LOST_MESSAGE.test(message);
}

interface Lease {
  readonly client: pg.ClientBase;
  release(broken: boolean): Promise<void>;
}

/** Ignores a borrowed client's `'error'` event: the running query fails with it instead. */
const ignoreClientError = () => undefined;

async function acquire(target: PgTarget): Promise<Lease> {
  if (typeof target === 'string') {
    const client = new pg.Client({ connectionString: target });
    // Listening before connect: a connection lost while idle between steps must not throw.
    client.on('error', ignoreClientError);
    await connect(client, target);
    return {
      client,
      release: async () => {
        await client.end().catch(() => undefined);
      },
    };
  }
  if (target instanceof pg.Pool) {
    const client = await target.connect();
    // The pool takes its idle-client listener off while a client is lent out.
    client.on('error', ignoreClientError);
    return {
      client,
      release: async (broken) => {
        client.off('error', ignoreClientError);
        client.release(broken);
      },
    };
  }
  target.on('error', ignoreClientError);
  return {
    client: target,
    release: async () => {
      target.off('error', ignoreClientError);
    },
  };
}

function asWebEmbedError(err: unknown): unknown {
  if (isWebEmbedError(err)) return err;
  const { message, code } = (err ?? {}) as { message?: string; code?: string };
  return new WebEmbedError(
    'REMOTE_FAILED',
    `Postgres failed: ${message ?? String(err)}`,
    {
      // SQLSTATEs are five digits or capitals; no class starts with E, which Node's errnos do.
      sqlstate: typeof code === 'string' && /^[0-9A-DF-Z][0-9A-Z]{4}$/.test(code) ? code : null,
      connection: isConnectionLoss(err),
    },
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
      { sqlstate: null, connection: true },
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
