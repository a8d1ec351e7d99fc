/**
 * The systems the browser page of `pnpm bench peers` measures: this project's CPU paths
 * (`@webembed/core`) and WebGPU paths (`@webembed/gpu`), and the peer libraries, each behind the
 * same small interface. Each adapter uses the library the way its README shows; the conversion
 * from the shared Float32Array into the library's input format counts as build time, because a
 * user pays it too.
 *
 * @module
 */
import { EmbeddingIndex } from 'client-vector-search';
import { create, insertMultiple, load, save, search as oramaSearch } from '@orama/orama';
import { loadHnswlib } from 'hnswlib-wasm';
import { EntityDB } from '@babycommando/entity-db';
import {
  calibrateInt8,
  type Float32Matrix,
  quantizeBinary,
  quantizeInt8,
  searchFloat,
  searchHamming,
  searchInt8,
  searchTwoStage,
} from '@webembed/core';
import { createGpuSearch, type GpuSearch, type GpuSearchMode } from '@webembed/gpu';
import { type CollectionSnapshot, openVectorStore } from '@webembed/store';
import type { BuiltIndex, PageSystem } from './systems-types.js';
import { loadVoy, type VoyIndex } from './voy-loader.js';

function rowOf(m: Float32Matrix, r: number): Float32Array {
  return m.data.subarray(r * m.dims, (r + 1) * m.dims);
}

function idsFrom(list: readonly { id: number }[], k: number): Int32Array {
  const out = new Int32Array(k).fill(-1);
  for (let i = 0; i < Math.min(k, list.length); i++) out[i] = list[i].id;
  return out;
}

// ---------------------------------------------------------------- this project, CPU

const BENCH_FINGERPRINT = {
  modelId: 'bench/synthetic',
  revision: '',
  pooling: 'none',
  normalized: true,
  prefixScheme: 'none',
  matryoshkaDims: null,
  dtype: 'fp32',
} as const;

/** Largest corpus persisted through `@webembed/store` for the reopen figure (writes take a while). */
const STORE_MAX_ROWS = 200_000;

type Runner = (q: Float32Matrix, k: number) => Int32Array;

function cpuSystem(
  id: string,
  prepare: (corpus: Float32Matrix) => { bytes: number; run: Runner },
  stored?: {
    kinds: ('float32' | 'int8' | 'binary')[];
    fromSnapshot: (snapshot: CollectionSnapshot) => Runner;
  },
): PageSystem {
  return {
    id,
    maxRows: Number.POSITIVE_INFINITY,
    limitReason: '',
    async build(corpus) {
      const { bytes, run } = prepare(corpus);
      const wrap = (runner: Runner): BuiltIndex => ({
        indexBytes: bytes,
        search: async (query, k) => runner({ data: query, rows: 1, dims: corpus.dims }, k),
        searchBatch: async (queries, k) => runner(queries, k),
        dispose() {},
      });
      const index = wrap(run);
      if (!stored || corpus.rows > STORE_MAX_ROWS) return index;
      const name = `bench-${stored.kinds.join('-')}`;
      return {
        ...index,
        async persist() {
          const store = await openVectorStore('webembed-bench');
          if (await store.hasCollection(name)) await store.deleteCollection(name);
          const collection = await store.createCollection(name, {
            fingerprint: { ...BENCH_FINGERPRINT, dims: corpus.dims },
            kinds: stored.kinds,
            int8Calibration: stored.kinds.includes('int8') ? calibrateInt8(corpus, 'ranges') : undefined,
          });
          const chunk = 20_000;
          for (let start = 0; start < corpus.rows; start += chunk) {
            const rows = Math.min(chunk, corpus.rows - start);
            const ids = Array.from({ length: rows }, (_, i) => String(start + i));
            await collection.add(
              {
                ids,
                texts: ids,
                vectors: {
                  data: corpus.data.subarray(start * corpus.dims, (start + rows) * corpus.dims),
                  rows,
                  dims: corpus.dims,
                },
              },
              { ...BENCH_FINGERPRINT, dims: corpus.dims },
            );
          }
          store.close();
        },
        async reopen() {
          const store = await openVectorStore('webembed-bench');
          const snapshot = await (await store.collection(name)).load({
            documents: false,
            kinds: stored.kinds,
          });
          store.close();
          return wrap(stored.fromSnapshot(snapshot));
        },
        reopenNote: `@webembed/store (IndexedDB blocks of ${stored.kinds.join(' + ')}), timed: open store + load snapshot + first query (up to ${STORE_MAX_ROWS.toLocaleString('en-US')} rows)`,
      };
    },
  };
}

