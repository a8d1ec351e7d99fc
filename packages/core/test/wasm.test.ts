import { describe, expect, it } from 'vitest';
import {
  calibrateInt8,
  type Float32Matrix,
  searchBinaryAsymmetric,
  searchFloat,
  prepareBinaryCorpus,
  prepareFloatCorpus,
  prepareHammingCorpus,
  quantizeBinary,
  quantizeInt8,
  searchHamming,
  searchHammingJs,
  searchInt8,
} from '../src/index.js';
import { BINARY_WASM_BASE64 } from '../src/wasm/binary-wasm.js';
import {
  hammingWasmAvailable,
  instantiateBinaryModule,
  searchHammingWasm,
} from '../src/wasm/binary-kernel.js';
import { FLOAT_DOT_WASM_BASE64 } from '../src/wasm/float-dot-wasm.js';
import { instantiateFloatModule } from '../src/wasm/float-kernel.js';
import { decodeBase64 } from '../src/wasm/instantiate.js';
import { INT8_DOT_WASM_BASE64 } from '../src/wasm/int8-dot-wasm.js';
import { instantiateInt8Module, int8DotsWithModule } from '../src/wasm/int8-kernel.js';
import { generate } from '../scripts/build-wasm.mjs';
import { gaussian, naiveHammingFromFloats, randomMatrix, rng } from './helpers.js';

describe('WebAssembly SIMD binary module (Hamming)', () => {
  it('is up to date with its hand-written .wat source', async () => {
    const source: string = await generate('binary.wat');
    expect(source).toContain(BINARY_WASM_BASE64.slice(0, 60));
    const embedded = source
      .match(/'([A-Za-z0-9+/=]+)'/g)
      ?.map((s) => s.slice(1, -1))
      .join('');
    expect(embedded).toBe(BINARY_WASM_BASE64);
  });

  it('runs in Node 20 (WebAssembly SIMD present)', () => {
    expect(hammingWasmAvailable()).toBe(true);
  });

  it('computes every distance exactly like counting bits, for widths around the 128-bit chunking', () => {
    const module = instantiateBinaryModule();
    expect(module).not.toBeNull();
    if (module === null) return;
    for (const dims of [1, 31, 32, 33, 64, 96, 127, 128, 129, 200, 384, 1024, 1056]) {
      const make = (rows: number, seed: number): Float32Matrix => ({
        data: Float32Array.from(
          { length: rows * dims },
          (_, i) => Math.sin(i * 0.731 + seed) + Math.cos(i * 1.91 * seed),
        ),
        rows,
        dims,
      });
      const qf = make(3, 1);
      const cf = make(17, 2);
      const qb = quantizeBinary(qf);
      const cb = quantizeBinary(cf);
      // k = every row: each query's hits list every row with its distance, on both layouts.
      for (const corpus of [cb, prepareBinaryCorpus(cb)]) {
        const hits = searchHammingWasm(module, qb, corpus, 17, undefined);
        for (let q = 0; q < 3; q++) {
          const seen = new Set<number>();
          for (let i = 0; i < 17; i++) {
            const r = hits.indices[q * 17 + i];
            seen.add(r);
            expect(hits.scores[q * 17 + i], `dims ${dims}`).toBe(naiveHammingFromFloats(qf, q, cf, r));
          }
          expect(seen.size).toBe(17);
        }
      }
    }
  });

  it('falls back to JavaScript when the module cannot be compiled', () => {
    const broken = decodeBase64(BINARY_WASM_BASE64);
    broken[broken.length - 3] ^= 0xff;
    expect(instantiateBinaryModule(broken)).toBeNull();
    expect(instantiateBinaryModule(new Uint8Array([0, 1, 2]))).toBeNull();
  });

  it('search through the module equals the JS kernel, including k larger than a tile and skip masks', () => {
    const module = instantiateBinaryModule();
    if (module === null) throw new Error('no module');
    const dims = 1024;
    const rows = 700; // 700 x 128 bytes: one 128 KiB tile is 1024 rows, so also test 2 tiles below
    const cf: Float32Matrix = {
      data: Float32Array.from({ length: rows * dims }, (_, i) => Math.sin(i * 0.3) * ((i % 11) - 5)),
      rows,
      dims,
    };
    const qf: Float32Matrix = { data: cf.data.slice(0, 5 * dims), rows: 5, dims };
    const qb = quantizeBinary(qf);
    const cb = quantizeBinary(cf);
    const skip = Uint8Array.from({ length: rows }, (_, i) => (i % 5 === 1 ? 1 : 0));
    for (const k of [1, 10, 560]) {
      const a = searchHammingWasm(module, qb, cb, k, skip);
      const b = searchHammingJs(qb, cb, k, skip);
      expect(a.indices).toEqual(b.indices);
      expect(a.scores).toEqual(b.scores);
    }
    const big = { ...cb, rows: 1400, words: new Uint32Array(1400 * 32), l1Norms: undefined };
    big.words.set(cb.words);
    big.words.set(cb.words, cb.words.length);
    const a = searchHamming(qb, big, { k: 30, kernel: 'wasm' });
    const b = searchHamming(qb, big, { k: 30, kernel: 'js' });
    expect(a.indices).toEqual(b.indices);
  });

  it('searches a prepared (in-place) corpus with the same results, leaving the input untouched', () => {
    const dims = 200;
    const rows = 2500;
    const cf: Float32Matrix = {
      data: Float32Array.from({ length: rows * dims }, (_, i) => Math.sin(i * 0.77) + Math.sin(i * 0.011)),
      rows,
      dims,
    };
    const qf: Float32Matrix = {
      data: Float32Array.from({ length: 6 * dims }, (_, i) => Math.cos(i * 0.5)),
      rows: 6,
      dims,
    };
    const cb = quantizeBinary(cf);
    const qb = quantizeBinary(qf);
    const prepared = prepareHammingCorpus(cb);
    expect(prepared.words).not.toBe(cb.words);
    expect(prepared.words).toEqual(cb.words);
    expect(prepared.l1Norms).not.toBe(cb.l1Norms);
    expect(prepared.l1Norms).toEqual(cb.l1Norms);
    const skip = Uint8Array.from({ length: rows }, (_, i) => (i % 4 === 2 ? 1 : 0));
    for (const k of [1, 17, 1200]) {
      const a = searchHamming(qb, prepared, { k, skip, kernel: 'wasm' });
      const b = searchHamming(qb, cb, { k, skip, kernel: 'js' });
      expect(a.indices).toEqual(b.indices);
      expect(a.scores).toEqual(b.scores);
    }
    // Queries that are themselves a prepared matrix work too.
    const self = searchHamming(prepareHammingCorpus(qb), prepared, { k: 3 });
    expect(self.indices).toEqual(searchHamming(qb, cb, { k: 3, kernel: 'js' }).indices);
  });
});

