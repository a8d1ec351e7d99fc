import { describe, expect, it } from 'vitest';
import { keysToRows } from '../peers/data.js';
import { skippedRow } from '../peers/extrapolate.js';
import { measureIndex, recallOf } from '../peers/measure.js';
import type { BuiltIndex } from '../peers/systems-types.js';

describe('peer benchmark measuring loop', () => {
  it('computes recall of the first n queries', () => {
    const truth = Int32Array.from([1, 2, 3, 4, 5, 6]);
    expect(recallOf(Int32Array.from([2, 9, 5, 4]), truth, 3, 2, 2)).toBeCloseTo((0.5 + 1) / 2, 12);
  });

  it('measures a fake index: recall from its answers, native batch, reopen', async () => {
    const dims = 2;
    const queries = { data: Float32Array.from([0, 1, 2, 3, 4, 5]), rows: 3, dims };
    // Answers query q with [q, q + 1]: right for q = 0 and 2 under this truth, half right for q = 1.
    const answer = (query: Float32Array) => {
      const q = query[0] / 2;
      return Int32Array.from([q, q + 1]);
    };
    let reopened = 0;
    const index: BuiltIndex = {
      search: async (query) => answer(query),
      searchBatch: async (m) => {
        const out = new Int32Array(m.rows * 2);
        for (let r = 0; r < m.rows; r++) out.set(answer(m.data.subarray(r * dims, (r + 1) * dims)), r * 2);
        return out;
      },
      persist: async () => {},
      reopen: async () => {
        reopened++;
        return index;
      },
      dispose() {},
    };
    const truth = Int32Array.from([0, 1, 1, 7, 2, 3]);
    const lines: string[] = [];
    const figures = await measureIndex(
      index,
      queries,
      truth,
      2,
      { latencyQueries: 3, batch: 2, recallBudgetMs: 10_000 },
      (l) => lines.push(l),
    );
    expect(figures.recallAt10).toBeCloseTo((1 + 0.5 + 1) / 3, 12);
    expect(figures.recallQueries).toBe(3);
    expect(figures.batchMode).toBe('native');
    expect(figures.reopenMs).toBeGreaterThanOrEqual(0);
    expect(reopened).toBe(1);
    expect(lines.some((l) => l.includes('differs'))).toBe(false);
  });

  it('turns usearch keys into -1 padded rows', () => {
    const keys = BigUint64Array.from([5n, 6n, 7n, 0n]);
    expect(Array.from(keysToRows(keys, [2, 1], 2, 2))).toEqual([5, 6, 7, -1]);
    expect(Array.from(keysToRows(BigUint64Array.from([3n]), undefined, 1, 2))).toEqual([3, -1]);
  });

  it('extrapolates skipped sizes linearly, and HNSW as N log N / log N', () => {
    const last = {
      system: 's',
      where: 'browser' as const,
      data: 'synthetic' as const,
      rows: 1000,
      dims: 8,
      buildMs: 2000,
      p50Ms: 4,
    };
    const flat = skippedRow(
      { id: 'brute', maxRows: 1000, limitReason: 'too slow' },
      'browser',
      10_000,
      8,
      last,
    );
    expect(flat.skipped).toContain('too slow');
    expect(flat.skipped).toContain('build ~20 s, single query ~40.0 ms');
    const graph = skippedRow({ id: 'x HNSW', maxRows: 1000, limitReason: 'r' }, 'node', 1_000_000, 8, last);
    // log2(1e6) / log2(1e3) = 2: build 2 s x 1000 x 2 = 4000 s, query 4 ms x 2 = 8 ms.
    expect(graph.skipped).toContain('build ~4,000 s, single query ~8.0 ms');
    expect(skippedRow({ id: 'y', maxRows: 1, limitReason: 'r' }, 'node', 5, 8).skipped).toBe(
      'not run at this size: r',
    );
  });
});

describe('usearch exact search on views', () => {
  it('gives the same top-k for a subarray view as for a copy', async () => {
    const { nativeExactTopK } = await import('../peers/data.js');
    const dims = 4;
    const corpus = { data: Float32Array.from({ length: 40 }, (_, i) => Math.sin(i * 1.7)), rows: 10, dims };
    const both = Float32Array.from({ length: 8 }, (_, i) => Math.cos(i * 0.9));
    const view = { data: both.subarray(4), rows: 1, dims };
    const copy = { data: both.slice(4), rows: 1, dims };
    expect(Array.from(nativeExactTopK(corpus, view, 3))).toEqual(
      Array.from(nativeExactTopK(corpus, copy, 3)),
    );
  });
});

describe('merging a partial re-run', () => {
  it('replaces matching rows in place and appends new ones', async () => {
    const { mergeResults } = await import('../peers/report.js');
    const row = (system: string, rows: number, p50Ms: number) =>
      ({ system, where: 'node', data: 'synthetic', rows, dims: 8, p50Ms }) as const;
    const merged = mergeResults([row('a', 10, 1), row('b', 10, 2)], [row('a', 10, 9), row('a', 20, 3)]);
    expect(merged.map((r) => `${r.system}${r.rows}:${r.p50Ms}`)).toEqual(['a10:9', 'b10:2', 'a20:3']);
  });
});

describe('a failing reopen', () => {
  it('keeps the other figures and records why', async () => {
    const index: BuiltIndex = {
      search: async () => Int32Array.from([0]),
      persist: async () => {},
      reopen: async () => {
        throw new Error('EOF while parsing');
      },
      dispose() {},
    };
    const queries = { data: new Float32Array(2), rows: 2, dims: 1 };
    const figures = await measureIndex(
      index,
      queries,
      Int32Array.from([0, 1]),
      1,
      { latencyQueries: 2, batch: 2, recallBudgetMs: 1000 },
      () => {},
    );
    expect(figures.recallAt10).toBeCloseTo(0.5, 12);
    expect(figures.batchMode).toBe('loop');
    expect(figures.reopenMs).toBeUndefined();
    expect(figures.reopenError).toContain('EOF while parsing');
  });
});
