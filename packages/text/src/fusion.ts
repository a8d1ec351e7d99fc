/**
 * Rank fusion: merging the rankings of several retrievers (BM25, dense vectors, ...) into one.
 *
 * @module
 */
import { WebEmbedError } from '@webembed/core';
import { type RankedList, topKOf } from './rank.js';

/** Options of {@link reciprocalRankFusion}. */
export interface RrfOptions {
  /** The RRF constant `k` (finite, `>= 0`). Default `60`, the value of Cormack et al. (2009). */
  readonly k?: number;
  /** One weight per ranking (finite, `>= 0`). Default: all `1`. */
  readonly weights?: readonly number[] | Float32Array | Float64Array;
  /** Keep at most this many fused results. Default: all. */
  readonly limit?: number;
}

/** Options of {@link weightedScoreFusion}. */
export interface WeightedFusionOptions {
  /** Keep at most this many fused results. Default: all. */
  readonly limit?: number;
}

function checkWeights(weights: ArrayLike<number> | undefined, count: number, what: string): Float64Array {
  const out = new Float64Array(count).fill(1);
  if (weights === undefined) return out;
  if (weights === null || typeof weights !== 'object' || typeof weights.length !== 'number') {
    throw new WebEmbedError('INVALID_ARGUMENT', `${what} weights must be an array of numbers`);
  }
  if (weights.length !== count) {
    throw new WebEmbedError(
      'DIMENSION_MISMATCH',
      `${what} got ${weights.length} weights for ${count} lists; expected one weight per list`,
      { expected: count, actual: weights.length },
    );
  }
  for (let i = 0; i < count; i++) {
    const w = weights[i];
    if (typeof w !== 'number' || !Number.isFinite(w) || w < 0) {
      throw new WebEmbedError(
        'INVALID_ARGUMENT',
        `${what} weight #${i} must be a finite number >= 0, got ${w}`,
        {
          index: i,
        },
      );
    }
    out[i] = w;
  }
  return out;
}

function checkLimit(limit: unknown): number {
  if (limit === undefined) return Number.POSITIVE_INFINITY;
  if (typeof limit !== 'number' || !Number.isInteger(limit) || limit < 1) {
    throw new WebEmbedError('INVALID_K', `fusion limit must be a positive integer, got ${String(limit)}`);
  }
  return limit;
}

function checkIds(ids: unknown, listIndex: number, what: string): readonly string[] {
  if (!Array.isArray(ids)) {
    throw new WebEmbedError('INVALID_ARGUMENT', `${what} list #${listIndex} must be an array of ids`, {
      index: listIndex,
    });
  }
  for (let i = 0; i < ids.length; i++) {
    if (typeof ids[i] !== 'string') {
      throw new WebEmbedError(
        'INVALID_ARGUMENT',
        `${what} list #${listIndex} entry ${i} must be a string id, got ${typeof ids[i]}`,
        { index: listIndex },
      );
    }
  }
  return ids;
}

function addContribution(fused: Map<string, number[]>, id: string, value: number): void {
  const parts = fused.get(id);
  if (parts === undefined) fused.set(id, [value]);
  else parts.push(value);
}

/**
 * Sums each id's contributions in ascending order, so the fused score (and hence the ranking) does
 * not depend on the order of the input lists, then ranks.
 */
function rankFused(fused: Map<string, number[]>, limit: number): RankedList {
  const totals = new Map<string, number>();
  for (const [id, parts] of fused) {
    parts.sort((a, b) => a - b);
    let sum = 0;
    for (const p of parts) sum += p;
    totals.set(id, sum);
  }
  const all = [...totals.keys()];
  return topKOf(
    all,
    (id) => totals.get(id)!,
    (id) => id,
    Math.min(limit, all.length),
  );
}

/**
 * Reciprocal rank fusion: `score(d) = Σ_i weight_i / (k + rank_i(d))`, with `rank_i(d)` the 1-based
 * position of `d` in ranking `i` (rankings that lack `d` add nothing; a repeated id counts at its
 * first position). Results are sorted by fused score, ties to the lower id.
 *
 * @example
 * ```ts
 * const fused = reciprocalRankFusion([bm25.search(q, 50).ids, denseIds], { k: 60 });
 * fused.ids[0]; // the best id overall
 * ```
 */
