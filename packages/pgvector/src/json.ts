/**
 * Checks that a value really is plain JSON (metadata, filters); the JSON types are the protocol's.
 *
 * @module
 */
import { WebEmbedError } from '@webembed/core';
import type { JsonObject } from '@webembed/remote';

export type { JsonObject, JsonValue } from '@webembed/remote';

/** True for a plain object (not an array, not null, not a class instance such as Date). */
export function isPlainObject(value: unknown): value is Record<string, unknown> {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return false;
  const proto = Object.getPrototypeOf(value);
  return proto === Object.prototype || proto === null;
}

/** U+0000 (matched deliberately: Postgres refuses it), or a UTF-16 surrogate without its pair. */
// biome-ignore lint/suspicious/noControlCharactersInRegex: finding U+0000 is the point
const NOT_STORABLE = /\u0000|[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/;

/**
 * Throws `INVALID_ARGUMENT` when `value` holds U+0000 (Postgres text and jsonb cannot store it)
 * or an unpaired surrogate (not Unicode: UTF-8 encoding would silently turn it into U+FFFD).
 * `where` names the string in the message.
 */
export function assertStorableString(value: string, where: string): void {
  const match = NOT_STORABLE.exec(value);
  if (match) {
    const code = match[0].charCodeAt(match[0].length - 1);
    throw new WebEmbedError(
      'INVALID_ARGUMENT',
      `${where} holds ${code === 0 ? 'U+0000, which Postgres cannot store' : `an unpaired surrogate U+${code.toString(16).toUpperCase()}, which is not Unicode text`} (at character ${match.index})`,
      { index: match.index },
    );
  }
}

/** Bounds on a filter: how deep its values nest and how many values it holds in all. */
export const FILTER_LIMITS = { maxDepth: 32, maxValues: 1000 } as const;

/**
 * Throws `INVALID_ARGUMENT` unless `value` is a metadata equality filter: a plain object of JSON
 * values (matched by JSON containment, so `{ lang: 'en' }` matches rows whose metadata has
 * `lang: 'en'` among other keys), nested at most {@link FILTER_LIMITS}.maxDepth levels and
 * holding at most {@link FILTER_LIMITS}.maxValues values in all, itself and its arrays and objects included (a filter is a few fields; these
 * bounds keep a hostile one from costing the service or Postgres a deep recursion).
 */
export function assertFilter(value: unknown): asserts value is JsonObject {
  if (!isPlainObject(value)) {
    throw new WebEmbedError(
      'INVALID_ARGUMENT',
      `filter must be a plain object of metadata fields to match, e.g. { lang: 'en' }; got ${describe(value)}`,
    );
  }
  assertJson(value, 'filter', FILTER_LIMITS);
}

/** Throws `INVALID_ARGUMENT` unless `value` is a JSON object or null/undefined (row metadata). */
export function assertMetadata(
  value: unknown,
  where: string,
): asserts value is JsonObject | null | undefined {
  if (value === null || value === undefined) return;
  if (!isPlainObject(value)) {
    throw new WebEmbedError(
      'INVALID_ARGUMENT',
      `${where}: metadata must be a plain JSON object or null; got ${describe(value)}`,
    );
  }
  assertJson(value, `${where}: metadata`);
}

/**
 * Walks `value` with an explicit stack (no recursion, so no depth overflows the call stack) and
 * throws `INVALID_ARGUMENT` at the first value JSON cannot hold, a string or key Postgres' jsonb
 * cannot store ({@link assertStorableString}), or past `limits`.
 */
function assertJson(
  value: unknown,
  path: string,
  limits: { readonly maxDepth: number; readonly maxValues: number } = {
    maxDepth: Number.POSITIVE_INFINITY,
    maxValues: Number.POSITIVE_INFINITY,
  },
): void {
  const pending: [item: unknown, where: string, depth: number][] = [[value, path, 0]];
  let seen = 0;
  while (pending.length > 0) {
    const [item, where, depth] = pending.pop() as [unknown, string, number];
    seen += 1;
    if (seen > limits.maxValues) {
      throw new WebEmbedError(
        'INVALID_ARGUMENT',
        `${path} holds more than ${limits.maxValues} values; match on fewer fields`,
        { limit: limits.maxValues },
      );
    }
    if (depth > limits.maxDepth) {
      throw new WebEmbedError(
        'INVALID_ARGUMENT',
        `${path} is nested deeper than ${limits.maxDepth} levels (at ${where.slice(0, 80)}...)`,
        { limit: limits.maxDepth },
      );
    }
    if (item === null || typeof item === 'boolean') continue;
    if (typeof item === 'string') {
      assertStorableString(item, where);
      continue;
    }
    if (typeof item === 'number') {
      if (!Number.isFinite(item)) {
        throw new WebEmbedError('INVALID_ARGUMENT', `${where} holds ${item}, which JSON cannot represent`);
      }
      continue;
    }
    if (Array.isArray(item)) {
      for (let i = item.length - 1; i >= 0; i--) pending.push([item[i], `${where}[${i}]`, depth + 1]);
      continue;
    }
    if (isPlainObject(item)) {
      const entries = Object.entries(item);
      for (const [key] of entries) assertStorableString(key, `a key of ${where}`);
      for (let i = entries.length - 1; i >= 0; i--) {
        pending.push([entries[i][1], `${where}.${entries[i][0]}`, depth + 1]);
      }
      continue;
    }
    throw new WebEmbedError(
      'INVALID_ARGUMENT',
      `${where} holds ${describe(item)}, which is not a JSON value`,
    );
  }
}

function describe(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'an array';
  if (typeof value === 'object') return `an instance of ${value.constructor?.name ?? 'an unknown class'}`;
  return typeof value;
}
