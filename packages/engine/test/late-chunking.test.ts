import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { chunkText } from '@webembed/text';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createEmbedder, lateChunkingModelOf } from '../src/index.js';
import {
  type LateChunkingModel,
  lateChunkEmbed,
  loadLateChunkingModel,
  poolTokenSpan,
} from '../src/late-chunking.js';

const repo = join(dirname(fileURLToPath(import.meta.url)), '..', '..', '..');
const modelsDir = join(repo, '.fixtures', 'models');
const MODEL = 'webembed-fixtures/mini-bert';
const reference = JSON.parse(readFileSync(join(modelsDir, MODEL, 'reference.json'), 'utf8')) as {
  probes: { text: string; ids: number[]; mean: number[] }[];
};

const TEXT =
  'The quick brown fox jumps over the lazy dog. Vector search runs in the browser! ' +
  'Hello world, the dog and the fox are friends. The browser keeps the vectors offline.';

/** Pools rows [first, end) of a [seq, width] state matrix and normalizes, the plain way. */
function poolByHand(data: Float32Array, width: number, first: number, end: number): number[] {
  const mean = new Array<number>(width).fill(0);
  for (let t = first; t < end; t++)
    for (let j = 0; j < width; j++) mean[j] += data[t * width + j] / (end - first);
  const norm = Math.hypot(...mean);
  return mean.map((v) => v / norm);
}

function codeOf(promise: Promise<unknown>): Promise<string> {
  return promise.then(
    () => 'none',
    (err) => (err as { code?: string }).code ?? String(err),
  );
}

