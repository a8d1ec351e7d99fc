/**
 * The browser side of `pnpm bench peers`, bundled by esbuild and loaded in headless Chromium.
 * Node drives it through `window.peerBench`: `load` fetches one scenario's vectors, queries and
 * exact top-k; `run` builds and measures one system on it and returns a `SystemResult`.
 *
 * @module
 */
import type { Float32Matrix } from '@webembed/core';
import { measureIndex } from './measure.js';
import type { MeasureBudget, ScenarioData, SystemResult } from './protocol.js';
import { pageGpu, pageSystems } from './systems.js';

interface Loaded {
  readonly scenario: ScenarioData;
  readonly corpus: Float32Matrix;
  readonly queries: Float32Matrix;
  readonly truth: Int32Array;
}

let current: Loaded | null = null;

async function fetchBytes(url: string): Promise<ArrayBuffer> {
  const res = await fetch(url);
  if (!res.ok) throw new Error(`GET ${url}: ${res.status}`);
  return res.arrayBuffer();
}

function log(line: string): void {
  console.log(line);
}

type GcWindow = typeof globalThis & { gc?: () => void };

async function settledMemory(): Promise<number | null> {
  const g = globalThis as GcWindow;
  for (let i = 0; i < 3; i++) g.gc?.();
  const perf = performance as Performance & {
    measureUserAgentSpecificMemory?: () => Promise<{ bytes: number }>;
  };
  if (crossOriginIsolated && perf.measureUserAgentSpecificMemory) {
    return (await perf.measureUserAgentSpecificMemory()).bytes;
  }
  const legacy = (performance as Performance & { memory?: { usedJSHeapSize: number } }).memory;
  return legacy ? legacy.usedJSHeapSize : null;
}

async function load(scenario: ScenarioData): Promise<void> {
  current = null;
  const [corpus, queries, truth] = await Promise.all([
    fetchBytes(scenario.corpusUrl),
    fetchBytes(scenario.queriesUrl),
    fetchBytes(scenario.truthUrl),
  ]);
  current = {
    scenario,
    corpus: { data: new Float32Array(corpus), rows: scenario.rows, dims: scenario.dims },
    queries: { data: new Float32Array(queries), rows: scenario.queries, dims: scenario.dims },
    truth: new Int32Array(truth),
  };
}

async function run(systemId: string, budget: MeasureBudget): Promise<SystemResult> {
  if (!current) throw new Error('load a scenario first');
  const { scenario, corpus, queries, truth } = current;
  const system = pageSystems.find((s) => s.id === systemId);
  if (!system) throw new Error(`unknown system ${systemId}`);
  const base = {
    system: systemId,
    where: 'browser' as const,
    data: scenario.kind,
    rows: scenario.rows,
    dims: scenario.dims,
  };
  const before = await settledMemory();
  const start = performance.now();
  let index: Awaited<ReturnType<typeof system.build>>;
  try {
    index = await system.build(corpus);
  } catch (err) {
    return { ...base, skipped: `build failed: ${(err as Error).message}` };
  }
  const buildMs = performance.now() - start;
  log(`    build ${(buildMs / 1000).toFixed(2)} s`);
  const after = await settledMemory();
  let bytesPerVector: number | undefined;
  let memoryMethod: string;
  if (index.indexBytes !== undefined) {
    bytesPerVector = index.indexBytes / corpus.rows;
    memoryMethod = 'index arrays';
  } else if (before !== null && after !== null) {
    bytesPerVector = Math.max(0, after - before) / corpus.rows;
    memoryMethod = crossOriginIsolated ? 'measured (page memory growth)' : 'measured (JS heap growth)';
  } else memoryMethod = 'not measurable';
  try {
    const figures = await measureIndex(index, queries, truth, scenario.k, budget, log);
    return {
      ...base,
      buildMs,
      bytesPerVector,
      memoryMethod,
      reopenNote: index.reopenNote,
      note: index.note,
      ...figures,
    };
  } catch (err) {
    return { ...base, buildMs, skipped: `search failed: ${(err as Error).message}` };
  } finally {
    try {
      await index.dispose();
    } catch (err) {
      log(`    dispose failed: ${(err as Error).message}`);
    }
  }
}

async function describeGpu(): Promise<string> {
  const gpu = await pageGpu();
  const a = gpu.adapterInfo;
  return gpu.backend === 'webgpu'
    ? `WebGPU: ${a?.vendor ?? '?'} ${a?.architecture ?? ''}${a?.isFallbackAdapter ? ', fallback adapter (CPU-emulated SwiftShader)' : ''}`
    : `no WebGPU (${gpu.reason})`;
}

(globalThis as unknown as { peerBench: unknown }).peerBench = {
  load,
  run,
  describeGpu,
  systems: () => pageSystems.map((s) => ({ id: s.id, maxRows: s.maxRows, limitReason: s.limitReason })),
  crossOriginIsolated: () => crossOriginIsolated,
};
document.title = 'peer bench ready';
