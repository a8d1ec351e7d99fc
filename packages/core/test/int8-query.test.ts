import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  calibrateInt8,
  type Float32Matrix,
  int8Affine,
  type Int8QueryCodes,
  int8QueryScore,
  isInt8QueryCodes,
  quantizeInt8,
  quantizeInt8Query,
  searchInt8,
} from '../src/index.js';
import { expectCode } from './expect-code.js';
import { hitsOf, randomMatrix, referenceTopK, skipMask } from './helpers.js';

/** Float queries and corpus of the same width (gaussian values with per-dimension spread). */
const searchCase = fc
  .record({
    dims: fc.integer({ min: 1, max: 70 }),
    queries: fc.integer({ min: 1, max: 4 }),
    rows: fc.integer({ min: 1, max: 30 }),
    k: fc.integer({ min: 1, max: 12 }),
    seed: fc.integer(),
    scheme: fc.constantFrom('ranges' as const, 'symmetric' as const),
  })
  .chain((c) => skipMask(c.rows).map((skip) => ({ ...c, skip })))
  .map((c) => {
    if (c.skip) c.skip[0] = 0; // keep one row live
    const spread = (m: Float32Matrix): Float32Matrix => ({
      ...m,
      data: m.data.map((v, i) => v * (1 + (i % m.dims) * 0.37) + (i % 3)),
    });
    return {
      ...c,
      queryMatrix: spread(randomMatrix(c.queries, c.dims, c.seed)),
      corpus: spread(randomMatrix(c.rows, c.dims, c.seed + 1)),
    };
  });

describe('quantizeInt8Query + searchInt8 (calibration-aware int8)', () => {
  it('ranks by the exact integer dot of the weight codes with the corpus codes, scores mapped once', () => {
    fc.assert(
      fc.property(searchCase, ({ queryMatrix, corpus, k, skip, scheme, dims }) => {
        const cal = calibrateInt8(corpus, scheme);
        const codes = quantizeInt8(corpus, cal);
        const q = quantizeInt8Query(queryMatrix, cal);
        expect(isInt8QueryCodes(q)).toBe(true);
        for (const kernel of ['js', 'auto'] as const) {
          const fromFloat = searchInt8(queryMatrix, codes, { k, skip, kernel });
          const fromCodes = searchInt8(q, codes, { k, skip, kernel });
          expect(fromCodes).toEqual(fromFloat);
          const ref = referenceTopK(
            queryMatrix.rows,
            corpus.rows,
            fromFloat.k,
            (qi, r) => {
              let s = 0;
              for (let i = 0; i < dims; i++) s += q.data[qi * dims + i] * codes.data[r * dims + i];
              return s;
            },
            skip,
          );
          for (let qi = 0; qi < queryMatrix.rows; qi++) {
            expect(hitsOf(fromFloat, qi).indices).toEqual(ref.indices[qi]);
            expect(hitsOf(fromFloat, qi).scores).toEqual(
              ref.keys[qi].map((key) => int8QueryScore(q, qi, key)),
            );
          }
        }
      }),
      { numRuns: 100 },
    );
  });

  it('scores lie within 64 * g * dims of q . decoded row (the stated bound)', () => {
    fc.assert(
      fc.property(searchCase, ({ queryMatrix, corpus, k, scheme, dims }) => {
        const cal = calibrateInt8(corpus, scheme);
        const codes = quantizeInt8(corpus, cal);
        const q = quantizeInt8Query(queryMatrix, cal);
        const { scale, offset } = int8Affine(cal);
        const result = searchInt8(queryMatrix, codes, { k });
        for (let qi = 0; qi < queryMatrix.rows; qi++) {
          const hits = hitsOf(result, qi);
          hits.indices.forEach((r, j) => {
            let exact = 0;
            let magnitude = 0;
            for (let i = 0; i < dims; i++) {
              const x = offset[i] + codes.data[r * dims + i] * scale[i];
              exact += queryMatrix.data[qi * dims + i] * x;
              magnitude += Math.abs(queryMatrix.data[qi * dims + i] * x);
            }
            const bound = 64 * q.scale[qi] * dims + Math.abs(exact) * 2 ** -23 + magnitude * 1e-12;
            expect(Math.abs(hits.scores[j] - exact)).toBeLessThanOrEqual(bound);
          });
        }
      }),
      { numRuns: 60 },
    );
  });

  it('uses one global symmetric step per query: the largest weight maps to +-127', () => {
    const corpus = { data: new Float32Array([-1, 0, 3, 10, 1, 20]), rows: 3, dims: 2 };
    const cal = calibrateInt8(corpus, 'ranges'); // steps 4/255 and 20/255, offsets -1+128s, 0+128s
    const q = quantizeInt8Query({ data: new Float32Array([2, -1]), rows: 1, dims: 2 }, cal);
    // weights 8/255 and -20/255: g = (20/255)/127
    expect(q.scale[0]).toBeCloseTo(20 / 255 / 127, 15);
    expect(Array.from(q.data)).toEqual([Math.round((8 / 20) * 127), -127]);
    expect(q.offset[0]).toBeCloseTo(2 * (-1 + (128 * 4) / 255) - (128 * 20) / 255, 12);
  });

  it('a zero query scores every row at its constant offset and keeps row order', () => {
    const corpus = randomMatrix(5, 4, 3);
    const codes = quantizeInt8(corpus, calibrateInt8(corpus, 'ranges'));
    const result = searchInt8({ data: new Float32Array(4), rows: 1, dims: 4 }, codes, { k: 3 });
    expect(Array.from(result.indices)).toEqual([0, 1, 2]);
    expect(Array.from(result.scores)).toEqual([0, 0, 0]);
  });

  it('rejects bad input with typed errors', () => {
    const corpus = randomMatrix(3, 4, 9);
    const cal = calibrateInt8(corpus, 'symmetric');
    const codes = quantizeInt8(corpus, cal);
    const wide = randomMatrix(1, 5, 1);
    expectCode(() => quantizeInt8Query(wide, cal), 'DIMENSION_MISMATCH');
    expectCode(() => searchInt8(wide, codes, { k: 1 }), 'DIMENSION_MISMATCH');
    const nan = { data: new Float32Array([1, Number.NaN, 0, 0]), rows: 1, dims: 4 };
    expectCode(() => quantizeInt8Query(nan, cal), 'NOT_FINITE');
    expectCode(() => searchInt8(nan, codes, { k: 1 }), 'NOT_FINITE');
    expectCode(() => quantizeInt8Query(corpus, undefined as never), 'INVALID_ARGUMENT');
    expectCode(
      () => quantizeInt8Query({ data: new Float32Array(3), rows: 1, dims: 4 }, cal),
      'MISALIGNED_BUFFER',
    );
    const q = quantizeInt8Query(randomMatrix(2, 4, 2), cal);
    expectCode(
      () => searchInt8({ ...q, scale: new Float64Array(1) } as Int8QueryCodes, codes, { k: 1 }),
      'MISALIGNED_BUFFER',
    );
    const other = quantizeInt8Query(randomMatrix(2, 4, 2), calibrateInt8(corpus, 'ranges'));
    expectCode(() => searchInt8(other, codes, { k: 1 }), 'MODEL_MISMATCH');
    expectCode(() => searchInt8(randomMatrix(1, 4, 2), codes, { k: 0 }), 'INVALID_K');
  });
});