export function reciprocalRankFusion(
  rankings: readonly (readonly string[])[],
  options: RrfOptions = {},
): RankedList {
  if (!Array.isArray(rankings)) {
    throw new WebEmbedError(
      'INVALID_ARGUMENT',
      'reciprocalRankFusion expects an array of rankings (id arrays)',
    );
  }
  const k = options.k ?? 60;
  if (typeof k !== 'number' || !Number.isFinite(k) || k < 0) {
    throw new WebEmbedError(
      'INVALID_ARGUMENT',
      `RRF constant k must be a finite number >= 0, got ${String(k)}`,
    );
  }
  const weights = checkWeights(options.weights, rankings.length, 'reciprocalRankFusion');
  const limit = checkLimit(options.limit);
  const fused = new Map<string, number[]>();
  rankings.forEach((ranking, listIndex) => {
    const ids = checkIds(ranking, listIndex, 'reciprocalRankFusion');
    const seen = new Set<string>();
    for (let rank = 0; rank < ids.length; rank++) {
      const id = ids[rank];
      if (seen.has(id)) continue;
      seen.add(id);
      addContribution(fused, id, weights[listIndex] / (k + rank + 1));
    }
  });
  return rankFused(fused, limit);
}

/**
 * Weighted score fusion (convex combination): each list's scores are min-max normalized to
 * `[0, 1]` (a list whose scores are all equal maps them to `1`), then
 * `score(d) = Σ_i weight_i · normalized_i(d)`, a missing id adding `0`. Scores must be finite and
 * higher-is-better (negate distances first).
 *
 * @example
 * ```ts
 * const fused = weightedScoreFusion([bm25Hits, denseHits], [0.3, 0.7]);
 * ```
 */
export function weightedScoreFusion(
  lists: readonly { readonly ids: readonly string[]; readonly scores: ArrayLike<number> }[],
  weights?: readonly number[] | Float32Array | Float64Array,
  options: WeightedFusionOptions = {},
): RankedList {
  if (!Array.isArray(lists)) {
    throw new WebEmbedError(
      'INVALID_ARGUMENT',
      'weightedScoreFusion expects an array of { ids, scores } lists',
    );
  }
  const w = checkWeights(weights, lists.length, 'weightedScoreFusion');
  const limit = checkLimit(options.limit);
  const fused = new Map<string, number[]>();
  lists.forEach((list, listIndex) => {
    if (typeof list !== 'object' || list === null) {
      throw new WebEmbedError(
        'INVALID_ARGUMENT',
        `weightedScoreFusion list #${listIndex} must be { ids, scores }`,
      );
    }
    const ids = checkIds(list.ids, listIndex, 'weightedScoreFusion');
    const { scores } = list;
    if (scores === null || typeof scores !== 'object' || scores.length !== ids.length) {
      throw new WebEmbedError(
        'DIMENSION_MISMATCH',
        `weightedScoreFusion list #${listIndex} has ${ids.length} ids but ${scores?.length} scores; expected equal counts`,
        { index: listIndex },
      );
    }
    let min = Number.POSITIVE_INFINITY;
    let max = Number.NEGATIVE_INFINITY;
    for (let i = 0; i < scores.length; i++) {
      const s = scores[i];
      if (typeof s !== 'number' || !Number.isFinite(s)) {
        throw new WebEmbedError('NOT_FINITE', `weightedScoreFusion list #${listIndex} score ${i} is ${s}`, {
          index: listIndex,
        });
      }
      if (s < min) min = s;
      if (s > max) max = s;
    }
    const range = max - min;
    const seen = new Set<string>();
    for (let i = 0; i < ids.length; i++) {
      const id = ids[i];
      if (seen.has(id)) continue;
      seen.add(id);
      const normalized = range > 0 ? (scores[i] - min) / range : 1;
      addContribution(fused, id, w[listIndex] * normalized);
    }
  });
  return rankFused(fused, limit);
}
