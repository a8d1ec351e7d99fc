// The engine's remote client (written against the search service's HTTP contract, without
// importing @webembed/pgvector) against the real service on PGlite over the wire protocol:
// same hits and same error codes as pgvector's own fetch client, tiered search equal to one
// exact search over both tiers, and the two merge functions agreeing.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { PGlite } from '@electric-sql/pglite';
import { vector } from '@electric-sql/pglite-pgvector';
import { PGLiteSocketServer } from '@electric-sql/pglite-socket';
import { type ModelFingerprint, isWebEmbedError, searchFloat } from '@webembed/core';
import {
  type EngineCollectionHandle,
  type QueryEmbedder,
  type SearchResponse,
  createRemoteClient,
  mergeHitsByScore,
  remoteCollection,
  tieredCollection,
} from '@webembed/engine';
import { createSearchService, loadCollection } from '@webembed/pgvector';
import { createRemoteCollection, mergeByScore } from '@webembed/pgvector/client';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

const root = join(import.meta.dirname, '..', '..');
const DIMS = 1024;
const ROWS = 200;
const HOT = 50; // rows 0..49 are the local hot set, 50..199 live in Postgres
const API_KEY = 'agreement-key';
const BGE_M3: ModelFingerprint = {
  modelId: 'BAAI/bge-m3',
  revision: '',
  dims: DIMS,
  pooling: 'cls',
  normalized: true,
  prefixScheme: 'none',
  matryoshkaDims: null,
  dtype: 'fp32',
};

const raw = readFileSync(join(root, 'data', 'bge-m3-alice', 'bge-m3-sentence.f32'));
const all = new Float32Array(raw.buffer.slice(raw.byteOffset, raw.byteOffset + ROWS * DIMS * 4));
const texts = (
  JSON.parse(
    readFileSync(join(root, 'data', 'bge-m3-alice', 'bge-m3-sentence-texts.json'), 'utf8'),
  ) as string[]
).slice(0, ROWS);
const ids = texts.map((_, i) => `r${String(i).padStart(4, '0')}`);
const row = (r: number) => all.slice(r * DIMS, (r + 1) * DIMS);

/** Embeds "row:<n>" as row n of the vendored bge-m3 vectors. */
const rowEmbedder: QueryEmbedder = {
  info: { fingerprint: BGE_M3 },
  async embed(queries) {
    const data = new Float32Array(queries.length * DIMS);
    for (const [i, q] of queries.entries()) data.set(row(Number(q.slice(4))), i * DIMS);
    return {
      vectors: { data, rows: queries.length, dims: DIMS },
      tokenCounts: new Int32Array(queries.length),
      truncated: queries.map(() => false),
    };
  },
};

/** The hot set as a local collection: exact cosine search over rows 0..HOT-1. */
const hotSet = {
  name: 'hot',
  async search(query: string, options: { k?: number } = {}): Promise<SearchResponse> {
    const result = searchFloat(
      { data: row(Number(query.slice(4))), rows: 1, dims: DIMS },
      { data: all.subarray(0, HOT * DIMS), rows: HOT, dims: DIMS },
      { k: options.k ?? 10, metric: 'cosine' },
    );
    return {
      hits: Array.from(result.indices, (r, i) => ({
        id: ids[r],
        text: texts[r],
        metadata: { n: r },
        score: result.scores[i],
      })),
      mode: 'float32',
      timings: { embedMs: 0, searchMs: 0 },
      searchBackend: 'cpu',
    };
  },
} as unknown as EngineCollectionHandle;

let db: PGlite;
let socket: PGLiteSocketServer;
let app: ReturnType<typeof createSearchService>;
let base: string;

beforeAll(async () => {
  db = await PGlite.create({ extensions: { vector } });
  socket = new PGLiteSocketServer({ db, host: '127.0.0.1', port: 0, maxConnections: 8 });
  await socket.start();
  const url = `postgres://postgres@${socket.getServerConn()}/postgres`;
  await loadCollection(
    url,
    'alice',
    {
      fingerprint: BGE_M3,
      ids: ids.slice(HOT),
      vectors: { data: all.subarray(HOT * DIMS), rows: ROWS - HOT, dims: DIMS },
      texts: texts.slice(HOT),
      metadata: ids.slice(HOT).map((_, i) => ({ n: HOT + i })),
    },
    { storage: 'vector' },
  );
  app = createSearchService({
    database: url,
    apiKey: API_KEY,
    embedQuery: async (text) => ({ vector: row(Number(text.slice(4))), fingerprint: BGE_M3 }),
  });
  base = `${await app.listen({ port: 0, host: '127.0.0.1' })}/collections`;
}, 120_000);

afterAll(async () => {
  await app?.close();
  await socket?.stop();
  await db?.close();
});

async function codeOf(run: () => Promise<unknown>): Promise<string> {
  try {
    await run();
  } catch (err) {
    expect(isWebEmbedError(err)).toBe(true);
    return (err as { code: string }).code;
  }
  return 'no error';
}