describe('WebAssembly SIMD int8 dot module', () => {
  it('is up to date with its .wat source', async () => {
    const source: string = await generate('int8-dot.wat');
    const embedded = source
      .match(/'([A-Za-z0-9+/=]+)'/g)
      ?.map((s) => s.slice(1, -1))
      .join('');
    expect(embedded).toBe(INT8_DOT_WASM_BASE64);
  });

  it('computes exact integer dots for widths around the 16-code chunking, extremes included', () => {
    const module = instantiateInt8Module();
    expect(module).not.toBeNull();
    if (module === null) return;
    for (const dims of [1, 7, 15, 16, 17, 31, 32, 100, 384, 1024]) {
      const cal = {
        scheme: 'ranges' as const,
        min: new Float32Array(dims),
        max: new Float32Array(dims).fill(1),
      };
      const rows = 9;
      const data = Int8Array.from({ length: rows * dims }, (_, i) =>
        i % 5 === 0 ? -128 : i % 7 === 0 ? 127 : ((i * 37) % 255) - 127,
      );
      const corpus = { data, rows, dims, calibration: cal };
      const query = Int8Array.from({ length: dims }, (_, i) => (i % 3 === 0 ? -128 : ((i * 91) % 255) - 127));
      const dots = int8DotsWithModule(module, query, corpus);
      for (let r = 0; r < rows; r++) {
        let s = 0;
        for (let i = 0; i < dims; i++) s += query[i] * data[r * dims + i];
        expect(dots[r], `dims ${dims} row ${r}`).toBe(s);
      }
    }
    expect(instantiateInt8Module(new Uint8Array([0, 97, 115, 109]))).toBeNull();
  });

  it('searchInt8 gives identical results on the WASM and JS kernels across tiles, with skip masks', () => {
    const dims = 384;
    const rows = 1500; // 128 KiB tiles hold 341 rows of 384 codes: five tiles
    const f: Float32Matrix = {
      data: Float32Array.from({ length: rows * dims }, (_, i) => Math.sin(i * 0.21) + Math.cos(i * 0.0007)),
      rows,
      dims,
    };
    const cal = calibrateInt8(f, 'symmetric');
    const corpus = quantizeInt8(f, cal);
    const queries = quantizeInt8({ data: f.data.slice(0, 30 * dims), rows: 30, dims }, cal);
    const skip = Uint8Array.from({ length: rows }, (_, i) => (i % 6 === 0 ? 1 : 0));
    for (const k of [1, 10, 400]) {
      const a = searchInt8(queries, corpus, { k, skip, kernel: 'wasm' });
      const b = searchInt8(queries, corpus, { k, skip, kernel: 'js' });
      expect(a.indices).toEqual(b.indices);
      expect(a.scores).toEqual(b.scores);
    }
  });
});

