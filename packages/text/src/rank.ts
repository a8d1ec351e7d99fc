/**
 * Ranked result lists shared by BM25 and the fusion functions.
 *
 * @module
 */
import { WebEmbedError } from '@webembed/core';

/** A ranking: ids best first, with one score per id (higher is better). */
export interface RankedList {
  readonly ids: string[];
  readonly scores: Float32Array;
}

/** Throws `INVALID_K` unless `k` is a positive integer. */
export function checkTopK(k: unknown): asserts k is number {
  if (typeof k !== 'number' || !Number.isInteger(k) || k < 1) {
    throw new WebEmbedError('INVALID_K', `k must be a positive integer, got ${String(k)}`, {
      actual: typeof k === 'number' ? k : String(k),
    });
  }
}

/**
 * The `k` best items by score (descending; equal scores go to the lower id in code-unit order,
 * so results never depend on insertion history).
 */
export function topKOf<T>(
  items: readonly T[],
  scoreOf: (item: T) => number,
  idOf: (item: T) => string,
  k: number,
): RankedList {
  const order = items.map((item) => ({ id: idOf(item), score: scoreOf(item) }));
  order.sort((x, y) => y.score - x.score || (x.id < y.id ? -1 : x.id > y.id ? 1 : 0));
  const n = Math.min(k, order.length);
  const ids: string[] = new Array(n);
  const scores = new Float32Array(n);
  for (let i = 0; i < n; i++) {
    ids[i] = order[i].id;
    scores[i] = order[i].score;
  }
  return { ids, scores };
}
