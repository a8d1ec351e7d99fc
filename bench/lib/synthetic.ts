/**
 * Deterministic synthetic vectors for the benchmarks: a seeded PRNG and clustered, unit-length
 * vectors. No Node or DOM imports, so the same code (and so the same data for a given seed) runs
 * in Node and in the browser page of the peer benchmark.
 *
 * Synthetic data is kinder or harsher than real embeddings depending on the method (isotropic
 * clusters have near-ties that sign-bit quantization cannot separate); every result table says
 * which data a figure comes from.
 *
 * @module
 */
import type { Float32Matrix } from '@webembed/core';
import { WebEmbedError } from '@webembed/core';

/** A seeded 32-bit PRNG (mulberry32): returns floats in [0, 1). */
export function seededRandom(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** Standard normal samples from a uniform source (Box-Muller, both outputs used). */
export function gaussianSource(uniform: () => number): () => number {
  let spare = Number.NaN;
  return () => {
    if (!Number.isNaN(spare)) {
      const value = spare;
      spare = Number.NaN;
      return value;
    }
    const u = Math.max(uniform(), 1e-12);
    const v = uniform();
    const r = Math.sqrt(-2 * Math.log(u));
    spare = r * Math.sin(2 * Math.PI * v);
    return r * Math.cos(2 * Math.PI * v);
  };
}

/** Scales every row of a row-major matrix to unit L2 length in place (zero rows stay zero). */
export function normalizeRows(data: Float32Array, dims: number): void {
  for (let offset = 0; offset < data.length; offset += dims) {
    let sum = 0;
    for (let j = 0; j < dims; j++) sum += data[offset + j] * data[offset + j];
    if (sum === 0) continue;
    const inv = 1 / Math.sqrt(sum);
    for (let j = 0; j < dims; j++) data[offset + j] *= inv;
  }
}

/** How to draw clustered vectors. */
export interface ClusteredSpec {
  readonly rows: number;
  readonly dims: number;
  /** Number of cluster centres (default: about sqrt(rows), at least 1). */
  readonly clusters?: number;
  /** Noise norm relative to the unit centre (default 0.6). */
  readonly spread?: number;
  readonly seed: number;
}

/**
 * `rows` unit vectors, each a random unit centre plus isotropic Gaussian noise of norm about
 * `spread`, renormalized. Centres come from `seed`, so corpus and queries drawn with the same
 * `seed` + `clusters` but different `pointSeed`s share their clusters.
 */
export function clusteredVectors(spec: ClusteredSpec, pointSeed = spec.seed + 1): Float32Matrix {
  const { rows, dims } = spec;
  if (!Number.isInteger(rows) || rows < 1 || !Number.isInteger(dims) || dims < 1) {
    throw new WebEmbedError(
      'INVALID_ARGUMENT',
      `rows and dims must be positive integers, got ${rows} x ${dims}`,
      {
        rows,
        dims,
      },
    );
  }
  const clusters = spec.clusters ?? Math.max(1, Math.round(Math.sqrt(rows)));
  const spread = spec.spread ?? 0.6;
  const centreNormal = gaussianSource(seededRandom(spec.seed));
  const centres = new Float32Array(clusters * dims);
  for (let i = 0; i < centres.length; i++) centres[i] = centreNormal();
  normalizeRows(centres, dims);
  const uniform = seededRandom(pointSeed);
  const normal = gaussianSource(uniform);
  const data = new Float32Array(rows * dims);
  const noiseScale = spread / Math.sqrt(dims);
  for (let r = 0; r < rows; r++) {
    const c = Math.floor(uniform() * clusters) * dims;
    const offset = r * dims;
    for (let j = 0; j < dims; j++) data[offset + j] = centres[c + j] + noiseScale * normal();
  }
  normalizeRows(data, dims);
  return { data, rows, dims };
}
