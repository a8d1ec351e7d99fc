/**
 * Runs quality methods over a set of vectors, leave-one-out: every row is a query against all the
 * other rows, scored against the bench's own exact float32 search.
 *
 * @module
 */
import type { Float32Matrix, TopK } from '@webembed/core';
import { exactTopK } from './exact.js';
import { ndcgAgainstExact, recallAtK } from './metrics.js';
import type { QualityMethod } from './quality-methods.js';

/** One row of the quality table. */
export interface QualityRow {
  readonly id: string;
  readonly label: string;
  readonly bytesPerVector: number;
  readonly recallAt10: number;
  readonly ndcgAt10: number;
  /** Total CPU time of all the leave-one-out searches, milliseconds (not a benchmark of speed). */
  readonly searchMs: number;
  readonly note?: string;
}

/** Exact leave-one-out top-k of every row against the others. */
export function leaveOneOutTruth(vectors: Float32Matrix, k: number): TopK {
  return exactTopK(vectors, vectors, k, (q) => q);
}

/** Evaluates one method leave-one-out against `truth` (from {@link leaveOneOutTruth}). */
export function evaluateLeaveOneOut(
  method: QualityMethod,
  vectors: Float32Matrix,
  truth: TopK,
  k: number,
): QualityRow {
  const all = Int32Array.from({ length: vectors.rows }, (_, i) => i);
  return evaluateQueries(
    method,
    { corpus: vectors, queries: vectors, queryRows: all, exclude: all },
    truth,
    k,
  );
}

/**
 * Which queries to evaluate: rows `queryRows` of `queries`, each searching `corpus`, with corpus
 * row `exclude[i]` left out of query i's search (leave-one-out) or -1 to keep every row.
 */
export interface QuerySet {
  readonly corpus: Float32Matrix;
  readonly queries: Float32Matrix;
  readonly queryRows: Int32Array;
  readonly exclude: Int32Array;
}

/** Exact top-k of every query of `set`: the ground truth for {@link evaluateQueries}. */
export function querySetTruth(set: QuerySet, k: number): TopK {
  const { dims } = set.queries;
  const picked = new Float32Array(set.queryRows.length * dims);
  set.queryRows.forEach((row, i) => {
    picked.set(set.queries.data.subarray(row * dims, (row + 1) * dims), i * dims);
  });
  return exactTopK({ data: picked, rows: set.queryRows.length, dims }, set.corpus, k, (i) => set.exclude[i]);
}

/** Evaluates one method on the queries of `set` against `truth` (from {@link querySetTruth}). */
export function evaluateQueries(method: QualityMethod, set: QuerySet, truth: TopK, k: number): QualityRow {
  const prepared = method.prepare(set.queries, set.corpus);
  const n = set.queryRows.length;
  const indices = new Int32Array(n * k).fill(-1);
  const skip = new Uint8Array(set.corpus.rows);
  const start = performance.now();
  for (let i = 0; i < n; i++) {
    const excluded = set.exclude[i];
    if (excluded >= 0) skip[excluded] = 1;
    const hits = prepared.search(set.queryRows[i], k, excluded >= 0 ? skip : undefined);
    if (excluded >= 0) skip[excluded] = 0;
    indices.set(hits.indices.subarray(0, Math.min(k, hits.k)), i * k);
  }
  const searchMs = performance.now() - start;
  const found = { queries: n, k, indices };
  return {
    id: method.id,
    label: method.label,
    bytesPerVector: method.bytesPerVector(set.corpus.dims),
    recallAt10: recallAtK(truth, found, k),
    ndcgAt10: ndcgAgainstExact(truth, found, k),
    searchMs,
    note: method.note,
  };
}
