/** Shared fixtures for the store tests (Node and browser). */
import type { ModelFingerprint } from '@webembed/core';
import type { DocumentInput } from '../src/index.js';

/** A small fingerprint for `dims`-dimensional unit vectors. */
export function testFingerprint(dims = 8, overrides: Partial<ModelFingerprint> = {}): ModelFingerprint {
  return {
    modelId: 'test/model',
    revision: 'r1',
    dims,
    pooling: 'mean',
    normalized: true,
    prefixScheme: 'none',
    matryoshkaDims: null,
    dtype: 'fp32',
    ...overrides,
  };
}

/** Deterministic pseudo-random generator (mulberry32). */
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

/** A random unit vector. */
export function unitVector(dims: number, next: () => number): Float32Array {
  const v = new Float32Array(dims);
  let norm = 0;
  for (let j = 0; j < dims; j++) {
    v[j] = next() * 2 - 1;
    norm += v[j] * v[j];
  }
  norm = Math.sqrt(norm);
  for (let j = 0; j < dims; j++) v[j] /= norm;
  return v;
}

/** `n` documents `doc-<start + i>` with random unit vectors and a `group` metadata field (i % 3). */
export function makeDocs(n: number, dims = 8, seed = 1, start = 0): DocumentInput[] {
  const next = rng(seed);
  return Array.from({ length: n }, (_, i) => ({
    id: `doc-${start + i}`,
    text: `text ${start + i}`,
    metadata: { group: (start + i) % 3, tag: (start + i) % 2 === 0 ? 'even' : 'odd' },
    vector: unitVector(dims, next),
  }));
}

/** A unique database name per test. */
let counter = 0;
export function uniqueDbName(prefix = 'webembed-test'): string {
  counter++;
  return `${prefix}-${Date.now().toString(36)}-${counter}-${Math.random().toString(36).slice(2, 8)}`;
}
