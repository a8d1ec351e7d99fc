/**
 * JSON value types for metadata, and checks that a value really is plain JSON.
 *
 * @module
 */
import { WebEmbedError } from '@webembed/core';

/** Any JSON value. */
export type JsonValue = string | number | boolean | null | JsonValue[] | { [key: string]: JsonValue };

/** A JSON object (document metadata, filters). */
export type JsonObject = { [key: string]: JsonValue };

/** True for a plain object (not an array, not null, not a class instance such as Date). */
export function isPlainObject(value: unknown): value is Record<string, unknown> {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return false;
  const proto = Object.getPrototypeOf(value);
  return proto === Object.prototype || proto === null;
}

/**
 * Throws `INVALID_ARGUMENT` unless `value` is a metadata equality filter: a plain object of JSON
 * values (matched by JSON containment, so `{ lang: 'en' }` matches rows whose metadata has
 * `lang: 'en'` among other keys).
 */
export function assertFilter(value: unknown): asserts value is JsonObject {
  if (!isPlainObject(value)) {
    throw new WebEmbedError(
      'INVALID_ARGUMENT',
      `filter must be a plain object of metadata fields to match, e.g. { lang: 'en' }; got ${describe(value)}`,
    );
  }
  assertJson(value, 'filter');
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

function assertJson(value: unknown, path: string): void {
  if (value === null || typeof value === 'string' || typeof value === 'boolean') return;
  if (typeof value === 'number') {
    if (!Number.isFinite(value)) {
      throw new WebEmbedError('INVALID_ARGUMENT', `${path} holds ${value}, which JSON cannot represent`);
    }
    return;
  }
  if (Array.isArray(value)) {
    for (let i = 0; i < value.length; i++) assertJson(value[i], `${path}[${i}]`);
    return;
  }
  if (isPlainObject(value)) {
    for (const [key, item] of Object.entries(value)) assertJson(item, `${path}.${key}`);
    return;
  }
  throw new WebEmbedError('INVALID_ARGUMENT', `${path} holds ${describe(value)}, which is not a JSON value`);
}

function describe(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'an array';
  if (typeof value === 'object') return `an instance of ${value.constructor?.name ?? 'an unknown class'}`;
  return typeof value;
}
