/**
 * Every GPU search mode against `@webembed/core`'s CPU search on the same rows, in real headless
 * Chromium WebGPU (SwiftShader). Sizes are small so the emulated adapter stays fast; they
 * include N not a multiple of the 256-row tile, dims not a multiple of 32, k > N, and ties.
 */
import {
  calibrateInt8,
  type Float32Matrix,
  fromFloat16Matrix,
  quantizeBinary,
  quantizeInt8,
  searchBinaryAsymmetric,
  searchFloat,
  searchHamming,
  searchInt8,
  searchTwoStage,
  toFloat16Matrix,
} from '@webembed/core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  createGpuSearch,
  type GpuIndex,
  type GpuSearch,
  type GpuSearchOptions,
  type SearchQueries,
} from '../src/index.js';
import { expectCloseTopK, expectSameTopK, randomMatrix } from './helpers.js';
import { needs, webgpuMissing } from '../../../scripts/test/browser-support.js';

// Every test here needs a WebGPU adapter; where the browser has none they are skipped, with the reason.
const noGpu = await webgpuMissing();

let gpu: GpuSearch;
let unpacked: GpuSearch;

beforeAll(async () => {
  gpu = await createGpuSearch({ fallback: false });
  unpacked = await createGpuSearch({ fallback: false, packedDot: false });
});
afterAll(() => {
  gpu.destroy();
  unpacked.destroy();
});

interface Case {
  rows: number;
  dims: number;
  queries: number;
  k: number;
  seed: number;
}

// N off the tile size, dims off 32 and off 4, k > N, one row, many queries sharing a workgroup.
const CASES: Case[] = [
  { rows: 1, dims: 7, queries: 1, k: 3, seed: 1 },
  { rows: 300, dims: 45, queries: 3, k: 10, seed: 2 },
  { rows: 97, dims: 64, queries: 9, k: 200, seed: 3 },
  { rows: 1100, dims: 130, queries: 5, k: 33, seed: 4 },
];

async function buildIndex(search: GpuSearch, corpus: Float32Matrix): Promise<GpuIndex> {
  const index = search.createIndex({
    dims: corpus.dims,
    kinds: ['binary', 'int8', 'float32'],
    int8Calibration: calibrateInt8(corpus, 'ranges'),
  });
  await index.append({ float32: corpus });
  expect(index.backend).toBe('webgpu');
  return index;
}

/** Searches and checks the answer really came from the GPU (no silent CPU fallback). */
async function onGpu(index: GpuIndex, queries: SearchQueries, options: GpuSearchOptions) {
  const result = await index.search(queries, options);
  expect(index.backend).toBe('webgpu');
  return result;
}

