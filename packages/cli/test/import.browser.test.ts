/**
 * The browser side of the CLI: a file written by `webembed index` in Node (see
 * scripts/build-fixture-index.ts, run by `pnpm -r run fixtures` during setup) is imported into
 * IndexedDB through the engine in headless Chromium and searched with the same model there.
 */
import { isWebEmbedError } from '@webembed/core';
import { type Engine, createEngine, env } from '@webembed/engine';
import ortMjs from 'onnxruntime-web/ort-wasm-simd-threaded.asyncify.mjs?url';
import ortWasm from 'onnxruntime-web/ort-wasm-simd-threaded.asyncify.wasm?url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

const FILE = '/.fixtures/cli/fixture-docs.webembed';
const MODEL = 'webembed-fixtures/crosslingual-bert';
let bytes: Uint8Array;
const engines: Engine[] = [];

async function engineFor(model: string, dtype: 'fp32' | 'q8'): Promise<Engine> {
  const engine = await createEngine({
    model,
    device: 'wasm',
    dtype,
    database: `cli-import-${model.split('/')[1]}-${dtype}-${Date.now()}`,
    searchBackend: 'cpu',
  });
  engines.push(engine);
  return engine;
}

beforeAll(async () => {
  env.localModelPath = '/.fixtures/models/';
  env.allowRemoteModels = false;
  env.wasmPaths = { mjs: ortMjs, wasm: ortWasm };
  const res = await fetch(FILE);
  if (!res.ok) {
    throw new Error(
      `${FILE} is missing (HTTP ${res.status}): run \`pnpm --filter @webembed/cli run fixtures\``,
    );
  }
  bytes = new Uint8Array(await res.arrayBuffer());
});

afterAll(async () => {
  for (const engine of engines) await engine.dispose();
});

describe('a CLI-built index in the browser', () => {
  it('imports into IndexedDB and finds the expected document, also from a French query', async () => {
    const engine = await engineFor(MODEL, 'fp32');
    const docs = await engine.collection('docs');
    await docs.import(bytes);
    expect(await docs.count()).toBe(7);

    const english = await docs.search('the cat eats the fish', { k: 3 });
    expect(english.hits[0].id).toBe('cat');
    expect(english.hits[0].metadata).toMatchObject({ topic: 'animals', source: 'animals.jsonl' });
    // The fixture model maps word-for-word translations to the same vector.
    const french = await docs.search('le chat mange le poisson', { k: 3 });
    expect(french.hits[0].id).toBe('cat');
    expect(french.hits[0].score).toBeCloseTo(english.hits[0].score, 4);
    // BM25 (rebuilt from the imported texts) answers the product code in hybrid mode.
    const code = await docs.search('SKU-4711X', { k: 1, mode: 'hybrid' });
    expect(code.hits[0].id).toBe('order');
  });

  it('is refused by an engine running another model or another dtype', async () => {
    for (const [model, dtype] of [
      ['webembed-fixtures/mini-bert', 'fp32'],
      [MODEL, 'q8'],
    ] as const) {
      const engine = await engineFor(model, dtype);
      const docs = await engine.collection('docs');
      const error = await docs.import(bytes).then(
        () => null,
        (err: unknown) => err,
      );
      expect(isWebEmbedError(error, 'MODEL_MISMATCH'), `${model} ${dtype}: ${String(error)}`).toBe(true);
      expect(await docs.count()).toBe(0);
    }
  });
});
