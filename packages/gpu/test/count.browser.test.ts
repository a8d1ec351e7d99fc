/**
 * The Hamming counting selection (kernels/count.wgsl.ts) against core's searchHamming: rows and
 * distances must match exactly, above all where the threshold distance is shared by many rows
 * spread over several tiles and segments (ties must go to the lower rows).
 */
import { type BinaryMatrix, type Float32Matrix, quantizeBinary, searchHamming } from '@webembed/core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createGpuSearch, type GpuIndex, type GpuSearch } from '../src/index.js';
import { expectSameTopK, rng } from './helpers.js';
import { needs, webgpuMissing } from '../../../scripts/test/browser-support.js';

// Every test here needs a WebGPU adapter; where the browser has none they are skipped, with the reason.
const noGpu = await webgpuMissing();

let gpu: GpuSearch;

beforeAll(async () => {
  gpu = await createGpuSearch({ fallback: false });
});
afterAll(() => gpu.destroy());

/** `rows x dims` floats drawn from only `patterns` distinct rows, so distances tie massively. */
function fewPatterns(rows: number, dims: number, patterns: number, seed: number): Float32Matrix {
  const next = rng(seed);
  const pool = new Float32Array(patterns * dims);
  for (let i = 0; i < pool.length; i++) pool[i] = next() * 2 - 1;
  const data = new Float32Array(rows * dims);
  for (let r = 0; r < rows; r++) {
    const p = Math.floor(next() * patterns);
    data.set(pool.subarray(p * dims, (p + 1) * dims), r * dims);
  }
  return { data, rows, dims };
}

async function binaryIndex(corpus: Float32Matrix, maxBindingBytes?: number): Promise<GpuIndex> {
  const index = gpu.createIndex({
    dims: corpus.dims,
    kinds: ['binary'],
    ...(maxBindingBytes ? { maxBindingBytes } : {}),
  });
  await index.append({ float32: corpus });
  expect(index.backend).toBe('webgpu');
  return index;
}

function skipMask(rows: number, deleted: readonly number[]): Uint8Array {
  const skip = new Uint8Array(rows);
  for (const r of deleted) skip[r] = 1;
  return skip;
}

async function expectLikeCore(
  index: GpuIndex,
  queries: BinaryMatrix,
  corpus: BinaryMatrix,
  k: number,
  deleted: readonly number[] = [],
): Promise<void> {
  const skip = skipMask(corpus.rows, deleted);
  const expected = searchHamming(queries, corpus, deleted.length ? { k, skip } : { k });
  const actual = await index.search(queries, { k, mode: 'hamming' });
  expect(index.backend).toBe('webgpu');
  expectSameTopK(actual, expected);
}

describe('Hamming counting selection', needs(noGpu), () => {
  it('ties at the threshold distance across tiles and segments go to the lower rows', async () => {
    // 1300 rows from 4 patterns: every distance is shared by hundreds of rows in every tile.
    const floats = fewPatterns(1300, 64, 4, 11);
    const corpus = quantizeBinary(floats);
    const queries = quantizeBinary(fewPatterns(11, 64, 6, 12));
    // 8-byte rows, 4096-byte bindings: segments of 512 rows.
    const index = await binaryIndex(floats, 4096);
    for (const k of [1, 37, 300, 512]) await expectLikeCore(index, queries, corpus, k);
    index.destroy();
  });

  it('every row at the same distance: the first k live rows, deleted rows skipped', async () => {
    const floats = fewPatterns(700, 45, 1, 21);
    const corpus = quantizeBinary(floats);
    const queries = quantizeBinary(fewPatterns(3, 45, 2, 22));
    const index = await binaryIndex(floats);
    await expectLikeCore(index, queries, corpus, 20);
    const deleted = [0, 2, 5, 255, 256, 257, 300, 699];
    expect(index.remove(deleted)).toBe(deleted.length);
    await expectLikeCore(index, queries, corpus, 20, deleted);
    await expectLikeCore(index, queries, corpus, 400, deleted);
    index.destroy();
  });

  it('k above the live rows returns every live row, ordered', async () => {
    const floats = fewPatterns(300, 96, 5, 31);
    const corpus = quantizeBinary(floats);
    const queries = quantizeBinary(fewPatterns(9, 96, 3, 32));
    const index = await binaryIndex(floats);
    const deleted = Array.from({ length: 40 }, (_, i) => i * 7);
    index.remove(deleted);
    const top = await index.search(queries, { k: 400, mode: 'hamming' });
    expect(top.k).toBe(260);
    await expectLikeCore(index, queries, corpus, 400, deleted);
    index.destroy();
  });

  it('random rows, queries near their own rows', async () => {
    const next = rng(41);
    const data = new Float32Array(900 * 130).map(() => next() * 2 - 1);
    const floats = { data, rows: 900, dims: 130 };
    const corpus = quantizeBinary(floats);
    const queryFloats = {
      data: data.slice(0, 130 * 4).map((v, i) => (i % 13 === 0 ? -v : v)),
      rows: 4,
      dims: 130,
    };
    const index = await binaryIndex(floats);
    await expectLikeCore(index, quantizeBinary(queryFloats), corpus, 25);
    index.destroy();
  });

  it('histogram in workgroup memory over several tiles and query blocks (384-bit rows)', async () => {
    // 3000 rows: 12 tiles, so histogram workgroups cover 4 tiles each (the last partly); 19
    // queries: three blocks of 8, the last partly filled.
    // Random rows spread distances over many bins (an exact count per bin matters); patterned
    // rows pile hundreds of rows onto each distance (ties across workgroups matter).
    const next = rng(61);
    const random = { data: new Float32Array(3000 * 384).map(() => next() * 2 - 1), rows: 3000, dims: 384 };
    for (const floats of [random, fewPatterns(3000, 384, 40, 62)]) {
      const corpus = quantizeBinary(floats);
      const queries = quantizeBinary(fewPatterns(19, 384, 25, 63));
      const index = await binaryIndex(floats);
      await expectLikeCore(index, queries, corpus, 10);
      const deleted = [3, 1023, 1024, 2047, 2999];
      index.remove(deleted);
      await expectLikeCore(index, queries, corpus, 64, deleted);
      index.destroy();
    }
  });

  it('rows too wide for the workgroup histogram (1024 bits) count into the global bins', async () => {
    const floats = fewPatterns(1400, 1024, 30, 71);
    const corpus = quantizeBinary(floats);
    const queries = quantizeBinary(fewPatterns(10, 1024, 12, 72));
    const index = await binaryIndex(floats);
    await expectLikeCore(index, queries, corpus, 15);
    index.destroy();
  });

  it('rows wider than 2047 bits keep rank selection, with the same answers', async () => {
    const floats = fewPatterns(300, 2100, 7, 51);
    const corpus = quantizeBinary(floats);
    const queries = quantizeBinary(fewPatterns(2, 2100, 9, 52));
    const index = await binaryIndex(floats);
    await expectLikeCore(index, queries, corpus, 12);
    index.destroy();
  });
});
