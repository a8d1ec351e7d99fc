/**
 * The JSON schemas the search service validates requests with. The wire types and limits they
 * encode live in `@webembed/remote`, shared with the one client.
 *
 * @module
 */
import { REMOTE_LIMITS } from '@webembed/remote';
import { fingerprintJsonSchema } from './fingerprint.js';

/** JSON schema of the `:name` route parameter. */
export const collectionParamsSchema = {
  type: 'object',
  required: ['name'],
  properties: { name: { type: 'string', pattern: '^[A-Za-z][A-Za-z0-9_-]{0,47}$' } },
} as const;

/** JSON schema of a search request (`RemoteSearchRequest` of `@webembed/remote`). */
export const searchRequestSchema = {
  type: 'object',
  additionalProperties: false,
  properties: {
    vector: { type: 'array', minItems: 1, maxItems: REMOTE_LIMITS.maxDims, items: { type: 'number' } },
    text: { type: 'string', minLength: 1, maxLength: REMOTE_LIMITS.maxTextLength },
    fingerprint: fingerprintJsonSchema,
    k: { type: 'integer', minimum: 1, maximum: REMOTE_LIMITS.maxK },
    mode: { enum: ['float32', 'binary-rescore'] },
    oversample: { type: 'integer', minimum: 1, maximum: REMOTE_LIMITS.maxOversample },
    filter: { type: 'object' },
    exact: { type: 'boolean' },
  },
  oneOf: [
    { required: ['vector', 'fingerprint'], not: { required: ['text'] } },
    { required: ['text'], not: { required: ['vector'] } },
  ],
} as const;
