/**
 * Collection names and SQL identifiers. Collection names come from users and URLs, so they are
 * validated against a narrow pattern before they reach SQL, and every identifier is quoted.
 *
 * @module
 */
import { WebEmbedError } from '@webembed/core';

/** Letters, digits, `_` and `-`, starting with a letter, at most 48 characters. */
const COLLECTION_NAME = /^[A-Za-z][A-Za-z0-9_-]{0,47}$/;

/** Prefix of every table holding a collection's rows. */
export const TABLE_PREFIX = 'webembed_c_';

/** The table listing every collection with its model fingerprint. */
export const CATALOG_TABLE = 'webembed_collections';

/** The table recording how far each bulk load got (for resuming). */
export const LOADS_TABLE = 'webembed_loads';

/**
 * Throws `INVALID_ARGUMENT` unless `name` is a valid collection name: 1 to 48 characters,
 * letters, digits, `_` or `-`, starting with a letter.
 *
 * @example
 * ```ts
 * assertCollectionName('docs-v2'); // ok
 * assertCollectionName('docs; drop table x'); // throws WebEmbedError INVALID_ARGUMENT
 * ```
 */
export function assertCollectionName(name: unknown): asserts name is string {
  if (typeof name !== 'string' || !COLLECTION_NAME.test(name)) {
    throw new WebEmbedError(
      'INVALID_ARGUMENT',
      `collection name ${JSON.stringify(name)} is not valid: expected 1 to 48 characters of letters, digits, "_" or "-", starting with a letter`,
      { name: typeof name === 'string' ? name : String(name) },
    );
  }
}

/** Quotes an SQL identifier (doubling embedded quotes), e.g. `docs` -> `"docs"`. */
export function quoteIdent(identifier: string): string {
  if (identifier.length === 0 || identifier.includes('\0')) {
    throw new WebEmbedError(
      'INVALID_ARGUMENT',
      'an SQL identifier must be non-empty and contain no NUL byte',
    );
  }
  return `"${identifier.replaceAll('"', '""')}"`;
}

/** The quoted table name holding collection `name`'s rows (validates the name first). */
export function collectionTable(name: string): string {
  assertCollectionName(name);
  return quoteIdent(TABLE_PREFIX + name);
}

/** A quoted name for an index on collection `name`'s table, e.g. `"webembed_c_docs_bq_hnsw"`. */
export function collectionIndex(name: string, suffix: string): string {
  assertCollectionName(name);
  return quoteIdent(`${TABLE_PREFIX}${name}_${suffix}`);
}
