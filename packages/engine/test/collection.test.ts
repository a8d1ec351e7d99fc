import 'fake-indexeddb/auto';
import { isWebEmbedError } from '@webembed/core';
import { createBm25Index, reciprocalRankFusion } from '@webembed/text';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  type Engine,
  createEmbedder,
  createLocalEngine,
  engineFromEmbedder,
  env,
  open,
} from '../src/index.js';
import { ensureFixtures, fixtureModelsDir, readConcepts } from './fixture-paths.js';

let engine: Engine;

beforeAll(async () => {
  ensureFixtures();
  env.localModelPath = `${fixtureModelsDir}/`;
  env.allowRemoteModels = false;
  engine = await createLocalEngine({
    model: 'webembed-fixtures/crosslingual-bert',
    dtype: 'fp32',
    device: 'cpu',
    database: 'engine-collection-test',
  });
});

afterAll(async () => {
  await engine.dispose();
});

async function codeOf(run: Promise<unknown>): Promise<string> {
  try {
    await run;
  } catch (err) {
    expect(isWebEmbedError(err)).toBe(true);
    return (err as { code: string }).code;
  }
  return 'no error';
}

const { examples } = readConcepts();
const englishDocs = examples.map((e, i) => ({ id: `doc${i}`, text: e.en, metadata: { n: i, lang: 'en' } }));

