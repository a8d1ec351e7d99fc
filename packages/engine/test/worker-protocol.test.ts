import 'fake-indexeddb/auto';
import { MessageChannel } from 'node:worker_threads';
import { WebEmbedError, isWebEmbedError } from '@webembed/core';
import type { Remote } from 'comlink';
import { afterAll, beforeAll, describe, expect, expectTypeOf, it, vi } from 'vitest';
import {
  type EmbedResult,
  type Engine,
  type EngineWorkerApi,
  type SearchManyResponse,
  type SearchResponse,
  deserializeError,
  engineInWorker,
  env,
  registerErrorTransfer,
  serializeError,
  serveEngineWorker,
} from '../src/index.js';
import { ensureFixtures, fixtureModelsDir, readConcepts } from './fixture-paths.js';

// The worker API runs behind a real comlink endpoint (a MessageChannel), so every call, callback,
// transfer and thrown error crosses a structured-clone boundary exactly as with a Web Worker.
let engine: Engine;
let port: MessageChannel['port1'];

beforeAll(async () => {
  ensureFixtures();
  env.localModelPath = `${fixtureModelsDir}/`;
  env.allowRemoteModels = false;
  registerErrorTransfer();
  const channel = new MessageChannel();
  serveEngineWorker(channel.port1 as unknown as Parameters<typeof serveEngineWorker>[0]);
  port = channel.port2;
  const fakeWorker = Object.assign(channel.port2, { terminate: () => channel.port2.close() });
  const progress: string[] = [];
  engine = await engineInWorker(fakeWorker as unknown as Worker, {
    model: 'webembed-fixtures/crosslingual-bert',
    dtype: 'fp32',
    device: 'auto',
    database: 'engine-worker-test',
    onLoadProgress: (e) => progress.push(e.status),
  });
  expect(progress).toContain('done');
  channel.port1.unref?.();
});

afterAll(async () => {
  await engine.dispose();
  port.close();
});

async function codeOf(run: Promise<unknown>): Promise<{ code: string; err: unknown }> {
  try {
    await run;
  } catch (err) {
    return { code: (err as { code?: string }).code ?? 'none', err };
  }
  return { code: 'no error', err: null };
}

