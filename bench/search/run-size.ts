/**
 * One size of `pnpm bench search`: fills one IndexedDB collection with synthetic unit vectors, opens it through the engine
 * (`engineFromEmbedder` with a stand-in embedder, so the query embedding costs nothing and is
 * subtracted anyway), and times `collection.search` end to end beside the bare `@webembed/core`
 * kernel on the same rows, query by query, in the same thread and run; then, per mode, one
 * `collection.searchMany` of a batch of queries (64 by default) beside the same queries searched
 * one `collection.search` at a time. bench/search/worker.ts
 * runs it in a Chromium module worker; bench/gpu-node.ts runs it in Node (fake-indexeddb, Dawn).
 *
 * @module
 */
import {
  type BinaryMatrix,
  type Float32Matrix,
  type Int8Matrix,
  type TopK,
  calibrateInt8,
  prepareHammingCorpus,
  quantizeBinary,
  quantizeInt8,
  searchFloat,
  searchHamming,
  searchInt8,
  searchTwoStage,
} from '@webembed/core';
import {
  type Embedder,
  type EngineCollectionHandle,
  type SearchMode,
  type SearchResponse,
  engineFromEmbedder,
  fingerprintOf,
  resolvePreset,
} from '@webembed/engine';
import { type VectorKind, openVectorStore } from '@webembed/store';
import { seededRandom } from '../lib/synthetic.js';

/** One size to measure. */
export interface SearchBenchConfig {
  readonly rows: number;
  readonly dims: number;
  readonly kinds: readonly VectorKind[];
  /** Modes to time; `default` is what a search naming no mode runs. */
  readonly modes: readonly (SearchMode | 'default')[];
  readonly queries: number;
  readonly k: number;
  readonly searchBackend: 'auto' | 'webgpu' | 'cpu';
  /** Queries of the `searchMany` batch timed per mode (default 64; 0 skips it). */
  readonly batchQueries?: number;
}

/** One mode's `searchMany` of a batch beside the same queries searched one at a time. */
export interface SearchManyBenchLine {
  /** Queries in the batch. */
  readonly queries: number;
  /** `searchMany` wall time minus its (one) embedding, ms; median of the timed runs. */
  readonly manyMs: number;
  /** The same queries through `search` one after another, summed, minus their embeddings; median of the runs. */
  readonly singlesMs: number;
  /** `singlesMs / manyMs`: how many times the per-query throughput of the batch is the singles'. */
  readonly throughputRatio: number;
  /** The first `searchMany` of this mode (with `auto`, it times both paths for the batch's bucket). */
  readonly firstMs: number;
  /** Where the batch ran, and why (the response's searchBackend and searchReason). */
  readonly backend: string;
  readonly reason: string;
  /** Whether every query's hits in the batch equal its single search's (ids and scores). */
  readonly sameHits: boolean;
  /** Hit positions whose id differs between the batch and the single searches, over all runs. */
  readonly idsDiffering: number;
  /** Largest score difference where the ids agree (float rounding when batch and singles ran on different backends). */
  readonly maxScoreDiff: number;
  /** Where the single searches ran (with `auto`, the single-query route may differ from the batch's). */
  readonly singlesBackend: string;
  /** The engine's breakdown of one timed batch. */
  readonly breakdown: { snapshotMs?: number; kernelMs?: number; hydrateMs?: number };
}

/** Per-search samples of one mode at one size. */
export interface SearchBenchLine {
  readonly rows: number;
  readonly requested: string;
  readonly mode: string;
  readonly backend: string;
  readonly backendReason: string;
  /** `collection.search` wall time minus its embedding time, ms, one per query. */
  readonly endToEnd: number[];
  /** The bare core kernel on the same rows and query, ms, one per query. */
  readonly kernel: number[];
  /** The engine's own breakdown per search (absent fields: not reported by this build). */
  readonly snapshot: number[];
  readonly engineKernel: number[];
  readonly hydrate: number[];
  /** IndexedDB transactions opened per timed search (0 when the snapshot is trusted). */
  readonly transactionsPerSearch: number;
  /** First search of this mode (cold snapshot for the first mode), end to end minus embedding. */
  readonly firstMs: number;
  /** The engine's breakdown of that first search (snapshot, kernel, hydration), when reported. */
  readonly firstBreakdown: { snapshotMs?: number; kernelMs?: number; hydrateMs?: number };
  /** Whether the engine's top-k ids equal the bare kernel's for every timed query. */
  readonly sameHits: boolean;
  /** `searchMany` of a batch beside single searches (absent when `batchQueries` is 0). */
  readonly many?: SearchManyBenchLine;
}

