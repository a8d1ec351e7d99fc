import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  binaryAsymmetricScore,
  calibrateInt8,
  createTopKHeap,
  dotAt,
  drainTopK,
  type Float32Matrix,
  int8DotAt,
  offerTopK,
  quantizeBinary,
  quantizeInt8,
  searchBinaryAsymmetric,
  searchFloat,
  searchHamming,
  searchInt8,
} from '../src/index.js';
import { expectCode } from './expect-code.js';
import { hitsOf, naiveHammingFromFloats, referenceTopK, skipMask, smallIntMatrix } from './helpers.js';

/** Queries and corpus of equal width, k, and an optional skip mask. */
const searchCase = fc
  .tuple(smallIntMatrix(4, 70), fc.integer({ min: 1, max: 30 }), fc.integer({ min: 1, max: 12 }))
  .chain(([queries, corpusRows, k]) =>
    fc
      .array(fc.integer({ min: -3, max: 3 }), {
        minLength: corpusRows * queries.dims,
        maxLength: corpusRows * queries.dims,
      })
      .chain((values) => {
        const corpus: Float32Matrix = {
          data: Float32Array.from(values),
          rows: corpusRows,
          dims: queries.dims,
        };
        return skipMask(corpusRows).map((skip) => ({ queries, corpus, k, skip }));
      }),
  )
  .filter(({ corpus, skip }) => skip === undefined || skip.some((s) => s === 0) || corpus.rows === 0);

function live(rows: number, skip?: Uint8Array): number {
  return skip ? skip.filter((s) => s === 0).length : rows;
}

describe('bounded top-k heap', () => {
  it('keeps the same hits as a full sort, ties to the lower row, in any arrival order', () => {
    fc.assert(
      fc.property(
        fc.array(fc.integer({ min: -5, max: 5 }), { minLength: 1, maxLength: 60 }),
        fc.integer({ min: 1, max: 20 }),
        fc.boolean(),
        (keys, k, reversed) => {
          const heap = createTopKHeap(Math.min(k, keys.length));
          const order = keys.map((_, i) => i);
          if (reversed) order.reverse();
          for (const i of order) offerTopK(heap, keys[i], i);
          const indices = new Int32Array(heap.capacity);
          const scores = new Float32Array(heap.capacity);
          drainTopK(heap, indices, scores, 0);
          const ref = referenceTopK(1, keys.length, heap.capacity, (_q, r) => keys[r]);
          expect(Array.from(indices)).toEqual(ref.indices[0]);
          expect(Array.from(scores)).toEqual(ref.keys[0]);
          expect(heap.size).toBe(0);
        },
      ),
    );
  });
});

