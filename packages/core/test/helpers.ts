/**
 * Test helpers: deterministic random data, naive reference implementations (plain loops and
 * a full sort), and a loader for the vendored bge-m3 vectors.
 */
import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import fc from 'fast-check';
import type { BinaryMatrix, Float32Matrix, TopK } from '../src/index.js';

/** A small seeded PRNG (mulberry32), so failures reproduce. */
export function rng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** Standard normal samples (Box-Muller). */
export function gaussian(random: () => number): number {
  const u = Math.max(random(), 1e-12);
  return Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * random());
}

/** A `rows x dims` matrix of standard normal values. */
export function randomMatrix(rows: number, dims: number, seed: number): Float32Matrix {
  const random = rng(seed);
  const data = new Float32Array(rows * dims);
  for (let i = 0; i < data.length; i++) data[i] = gaussian(random);
  return { data, rows, dims };
}

/** Matrices whose entries are small integers, so sums are exact and ties frequent. */
export const smallIntMatrix = (maxRows: number, maxDims: number) =>
  fc
    .record({ rows: fc.integer({ min: 1, max: maxRows }), dims: fc.integer({ min: 1, max: maxDims }) })
    .chain(({ rows, dims }) =>
      fc
        .array(fc.integer({ min: -3, max: 3 }), { minLength: rows * dims, maxLength: rows * dims })
        .map((values): Float32Matrix => ({ data: Float32Array.from(values), rows, dims })),
    );

/** A random tombstone mask for `rows` rows (sometimes absent). */
export const skipMask = (rows: number) =>
  fc.option(
    fc
      .array(fc.integer({ min: 0, max: 3 }), { minLength: rows, maxLength: rows })
      .map((a) => Uint8Array.from(a, (v) => (v === 0 ? 1 : 0))),
    { nil: undefined },
  );

/**
 * The reference top-k: score every live row, sort all of them (higher key first, ties to the
 * lower row), keep k. `key` returns a value where higher is better.
 */
export function referenceTopK(
  queries: number,
  rows: number,
  k: number,
  key: (q: number, r: number) => number,
  skip?: Uint8Array,
): { indices: number[][]; keys: number[][] } {
  const indices: number[][] = [];
  const keys: number[][] = [];
  for (let q = 0; q < queries; q++) {
    const all: { r: number; s: number }[] = [];
    for (let r = 0; r < rows; r++) if (!skip || skip[r] === 0) all.push({ r, s: key(q, r) });
    all.sort((a, b) => b.s - a.s || a.r - b.r);
    const top = all.slice(0, k);
    indices.push(top.map((h) => h.r));
    keys.push(top.map((h) => h.s));
  }
  return { indices, keys };
}

/** The hits of query `q` as plain arrays. */
export function hitsOf(result: TopK, q: number): { indices: number[]; scores: number[] } {
  return {
    indices: Array.from(result.indices.subarray(q * result.k, (q + 1) * result.k)),
    scores: Array.from(result.scores.subarray(q * result.k, (q + 1) * result.k)),
  };
}

/** Hamming distance counted bit by bit from the float rows' signs (no packing involved). */
export function naiveHammingFromFloats(a: Float32Matrix, qa: number, b: Float32Matrix, rb: number): number {
  let d = 0;
  for (let j = 0; j < a.dims; j++) {
    if (a.data[qa * a.dims + j] > 0 !== b.data[rb * b.dims + j] > 0) d++;
  }
  return d;
}

/** Bit `j` of packed row `r`, read one bit at a time. */
export function bitAt(m: BinaryMatrix, r: number, j: number): number {
  return (m.words[r * m.wordsPerRow + (j >>> 5)] >>> (j & 31)) & 1;
}

/** Clustered synthetic unit vectors: `clusters` random centres plus Gaussian noise. */
export function clusteredUnitVectors(
  rows: number,
  dims: number,
  clusters: number,
  noise: number,
  seed: number,
): Float32Matrix {
  const random = rng(seed);
  const centres = randomMatrix(clusters, dims, seed + 1);
  const data = new Float32Array(rows * dims);
  for (let r = 0; r < rows; r++) {
    const c = Math.floor(random() * clusters);
    let norm = 0;
    for (let j = 0; j < dims; j++) {
      const v = centres.data[c * dims + j] + noise * gaussian(random);
      data[r * dims + j] = v;
      norm += v * v;
    }
    norm = Math.sqrt(norm);
    for (let j = 0; j < dims; j++) data[r * dims + j] /= norm;
  }
  return { data, rows, dims };
}

const dataDir = join(dirname(fileURLToPath(import.meta.url)), '..', '..', '..', 'data', 'bge-m3-alice');

/** The vendored 1000 x 1024 bge-m3 vectors (sentence set then paragraph set), unit-normalized. */
export function loadBgeM3(): Float32Matrix {
  const parts = ['bge-m3-sentence.f32', 'bge-m3-paragraph.f32'].map((name) => {
    const bytes = readFileSync(join(dataDir, name));
    return new Float32Array(bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength));
  });
  const data = new Float32Array(parts[0].length + parts[1].length);
  data.set(parts[0], 0);
  data.set(parts[1], parts[0].length);
  return { data, rows: data.length / 1024, dims: 1024 };
}

/** Fraction of `truth` found in `found` (both lists of row indices). */
export function overlap(found: ArrayLike<number>, truth: ArrayLike<number>): number {
  const set = new Set(Array.from(found));
  let hit = 0;
  for (let i = 0; i < truth.length; i++) if (set.has(truth[i])) hit++;
  return hit / truth.length;
}