export const webembedCpuFloat = cpuSystem(
  'webembed CPU float32 (exact)',
  (corpus) => ({
    bytes: corpus.data.byteLength,
    run: (q, k) => searchFloat(q, corpus, { k }).indices,
  }),
  {
    kinds: ['float32'],
    fromSnapshot: (snapshot) => (q, k) =>
      searchFloat(q, snapshot.float32!, { k, skip: snapshot.skip }).indices,
  },
);

export const webembedCpuInt8 = cpuSystem('webembed CPU int8 (exact int dot)', (corpus) => {
  const calibration = calibrateInt8(corpus, 'ranges');
  const codes = quantizeInt8(corpus, calibration);
  return {
    bytes: codes.data.byteLength,
    // Float queries: searchInt8 quantizes them against the corpus calibration (calibration-aware).
    run: (q, k) => searchInt8(q, codes, { k }).indices,
  };
});

export const webembedCpuHamming = cpuSystem('webembed CPU binary Hamming', (corpus) => {
  const bits = quantizeBinary(corpus);
  return {
    bytes: bits.words.byteLength,
    run: (q, k) => searchHamming(quantizeBinary(q), bits, { k }).indices,
  };
});

export const webembedCpuRescore = cpuSystem(
  'webembed CPU binary + int8 rescore x4',
  (corpus) => {
    const binary = quantizeBinary(corpus);
    const int8 = quantizeInt8(corpus, calibrateInt8(corpus, 'ranges'));
    return {
      bytes: binary.words.byteLength + (binary.l1Norms?.byteLength ?? 0) + int8.data.byteLength,
      run: (q, k) => searchTwoStage(q, { binary, int8 }, { k, oversample: 4, rescore: 'int8' }).indices,
    };
  },
  {
    kinds: ['binary', 'int8'],
    fromSnapshot: (snapshot) => (q, k) =>
      searchTwoStage(
        q,
        { binary: snapshot.binary!, int8: snapshot.int8! },
        { k, oversample: 4, rescore: 'int8', skip: snapshot.skip },
      ).indices,
  },
);

// ---------------------------------------------------------------- this project, WebGPU

let gpuSearch: Promise<GpuSearch> | null = null;

/** The shared WebGPU search backend of the page (created once). */
export function pageGpu(): Promise<GpuSearch> {
  gpuSearch ??= createGpuSearch({ backend: 'auto', fallback: false });
  return gpuSearch;
}

