import ortMjs from 'onnxruntime-web/ort-wasm-simd-threaded.asyncify.mjs?url';
import ortWasm from 'onnxruntime-web/ort-wasm-simd-threaded.asyncify.wasm?url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { webgpuMissing } from '../../../scripts/test/browser-support.js';
import { type CollectionSearchOptions, type Engine, createEngine, env } from '../src/index.js';

// collection.searchMany through a real module worker (comlink, structured clone, IndexedDB in
// the worker) against collection.search of each query. The embedding cache is off, so search
// embeds each query alone while searchMany embeds the batch in one call. One engine searches on
// the CPU; the other, where the browser has a WebGPU adapter (SwiftShader in Chromium here),
// searches on it (named 'webgpu': 'auto' refuses a software adapter), so the batch goes through
// one GPU search of all its query rows.
const MODEL = 'webembed-fixtures/crosslingual-bert';
let cpu: Engine;
let gpu: Engine;
let examples: Record<string, string>[];
const noGpu = await webgpuMissing();
const gpuSearch = noGpu === null ? 'webgpu' : 'cpu';

beforeAll(async () => {
  env.localModelPath = '/.fixtures/models/';
  env.allowRemoteModels = false;
  env.wasmPaths = { mjs: ortMjs, wasm: ortWasm };
  examples = (await import('../fixtures/crosslingual-concepts.json')).examples;
  const options = { model: MODEL, device: 'wasm', dtype: 'fp32', cacheSize: 0 } as const;
  cpu = await createEngine({ ...options, database: `many-cpu-${Math.random()}`, searchBackend: 'cpu' });
  gpu = await createEngine({
    ...options,
    database: `many-gpu-${Math.random()}`,
    searchBackend: noGpu === null ? 'webgpu' : 'cpu',
  });
});

afterAll(async () => {
  await cpu?.dispose();
  await gpu?.dispose();
});

describe('collection.searchMany through the engine worker', () => {
  it('equals search per query in every mode, with a filter and chunked documents, on the CPU and on WebGPU', async () => {
    const long = examples.map((e) => `${e.en}.`).join(' ');
    const docs = [
      ...examples.map((e, i) => ({ id: `d${i}`, text: e.en, metadata: { half: i % 2 } })),
      { id: 'story', text: long, metadata: { half: 1 } },
    ];
    const queries = [...examples.flatMap((e) => [e.fr, e.de]), 'the moon', 'xq unknownword'];
    for (const [engine, backend] of [
      [cpu, 'cpu'],
      [gpu, gpuSearch],
    ] as const) {
      const collection = await engine.collection('many');
      await collection.add(docs, { chunk: { maxTokens: 12 } });
      const cases: CollectionSearchOptions[] = [
        { k: 3 },
        ...(['float32', 'int8', 'hamming', 'binary-rescore', 'hybrid'] as const).map((mode) => ({
          k: 4,
          mode,
        })),
        { k: 3, mode: 'float32', filter: { half: 1 } },
        { k: 40, mode: 'int8' },
      ];
      for (const options of cases) {
        const label = `${backend} ${JSON.stringify(options)}`;
        const many = await collection.searchMany(queries, options);
        expect(many.results, label).toHaveLength(queries.length);
        expect(many.searchBackend, label).toBe(options.filter ? 'cpu' : backend);
        // Firefox rounds performance.now() to whole milliseconds: a fast embedding can read 0.
        expect(many.timings.embedMs).toBeGreaterThanOrEqual(0);
        expect(Number.isFinite(many.timings.searchMs)).toBe(true);
        for (const [i, query] of queries.entries()) {
          const one = await collection.search(query, options);
          expect(many.results[i].hits, `${label} query ${i}`).toEqual(one.hits);
          expect(many.results[i].mode).toBe(one.mode);
        }
      }
      const { results } = await collection.searchMany([examples[2].fr, examples[4].de], { k: 1 });
      expect(results.map((r) => r.hits[0].id)).toEqual(['d2', 'd4']);
    }
  });

  it('refuses bad batches with the offending index, and honours an aborted signal', async () => {
    const collection = await cpu.collection('many');
    const error = await collection.searchMany(['the cat', '']).catch((err: unknown) => err);
    expect(error).toMatchObject({ code: 'EMPTY_TEXT', details: { index: 1 } });
    expect(await collection.searchMany([]).catch((err: unknown) => err)).toMatchObject({
      code: 'EMPTY_BATCH',
    });
    const controller = new AbortController();
    controller.abort();
    const aborted = await collection
      .searchMany(['the cat'], { signal: controller.signal })
      .catch((err: unknown) => err);
    expect(aborted).toMatchObject({ code: 'ABORTED' });
  });
});
