/**
 * Turning Float32Arrays into pgvector literals, with the checks every vector crossing into SQL
 * needs (length, finiteness), and the column types a collection may use.
 *
 * @module
 */
import { WebEmbedError, float16BitsToFloat32, float32ToFloat16Bits } from '@webembed/core';

/**
 * How a collection stores its full vectors: `halfvec` (2 bytes a dimension, up to 4000 dims,
 * the default) or `vector` (float32, 4 bytes a dimension; HNSW float index up to 2000 dims).
 */
export type VectorStorage = 'halfvec' | 'vector';

/** Largest dims each storage type accepts in a column (pgvector 0.8 limits). */
export const MAX_DIMS: Readonly<Record<VectorStorage, number>> = { halfvec: 16_000, vector: 16_000 };

/** Largest dims an HNSW float index accepts for each storage type (pgvector 0.8 limits). */
export const MAX_HNSW_DIMS: Readonly<Record<VectorStorage, number>> = { halfvec: 4_000, vector: 2_000 };

/** Largest dims an HNSW index over `bit(d)` accepts. */
export const MAX_HNSW_BIT_DIMS = 64_000;

/** The SQL column type of a collection's vectors, e.g. `halfvec(1024)`. */
export function columnType(storage: VectorStorage, dims: number): string {
  assertStorage(storage);
  assertDims(dims);
  return `${storage}(${dims})`;
}

/** Throws `INVALID_ARGUMENT` unless `storage` is `halfvec` or `vector`. */
export function assertStorage(storage: unknown): asserts storage is VectorStorage {
  if (storage !== 'halfvec' && storage !== 'vector') {
    throw new WebEmbedError(
      'INVALID_ARGUMENT',
      `vector storage must be "halfvec" or "vector"; got ${JSON.stringify(storage)}`,
    );
  }
}

/** Throws `INVALID_ARGUMENT` unless `dims` is an integer in 1..16000. */
export function assertDims(dims: unknown): asserts dims is number {
  if (typeof dims !== 'number' || !Number.isInteger(dims) || dims < 1 || dims > 16_000) {
    throw new WebEmbedError(
      'INVALID_ARGUMENT',
      `dims must be an integer from 1 to 16000 (the pgvector column limit); got ${String(dims)}`,
    );
  }
}

/**
 * Checks one vector against the collection's dims and finiteness: `DIMENSION_MISMATCH` for a
 * wrong length, `NOT_FINITE` for NaN or Infinity. `where` names the vector in the message.
 */
export function assertVector(vector: ArrayLike<number>, dims: number, where: string): void {
  if (vector.length !== dims) {
    throw new WebEmbedError(
      'DIMENSION_MISMATCH',
      `${where} has ${vector.length} dimensions; this collection expects ${dims}`,
      { expected: dims, actual: vector.length },
    );
  }
  for (let i = 0; i < dims; i++) {
    if (!Number.isFinite(vector[i])) {
      throw new WebEmbedError(
        'NOT_FINITE',
        `${where} holds ${vector[i]} at dimension ${i}; every value must be a finite number`,
        { index: i },
      );
    }
  }
}

/** Largest magnitude each storage type holds: float16's 65504 (halfvec), float32's (vector). */
export const MAX_STORED_VALUE: Readonly<Record<VectorStorage, number>> = {
  halfvec: 65504,
  vector: 3.4028234663852886e38,
};

/** `value` as `storage` holds it: rounded to float16 (halfvec) or float32 (vector). */
function stored(value: number, storage: VectorStorage): number {
  return storage === 'halfvec' ? float16BitsToFloat32(float32ToFloat16Bits(value)) : Math.fround(value);
}

/**
 * Throws `NOT_FINITE` when a (finite) value of `vector` would not be finite once stored as
 * `storage`: past ±65504 for halfvec (float16), past float32's range for vector. Postgres would
 * refuse such a row or query with its own message; this names the dimension and the limit first.
 */
export function assertStorable(vector: ArrayLike<number>, storage: VectorStorage, where: string): void {
  for (let i = 0; i < vector.length; i++) {
    if (!Number.isFinite(stored(vector[i], storage))) {
      throw new WebEmbedError(
        'NOT_FINITE',
        `${where} holds ${vector[i]} at dimension ${i}, past the ±${MAX_STORED_VALUE[storage]} that ${storage} can hold`,
        { index: i, limit: MAX_STORED_VALUE[storage] },
      );
    }
  }
}

/**
 * Checks a query vector that passed {@link assertVector} against what pgvector can score with
 * cosine distance, which it computes in float32 from the stored values: `NOT_FINITE` for a value
 * past the storage type's range (see {@link assertStorable}) or a squared norm past float32's
 * range (huge values), `ZERO_VECTOR` for a vector that is zero once stored (all zeros, or values
 * too small for float16), whose cosine is undefined. Local search refuses a zero query the same
 * way; without these checks Postgres answers `NaN` scores or a range error.
 */
export function assertQueryVector(vector: ArrayLike<number>, storage: VectorStorage, where: string): void {
  assertStorable(vector, storage, where);
  let squares = 0;
  for (let i = 0; i < vector.length; i++) squares += stored(vector[i], storage) ** 2;
  if (squares === 0) {
    throw new WebEmbedError(
      'ZERO_VECTOR',
      storage === 'halfvec'
        ? `${where} is zero once rounded to float16 (halfvec); a zero vector has no direction to rank by`
        : `${where} is zero; a zero vector has no direction to rank by`,
    );
  }
  // pgvector sums squares in float32: past its range (or under its smallest normal) the cosine
  // of any row would be NaN. Only a float32 column can get there; halfvec values cannot.
  if (squares > 1e38 || squares < 1e-36) {
    throw new WebEmbedError(
      'NOT_FINITE',
      `${where} has a squared norm of ${squares.toPrecision(3)}, outside the float32 range pgvector computes cosine in (1e-36 to 1e38); scale the vector`,
      { squaredNorm: squares },
    );
  }
}

/**
 * A vector in pgvector's binary wire format (what `vector_recv` / `halfvec_recv` read), sent as
 * a binary query parameter: int16 dims, int16 zero, then each value big-endian as float32
 * (`vector`) or IEEE half (`halfvec`, rounded to nearest even by core's float32ToFloat16Bits).
 * About 3x smaller than the text form and no float printing or parsing on either side.
 */
export function vectorBinary(vector: ArrayLike<number>, storage: VectorStorage): Buffer {
  const dims = vector.length;
  const width = storage === 'halfvec' ? 2 : 4;
  const buffer = Buffer.allocUnsafe(4 + dims * width);
  buffer.writeInt16BE(dims, 0);
  buffer.writeInt16BE(0, 2);
  if (storage === 'halfvec') {
    for (let i = 0; i < dims; i++) buffer.writeUInt16BE(float32ToFloat16Bits(vector[i]), 4 + i * 2);
  } else {
    for (let i = 0; i < dims; i++) buffer.writeFloatBE(vector[i], 4 + i * 4);
  }
  return buffer;
}