function gpuSystem(
  id: string,
  kinds: ('binary' | 'int8' | 'float32')[],
  mode: GpuSearchMode,
  extra: { oversample?: number; rescore?: 'float32' | 'int8' } = {},
): PageSystem {
  return {
    id,
    maxRows: Number.POSITIVE_INFINITY,
    limitReason: '',
    async build(corpus) {
      const gpu = await pageGpu();
      if (gpu.backend !== 'webgpu') throw new Error(`no WebGPU here: ${gpu.reason}`);
      const int8Calibration = kinds.includes('int8') ? calibrateInt8(corpus, 'ranges') : undefined;
      const index = gpu.createIndex({ dims: corpus.dims, kinds, int8Calibration });
      const chunk = 65_536;
      for (let start = 0; start < corpus.rows; start += chunk) {
        const rows = Math.min(chunk, corpus.rows - start);
        await index.append({
          float32: {
            data: corpus.data.subarray(start * corpus.dims, (start + rows) * corpus.dims),
            rows,
            dims: corpus.dims,
          },
        });
      }
      // One search so upload and pipeline compilation finish inside the build time.
      await index.search({ data: rowOf(corpus, 0), rows: 1, dims: corpus.dims }, { k: 1, mode, ...extra });
      const words = Math.ceil(corpus.dims / 32);
      const bytes =
        corpus.rows *
        ((kinds.includes('binary') ? words * 4 + 4 : 0) +
          (kinds.includes('int8') ? corpus.dims : 0) +
          (kinds.includes('float32') ? corpus.dims * 4 : 0));
      const run = async (q: Float32Matrix, k: number) =>
        (await index.search(q, { k, mode, ...extra })).indices;
      return {
        indexBytes: bytes,
        note: `${gpu.adapterInfo?.vendor ?? ''} ${gpu.adapterInfo?.architecture ?? ''}${gpu.adapterInfo?.isFallbackAdapter ? ' (fallback adapter, CPU-emulated)' : ''}`.trim(),
        search: (query, k) => run({ data: query, rows: 1, dims: corpus.dims }, k),
        searchBatch: run,
        dispose: () => index.destroy(),
      };
    },
  };
}

export const webembedGpuHamming = gpuSystem('webembed WebGPU binary Hamming', ['binary'], 'hamming');
export const webembedGpuRescore = gpuSystem(
  'webembed WebGPU binary + int8 rescore x4',
  ['binary', 'int8'],
  'binary-rescore',
  {
    oversample: 4,
    rescore: 'int8',
  },
);
export const webembedGpuInt8 = gpuSystem('webembed WebGPU int8', ['int8'], 'int8');
export const webembedGpuFloat = gpuSystem('webembed WebGPU float32 (exact)', ['float32'], 'float32');

// ---------------------------------------------------------------- baseline: the plain loop

/** What a transformers.js user writes: number[] vectors, cosine with a loop, full sort. */
export const plainLoop: PageSystem = {
  id: 'plain JS loop (number[], cosine, full sort)',
  maxRows: 100_000,
  limitReason:
    'number[][] of 1M x 384 doubles needs ~3 GB of JS heap and a full sort of 1M objects per query',
  async build(corpus) {
    const vectors: number[][] = [];
    for (let r = 0; r < corpus.rows; r++) vectors.push(Array.from(rowOf(corpus, r)));
    const cosine = (a: number[], b: number[]) => {
      let dot = 0;
      let na = 0;
      let nb = 0;
      for (let i = 0; i < a.length; i++) {
        dot += a[i] * b[i];
        na += a[i] * a[i];
        nb += b[i] * b[i];
      }
      return dot / (Math.sqrt(na) * Math.sqrt(nb));
    };
    return {
      async search(query, k) {
        const q = Array.from(query);
        const scored = vectors.map((v, id) => ({ id, score: cosine(q, v) }));
        scored.sort((a, b) => b.score - a.score);
        return idsFrom(scored, k);
      },
      dispose() {
        vectors.length = 0;
      },
    };
  },
};

// ---------------------------------------------------------------- peers

