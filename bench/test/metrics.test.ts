import { isWebEmbedError } from '@webembed/core';
import { describe, expect, it } from 'vitest';
import { ndcgAgainstExact, ndcgFromLabels, recallAtK, recallFromLabels } from '../lib/metrics.js';

const block = (queries: number, k: number, rows: number[]) => ({
  queries,
  k,
  indices: Int32Array.from(rows),
});

describe('metrics against labels (trec_eval ndcg_cut / recall)', () => {
  // q1 labels: d1 = 2, d2 = 1, d3 = 0 (judged, not relevant). Ranking: d2, d4, d1.
  const labels = new Map([
    ['d1', 2],
    ['d2', 1],
    ['d3', 0],
  ]);
  const ranked = ['d2', 'd4', 'd1'];

  it('computes NDCG@3 by hand: DCG = 1/1 + 0 + 2/2 = 2, IDCG = 2/1 + 1/log2(3)', () => {
    // 2 / (2 + 0.630930) = 0.760188
    expect(ndcgFromLabels(ranked, labels, 3)).toBeCloseTo(0.760188, 5);
  });

  it('computes NDCG@1 and NDCG@2 by hand', () => {
    expect(ndcgFromLabels(ranked, labels, 1)).toBeCloseTo(1 / 2, 10); // d2 (1) vs ideal d1 (2)
    expect(ndcgFromLabels(ranked, labels, 2)).toBeCloseTo(1 / (2 + 1 / Math.log2(3)), 10);
  });

  it('gives 1 for the ideal ranking and 0 when nothing relevant is found', () => {
    expect(ndcgFromLabels(['d1', 'd2'], labels, 10)).toBeCloseTo(1, 12);
    expect(ndcgFromLabels(['d3', 'd4'], labels, 10)).toBe(0);
    expect(ndcgFromLabels(['d1'], new Map([['d1', 0]]), 10)).toBe(0);
  });

  it('does not credit a duplicated id twice', () => {
    expect(ndcgFromLabels(['d1', 'd1'], labels, 2)).toBeCloseTo(2 / (2 + 1 / Math.log2(3)), 10);
  });

  it('computes recall@k over positively labelled documents', () => {
    expect(recallFromLabels(ranked, labels, 1)).toBe(0.5);
    expect(recallFromLabels(ranked, labels, 2)).toBe(0.5);
    expect(recallFromLabels(ranked, labels, 3)).toBe(1);
    expect(recallFromLabels(['d3'], labels, 3)).toBe(0);
  });

  it('rejects a bad k with INVALID_K', () => {
    expect(() => ndcgFromLabels(ranked, labels, 0)).toThrowError(
      expect.objectContaining({ code: 'INVALID_K' }),
    );
    expect(() => recallFromLabels(ranked, labels, 1.5)).toThrowError(
      expect.objectContaining({ code: 'INVALID_K' }),
    );
  });
});

describe('metrics against exact search', () => {
  const truth = block(2, 3, [0, 1, 2, 5, 6, 7]);

  it('computes recall@k as the mean overlap share', () => {
    const found = block(2, 3, [1, 0, 9, 5, 6, 7]);
    expect(recallAtK(truth, found, 3)).toBeCloseTo((2 / 3 + 1) / 2, 12);
    expect(recallAtK(truth, found, 1)).toBeCloseTo((0 + 1) / 2, 12);
  });

  it('computes graded NDCG by hand: gains 3,2,1 by exact rank', () => {
    const found = block(1, 3, [1, 0, 9]);
    const one = block(1, 3, [0, 1, 2]);
    // DCG = 2/1 + 3/log2(3) + 0; IDCG = 3/1 + 2/log2(3) + 1/2  -> 0.81749
    expect(ndcgAgainstExact(one, found, 3)).toBeCloseTo(0.81749, 5);
    expect(ndcgAgainstExact(one, one, 3)).toBeCloseTo(1, 12);
  });

  it('counts missing hits (-1 or a shorter list) as misses', () => {
    const short = block(2, 2, [0, -1, 5, 6]);
    expect(recallAtK(truth, short, 3)).toBeCloseTo((1 / 3 + 2 / 3) / 2, 12);
  });

  it('rejects mismatched shapes', () => {
    let caught: unknown;
    try {
      recallAtK(truth, block(1, 3, [0, 1, 2]), 3);
    } catch (err) {
      caught = err;
    }
    expect(isWebEmbedError(caught, 'DIMENSION_MISMATCH')).toBe(true);
    expect(() => recallAtK(truth, { queries: 2, k: 3, indices: new Int32Array(5) }, 3)).toThrowError(
      expect.objectContaining({ code: 'DIMENSION_MISMATCH' }),
    );
    expect(() => recallAtK(truth, truth, 4)).toThrowError(expect.objectContaining({ code: 'INVALID_K' }));
  });
});