describe('engine collections (Node, fake-indexeddb, crosslingual fixture)', () => {
  it('a French, German or Spanish query retrieves the English document about the same thing', async () => {
    const docs = await engine.collection('crossling');
    await docs.add(englishDocs);
    expect(await docs.count()).toBe(englishDocs.length);
    for (const lang of ['fr', 'de', 'es']) {
      for (const [i, example] of examples.entries()) {
        const res = await docs.search(example[lang], { k: 3 });
        expect(res.hits[0].id).toBe(`doc${i}`);
        expect(res.hits[0].score).toBeGreaterThan(0.999);
        expect(res.searchBackend).toBe('cpu');
        expect(res.timings.embedMs).toBeGreaterThanOrEqual(0);
      }
    }
  });

  it('all dense modes and hybrid find the exact document; filters restrict hits', async () => {
    const docs = await engine.collection('crossling');
    for (const mode of ['float32', 'int8', 'hamming', 'binary-rescore', 'hybrid'] as const) {
      const res = await docs.search(examples[1].fr, { k: 2, mode });
      expect(res.hits[0].id, mode).toBe('doc1');
      expect(res.mode).toBe(mode);
    }
    const filtered = await docs.search(examples[1].fr, { k: 3, filter: { n: 2 } });
    expect(filtered.hits.map((h) => h.id)).toEqual(['doc2']);
    const hybridFiltered = await docs.search(examples[1].fr, { k: 3, mode: 'hybrid', filter: { n: 3 } });
    expect(hybridFiltered.hits.map((h) => h.id)).toEqual(['doc3']);
  });

  it('searches exactly up to exactSearchLimit rows and with binary + rescore past it, unless a mode is named', async () => {
    const small = await engine.collection('sized-exact', { exactSearchLimit: englishDocs.length });
    await small.add(englishDocs);
    expect((await small.search(examples[1].fr, { k: 2 })).mode).toBe('float32');
    const large = await engine.collection('sized-binary', { exactSearchLimit: englishDocs.length - 1 });
    await large.add(englishDocs);
    const auto = await large.search(examples[1].fr, { k: 2 });
    expect(auto.mode).toBe('binary-rescore');
    expect(auto.hits[0].id).toBe('doc1');
    expect((await large.search(examples[1].fr, { k: 2, mode: 'float32' })).mode).toBe('float32');
    const floatOnly = await engine.collection('sized-float-only', {
      kinds: ['float32'],
      exactSearchLimit: 0,
    });
    await floatOnly.add(englishDocs.slice(0, 3));
    expect((await floatOnly.search(examples[1].fr, { k: 1 })).mode).toBe('float32');
    const bad = await engine.collection('sized-bad', { exactSearchLimit: -1 }).then(
      () => 'no error',
      (err: unknown) => (err as { code: string }).code,
    );
    expect(bad).toBe('INVALID_ARGUMENT');
  });

  it('hybrid is the RRF fusion of the dense ranking and a BM25 ranking of the same texts', async () => {
    const docs = await engine.collection('hybrid');
    const corpus = [
      { id: 'code', text: 'she drinks hot coffee on the sea xq77zt' },
      ...englishDocs.map((d) => ({ id: d.id, text: d.text })),
    ];
    await docs.add(corpus);
    const query = 'the cat eats xq77zt';
    const dense = await docs.search(query, { k: corpus.length, mode: 'float32' });
    const bm25 = createBm25Index();
    for (const d of corpus) bm25.add(d.id, d.text);
    const expected = reciprocalRankFusion([
      dense.hits.map((h) => h.id),
      bm25.search(query, corpus.length).ids,
    ]);
    const hybrid = await docs.search(query, { k: 4, mode: 'hybrid' });
    expect(hybrid.hits.map((h) => h.id)).toEqual(expected.ids.slice(0, 4));
    expect(Array.from(hybrid.hits, (h) => h.score)).toEqual(Array.from(expected.scores.slice(0, 4)));
    expect(bm25.search(query, corpus.length).ids).toContain('code');
  });

  it('delete, upsert, clear keep search and BM25 in step; export/import round-trips', async () => {
    const docs = await engine.collection('lifecycle');
    await docs.add(englishDocs.slice(0, 3));
    expect(await docs.delete(['doc0', 'nope'])).toBe(1);
    expect(await docs.count()).toBe(2);
    let res = await docs.search(examples[0].de, { k: 5, mode: 'hybrid' });
    expect(res.hits.map((h) => h.id)).not.toContain('doc0');
    const up = await docs.upsert([{ id: 'doc1', text: examples[4].en }]);
    expect(up.replaced).toBe(1);
    res = await docs.search(examples[4].es, { k: 1 });
    expect(res.hits[0].id).toBe('doc1');
    const bytes = await docs.export();
    await docs.clear();
    expect(await docs.count()).toBe(0);
    await docs.import(bytes);
    expect(await docs.count()).toBe(2);
    res = await docs.search(examples[4].fr, { k: 1, mode: 'hybrid' });
    expect(res.hits[0].id).toBe('doc1');
  });

  it('an import that fails while writing (quota) leaves the collection as it was', async () => {
    const docs = await engine.collection('import-fault');
    await docs.add(englishDocs.slice(0, 4));
    const other = await engine.collection('import-fault-source');
    await other.add(englishDocs.slice(4, 6));
    const bytes = await other.export();
    const originalPut = IDBObjectStore.prototype.put;
    IDBObjectStore.prototype.put = (() => {
      throw new DOMException('simulated: quota exceeded', 'QuotaExceededError');
    }) as IDBObjectStore['put'];
    try {
      expect(await codeOf(docs.import(bytes))).toBe('QUOTA_EXCEEDED');
    } finally {
      IDBObjectStore.prototype.put = originalPut;
    }
    expect(await docs.count()).toBe(4);
    expect((await docs.search(examples[1].fr, { k: 1 })).hits[0].id).toBe('doc1');
    await docs.import(bytes); // and a later import replaces it
    expect(await docs.count()).toBe(2);
    expect((await docs.search(examples[5].de, { k: 1 })).hits[0].id).toBe('doc5');
  });

  it('chunks long documents and maps hits back to the parent with the chunk span', async () => {
    const docs = await engine.collection('chunked');
    const long = examples.map((e) => `${e.en}.`).join(' ');
    const res = await docs.add(
      [
        { id: 'long', text: long, metadata: { kind: 'story' } },
        { id: 'short', text: 'the moon' },
      ],
      { chunk: { maxTokens: 9 } },
    );
    expect(res.documents).toBe(2);
    expect(res.rows).toBeGreaterThan(2);
    const hit = (await docs.search(examples[3].de, { k: 2 })).hits[0];
    expect(hit.id).toBe('long');
    expect(hit.metadata).toEqual({ kind: 'story' });
    expect(hit.chunk).toBeDefined();
    expect(long.slice(hit.chunk?.start, hit.chunk?.end)).toBe(hit.text);
    expect(hit.text).toContain('reads a new book');
    expect(await docs.delete(['long'])).toBe(1);
    expect(await docs.count()).toBe(1);
  });

  it('refuses another model, bad documents and bad queries with typed errors', async () => {
    const docs = await engine.collection('crossling');
    expect(await engine.collection('crossling')).toBe(docs);
    const other = await engineFromEmbedder(
      await createEmbedder({ model: 'webembed-fixtures/crosslingual-bert', dtype: 'q8', device: 'cpu' }),
      { database: 'engine-collection-test' },
    );
    expect(await codeOf(other.collection('crossling'))).toBe('MODEL_MISMATCH');
    const foreign = await other.collection('q8-only');
    await foreign.add([{ id: 'a', text: 'the cat' }]);
    expect(await codeOf(docs.import(await foreign.export()))).toBe('MODEL_MISMATCH');
    await other.dispose();
    expect(await codeOf(docs.add([]))).toBe('EMPTY_BATCH');
    expect(await codeOf(docs.add([{ id: '', text: 'x' }]))).toBe('INVALID_ARGUMENT');
    expect(await codeOf(docs.add([{ id: 'z', text: '' }]))).toBe('EMPTY_TEXT');
    expect(await codeOf(docs.add([{ id: 'z', text: 5 as unknown as string }]))).toBe('NOT_A_STRING');
    expect(await codeOf(docs.add([{ id: 'doc0', text: 'again' }]))).toBe('ALREADY_EXISTS');
    expect(await codeOf(docs.search(''))).toBe('EMPTY_TEXT');
    expect(await codeOf(docs.search('cat', { k: 0 }))).toBe('INVALID_K');
    expect(await codeOf(docs.search('cat', { mode: 'fuzzy' as 'hybrid' }))).toBe('INVALID_ARGUMENT');
    const controller = new AbortController();
    controller.abort();
    expect(await codeOf(docs.add([{ id: 'late', text: 'the dog' }], { signal: controller.signal }))).toBe(
      'ABORTED',
    );
    expect(await docs.count()).toBe(englishDocs.length);
  });

  it('reopening the database restores documents and the BM25 sidecar; upsert drops stale chunks', async () => {
    const first = await engine.collection('reopen');
    const long = examples.map((e) => `${e.en}.`).join(' ');
    await first.add([{ id: 'story', text: long }], { chunk: { maxTokens: 9 } });
    const chunkRows = await first.count();
    expect(chunkRows).toBeGreaterThan(3);
    const again = await createLocalEngine({
      model: 'webembed-fixtures/crosslingual-bert',
      dtype: 'fp32',
      device: 'cpu',
      database: 'engine-collection-test',
    });
    const reopened = await again.collection('reopen');
    expect(await reopened.count()).toBe(chunkRows);
    const hybrid = await reopened.search('xq unknownword moon', { k: 1, mode: 'hybrid' });
    expect(hybrid.hits).toHaveLength(1);
    expect(hybrid.hits[0].id).toBe('story');
    const up = await reopened.upsert([{ id: 'story', text: examples[0].en }], { chunk: { maxTokens: 9 } });
    expect(up).toMatchObject({ documents: 1, rows: 1, replaced: 1 });
    expect(await reopened.count()).toBe(1);
    const hit = (await reopened.search(examples[0].fr, { k: 3, mode: 'hybrid' })).hits;
    expect(hit.map((h) => h.id)).toEqual(['story']);
    expect(hit[0].chunk).toBeUndefined();
    await again.dispose();
  });

  it('open() gives working search over one collection in a few lines', async () => {
    const notes = await open({
      model: 'webembed-fixtures/crosslingual-bert',
      collection: 'open-notes',
      dtype: 'q8',
      database: 'engine-open-test',
    });
    expect(notes.engine.info.backend).toBe('cpu');
    await notes.add(englishDocs);
    const { hits } = await notes.search(examples[5].es, { k: 1 });
    expect(hits[0].id).toBe('doc5');
    await notes.close();
  });
});
