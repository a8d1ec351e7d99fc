import 'fake-indexeddb/auto';
import { type ModelFingerprint, isWebEmbedError } from '@webembed/core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Engine, type RemoteSearchRequest, createLocalEngine, env, open } from '../src/index.js';
import { ensureFixtures, fixtureModelsDir, readConcepts } from './fixture-paths.js';

// Remote and tiered collections against an in-memory stand-in of the search service's HTTP
// contract. The client itself is tested in packages/remote, and against the real service in
// bench/test/remote-conformance.test.ts.
const MODEL = 'webembed-fixtures/crosslingual-bert';
let engine: Engine;

async function codeOf(run: Promise<unknown> | (() => unknown)): Promise<string> {
  try {
    await (typeof run === 'function' ? run() : run);
  } catch (err) {
    expect(isWebEmbedError(err)).toBe(true);
    return (err as { code: string }).code;
  }
  return 'no error';
}

interface FakeDoc {
  id: string;
  text: string;
  metadata?: Record<string, unknown>;
  vector: Float32Array;
}

interface FakeService {
  fetch: typeof fetch;
  requests: { url: string; headers: Record<string, string>; body: RemoteSearchRequest | null }[];
  down: boolean;
}

/** Brute-force cosine search over unit vectors, answering like the service (JSON, error bodies). */
function fakeService(docs: FakeDoc[], fingerprint: ModelFingerprint, textQueries = false): FakeService {
  const state: FakeService = { requests: [], down: false, fetch: undefined as unknown as typeof fetch };
  const json = (status: number, body: unknown) =>
    new Response(JSON.stringify(body), { status, headers: { 'content-type': 'application/json' } });
  state.fetch = (async (input: string | URL | Request, init?: RequestInit) => {
    if (state.down) throw new TypeError('fetch failed');
    const url = String(input);
    const headers = (init?.headers ?? {}) as Record<string, string>;
    const body = init?.body ? (JSON.parse(String(init.body)) as RemoteSearchRequest) : null;
    state.requests.push({ url, headers, body });
    if (headers['x-api-key'] !== 'k1')
      return json(401, { error: { code: 'UNAUTHORIZED', message: 'bad key' } });
    if (!url.startsWith('http://svc.test/collections/docs')) {
      return json(404, { error: { code: 'NOT_FOUND', message: 'no such collection' } });
    }
    if (init?.method === 'GET') {
      return json(200, {
        name: 'docs',
        dims: fingerprint.dims,
        fingerprint,
        count: docs.length,
        textQueries,
      });
    }
    if (!body) return json(400, { error: { code: 'INVALID_ARGUMENT', message: 'no body' } });
    if (body.text !== undefined) {
      return json(400, { error: { code: 'INVALID_ARGUMENT', message: 'this service does not embed text' } });
    }
    if (JSON.stringify(body.fingerprint) !== JSON.stringify(fingerprint)) {
      return json(409, {
        error: { code: 'MODEL_MISMATCH', message: 'another model', details: { fields: 'dims' } },
      });
    }
    const q = body.vector as number[];
    const hits = docs
      .filter((d) => !body.filter || Object.entries(body.filter).every(([k, v]) => d.metadata?.[k] === v))
      .map((d) => ({
        id: d.id,
        text: d.text,
        metadata: d.metadata,
        score: d.vector.reduce((s, x, i) => s + x * q[i], 0),
      }))
      .sort((a, b) => b.score - a.score)
      .slice(0, body.k ?? 10);
    return json(200, { hits, mode: body.mode ?? 'binary-rescore', timings: { embedMs: 0, searchMs: 0.5 } });
  }) as typeof fetch;
  return state;
}

const { examples } = readConcepts();
let remoteDocs: FakeDoc[];

