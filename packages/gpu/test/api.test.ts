/**
 * The public API without a GPU (Node has no navigator.gpu): backend selection, the CPU path's
 * results (core's), and a typed error for every bad input.
 */
import {
  calibrateInt8,
  fromFloat16Matrix,
  quantizeBinary,
  quantizeInt8,
  searchBinaryAsymmetric,
  searchFloat,
  searchHamming,
  searchInt8,
  searchTwoStage,
  toFloat16Matrix,
  type WebEmbedErrorCode,
} from '@webembed/core';
import { describe, expect, it } from 'vitest';
import { gpuErrorToWebEmbed } from '../src/device.js';
import { createGpuSearch, type GpuIndex } from '../src/index.js';
import { rankSelectWgsl } from '../src/kernels/sort.wgsl.js';
import { expectSameTopK, randomMatrix } from './helpers.js';

async function expectCode(promise: Promise<unknown> | (() => unknown), code: WebEmbedErrorCode) {
  const run = typeof promise === 'function' ? Promise.resolve().then(promise) : promise;
  await expect(run).rejects.toMatchObject({ name: 'WebEmbedError', code });
}

describe('backend selection', () => {
  it('uses the CPU path where there is no WebGPU and says why', async () => {
    const gpu = await createGpuSearch();
    expect(gpu.backend).toBe('cpu');
    expect(gpu.reason).toMatch(/no navigator\.gpu/);
    expect(gpu.adapterInfo).toBeNull();
    expect(gpu.device).toBeNull();
  });

  it('reports an adapter-less GPU object as CPU, and refuses it when WebGPU is required', async () => {
    const fakeGpu = { requestAdapter: async () => null } as unknown as GPU;
    expect((await createGpuSearch({ gpu: fakeGpu })).reason).toMatch(/no adapter/);
    await expectCode(createGpuSearch({ gpu: fakeGpu, backend: 'webgpu' }), 'GPU_UNAVAILABLE');
    const failing = {
      requestAdapter: async () => {
        throw new Error('boom');
      },
    } as unknown as GPU;
    expect((await createGpuSearch({ gpu: failing })).reason).toMatch(/requestAdapter\(\) failed: boom/);
    await expectCode(createGpuSearch({ backend: 'nope' as 'cpu' }), 'INVALID_ARGUMENT');
  });

  it('maps GPU error scope errors to typed codes', () => {
    class GPUOutOfMemoryError {
      message = 'too big';
    }
    expect(gpuErrorToWebEmbed(new GPUOutOfMemoryError() as unknown as GPUError, 'x').code).toBe(
      'GPU_OUT_OF_MEMORY',
    );
    expect(gpuErrorToWebEmbed({ message: 'bad' } as GPUError, 'x').code).toBe('GPU_VALIDATION');
  });
});

describe('CPU path', () => {
  it('answers every mode exactly like core', async () => {
    const gpu = await createGpuSearch({ backend: 'cpu' });
    const corpus = randomMatrix(120, 33, 5);
    const queries = randomMatrix(3, 33, 6, false);
    const cal = calibrateInt8(corpus, 'symmetric');
    const index = gpu.createIndex({ dims: 33, kinds: ['binary', 'int8', 'float32'], int8Calibration: cal });
    await index.append({ float32: corpus });
    index.remove([4, 9]);
    const skip = new Uint8Array(120);
    skip[4] = 1;
    skip[9] = 1;
    const bits = quantizeBinary(corpus);
    expectSameTopK(
      await index.search(queries, { k: 6, mode: 'hamming' }),
      searchHamming(quantizeBinary(queries), bits, { k: 6, skip }),
    );
    // Float queries: calibration-aware, float-scale scores equal to core's; int8 codes: raw dot.
    expectSameTopK(
      await index.search(queries, { k: 6, mode: 'int8' }),
      searchInt8(queries, quantizeInt8(corpus, cal), { k: 6, skip }),
    );
    expectSameTopK(
      await index.search(quantizeInt8(queries, cal), { k: 6, mode: 'int8' }),
      searchInt8(quantizeInt8(queries, cal), quantizeInt8(corpus, cal), { k: 6, skip }),
    );
    expectSameTopK(
      await index.search(queries, { k: 6, mode: 'asymmetric-l1' }),
      searchBinaryAsymmetric(queries, bits, { k: 6, skip, correction: 'l1' }),
    );
    expectSameTopK(
      await index.search(queries, { k: 6, mode: 'binary-rescore', rescore: 'int8' }),
      searchTwoStage(
        queries,
        { binary: bits, int8: quantizeInt8(corpus, cal) },
        { k: 6, skip, rescore: 'int8' },
      ),
    );
    expect(index.backend).toBe('cpu');
  });

  it('searches float16 rows as their decoded values', async () => {
    const gpu = await createGpuSearch({ backend: 'cpu' });
    const corpus = randomMatrix(50, 9, 8);
    const queries = randomMatrix(2, 9, 9, false);
    const index = gpu.createIndex({ dims: 9, kinds: ['float16'] });
    await index.append({ float16: toFloat16Matrix(corpus) });
    expectSameTopK(
      await index.search(queries, { k: 4, mode: 'float32' }),
      searchFloat(queries, fromFloat16Matrix(toFloat16Matrix(corpus)), { k: 4 }),
    );
  });
});