describe('late chunking on the fixture model', () => {
  let model: LateChunkingModel;
  beforeAll(async () => {
    model = await loadLateChunkingModel(MODEL, { localModelPath: `${modelsDir}/` });
  });
  afterAll(async () => {
    await model?.dispose?.();
  });

  it('finds the special tokens and feeds pieces that tokenize like the whole text', () => {
    expect(model.prefixIds).toEqual([reference.probes[0].ids[0]]); // [CLS]
    expect(model.suffixIds).toEqual([reference.probes[0].ids.at(-1)]); // [SEP]
    expect(model.maxTokens).toBe(128);
    const chunks = chunkText(TEXT, { maxTokens: 12, countTokens: (s) => model.encode(s).length });
    expect(chunks.length).toBeGreaterThan(3);
    const concatenated = chunks.flatMap((c) => [...model.encode(c.text)]);
    expect(concatenated).toEqual([...model.encode(TEXT)]);
  });

  it('equals the weights-computed reference when one span covers [CLS] text [SEP]', async () => {
    // A view of the model whose pieces carry their own specials: the span is the whole sequence.
    const whole: LateChunkingModel = {
      ...model,
      prefixIds: [],
      suffixIds: [],
      encode: (t) => [...model.prefixIds, ...model.encode(t), ...model.suffixIds],
    };
    for (const probe of reference.probes.slice(0, 4)) {
      const { vectors } = await lateChunkEmbed(whole, probe.text, [{ start: 0, end: probe.text.length }]);
      const got = Array.from(vectors.data);
      for (let j = 0; j < probe.mean.length; j++) expect(got[j]).toBeCloseTo(probe.mean[j], 6);
    }
  });

  it('pools each chunk over its own tokens of ONE forward pass', async () => {
    const chunks = chunkText(TEXT, {
      maxTokens: 16,
      overlapTokens: 4,
      countTokens: (s) => model.encode(s).length,
    });
    const result = await lateChunkEmbed(model, TEXT, chunks);
    expect(result.windows).toBe(1);
    expect(result.vectors.rows).toBe(chunks.length);
    expect(result.vectors.dims).toBe(32);
    // Independent forward pass over [CLS] text [SEP], pooled by hand over each chunk's tokens.
    const ids = [...model.prefixIds, ...model.encode(TEXT), ...model.suffixIds];
    const states = await model.tokenStates(ids);
    let cursor = 1; // after [CLS]
    for (let i = 0; i < chunks.length; i++) {
      const [window, first, end] = result.tokenSpans.subarray(i * 3, i * 3 + 3);
      expect(window).toBe(0);
      // the span starts where this chunk's text starts in the full tokenization
      const before = model.encode(TEXT.slice(0, chunks[i].start)).length;
      expect(first).toBe(1 + before);
      expect(end - first).toBe(model.encode(chunks[i].text).length);
      cursor = end;
      const expected = poolByHand(states.data, states.width, first, end);
      const got = Array.from(result.vectors.data.subarray(i * 32, (i + 1) * 32));
      for (let j = 0; j < expected.length; j++) expect(got[j]).toBeCloseTo(expected[j], 6);
    }
    expect(cursor).toBe(ids.length - 1); // last chunk ends right before [SEP]
  });

  it('splits a text longer than the window into several passes, never splitting a chunk', async () => {
    const small: LateChunkingModel = { ...model, maxTokens: 40 };
    const chunks = chunkText(TEXT, { maxTokens: 14, countTokens: (s) => model.encode(s).length });
    const result = await lateChunkEmbed(small, TEXT, chunks, { dims: 16 });
    expect(result.windows).toBeGreaterThan(1);
    expect(result.vectors.dims).toBe(16);
    for (let i = 0; i < chunks.length; i++) {
      const [, first, end] = result.tokenSpans.subarray(i * 3, i * 3 + 3);
      expect(first).toBeGreaterThanOrEqual(1);
      expect(end).toBeLessThanOrEqual(39);
      const row = result.vectors.data.subarray(i * 16, (i + 1) * 16);
      expect(Math.hypot(...row)).toBeCloseTo(1, 5);
    }
  });

  it('gives the same vectors on the engine embedder (lateChunkingModelOf) as on its own model', async () => {
    const embedder = await createEmbedder({
      model: MODEL,
      dtype: 'fp32',
      device: 'cpu',
      cacheSize: 0,
      env: { localModelPath: `${modelsDir}/` },
    });
    try {
      const chunks = chunkText(TEXT, { maxTokens: 20, countTokens: (s) => embedder.countTokens(s) });
      const viaEngine = await lateChunkEmbed(lateChunkingModelOf(embedder), TEXT, chunks);
      const direct = await lateChunkEmbed(model, TEXT, chunks);
      expect(Array.from(viaEngine.tokenSpans)).toEqual(Array.from(direct.tokenSpans));
      for (let i = 0; i < direct.vectors.data.length; i++) {
        expect(viaEngine.vectors.data[i]).toBeCloseTo(direct.vectors.data[i], 6);
      }
    } finally {
      await embedder.dispose();
    }
  });

  it('rejects bad spans and chunks that cannot be pooled', async () => {
    expect(await codeOf(lateChunkEmbed(model, TEXT, []))).toBe('EMPTY_BATCH');
    expect(await codeOf(lateChunkEmbed(model, TEXT, [{ start: 5, end: 5 }]))).toBe('INVALID_ARGUMENT');
    expect(await codeOf(lateChunkEmbed(model, TEXT, [{ start: 0, end: TEXT.length + 1 }]))).toBe(
      'INVALID_ARGUMENT',
    );
    expect(await codeOf(lateChunkEmbed(model, 'a   b', [{ start: 1, end: 4 }]))).toBe('EMPTY_TEXT');
    const tiny: LateChunkingModel = { ...model, maxTokens: 6 };
    expect(await codeOf(lateChunkEmbed(tiny, TEXT, [{ start: 0, end: TEXT.length }]))).toBe('TEXT_TOO_LONG');
    expect(await codeOf(lateChunkEmbed(model, TEXT, [{ start: 0, end: 9 }], { dims: 33 }))).toBe(
      'INVALID_ARGUMENT',
    );
    expect(await codeOf(lateChunkEmbed(model, 7 as unknown as string, [{ start: 0, end: 1 }]))).toBe(
      'NOT_A_STRING',
    );
    expect(
      await codeOf(loadLateChunkingModel('webembed-fixtures/missing', { localModelPath: `${modelsDir}/` })),
    ).toBe('MODEL_LOAD_FAILED');
  });

  it('poolTokenSpan refuses spans outside the sequence and zero vectors', () => {
    const states = { data: new Float32Array(6), seq: 3, width: 2 };
    const out = new Float32Array(2);
    expect(() => poolTokenSpan(states, 2, 4, 2, true, out, 0)).toThrow(/outside/);
    expect(() => poolTokenSpan(states, 0, 2, 2, true, out, 0)).toThrow(
      expect.objectContaining({ code: 'ZERO_VECTOR' }),
    );
    poolTokenSpan(states, 0, 2, 2, false, out, 0);
    expect(Array.from(out)).toEqual([0, 0]);
  });
});
