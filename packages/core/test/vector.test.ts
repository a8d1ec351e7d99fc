import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  cosine,
  dot,
  dotMatrix,
  euclidean,
  l1Norm,
  l2Norm,
  normalize,
  normalizeRows,
  row,
  rowL1Norms,
  rowNorms,
  toMatrix,
  truncateDims,
} from '../src/index.js';
import { expectCode } from './expect-code.js';

const finiteVector = (n: number) =>
  fc
    .array(fc.float({ min: -100, max: 100, noNaN: true, noDefaultInfinity: true }), {
      minLength: n,
      maxLength: n,
    })
    .map((a) => Float32Array.from(a));

describe('vector math', () => {
  it('computes norms, dot, cosine and euclidean like a plain loop', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 40 }).chain((n) => fc.tuple(finiteVector(n), finiteVector(n))),
        ([a, b]) => {
          let d = 0;
          let na = 0;
          let nb = 0;
          let e = 0;
          let l1 = 0;
          for (let i = 0; i < a.length; i++) {
            d += a[i] * b[i];
            na += a[i] * a[i];
            nb += b[i] * b[i];
            e += (a[i] - b[i]) ** 2;
            l1 += Math.abs(a[i]);
          }
          const tol = 1e-9 * (Math.sqrt(na * nb) + 1);
          expect(Math.abs(dot(a, b) - d)).toBeLessThanOrEqual(tol);
          expect(l2Norm(a)).toBeCloseTo(Math.sqrt(na), 6);
          expect(l1Norm(a)).toBeCloseTo(l1, 6);
          expect(euclidean(a, b)).toBeCloseTo(Math.sqrt(e), 6);
          if (na > 1e-6 && nb > 1e-6) {
            const c = cosine(a, b);
            expect(c).toBeGreaterThanOrEqual(-1 - 1e-9);
            expect(c).toBeLessThanOrEqual(1 + 1e-9);
            expect(Math.abs(c - d / Math.sqrt(na * nb))).toBeLessThan(1e-9);
          }
        },
      ),
    );
  });

  it('normalize returns a unit-length copy and leaves the input alone', () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 40 }).chain(finiteVector), (v) => {
        fc.pre(l2Norm(v) > 1e-3);
        const before = v.slice();
        const u = normalize(v);
        expect(u).not.toBe(v);
        expect(v).toEqual(before);
        expect(l2Norm(u)).toBeCloseTo(1, 5);
        expect(cosine(u, v)).toBeCloseTo(1, 5);
      }),
    );
  });

  it('rejects zero vectors, NaN, Infinity and length mismatches with typed errors', () => {
    expectCode(() => normalize(new Float32Array(3)), 'ZERO_VECTOR');
    expectCode(() => normalize(new Float32Array([1, Number.NaN])), 'NOT_FINITE');
    expectCode(() => normalize(new Float32Array([1, Number.POSITIVE_INFINITY])), 'NOT_FINITE');
    expectCode(() => cosine(new Float32Array([0, 0]), new Float32Array([1, 0])), 'ZERO_VECTOR');
    expectCode(() => cosine(new Float32Array([1, 0]), new Float32Array([0, 0])), 'ZERO_VECTOR');
    expectCode(() => dot(new Float32Array(2), new Float32Array(3)), 'DIMENSION_MISMATCH');
    expectCode(() => euclidean(new Float32Array(2), new Float32Array(3)), 'DIMENSION_MISMATCH');
    expectCode(() => cosine(new Float32Array(2), new Float32Array(3)), 'DIMENSION_MISMATCH');
  });

  it('toMatrix validates shape and values', () => {
    const m = toMatrix([1, 2, 3, 4, 5, 6], 3);
    expect(m.rows).toBe(2);
    expect(Array.from(row(m, 1))).toEqual([4, 5, 6]);
    const f = new Float32Array(4);
    expect(toMatrix(f, 2).data).toBe(f);
    expect(toMatrix(new Float32Array(0), 4).rows).toBe(0);
    expectCode(() => toMatrix([1, 2, 3], 2), 'MISALIGNED_BUFFER');
    expectCode(() => toMatrix([1, 2], 0), 'DIMENSION_MISMATCH');
    expectCode(() => toMatrix([1, 2], 1.5), 'DIMENSION_MISMATCH');
    expectCode(() => toMatrix([1, Number.NaN], 2), 'NOT_FINITE');
    expectCode(() => toMatrix(new Float32Array([1, Number.NEGATIVE_INFINITY]), 1), 'NOT_FINITE');
    expectCode(() => toMatrix('abc' as unknown as number[], 1), 'INVALID_ARGUMENT');
    expectCode(() => row(m, 2), 'INVALID_ARGUMENT');
  });

  it('batch forms match the per-vector forms', () => {
    const m = toMatrix([3, 4, 0, 0, -1, 0, 1, 2, 2], 3);
    expect(Array.from(rowNorms(m))).toEqual([5, 1, 3]);
    expect(Array.from(rowL1Norms(m))).toEqual([7, 1, 5]);
    const u = normalizeRows(m);
    for (let r = 0; r < 3; r++) expect(Array.from(row(u, r))).toEqual(Array.from(normalize(row(m, r))));
    const g = dotMatrix(m, u);
    expect(g[0]).toBeCloseTo(5, 6);
    expect(g[1 * 3 + 1]).toBeCloseTo(1, 6);
    expectCode(() => normalizeRows(toMatrix([1, 0, 0, 0], 2)), 'ZERO_VECTOR');
    expectCode(() => normalizeRows({ data: new Float32Array(3), rows: 2, dims: 2 }), 'MISALIGNED_BUFFER');
    expectCode(() => dotMatrix(m, toMatrix([1, 2], 2)), 'DIMENSION_MISMATCH');
  });
});

describe('truncateDims (Matryoshka)', () => {
  it('keeps the prefix and re-normalizes each row', () => {
    const m = toMatrix([3, 4, 12, 0, 0, 1, 0, 5], 4);
    const t = truncateDims(m, 2);
    expect(t.dims).toBe(2);
    expect(t.rows).toBe(2);
    expect(Array.from(t.data)).toEqual([0.6000000238418579, 0.800000011920929, 0, 1]);
    expect(Array.from(truncateDims(m, 4).data)).toEqual(Array.from(normalizeRows(m).data));
  });

  it('rejects bad lengths and zero prefixes', () => {
    const m = toMatrix([0, 0, 1, 1], 4);
    expectCode(() => truncateDims(m, 0), 'DIMENSION_MISMATCH');
    expectCode(() => truncateDims(m, 5), 'DIMENSION_MISMATCH');
    expectCode(() => truncateDims(m, 2.5), 'DIMENSION_MISMATCH');
    expectCode(() => truncateDims(m, 2), 'ZERO_VECTOR');
  });
});
