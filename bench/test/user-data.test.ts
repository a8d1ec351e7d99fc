import type { Float32Matrix } from '@webembed/core';
import { describe, expect, it } from 'vitest';
import { assembleDataset, parseQrelsTsv, parseTextJsonl } from '../lib/mteb.js';
import { evaluateLabelled } from '../lib/user-data.js';

// A toy embedder: one dimension per keyword, unit length. Deterministic and exact.
const words = ['rabbit', 'tea', 'queen', 'cat'];
async function keywordEmbed(texts: readonly string[]): Promise<Float32Matrix> {
  const dims = words.length;
  const data = new Float32Array(texts.length * dims);
  texts.forEach((text, r) => {
    words.forEach((w, j) => {
      data[r * dims + j] = text.toLowerCase().includes(w) ? 1 : 0.01 * (j + 1);
    });
    let n = 0;
    for (let j = 0; j < dims; j++) n += data[r * dims + j] ** 2;
    for (let j = 0; j < dims; j++) data[r * dims + j] /= Math.sqrt(n);
  });
  return { data, rows: texts.length, dims };
}

const data = assembleDataset(
  parseTextJsonl(
    [
      '{"_id":"d1","text":"the white rabbit"}',
      '{"_id":"d2","text":"a mad tea party"}',
      '{"_id":"d3","text":"the queen of hearts"}',
      '{"_id":"d4","text":"the cheshire cat grins"}',
    ].join('\n'),
    'corpus.jsonl',
  ),
  parseTextJsonl('{"_id":"q1","text":"rabbit"}\n{"_id":"q2","text":"cat"}', 'queries.jsonl'),
  // q1: d1 is relevant (2) and d2 too (1), but the embedder cannot find d2 for "rabbit".
  parseQrelsTsv('q1\td1\t2\nq1\td2\t1\nq2\td4\t1\n', 'qrels.tsv'),
);

describe('labelled evaluation (user-data mode)', () => {
  it('scores exact search against the labels', async () => {
    const result = await evaluateLabelled(data, keywordEmbed, 1);
    expect(result.corpus).toBe(4);
    expect(result.queries).toBe(2);
    const exact = result.scores.find((s) => s.path === 'float32 exact')!;
    // k = 1: q1 ranks d1 first (NDCG@1 = 2/2 = 1, recall 1/2); q2 ranks d4 first (1, 1).
    expect(exact.ndcg).toBeCloseTo(1, 10);
    expect(exact.recall).toBeCloseTo((0.5 + 1) / 2, 10);
    expect(result.scores.map((s) => s.path)).toContain('binary + int8 rescore x4');
  });

  it('rejects an embedder that returns the wrong number of rows', async () => {
    const broken = async (texts: readonly string[]) => keywordEmbed(texts.slice(1));
    await expect(evaluateLabelled(data, broken, 10)).rejects.toMatchObject({ code: 'DIMENSION_MISMATCH' });
    await expect(evaluateLabelled(data, keywordEmbed, 0)).rejects.toMatchObject({ code: 'INVALID_K' });
  });
});
