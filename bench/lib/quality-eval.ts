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
  const prepared = method.prepare(vectors, vectors);
  const indices = new Int32Array(vectors.rows * k).fill(-1);
  const skip = new Uint8Array(vectors.rows);
  const start = performance.now();
  for (let q = 0; q < vectors.rows; q++) {
    skip[q] = 1;
    const hits = prepared.search(q, k, skip);
    skip[q] = 0;
    indices.set(hits.indices.subarray(0, Math.min(k, hits.k)), q * k);
  }
  const searchMs = performance.now() - start;
  const found = { queries: vectors.rows, k, indices };
  return {
    id: method.id,
    label: method.label,
    bytesPerVector: method.bytesPerVector(vectors.dims),
    recallAt10: recallAtK(truth, found, k),
    ndcgAt10: ndcgAgainstExact(truth, found, k),
    searchMs,
    note: method.note,
  };
}