describe('searchFloat', () => {
  it('matches a full sort for dot and cosine, with skip masks, ties to the lower row', () => {
    fc.assert(
      fc.property(searchCase, ({ queries, corpus, k, skip }) => {
        const kk = Math.min(k, live(corpus.rows, skip));
        const dims = corpus.dims;
        const dotResult = searchFloat(queries, corpus, { k, skip });
        expect(dotResult.k).toBe(kk);
        const ref = referenceTopK(
          queries.rows,
          corpus.rows,
          kk,
          (q, r) => dotAt(queries.data, q * dims, corpus.data, r * dims, dims),
          skip,
        );
        for (let q = 0; q < queries.rows; q++) {
          expect(hitsOf(dotResult, q).indices).toEqual(ref.indices[q]);
          expect(hitsOf(dotResult, q).scores).toEqual(ref.keys[q]);
        }
        const hasZeroQuery = Array.from({ length: queries.rows }, (_, q) =>
          queries.data.subarray(q * dims, (q + 1) * dims).every((v) => v === 0),
        ).some(Boolean);
        if (hasZeroQuery) {
          expectCode(() => searchFloat(queries, corpus, { k, skip, metric: 'cosine' }), 'ZERO_VECTOR');
          return;
        }
        const cos = searchFloat(queries, corpus, { k, skip, metric: 'cosine' });
        const norm = (m: Float32Matrix, r: number) =>
          Math.sqrt(dotAt(m.data, r * dims, m.data, r * dims, dims));
        for (let q = 0; q < queries.rows; q++) {
          const hits = hitsOf(cos, q);
          for (let i = 0; i < hits.indices.length; i++) {
            const r = hits.indices[i];
            const nr = norm(corpus, r);
            const expected =
              nr === 0
                ? 0
                : dotAt(queries.data, q * dims, corpus.data, r * dims, dims) / (norm(queries, q) * nr);
            expect(hits.scores[i]).toBeCloseTo(expected, 5);
            if (i > 0) expect(hits.scores[i]).toBeLessThanOrEqual(hits.scores[i - 1]);
          }
          // The k-th best cosine is at least every excluded live row's cosine (up to rounding).
          const kept = new Set(hits.indices);
          const worst = hits.scores[hits.scores.length - 1];
          for (let r = 0; r < corpus.rows; r++) {
            if (kept.has(r) || (skip && skip[r] !== 0)) continue;
            const nr = norm(corpus, r);
            const c =
              nr === 0
                ? 0
                : dotAt(queries.data, q * dims, corpus.data, r * dims, dims) / (norm(queries, q) * nr);
            expect(c).toBeLessThanOrEqual(worst + 1e-6);
          }
        }
      }),
      { numRuns: 150 },
    );
  });

  it('walks large corpora in blocks without changing results', () => {
    const dims = 5;
    const corpus = {
      data: Float32Array.from({ length: 4000 * dims }, (_, i) => Math.sin(i * 0.37)),
      rows: 4000,
      dims,
    };
    const queries = { data: Float32Array.from({ length: 3 * dims }, (_, i) => Math.cos(i)), rows: 3, dims };
    const result = searchFloat(queries, corpus, { k: 7 });
    const ref = referenceTopK(3, 4000, 7, (q, r) =>
      Math.fround(dotAt(queries.data, q * dims, corpus.data, r * dims, dims)),
    );
    for (let q = 0; q < 3; q++) expect(hitsOf(result, q).indices).toEqual(ref.indices[q]);
  });

  it('rejects bad input with typed errors', () => {
    const corpus = { data: new Float32Array([1, 0, 0, 1]), rows: 2, dims: 2 };
    const query = { data: new Float32Array([1, 0]), rows: 1, dims: 2 };
    expectCode(
      () => searchFloat({ data: new Float32Array(3), rows: 1, dims: 3 }, corpus, { k: 1 }),
      'DIMENSION_MISMATCH',
    );
    expectCode(() => searchFloat(query, corpus, { k: 0 }), 'INVALID_K');
    expectCode(() => searchFloat(query, corpus, { k: 1.5 }), 'INVALID_K');
    expectCode(() => searchFloat(query, corpus, { k: Number.NaN }), 'INVALID_K');
    expectCode(
      () => searchFloat(query, { data: new Float32Array(0), rows: 0, dims: 2 }, { k: 1 }),
      'EMPTY_CORPUS',
    );
    expectCode(() => searchFloat(query, corpus, { k: 1, skip: new Uint8Array([1, 1]) }), 'EMPTY_CORPUS');
    expectCode(() => searchFloat(query, corpus, { k: 1, skip: new Uint8Array(3) }), 'MISALIGNED_BUFFER');
    expectCode(
      () => searchFloat(query, corpus, { k: 1, skip: [0, 0] as unknown as Uint8Array }),
      'INVALID_ARGUMENT',
    );
    expectCode(
      () => searchFloat({ data: new Float32Array([Number.NaN, 0]), rows: 1, dims: 2 }, corpus, { k: 1 }),
      'NOT_FINITE',
    );
    expectCode(
      () => searchFloat(query, { data: new Float32Array([1, 0, Number.NaN, 1]), rows: 2, dims: 2 }, { k: 2 }),
      'NOT_FINITE',
    );
    expectCode(
      () =>
        searchFloat(
          query,
          { data: new Float32Array([1, 0, Number.POSITIVE_INFINITY, 1]), rows: 2, dims: 2 },
          { k: 1 },
        ),
      'NOT_FINITE',
    );
    expectCode(
      () =>
        searchFloat(
          query,
          { data: new Float32Array([Number.NEGATIVE_INFINITY, 0, 1, 1]), rows: 2, dims: 2 },
          { k: 1 },
        ),
      'NOT_FINITE',
    );
    expectCode(
      () => searchFloat({ data: new Float32Array(2), rows: 1, dims: 2 }, corpus, { k: 1, metric: 'cosine' }),
      'ZERO_VECTOR',
    );
    expectCode(() => searchFloat(query, corpus, { k: 1, metric: 'l2' as 'dot' }), 'INVALID_ARGUMENT');
    expectCode(
      () => searchFloat(query, { data: new Float32Array(3), rows: 2, dims: 2 }, { k: 1 }),
      'MISALIGNED_BUFFER',
    );
    expectCode(() => searchFloat(query, corpus, undefined as unknown as { k: number }), 'INVALID_ARGUMENT');
  });
});