describe('WebAssembly SIMD binary module (asymmetric)', () => {
  it('gives bit-identical scores and order to the JS kernel across tiles, query groups and skip masks', () => {
    for (const dims of [40, 384, 1000]) {
      const rows = Math.ceil(300_000 / dims); // several 64 KiB tiles of packed rows
      const cf: Float32Matrix = {
        data: Float32Array.from({ length: rows * dims }, (_, i) => Math.sin(i * 0.61) * (1 + (i % 13))),
        rows,
        dims,
      };
      const qf: Float32Matrix = {
        data: Float32Array.from({ length: 11 * dims }, (_, i) => Math.cos(i * 0.37)),
        rows: 11,
        dims,
      };
      const cb = quantizeBinary(cf);
      const skip = Uint8Array.from({ length: rows }, (_, i) => (i % 9 === 4 ? 1 : 0));
      for (const correction of ['none', 'l1'] as const) {
        for (const k of [1, 10, 300]) {
          const a = searchBinaryAsymmetric(qf, cb, { k, skip, correction, kernel: 'wasm' });
          const b = searchBinaryAsymmetric(qf, cb, { k, skip, correction, kernel: 'js' });
          expect(a.indices, `dims ${dims} ${correction} k ${k}`).toEqual(b.indices);
          expect(a.scores).toEqual(b.scores);
        }
      }
    }
  });

  it('stays exact where the FastScan bounds are stressed: norms far apart, zero, tiny or huge, extreme queries', () => {
    // Rows scaled by factors 1e-6 .. 1e6 (L1 norms orders of magnitude apart), some rows zero
    // (norm 0: score 0) or with a subnormal norm, and queries from tiny to 1e30 (bounds then
    // unusable: every row is scored exactly). Also rows past 1024 bits (several code segments)
    // and k past the candidate buffer (flushed mid-scan).
    for (const dims of [40, 384, 2100]) {
      const rows = 1100;
      const random = rng(dims);
      const data = new Float32Array(rows * dims);
      for (let r = 0; r < rows; r++) {
        const scale = r % 97 === 0 ? 0 : 10 ** ((r % 13) - 6);
        for (let i = 0; i < dims; i++) data[r * dims + i] = gaussian(random) * scale;
      }
      const cb = quantizeBinary({ data, rows, dims });
      const norms = cb.l1Norms as Float32Array;
      norms[5] = 1e-42; // subnormal
      norms[6] = Number.POSITIVE_INFINITY;
      const skip = Uint8Array.from({ length: rows }, (_, i) => (i % 11 === 3 ? 1 : 0));
      const prepared = prepareBinaryCorpus(cb);
      for (const magnitude of [1e-20, 1, 1e30]) {
        const q = randomMatrix(3, dims, 7 + dims);
        for (let i = 0; i < q.data.length; i++) q.data[i] *= magnitude;
        for (const correction of ['none', 'l1'] as const) {
          for (const k of [1, 40, 1000]) {
            const js = searchBinaryAsymmetric(q, cb, { k, skip, correction, kernel: 'js' });
            for (const corpus of [cb, prepared]) {
              const wasm = searchBinaryAsymmetric(q, corpus, { k, skip, correction, kernel: 'wasm' });
              const what = `dims ${dims} x${magnitude} ${correction} k ${k} ${corpus === cb ? 'plain' : 'prepared'}`;
              expect(wasm.indices, what).toEqual(js.indices);
              expect(wasm.scores, what).toEqual(js.scores);
            }
          }
        }
      }
    }
  });

  it('settles ties by row when the scan visits blocks out of order (many identical rows)', () => {
    // 150 distinct rows repeated to 6,000: every score is shared by ~40 rows spread over the
    // whole corpus, so rows whose upper bound equals the limit meet out of row order (the scan
    // pairs block i with block i + half) and the flush and the exact heap must order them.
    const dims = 384;
    const distinct = randomMatrix(150, dims, 91);
    const rows = 6000;
    const data = new Float32Array(rows * dims);
    const pick = rng(92);
    for (let r = 0; r < rows; r++) {
      const d = Math.floor(pick() * distinct.rows);
      data.set(distinct.data.subarray(d * dims, (d + 1) * dims), r * dims);
    }
    const cb = quantizeBinary({ data, rows, dims });
    const prepared = prepareBinaryCorpus(cb);
    const skip = Uint8Array.from({ length: rows }, (_, i) => (i % 13 === 5 ? 1 : 0));
    const queries = randomMatrix(4, dims, 93);
    for (const correction of ['none', 'l1'] as const) {
      for (const k of [1, 10, 40, 100]) {
        for (const mask of [undefined, skip]) {
          const options = { k, correction, ...(mask ? { skip: mask } : {}) };
          const js = searchBinaryAsymmetric(queries, cb, { ...options, kernel: 'js' });
          for (const corpus of [cb, prepared]) {
            const wasm = searchBinaryAsymmetric(queries, corpus, { ...options, kernel: 'wasm' });
            const what = `${correction} k ${k} ${mask ? 'skip' : 'all'} ${corpus === cb ? 'plain' : 'prepared'}`;
            expect(wasm.indices, what).toEqual(js.indices);
            expect(wasm.scores, what).toEqual(js.scores);
          }
        }
      }
    }
  });

  it('gives the same results for a batch of queries as for each query alone, on a prepared corpus', () => {
    const corpus = quantizeBinary(randomMatrix(5000, 384, 3));
    const prepared = prepareBinaryCorpus(corpus);
    const queries = randomMatrix(20, 384, 4);
    const batch = searchBinaryAsymmetric(queries, prepared, { k: 12, correction: 'l1' });
    for (let q = 0; q < queries.rows; q++) {
      const one = { data: queries.data.slice(q * 384, (q + 1) * 384), rows: 1, dims: 384 };
      const alone = searchBinaryAsymmetric(one, corpus, { k: 12, correction: 'l1', kernel: 'js' });
      expect(batch.indices.subarray(q * 12, (q + 1) * 12)).toEqual(alone.indices);
      expect(batch.scores.subarray(q * 12, (q + 1) * 12)).toEqual(alone.scores);
    }
  });
});