describe('engine over the comlink worker protocol', () => {
  it('reports the backend and fingerprint, embeds with progress callbacks', async () => {
    expect(engine.info.backend).toBe('cpu');
    expect(engine.info.fingerprint.dims).toBe(64);
    const seen: number[] = [];
    const res = await engine.embed(['the cat', 'the dog', 'the bird'], { onProgress: (d) => seen.push(d) });
    expect(res.vectors.rows).toBe(3);
    expect(res.vectors.data).toBeInstanceOf(Float32Array);
    // Progress callbacks are one-way messages: they may land just after the result.
    await vi.waitFor(() => expect(seen.at(-1)).toBe(3));
  });

  it('keeps WebEmbedError code and details across the boundary', async () => {
    const { code, err } = await codeOf(engine.embed(['ok', '']));
    expect(code).toBe('EMPTY_TEXT');
    expect(err).toBeInstanceOf(WebEmbedError);
    expect(isWebEmbedError(err, 'EMPTY_TEXT')).toBe(true);
    expect((err as WebEmbedError).details).toEqual({ index: 1 });
    expect((await codeOf(engine.embed([]))).code).toBe('EMPTY_BATCH');
  });

  it('collections work through the worker: add, cross-lingual search, filters, export/import', async () => {
    const { examples } = readConcepts();
    const docs = await engine.collection('notes');
    await docs.add(examples.map((e, i) => ({ id: `d${i}`, text: e.en, metadata: { i } })));
    const res = await docs.search(examples[2].de, { k: 2 });
    expect(res.hits[0].id).toBe('d2');
    const filtered = await docs.search(examples[2].de, { k: 2, filter: { i: 4 } });
    expect(filtered.hits.map((h) => h.id)).toEqual(['d4']);
    expect((await codeOf(docs.search('x', { filter: () => true }))).code).toBe('INVALID_ARGUMENT');
    const bytes = await docs.export();
    await docs.clear();
    expect(await docs.count()).toBe(0);
    await docs.import(bytes);
    expect(await docs.count()).toBe(examples.length);
    expect(await engine.listCollections()).toContain('notes');
  });

  it('searchMany crosses the boundary: the same hits as search per query, typed errors with the index, abort', async () => {
    const { examples } = readConcepts();
    const docs = await engine.collection('notes-many');
    await docs.add(examples.map((e, i) => ({ id: `d${i}`, text: e.en, metadata: { i: i % 2 } })));
    const queries = examples.map((e) => e.fr);
    for (const options of [{ k: 2 }, { k: 3, mode: 'hybrid' as const }, { k: 2, filter: { i: 1 } }]) {
      const many = await docs.searchMany(queries, options);
      expect(many.results).toHaveLength(queries.length);
      for (const [q, query] of queries.entries()) {
        const one = await docs.search(query, options);
        expect(many.results[q].hits).toEqual(one.hits);
        expect(many.results[q].mode).toBe(one.mode);
      }
    }
    const { code, err } = await codeOf(docs.searchMany(['cat', '']));
    expect(code).toBe('EMPTY_TEXT');
    expect((err as WebEmbedError).details).toEqual({ index: 1 });
    expect((await codeOf(docs.searchMany([]))).code).toBe('EMPTY_BATCH');
    expect((await codeOf(docs.searchMany(['x'], { filter: () => true }))).code).toBe('INVALID_ARGUMENT');
    const controller = new AbortController();
    controller.abort();
    expect((await codeOf(docs.searchMany(['x'], { signal: controller.signal }))).code).toBe('ABORTED');
    // A signal that is never aborted leaves the batch alone.
    const live = await docs.searchMany(queries.slice(0, 2), { signal: new AbortController().signal });
    expect(live.results[0].hits[0].id).toBe('d0');
  });

  it('an AbortSignal cancels work in the worker', async () => {
    const controller = new AbortController();
    const texts = Array.from({ length: 64 }, (_, i) => `text ${i} the cat`);
    const run = engine.embed(texts, {
      signal: controller.signal,
      onProgress: () => controller.abort(),
    });
    expect((await codeOf(run)).code).toBe('ABORTED');
    controller.abort();
    expect((await codeOf(engine.embed(['x'], { signal: controller.signal }))).code).toBe('ABORTED');
  });
});

describe('error serialization', () => {
  it('round-trips code, details, message; plain errors stay plain', () => {
    const back = deserializeError(
      serializeError(new WebEmbedError('TEXT_TOO_LONG', 'too long', { index: 3 })),
    );
    expect(back).toBeInstanceOf(WebEmbedError);
    expect(back).toMatchObject({ code: 'TEXT_TOO_LONG', message: 'too long', details: { index: 3 } });
    const plain = deserializeError(serializeError(new TypeError('boom')));
    expect(plain).toBeInstanceOf(Error);
    expect(isWebEmbedError(plain)).toBe(false);
    expect((plain as Error).name).toBe('TypeError');
    expect(deserializeError(serializeError('just a string'))).toBe('just a string');
  });
});

describe('protocol types', () => {
  it('the main thread sees every worker method as async with the same payloads', () => {
    type Api = Remote<EngineWorkerApi>;
    expectTypeOf<ReturnType<Api['count']>>().toEqualTypeOf<Promise<number>>();
    expectTypeOf<Awaited<ReturnType<Api['embed']>>>().toEqualTypeOf<EmbedResult>();
    expectTypeOf<Awaited<ReturnType<Api['search']>>>().toEqualTypeOf<SearchResponse>();
    expectTypeOf<Awaited<ReturnType<Api['searchMany']>>>().toEqualTypeOf<SearchManyResponse>();
    expectTypeOf<Parameters<EngineWorkerApi['searchMany']>[2]['filter']>().not.toBeFunction();
    expectTypeOf<Parameters<EngineWorkerApi['search']>[2]['filter']>().not.toBeFunction();
  });
});