describe('searchInt8', () => {
  it('ranks by the exact integer dot of the codes, like a full sort', () => {
    fc.assert(
      fc.property(
        searchCase,
        fc.constantFrom('ranges' as const, 'symmetric' as const),
        ({ queries, corpus, k, skip }, scheme) => {
          const cal = calibrateInt8(corpus, scheme);
          const q = quantizeInt8(queries, cal);
          const c = quantizeInt8(corpus, cal);
          const result = searchInt8(q, c, { k, skip });
          const dims = corpus.dims;
          const ref = referenceTopK(
            queries.rows,
            corpus.rows,
            result.k,
            (qi, r) => {
              let s = 0;
              for (let i = 0; i < dims; i++) s += q.data[qi * dims + i] * c.data[r * dims + i];
              return s;
            },
            skip,
          );
          for (let qi = 0; qi < queries.rows; qi++) {
            expect(hitsOf(result, qi).indices).toEqual(ref.indices[qi]);
            expect(hitsOf(result, qi).scores).toEqual(ref.keys[qi]);
          }
        },
      ),
      { numRuns: 100 },
    );
    expect(int8DotAt(Int8Array.from([127, -128, 5]), 0, Int8Array.from([127, -128, -5]), 0, 3)).toBe(
      127 * 127 + 128 * 128 - 25,
    );
  });

  it('refuses codes made with different calibrations, and other bad input', () => {
    const a = { data: new Float32Array([1, 2, 3, 4]), rows: 2, dims: 2 };
    const calA = calibrateInt8(a, 'ranges');
    const calB = calibrateInt8({ data: new Float32Array([0, 0, 9, 9]), rows: 2, dims: 2 }, 'ranges');
    expectCode(() => searchInt8(quantizeInt8(a, calA), quantizeInt8(a, calB), { k: 1 }), 'MODEL_MISMATCH');
    expectCode(
      () => searchInt8(quantizeInt8(a, calA), quantizeInt8(a, calibrateInt8(a, 'symmetric')), { k: 1 }),
      'MODEL_MISMATCH',
    );
    const codes = quantizeInt8(a, calA);
    expectCode(() => searchInt8(codes, codes, { k: -1 }), 'INVALID_K');
    expectCode(() => searchInt8(codes, codes, { k: 1, kernel: 'simd' as 'js' }), 'INVALID_ARGUMENT');
    expectCode(
      () => searchInt8(codes, { ...codes, data: new Int8Array(0), rows: 0 }, { k: 1 }),
      'EMPTY_CORPUS',
    );
    expectCode(() => searchInt8(codes, { ...codes, data: new Int8Array(5) }, { k: 1 }), 'MISALIGNED_BUFFER');
    const wide = { data: new Float32Array(3), rows: 1, dims: 3 };
    expectCode(
      () => searchInt8(quantizeInt8(wide, calibrateInt8(wide)), codes, { k: 1 }),
      'DIMENSION_MISMATCH',
    );
  });
});

