/**
 * Node side data of `pnpm bench peers`: generates (and caches under .tmp/bench-peers/) the
 * seeded clustered corpora and queries, the held-out split of the real vectors, and the exact
 * top-k of every query (usearch's native exact search, cross-checked against the bench's own
 * exact search on the smaller sizes).
 *
 * @module
 */
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Float32Matrix } from '@webembed/core';
import { exactSearch, MetricKind } from 'usearch';
import { exactTopK } from '../lib/exact.js';
import { loadRealVectors } from '../lib/real-data.js';
import { clusteredVectors } from '../lib/synthetic.js';
import type { ScenarioData } from './protocol.js';

/** A scenario with its data in memory (for the Node systems) and on disk (for the page). */
export interface PreparedScenario {
  readonly data: ScenarioData;
  readonly corpus: Float32Matrix;
  readonly queries: Float32Matrix;
  readonly truth: Int32Array;
}

const SEED = 20261123;

function writeOnce(path: string, bytes: ArrayBufferView): void {
  if (!existsSync(path))
    writeFileSync(path, new Uint8Array(bytes.buffer, bytes.byteOffset, bytes.byteLength));
}

function readF32(path: string): Float32Array {
  const b = readFileSync(path);
  return new Float32Array(b.buffer.slice(b.byteOffset, b.byteOffset + b.byteLength));
}

function readI32(path: string): Int32Array {
  const b = readFileSync(path);
  return new Int32Array(b.buffer.slice(b.byteOffset, b.byteOffset + b.byteLength));
}

/** usearch result keys (`rows x k`, with optional per-query counts) as int32 row ids, -1 padded. */
export function keysToRows(
  keys: BigUint64Array,
  counts: ArrayLike<number | bigint> | undefined,
  rows: number,
  k: number,
): Int32Array {
  const out = new Int32Array(rows * k).fill(-1);
  for (let q = 0; q < rows; q++) {
    const count = Math.min(k, counts ? Number(counts[q]) : k, keys.length - q * k);
    for (let i = 0; i < count; i++) out[q * k + i] = Number(keys[q * k + i]);
  }
  return out;
}

/**
 * A Float32Array that starts at byte 0 of its own buffer. usearch 2.26.2's exactSearch reads a
 * subarray view from the start of the underlying buffer (its byteOffset is ignored), so views are
 * copied before they cross into the native addon.
 */
export function ownBuffer(data: Float32Array): Float32Array {
  return data.byteOffset === 0 && data.byteLength === data.buffer.byteLength ? data : data.slice();
}

/** Exact top-k with usearch's native exact search (inner product on unit vectors). */
export function nativeExactTopK(corpus: Float32Matrix, queries: Float32Matrix, k: number): Int32Array {
  const res = exactSearch(ownBuffer(corpus.data), ownBuffer(queries.data), corpus.dims, k, MetricKind.IP) as {
    keys: BigUint64Array;
    counts?: BigUint64Array;
  };
  return keysToRows(res.keys, res.counts, queries.rows, k);
}

function truthFor(
  corpus: Float32Matrix,
  queries: Float32Matrix,
  k: number,
  log: (s: string) => void,
): Int32Array {
  const start = performance.now();
  const truth = nativeExactTopK(corpus, queries, k);
  log(
    `  exact top-${k} of ${queries.rows} queries (usearch exact): ${((performance.now() - start) / 1000).toFixed(1)} s`,
  );
  if (corpus.rows <= 100_000) {
    // Cross-check the native ground truth with the bench's own exact search.
    const own = exactTopK(queries, corpus, k).indices;
    let agree = 0;
    for (let q = 0; q < queries.rows; q++) {
      const a = new Set(own.subarray(q * k, (q + 1) * k));
      for (let i = 0; i < k; i++) if (a.has(truth[q * k + i])) agree++;
    }
    log(
      `  ground truth cross-check vs bench exact search: ${((100 * agree) / (queries.rows * k)).toFixed(2)}% agree`,
    );
  }
  return truth;
}

/** Seeded clustered corpus of `rows x dims` and `queries` queries from the same clusters. */
export function prepareSynthetic(
  dir: string,
  rows: number,
  dims: number,
  queries: number,
  k: number,
  log: (s: string) => void,
): PreparedScenario {
  mkdirSync(dir, { recursive: true });
  const tag = `s${SEED}-${rows}x${dims}-q${queries}-k${k}`;
  const files = { corpus: `corpus-${tag}.f32`, queries: `queries-${tag}.f32`, truth: `truth-${tag}.i32` };
  const clusters = Math.max(16, Math.round(Math.sqrt(rows)));
  let corpus: Float32Matrix;
  let queryMatrix: Float32Matrix;
  let truth: Int32Array;
  if (existsSync(join(dir, files.truth))) {
    corpus = { data: readF32(join(dir, files.corpus)), rows, dims };
    queryMatrix = { data: readF32(join(dir, files.queries)), rows: queries, dims };
    truth = readI32(join(dir, files.truth));
    log(`  reusing cached data ${tag}`);
  } else {
    const start = performance.now();
    corpus = clusteredVectors({ rows, dims, clusters, seed: SEED }, SEED + 1);
    queryMatrix = clusteredVectors({ rows: queries, dims, clusters, seed: SEED }, SEED + 2);
    log(
      `  generated ${rows} x ${dims} clustered vectors in ${((performance.now() - start) / 1000).toFixed(1)} s`,
    );
    truth = truthFor(corpus, queryMatrix, k, log);
    writeOnce(join(dir, files.corpus), corpus.data);
    writeOnce(join(dir, files.queries), queryMatrix.data);
    writeOnce(join(dir, files.truth), truth);
  }
  return {
    data: {
      kind: 'synthetic',
      rows,
      dims,
      queries,
      k,
      corpusUrl: `/data/${files.corpus}`,
      queriesUrl: `/data/${files.queries}`,
      truthUrl: `/data/${files.truth}`,
    },
    corpus,
    queries: queryMatrix,
    truth,
  };
}

/** The real vectors: every 10th row is a query (100), the other 900 the corpus. */
export function prepareReal(dir: string, k: number, log: (s: string) => void): PreparedScenario {
  mkdirSync(dir, { recursive: true });
  const all = loadRealVectors();
  const dims = all.dims;
  const queryRows: number[] = [];
  const corpusRows: number[] = [];
  for (let r = 0; r < all.rows; r++) (r % 10 === 0 ? queryRows : corpusRows).push(r);
  const pick = (rows: number[]) => {
    const data = new Float32Array(rows.length * dims);
    rows.forEach((r, i) => {
      data.set(all.data.subarray(r * dims, (r + 1) * dims), i * dims);
    });
    return { data, rows: rows.length, dims };
  };
  const corpus = pick(corpusRows);
  const queries = pick(queryRows);
  const truth = truthFor(corpus, queries, k, log);
  const files = { corpus: 'real-corpus.f32', queries: 'real-queries.f32', truth: `real-truth-k${k}.i32` };
  writeFileSync(join(dir, files.corpus), new Uint8Array(corpus.data.buffer));
  writeFileSync(join(dir, files.queries), new Uint8Array(queries.data.buffer));
  writeFileSync(join(dir, files.truth), new Uint8Array(truth.buffer));
  return {
    data: {
      kind: 'real',
      rows: corpus.rows,
      dims,
      queries: queries.rows,
      k,
      corpusUrl: `/data/${files.corpus}`,
      queriesUrl: `/data/${files.queries}`,
      truthUrl: `/data/${files.truth}`,
    },
    corpus,
    queries,
    truth,
  };
}