beforeAll(async () => {
  ensureFixtures();
  env.localModelPath = `${fixtureModelsDir}/`;
  env.allowRemoteModels = false;
  engine = await createLocalEngine({
    model: MODEL,
    dtype: 'fp32',
    device: 'cpu',
    database: 'engine-remote-test',
  });
  // The local hot set gets the English examples 0..2 (doc0..doc2); the remote holds English 3..5
  // and every French one.
  const texts = [...examples.slice(3).map((e) => e.en), ...examples.map((e) => e.fr)];
  const ids = [...examples.slice(3).map((_, i) => `doc${i + 3}`), ...examples.map((_, i) => `fr${i}`)];
  const { vectors } = await engine.embed(texts, { kind: 'passage' });
  remoteDocs = texts.map((text, i) => ({
    id: ids[i],
    text,
    metadata: { n: i },
    vector: vectors.data.slice(i * vectors.dims, (i + 1) * vectors.dims),
  }));
});

afterAll(async () => {
  await engine?.dispose();
});

const engineOptions = { model: MODEL, dtype: 'fp32', device: 'cpu' } as const;

describe('open({ remote })', () => {
  it('embeds the query here and finds documents by meaning, with the local result shape', async () => {
    const service = fakeService(remoteDocs, engine.info.fingerprint);
    const remote = await open({
      remote: { url: 'http://svc.test/collections/docs', fetch: service.fetch },
      apiKey: 'k1',
      ...engineOptions,
    });
    try {
      expect(remote.name).toBe('docs');
      const target = remoteDocs[3];
      const { hits, mode, searchBackend, timings } = await remote.search(target.text, {
        k: 3,
        mode: 'float32',
      });
      expect(hits[0]).toMatchObject({
        id: target.id,
        text: target.text,
        metadata: target.metadata,
        source: 'remote',
      });
      expect(hits).toHaveLength(3);
      expect(mode).toBe('float32');
      expect(searchBackend).toBe('remote');
      expect(timings.embedMs).toBeGreaterThan(0);
      const sent = service.requests.at(-1)?.body as RemoteSearchRequest;
      expect(sent.fingerprint).toEqual(engine.info.fingerprint);
      expect(sent.vector).toHaveLength(engine.info.fingerprint.dims);
      expect(sent.text).toBeUndefined();
      const filtered = await remote.search(target.text, { k: 3, filter: { n: 4 } });
      expect(filtered.hits.map((h) => h.id)).toEqual([remoteDocs[4].id]);
      expect(await codeOf(remote.search('x', { mode: 'hybrid' }))).toBe('INVALID_ARGUMENT');
      expect(await codeOf(remote.search('x', { k: 0 }))).toBe('INVALID_K');
      expect(await codeOf(remote.search('x', { k: 1001 }))).toBe('INVALID_K');
      expect(await codeOf(remote.search('  '))).toBe('EMPTY_TEXT');
      expect(await codeOf(remote.search(42 as unknown as string))).toBe('NOT_A_STRING');
      const fn = (() => true) as unknown as Record<string, unknown>;
      expect(await codeOf(remote.search('x', { filter: fn }))).toBe('INVALID_ARGUMENT');
    } finally {
      await remote.close();
    }
  });

  it('groups chunk rows under their document like local collections, asking for more rows when needed', async () => {
    // Rows 0..2 are chunks of one document "long" (metadata as the CLI writes them).
    const chunked = remoteDocs.map((d, i) =>
      i < 3
        ? {
            ...d,
            id: `long#${i}`,
            metadata: { n: i, $parent: 'long', $chunk: i, $start: i * 10, $end: i * 10 + 9 },
          }
        : d,
    );
    const service = fakeService(chunked, engine.info.fingerprint);
    const remote = await open({
      remote: { url: 'http://svc.test/collections/docs', fetch: service.fetch },
      apiKey: 'k1',
      ...engineOptions,
    });
    try {
      const { hits } = await remote.search(remoteDocs[1].text, { k: 3 });
      expect(hits[0]).toMatchObject({
        id: 'long',
        metadata: { n: 1 },
        chunk: { index: 1, start: 10, end: 19 },
      });
      expect(hits).toHaveLength(3);
      expect(new Set(hits.map((h) => h.id)).size).toBe(3);
      // The first request (k=3 rows) held two chunks of "long": one more request with more rows.
      expect(service.requests.slice(-2).map((r) => r.body?.k)).toEqual([3, 22]);
    } finally {
      await remote.close();
    }
  });

  it('searchMany embeds every query once, asks the service once per query, and equals search per query', async () => {
    const service = fakeService(remoteDocs, engine.info.fingerprint);
    const remote = await open({
      remote: { url: 'http://svc.test/collections/docs', fetch: service.fetch },
      apiKey: 'k1',
      ...engineOptions,
    });
    try {
      const embedded: number[] = [];
      const embed = remote.engine!.embed.bind(remote.engine);
      remote.engine!.embed = (texts, options) => {
        embedded.push(texts.length);
        return embed(texts, options);
      };
      const queries = [remoteDocs[1].text, remoteDocs[4].text, examples[0].de];
      const before = service.requests.length;
      const many = await remote.searchMany(queries, { k: 3, mode: 'float32' });
      expect(embedded).toEqual([3]);
      expect(service.requests.length - before).toBe(3);
      expect(many.searchBackend).toBe('remote');
      expect(many.results).toHaveLength(3);
      for (const [i, query] of queries.entries()) {
        const one = await remote.search(query, { k: 3, mode: 'float32' });
        expect(many.results[i].hits).toEqual(one.hits);
        expect(many.results[i].mode).toBe(one.mode);
      }
      expect(many.results[0].hits[0].id).toBe(remoteDocs[1].id);
      expect(await codeOf(remote.searchMany([]))).toBe('EMPTY_BATCH');
      expect(await codeOf(remote.searchMany(['x', ' ']))).toBe('EMPTY_TEXT');
      expect(await codeOf(remote.searchMany(['x'], { mode: 'hybrid' }))).toBe('INVALID_ARGUMENT');
      expect(await codeOf(remote.searchMany(['x'], { k: 0 }))).toBe('INVALID_K');
    } finally {
      await remote.close();
    }
  });

  it('refuses a remote collection of another model when it opens (MODEL_MISMATCH)', async () => {
    const service = fakeService(remoteDocs, { ...engine.info.fingerprint, modelId: 'other/model' });
    const opening = open({
      remote: { url: 'http://svc.test/collections/docs', fetch: service.fetch },
      apiKey: 'k1',
      ...engineOptions,
    });
    expect(await codeOf(opening)).toBe('MODEL_MISMATCH');
  });

  it('without a model, sends text when the service embeds it, and refuses a service that does not', async () => {
    const embedding = fakeService(remoteDocs, engine.info.fingerprint, true);
    const remote = await open({
      remote: { url: 'http://svc.test/collections/docs', fetch: embedding.fetch, apiKey: 'k1' },
    });
    expect(remote.engine).toBeNull();
    // This stand-in embeds nothing: the error it answers comes back with its code.
    expect(await codeOf(remote.search('hello'))).toBe('INVALID_ARGUMENT');
    expect(embedding.requests.at(-1)?.body).toMatchObject({ text: 'hello', k: 10 });
    const plain = fakeService(remoteDocs, engine.info.fingerprint, false);
    expect(
      await codeOf(
        open({ remote: { url: 'http://svc.test/collections/docs', fetch: plain.fetch }, apiKey: 'k1' }),
      ),
    ).toBe('INVALID_ARGUMENT');
    expect(await codeOf(open({} as never))).toBe('INVALID_ARGUMENT');
    expect(await codeOf(open({ remote: 42 } as never))).toBe('INVALID_ARGUMENT');
  });
});

