import 'fake-indexeddb/auto';
import { fingerprintOf, resolvePreset } from '../src/index.js';
import { createGpuSearch, type GpuSearch } from '@webembed/gpu';
import { openVectorStore } from '@webembed/store';
import { describe, expect, it } from 'vitest';
import { createStoreSearcher } from '../src/dense-search.js';
import { createGpuSearcher } from '../src/gpu-search.js';

// The GPU searcher's bookkeeping (upload once, extend on append/delete, rebuild otherwise) checked
// in Node: @webembed/gpu's CPU path stands in for the device behind a `webgpu`-labelled wrapper.
async function countingGpu(): Promise<{ gpu: GpuSearch; creates: () => number; appends: number[] }> {
  const cpu = await createGpuSearch({ backend: 'cpu' });
  let creates = 0;
  const appends: number[] = [];
  const gpu = Object.create(cpu) as GpuSearch;
  Object.defineProperty(gpu, 'backend', { value: 'webgpu' });
  gpu.createIndex = (options) => {
    creates++;
    const index = cpu.createIndex(options);
    const append = index.append.bind(index);
    index.append = async (batch) => {
      appends.push(batch.float32?.rows ?? batch.binary?.rows ?? 0);
      return append(batch);
    };
    return index;
  };
  return { gpu, creates: () => creates, appends };
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
    const searcher = createGpuSearcher(stored, gpu);
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
});