/** What one size produced. */
export interface SearchBenchResult {
  readonly rows: number;
  readonly dims: number;
  readonly kinds: readonly VectorKind[];
  readonly writeMs: number;
  readonly lines: SearchBenchLine[];
  readonly engineSearchInfo: { backend: string; reason: string };
}

const BATCH = 16_384;
/** Timed runs of the batch and of its single searches (medians reported). */
const MANY_RUNS = 3;

function pickBreakdown(response: SearchResponse): SearchBenchLine['firstBreakdown'] {
  const t = response.timings;
  return { snapshotMs: t.snapshotMs, kernelMs: t.kernelMs, hydrateMs: t.hydrateMs };
}

let transactions = 0;
const originalTransaction = IDBDatabase.prototype.transaction;
IDBDatabase.prototype.transaction = function counted(
  this: IDBDatabase,
  ...args: Parameters<IDBDatabase['transaction']>
) {
  transactions++;
  return originalTransaction.apply(this, args);
};

function unitRows(rows: number, dims: number, next: () => number): Float32Array {
  const data = new Float32Array(rows * dims);
  for (let r = 0; r < rows; r++) {
    let sum = 0;
    for (let j = 0; j < dims; j++) {
      const v = next() * 2 - 1;
      data[r * dims + j] = v;
      sum += v * v;
    }
    const inv = 1 / Math.sqrt(sum);
    for (let j = 0; j < dims; j++) data[r * dims + j] *= inv;
  }
  return data;
}

/** The corpus, batch by batch, the same for a given `rows` and `dims` every time it is generated. */
function* corpusBatches(rows: number, dims: number): Generator<{ start: number; data: Float32Array }> {
  const next = seededRandom(rows);
  for (let start = 0; start < rows; start += BATCH) {
    yield { start, data: unitRows(Math.min(BATCH, rows - start), dims, next) };
  }
}

/** The corpus row each query starts from. */
function queryPlan(rows: number, count: number): Int32Array {
  const next = seededRandom(99);
  return Int32Array.from({ length: count }, () => Math.floor(next() * rows));
}

/** Queries near corpus rows (a row plus noise, renormalized), so top-k lists are meaningful. */
function queriesNear(sources: Float32Array, dims: number, count: number): Float32Array {
  const next = seededRandom(101);
  const out = new Float32Array(count * dims);
  for (let q = 0; q < count; q++) {
    let sum = 0;
    for (let j = 0; j < dims; j++) {
      const v = sources[q * dims + j] + (next() * 2 - 1) * 0.05;
      out[q * dims + j] = v;
      sum += v * v;
    }
    const inv = 1 / Math.sqrt(sum);
    for (let j = 0; j < dims; j++) out[q * dims + j] *= inv;
  }
  return out;
}

/** A stand-in embedder: `q<n>` is query vector n. Only what collections call is implemented. */
function tableEmbedder(dims: number, queries: Float32Array): Embedder {
  const preset = resolvePreset('bench/synthetic', { dims });
  const fingerprint = fingerprintOf(preset, 'fp32', 'main', null);
  const unused = () => {
    throw new Error('not used by the search benchmark');
  };
  return {
    info: {
      modelId: preset.modelId,
      backend: 'wasm',
      adapter: null,
      fallbackReasons: [],
      dtype: 'fp32',
      maxTokens: 512,
      maxTextChars: 100_000,
      threads: 1,
      loadMs: 0,
    },
    preset,
    fingerprint,
    async embed(texts) {
      const data = new Float32Array(texts.length * dims);
      texts.forEach((text, i) => {
        const q = Number(text.slice(1));
        data.set(queries.subarray(q * dims, (q + 1) * dims), i * dims);
      });
      return {
        vectors: { data, rows: texts.length, dims },
        tokenCounts: new Int32Array(texts.length),
        truncated: texts.map(() => false),
      };
    },
    countTokens: (text) => text.length,
    encode: unused,
    tokenStatesOfIds: unused,
    embedTokens: unused,
    cacheStats: () => ({ size: 0, hits: 0, misses: 0 }),
    dispose: async () => {},
  };
}

interface Corpus {
  float32: Float32Matrix;
  binary: BinaryMatrix;
  preparedBinary: BinaryMatrix;
  int8?: Int8Matrix;
}

/** The kernel a search of `mode` runs, called the way a `@webembed/core` user would call it. */
function bareKernel(mode: string, corpus: Corpus, k: number): (q: Float32Matrix) => TopK {
  switch (mode) {
    case 'float32':
      return (q) => searchFloat(q, corpus.float32, { k });
    case 'int8':
      return (q) => searchInt8(q, corpus.int8 as Int8Matrix, { k });
    case 'hamming':
      return (q) => searchHamming(quantizeBinary(q), corpus.preparedBinary, { k });
    case 'binary-rescore':
      return (q) =>
        searchTwoStage(
          q,
          { binary: corpus.binary, float32: corpus.float32, int8: corpus.int8 },
          { k, oversample: 4, candidates: 'asymmetric-l1' },
        );
    default:
      throw new Error(`no bare kernel for mode ${mode}`);
  }
}