describe('engine remote client vs the pgvector search service', () => {
  it('gets the same hits as pgvector’s fetch client (vector and text queries, both modes, filters)', async () => {
    const engineClient = createRemoteClient({ url: `${base}/alice`, apiKey: API_KEY });
    const pgClient = createRemoteCollection(`${base}/alice`, { apiKey: API_KEY });
    expect(await engineClient.info()).toMatchObject({
      name: 'alice',
      dims: DIMS,
      count: ROWS - HOT,
      fingerprint: BGE_M3,
      textQueries: true,
    });
    for (const r of [3, 77, 150]) {
      for (const mode of ['float32', 'binary-rescore'] as const) {
        const ours = await engineClient.search({
          vector: Array.from(row(r)),
          fingerprint: BGE_M3,
          k: 10,
          mode,
        });
        const theirs = await pgClient.search(row(r), { k: 10, fingerprint: BGE_M3, mode });
        expect(ours.hits).toEqual(theirs.hits);
        expect(ours.mode).toBe(mode);
      }
      const byText = await engineClient.search({ text: `row:${r}`, k: 5 });
      expect(byText.hits).toEqual((await pgClient.search(`row:${r}`, { k: 5 })).hits);
    }
    const filtered = await engineClient.search({
      vector: Array.from(row(3)),
      fingerprint: BGE_M3,
      filter: { n: 120 },
    });
    expect(filtered.hits.map((h) => h.id)).toEqual([ids[120]]);
  });

  it('reports the same error codes as pgvector’s client', async () => {
    const cases: [string, string, Record<string, unknown>][] = [
      [
        'another model',
        `${base}/alice`,
        { vector: Array.from(row(1)), fingerprint: { ...BGE_M3, modelId: 'x/y' } },
      ],
      ['other dims', `${base}/alice`, { vector: [0.6, 0.8], fingerprint: { ...BGE_M3, dims: 2 } }],
      ['k too large', `${base}/alice`, { vector: Array.from(row(1)), fingerprint: BGE_M3, k: 1001 }],
      ['unknown collection', `${base}/nope`, { vector: Array.from(row(1)), fingerprint: BGE_M3 }],
    ];
    const seen: string[] = [];
    for (const [what, url, request] of cases) {
      const ours = await codeOf(() => createRemoteClient({ url, apiKey: API_KEY }).search(request));
      const { vector: v, ...rest } = request as { vector: number[] };
      const theirs = await codeOf(() => createRemoteCollection(url, { apiKey: API_KEY }).search(v, rest));
      expect(ours, what).toBe(theirs);
      seen.push(ours);
    }
    expect(seen).toEqual(['MODEL_MISMATCH', 'MODEL_MISMATCH', 'INVALID_ARGUMENT', 'NOT_FOUND']);
    const wrongKey = () => createRemoteClient({ url: `${base}/alice`, apiKey: 'wrong' }).info();
    expect(await codeOf(wrongKey)).toBe(
      await codeOf(() => createRemoteCollection(`${base}/alice`, { apiKey: 'wrong' }).info()),
    );
  });

  it('a tiered search (hot set + Postgres) equals one exact search over both tiers', async () => {
    const remote = remoteCollection(
      createRemoteClient({ url: `${base}/alice`, apiKey: API_KEY }),
      rowEmbedder,
    );
    const tiered = tieredCollection(hotSet, remote, rowEmbedder);
    for (const r of [5, 60, 199]) {
      const { hits } = await tiered.search(`row:${r}`, { k: 10, mode: 'float32' });
      const exact = searchFloat(
        { data: row(r), rows: 1, dims: DIMS },
        { data: all, rows: ROWS, dims: DIMS },
        { k: 10, metric: 'cosine' },
      );
      expect(hits.map((h) => h.id)).toEqual(Array.from(exact.indices, (i) => ids[i]));
      hits.forEach((h, i) => {
        expect(h.score).toBeCloseTo(exact.scores[i], 5);
        expect(h.source).toBe(Number(h.id.slice(1)) < HOT ? 'local' : 'remote');
      });
    }
  });

  it('mergeHitsByScore (engine) and mergeByScore (pgvector client) agree', () => {
    const hit = fc.record({
      id: fc.constantFrom('a', 'b', 'c', 'd', 'e', 'f'),
      score: fc.constantFrom(0.1, 0.5, 0.9),
    });
    fc.assert(
      fc.property(
        fc.array(hit, { maxLength: 8 }),
        fc.array(hit, { maxLength: 8 }),
        fc.integer({ min: 1, max: 8 }),
        (a, b, k) => {
          const local = a.map((h, i) => ({ ...h, tag: `l${i}` }));
          const remote = b.map((h, i) => ({ ...h, tag: `r${i}` }));
          expect(mergeHitsByScore(local, remote, k)).toEqual(mergeByScore(local, remote, k));
        },
      ),
      { numRuns: 300 },
    );
  });
});
