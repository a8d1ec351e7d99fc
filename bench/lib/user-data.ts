/**
 * Evaluates an embedder on a labelled retrieval data set (MTEB/BEIR layout, see ./mteb.ts):
 * embeds corpus and queries, searches with exact float32 and with the project's compact paths,
 * and scores every ranking against the relevance labels with NDCG@k and Recall@k.
 *
 * @module
 */
import {
  calibrateInt8,
  type Float32Matrix,
  quantizeBinary,
  quantizeInt8,
  searchFloat,
  searchHamming,
  searchTwoStage,
  type TopK,
  WebEmbedError,
} from '@webembed/core';
import { ndcgFromLabels, recallFromLabels } from './metrics.js';
import type { RetrievalDataset } from './mteb.js';

/** Turns texts into unit-length vectors, one row a text, in order. */
export type Embedder = (texts: readonly string[], kind: 'query' | 'passage') => Promise<Float32Matrix>;

/** Scores of one search path against the labels. */
export interface LabelledScore {
  readonly path: string;
  readonly ndcg: number;
  readonly recall: number;
}

/** Result of {@link evaluateLabelled}. */
export interface LabelledResult {
  readonly k: number;
  readonly corpus: number;
  readonly queries: number;
  readonly dims: number;
  readonly embedMs: number;
  readonly scores: readonly LabelledScore[];
}

function rankings(hits: TopK, ids: readonly string[]): string[][] {
  const out: string[][] = [];
  for (let q = 0; q < hits.queries; q++) {
    const list: string[] = [];
    for (let i = 0; i < hits.k; i++) {
      const row = hits.indices[q * hits.k + i];
      if (row >= 0) list.push(ids[row]);
    }
    out.push(list);
  }
  return out;
}

function checkEmbedding(m: Float32Matrix, expectedRows: number, what: string): void {
  if (m.rows !== expectedRows || m.data.length !== m.rows * m.dims) {
    throw new WebEmbedError(
      'DIMENSION_MISMATCH',
      `embedder returned ${m.rows} x ${m.dims} (${m.data.length} values) for ${expectedRows} ${what}; expected one row a text`,
      { expected: expectedRows, actual: m.rows },
    );
  }
}

/**
 * Embeds the data set with `embed` and scores float32 exact search, binary Hamming search and
 * binary + int8 rescoring (x4) against the labels. `k` is the NDCG/Recall cut-off.
 */
export async function evaluateLabelled(
  data: RetrievalDataset,
  embed: Embedder,
  k = 10,
): Promise<LabelledResult> {
  if (!Number.isInteger(k) || k < 1)
    throw new WebEmbedError('INVALID_K', `k must be a positive integer, got ${k}`);
  const start = performance.now();
  const corpus = await embed(
    data.corpus.map((d) => d.text),
    'passage',
  );
  checkEmbedding(corpus, data.corpus.length, 'documents');
  const queries = await embed(
    data.queries.map((q) => q.text),
    'query',
  );
  checkEmbedding(queries, data.queries.length, 'queries');
  const embedMs = performance.now() - start;
  const ids = data.corpus.map((d) => d.id);
  const binary = quantizeBinary(corpus);
  const int8 = quantizeInt8(corpus, calibrateInt8(corpus, 'ranges'));
  const paths: [string, TopK][] = [
    ['float32 exact', searchFloat(queries, corpus, { k })],
    ['binary Hamming', searchHamming(quantizeBinary(queries), binary, { k })],
    [
      'binary + int8 rescore x4',
      searchTwoStage(queries, { binary, int8 }, { k, oversample: 4, candidates: 'hamming', rescore: 'int8' }),
    ],
    [
      'asymmetric-l1 + float32 rescore x4',
      searchTwoStage(queries, { binary, float32: corpus }, { k, oversample: 4 }),
    ],
  ];
  const scores = paths.map(([path, hits]) => {
    const ranked = rankings(hits, ids);
    let ndcg = 0;
    let recall = 0;
    data.queries.forEach((query, q) => {
      const labels = data.qrels.get(query.id) ?? new Map<string, number>();
      ndcg += ndcgFromLabels(ranked[q], labels, k);
      recall += recallFromLabels(ranked[q], labels, k);
    });
    return { path, ndcg: ndcg / data.queries.length, recall: recall / data.queries.length };
  });
  return { k, corpus: corpus.rows, queries: queries.rows, dims: corpus.dims, embedMs, scores };
}
