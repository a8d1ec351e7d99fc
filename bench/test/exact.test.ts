import { describe, expect, it } from 'vitest';
import { exactTopK, truncateRows } from '../lib/exact.js';
import { clusteredVectors, seededRandom } from '../lib/synthetic.js';

describe('exact reference search', () => {
  it('matches a brute-force sort on random data, with leave-one-out', () => {
    const corpus = clusteredVectors({ rows: 300, dims: 24, clusters: 5, seed: 3 });
    const queries = { data: corpus.data.slice(0, 7 * 24), rows: 7, dims: 24 };
    const top = exactTopK(queries, corpus, 5, (q) => q);
    for (let q = 0; q < 7; q++) {
      const sims = Array.from({ length: 300 }, (_, r) => {
        let s = 0;
        for (let j = 0; j < 24; j++) s += corpus.data[q * 24 + j] * corpus.data[r * 24 + j];
        return { r, s };
      })
        .filter((x) => x.r !== q)
        .sort((a, b) => b.s - a.s || a.r - b.r);
      expect(Array.from(top.indices.subarray(q * 5, q * 5 + 5))).toEqual(sims.slice(0, 5).map((x) => x.r));
    }
  });

  it('caps k at the corpus size and breaks ties by lower row', () => {
    const corpus = { data: Float32Array.from([1, 0, 1, 0, 0, 1]), rows: 3, dims: 2 };
    const top = exactTopK({ data: Float32Array.from([1, 0]), rows: 1, dims: 2 }, corpus, 10);
    expect(top.k).toBe(3);
    expect(Array.from(top.indices)).toEqual([0, 1, 2]);
  });

  it('rejects mismatched dims and bad k', () => {
    const corpus = { data: new Float32Array(4), rows: 2, dims: 2 };
    expect(() => exactTopK({ data: new Float32Array(3), rows: 1, dims: 3 }, corpus, 1)).toThrowError(
      expect.objectContaining({ code: 'DIMENSION_MISMATCH' }),
    );
    expect(() => exactTopK(corpus, corpus, 0)).toThrowError(expect.objectContaining({ code: 'INVALID_K' }));
  });

  it('truncates and renormalizes rows', () => {
    const m = truncateRows({ data: Float32Array.from([3, 4, 5, 0, 0, 9]), rows: 2, dims: 3 }, 2);
    expect(Array.from(m.data)).toEqual([0.6000000238418579, 0.800000011920929, 0, 0]);
    expect(() => truncateRows(m, 3)).toThrowError(expect.objectContaining({ code: 'INVALID_ARGUMENT' }));
  });

  it('generates the same clustered data for the same seed, unit length', () => {
    const a = clusteredVectors({ rows: 20, dims: 8, seed: 9 });
    const b = clusteredVectors({ rows: 20, dims: 8, seed: 9 });
    expect(a.data).toEqual(b.data);
    let norm = 0;
    for (let j = 0; j < 8; j++) norm += a.data[j] ** 2;
    expect(norm).toBeCloseTo(1, 5);
    expect(seededRandom(1)()).not.toBe(seededRandom(2)());
    expect(() => clusteredVectors({ rows: 0, dims: 8, seed: 1 })).toThrowError(
      expect.objectContaining({ code: 'INVALID_ARGUMENT' }),
    );
  });
});
