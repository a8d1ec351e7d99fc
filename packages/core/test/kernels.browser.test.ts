import { describe, expect, it } from 'vitest';
import {
  calibrateInt8,
  type Float32Matrix,
  fromFloat16,
  prepareBinaryCorpus,
  prepareFloatCorpus,
  quantizeBinary,
  quantizeInt8,
  searchBinaryAsymmetric,
  searchFloat,
  searchHamming,
  searchInt8,
  searchTwoStage,
  toFloat16,
} from '../src/index.js';
import { hammingWasmAvailable } from '../src/wasm/binary-kernel.js';

function matrix(rows: number, dims: number, seed: number): Float32Matrix {
  const data = Float32Array.from(
    { length: rows * dims },
    (_, i) => Math.sin(i * 0.917 + seed) * Math.cos(i * 0.13 * seed),
  );
  return { data, rows, dims };
}

describe('core kernels in Chromium', () => {
  const corpus = matrix(3000, 384, 1);
  const queries = matrix(4, 384, 2);

  it('has WebAssembly SIMD, and the WASM Hamming kernel equals the JS one', () => {
    expect(hammingWasmAvailable()).toBe(true);
    const qb = quantizeBinary(queries);
    const cb = quantizeBinary(corpus);
    const skip = Uint8Array.from({ length: corpus.rows }, (_, i) => (i % 7 === 0 ? 1 : 0));
    const wasm = searchHamming(qb, cb, { k: 10, kernel: 'wasm', skip });
    const js = searchHamming(qb, cb, { k: 10, kernel: 'js', skip });
    expect(Array.from(wasm.indices)).toEqual(Array.from(js.indices));
    expect(Array.from(wasm.scores)).toEqual(Array.from(js.scores));
    for (let i = 0; i < wasm.indices.length; i++) expect(wasm.indices[i] % 7).not.toBe(0);
  });

  it('has the WASM int8 kernel, equal to the JS one', () => {
    const cal = calibrateInt8(corpus, 'ranges');
    const q = quantizeInt8(queries, cal);
    const c = quantizeInt8(corpus, cal);
    const wasm = searchInt8(q, c, { k: 10, kernel: 'wasm' });
    const js = searchInt8(q, c, { k: 10, kernel: 'js' });
    expect(Array.from(wasm.indices)).toEqual(Array.from(js.indices));
    expect(Array.from(wasm.scores)).toEqual(Array.from(js.scores));
    // Float queries (calibration-aware codes, float-scale scores): also identical.
    const wasmFloat = searchInt8(queries, c, { k: 10, kernel: 'wasm' });
    const jsFloat = searchInt8(queries, c, { k: 10, kernel: 'js' });
    expect(Array.from(wasmFloat.indices)).toEqual(Array.from(jsFloat.indices));
    expect(Array.from(wasmFloat.scores)).toEqual(Array.from(jsFloat.scores));
  });

  it('runs the WASM asymmetric kernel with scores identical to JS, plain and prepared', () => {
    const cb = quantizeBinary(corpus);
    const prepared = prepareBinaryCorpus(cb);
    for (const correction of ['none', 'l1'] as const) {
      const js = searchBinaryAsymmetric(queries, cb, { k: 10, correction, kernel: 'js' });
      for (const c of [cb, prepared]) {
        const wasm = searchBinaryAsymmetric(queries, c, { k: 10, correction, kernel: 'wasm' });
        expect(Array.from(wasm.indices)).toEqual(Array.from(js.indices));
        expect(Array.from(wasm.scores)).toEqual(Array.from(js.scores));
      }
    }
    const hamming = searchHamming(quantizeBinary(queries), prepared, { k: 10 });
    const hammingJs = searchHamming(quantizeBinary(queries), cb, { k: 10, kernel: 'js' });
    expect(Array.from(hamming.indices)).toEqual(Array.from(hammingJs.indices));
  });

  it('runs the WASM float32 kernel with scores identical to JS, plain and prepared', () => {
    const prepared = prepareFloatCorpus(corpus);
    for (const metric of ['dot', 'cosine'] as const) {
      const js = searchFloat(queries, corpus, { k: 10, metric, kernel: 'js' });
      for (const c of [corpus, prepared]) {
        const wasm = searchFloat(queries, c, { k: 10, metric, kernel: 'wasm' });
        expect(Array.from(wasm.indices)).toEqual(Array.from(js.indices));
        expect(Array.from(wasm.scores)).toEqual(Array.from(js.scores));
      }
    }
  });

  it('finds a corpus row queried with itself, on every search path', () => {
    const self: Float32Matrix = { data: corpus.data.slice(42 * 384, 43 * 384), rows: 1, dims: 384 };
    expect(searchFloat(self, corpus, { k: 1, metric: 'cosine' }).indices[0]).toBe(42);
    const cal = calibrateInt8(corpus, 'symmetric');
    expect(searchInt8(quantizeInt8(self, cal), quantizeInt8(corpus, cal), { k: 1 }).indices[0]).toBe(42);
    const cb = quantizeBinary(corpus);
    expect(searchHamming(quantizeBinary(self), cb, { k: 1 }).scores[0]).toBe(0);
    expect(searchBinaryAsymmetric(self, cb, { k: 1, correction: 'l1' }).indices[0]).toBe(42);
    expect(searchTwoStage(self, { binary: cb, float32: corpus }, { k: 1 }).indices[0]).toBe(42);
  });

  it('round-trips float16', () => {
    const back = fromFloat16(toFloat16(new Float32Array([1, -0.5, 65504, 2 ** -24])));
    expect(Array.from(back)).toEqual([1, -0.5, 65504, 2 ** -24]);
  });
});