async function deleteDatabase(name: string): Promise<void> {
  await new Promise<void>((resolve) => {
    const req = indexedDB.deleteDatabase(name);
    req.onsuccess = () => resolve();
    req.onerror = () => resolve();
    req.onblocked = () => resolve();
  });
}

/**
 * Writes `config.rows` synthetic rows into a fresh database, opens it through the engine and
 * times every mode; `log` receives progress lines. The database is deleted afterwards.
 */
export async function runSize(
  config: SearchBenchConfig,
  log: (message: string) => void,
): Promise<SearchBenchResult> {
  const { rows, dims, kinds, k } = config;
  const database = `search-bench-${rows}`;
  await deleteDatabase(database);
  const batchQueries = config.batchQueries ?? 64;
  const plan = queryPlan(rows, Math.max(config.queries + 1, batchQueries));
  const sources = new Float32Array(plan.length * dims);
  const embedder = tableEmbedder(dims, new Float32Array(0));
  const store = await openVectorStore(database);
  const calibration = kinds.includes('int8')
    ? calibrateInt8({ data: unitRows(4096, dims, seededRandom(7)), rows: 4096, dims }, 'ranges')
    : undefined;
  const stored = await store.createCollection('bench', {
    fingerprint: embedder.fingerprint,
    kinds,
    int8Calibration: calibration,
  });
  const writeStart = performance.now();
  let written = 0;
  for (const { start, data } of corpusBatches(rows, dims)) {
    const n = data.length / dims;
    plan.forEach((row, q) => {
      if (row >= start && row < start + n)
        sources.set(data.subarray((row - start) * dims, (row - start + 1) * dims), q * dims);
    });
    const ids: string[] = [];
    const texts: string[] = [];
    const metadata: { n: number }[] = [];
    for (let i = 0; i < n; i++) {
      ids.push(`d${start + i}`);
      texts.push(`passage ${start + i}`);
      metadata.push({ n: start + i });
    }
    await stored.add({ ids, texts, metadata, vectors: { data, rows: n, dims } }, embedder.fingerprint);
    written += n;
    if ((start / BATCH) % 16 === 15) log(`  wrote ${written} / ${rows} rows`);
  }
  const writeMs = performance.now() - writeStart;
  store.close();
  log(`  ${rows} rows written in ${(writeMs / 1000).toFixed(1)} s`);

  const queries = queriesNear(sources, dims, plan.length);
  const engine = await engineFromEmbedder(tableEmbedder(dims, queries), {
    database,
    searchBackend: config.searchBackend,
  });
  // The bare kernel's copy of the rows is generated again after the engine has loaded its
  // snapshot, so the two copies are never held next to IndexedDB's block buffers at once.
  let corpus: Corpus | null = null;
  const corpusForKernel = (): Corpus => {
    if (corpus) return corpus;
    const all = new Float32Array(rows * dims);
    for (const { start, data } of corpusBatches(rows, dims)) all.set(data, start * dims);
    const float32 = { data: all, rows, dims };
    const binary = quantizeBinary(float32);
    corpus = {
      float32,
      binary,
      preparedBinary: prepareHammingCorpus(binary),
      int8: calibration ? quantizeInt8(float32, calibration) : undefined,
    };
    return corpus;
  };
  const lines: SearchBenchLine[] = [];
  try {
    const collection = await engine.collection('bench');
    for (const requested of config.modes) {
      const mode = requested === 'default' ? undefined : requested;
      const search = async (q: number): Promise<{ ms: number; response: SearchResponse }> => {
        const start = performance.now();
        const response = await collection.search(`q${q}`, { k, mode });
        return { ms: performance.now() - start - response.timings.embedMs, response };
      };
      const first = await search(config.queries);
      const kernel = bareKernel(first.response.mode, corpusForKernel(), k);
      const line = {
        rows,
        requested,
        mode: first.response.mode,
        backend: first.response.searchBackend,
        backendReason: first.response.searchReason ?? engine.info.search.reason,
        endToEnd: [] as number[],
        kernel: [] as number[],
        snapshot: [] as number[],
        engineKernel: [] as number[],
        hydrate: [] as number[],
        transactionsPerSearch: 0,
        firstMs: first.ms,
        firstBreakdown: pickBreakdown(first.response),
        sameHits: true,
      };
      const before = transactions;
      for (let q = 0; q < config.queries; q++) {
        const query = { data: queries.subarray(q * dims, (q + 1) * dims), rows: 1, dims };
        // Alternate which goes first so neither always runs on a warmer cache.
        let top: TopK;
        let engineRun: { ms: number; response: SearchResponse };
        if (q % 2 === 0) {
          const t = performance.now();
          top = kernel(query);
          line.kernel.push(performance.now() - t);
          engineRun = await search(q);
        } else {
          engineRun = await search(q);
          const t = performance.now();
          top = kernel(query);
          line.kernel.push(performance.now() - t);
        }
        line.endToEnd.push(engineRun.ms);
        const timings = engineRun.response.timings;
        if (timings.snapshotMs !== undefined) line.snapshot.push(timings.snapshotMs);
        if (timings.kernelMs !== undefined) line.engineKernel.push(timings.kernelMs);
        if (timings.hydrateMs !== undefined) line.hydrate.push(timings.hydrateMs);
        const expected = Array.from(top.indices.subarray(0, top.k), (row) => `d${row}`);
        const got = engineRun.response.hits.map((h) => h.id);
        if (expected.join() !== got.join()) line.sameHits = false;
      }
      line.transactionsPerSearch = (transactions - before) / config.queries;
      const many = batchQueries > 0 ? await timeSearchMany(collection, mode, k, batchQueries) : undefined;
      lines.push(many ? { ...line, many } : line);
      if (many) {
        log(
          `  ${rows} ${line.mode}: searchMany of ${many.queries} ${many.manyMs.toFixed(2)} ms vs ${many.singlesMs.toFixed(2)} ms one by one (x${many.throughputRatio.toFixed(2)} throughput, ${many.backend}: ${many.reason})`,
        );
      }
      log(
        `  ${rows} ${line.mode}: first ${line.firstMs.toFixed(1)} ms (${JSON.stringify(line.firstBreakdown)}), ${config.queries} searches timed (${line.backend})`,
      );
    }
    return { rows, dims, kinds, writeMs, lines, engineSearchInfo: { ...engine.info.search } };
  } finally {
    await engine.dispose();
    await deleteDatabase(database);
  }
}

