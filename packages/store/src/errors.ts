/**
 * Translating IndexedDB failures into the project's error family.
 *
 * @module
 */
import { WebEmbedError, isWebEmbedError } from '@webembed/core';

function domName(err: unknown): string | undefined {
  if (typeof err !== 'object' || err === null) return undefined;
  const name = (err as { name?: unknown }).name;
  return typeof name === 'string' ? name : undefined;
}

/** True when `err` (or its cause chain) is a storage quota failure. */
export function isQuotaError(err: unknown): boolean {
  let current: unknown = err;
  for (let depth = 0; depth < 4 && current !== undefined && current !== null; depth++) {
    const name = domName(current);
    if (name === 'QuotaExceededError') return true;
    if (isWebEmbedError(current, 'QUOTA_EXCEEDED')) return true;
    current = (current as { cause?: unknown }).cause;
  }
  return false;
}

/**
 * Maps anything thrown while talking to IndexedDB to a {@link WebEmbedError}: our own errors pass
 * through, quota failures become `QUOTA_EXCEEDED`, a closed or closing connection `DB_CLOSED`, a
 * too-new database `UNSUPPORTED_FORMAT`, everything else `TRANSACTION_FAILED`.
 */
export function toStoreError(err: unknown, action: string): WebEmbedError {
  if (err instanceof WebEmbedError) return err;
  const name = domName(err);
  const message = err instanceof Error ? err.message : String(err);
  if (isQuotaError(err)) {
    return new WebEmbedError(
      'QUOTA_EXCEEDED',
      `${action}: the browser's storage quota is exhausted (${message}); nothing was written. Free space (delete or compact collections) or call requestPersistence()`,
      { action },
      { cause: err },
    );
  }
  if (name === 'InvalidStateError' && /clos/i.test(message)) {
    return new WebEmbedError(
      'DB_CLOSED',
      `${action}: the database connection is closed; open the store again`,
      { action },
      { cause: err },
    );
  }
  if (name === 'VersionError') {
    return new WebEmbedError(
      'UNSUPPORTED_FORMAT',
      `${action}: the database was written by a newer version of webembed (${message})`,
      { action },
      { cause: err },
    );
  }
  return new WebEmbedError(
    'TRANSACTION_FAILED',
    `${action}: the IndexedDB transaction failed (${name ?? 'Error'}: ${message}); nothing was written`,
    { action, domError: name ?? null },
    { cause: err },
  );
}

/** The error thrown for every call on a store handle after `close()`. */
export function closedError(action: string): WebEmbedError {
  return new WebEmbedError('DB_CLOSED', `${action}: this store was closed; call openVectorStore() again`, {
    action,
  });
}
