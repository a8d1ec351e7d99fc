import 'fake-indexeddb/auto';
import { fingerprintOf, resolvePreset } from '../src/index.js';
import { createGpuSearch, type GpuSearch } from '@webembed/gpu';
import { openVectorStore } from '@webembed/store';
import { describe, expect, it } from 'vitest';
import { createStoreSearcher } from '../src/dense-search.js';
import {
  batchBucket,
  chooseBackend,
  createGpuSearcher,
  searchBackendInfo,
  sharedGpuSearch,
  timeBothPaths,
} from '../src/gpu-search.js';

interface CountingGpu {
  gpu: GpuSearch;
  creates: () => number;
  appends: number[];
  /** Searches that reached an index (the "GPU" path). */
  gpuSearches: () => number;
  /** Modes each created index was asked to compile pipelines for. */
  warmUps: string[][];
}

// The GPU searcher's bookkeeping (upload once, extend on append/delete, rebuild otherwise) and its
// routing checked in Node: @webembed/gpu's CPU path stands in for the device behind a
// `webgpu`-labelled wrapper whose indexes also say `webgpu`.
async function countingGpu(): Promise<CountingGpu> {
  const cpu = await createGpuSearch({ backend: 'cpu' });
  let creates = 0;
  let gpuSearches = 0;
  const appends: number[] = [];
  const warmUps: string[][] = [];
  const gpu = Object.create(cpu) as GpuSearch;
  Object.defineProperty(gpu, 'backend', { value: 'webgpu' });
  Object.defineProperty(gpu, 'reason', { value: 'WebGPU on a test device' });
  gpu.createIndex = (options) => {
    creates++;
    const index = cpu.createIndex(options);
    Object.defineProperty(index, 'backend', { value: 'webgpu' });
    Object.defineProperty(index, 'reason', { value: 'WebGPU on a test device' });
    const append = index.append.bind(index);
    index.append = async (batch) => {
      appends.push(batch.float32?.rows ?? batch.binary?.rows ?? 0);
      // An upload takes time: concurrent searches must not both append the same rows.
      await new Promise((resolve) => setTimeout(resolve, 2));
      return append(batch);
    };
    const search = index.search.bind(index);
    index.search = (queries, options) => {
      gpuSearches++;
      return search(queries, options);
    };
    index.warmUp = async (searches) => {
      warmUps.push(searches.map((s) => s.mode));
    };
    return index;
  };
  return { gpu, creates: () => creates, appends, gpuSearches: () => gpuSearches, warmUps };
}

function vec(seed: number, dims = 8): Float32Array {
  const v = Float32Array.from({ length: dims }, (_, j) => Math.sin(seed * 7.1 + j * 1.3));
  const n = Math.hypot(...v);
  return v.map((x) => x / n);
}

