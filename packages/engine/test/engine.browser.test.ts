import { WebEmbedError, isWebEmbedError } from '@webembed/core';
import ortMjs from 'onnxruntime-web/ort-wasm-simd-threaded.asyncify.mjs?url';
import ortWasm from 'onnxruntime-web/ort-wasm-simd-threaded.asyncify.wasm?url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { webgpuMissing } from '../../../scripts/test/browser-support.js';
import { type Engine, type EngineCollectionHandle, createEngine, env } from '../src/index.js';

// Real headless browsers (Chromium, Firefox, WebKit): the engine runs in a module worker,
// onnxruntime-web on WASM and, where the browser has an adapter, on WebGPU (SwiftShader's
// CPU-emulated adapter in Chromium here); collections in the worker's IndexedDB. Where there is no
// WebGPU (Firefox and WebKit here), the 'auto' engine must run on WASM and say why.
// The Vitest dev server serves the repo root, so the fixtures are at /.fixtures/models/.
const MODEL = 'webembed-fixtures/crosslingual-bert';
const fixtureDir = `/.fixtures/models/${MODEL}`;

interface Probe {
  text: string;
  ids: number[];
  mean: number[];
}
let probes: Probe[];
let examples: Record<string, string>[];
let wasm: Engine;
let gpu: Engine;
const noGpu = await webgpuMissing();
/**
 * Where the second engine searches: on WebGPU, named, where the browser gives an adapter ('auto' would
 * search on the CPU, since Chromium's SwiftShader here is a software adapter); else 'auto', on the CPU.
 */
const gpuSearch = noGpu === null ? 'webgpu' : 'cpu';

beforeAll(async () => {
  env.localModelPath = '/.fixtures/models/';
  env.allowRemoteModels = false;
  env.wasmPaths = { mjs: ortMjs, wasm: ortWasm };
  probes = (await (await fetch(`${fixtureDir}/reference.json`)).json()).probes;
  examples = (await import('../fixtures/crosslingual-concepts.json')).examples;
  wasm = await createEngine({
    model: MODEL,
    device: 'wasm',
    dtype: 'fp32',
    database: 'browser-wasm',
    searchBackend: 'cpu',
  });
  gpu = await createEngine({
    model: MODEL,
    device: 'auto',
    dtype: 'fp32',
    database: 'browser-gpu',
    searchBackend: noGpu === null ? 'webgpu' : 'auto',
  });
});

afterAll(async () => {
  await wasm?.dispose();
  await gpu?.dispose();
});

function maxAbsDiff(a: ArrayLike<number>, b: ArrayLike<number>): number {
  let max = 0;
  for (let i = 0; i < a.length; i++) max = Math.max(max, Math.abs(a[i] - b[i]));
  return max;
}

