import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { needs } from '../../../scripts/test/browser-support.js';
import { createEmbedder, env } from '../src/index.js';

// Real presets run only where their files exist locally: set WEBEMBED_MODELS_DIR to a folder holding
// `<org>/<model>/` (packages/engine/scripts/fetch-model.mjs writes that layout). Elsewhere these tests are skipped.
const dir = process.env.WEBEMBED_MODELS_DIR;
const present = (id: string) => Boolean(dir && existsSync(join(dir, id, 'onnx', 'model_quantized.onnx')));
/** Null when the model's files are here, else why its test is skipped. */
const missing = (id: string) =>
  present(id)
    ? null
    : `needs the real model ${id}: no ${dir ? `${dir}/` : '$WEBEMBED_MODELS_DIR/'}${id}/onnx/model_quantized.onnx (packages/engine/scripts/fetch-model.mjs puts it there)`;

function cosine(a: Float32Array, b: Float32Array): number {
  let dot = 0;
  for (let i = 0; i < a.length; i++) dot += a[i] * b[i];
  return dot;
}

const cases = [
  { id: 'Xenova/all-MiniLM-L6-v2', query: 'How do cats show they are happy?' },
  { id: 'Xenova/bge-small-en-v1.5', query: 'How do cats show they are happy?' },
  { id: 'Xenova/multilingual-e5-small', query: 'Comment les chats montrent-ils leur bonheur ?' },
];

describe.each(cases)('real model $id (q8)', ({ id, query }) => {
  it('embeds 384-d unit vectors and ranks the related passage first', needs(missing(id)), async () => {
    env.localModelPath = `${dir}/`;
    env.allowRemoteModels = false;
    const embedder = await createEmbedder({ model: id, dtype: 'q8', device: 'cpu' });
    const passages = await embedder.embed(
      ['Cats purr and knead when they are content.', 'The stock market fell sharply on Monday.'],
      { kind: 'passage' },
    );
    const q = await embedder.embed([query], { kind: 'query' });
    expect(passages.vectors.dims).toBe(384);
    const related = passages.vectors.data.subarray(0, 384);
    const unrelated = passages.vectors.data.subarray(384, 768);
    expect(Math.abs(cosine(related, related) - 1)).toBeLessThan(1e-4);
    expect(cosine(q.vectors.data, related)).toBeGreaterThan(cosine(q.vectors.data, unrelated));
    if (embedder.preset.prefixes.query !== embedder.preset.prefixes.passage) {
      const asPassage = await embedder.embed([query], { kind: 'passage' });
      expect(cosine(asPassage.vectors.data, q.vectors.data)).toBeLessThan(0.9999);
    }
    await embedder.dispose();
  });
});