describe.each(CASES)('GPU = CPU for $rows rows x $dims dims, $queries queries, k=$k', needs(noGpu), (c) => {
  const corpus = randomMatrix(c.rows, c.dims, c.seed);
  const queries = randomMatrix(c.queries, c.dims, c.seed + 100, false);
  const bits = quantizeBinary(corpus);
  let index: GpuIndex;
  beforeAll(async () => {
    index = await buildIndex(gpu, corpus);
  });
  afterAll(() => index.destroy());

  it('hamming: rows and distances exactly, ties to the lower row', async () => {
    const expected = searchHamming(quantizeBinary(queries), bits, { k: c.k });
    expectSameTopK(await onGpu(index, queries, { k: c.k, mode: 'hamming' }), expected);
    // Binary queries are accepted as they are.
    expectSameTopK(await onGpu(index, quantizeBinary(queries), { k: c.k, mode: 'hamming' }), expected);
  });

  it('int8: exact integer dot, with dot4I8Packed and with unpacking', async () => {
    const cal = calibrateInt8(corpus, 'ranges');
    const codes = quantizeInt8(corpus, cal);
    // Float queries: calibration-aware weight codes, float-scale scores identical to core's.
    const expected = searchInt8(queries, codes, { k: c.k });
    expectSameTopK(await onGpu(index, queries, { k: c.k, mode: 'int8' }), expected);
    // Raw query codes keep the plain integer dot.
    const rawExpected = searchInt8(quantizeInt8(queries, cal), codes, { k: c.k });
    expectSameTopK(await onGpu(index, quantizeInt8(queries, cal), { k: c.k, mode: 'int8' }), rawExpected);
    if (c.rows <= 256) {
      // The unpacking fallback on a second device; single-tile cases only, to skip compiling its merge kernel.
      const other = await buildIndex(unpacked, corpus);
      expectSameTopK(await onGpu(other, queries, { k: c.k, mode: 'int8' }), expected);
      expectSameTopK(await onGpu(other, quantizeInt8(queries, cal), { k: c.k, mode: 'int8' }), rawExpected);
      other.destroy();
    }
  });

  it('float32 dot and cosine within 1e-5', async () => {
    expectCloseTopK(
      await onGpu(index, queries, { k: c.k, mode: 'float32' }),
      searchFloat(queries, corpus, { k: c.k }),
      1e-5,
    );
    expectCloseTopK(
      await onGpu(index, queries, { k: c.k, mode: 'cosine' }),
      searchFloat(queries, corpus, { k: c.k, metric: 'cosine' }),
      1e-5,
    );
  });

  it('asymmetric binary, raw and L1-corrected, within 1e-4 relative', async () => {
    for (const correction of ['none', 'l1'] as const) {
      const expected = searchBinaryAsymmetric(queries, bits, { k: c.k, correction });
      const mode = correction === 'l1' ? 'asymmetric-l1' : 'asymmetric';
      expectCloseTopK(await onGpu(index, queries, { k: c.k, mode }), expected, 1e-4);
    }
  });

  it('two-stage: every candidate stage, rescored from float32 and from int8 rows', async () => {
    const cal = calibrateInt8(corpus, 'ranges');
    const parts = { binary: bits, float32: corpus, int8: quantizeInt8(corpus, cal) };
    const k = Math.min(c.k, 60);
    for (const candidates of ['hamming', 'asymmetric', 'asymmetric-l1'] as const) {
      for (const rescore of ['float32', 'int8'] as const) {
        const options = { k, oversample: 2.5, candidates, rescore };
        const expected = searchTwoStage(queries, parts, options);
        const actual = await onGpu(index, queries, { ...options, mode: 'binary-rescore' });
        expectCloseTopK(actual, expected, 1e-5);
      }
    }
  });
});

describe('float16 rows', needs(noGpu), () => {
  it('score like core over the decoded rows, odd dims padded', async () => {
    const corpus = randomMatrix(530, 45, 61);
    const queries = randomMatrix(5, 45, 62, false);
    const decoded = fromFloat16Matrix(toFloat16Matrix(corpus));
    const index = gpu.createIndex({ dims: 45, kinds: ['float16'] });
    await index.append({ float32: corpus });
    expectCloseTopK(
      await onGpu(index, queries, { k: 12, mode: 'float32' }),
      searchFloat(queries, decoded, { k: 12 }),
      1e-5,
    );
    expectCloseTopK(
      await onGpu(index, queries, { k: 12, mode: 'cosine' }),
      searchFloat(queries, decoded, { k: 12, metric: 'cosine' }),
      1e-5,
    );
    index.destroy();
  });
});

describe('GPU-specific limits', needs(noGpu), () => {
  it('k beyond the GPU selection limit is answered by the CPU path with the same result', async () => {
    const corpus = randomMatrix(700, 20, 9);
    const queries = randomMatrix(2, 20, 10, false);
    const index = gpu.createIndex({ dims: 20, kinds: ['binary'] });
    await index.append({ float32: corpus });
    const expected = searchHamming(quantizeBinary(queries), quantizeBinary(corpus), { k: 600 });
    expectSameTopK(await onGpu(index, queries, { k: 600, mode: 'hamming' }), expected);
    index.destroy();
  });

  it('reports the adapter and the path it runs', () => {
    expect(gpu.backend).toBe('webgpu');
    expect(gpu.reason).toMatch(/WebGPU on/);
    expect(gpu.adapterInfo).not.toBeNull();
    expect(typeof gpu.adapterInfo?.isFallbackAdapter).toBe('boolean');
    expect(gpu.limits?.maxStorageBufferBindingSize).toBeGreaterThan(0);
    expect(unpacked.capabilities?.packedDot).toBe(false);
  });
});