describe('open({ collection, remote }) (tiered)', () => {
  it('searches the hot set and the remote together, merged by score, each hit naming its tier', async () => {
    const service = fakeService(remoteDocs, engine.info.fingerprint);
    const tiered = await open({
      ...engineOptions,
      database: 'engine-remote-tiered',
      collection: 'hot',
      remote: { url: 'http://svc.test/collections/docs', apiKey: 'k1', fetch: service.fetch, tier: 'merge' },
    });
    try {
      await tiered.add(
        examples.slice(0, 3).map((e, i) => ({ id: `doc${i}`, text: e.en, metadata: { n: i } })),
      );
      // A query for a remote document ranks it first; one for a local document ranks that first.
      const remoteFirst = await tiered.search(remoteDocs[2].text, { k: 5, mode: 'float32' });
      expect(remoteFirst.hits[0]).toMatchObject({ id: remoteDocs[2].id, source: 'remote' });
      const bothTiers = await tiered.search(examples[1].en, { k: 5, mode: 'float32' });
      // The fixture model maps a sentence and its translation close together: both lead.
      expect(new Set(bothTiers.hits.slice(0, 2).map((h) => `${h.id}:${h.source}`))).toEqual(
        new Set(['doc1:local', 'fr1:remote']),
      );
      // Three local documents, so the top 5 holds remote ones too.
      expect(new Set(bothTiers.hits.map((h) => h.source))).toEqual(new Set(['local', 'remote']));
      // The merge equals sorting the union of both tiers' own top 5 by score.
      const hot = await tiered.engine.collection('hot');
      for (const query of [remoteDocs[2].text, examples[1].en]) {
        const merged = await tiered.search(query, { k: 5, mode: 'float32' });
        const both = [
          ...(await hot.search(query, { k: 5, mode: 'float32' })).hits,
          ...(await tiered.remote.search(query, { k: 5, mode: 'float32' })).hits,
        ].sort((a, b) => b.score - a.score);
        expect(merged.hits.map((h) => h.id)).toEqual(both.slice(0, 5).map((h) => h.id));
        expect(merged.searchBackend).toBe('cpu');
      }
      // searchMany: each query's merge equals search; the local part is one batch.
      const queries = [remoteDocs[2].text, examples[1].en, examples[0].de];
      const many = await tiered.searchMany(queries, { k: 5, mode: 'float32' });
      for (const [i, query] of queries.entries()) {
        const one = await tiered.search(query, { k: 5, mode: 'float32' });
        expect(many.results[i].hits).toEqual(one.hits);
        expect(many.results[i].remoteFailure).toBeUndefined();
      }
      expect(many.searchBackend).toBe('cpu');
      expect(await codeOf(tiered.searchMany(['x'], { mode: 'hybrid' }))).toBe('INVALID_ARGUMENT');
      expect(await codeOf(tiered.searchMany(['x', '']))).toBe('EMPTY_TEXT');
      expect(await codeOf(tiered.search('x', { mode: 'hybrid' }))).toBe('INVALID_ARGUMENT');
      expect(await codeOf(tiered.search('x', { mode: 'hamming' }))).toBe('INVALID_ARGUMENT');
      service.down = true;
      expect(await codeOf(tiered.search(examples[1].en))).toBe('REMOTE_FAILED');
    } finally {
      await tiered.close();
    }
  });

  it("answers from the hot set alone with whenRemoteFails: 'local', and says so", async () => {
    const service = fakeService(remoteDocs, engine.info.fingerprint);
    service.down = true;
    const tiered = await open({
      ...engineOptions,
      database: 'engine-remote-tiered',
      collection: 'hot',
      remote: {
        url: 'http://svc.test/collections/docs',
        apiKey: 'k1',
        fetch: service.fetch,
        whenRemoteFails: 'local',
      },
    });
    try {
      const response = await tiered.search(examples[1].en, { k: 3 });
      expect(response.hits[0]).toMatchObject({ id: 'doc1', source: 'local' });
      expect(response.remoteFailure?.code).toBe('REMOTE_FAILED');
      const many = await tiered.searchMany([examples[1].en, examples[2].en], { k: 3 });
      expect(many.results.map((r) => r.hits[0].id)).toEqual(['doc1', 'doc2']);
      expect(many.results.map((r) => r.remoteFailure?.code)).toEqual(['REMOTE_FAILED', 'REMOTE_FAILED']);
    } finally {
      await tiered.close();
    }
    const bad = { url: 'http://svc.test/collections/docs', tier: 'stack' } as unknown as { url: string };
    expect(await codeOf(open({ ...engineOptions, collection: 'hot', remote: bad }))).toBe('INVALID_ARGUMENT');
  });
});
