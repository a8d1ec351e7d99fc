/**
 * `@webembed/core`: the pure bottom layer. Vector math, quantizers and exact CPU search over
 * typed arrays. No DOM, no GPU, no I/O.
 *
 * @example
 * ```ts
 * import { toMatrix, normalizeRows, quantizeBinary, searchTwoStage } from '@webembed/core';
 * const corpus = normalizeRows(toMatrix(vectors, 384));
 * const hits = searchTwoStage(queries, { binary: quantizeBinary(corpus), float32: corpus }, { k: 10 });
 * ```
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
export {
  cosine,
  dot,
  dotAt,
  dotMatrix,
  euclidean,
  l1Norm,
  l2Norm,
  normalize,
  normalizeRows,
  row,
  rowL1Norms,
  rowNorms,
  toMatrix,
} from './vector.js';
export { truncateDims } from './matryoshka.js';
export { assertInt8Calibration } from './validate.js';
export {
  float16BitsToFloat32,
  float32ToFloat16Bits,
  fromFloat16,
  fromFloat16Matrix,
  toFloat16,
  toFloat16Matrix,
} from './float16.js';
export {
  calibrateInt8,
  dequantizeInt8,
  int8Affine,
  int8HalfSteps,
  quantizeInt8,
  sameCalibration,
} from './int8.js';
export type { Int8Scheme } from './int8.js';
export { int8QueryScore, isInt8QueryCodes, mapInt8QueryScores, quantizeInt8Query } from './int8-query.js';
export type { Int8QueryCodes } from './int8-query.js';
export {
  hammingDistance,
  packBits,
  popcount32,
  quantizeBinary,
  unpackBits,
  wordsPerRow,
} from './binary.js';
export { createTopKHeap, drainTopK, offerTopK, resetTopKHeap } from './topk.js';
export type { TopKHeap } from './topk.js';
export { floatInverseNorms, searchFloat } from './search-float.js';
export { prepareFloatCorpus } from './wasm/float-kernel.js';
export type { FloatSearchOptions } from './search-float.js';
export { int8DotAt, searchInt8, searchInt8Js } from './search-int8.js';
export type { Int8SearchOptions } from './search-int8.js';
export { searchHamming, searchHammingJs } from './search-hamming.js';
export { hammingWasmAvailable, prepareBinaryCorpus, prepareHammingCorpus } from './wasm/binary-kernel.js';
export type { HammingSearchOptions } from './search-hamming.js';
export { binaryAsymmetricScore, buildAsymmetricTable, searchBinaryAsymmetric } from './search-asymmetric.js';
export type { AsymmetricCorrection, AsymmetricSearchOptions } from './search-asymmetric.js';
export { DEFAULT_CANDIDATE_STAGE, DEFAULT_OVERSAMPLE, searchTwoStage } from './two-stage.js';
export type { CandidateStage, TwoStageCorpus, TwoStageOptions } from './two-stage.js';
