/**
 * The GPU-resident corpus: split across several buffers, grown by appends between searches,
 * tombstoned by deletes, and kept correct through device loss (CPU fallback, same results).
 */
import {
  type Float32Matrix,
  isWebEmbedError,
  quantizeBinary,
  searchFloat,
  searchHamming,
  searchTwoStage,
  type WebEmbedError,
} from '@webembed/core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createGpuSearch, type GpuIndex, type GpuSearch } from '../src/index.js';
import { expectCloseTopK, expectSameTopK, randomMatrix } from './helpers.js';
import { needs, webgpuMissing } from '../../../scripts/test/browser-support.js';

// Every test here needs a WebGPU adapter; where the browser has none they are skipped, with the reason.
const noGpu = await webgpuMissing();

function slice(m: Float32Matrix, from: number, to: number): Float32Matrix {
  return { data: m.data.subarray(from * m.dims, to * m.dims), rows: to - from, dims: m.dims };
}

function skipMask(rows: number, deleted: Iterable<number>): Uint8Array {
  const mask = new Uint8Array(rows);
  for (const row of deleted) mask[row] = 1;
  return mask;
}

/** Checks hamming, float32 and two-stage results of `index` against core over the live rows. */
async function expectMatchesCore(
  index: GpuIndex,
  corpus: Float32Matrix,
  queries: Float32Matrix,
  skip?: Uint8Array,
) {
  const bits = quantizeBinary(corpus);
  for (const k of [1, 7, 40]) {
    expectSameTopK(
      await index.search(queries, { k, mode: 'hamming' }),
      searchHamming(quantizeBinary(queries), bits, { k, skip }),
    );
    expectCloseTopK(
      await index.search(queries, { k, mode: 'float32' }),
      searchFloat(queries, corpus, { k, skip }),
      1e-5,
    );
  }
  expectCloseTopK(
    await index.search(queries, { k: 5, mode: 'binary-rescore', candidates: 'hamming', oversample: 3 }),
    searchTwoStage(
      queries,
      { binary: bits, float32: corpus },
      { k: 5, candidates: 'hamming', oversample: 3, skip },
    ),
    1e-5,
  );
}

describe('GPU corpus', needs(noGpu), () => {
  let gpu: GpuSearch;
  beforeAll(async () => {
    gpu = await createGpuSearch({ fallback: false });
  });
  afterAll(() => gpu.destroy());

  it('splits a corpus across buffers, appends in place and deletes by tombstone', async () => {
    const dims = 40;
    const all = randomMatrix(1500, dims, 21);
    const queries = randomMatrix(3, dims, 22, false);
    // 256 rows of 160 bytes per buffer: the float32 column is split into several segments.
    const index = gpu.createIndex({ dims, kinds: ['binary', 'float32'], maxBindingBytes: 256 * dims * 4 });
    expect(await index.append({ float32: slice(all, 0, 300) })).toBe(0);
    await expectMatchesCore(index, slice(all, 0, 300), queries);
    // Appends grow the current segment and open new ones; ids continue.
    expect(await index.append({ float32: slice(all, 300, 301) })).toBe(300);
    expect(await index.append({ float32: slice(all, 301, 1500) })).toBe(301);
    expect(index.rows).toBe(1500);
    await expectMatchesCore(index, all, queries);
    // Deletes across segments, including a whole tile and both ends.
    const deleted = new Set<number>([0, 5, 255, 256, 257, 700, 1499]);
    for (let r = 512; r < 768; r++) deleted.add(r);
    expect(index.remove([...deleted])).toBe(deleted.size);
    expect(index.remove([0, 5])).toBe(0);
    expect(index.liveRows).toBe(1500 - deleted.size);
    await expectMatchesCore(index, all, queries, skipMask(1500, deleted));
    expect(index.backend).toBe('webgpu');
    index.destroy();
  });

  it('caps k at the live rows and refuses an empty or fully deleted corpus like core', async () => {
    const corpus = randomMatrix(5, 16, 31);
    const queries = randomMatrix(2, 16, 32, false);
    const index = gpu.createIndex({ dims: 16, kinds: ['binary'] });
    await expect(index.search(queries, { k: 3, mode: 'hamming' })).rejects.toMatchObject({
      code: 'EMPTY_CORPUS',
    });
    await index.append({ float32: corpus });
    index.remove([1]);
    const top = await index.search(queries, { k: 50, mode: 'hamming' });
    expect(top.k).toBe(4);
    expectSameTopK(
      top,
      searchHamming(quantizeBinary(queries), quantizeBinary(corpus), { k: 50, skip: skipMask(5, [1]) }),
    );
    index.remove([0, 2, 3, 4]);
    await expect(index.search(queries, { k: 3, mode: 'hamming' })).rejects.toMatchObject({
      code: 'EMPTY_CORPUS',
    });
    expect(index.backend).toBe('webgpu');
  });

  it('queues concurrent searches on one index and answers each correctly', async () => {
    const corpus = randomMatrix(700, 24, 71);
    const index = gpu.createIndex({ dims: 24, kinds: ['binary', 'float32'] });
    await index.append({ float32: corpus });
    const batches = [1, 2, 3].map((seed) => randomMatrix(seed, 24, 80 + seed, false));
    const results = await Promise.all(batches.map((q) => index.search(q, { k: 6, mode: 'hamming' })));
    batches.forEach((q, i) => {
      expectSameTopK(results[i], searchHamming(quantizeBinary(q), quantizeBinary(corpus), { k: 6 }));
    });
    expect(index.backend).toBe('webgpu');
    index.destroy();
  });
});

