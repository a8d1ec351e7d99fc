import ortMjs from 'onnxruntime-web/ort-wasm-simd-threaded.asyncify.mjs?url';
import ortWasm from 'onnxruntime-web/ort-wasm-simd-threaded.asyncify.wasm?url';
import { beforeAll, describe, expect, it } from 'vitest';
import { createEngine, env, open } from '../src/index.js';

// Tiered search in Chromium with the engine in its module worker: the local hot set lives in the
// worker's IndexedDB, the remote client runs on the page (its fetch here answers like the search
// service, by brute force over vectors the same model made).
const MODEL = 'webembed-fixtures/crosslingual-bert';
let examples: Record<string, string>[];

beforeAll(async () => {
  env.localModelPath = '/.fixtures/models/';
  env.allowRemoteModels = false;
  env.wasmPaths = { mjs: ortMjs, wasm: ortWasm };
  examples = (await import('../fixtures/crosslingual-concepts.json')).examples;
});

describe('tiered collection through the worker (Chromium)', () => {
  it('merges the worker’s hot set with the remote collection by score', async () => {
    const options = { model: MODEL, device: 'wasm', dtype: 'fp32', searchBackend: 'cpu' } as const;
    // The remote's documents: every German example, embedded by a throwaway engine.
    const maker = await createEngine({ ...options, database: 'remote-browser-maker' });
    const remoteTexts = examples.map((e) => e.de);
    const { vectors } = await maker.embed(remoteTexts, { kind: 'passage' });
    const fingerprint = maker.info.fingerprint;
    await maker.dispose();
    const service = (async (input: string | URL | Request, init?: RequestInit) => {
      const json = (body: unknown) => new Response(JSON.stringify(body), { status: 200 });
      if (init?.method === 'GET') {
        return json({
          name: 'de',
          dims: vectors.dims,
          fingerprint,
          count: remoteTexts.length,
          textQueries: false,
        });
      }
      expect(String(input)).toBe('https://search.test/collections/de/search');
      const body = JSON.parse(String(init?.body));
      expect(body.fingerprint).toEqual(fingerprint);
      const hits = remoteTexts
        .map((text, r) => {
          let score = 0;
          for (let d = 0; d < vectors.dims; d++) score += vectors.data[r * vectors.dims + d] * body.vector[d];
          return { id: `de${r}`, text, score };
        })
        .sort((a, b) => b.score - a.score)
        .slice(0, body.k);
      return json({ hits, mode: body.mode, timings: { embedMs: 0, searchMs: 1 } });
    }) as typeof fetch;

    const tiered = await open({
      ...options,
      database: 'remote-browser-hot',
      collection: 'hot',
      remote: { url: 'https://search.test/collections/de', fetch: service },
    });
    try {
      await tiered.add(examples.map((e, i) => ({ id: `en${i}`, text: e.en })));
      const { hits, searchBackend } = await tiered.search(examples[2].fr, { k: 4, mode: 'float32' });
      expect(searchBackend).toBe('cpu');
      // The French query finds the English (local) and German (remote) versions of example 2.
      expect(new Set(hits.slice(0, 2).map((h) => `${h.id}:${h.source}`))).toEqual(
        new Set(['en2:local', 'de2:remote']),
      );
      for (let i = 1; i < hits.length; i++) expect(hits[i - 1].score).toBeGreaterThanOrEqual(hits[i].score);
    } finally {
      await tiered.close();
    }
  });
});
