/**
 * Int8 scalar quantization with per-dimension calibration. A calibration is computed once from
 * a sample of corpus vectors and stored with the index; the corpus and every query are then
 * quantized with that same calibration so their codes are comparable.
 *
 * Schemes (value `x` of dimension `i`, code `c`):
 * - `ranges`: `[min_i, max_i]` maps linearly onto `[-128, 127]`; step `s_i = (max_i - min_i) / 255`,
 *   `c = round((x - min_i) / s_i) - 128`, decoded as `min_i + (c + 128) * s_i`.
 * - `symmetric`: `m_i = max |x_i|` maps onto 127 with zero kept at zero; step `s_i = m_i / 127`,
 *   `c = round(x / s_i)` in `[-127, 127]`, decoded as `c * s_i`.
 *
 * Values inside the calibrated range decode within half a step; values outside are clamped.
 *
 * @module
 */
import { WebEmbedError } from './errors.js';
import type { Float32Matrix, Int8Calibration, Int8Matrix } from './types.js';
import { assertFinite, assertFloat32Matrix, assertInt8Calibration, assertInt8Matrix } from './validate.js';

/** The two int8 calibration schemes. */
export type Int8Scheme = Int8Calibration['scheme'];

/**
 * Per-dimension calibration from a sample of vectors (typically the corpus, or a few thousand
 * rows of it). Throws `EMPTY_CORPUS` for an empty sample, `NOT_FINITE` for NaN/Infinity,
 * `INVALID_ARGUMENT` for an unknown scheme.
 *
 * @example
 * ```ts
 * const calibration = calibrateInt8(corpus, 'ranges');
 * const codes = quantizeInt8(corpus, calibration);
 * const queryCodes = quantizeInt8(queries, calibration); // same calibration for queries
 * ```
 */
export function calibrateInt8(sample: Float32Matrix, scheme: Int8Scheme = 'ranges'): Int8Calibration {
  assertFloat32Matrix(sample, 'calibration sample');
  if (scheme !== 'ranges' && scheme !== 'symmetric') {
    throw new WebEmbedError(
      'INVALID_ARGUMENT',
      `int8 scheme must be 'ranges' or 'symmetric', got ${JSON.stringify(scheme)}`,
    );
  }
  if (sample.rows === 0) {
    throw new WebEmbedError('EMPTY_CORPUS', 'int8 calibration needs at least one sample vector, got none');
  }
  assertFinite(sample.data, 'calibration sample', sample.dims);
  const { rows, dims, data } = sample;
  const min = new Float32Array(dims).fill(Number.POSITIVE_INFINITY);
  const max = new Float32Array(dims).fill(Number.NEGATIVE_INFINITY);
  for (let r = 0; r < rows; r++) {
    const base = r * dims;
    for (let i = 0; i < dims; i++) {
      const v = data[base + i];
      if (v < min[i]) min[i] = v;
      if (v > max[i]) max[i] = v;
    }
  }
  if (scheme === 'symmetric') {
    for (let i = 0; i < dims; i++) {
      const m = Math.max(-min[i], max[i]);
      min[i] = -m;
      max[i] = m;
    }
  }
  return { scheme, min, max };
}

/**
 * The affine decode of a calibration: `x = offset[i] + code * scale[i]` per dimension.
 * A dimension whose range is a single point gets scale 0 and decodes to that point.
 */
export function int8Affine(calibration: Int8Calibration): { scale: Float64Array; offset: Float64Array } {
  const dims = calibration.min.length;
  const scale = new Float64Array(dims);
  const offset = new Float64Array(dims);
  for (let i = 0; i < dims; i++) {
    const lo = calibration.min[i];
    const hi = calibration.max[i];
    if (calibration.scheme === 'symmetric') {
      scale[i] = hi / 127;
      offset[i] = 0;
    } else {
      scale[i] = (hi - lo) / 255;
      offset[i] = lo + 128 * scale[i];
    }
  }
  return { scale, offset };
}

/** Half the quantization step of each dimension: the decode error bound inside the range. */
export function int8HalfSteps(calibration: Int8Calibration): Float32Array {
  const { scale } = int8Affine(calibration);
  return Float32Array.from(scale, (s) => s / 2);
}

/**
 * Quantizes float rows with a calibration (`DIMENSION_MISMATCH` when widths differ,
 * `NOT_FINITE` for NaN/Infinity in the rows or the calibration, `INVALID_ARGUMENT` for an unknown
 * scheme or min > max: see {@link assertInt8Calibration}). Values outside the calibrated range are
 * clamped.
 */
export function quantizeInt8(m: Float32Matrix, calibration: Int8Calibration): Int8Matrix {
  assertFloat32Matrix(m, 'matrix');
  assertInt8Calibration(calibration, m.dims);
  assertFinite(m.data, 'matrix', m.dims);
  const { rows, dims, data } = m;
  const { scale, offset } = int8Affine(calibration);
  const lowest = calibration.scheme === 'symmetric' ? -127 : -128;
  const inverse = Float64Array.from(scale, (s) => (s > 0 ? 1 / s : 0));
  const codes = new Int8Array(rows * dims);
  for (let r = 0; r < rows; r++) {
    const base = r * dims;
    for (let i = 0; i < dims; i++) {
      let c = Math.round((data[base + i] - offset[i]) * inverse[i]);
      if (scale[i] === 0) c = calibration.scheme === 'symmetric' ? 0 : -128;
      codes[base + i] = Math.max(lowest, Math.min(127, c));
    }
  }
  return { data: codes, rows, dims, calibration };
}

/** Decodes int8 codes back to floats with their calibration. */
export function dequantizeInt8(m: Int8Matrix): Float32Matrix {
  assertInt8Matrix(m, 'int8 matrix');
  const { rows, dims, data } = m;
  const { scale, offset } = int8Affine(m.calibration);
  const out = new Float32Array(rows * dims);
  for (let r = 0; r < rows; r++) {
    const base = r * dims;
    for (let i = 0; i < dims; i++) out[base + i] = offset[i] + data[base + i] * scale[i];
  }
  return { data: out, rows, dims };
}

/** True when two calibrations are the same mapping (same scheme and identical bounds). */
export function sameCalibration(a: Int8Calibration, b: Int8Calibration): boolean {
  if (a === b) return true;
  if (a.scheme !== b.scheme || a.min.length !== b.min.length || a.max.length !== b.max.length) return false;
  for (let i = 0; i < a.min.length; i++) {
    if (!Object.is(a.min[i], b.min[i]) || !Object.is(a.max[i], b.max[i])) return false;
  }
  return true;
}
