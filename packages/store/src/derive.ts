/**
 * Derived vector forms. The store never does quantization math itself: int8 codes and binary
 * sign bits (with their L1 norms) come from `@webembed/core`'s quantizers.
 *
 * @module
 */
import {
  type BinaryMatrix,
  type Float32Matrix,
  type Int8Calibration,
  type Int8Matrix,
  calibrateInt8,
  quantizeBinary,
  quantizeInt8,
} from '@webembed/core';
import type { VectorKind } from './types.js';

/** The stored forms of a batch of float rows. */
export interface DerivedForms {
  float32?: Float32Matrix;
  int8?: Int8Matrix;
  binary?: BinaryMatrix;
}

/** Calibration from a sample of rows (scheme `ranges`), used when a collection was created without one. */
export function calibrateFrom(vectors: Float32Matrix): Int8Calibration {
  return calibrateInt8(vectors, 'ranges');
}

/** Computes every form in `kinds` for `vectors`; int8 needs `calibration`. */
export function deriveForms(
  vectors: Float32Matrix,
  kinds: readonly VectorKind[],
  calibration: Int8Calibration | null,
): DerivedForms {
  const forms: DerivedForms = {};
  if (kinds.includes('float32')) forms.float32 = vectors;
  if (kinds.includes('int8')) {
    if (!calibration) throw new Error('internal: int8 form requested without a calibration');
    forms.int8 = quantizeInt8(vectors, calibration);
  }
  if (kinds.includes('binary')) forms.binary = quantizeBinary(vectors);
  return forms;
}
