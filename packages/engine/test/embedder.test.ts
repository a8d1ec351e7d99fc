import { isWebEmbedError } from '@webembed/core';
import { beforeAll, describe, expect, it } from 'vitest';
import {
  type Embedder,
  createEmbedder,
  env,
  lateChunkEmbed,
  lateChunkingModelOf,
  loadLateChunkingModel,
} from '../src/index.js';
import { ensureFixtures, fixtureModelsDir, maxAbsDiff, readReference } from './fixture-paths.js';

const MINI = 'webembed-fixtures/mini-bert';
let fp32: Embedder;
let q8: Embedder;

beforeAll(async () => {
  ensureFixtures();
  env.localModelPath = `${fixtureModelsDir}/`;
  env.allowRemoteModels = false;
  fp32 = await createEmbedder({ model: MINI, dtype: 'fp32', device: 'auto', batchSize: 4 });
  q8 = await createEmbedder({ model: MINI, dtype: 'q8', device: 'cpu' });
});

async function expectCode(promise: Promise<unknown> | (() => unknown), code: string) {
  try {
    await (typeof promise === 'function' ? promise() : promise);
  } catch (err) {
    expect(isWebEmbedError(err)).toBe(true);
    expect((err as { code: string }).code).toBe(code);
    return err as Error;
  }
  throw new Error(`expected a ${code} error`);
}