describe('searchHamming', () => {
  it('JS and WebAssembly kernels both match bit-by-bit distances and a full sort', () => {
    const cases = fc
      .record({
        dims: fc.integer({ min: 1, max: 300 }),
        rows: fc.integer({ min: 1, max: 40 }),
        queries: fc.integer({ min: 1, max: 20 }),
        k: fc.integer({ min: 1, max: 15 }),
        seed: fc.integer(),
      })
      .chain((c) => skipMask(c.rows).map((skip) => ({ ...c, skip })))
      .filter((c) => c.skip === undefined || c.skip.some((s) => s === 0));
    fc.assert(
      fc.property(cases, ({ dims, rows, queries, k, seed, skip }) => {
        const pick = (n: number, s: number): Float32Matrix => ({
          data: Float32Array.from({ length: n * dims }, (_, i) => (((i * 2654435761 + s) >>> 7) % 5) - 2),
          rows: n,
          dims,
        });
        const qf = pick(queries, seed);
        const cf = pick(rows, seed ^ 0x5bd1e995);
        const qb = quantizeBinary(qf);
        const cb = quantizeBinary(cf);
        const ref = referenceTopK(
          queries,
          rows,
          Math.min(k, live(rows, skip)),
          (q, r) => -naiveHammingFromFloats(qf, q, cf, r),
          skip,
        );
        for (const kernel of ['js', 'wasm', 'auto'] as const) {
          const result = searchHamming(qb, cb, { k, skip, kernel });
          for (let q = 0; q < queries; q++) {
            expect(hitsOf(result, q).indices).toEqual(ref.indices[q]);
            expect(hitsOf(result, q).scores).toEqual(ref.keys[q].map((d) => -d));
          }
        }
      }),
      { numRuns: 120 },
    );
  });

  it('gives identical results on both kernels across many tiles', () => {
    const dims = 384;
    const rows = 6000;
    const cf: Float32Matrix = {
      data: Float32Array.from({ length: rows * dims }, (_, i) => Math.sin(i * 1.37 + (i % 7))),
      rows,
      dims,
    };
    const qf: Float32Matrix = { data: cf.data.slice(0, 6 * dims), rows: 6, dims };
    const skip = Uint8Array.from({ length: rows }, (_, i) => (i % 3 === 0 ? 1 : 0));
    const js = searchHamming(quantizeBinary(qf), quantizeBinary(cf), { k: 25, kernel: 'js', skip });
    const wasm = searchHamming(quantizeBinary(qf), quantizeBinary(cf), { k: 25, kernel: 'wasm', skip });
    expect(wasm.indices).toEqual(js.indices);
    expect(wasm.scores).toEqual(js.scores);
  });

  it('rejects bad input with typed errors', () => {
    const b = quantizeBinary({ data: new Float32Array([1, -1, 1, 1]), rows: 2, dims: 2 });
    expectCode(() => searchHamming(b, { ...b, wordsPerRow: 2 }, { k: 1 }), 'MISALIGNED_BUFFER');
    expectCode(() => searchHamming(b, { ...b, words: new Uint32Array(3) }, { k: 1 }), 'MISALIGNED_BUFFER');
    expectCode(
      () => searchHamming(b, { ...b, dims: 33, wordsPerRow: 2, words: new Uint32Array(4) }, { k: 1 }),
      'DIMENSION_MISMATCH',
    );
    expectCode(() => searchHamming(b, { ...b, dims: 0 }, { k: 1 }), 'DIMENSION_MISMATCH');
    expectCode(
      () => searchHamming(b, { ...b, rows: 0, words: new Uint32Array(0), l1Norms: undefined }, { k: 1 }),
      'EMPTY_CORPUS',
    );
    expectCode(() => searchHamming(b, b, { k: 0 }), 'INVALID_K');
    expectCode(() => searchHamming(b, b, { k: 1, kernel: 'gpu' as 'js' }), 'INVALID_ARGUMENT');
    expectCode(() => searchHamming(b, { ...b, l1Norms: new Float32Array(1) }, { k: 1 }), 'MISALIGNED_BUFFER');
    expectCode(
      () => searchHamming(b, { ...b, words: [0, 0] as unknown as Uint32Array }, { k: 1 }),
      'INVALID_ARGUMENT',
    );
  });
});