describe('WebAssembly float32 dot module', () => {
  it('is up to date with its .wat source and refuses broken bytes', async () => {
    const source: string = await generate('float-dot.wat');
    const embedded = source
      .match(/'([A-Za-z0-9+/=]+)'/g)
      ?.map((s) => s.slice(1, -1))
      .join('');
    expect(embedded).toBe(FLOAT_DOT_WASM_BASE64);
    expect(instantiateFloatModule()).not.toBeNull();
    expect(instantiateFloatModule(new Uint8Array([0, 97, 115, 109, 1]))).toBeNull();
  });

  it('gives bit-identical scores and order to the JS kernel (dot and cosine) across tiles and skip masks', () => {
    for (const dims of [3, 7, 384, 1001]) {
      const rows = Math.ceil(300_000 / (dims * 4)) + 3; // at least two 128 KiB tiles
      const cf: Float32Matrix = {
        data: Float32Array.from(
          { length: rows * dims },
          (_, i) => Math.sin(i * 0.61) * (1 + (i % 13)) + (i % 17 === 0 ? 1e-40 : 0),
        ),
        rows,
        dims,
      };
      const qf: Float32Matrix = {
        data: Float32Array.from({ length: 6 * dims }, (_, i) => Math.cos(i * 0.37) + 0.01),
        rows: 6,
        dims,
      };
      const skip = Uint8Array.from({ length: rows }, (_, i) => (i % 9 === 4 ? 1 : 0));
      for (const metric of ['dot', 'cosine'] as const) {
        for (const k of [1, 150]) {
          const a = searchFloat(qf, cf, { k, skip, metric, kernel: 'wasm' });
          const b = searchFloat(qf, cf, { k, skip, metric, kernel: 'js' });
          expect(a.indices, `dims ${dims} ${metric} k ${k}`).toEqual(b.indices);
          expect(a.scores).toEqual(b.scores);
        }
      }
    }
  });

  it('screens in float32 but keeps float64 keys: extreme magnitudes, cancellation, prepared corpora', () => {
    const dims = 96;
    const rows = 3000;
    const random = rng(11);
    const data = new Float32Array(rows * dims);
    for (let r = 0; r < rows; r++) {
      const scale = 10 ** ((r % 9) * 4 - 16); // 1e-16 .. 1e16
      for (let i = 0; i < dims; i++) data[r * dims + i] = gaussian(random) * scale;
    }
    // Rows whose products cancel: float32 sums lose them, float64 keys do not.
    for (let i = 0; i < dims; i++) data[7 * dims + i] = i % 2 === 0 ? 3e18 : -3e18 + 1e12;
    const corpus = { data, rows, dims };
    const prepared = prepareFloatCorpus(corpus);
    expect(prepared.data).not.toBe(data);
    expect(prepared.data).toEqual(data);
    const queries = randomMatrix(5, dims, 12);
    const skip = Uint8Array.from({ length: rows }, (_, i) => (i % 13 === 6 ? 1 : 0));
    for (const metric of ['dot', 'cosine'] as const) {
      for (const k of [1, 25, 1500]) {
        const js = searchFloat(queries, corpus, { k, skip, metric, kernel: 'js' });
        for (const c of [corpus, prepared]) {
          const wasm = searchFloat(queries, c, { k, skip, metric, kernel: 'wasm' });
          const what = `${metric} k ${k} ${c === corpus ? 'plain' : 'prepared'}`;
          expect(wasm.indices, what).toEqual(js.indices);
          expect(wasm.scores, what).toEqual(js.scores);
        }
      }
    }
    // Rows whose float64 scores all lie within float32 rounding of 1: the float32 screen alone
    // would rank them at random, so every one of them must reach the exact score.
    const close = new Float32Array(2000 * dims);
    const q = queries.data.subarray(0, dims);
    for (let r = 0; r < 2000; r++) {
      let sum = 0;
      for (let i = 0; i < dims - 1; i++) {
        close[r * dims + i] = gaussian(random) * 30;
        sum += q[i] * close[r * dims + i];
      }
      close[r * dims + dims - 1] = (1 - sum) / q[dims - 1];
    }
    const closeCorpus = { data: close, rows: 2000, dims };
    const one = { data: q, rows: 1, dims };
    for (const c of [closeCorpus, prepareFloatCorpus(closeCorpus)]) {
      const wasm = searchFloat(one, c, { k: 20, kernel: 'wasm' });
      const js = searchFloat(one, closeCorpus, { k: 20, kernel: 'js' });
      expect(wasm.indices).toEqual(js.indices);
      expect(wasm.scores).toEqual(js.scores);
    }
    const bad = data.slice();
    bad[2500 * dims + 1] = Number.NaN;
    const preparedBad = prepareFloatCorpus({ data: bad, rows, dims });
    expect(() => searchFloat(queries, preparedBad, { k: 3 })).toThrow(/row 2500/);
    const skipBad = new Uint8Array(rows);
    skipBad[2500] = 1;
    expect(searchFloat(queries, preparedBad, { k: 3, skip: skipBad }).k).toBe(3);
  });

  it('reports NaN and Infinity corpus rows as NOT_FINITE unless they are skipped', () => {
    const dims = 8;
    const data = Float32Array.from({ length: 50 * dims }, (_, i) => (i % 5) - 2);
    const q = { data: Float32Array.from({ length: dims }, () => 1), rows: 1, dims };
    for (const bad of [Number.NaN, Number.POSITIVE_INFINITY, Number.NEGATIVE_INFINITY]) {
      const corrupted = data.slice();
      corrupted[37 * dims + 3] = bad;
      const corpus = { data: corrupted, rows: 50, dims };
      for (const kernel of ['wasm', 'js'] as const) {
        expect(() => searchFloat(q, corpus, { k: 3, kernel })).toThrow(/row 37/);
        const skip = new Uint8Array(50);
        skip[37] = 1;
        expect(searchFloat(q, corpus, { k: 3, kernel, skip }).k).toBe(3);
      }
    }
  });
});
