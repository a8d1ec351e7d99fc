/**
 * Model fingerprints: everything that decides which vector space an embedding lives in.
 * Two vectors are comparable only when their fingerprints are equal; every collection
 * (IndexedDB, export file, Postgres table) stores one and refuses vectors of another.
 *
 * @module
 */
import { WebEmbedError } from './errors.js';

/** Identity of the vector space a collection's embeddings belong to. */
export interface ModelFingerprint {
  /** Model id as loaded, e.g. `Xenova/multilingual-e5-small`. */
  readonly modelId: string;
  /** Revision, or a hash of the model files, when known; `''` when not. */
  readonly revision: string;
  /** Output dimensions after any Matryoshka truncation. */
  readonly dims: number;
  /** Token pooling used to make one vector a text. */
  readonly pooling: 'mean' | 'cls' | 'none';
  /** Whether vectors are L2-normalized. */
  readonly normalized: boolean;
  /** Instruction prefix scheme, e.g. `e5` (`query: ` / `passage: `), `bge`, or `none`. */
  readonly prefixScheme: string;
  /** Matryoshka length the vectors were truncated to, or `null` for the model's full width. */
  readonly matryoshkaDims: number | null;
  /** Model weights' dtype (fp32, fp16, q8, q4): quantized weights move vectors slightly. */
  readonly dtype: string;
}

const FIELDS: readonly (keyof ModelFingerprint)[] = [
  'modelId',
  'revision',
  'dims',
  'pooling',
  'normalized',
  'prefixScheme',
  'matryoshkaDims',
  'dtype',
];

/** Names of the fields in which two fingerprints differ (empty when they are equal). */
export function fingerprintDifferences(a: ModelFingerprint, b: ModelFingerprint): (keyof ModelFingerprint)[] {
  return FIELDS.filter((field) => a[field] !== b[field]);
}

/**
 * Throws `MODEL_MISMATCH` unless `actual` describes the same vector space as `expected`.
 * The message names each differing field with both values.
 */
export function assertSameModel(
  expected: ModelFingerprint,
  actual: ModelFingerprint,
  what = 'vectors',
): void {
  const diff = fingerprintDifferences(expected, actual);
  if (diff.length === 0) return;
  const parts = diff.map(
    (f) => `${f}: expected ${JSON.stringify(expected[f])}, got ${JSON.stringify(actual[f])}`,
  );
  throw new WebEmbedError(
    'MODEL_MISMATCH',
    `${what} come from a different model than this collection (${parts.join('; ')}); vectors of two models never mix`,
    { fields: diff.join(',') },
  );
}

/** A short stable key for a fingerprint, for cache keys and table names. */
export function fingerprintKey(fp: ModelFingerprint): string {
  return FIELDS.map((f) => String(fp[f])).join('|');
}
