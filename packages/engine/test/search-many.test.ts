import 'fake-indexeddb/auto';
import { isWebEmbedError } from '@webembed/core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  type CollectionSearchOptions,
  type Embedder,
  type Engine,
  type EngineCollection,
  MAX_SEARCH_MANY_QUERIES,
  type TextKind,
  createEmbedder,
  createStoreSearcher,
  engineFromEmbedder,
  env,
} from '../src/index.js';
import { ensureFixtures, fixtureModelsDir, readConcepts } from './fixture-paths.js';

// searchMany against search, query by query, on the CPU path in Node. The embedding cache is off,
// so search embeds each query alone and searchMany embeds the batch: the comparison covers the
// batched embedding as well as the batched ranking.
const embedCalls: { texts: number; kind: TextKind | undefined }[] = [];
let engine: Engine;

/** An embedder that records every embed call (count of texts, kind). */
function counting(inner: Embedder): Embedder {
  return Object.assign(Object.create(inner) as Embedder, {
    embed: (texts: readonly string[], options?: Parameters<Embedder['embed']>[1]) => {
      embedCalls.push({ texts: texts.length, kind: options?.kind });
      return inner.embed(texts, options);
    },
  });
}

beforeAll(async () => {
  ensureFixtures();
  env.localModelPath = `${fixtureModelsDir}/`;
  env.allowRemoteModels = false;
  const embedder = await createEmbedder({
    model: 'webembed-fixtures/crosslingual-bert',
    dtype: 'fp32',
    device: 'cpu',
    cacheSize: 0,
  });
  engine = await engineFromEmbedder(counting(embedder), { database: 'engine-search-many-test' });
});

afterAll(async () => {
  await engine.dispose();
});

async function errorOf(run: Promise<unknown>): Promise<{ code: string; details?: unknown; message: string }> {
  try {
    await run;
  } catch (err) {
    expect(isWebEmbedError(err), String(err)).toBe(true);
    return err as { code: string; details?: unknown; message: string };
  }
  return { code: 'no error', message: '' };
}

const { examples } = readConcepts();
const englishDocs = examples.map((e, i) => ({
  id: `doc${i}`,
  text: e.en,
  metadata: { n: i, half: i % 2 },
}));
const queries = [
  ...examples.flatMap((e) => [e.fr, e.de, e.es]),
  'xq unknownword moon',
  'the moon',
  examples[0].en,
];

/** searchMany equals search for each query: hits (ids, scores, order, chunks) and mode. */
async function expectSameAsSearch(
  docs: EngineCollection,
  batch: readonly string[],
  options: CollectionSearchOptions,
  label: string,
): Promise<void> {
  embedCalls.length = 0;
  const many = await docs.searchMany(batch, options);
  // One embedding call for the whole batch, as queries.
  expect(embedCalls, label).toEqual([{ texts: batch.length, kind: 'query' }]);
  expect(many.results).toHaveLength(batch.length);
  expect(many.searchBackend).toBe('cpu');
  expect(many.timings.embedMs).toBeGreaterThanOrEqual(0);
  expect(many.timings.kernelMs).toBeGreaterThanOrEqual(0);
  for (const [i, query] of batch.entries()) {
    const one = await docs.search(query, options);
    expect(many.results[i].hits, `${label}: query ${i}`).toEqual(one.hits);
    expect(many.results[i].mode).toBe(one.mode);
    expect(many.searchReason).toBe(one.searchReason);
  }
}

