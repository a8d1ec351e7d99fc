import ortMjs from 'onnxruntime-web/ort-wasm-simd-threaded.asyncify.mjs?url';
import ortWasm from 'onnxruntime-web/ort-wasm-simd-threaded.asyncify.wasm?url';
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { createLocalEngine, env } from '../src/index.js';

// device 'auto' in a real browser with WebGPU taken away or broken in this page: navigator.gpu is
// stubbed before the engine is created (in this thread, createLocalEngine), and the engine must
// fall back to WASM, embed correctly, and say why in info.fallbackReasons.
const MODEL = 'webembed-fixtures/crosslingual-bert';
const NO_ADAPTER = 'webgpu: no WebGPU adapter in this context';
let probe: { text: string; mean: number[] };

beforeAll(async () => {
  env.localModelPath = '/.fixtures/models/';
  env.allowRemoteModels = false;
  env.wasmPaths = { mjs: ortMjs, wasm: ortWasm };
  const reference = await (await fetch(`/.fixtures/models/${MODEL}/reference.json`)).json();
  probe = reference.probes[0];
});

afterEach(() => {
  // Drop the own property so navigator.gpu reads the real one again.
  Reflect.deleteProperty(navigator, 'gpu');
});

function stubGpu(value: unknown): void {
  Object.defineProperty(navigator, 'gpu', { value, configurable: true });
}

async function autoEngineReport() {
  const engine = await createLocalEngine({
    model: MODEL,
    device: 'auto',
    dtype: 'fp32',
    database: `auto-fallback-${Math.random()}`,
  });
  try {
    const { vectors } = await engine.embed([probe.text]);
    let maxDiff = 0;
    probe.mean.forEach((x, i) => {
      maxDiff = Math.max(maxDiff, Math.abs(vectors.data[i] - x));
    });
    return { info: engine.info, maxDiff };
  } finally {
    await engine.dispose();
  }
}

describe("device 'auto' without a working WebGPU (in this thread)", () => {
  it('falls back to WASM when navigator.gpu is absent, and says why', async () => {
    stubGpu(undefined);
    const { info, maxDiff } = await autoEngineReport();
    expect(info.backend).toBe('wasm');
    expect(info.adapter).toBeNull();
    expect(info.fallbackReasons).toEqual([NO_ADAPTER]);
    expect(info.search.backend).toBe('cpu');
    expect(maxDiff).toBeLessThan(1e-5);
  });

  it('falls back to WASM when requestAdapter returns null or rejects', async () => {
    for (const requestAdapter of [async () => null, async () => Promise.reject(new Error('adapter lost'))]) {
      stubGpu({ requestAdapter, getPreferredCanvasFormat: () => 'bgra8unorm' });
      const { info, maxDiff } = await autoEngineReport();
      expect(info.backend).toBe('wasm');
      expect(info.fallbackReasons).toEqual([NO_ADAPTER]);
      expect(info.search.backend).toBe('cpu');
      expect(maxDiff).toBeLessThan(1e-5);
    }
  });

  it('falls back to WASM when an adapter is found but the model fails to load on it', async () => {
    const brokenAdapter = {
      info: { vendor: 'test', architecture: 'broken', description: 'adapter whose device never opens' },
      features: new Set<string>(),
      limits: {},
      requestAdapterInfo: async () => brokenAdapter.info,
      requestDevice: async () => {
        throw new Error('device creation refused by the test');
      },
    };
    stubGpu({ requestAdapter: async () => brokenAdapter, getPreferredCanvasFormat: () => 'bgra8unorm' });
    const { info, maxDiff } = await autoEngineReport();
    expect(info.backend).toBe('wasm');
    expect(info.adapter).toBeNull();
    expect(info.fallbackReasons).toEqual([
      'webgpu: the adapter (test broken adapter whose device never opens) could not open a device: device creation refused by the test',
    ]);
    expect(maxDiff).toBeLessThan(1e-5);
  });
});
