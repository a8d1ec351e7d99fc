import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { reciprocalRankFusion, weightedScoreFusion } from '../src/index.js';

const codeOf = (fn: () => unknown) => {
  try {
    fn();
  } catch (err) {
    return (err as { code?: string }).code;
  }
  return 'none';
};

describe('reciprocalRankFusion', () => {
  it('sums 1 / (k + rank) over rankings', () => {
    const fused = reciprocalRankFusion(
      [
        ['a', 'b', 'c'],
        ['c', 'a'],
      ],
      { k: 60 },
    );
    expect(fused.ids).toEqual(['a', 'c', 'b']);
    expect(fused.scores[0]).toBeCloseTo(1 / 61 + 1 / 62, 7);
    expect(fused.scores[1]).toBeCloseTo(1 / 63 + 1 / 61, 7);
    expect(fused.scores[2]).toBeCloseTo(1 / 62, 7);
  });

  it('applies weights, limit, and counts a repeated id once', () => {
    const fused = reciprocalRankFusion(
      [
        ['a', 'a', 'b'],
        ['b', 'a'],
      ],
      { k: 0, weights: [1, 3], limit: 1 },
    );
    expect(fused.ids).toEqual(['b']);
    expect(fused.scores[0]).toBeCloseTo(1 / 3 + 3, 6);
  });

  it('is symmetric in its rankings and bounded by the sum of weights / (k + 1)', () => {
    const ranking = fc.uniqueArray(fc.constantFrom('a', 'b', 'c', 'd', 'e', 'f'), { maxLength: 6 });
    fc.assert(
      fc.property(
        fc.array(ranking, { minLength: 1, maxLength: 4 }),
        fc.integer({ min: 0, max: 100 }),
        (lists, k) => {
          const forward = reciprocalRankFusion(lists, { k });
          const backward = reciprocalRankFusion([...lists].reverse(), { k });
          expect(backward.ids).toEqual(forward.ids);
          expect(new Set(forward.ids)).toEqual(new Set(lists.flat()));
          for (const s of forward.scores) expect(s).toBeLessThanOrEqual(lists.length / (k + 1) + 1e-6);
        },
      ),
    );
  });

  it('returns an empty ranking for no input', () => {
    expect(reciprocalRankFusion([]).ids).toEqual([]);
    expect(reciprocalRankFusion([[], []]).ids).toEqual([]);
  });

  it('rejects bad options', () => {
    expect(codeOf(() => reciprocalRankFusion([['a']], { k: -1 }))).toBe('INVALID_ARGUMENT');
    expect(codeOf(() => reciprocalRankFusion([['a']], { weights: [1, 2] }))).toBe('DIMENSION_MISMATCH');
    expect(codeOf(() => reciprocalRankFusion([['a']], { weights: [Number.NaN] }))).toBe('INVALID_ARGUMENT');
    expect(codeOf(() => reciprocalRankFusion([['a']], { limit: 0 }))).toBe('INVALID_K');
    expect(codeOf(() => reciprocalRankFusion([[1 as unknown as string]]))).toBe('INVALID_ARGUMENT');
    expect(codeOf(() => reciprocalRankFusion('ab' as unknown as string[][]))).toBe('INVALID_ARGUMENT');
  });
});

describe('weightedScoreFusion', () => {
  it('min-max normalizes each list and combines with weights', () => {
    const bm25 = { ids: ['x', 'y', 'z'], scores: new Float32Array([10, 5, 0]) };
    const dense = { ids: ['z', 'y'], scores: new Float32Array([0.9, 0.7]) };
    const fused = weightedScoreFusion([bm25, dense], [0.5, 0.5]);
    // x: 0.5*1 + 0; y: 0.5*0.5 + 0.5*0; z: 0.5*0 + 0.5*1
    expect(fused.ids).toEqual(['x', 'z', 'y']);
    expect(Array.from(fused.scores)).toEqual([0.5, 0.5, 0.25].map(Math.fround));
  });

  it('maps a constant list to 1 and defaults weights to 1', () => {
    const fused = weightedScoreFusion([{ ids: ['a', 'b'], scores: [3, 3] }]);
    expect(Array.from(fused.scores)).toEqual([1, 1]);
    expect(weightedScoreFusion([{ ids: ['a', 'b'], scores: [1, 2] }], undefined, { limit: 1 }).ids).toEqual([
      'b',
    ]);
  });

  it('rejects mismatched or non-finite input', () => {
    expect(codeOf(() => weightedScoreFusion([{ ids: ['a'], scores: [1, 2] }]))).toBe('DIMENSION_MISMATCH');
    expect(codeOf(() => weightedScoreFusion([{ ids: ['a'], scores: [Number.NaN] }]))).toBe('NOT_FINITE');
    expect(codeOf(() => weightedScoreFusion([{ ids: ['a'], scores: [1] }], [1, 1]))).toBe(
      'DIMENSION_MISMATCH',
    );
    expect(codeOf(() => weightedScoreFusion([{ ids: ['a'], scores: [1] }], [-1]))).toBe('INVALID_ARGUMENT');
    expect(codeOf(() => weightedScoreFusion([null as unknown as { ids: string[]; scores: number[] }]))).toBe(
      'INVALID_ARGUMENT',
    );
  });
});
