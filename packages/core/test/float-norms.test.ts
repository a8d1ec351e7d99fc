import { describe, expect, it } from 'vitest';
import { dotAt, type Float32Matrix, floatInverseNorms, searchFloat } from '../src/index.js';
import { expectCode } from './expect-code.js';

function randomMatrix(rows: number, dims: number, seed: number): Float32Matrix {
  const data = new Float32Array(rows * dims);
  let s = seed;
  for (let i = 0; i < data.length; i++) {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    data[i] = s / 2 ** 31 - 1;
  }
  return { data, rows, dims };
}

describe('cached cosine norms', () => {
  it('gives bit-identical cosine results with precomputed inverse norms, JS and WASM', () => {
    const corpus = randomMatrix(300, 37, 7);
    corpus.data.fill(0, 5 * 37, 6 * 37); // a zero row scores 0
    const queries = randomMatrix(3, 37, 11);
    const inverseNorms = floatInverseNorms(corpus);
    expect(inverseNorms[5]).toBe(0);
    expect(inverseNorms[0]).toBe(1 / Math.sqrt(dotAt(corpus.data, 0, corpus.data, 0, 37)));
    for (const kernel of ['js', 'auto'] as const) {
      const plain = searchFloat(queries, corpus, { k: 20, metric: 'cosine', kernel });
      const cached = searchFloat(queries, corpus, { k: 20, metric: 'cosine', kernel, inverseNorms });
      expect(Array.from(cached.indices)).toEqual(Array.from(plain.indices));
      expect(Array.from(cached.scores)).toEqual(Array.from(plain.scores));
    }
  });

  it('uses the given norms (so stale norms change scores) and rejects malformed ones', () => {
    const corpus = randomMatrix(10, 8, 3);
    const queries = randomMatrix(1, 8, 5);
    const halved = floatInverseNorms(corpus).map((v) => v / 2);
    const plain = searchFloat(queries, corpus, { k: 3, metric: 'cosine' });
    const scaled = searchFloat(queries, corpus, { k: 3, metric: 'cosine', inverseNorms: halved });
    expect(scaled.scores[0]).toBeCloseTo(plain.scores[0] / 2, 5);
    expectCode(
      () => searchFloat(queries, corpus, { k: 3, metric: 'cosine', inverseNorms: new Float64Array(9) }),
      'MISALIGNED_BUFFER',
    );
    expectCode(
      () =>
        searchFloat(queries, corpus, {
          k: 3,
          metric: 'cosine',
          inverseNorms: new Float32Array(10) as unknown as Float64Array,
        }),
      'MISALIGNED_BUFFER',
    );
    expectCode(() => floatInverseNorms({ data: new Float32Array(3), rows: 1, dims: 2 }), 'MISALIGNED_BUFFER');
  });
});