describe('collection.searchMany (Node, CPU, crosslingual fixture)', () => {
  it('equals search per query in every mode, the default, hybrid, with filters, and any k', async () => {
    const docs = await engine.collection('many-modes');
    await docs.add(englishDocs);
    const modes = [undefined, 'float32', 'int8', 'hamming', 'binary-rescore', 'hybrid'] as const;
    for (const mode of modes) {
      for (const k of [1, 3, englishDocs.length + 5]) {
        await expectSameAsSearch(docs, queries, { mode, k }, `mode ${mode} k ${k}`);
      }
      await expectSameAsSearch(docs, queries, { mode, k: 3, filter: { half: 1 } }, `mode ${mode} filtered`);
    }
    await expectSameAsSearch(docs, queries, { mode: 'hybrid', hybridDense: 'int8', k: 4 }, 'hybrid int8');
    // Past exactSearchLimit the default switches to binary + rescore, in the batch as alone.
    const sized = await engine.collection('many-sized', { exactSearchLimit: 3 });
    await sized.add(englishDocs);
    const many = await sized.searchMany(queries.slice(0, 4));
    expect(many.results.map((r) => r.mode)).toEqual(Array(4).fill('binary-rescore'));
    await expectSameAsSearch(sized, queries, {}, 'sized default');
    // A batch of one is a search.
    await expectSameAsSearch(docs, [queries[2]], { k: 2 }, 'one query');
    // Repeated queries are answered each.
    await expectSameAsSearch(docs, [queries[1], queries[1], queries[4]], { k: 2 }, 'repeats');
  });

  it('collapses chunks to their documents per query exactly as search does (more rows ranked when crowded)', async () => {
    const docs = await engine.collection('many-chunks');
    const long = examples.map((e) => `${e.en}.`).join(' ');
    await docs.add(
      [
        { id: 'long', text: long, metadata: { kind: 'story' } },
        {
          id: 'long2',
          text: [...examples]
            .reverse()
            .map((e) => `${e.en}.`)
            .join(' '),
        },
        ...englishDocs.slice(0, 4),
      ],
      { chunk: { maxTokens: 9 } },
    );
    expect(await docs.count()).toBeGreaterThan(10);
    for (const mode of [undefined, 'int8', 'hamming', 'binary-rescore', 'hybrid'] as const) {
      for (const k of [1, 3, 6, 50]) {
        await expectSameAsSearch(docs, queries, { mode, k }, `chunks ${mode} k ${k}`);
      }
    }
    const many = await docs.searchMany(queries, { k: 3 });
    const chunked = many.results.flatMap((r) => r.hits).filter((h) => h.chunk !== undefined);
    expect(chunked.length).toBeGreaterThan(0);
    // Documents, not chunks: no id twice in one result.
    for (const r of many.results) expect(new Set(r.hits.map((h) => h.id)).size).toBe(r.hits.length);
  });

  it('an empty collection answers every query with no hits', async () => {
    const docs = await engine.collection('many-empty');
    const many = await docs.searchMany(['the cat', 'the dog'], { k: 3 });
    expect(many.results).toEqual([
      { hits: [], mode: 'float32' },
      { hits: [], mode: 'float32' },
    ]);
  });

  it('refuses bad batches with typed errors naming the offending query', async () => {
    const docs = await engine.collection('many-modes');
    expect((await errorOf(docs.searchMany([]))).code).toBe('EMPTY_BATCH');
    expect((await errorOf(docs.searchMany('the cat' as unknown as string[]))).code).toBe('NOT_A_STRING');
    const notString = await errorOf(docs.searchMany(['the cat', 7 as unknown as string]));
    expect(notString.code).toBe('NOT_A_STRING');
    expect(notString.details).toEqual({ index: 1 });
    const empty = await errorOf(docs.searchMany(['the cat', 'the dog', '  ']));
    expect(empty.code).toBe('EMPTY_TEXT');
    expect(empty.details).toEqual({ index: 2 });
    expect(empty.message).toContain('queries[2]');
    const long = await errorOf(docs.searchMany(['ok', 'x'.repeat(engine.info.maxTextChars + 1)]));
    expect(long.code).toBe('TEXT_TOO_LONG');
    expect(long.details).toMatchObject({ index: 1 });
    const tooMany = await errorOf(docs.searchMany(Array(MAX_SEARCH_MANY_QUERIES + 1).fill('the cat')));
    expect(tooMany.code).toBe('INVALID_ARGUMENT');
    expect(tooMany.message).toContain(String(MAX_SEARCH_MANY_QUERIES));
    expect((await errorOf(docs.searchMany(['cat'], { k: 0 }))).code).toBe('INVALID_K');
    expect((await errorOf(docs.searchMany(['cat'], { mode: 'fuzzy' as 'hybrid' }))).code).toBe(
      'INVALID_ARGUMENT',
    );
    const controller = new AbortController();
    controller.abort();
    expect((await errorOf(docs.searchMany(['cat'], { signal: controller.signal }))).code).toBe('ABORTED');
    // The largest batch is accepted.
    const full = await docs.searchMany(Array(MAX_SEARCH_MANY_QUERIES).fill(examples[1].fr), { k: 1 });
    expect(full.results).toHaveLength(MAX_SEARCH_MANY_QUERIES);
    expect(full.results.every((r) => r.hits[0].id === 'doc1')).toBe(true);
  });

  it('a custom dense searcher without searchMany is searched once per query, still embedded once', async () => {
    const embedder = await createEmbedder({
      model: 'webembed-fixtures/crosslingual-bert',
      dtype: 'fp32',
      device: 'cpu',
    });
    let searches = 0;
    const custom = await engineFromEmbedder(counting(embedder), {
      database: 'engine-search-many-custom',
      denseSearcher: (stored) => {
        const inner = createStoreSearcher(stored);
        return {
          backend: inner.backend,
          search: (query, options) => {
            searches++;
            return inner.search(query, options);
          },
          passes: inner.passes,
          invalidate: inner.invalidate,
        };
      },
    });
    const docs = await custom.collection('c');
    await docs.add(englishDocs);
    embedCalls.length = 0;
    const many = await docs.searchMany(queries.slice(0, 5), { k: 2 });
    expect(embedCalls).toEqual([{ texts: 5, kind: 'query' }]);
    expect(searches).toBe(5);
    for (const [i, query] of queries.slice(0, 5).entries()) {
      expect(many.results[i].hits).toEqual((await docs.search(query, { k: 2 })).hits);
    }
    await custom.dispose();
  });
});