describe('engine in a module worker', () => {
  it('reports the backend actually running; auto picks WebGPU where there is an adapter, else WASM and says why', () => {
    expect(wasm.info.backend).toBe('wasm');
    expect(wasm.info.adapter).toBeNull();
    // Not cross-origin isolated here, so onnxruntime-web runs WASM on one thread.
    expect(wasm.info.threads).toBe(1);
    expect(gpu.info.fingerprint).toEqual(wasm.info.fingerprint);
    expect(wasm.info.search.backend).toBe('cpu');
    expect(gpu.info.search.backend).toBe(gpuSearch);
    if (noGpu === null) {
      expect(gpu.info.threads).toBeNull();
      expect(gpu.info.backend).toBe('webgpu');
      expect(gpu.info.adapter?.isFallbackAdapter).toBe(true);
      expect(gpu.info.adapter?.label).toBe('SwiftShader (software)');
    } else {
      expect(gpu.info.backend).toBe('wasm');
      expect(gpu.info.adapter).toBeNull();
      expect(gpu.info.threads).toBe(1);
      expect(gpu.info.fallbackReasons).toEqual(['webgpu: no WebGPU adapter in this context']);
    }
  });

  it('WASM and WebGPU both match the reference computed from the weights', async () => {
    const texts = probes.map((p) => p.text);
    for (const engine of [wasm, gpu]) {
      const res = await engine.embed(texts);
      probes.forEach((p, i) => {
        expect(maxAbsDiff(res.vectors.data.subarray(i * 64, (i + 1) * 64), p.mean)).toBeLessThan(1e-5);
        expect(res.tokenCounts[i]).toBe(p.ids.length);
      });
    }
  });

  it('cross-lingual search gives the same top results on WASM and WebGPU', async () => {
    const docs = examples.map((e, i) => ({ id: `d${i}`, text: e.en, metadata: { i } }));
    const handles: EngineCollectionHandle[] = [];
    for (const engine of [wasm, gpu]) {
      const c = await engine.collection('cross');
      await c.clear();
      await c.add(docs);
      handles.push(c);
    }
    // WASM inference + CPU search against the 'auto' engine (WebGPU inference + WebGPU search where
    // the browser has an adapter), every dense mode.
    for (const mode of ['float32', 'int8', 'hamming', 'binary-rescore'] as const) {
      for (const lang of mode === 'float32' ? ['fr', 'de', 'es'] : ['de']) {
        for (const [i, example] of (mode === 'float32' ? examples : examples.slice(0, 3)).entries()) {
          const [a, b] = await Promise.all(handles.map((h) => h.search(example[lang], { k: 3, mode })));
          expect(a.searchBackend).toBe('cpu');
          expect(b.searchBackend).toBe(gpuSearch);
          expect(a.hits[0].id, `${mode} ${lang} ${i}`).toBe(`d${i}`);
          expect(b.hits.map((h) => h.id)).toEqual(a.hits.map((h) => h.id));
          expect(Math.abs(a.hits[0].score - b.hits[0].score)).toBeLessThan(1e-4);
        }
      }
    }
    const filtered = await handles[1].search(examples[0].fr, { k: 3, filter: { i: 2 } });
    expect(filtered.hits.map((h) => h.id)).toEqual(['d2']);
    const hybrid = await handles[1].search(examples[0].fr, { k: 2, mode: 'hybrid' });
    expect(hybrid.hits[0].id).toBe('d0');

    // Writes after the GPU index exists: appended rows and tombstones must reach it.
    for (const h of handles) {
      await h.add([{ id: 'late', text: examples[1].en, metadata: { i: 99 } }]);
      await h.delete(['d1']);
      await h.upsert([{ id: 'd2', text: examples[3].en }]);
    }
    for (const mode of ['float32', 'binary-rescore'] as const) {
      for (const query of [examples[1].fr, examples[3].de, examples[2].es]) {
        const [a, b] = await Promise.all(handles.map((h) => h.search(query, { k: 4, mode })));
        expect(b.hits.map((h) => h.id)).toEqual(a.hits.map((h) => h.id));
        expect(a.hits.map((h) => h.id)).not.toContain('d1');
      }
    }
    const [after] = await Promise.all(handles.map((h) => h.search(examples[1].fr, { k: 1 })));
    expect(after.hits[0].id).toBe('late');
  });

  it('typed errors, truncation reports and cancellation cross the worker boundary', async () => {
    let caught: unknown;
    try {
      await gpu.embed(['fine', '   ']);
    } catch (err) {
      caught = err;
    }
    expect(caught).toBeInstanceOf(WebEmbedError);
    expect(isWebEmbedError(caught, 'EMPTY_TEXT')).toBe(true);
    const long = Array.from({ length: 150 }, () => 'cat').join(' ');
    const res = await wasm.embed(['the cat', long]);
    expect(res.truncated).toEqual([false, true]);
    expect(res.tokenCounts[1]).toBe(152);
    const controller = new AbortController();
    controller.abort();
    await expect(wasm.embed(['x'], { signal: controller.signal })).rejects.toMatchObject({ code: 'ABORTED' });
  });
});
