/**
 * The merge of tiered search: a local hot set and a remote collection, both scored by cosine
 * similarity, into one best-k list.
 *
 * @module
 */
import { WebEmbedError } from '@webembed/core';

/**
 * Merges two score-sorted hit lists (higher score first) into the best `k`: the tiered search's
 * merge of the local hot set and the remote collection. A document in both lists appears once,
 * with its higher score (the local hit on a tie); ties between documents go to the local list,
 * then to list order. Scores must share a scale (cosine similarity). Throws `INVALID_K` for a
 * `k` that is not a positive integer, `INVALID_ARGUMENT` for a hit without a string id and a
 * numeric score.
 *
 * @example
 * ```ts
 * const hits = mergeHitsByScore(localHits, remoteHits, 10);
 * ```
 */
export function mergeHitsByScore<T extends { readonly id: string; readonly score: number }>(
  local: readonly T[],
  remote: readonly T[],
  k: number,
): T[] {
  if (!Number.isInteger(k) || k < 1) {
    throw new WebEmbedError('INVALID_K', `k must be a positive integer, got ${String(k)}`, {
      actual: String(k),
    });
  }
  const best = new Map<string, { hit: T; order: number }>();
  let order = 0;
  for (const list of [local, remote]) {
    for (const hit of list) {
      if (typeof hit?.id !== 'string' || typeof hit.score !== 'number' || Number.isNaN(hit.score)) {
        throw new WebEmbedError(
          'INVALID_ARGUMENT',
          'every hit to merge needs a string id and a numeric score',
        );
      }
      const seen = best.get(hit.id);
      if (!seen) best.set(hit.id, { hit, order });
      else if (hit.score > seen.hit.score) best.set(hit.id, { hit, order: seen.order });
      order += 1;
    }
  }
  return [...best.values()]
    .sort((a, b) => b.hit.score - a.hit.score || a.order - b.order)
    .slice(0, k)
    .map((entry) => entry.hit);
}