export const clientVectorSearch: PageSystem = {
  id: 'client-vector-search 0.2.0 (brute force)',
  maxRows: 100_000,
  limitReason:
    'objects with number[] embeddings: ~3 GB of heap at 1M x 384; reduce()-based cosine + full sort per query',
  async build(corpus) {
    const index = new EmbeddingIndex([]);
    for (let r = 0; r < corpus.rows; r++) index.add({ id: r, embedding: Array.from(rowOf(corpus, r)) });
    return {
      async search(query, k) {
        const hits = await index.search(Array.from(query), { topK: k, useStorage: 'none' });
        return idsFrom(
          hits.map((h) => ({ id: (h.object as { id: number }).id })),
          k,
        );
      },
      persist: () => index.saveIndex('indexedDB', { DBName: 'cvs-bench', objectStoreName: 'vectors' }),
      async reopen() {
        // The library reads the whole store back and searches it on every IndexedDB query.
        const fresh = new EmbeddingIndex([]);
        const probe = async (query: Float32Array, k: number) => {
          const hits = await fresh.search(Array.from(query), {
            topK: k,
            useStorage: 'indexedDB',
            storageOptions: { indexedDBName: 'cvs-bench', indexedDBObjectStoreName: 'vectors' },
          });
          return idsFrom(
            hits.map((h) => ({ id: (h.object as { id: number }).id })),
            k,
          );
        };
        return { search: probe, dispose() {} };
      },
      reopenNote:
        'IndexedDB (saveIndex), timed: a new EmbeddingIndex answering its first IndexedDB-backed query',
      async dispose() {
        await index.deleteIndexedDB('cvs-bench').catch(() => undefined);
      },
    };
  },
};

export const voy: PageSystem = {
  id: 'voy-search 0.6.3 (WASM k-d tree)',
  maxRows: 100_000,
  limitReason:
    'WASM memory reached ~1.4 GB at 100K x 384 (serde JSON-like resources); 1M does not fit 4 GB wasm32',
  async build(corpus) {
    const { Voy } = await loadVoy();
    let index: VoyIndex = new Voy();
    const chunk = 5_000; // `new Voy(resource)` with 100K items throws `unwrap_throw` failed
    for (let start = 0; start < corpus.rows; start += chunk) {
      const embeddings = [];
      for (let r = start; r < Math.min(corpus.rows, start + chunk); r++) {
        embeddings.push({ id: String(r), title: '', url: '', embeddings: Array.from(rowOf(corpus, r)) });
      }
      index.add({ embeddings });
    }
    let serialized = '';
    const wrap = (ix: VoyIndex): BuiltIndex => ({
      async search(query, k) {
        const { neighbors } = ix.search(query, k);
        return idsFrom(
          neighbors.map((n) => ({ id: Number(n.id) })),
          k,
        );
      },
      async persist() {
        serialized = ix.serialize();
      },
      async reopen() {
        index = Voy.deserialize(serialized);
        return wrap(index);
      },
      reopenNote: 'serialize() string in memory (the app stores it), timed: Voy.deserialize + first query',
      dispose: () => ix.free(),
    });
    return wrap(index);
  },
};

export const orama: PageSystem = {
  id: 'Orama 3.1.18 (vector mode, similarity 0)',
  maxRows: 100_000,
  limitReason: 'document store + per-document vector objects: build at 100K already takes tens of seconds',
  async build(corpus) {
    const schema = { n: 'number', embedding: `vector[${corpus.dims}]` } as const;
    const db = create({ schema });
    const docs = [];
    for (let r = 0; r < corpus.rows; r++) docs.push({ n: r, embedding: Array.from(rowOf(corpus, r)) });
    await insertMultiple(db, docs, 1000);
    let raw: unknown = null;
    const wrap = (d: typeof db): BuiltIndex => ({
      async search(query, k) {
        const res = await oramaSearch(d, {
          mode: 'vector',
          vector: { value: Array.from(query), property: 'embedding' },
          similarity: 0,
          limit: k,
          includeVectors: false,
        });
        return idsFrom(
          res.hits.map((h) => ({ id: (h.document as { n: number }).n })),
          k,
        );
      },
      async persist() {
        raw = save(d);
      },
      async reopen() {
        const fresh = create({ schema });
        load(fresh, raw as Parameters<typeof load>[1]);
        return wrap(fresh);
      },
      reopenNote:
        'save() raw object in memory (persistence plugins store it), timed: create + load + first query',
      dispose() {},
    });
    return wrap(db);
  },
};