describe('GPU searcher bookkeeping', () => {
  it('uploads once, extends on appends and deletes, rebuilds after clear; same hits as the CPU search', async () => {
    const fingerprint = fingerprintOf(resolvePreset('me/test', { dims: 8 }), 'fp32', '', null);
    const store = await openVectorStore('engine-gpu-searcher-test');
    const stored = await store.createCollection('c', { fingerprint, kinds: ['float32', 'int8', 'binary'] });
    const { gpu, creates, appends } = await countingGpu();
    const searcher = createGpuSearcher(stored, gpu, { policy: 'webgpu' });
    const cpu = createStoreSearcher(stored);
    expect(searcher.backend).toBe('webgpu');
    const docs = (from: number, n: number) =>
      Array.from({ length: n }, (_, i) => ({
        id: `d${from + i}`,
        text: `t${from + i}`,
        vector: vec(from + i),
      }));
    const same = async () => {
      for (const mode of ['float32', 'int8', 'hamming', 'binary-rescore'] as const) {
        for (const q of [1, 5, 12]) {
          const a = await searcher.search(vec(q + 0.1), { k: 4, mode });
          const b = await cpu.search(vec(q + 0.1), { k: 4, mode });
          expect(a.hits, mode).toEqual(b.hits);
        }
      }
    };
    await stored.add(docs(0, 10), fingerprint);
    await same();
    expect(creates()).toBe(1);
    await stored.add(docs(10, 5), fingerprint);
    await stored.delete(['d1', 'd11']);
    // Searches started together after a write append the new rows once.
    await Promise.all([1, 2, 3].map((q) => searcher.search(vec(q), { k: 2, mode: 'float32' })));
    await same();
    expect(creates()).toBe(1);
    expect(appends).toEqual([10, 5]);
    const filtered = await searcher.search(vec(3), {
      k: 2,
      mode: 'float32',
      filter: (_m, id) => id === 'd7',
    });
    expect(filtered.hits.map((h) => h.id)).toEqual(['d7']);
    await stored.clear();
    await stored.add(docs(20, 3), fingerprint);
    await same();
    expect(creates()).toBe(2);
    searcher.dispose?.();
    store.close();
  });

  it('auto routes each mode to the path measured faster, says why, and measures again at 2x size', async () => {
    const fingerprint = fingerprintOf(resolvePreset('me/test', { dims: 8 }), 'fp32', '', null);
    const store = await openVectorStore('engine-gpu-routing-test');
    const stored = await store.createCollection('c', { fingerprint, kinds: ['float32', 'int8', 'binary'] });
    const { gpu, gpuSearches, warmUps } = await countingGpu();
    const timings = { cpuMs: 0.4, gpuMs: 3.1 };
    const measured: string[] = [];
    const searcher = createGpuSearcher(stored, gpu, {
      policy: 'auto',
      dims: 8,
      kinds: ['float32', 'int8', 'binary'],
      calibration: null,
      measure: async (run) => {
        run.cpu();
        await run.gpu();
        measured.push(`${timings.cpuMs}/${timings.gpuMs}`);
        return timings;
      },
    });
    // The default modes' pipelines are compiled when the index is created.
    expect(warmUps).toEqual([['float32', 'binary-rescore']]);
    const add = (from: number, n: number) =>
      stored.add(
        Array.from({ length: n }, (_, i) => ({ id: `d${from + i}`, text: 't', vector: vec(from + i) })),
        fingerprint,
      );
    await add(0, 10);
    const cpuFirst = await searcher.search(vec(3), { k: 2, mode: 'float32' });
    expect(cpuFirst.backend).toBe('cpu');
    expect(cpuFirst.reason).toBe(
      'cpu is faster: cpu 0.40 ms vs webgpu 3.10 ms at 10 rows (float32, timed on a search)',
    );
    expect(cpuFirst.hits[0].id).toBe('d3');
    const searchesAfterMeasure = gpuSearches();
    await searcher.search(vec(4), { k: 2, mode: 'float32' });
    expect(gpuSearches()).toBe(searchesAfterMeasure);
    expect(measured).toHaveLength(1);

    timings.cpuMs = 5;
    timings.gpuMs = 1.25;
    // Another mode is measured on its own first search.
    const binary = await searcher.search(vec(4), { k: 2, mode: 'binary-rescore' });
    expect(binary.backend).toBe('webgpu');
    expect(binary.reason).toContain('webgpu is faster: cpu 5.00 ms vs webgpu 1.25 ms at 10 rows');
    expect(measured).toHaveLength(2);
    // Growing past twice the measured size measures float32 again; within 2x it does not.
    await add(10, 10);
    expect((await searcher.search(vec(4), { k: 2, mode: 'float32' })).backend).toBe('cpu');
    expect(measured).toHaveLength(2);
    await add(20, 1);
    const before = gpuSearches();
    const grown = await searcher.search(vec(21), { k: 2, mode: 'float32' });
    expect(measured).toHaveLength(3);
    expect(grown.backend).toBe('webgpu');
    expect(grown.reason).toContain('at 21 rows (float32');
    const reference = createStoreSearcher(stored);
    expect(grown.hits).toEqual((await reference.search(vec(21), { k: 2, mode: 'float32' })).hits);
    reference.dispose?.();
    expect(gpuSearches()).toBeGreaterThan(before);
    // Filters always rank on the CPU, and say so.
    const filtered = await searcher.search(vec(4), { k: 2, mode: 'float32', filter: { x: 1 } });
    expect(filtered.backend).toBe('cpu');
    expect(filtered.reason).toBe('filtered searches run on the CPU path');
    searcher.dispose?.();
    store.close();
  });

  it("policy 'webgpu' never measures; a CPU GpuSearch gives the store searcher with its reason", async () => {
    const fingerprint = fingerprintOf(resolvePreset('me/test', { dims: 8 }), 'fp32', '', null);
    const store = await openVectorStore('engine-gpu-policy-test');
    const stored = await store.createCollection('c', { fingerprint, kinds: ['float32', 'binary'] });
    await stored.add(
      Array.from({ length: 5 }, (_, i) => ({ id: `d${i}`, text: 't', vector: vec(i) })),
      fingerprint,
    );
    const { gpu, gpuSearches } = await countingGpu();
    let measures = 0;
    const named = createGpuSearcher(stored, gpu, {
      policy: 'webgpu',
      measure: async () => {
        measures++;
        return { cpuMs: 0, gpuMs: 1 };
      },
    });
    const res = await named.search(vec(2), { k: 1, mode: 'hamming' });
    expect(res.backend).toBe('webgpu');
    expect(res.reason).toBe("searchBackend 'webgpu': WebGPU on a test device");
    expect(measures).toBe(0);
    expect(gpuSearches()).toBe(1);
    named.dispose?.();
    // A binary-only collection has nothing to rescore with: asymmetric binary scores rank, as on the CPU.
    const binaryOnly = await store.createCollection('b', { fingerprint, kinds: ['binary'] });
    await binaryOnly.add(
      Array.from({ length: 9 }, (_, i) => ({ id: `b${i}`, text: 't', vector: vec(i) })),
      fingerprint,
    );
    const onBinary = createGpuSearcher(binaryOnly, gpu, { policy: 'webgpu' });
    const cpuBinary = createStoreSearcher(binaryOnly);
    const gpuHits = await onBinary.search(vec(4), { k: 3, mode: 'binary-rescore' });
    expect(gpuHits.backend).toBe('webgpu');
    expect(gpuHits.hits).toEqual((await cpuBinary.search(vec(4), { k: 3, mode: 'binary-rescore' })).hits);
    onBinary.dispose?.();
    cpuBinary.dispose?.();
    const cpuSearch = await createGpuSearch({ backend: 'cpu' });
    const onCpu = createGpuSearcher(stored, cpuSearch);
    const cpuRes = await onCpu.search(vec(2), { k: 1, mode: 'hamming' });
    expect(cpuRes.backend).toBe('cpu');
    expect(cpuRes.reason).toBe(cpuSearch.reason);
    onCpu.dispose?.();
    store.close();
  });

  it('searchMany ranks a batch with one GPU search per round; hits equal the CPU search of each query', async () => {
    const fingerprint = fingerprintOf(resolvePreset('me/test', { dims: 8 }), 'fp32', '', null);
    const store = await openVectorStore('engine-gpu-many-test');
    const stored = await store.createCollection('c', { fingerprint, kinds: ['float32', 'int8', 'binary'] });
    await stored.add(
      Array.from({ length: 24 }, (_, i) => ({
        id: `d${i}`,
        text: `t${i}`,
        // Three chunk rows per document, so distinct hits need more rows ranked.
        metadata: { $parent: `p${Math.floor(i / 3)}`, g: i % 2 },
        vector: vec(i),
      })),
      fingerprint,
    );
    await stored.delete(['d5']);
    const { gpu, gpuSearches } = await countingGpu();
    const searcher = createGpuSearcher(stored, gpu, { policy: 'webgpu' });
    const cpu = createStoreSearcher(stored);
    const Q = 6;
    const data = new Float32Array(Q * 8);
    for (let q = 0; q < Q; q++) data.set(vec(q * 3.7 + 0.2), q * 8);
    const queries = { data, rows: Q, dims: 8 };
    const parent = (_id: string, m: Record<string, unknown> | undefined) => String(m?.$parent);
    for (const mode of ['float32', 'int8', 'hamming', 'binary-rescore'] as const) {
      for (const options of [
        { k: 3, mode },
        { k: 3, mode, distinct: parent },
        { k: 50, mode },
        { k: 2, mode, filter: { g: 1 } },
      ]) {
        const before = gpuSearches();
        const many = await searcher.searchMany!(queries, options);
        const label = `${mode} ${JSON.stringify(options)}`;
        if (options.filter) {
          expect(many.backend).toBe('cpu');
          expect(many.reason).toBe('filtered searches run on the CPU path');
          expect(gpuSearches()).toBe(before);
        } else {
          expect(many.backend, label).toBe('webgpu');
          // One GPU search for the whole batch (a second round only for queries short of distinct keys).
          expect(gpuSearches() - before, label).toBeLessThanOrEqual(options.distinct ? 3 : 1);
          expect(gpuSearches() - before, label).toBeGreaterThanOrEqual(1);
        }
        for (let q = 0; q < Q; q++) {
          const alone = await cpu.search(data.slice(q * 8, (q + 1) * 8), options);
          expect(many.hits[q], `${label} query ${q}`).toEqual(alone.hits);
        }
      }
    }
    searcher.dispose?.();
    cpu.dispose?.();
    store.close();
  });

  it('auto times a batch as a batch and routes it apart from single queries of the same mode', async () => {
    expect([1, 2, 8, 9, 64, 65, 1024].map(batchBucket)).toEqual([
      '1',
      '2-8',
      '2-8',
      '9-64',
      '9-64',
      '65+',
      '65+',
    ]);
    const fingerprint = fingerprintOf(resolvePreset('me/test', { dims: 8 }), 'fp32', '', null);
    const store = await openVectorStore('engine-gpu-batch-routing-test');
    const stored = await store.createCollection('c', { fingerprint, kinds: ['float32', 'int8', 'binary'] });
    await stored.add(
      Array.from({ length: 12 }, (_, i) => ({ id: `d${i}`, text: 't', vector: vec(i) })),
      fingerprint,
    );
    const { gpu } = await countingGpu();
    const measured: { queries: number; mode: string }[] = [];
    const searcher = createGpuSearcher(stored, gpu, {
      policy: 'auto',
      // A GPU round trip costs 2 ms, a query 0.5 ms on the CPU and 0.01 ms on the GPU.
      measure: async (run) => {
        run.cpu();
        await run.gpu();
        measured.push({ queries: run.queries, mode: run.mode });
        return { cpuMs: 0.5 * run.queries, gpuMs: 2 + 0.01 * run.queries };
      },
    });
    const batch = (n: number) => {
      const data = new Float32Array(n * 8);
      for (let q = 0; q < n; q++) data.set(vec(q + 0.5), q * 8);
      return { data, rows: n, dims: 8 };
    };
    const single = await searcher.search(vec(3), { k: 2, mode: 'float32' });
    expect(single.backend).toBe('cpu');
    expect(single.reason).toBe(
      'cpu is faster: cpu 0.50 ms vs webgpu 2.01 ms at 12 rows (float32, timed on a search)',
    );
    const many = await searcher.searchMany!(batch(16), { k: 2, mode: 'float32' });
    expect(many.backend).toBe('webgpu');
    expect(many.reason).toBe(
      'webgpu is faster: cpu 8.00 ms vs webgpu 2.16 ms at 12 rows (float32, timed on a batch of 16 queries; batches of 9-64 queries route alike)',
    );
    expect(measured).toEqual([
      { queries: 1, mode: 'float32' },
      { queries: 16, mode: 'float32' },
    ]);
    // Same bucket: no new measurement; the single-query route is kept.
    expect((await searcher.searchMany!(batch(40), { k: 2, mode: 'float32' })).backend).toBe('webgpu');
    expect((await searcher.search(vec(5), { k: 2, mode: 'float32' })).backend).toBe('cpu');
    expect(measured).toHaveLength(2);
    // A small batch is its own bucket: 3 queries still favour the CPU here.
    const small = await searcher.searchMany!(batch(3), { k: 2, mode: 'float32' });
    expect(small.backend).toBe('cpu');
    expect(small.reason).toContain('timed on a batch of 3 queries; batches of 2-8 queries route alike');
    expect(measured).toHaveLength(3);
    // Hits do not depend on the route.
    const reference = createStoreSearcher(stored);
    const big = batch(16);
    const routed = await searcher.searchMany!(big, { k: 4, mode: 'float32' });
    for (let q = 0; q < 16; q++) {
      const alone = await reference.search(big.data.slice(q * 8, (q + 1) * 8), { k: 4, mode: 'float32' });
      expect(routed.hits[q]).toEqual(alone.hits);
    }
    reference.dispose?.();
    searcher.dispose?.();
    store.close();
  });

  it('chooseBackend picks the faster path (ties to the CPU); timeBothPaths times both', async () => {
    expect(chooseBackend({ cpuMs: 2, gpuMs: 1 }, 1000, 'int8').backend).toBe('webgpu');
    expect(chooseBackend({ cpuMs: 1, gpuMs: 1 }, 1000, 'int8').backend).toBe('cpu');
    expect(chooseBackend({ cpuMs: 0.4, gpuMs: 31.25 }, 20_000, 'hamming').reason).toBe(
      'cpu is faster: cpu 0.40 ms vs webgpu 31.3 ms at 20,000 rows (hamming, timed on a search)',
    );
    let cpuRuns = 0;
    let gpuRuns = 0;
    const timed = await timeBothPaths({
      cpu: () => {
        cpuRuns++;
      },
      gpu: async () => {
        gpuRuns++;
        await new Promise((resolve) => setTimeout(resolve, 5));
      },
    });
    expect(cpuRuns).toBe(4);
    expect(gpuRuns).toBe(4);
    expect(timed.gpuMs).toBeGreaterThan(timed.cpuMs);
  });

  it('auto without WebGPU (Node) searches on the CPU and says why; cpu never asks for an adapter', async () => {
    const auto = await sharedGpuSearch('auto');
    expect(auto.backend).toBe('cpu');
    expect(searchBackendInfo('auto', auto)).toEqual({
      backend: 'cpu',
      reason: `auto: ${auto.reason}`,
    });
    expect(searchBackendInfo('cpu', null)).toEqual({ backend: 'cpu', reason: "searchBackend 'cpu'" });
  });
});
