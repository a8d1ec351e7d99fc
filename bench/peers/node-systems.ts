/**
 * Systems that run in Node only: usearch (a native C++ addon, so not a browser option),
 * measured as a native reference for exact and HNSW search.
 *
 * @module
 */
import { existsSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Index, MetricKind, ScalarKind } from 'usearch';
import { keysToRows, nativeExactTopK, ownBuffer } from './data.js';
import type { BuiltIndex, PageSystem } from './systems-types.js';

export const usearchExact: PageSystem = {
  id: 'usearch 2.26.2 exact (native, Node only)',
  maxRows: Number.POSITIVE_INFINITY,
  limitReason: '',
  async build(corpus) {
    return {
      indexBytes: corpus.data.byteLength,
      search: async (query, k) => nativeExactTopK(corpus, { data: query, rows: 1, dims: corpus.dims }, k),
      searchBatch: async (queries, k) => nativeExactTopK(corpus, queries, k),
      note: 'SIMD, all cores',
      dispose() {},
    };
  },
};

export const usearchHnsw: PageSystem = {
  id: 'usearch 2.26.2 HNSW (native, Node only, M=16 efC=128 ef=64)',
  maxRows: 100_000,
  limitReason: 'HNSW build here: ~13 s per 20K x 384 on 2 cores, so 1M would take well over 10 min',
  async build(corpus) {
    const make = () =>
      new Index({
        dimensions: corpus.dims,
        metric: MetricKind.IP,
        quantization: ScalarKind.F32,
        multi: false,
        connectivity: 16,
        expansion_add: 128,
        expansion_search: 64,
      });
    const index = make();
    const keys = new BigUint64Array(corpus.rows);
    for (let i = 0; i < corpus.rows; i++) keys[i] = BigInt(i);
    index.add(keys, corpus.data);
    const file = join(tmpdir(), `webembed-usearch-${process.pid}-${corpus.rows}.usearch`);
    const wrap = (ix: Index): BuiltIndex => ({
      search: async (query, k) => {
        const res = ix.search(ownBuffer(query), k, 0) as unknown as {
          keys: BigUint64Array;
          counts?: ArrayLike<number | bigint>;
        };
        return keysToRows(res.keys, res.counts, 1, k);
      },
      searchBatch: async (queries, k) => {
        const res = ix.search(ownBuffer(queries.data), k, 0) as unknown as {
          keys: BigUint64Array;
          counts?: ArrayLike<number | bigint>;
        };
        return keysToRows(res.keys, res.counts, queries.rows, k);
      },
      persist: async () => ix.save(file),
      reopen: async () => {
        const fresh = make();
        fresh.load(file);
        return wrap(fresh);
      },
      reopenNote: 'save() to a file, timed: load() + first query',
      dispose: () => {
        if (existsSync(file)) rmSync(file);
      },
    });
    return wrap(index);
  },
};

/** Every Node-only system, in table order. */
export const nodeSystems: readonly PageSystem[] = [usearchExact, usearchHnsw];
