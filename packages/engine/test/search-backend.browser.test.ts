import ortMjs from 'onnxruntime-web/ort-wasm-simd-threaded.asyncify.mjs?url';
import ortWasm from 'onnxruntime-web/ort-wasm-simd-threaded.asyncify.wasm?url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { needs, webgpuMissing } from '../../../scripts/test/browser-support.js';
import { type Engine, createLocalEngine, env } from '../src/index.js';

// Real Chromium, whose only WebGPU adapter here is SwiftShader (a software, fallback adapter):
// searchBackend 'auto' must search on the CPU and say why; 'webgpu' named must still use it.
const MODEL = 'webembed-fixtures/crosslingual-bert';
let auto: Engine;
let named: Engine;
let examples: Record<string, string>[];

// Where the browser has no WebGPU adapter (Firefox, WebKit here) the suite is skipped with the reason.
const noGpu = await webgpuMissing();

describe('search backend on a software WebGPU adapter (Chromium)', needs(noGpu), () => {
  beforeAll(async () => {
    env.localModelPath = '/.fixtures/models/';
    env.allowRemoteModels = false;
    env.wasmPaths = { mjs: ortMjs, wasm: ortWasm };
    examples = (await import('../fixtures/crosslingual-concepts.json')).examples;
    const options = { model: MODEL, device: 'wasm', dtype: 'fp32' } as const;
    auto = await createLocalEngine({ ...options, database: `search-auto-${Math.random()}` });
    named = await createLocalEngine({
      ...options,
      searchBackend: 'webgpu',
      database: `search-named-${Math.random()}`,
    });
  });

  afterAll(async () => {
    await auto?.dispose();
    await named?.dispose();
  });

  it("auto skips SwiftShader and searches on the CPU; 'webgpu' named uses it; same hits", async () => {
    expect(auto.info.search.backend).toBe('cpu');
    expect(auto.info.search.reason).toMatch(
      /^auto: CPU path: the WebGPU adapter .*swiftshader.* is a software adapter/,
    );
    expect(named.info.search.backend).toBe('webgpu');
    expect(named.info.search.reason).toMatch(/^searchBackend 'webgpu': WebGPU on .*swiftshader/);
    const docs = examples.slice(0, 6).map((e, i) => ({ id: `d${i}`, text: e.en }));
    const a = await auto.collection('docs');
    const b = await named.collection('docs');
    await a.add(docs);
    await b.add(docs);
    for (const mode of ['float32', 'binary-rescore'] as const) {
      const [onCpu, onGpu] = await Promise.all([
        a.search(examples[2].fr, { k: 3, mode }),
        b.search(examples[2].fr, { k: 3, mode }),
      ]);
      expect(onCpu.searchBackend).toBe('cpu');
      expect(onCpu.searchReason).toBe(auto.info.search.reason);
      expect(onGpu.searchBackend).toBe('webgpu');
      expect(onGpu.searchReason).toMatch(/^searchBackend 'webgpu'/);
      expect(onGpu.hits.map((h) => h.id)).toEqual(onCpu.hits.map((h) => h.id));
      expect(onCpu.hits[0].id).toBe('d2');
      for (const part of ['snapshotMs', 'kernelMs', 'hydrateMs'] as const) {
        expect(onCpu.timings[part]).toBeGreaterThanOrEqual(0);
      }
    }
  });
});