describe('device faults', needs(noGpu), () => {
  it('falls back to the CPU path with the same results when the device is destroyed mid-session', async () => {
    const faults: WebEmbedError[] = [];
    const gpu = await createGpuSearch({ onFault: (err) => faults.push(err) });
    const corpus = randomMatrix(600, 50, 41);
    const queries = randomMatrix(4, 50, 42, false);
    const index = gpu.createIndex({ dims: 50, kinds: ['binary', 'float32'] });
    await index.append({ float32: slice(corpus, 0, 400) });
    const before = await index.search(queries, { k: 9, mode: 'hamming' });
    expect(index.backend).toBe('webgpu');
    expect(gpu.device).not.toBeNull();
    gpu.device!.destroy();
    // Searching after the loss answers from the CPU path, with the same hits.
    expectSameTopK(await index.search(queries, { k: 9, mode: 'hamming' }), before);
    expect(faults.map((f) => f.code)).toEqual(['GPU_DEVICE_LOST']);
    expect(index.backend).toBe('cpu');
    expect(gpu.backend).toBe('cpu');
    expect(gpu.reason).toMatch(/lost/);
    // The index keeps working: appends and deletes land in the host copy.
    await index.append({ float32: slice(corpus, 400, 600) });
    index.remove([3]);
    expectCloseTopK(
      await index.search(queries, { k: 9, mode: 'float32' }),
      searchFloat(queries, corpus, { k: 9, skip: skipMask(600, [3]) }),
      1e-5,
    );
  });

  it('throws typed GPU_VALIDATION and GPU_DEVICE_LOST errors when fallback is off', async () => {
    const gpu = await createGpuSearch({ fallback: false });
    // A genuine validation error: the search's query buffer is created without STORAGE usage.
    const broken = gpu.createIndex({ dims: 8, kinds: ['binary'] });
    await broken.append({ float32: randomMatrix(20, 8, 53) });
    const device = gpu.device!;
    const createBuffer = device.createBuffer.bind(device);
    device.createBuffer = (descriptor) =>
      createBuffer(
        descriptor.label === 'webembed-queries'
          ? { ...descriptor, usage: GPUBufferUsage.COPY_DST }
          : descriptor,
      );
    const invalid = await broken
      .search(randomMatrix(1, 8, 54), { k: 2, mode: 'hamming' })
      .catch((e: unknown) => e);
    device.createBuffer = createBuffer;
    expect(isWebEmbedError(invalid, 'GPU_VALIDATION')).toBe(true);
    expect(broken.backend).toBe('cpu');
    expect(broken.reason).toMatch(/GPU_VALIDATION/);
    expectSameTopK(
      await broken.search(randomMatrix(1, 8, 54), { k: 2, mode: 'hamming' }),
      searchHamming(quantizeBinary(randomMatrix(1, 8, 54)), quantizeBinary(randomMatrix(20, 8, 53)), {
        k: 2,
      }),
    );

    const index = gpu.createIndex({ dims: 8, kinds: ['binary'] });
    await index.append({ float32: randomMatrix(20, 8, 51) });
    gpu.device!.destroy();
    const error = await index
      .search(randomMatrix(1, 8, 52), { k: 2, mode: 'hamming' })
      .catch((e: unknown) => e);
    expect(isWebEmbedError(error, 'GPU_DEVICE_LOST')).toBe(true);
    // After the fault the index answers from its host copy.
    expect((await index.search(randomMatrix(1, 8, 52), { k: 2, mode: 'hamming' })).k).toBe(2);
  });
});
