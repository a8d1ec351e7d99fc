/** Shared test helpers: seeded data and top-k comparison against the CPU reference. */
import type { Float32Matrix, TopK } from '@webembed/core';
import { expect } from 'vitest';

/** Deterministic PRNG (mulberry32). */
export function rng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** `rows x dims` values in [-1, 1), with a few exact zeros and repeated rows to create ties. */
export function randomMatrix(rows: number, dims: number, seed: number, duplicates = true): Float32Matrix {
  const next = rng(seed);
  const data = new Float32Array(rows * dims);
  for (let i = 0; i < data.length; i++) data[i] = next() < 0.03 ? 0 : next() * 2 - 1;
  if (duplicates) {
    // Copy some rows onto later rows so equal scores (ties) occur and must go to the lower row.
    for (let r = 3; r < rows; r += 7) data.copyWithin(r * dims, (r - 3) * dims, (r - 2) * dims);
  }
  return { data, rows, dims };
}

/** Exact equality of rows and scores (Hamming, int8). */
export function expectSameTopK(actual: TopK, expected: TopK): void {
  expect(actual.queries).toBe(expected.queries);
  expect(actual.k).toBe(expected.k);
  expect(Array.from(actual.indices)).toEqual(Array.from(expected.indices));
  expect(Array.from(actual.scores)).toEqual(Array.from(expected.scores));
}

/**
 * Float equality within `tolerance` (absolute, on scores scaled by `scale`): scores must agree
 * position by position; rows must agree except between hits whose scores are within tolerance
 * (a near-tie may be ordered either way by different summation orders).
 */
export function expectCloseTopK(actual: TopK, expected: TopK, tolerance: number): void {
  expect(actual.queries).toBe(expected.queries);
  expect(actual.k).toBe(expected.k);
  const { k } = expected;
  for (let q = 0; q < expected.queries; q++) {
    for (let i = 0; i < k; i++) {
      const at = q * k + i;
      const a = actual.scores[at];
      const e = expected.scores[at];
      if (Math.abs(a - e) > tolerance * Math.max(1, Math.abs(e))) {
        throw new Error(
          `query ${q} rank ${i}: score ${a}, expected ${e} (row ${actual.indices[at]} vs ${expected.indices[at]})`,
        );
      }
      if (actual.indices[at] !== expected.indices[at]) {
        // Allowed only for a near-tie: the row the GPU put here scores the same as the expected one.
        const row = actual.indices[at];
        const expectedRank = Array.from(expected.indices.subarray(q * k, q * k + k)).indexOf(row);
        const near =
          expectedRank >= 0
            ? Math.abs(expected.scores[q * k + expectedRank] - e) <= 2 * tolerance * Math.max(1, Math.abs(e))
            : i >= k - 3; // crossed the k boundary in a near-tie
        if (!near)
          throw new Error(
            `query ${q} rank ${i}: row ${row}, expected ${expected.indices[at]} (scores ${a} / ${e})`,
          );
      }
    }
  }
}
