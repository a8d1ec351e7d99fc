/**
 * Why hybrid search: exact-term matching and dense vectors each answer queries the other misses.
 * The dense side uses core's exact `searchFloat` over hand-made "concept" vectors (axes: vehicles,
 * food, finance, shipping), standing in for an embedding model that captures topics but not
 * rare identifiers such as product codes.
 */
import { type Float32Matrix, normalizeRows, searchFloat } from '@webembed/core';
import { describe, expect, it } from 'vitest';
import { createBm25Index, reciprocalRankFusion } from '../src/index.js';

const docs: { id: string; text: string; concept: number[] }[] = [
  { id: 'car', text: 'Car repair and engine maintenance for your sedan', concept: [1, 0, 0, 0.1] },
  { id: 'pasta', text: 'A quick pasta recipe with tomatoes and basil', concept: [0, 1, 0, 0] },
  { id: 'stocks', text: 'How index funds and stocks grow savings', concept: [0, 0, 1, 0] },
  { id: 'order', text: 'Order SKU-4711X left the warehouse today', concept: [0.1, 0, 0.2, 1] },
  { id: 'parcel', text: 'Tracking a parcel between warehouses', concept: [0, 0, 0.1, 1] },
];

function denseSearch(query: number[], k: number): string[] {
  const corpus: Float32Matrix = normalizeRows({
    data: Float32Array.from(docs.flatMap((d) => d.concept)),
    rows: docs.length,
    dims: 4,
  });
  const q = normalizeRows({ data: Float32Array.from(query), rows: 1, dims: 4 });
  const hits = searchFloat(q, corpus, { k });
  return Array.from(hits.indices, (i) => docs[i].id);
}

describe('hybrid retrieval (BM25 + dense)', () => {
  const bm25 = createBm25Index();
  for (const d of docs) bm25.add(d.id, d.text);

  it('BM25 finds a product code that dense search ranks wrong', () => {
    // The embedding of "sku-4711x" says little more than "shipping": the other shipping doc wins.
    const dense = denseSearch([0, 0, 0.1, 1], 1);
    expect(dense).toEqual(['parcel']);
    expect(bm25.search('sku-4711x', 1).ids).toEqual(['order']);
  });

  it('dense search finds a paraphrase that BM25 cannot match', () => {
    // "automobile servicing" shares no term with the car document.
    expect(bm25.search('automobile servicing', 5).ids).toEqual([]);
    expect(denseSearch([1, 0, 0, 0], 1)).toEqual(['car']);
  });

  it('reciprocal rank fusion keeps both answers near the top', () => {
    const lexical = bm25.search('SKU-4711X automobile', 5).ids;
    const dense = denseSearch([0.7, 0, 0.05, 0.7], 5);
    const fused = reciprocalRankFusion([lexical, dense]).ids.slice(0, 2);
    expect(new Set(fused)).toEqual(new Set(['order', 'car']));
  });
});