const medianOf = (xs: readonly number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];

/**
 * One mode's `searchMany` of queries `q0..q(n-1)` beside the same queries through `search` one
 * at a time (both minus their embedding time), after one untimed first batch (where `auto`
 * times both paths for the batch's bucket).
 */
async function timeSearchMany(
  collection: EngineCollectionHandle,
  mode: SearchMode | undefined,
  k: number,
  count: number,
): Promise<SearchManyBenchLine> {
  const texts = Array.from({ length: count }, (_, q) => `q${q}`);
  let start = performance.now();
  const first = await collection.searchMany(texts, { k, mode });
  const firstMs = performance.now() - start - first.timings.embedMs;
  const manyRuns: number[] = [];
  const singleRuns: number[] = [];
  let last = first;
  let sameHits = true;
  let idsDiffering = 0;
  let maxScoreDiff = 0;
  let singlesBackend = '';
  for (let run = 0; run < MANY_RUNS; run++) {
    start = performance.now();
    last = await collection.searchMany(texts, { k, mode });
    manyRuns.push(performance.now() - start - last.timings.embedMs);
    let total = 0;
    for (let q = 0; q < count; q++) {
      start = performance.now();
      const one = await collection.search(texts[q], { k, mode });
      total += performance.now() - start - one.timings.embedMs;
      singlesBackend = one.searchBackend;
      const mine = last.results[q].hits;
      if (
        mine.length !== one.hits.length ||
        mine.some((h, i) => h.id !== one.hits[i].id || h.score !== one.hits[i].score)
      ) {
        sameHits = false;
      }
      for (let i = 0; i < Math.max(mine.length, one.hits.length); i++) {
        if (mine[i]?.id !== one.hits[i]?.id) idsDiffering++;
        else maxScoreDiff = Math.max(maxScoreDiff, Math.abs(mine[i].score - one.hits[i].score));
      }
    }
    singleRuns.push(total);
  }
  const manyMs = medianOf(manyRuns);
  const singlesMs = medianOf(singleRuns);
  const t = last.timings;
  return {
    queries: count,
    manyMs,
    singlesMs,
    throughputRatio: singlesMs / manyMs,
    firstMs,
    backend: last.searchBackend,
    reason: last.searchReason ?? '',
    sameHits,
    idsDiffering,
    maxScoreDiff,
    singlesBackend,
    breakdown: { snapshotMs: t.snapshotMs, kernelMs: t.kernelMs, hydrateMs: t.hydrateMs },
  };
}