describe('createEmbedder with the mini-bert fixture (Node, onnxruntime-node)', () => {
  it('reports what runs', () => {
    expect(fp32.info.backend).toBe('cpu');
    expect(fp32.info.dtype).toBe('fp32');
    expect(fp32.info.maxTokens).toBe(128);
    expect(fp32.fingerprint).toMatchObject({ modelId: MINI, dims: 32, pooling: 'mean', dtype: 'fp32' });
    expect(q8.fingerprint.dtype).toBe('q8');
  });

  it('matches the reference computed from the weights (mean pooling + L2), fp32 and q8', async () => {
    const ref = readReference('mini-bert');
    const texts = ref.probes.map((p) => p.text);
    const one = await fp32.embed(texts);
    expect(one.vectors.rows).toBe(texts.length);
    ref.probes.forEach((probe, i) => {
      const row = one.vectors.data.subarray(i * 32, (i + 1) * 32);
      expect(maxAbsDiff(row, probe.mean)).toBeLessThan(1e-5);
      expect(one.tokenCounts[i]).toBe(probe.ids.length);
    });
    // q8 quantizes activations over the padded batch, so compare one text at a time.
    for (const probe of ref.probes) {
      const res = await q8.embed([probe.text]);
      expect(maxAbsDiff(res.vectors.data, probe.meanQ8)).toBeLessThan(1e-4);
    }
  });

  it('batched, bucketed and one-at-a-time give the same fp32 vectors in input order', async () => {
    const texts = ['a b c d e f g h i j k', 'x', 'hello world', 'search engine in the browser', 'zz top'];
    const batched = await createEmbedder({
      model: MINI,
      dtype: 'fp32',
      device: 'cpu',
      batchSize: 2,
      cacheSize: 0,
    });
    const res = await batched.embed(texts);
    for (let i = 0; i < texts.length; i++) {
      const single = await fp32.embed([texts[i]]);
      expect(maxAbsDiff(res.vectors.data.subarray(i * 32, (i + 1) * 32), single.vectors.data)).toBeLessThan(
        1e-6,
      );
    }
    await batched.dispose();
  });

  it('CLS pooling and Matryoshka truncation follow the preset and options', async () => {
    const ref = readReference('mini-bert');
    const cls = await createEmbedder({
      model: MINI,
      dtype: 'fp32',
      device: 'cpu',
      overrides: { pooling: 'cls' },
    });
    const res = await cls.embed([ref.probes[1].text]);
    expect(maxAbsDiff(res.vectors.data, ref.probes[1].cls)).toBeLessThan(1e-5);
    expect(cls.fingerprint.pooling).toBe('cls');
    const small = await createEmbedder({ model: MINI, dtype: 'fp32', device: 'cpu', matryoshkaDims: 16 });
    const cut = await small.embed([ref.probes[1].text]);
    expect(cut.vectors.dims).toBe(16);
    const prefix = ref.probes[1].mean.slice(0, 16);
    const norm = Math.hypot(...prefix);
    expect(
      maxAbsDiff(
        cut.vectors.data,
        prefix.map((v) => v / norm),
      ),
    ).toBeLessThan(1e-5);
    expect(small.fingerprint.matryoshkaDims).toBe(16);
    await expectCode(createEmbedder({ model: MINI, device: 'cpu', matryoshkaDims: 12 }), 'INVALID_ARGUMENT');
    await cls.dispose();
    await small.dispose();
  });

  it('reports truncation instead of hiding it', async () => {
    const long = Array.from({ length: 200 }, (_, i) => `word${i % 10}`).join(' ');
    const res = await fp32.embed(['the world', long]);
    expect(res.truncated).toEqual([false, true]);
    expect(res.tokenCounts[1]).toBeGreaterThan(128);
    expect(res.tokenCounts[0]).toBe(4);
    const tokens = await fp32.embedTokens(long);
    expect(tokens.truncated).toBe(true);
    expect(tokens.ids.length).toBe(128);
    expect(tokens.states.length).toBe(128 * 32);
  });

  it('applies instruction prefixes per preset and kind', async () => {
    const e5like = await createEmbedder({
      model: MINI,
      dtype: 'fp32',
      device: 'cpu',
      overrides: { prefixes: { name: 'e5', query: 'query: ', passage: 'passage: ' } },
    });
    const [q, p] = await Promise.all([
      e5like.embed(['cat'], { kind: 'query' }),
      e5like.embed(['cat'], { kind: 'passage' }),
    ]);
    const [rawQ, rawP] = await Promise.all([fp32.embed(['query: cat']), fp32.embed(['passage: cat'])]);
    expect(maxAbsDiff(q.vectors.data, rawQ.vectors.data)).toBeLessThan(1e-6);
    expect(maxAbsDiff(p.vectors.data, rawP.vectors.data)).toBeLessThan(1e-6);
    expect(q.tokenCounts[0]).toBe(rawQ.tokenCounts[0]);
    expect(e5like.fingerprint.prefixScheme).toBe('e5');
    await e5like.dispose();
  });

  it('caches by fingerprint + text hash and reuses duplicates within a call', async () => {
    const fresh = await createEmbedder({ model: MINI, dtype: 'fp32', device: 'cpu' });
    const a = await fresh.embed(['cached text', 'other', 'cached text']);
    expect(fresh.cacheStats()).toMatchObject({ size: 2, hits: 0 });
    expect(maxAbsDiff(a.vectors.data.subarray(0, 32), a.vectors.data.subarray(64, 96))).toBe(0);
    const progress: number[] = [];
    const b = await fresh.embed(['cached text'], { onProgress: (done) => progress.push(done) });
    expect(fresh.cacheStats().hits).toBe(1);
    expect(maxAbsDiff(a.vectors.data.subarray(0, 32), b.vectors.data)).toBe(0);
    expect(b.tokenCounts[0]).toBe(a.tokenCounts[0]);
    await fresh.dispose();
  });

  it('cancels between batches with ABORTED, and reports progress', async () => {
    const texts = Array.from({ length: 12 }, (_, i) => `text number ${i}`);
    const controller = new AbortController();
    const seen: number[] = [];
    const run = fp32.embed(texts, {
      signal: controller.signal,
      onProgress: (done, total) => {
        seen.push(done);
        expect(total).toBe(12);
        if (done >= 4) controller.abort();
      },
    });
    await expectCode(run, 'ABORTED');
    expect(seen).toEqual([4]);
    const pre = new AbortController();
    pre.abort();
    await expectCode(fp32.embed(['x'], { signal: pre.signal }), 'ABORTED');
    const all: number[] = [];
    await fp32.embed(
      texts.map((t) => `${t}!`),
      { onProgress: (done) => all.push(done) },
    );
    expect(all).toEqual([4, 8, 12]);
  });

  it('rejects bad input with typed errors', async () => {
    await expectCode(fp32.embed([]), 'EMPTY_BATCH');
    await expectCode(fp32.embed(['ok', '']), 'EMPTY_TEXT');
    await expectCode(fp32.embed(['   ']), 'EMPTY_TEXT');
    await expectCode(fp32.embed(['ok', 42 as unknown as string]), 'NOT_A_STRING');
    await expectCode(fp32.embed('text' as unknown as string[]), 'NOT_A_STRING');
    const err = await expectCode(fp32.embed(['x'.repeat(env.maxTextChars + 1)]), 'TEXT_TOO_LONG');
    expect(err.message).toContain(String(env.maxTextChars));
    await expectCode(fp32.embed(['x'], { kind: 'doc' as 'query' }), 'INVALID_ARGUMENT');
    expect(() => fp32.countTokens(3 as unknown as string)).toThrow(/string/);
  });

  it('refuses unknown models without dims, missing models, and bad options', async () => {
    await expectCode(createEmbedder({ model: 'nobody/unknown' }), 'INVALID_ARGUMENT');
    await expectCode(
      createEmbedder({ model: 'nobody/unknown', overrides: { dims: 8 } }),
      'MODEL_LOAD_FAILED',
    );
    await expectCode(createEmbedder({ model: MINI, dtype: 'int3' as 'q8' }), 'INVALID_ARGUMENT');
    await expectCode(createEmbedder({ model: MINI, batchSize: 0 }), 'INVALID_ARGUMENT');
    await expectCode(createEmbedder({ model: MINI, device: 'webgpu' }), 'GPU_UNAVAILABLE');
    await expectCode(createEmbedder({ model: MINI, device: 'tpu' as 'cpu' }), 'INVALID_ARGUMENT');
  });

  it('serves late chunking from the loaded model, equal to a separately loaded one', async () => {
    const model = lateChunkingModelOf(fp32);
    expect(model.prefixIds).toEqual([2]);
    expect(model.suffixIds).toEqual([3]);
    expect(model.maxTokens).toBe(128);
    const text = 'the cat sat on the mat. the dog ran in the park.';
    const spans = [
      { start: 0, end: 23 },
      { start: 24, end: text.length },
    ];
    const ours = await lateChunkEmbed(model, text, spans);
    const separate = await loadLateChunkingModel(MINI, {
      localModelPath: `${fixtureModelsDir}/`,
      dtype: 'fp32',
    });
    const theirs = await lateChunkEmbed(separate, text, spans);
    expect(maxAbsDiff(ours.vectors.data, theirs.vectors.data)).toBeLessThan(1e-6);
    await separate.dispose?.();
    // One span over the whole text: the mean of its token states without [CLS]/[SEP], normalized.
    const whole = await lateChunkEmbed(model, text, [{ start: 0, end: text.length }]);
    const tokens = await fp32.embedTokens(text);
    const n = tokens.ids.length;
    const mean = new Float64Array(32);
    for (let t = 1; t < n - 1; t++) for (let j = 0; j < 32; j++) mean[j] += tokens.states[t * 32 + j];
    const norm = Math.hypot(...mean);
    expect(
      maxAbsDiff(
        whole.vectors.data,
        Array.from(mean, (v) => v / norm),
      ),
    ).toBeLessThan(1e-5);
    await expectCode(fp32.tokenStatesOfIds([]), 'INVALID_ARGUMENT');
    await expectCode(fp32.tokenStatesOfIds(new Array(129).fill(5)), 'INVALID_ARGUMENT');
  });
});
