/**
 * Checking that a value received from outside (a JSON request, a catalog row) is a complete
 * {@link ModelFingerprint}, and the JSON schema the HTTP service uses for it.
 *
 * @module
 */
import { type ModelFingerprint, WebEmbedError } from '@webembed/core';
import { isPlainObject } from './json.js';

/** JSON schema of a ModelFingerprint (used by the HTTP service's request validation). */
export const fingerprintJsonSchema = {
  type: 'object',
  additionalProperties: false,
  required: [
    'modelId',
    'revision',
    'dims',
    'pooling',
    'normalized',
    'prefixScheme',
    'matryoshkaDims',
    'dtype',
  ],
  properties: {
    modelId: { type: 'string', minLength: 1, maxLength: 300 },
    revision: { type: 'string', maxLength: 300 },
    dims: { type: 'integer', minimum: 1, maximum: 16000 },
    pooling: { enum: ['mean', 'cls', 'none'] },
    normalized: { type: 'boolean' },
    prefixScheme: { type: 'string', maxLength: 100 },
    matryoshkaDims: { anyOf: [{ type: 'integer', minimum: 1, maximum: 16000 }, { type: 'null' }] },
    dtype: { type: 'string', minLength: 1, maxLength: 50 },
  },
} as const;

/**
 * Returns `value` as a ModelFingerprint, or throws `INVALID_ARGUMENT` naming the first missing or
 * mistyped field. `where` names the value in the message.
 */
export function parseFingerprint(value: unknown, where = 'fingerprint'): ModelFingerprint {
  if (!isPlainObject(value)) {
    throw new WebEmbedError('INVALID_ARGUMENT', `${where} must be a ModelFingerprint object`);
  }
  const fail = (field: string, expected: string): never => {
    throw new WebEmbedError(
      'INVALID_ARGUMENT',
      `${where}.${field} must be ${expected}; got ${JSON.stringify(value[field]) ?? 'nothing'}`,
      { field },
    );
  };
  const str = (field: string) => typeof value[field] === 'string' || fail(field, 'a string');
  str('modelId');
  if ((value.modelId as string).length === 0) fail('modelId', 'a non-empty string');
  str('revision');
  str('prefixScheme');
  str('dtype');
  const dims = value.dims;
  if (typeof dims !== 'number' || !Number.isInteger(dims) || dims < 1) fail('dims', 'a positive integer');
  if (value.pooling !== 'mean' && value.pooling !== 'cls' && value.pooling !== 'none') {
    fail('pooling', '"mean", "cls" or "none"');
  }
  if (typeof value.normalized !== 'boolean') fail('normalized', 'a boolean');
  const m = value.matryoshkaDims;
  if (m !== null && (typeof m !== 'number' || !Number.isInteger(m) || m < 1)) {
    fail('matryoshkaDims', 'a positive integer or null');
  }
  return {
    modelId: value.modelId as string,
    revision: value.revision as string,
    dims: dims as number,
    pooling: value.pooling as ModelFingerprint['pooling'],
    normalized: value.normalized as boolean,
    prefixScheme: value.prefixScheme as string,
    matryoshkaDims: m as number | null,
    dtype: value.dtype as string,
  };
}
