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

/** `a` ranks before `b`: higher score, then lower id. */
function better(aScore: number, aId: string, bScore: number, bId: string): boolean {
  return aScore > bScore || (aScore === bScore && aId < bId);
}

/**
 * The `k` best items by score (descending; equal scores go to the lower id in code-unit order,
 * so results never depend on insertion history). Selection keeps a bounded heap of the best `k`
 * (worst on top), so a common query term touching many documents costs `n log k`, not `n log n`.
 */
export function topKOf<T>(
  items: readonly T[],
  scoreOf: (item: T) => number,
  idOf: (item: T) => string,
  k: number,
): RankedList {
  const n = Math.min(k, items.length);
  const heapScores = new Float64Array(n);
  const heapIds: string[] = new Array(n);
  let size = 0;
  const siftDown = (start: number) => {
    let i = start;
    for (;;) {
      const l = 2 * i + 1;
      const r = l + 1;
      let worst = i;
      if (l < size && better(heapScores[worst], heapIds[worst], heapScores[l], heapIds[l])) worst = l;
      if (r < size && better(heapScores[worst], heapIds[worst], heapScores[r], heapIds[r])) worst = r;
      if (worst === i) return;
      [heapScores[i], heapScores[worst]] = [heapScores[worst], heapScores[i]];
      [heapIds[i], heapIds[worst]] = [heapIds[worst], heapIds[i]];
      i = worst;
    }
  };
  for (const item of items) {
    if (n === 0) break;
    const score = scoreOf(item);
    if (size === n && !better(score, idOf(item), heapScores[0], heapIds[0])) continue;
    const id = idOf(item);
    if (size < n) {
      // sift up
      let i = size++;
      heapScores[i] = score;
      heapIds[i] = id;
      while (i > 0) {
        const parent = (i - 1) >> 1;
        if (!better(heapScores[parent], heapIds[parent], heapScores[i], heapIds[i])) break;
        [heapScores[i], heapScores[parent]] = [heapScores[parent], heapScores[i]];
        [heapIds[i], heapIds[parent]] = [heapIds[parent], heapIds[i]];
        i = parent;
      }
    } else {
      heapScores[0] = score;
      heapIds[0] = id;
      siftDown(0);
    }
  }
  const order = Array.from({ length: size }, (_, i) => i).sort((a, b) =>
    better(heapScores[a], heapIds[a], heapScores[b], heapIds[b]) ? -1 : 1,
  );
  return { ids: order.map((i) => heapIds[i]), scores: Float32Array.from(order, (i) => heapScores[i]) };
}
