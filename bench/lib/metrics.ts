/**
 * Retrieval-quality metrics used by the benchmarks: recall@k and NDCG@k of an approximate
 * top-k against an exact top-k (ids are corpus row numbers), and NDCG@k / Recall@k of a ranked
 * list against human relevance labels (qrels, ids are strings), computed the way
 * trec_eval / pytrec_eval (and so MTEB) compute `ndcg_cut` and `recall`: linear gain, log2 discount.
 *
 * @module
 */
import { WebEmbedError } from '@webembed/core';

/** A `queries x k` block of row indices, row-major (the `indices` half of a `TopK`). */
export interface RankedRows {
  readonly queries: number;
  readonly k: number;
  readonly indices: Int32Array;
}

function checkBlock(name: string, block: RankedRows, k: number): void {
  if (!Number.isInteger(k) || k < 1) {
    throw new WebEmbedError('INVALID_K', `k must be a positive integer, got ${k}`, { k });
  }
  if (block.indices.length !== block.queries * block.k) {
    throw new WebEmbedError(
      'DIMENSION_MISMATCH',
      `${name}: expected ${block.queries} x ${block.k} = ${block.queries * block.k} indices, got ${block.indices.length}`,
      { expected: block.queries * block.k, actual: block.indices.length },
    );
  }
  if (block.k < k) {
    throw new WebEmbedError('INVALID_K', `${name} holds ${block.k} hits per query, fewer than k = ${k}`, {
      available: block.k,
      k,
    });
  }
}

function checkPair(truth: RankedRows, found: RankedRows, k: number): void {
  checkBlock('exact top-k', truth, k);
  checkBlock('approximate top-k', found, Math.min(k, found.k));
  if (truth.queries !== found.queries) {
    throw new WebEmbedError(
      'DIMENSION_MISMATCH',
      `exact and approximate results must cover the same queries: ${truth.queries} vs ${found.queries}`,
      { expected: truth.queries, actual: found.queries },
    );
  }
}

/**
 * Mean over queries of |approximate top-k ∩ exact top-k| / k. An approximate list shorter than
 * k (a peer that returned fewer hits) simply finds fewer; `-1` entries count as misses.
 */
export function recallAtK(truth: RankedRows, found: RankedRows, k: number): number {
  checkPair(truth, found, k);
  if (truth.queries === 0) return Number.NaN;
  const take = Math.min(k, found.k);
  let total = 0;
  for (let q = 0; q < truth.queries; q++) {
    const relevant = new Set<number>();
    for (let i = 0; i < k; i++) relevant.add(truth.indices[q * truth.k + i]);
    let hits = 0;
    for (let i = 0; i < take; i++) if (relevant.has(found.indices[q * found.k + i])) hits++;
    total += hits / k;
  }
  return total / truth.queries;
}

/**
 * Mean NDCG@k of an approximate ranking against the exact one. The exact top-k are the relevant
 * rows, graded by exact rank: the exact best hit has gain k, the k-th has gain 1, every other row 0.
 * So both missing a true neighbour and misordering the true neighbours lower the score; the exact
 * ranking itself scores 1.
 */
export function ndcgAgainstExact(truth: RankedRows, found: RankedRows, k: number): number {
  checkPair(truth, found, k);
  if (truth.queries === 0) return Number.NaN;
  const take = Math.min(k, found.k);
  let ideal = 0;
  for (let i = 0; i < k; i++) ideal += (k - i) / Math.log2(i + 2);
  let total = 0;
  for (let q = 0; q < truth.queries; q++) {
    const gain = new Map<number, number>();
    for (let i = 0; i < k; i++) gain.set(truth.indices[q * truth.k + i], k - i);
    let dcg = 0;
    for (let i = 0; i < take; i++) dcg += (gain.get(found.indices[q * found.k + i]) ?? 0) / Math.log2(i + 2);
    total += dcg / ideal;
  }
  return total / truth.queries;
}

/** Relevance labels of one query: document id -> graded score (0 or less = not relevant). */
export type QueryLabels = ReadonlyMap<string, number>;

/**
 * NDCG@k of one ranked list of document ids against graded labels, as trec_eval's `ndcg_cut.k`:
 * DCG = sum over the first k ranks of rel / log2(rank + 1) (rank from 1), divided by the DCG of
 * the labels sorted best first. Returns 0 when the query has no positive label.
 */
export function ndcgFromLabels(ranked: readonly string[], labels: QueryLabels, k: number): number {
  if (!Number.isInteger(k) || k < 1) {
    throw new WebEmbedError('INVALID_K', `k must be a positive integer, got ${k}`, { k });
  }
  const positives = [...labels.values()].filter((score) => score > 0).sort((a, b) => b - a);
  if (positives.length === 0) return 0;
  let ideal = 0;
  for (let i = 0; i < Math.min(k, positives.length); i++) ideal += positives[i] / Math.log2(i + 2);
  let dcg = 0;
  const seen = new Set<string>();
  for (let i = 0; i < Math.min(k, ranked.length); i++) {
    const id = ranked[i];
    if (seen.has(id)) continue; // a duplicate id earns nothing the second time
    seen.add(id);
    const rel = labels.get(id) ?? 0;
    if (rel > 0) dcg += rel / Math.log2(i + 2);
  }
  return dcg / ideal;
}

/**
 * Recall@k of one ranked list against labels: the share of positively labelled documents found
 * in the first k. Returns 0 when the query has no positive label.
 */
export function recallFromLabels(ranked: readonly string[], labels: QueryLabels, k: number): number {
  if (!Number.isInteger(k) || k < 1) {
    throw new WebEmbedError('INVALID_K', `k must be a positive integer, got ${k}`, { k });
  }
  let relevant = 0;
  for (const score of labels.values()) if (score > 0) relevant++;
  if (relevant === 0) return 0;
  const found = new Set<string>();
  for (let i = 0; i < Math.min(k, ranked.length); i++) {
    if ((labels.get(ranked[i]) ?? 0) > 0) found.add(ranked[i]);
  }
  return found.size / relevant;
}