describe('searchBinaryAsymmetric', () => {
  it('table-driven scores match the bit-by-bit definition, for both corrections', () => {
    const cases = fc
      .record({
        dims: fc.integer({ min: 1, max: 200 }),
        rows: fc.integer({ min: 1, max: 30 }),
        queries: fc.integer({ min: 1, max: 12 }),
        k: fc.integer({ min: 1, max: 10 }),
        seed: fc.integer(),
      })
      .chain((c) => skipMask(c.rows).map((skip) => ({ ...c, skip })))
      .filter((c) => c.skip === undefined || c.skip.some((s) => s === 0));
    fc.assert(
      fc.property(cases, ({ dims, rows, queries, k, seed, skip }) => {
        const values = (n: number, s: number) =>
          Float32Array.from(
            { length: n * dims },
            (_, i) => ((((i + 1) * 2654435761 + s) >>> 9) % 2001) / 1000 - 1,
          );
        const qf: Float32Matrix = { data: values(queries, seed), rows: queries, dims };
        const cf: Float32Matrix = { data: values(rows, ~seed), rows, dims };
        const cb = quantizeBinary(cf);
        for (const [correction, kernel] of [
          ['none', 'js'],
          ['l1', 'js'],
          ['none', 'wasm'],
          ['l1', 'wasm'],
        ] as const) {
          const result = searchBinaryAsymmetric(qf, cb, { k, skip, correction, kernel });
          for (let q = 0; q < queries; q++) {
            const query = qf.data.subarray(q * dims, (q + 1) * dims);
            const hits = hitsOf(result, q);
            const naive = (r: number) => binaryAsymmetricScore(query, cb, r, correction);
            for (let i = 0; i < hits.indices.length; i++) {
              expect(Math.abs(hits.scores[i] - naive(hits.indices[i]))).toBeLessThan(1e-4);
            }
            // Selection is right up to float rounding: no excluded live row beats the k-th hit.
            const kept = new Set(hits.indices);
            const worst = hits.scores[hits.scores.length - 1];
            for (let r = 0; r < rows; r++) {
              if (!kept.has(r) && (!skip || skip[r] === 0))
                expect(naive(r)).toBeLessThanOrEqual(worst + 1e-4);
            }
          }
        }
      }),
      { numRuns: 100 },
    );
  });

  it('ties go to the lower row and the example scores are exact', () => {
    const cf: Float32Matrix = { data: new Float32Array([1, -1, 1, -1, 2, -2, -1, 1]), rows: 4, dims: 2 };
    const cb = quantizeBinary(cf);
    const q: Float32Matrix = { data: new Float32Array([0.5, 0.25]), rows: 1, dims: 2 };
    const none = searchBinaryAsymmetric(q, cb, { k: 4 });
    expect(Array.from(none.indices)).toEqual([0, 1, 2, 3]);
    expect(Array.from(none.scores)).toEqual([0.25, 0.25, 0.25, -0.25]);
    const l1 = searchBinaryAsymmetric(q, cb, { k: 4, correction: 'l1' });
    expect(Array.from(l1.indices)).toEqual([0, 1, 2, 3]);
    expect(Array.from(l1.scores)).toEqual([0.125, 0.125, 0.0625, -0.125]);
  });

  it('rejects bad input with typed errors', () => {
    const cb = quantizeBinary({ data: new Float32Array([1, -1, 1, 1]), rows: 2, dims: 2 });
    const q = { data: new Float32Array([1, 0]), rows: 1, dims: 2 };
    expectCode(
      () => searchBinaryAsymmetric(q, { ...cb, l1Norms: undefined }, { k: 1, correction: 'l1' }),
      'INVALID_ARGUMENT',
    );
    expectCode(() => searchBinaryAsymmetric(q, cb, { k: 1, correction: 'l2' as 'l1' }), 'INVALID_ARGUMENT');
    expectCode(
      () => searchBinaryAsymmetric({ data: new Float32Array(3), rows: 1, dims: 3 }, cb, { k: 1 }),
      'DIMENSION_MISMATCH',
    );
    expectCode(
      () =>
        searchBinaryAsymmetric({ data: new Float32Array([Number.NaN, 1]), rows: 1, dims: 2 }, cb, { k: 1 }),
      'NOT_FINITE',
    );
    expectCode(() => searchBinaryAsymmetric(q, cb, { k: 2.5 }), 'INVALID_K');
    expectCode(() => searchBinaryAsymmetric(q, cb, { k: 1, kernel: 'gpu' as 'js' }), 'INVALID_ARGUMENT');
    expectCode(
      () => searchBinaryAsymmetric(q, { ...cb, words: new Uint32Array(1) }, { k: 1 }),
      'MISALIGNED_BUFFER',
    );
    expectCode(() => binaryAsymmetricScore(new Float32Array(3), cb, 0), 'DIMENSION_MISMATCH');
  });
});
