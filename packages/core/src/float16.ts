/**
 * IEEE 754 half-precision storage: float32 values rounded to the nearest float16 (ties to
 * even), with subnormals, signed zeros, infinities and NaN handled, and back. Halves the bytes
 * of a stored vector at a relative error of at most 2^-11 for normal values.
 *
 * @module
 */
import type { Float16Matrix, Float32Matrix } from './types.js';
import { assertFloat32Matrix } from './validate.js';
import { WebEmbedError } from './errors.js';

const scratchFloat = new Float32Array(1);
const scratchBits = new Uint32Array(scratchFloat.buffer);

/** Rounds `full >>> shift` to nearest, ties to even (`shift >= 1`). */
function shiftRoundEven(full: number, shift: number): number {
  const q = full >>> shift;
  const rem = full & ((1 << shift) - 1);
  const half = 1 << (shift - 1);
  return rem > half || (rem === half && (q & 1) === 1) ? q + 1 : q;
}

/**
 * The float16 bit pattern nearest to `value` (rounded to float32 first), ties to even.
 * Values beyond the float16 range become infinity; NaN stays a quiet NaN.
 */
export function float32ToFloat16Bits(value: number): number {
  scratchFloat[0] = value;
  const bits = scratchBits[0];
  const sign = (bits >>> 16) & 0x8000;
  const exp = (bits >>> 23) & 0xff;
  const mant = bits & 0x7fffff;
  if (exp === 0xff) return mant === 0 ? sign | 0x7c00 : sign | 0x7e00 | (mant >>> 13);
  const halfExp = exp - 112; // re-biased exponent: 127 - 15
  if (halfExp >= 0x1f) return sign | 0x7c00;
  if (halfExp <= 0) {
    // Subnormal half (or zero): value = m * 2^-24 with m = full * 2^(exp - 126).
    const shift = 126 - exp;
    if (shift > 24) return sign;
    return sign | shiftRoundEven(mant | 0x800000, shift);
  }
  // A carry out of the mantissa correctly bumps the exponent (up to infinity).
  return sign | shiftRoundEven((halfExp << 23) | mant, 13);
}

let decodeTable: Float32Array | null = null;

function buildDecodeTable(): Float32Array {
  const table = new Float32Array(65536);
  for (let h = 0; h < 65536; h++) {
    const sign = h & 0x8000 ? -1 : 1;
    const exp = (h >>> 10) & 0x1f;
    const mant = h & 0x3ff;
    let v: number;
    if (exp === 0) v = mant * 2 ** -24;
    else if (exp === 0x1f) v = mant === 0 ? Number.POSITIVE_INFINITY : Number.NaN;
    else v = (1 + mant / 1024) * 2 ** (exp - 15);
    table[h] = sign * v;
  }
  return table;
}

/** The float value of a float16 bit pattern (`0..0xffff`). */
export function float16BitsToFloat32(bits: number): number {
  decodeTable ??= buildDecodeTable();
  return decodeTable[bits & 0xffff];
}

/**
 * Rounds every value to float16, returning the raw bit patterns.
 *
 * @example
 * ```ts
 * const bits = toFloat16(new Float32Array([0.1, -2, 65520])); // 65520 overflows to +Infinity
 * const back = fromFloat16(bits); // ~[0.0999755859375, -2, Infinity]
 * ```
 */
export function toFloat16(values: Float32Array): Uint16Array {
  if (!(values instanceof Float32Array)) {
    throw new WebEmbedError('INVALID_ARGUMENT', 'toFloat16 expects a Float32Array');
  }
  const out = new Uint16Array(values.length);
  for (let i = 0; i < values.length; i++) out[i] = float32ToFloat16Bits(values[i]);
  return out;
}

/** Decodes float16 bit patterns back to float32 (exact: every float16 is a float32). */
export function fromFloat16(bits: Uint16Array): Float32Array {
  if (!(bits instanceof Uint16Array)) {
    throw new WebEmbedError('INVALID_ARGUMENT', 'fromFloat16 expects a Uint16Array of float16 bit patterns');
  }
  decodeTable ??= buildDecodeTable();
  const table = decodeTable;
  const out = new Float32Array(bits.length);
  for (let i = 0; i < bits.length; i++) out[i] = table[bits[i]];
  return out;
}

/** A float matrix stored as float16. */
export function toFloat16Matrix(m: Float32Matrix): Float16Matrix {
  assertFloat32Matrix(m, 'matrix');
  return { bits: toFloat16(m.data), rows: m.rows, dims: m.dims };
}

/** A float16 matrix decoded to float32. */
export function fromFloat16Matrix(m: Float16Matrix): Float32Matrix {
  if (!m || !(m.bits instanceof Uint16Array) || m.bits.length !== m.rows * m.dims) {
    throw new WebEmbedError(
      'MISALIGNED_BUFFER',
      `float16 matrix must hold rows x dims = ${m?.rows} x ${m?.dims} values in a Uint16Array, got ${m?.bits?.length}`,
    );
  }
  return { data: fromFloat16(m.bits), rows: m.rows, dims: m.dims };
}
