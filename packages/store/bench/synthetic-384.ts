/**
 * The synthetic 384-dimension vectors the IndexedDB benchmarks write (`pnpm bench store` and the
 * memory probe of `pnpm bench browsers`): a fixed fingerprint and xorshift-generated rows, so a
 * batch is a pure function of its seed.
 */
import type { Float32Matrix } from '@webembed/core';

/** Dimensions of every vector. */
export const DIMS = 384;

/** The model fingerprint the synthetic collections carry. */
export const fingerprint = {
  modelId: 'bench/synthetic-384',
  revision: '',
  dims: DIMS,
  pooling: 'mean' as const,
  normalized: true,
  prefixScheme: 'none',
  matryoshkaDims: null,
  dtype: 'fp32',
};

/** `rows` vectors with values in [-1, 1), the same for the same `seed`. */
export function randomBatch(rows: number, seed: number): Float32Matrix {
  const data = new Float32Array(rows * DIMS);
  let s = seed >>> 0 || 1;
  for (let i = 0; i < data.length; i++) {
    s ^= s << 13;
    s ^= s >>> 17;
    s ^= s << 5;
    data[i] = (s >>> 0) / 2147483648 - 1;
  }
  return { data, rows, dims: DIMS };
}