export const hnswlib: PageSystem = {
  id: 'hnswlib-wasm 0.8.2 (HNSW M=16 efC=128 ef=64)',
  maxRows: 100_000,
  limitReason: 'single-threaded HNSW build: ~10 min at 100K x 384 on this shared machine, so hours at 1M',
  async build(corpus) {
    const lib = await loadHnswlib();
    const file = `bench-${corpus.rows}.bin`;
    const make = () => new lib.HierarchicalNSW('cosine', corpus.dims, '');
    const index = make();
    index.initIndex(corpus.rows, 16, 128, 42);
    index.setEfSearch(64);
    const chunk = 10_000;
    for (let start = 0; start < corpus.rows; start += chunk) {
      const items: Float32Array[] = [];
      const labels: number[] = [];
      for (let r = start; r < Math.min(corpus.rows, start + chunk); r++) {
        items.push(rowOf(corpus, r));
        labels.push(r);
      }
      index.addPoints(items, labels, false);
    }
    const wrap = (ix: ReturnType<typeof make>): BuiltIndex => ({
      async search(query, k) {
        const res = ix.searchKnn(query, k, undefined);
        return Int32Array.from(res.neighbors);
      },
      async persist() {
        await ix.writeIndex(file);
        await new Promise<void>((resolve) => lib.EmscriptenFileSystemManager.syncFS(false, () => resolve()));
      },
      async reopen() {
        await new Promise<void>((resolve) => lib.EmscriptenFileSystemManager.syncFS(true, () => resolve()));
        const fresh = make();
        await fresh.readIndex(file, corpus.rows);
        fresh.setEfSearch(64);
        return wrap(fresh);
      },
      reopenNote: 'writeIndex to IDBFS (IndexedDB), timed: syncFS read + readIndex + first query',
      dispose() {},
    });
    return wrap(index);
  },
};

export const entityDb: PageSystem = {
  id: 'EntityDB 1.0.11 (IndexedDB, cosine)',
  maxRows: 10_000,
  limitReason:
    'one IndexedDB transaction per insert and a getAll() of every vector per query: 100K would take tens of minutes here',
  async build(corpus) {
    const db = new EntityDB({ vectorPath: 'embedding' });
    // Start from an empty store (the database name is fixed by the library).
    const idb = await (
      db as unknown as { dbPromise: Promise<IDBDatabase & { clear(s: string): Promise<void> }> }
    ).dbPromise;
    await idb.clear('vectors');
    for (let r = 0; r < corpus.rows; r++) {
      await db.insertManualVectors({ embedding: Array.from(rowOf(corpus, r)), n: r });
    }
    const search = async (query: Float32Array, k: number) => {
      const hits = (await db.queryManualVectors(Array.from(query), { limit: k })) as { n: number }[];
      return idsFrom(
        hits.map((h) => ({ id: h.n })),
        k,
      );
    };
    return {
      search,
      async persist() {},
      async reopen() {
        const fresh = new EntityDB({ vectorPath: 'embedding' });
        return {
          search: async (query, k) => {
            const hits = (await fresh.queryManualVectors(Array.from(query), { limit: k })) as { n: number }[];
            return idsFrom(
              hits.map((h) => ({ id: h.n })),
              k,
            );
          },
          dispose() {},
        };
      },
      reopenNote: 'always in IndexedDB, timed: new EntityDB + first query (reads every vector)',
      dispose() {},
    };
  },
};

/** Every browser system, in table order. */
export const pageSystems: readonly PageSystem[] = [
  webembedGpuHamming,
  webembedGpuRescore,
  webembedGpuInt8,
  webembedGpuFloat,
  webembedCpuHamming,
  webembedCpuRescore,
  webembedCpuInt8,
  webembedCpuFloat,
  plainLoop,
  clientVectorSearch,
  voy,
  orama,
  hnswlib,
  entityDb,
];