describe('bad input gets a typed error', () => {
  async function makeIndex(): Promise<GpuIndex> {
    const gpu = await createGpuSearch({ backend: 'cpu' });
    const corpus = randomMatrix(10, 8, 7);
    const index = gpu.createIndex({
      dims: 8,
      kinds: ['binary', 'int8'],
      int8Calibration: calibrateInt8(corpus, 'ranges'),
    });
    await index.append({ float32: corpus });
    return index;
  }

  it('createIndex options', async () => {
    const gpu = await createGpuSearch({ backend: 'cpu' });
    await expectCode(() => gpu.createIndex({ dims: 0, kinds: ['binary'] }), 'INVALID_ARGUMENT');
    await expectCode(() => gpu.createIndex({ dims: 4, kinds: [] }), 'INVALID_ARGUMENT');
    await expectCode(() => gpu.createIndex({ dims: 4, kinds: ['float64' as 'binary'] }), 'INVALID_ARGUMENT');
    await expectCode(() => gpu.createIndex({ dims: 4, kinds: ['int8'] }), 'INVALID_ARGUMENT');
    await expectCode(() => gpu.createIndex({ dims: 4, kinds: ['float32', 'float16'] }), 'INVALID_ARGUMENT');
    await expectCode(
      () => gpu.createIndex({ dims: 4, kinds: ['binary'], maxBindingBytes: -1 }),
      'INVALID_ARGUMENT',
    );
  });

  it('append batches', async () => {
    const index = await makeIndex();
    await expectCode(index.append({}), 'INVALID_ARGUMENT');
    await expectCode(index.append({ float32: randomMatrix(2, 9, 1) }), 'DIMENSION_MISMATCH');
    const nan = randomMatrix(2, 8, 1);
    nan.data[3] = Number.NaN;
    await expectCode(index.append({ float32: nan }), 'NOT_FINITE');
    await expectCode(
      index.append({ float32: randomMatrix(2, 8, 1), binary: quantizeBinary(randomMatrix(3, 8, 1)) }),
      'MISALIGNED_BUFFER',
    );
    await expectCode(index.append({ binary: quantizeBinary(randomMatrix(2, 8, 1)) }), 'INVALID_ARGUMENT');
    const other = calibrateInt8(randomMatrix(5, 8, 99), 'symmetric');
    await expectCode(
      index.append({
        binary: quantizeBinary(randomMatrix(2, 8, 1)),
        int8: quantizeInt8(randomMatrix(2, 8, 1), other),
      }),
      'MODEL_MISMATCH',
    );
    expect(index.rows).toBe(10);
  });

  it('search calls', async () => {
    const index = await makeIndex();
    const q = randomMatrix(1, 8, 3, false);
    await expectCode(index.search(q, { k: 0, mode: 'hamming' }), 'INVALID_K');
    await expectCode(index.search(q, { k: 1.5, mode: 'hamming' }), 'INVALID_K');
    await expectCode(index.search(q, { k: 1, mode: 'l2' as 'hamming' }), 'INVALID_ARGUMENT');
    await expectCode(index.search(q, { k: 1, mode: 'float32' }), 'INVALID_ARGUMENT');
    await expectCode(index.search(randomMatrix(1, 7, 3), { k: 1, mode: 'hamming' }), 'DIMENSION_MISMATCH');
    await expectCode(
      index.search({ data: new Float32Array(3), rows: 1, dims: 8 }, { k: 1, mode: 'int8' }),
      'MISALIGNED_BUFFER',
    );
    const nan = randomMatrix(1, 8, 3);
    nan.data[0] = Number.POSITIVE_INFINITY;
    await expectCode(index.search(nan, { k: 1, mode: 'asymmetric' }), 'NOT_FINITE');
    await expectCode(index.search(q, { k: 1, mode: 'binary-rescore', oversample: 0.5 }), 'INVALID_ARGUMENT');
    await expectCode(
      index.search(q, { k: 1, mode: 'binary-rescore', rescore: 'float32' }),
      'INVALID_ARGUMENT',
    );
    await expectCode(
      index.search(q, { k: 1, mode: 'binary-rescore', candidates: 'cosine' as 'hamming' }),
      'INVALID_ARGUMENT',
    );
    const foreign = quantizeInt8(q, calibrateInt8(randomMatrix(5, 8, 42), 'symmetric'));
    await expectCode(index.search(foreign, { k: 1, mode: 'int8' }), 'MODEL_MISMATCH');
    await expectCode(index.search(quantizeBinary(q), { k: 1, mode: 'asymmetric' }), 'INVALID_ARGUMENT');
  });

  it('asymmetric-l1 without norms, removes and destroyed indexes', async () => {
    const gpu = await createGpuSearch({ backend: 'cpu' });
    const index = gpu.createIndex({ dims: 8, kinds: ['binary'] });
    const bits = quantizeBinary(randomMatrix(4, 8, 1));
    await index.append({ binary: { words: bits.words, rows: 4, dims: 8, wordsPerRow: 1 } });
    await expectCode(
      index.search(randomMatrix(1, 8, 2), { k: 1, mode: 'asymmetric-l1' }),
      'INVALID_ARGUMENT',
    );
    await expectCode(() => index.remove([4]), 'INVALID_ARGUMENT');
    await expectCode(() => index.remove([-1]), 'INVALID_ARGUMENT');
    await expectCode(() => index.remove([1.5]), 'INVALID_ARGUMENT');
    index.destroy();
    await expectCode(index.search(randomMatrix(1, 8, 2), { k: 1, mode: 'hamming' }), 'INVALID_ARGUMENT');
  });
});

describe('kernel sources', () => {
  it('refuses an empty selection size', () => {
    expect(() => rankSelectWgsl(0)).toThrow(/positive integer/);
  });
});
