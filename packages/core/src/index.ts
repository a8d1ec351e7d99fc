/**
 * `@webembed/core`: the pure bottom layer. Vector math, quantizers and exact CPU search over
 * typed arrays. No DOM, no GPU, no I/O.
 *
 * @module
 */
export { WebEmbedError, isWebEmbedError } from './errors.js';
export type { WebEmbedErrorCode, WebEmbedErrorDetails } from './errors.js';
export type {
  BinaryMatrix,
  Float16Matrix,
  Float32Matrix,
  Int8Calibration,
  Int8Matrix,
  SearchOptions,
  TopK,
} from './types.js';
export { assertSameModel, fingerprintDifferences, fingerprintKey } from './fingerprint.js';
export type { ModelFingerprint } from './fingerprint.js';
