// The one client of the search service (@webembed/remote: the engine's remote collections and
// @webembed/pgvector/client are the same code) against the real service on PGlite over the wire
// protocol: the hits of a direct searchCollection call, the service's error codes as local search
// names them, and a tiered search equal to one exact search over both tiers.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { PGlite } from '@electric-sql/pglite';
import { vector } from '@electric-sql/pglite-pgvector';
import { PGLiteSocketServer } from '@electric-sql/pglite-socket';
import { type ModelFingerprint, isWebEmbedError, searchFloat } from '@webembed/core';
import * as engine from '@webembed/engine';
import {
  type EngineCollectionHandle,
  type QueryEmbedder,
  type SearchResponse,
  createRemoteClient,
  remoteCollection,
  tieredCollection,
} from '@webembed/engine';
import { createSearchService, loadCollection, searchCollection } from '@webembed/pgvector';
import * as pgvectorClient from '@webembed/pgvector/client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

const root = join(import.meta.dirname, '..', '..');
const DIMS = 1024;
const ROWS = 200;
const HOT = 50; // rows 0..49 are the local hot set, 50..199 live in Postgres
const API_KEY = 'conformance-key';
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
let url: string;

beforeAll(async () => {
  db = await PGlite.create({ extensions: { vector } });
  socket = new PGLiteSocketServer({ db, host: '127.0.0.1', port: 0, maxConnections: 8 });
  await socket.start();
  url = `postgres://postgres@${socket.getServerConn()}/postgres`;
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

describe('the one remote client against the pgvector search service', () => {
  it('is one piece of code, whichever package it is imported from', () => {
    expect(pgvectorClient.createRemoteClient).toBe(engine.createRemoteClient);
    expect(pgvectorClient.mergeHitsByScore).toBe(engine.mergeHitsByScore);
    expect(pgvectorClient.normalizeEndpoint).toBe(engine.normalizeEndpoint);
  });

  it('gets the hits of a direct searchCollection call (vector and text queries, both modes, filters)', async () => {
    const client = createRemoteClient({ url: `${base}/alice`, apiKey: API_KEY });
    expect(await client.info()).toMatchObject({
      name: 'alice',
      dims: DIMS,
      count: ROWS - HOT,
      fingerprint: BGE_M3,
      storage: 'vector',
      binaryIndex: true,
      textQueries: true,
    });
    for (const r of [3, 77, 150]) {
      for (const mode of ['float32', 'binary-rescore'] as const) {
        const viaService = await client.search({
          vector: Array.from(row(r)),
          fingerprint: BGE_M3,
          k: 10,
          mode,
        });
        const direct = await searchCollection(url, 'alice', row(r), { k: 10, fingerprint: BGE_M3, mode });
        expect(viaService.hits).toEqual(direct);
        expect(viaService.mode).toBe(mode);
      }
      const byText = await client.search({ text: `row:${r}`, k: 5 });
      expect(byText.hits).toEqual(
        await searchCollection(url, 'alice', row(r), { k: 5, fingerprint: BGE_M3 }),
      );
    }
    const filtered = await client.search({
      vector: Array.from(row(3)),
      fingerprint: BGE_M3,
      filter: { n: 120 },
    });
    expect(filtered.hits.map((h) => h.id)).toEqual([ids[120]]);
  });

  it('reports the service’s errors with the codes local search uses', async () => {
    let deep: Record<string, unknown> = { n: 1 };
    for (let i = 0; i < 100; i++) deep = { n: deep };
    const huge = Array.from(row(1));
    huge[5] = 1e39;
    const cases: [string, string, Record<string, unknown>, string, number][] = [
      [
        'another model',
        `${base}/alice`,
        { vector: Array.from(row(1)), fingerprint: { ...BGE_M3, modelId: 'x/y' } },
        'MODEL_MISMATCH',
        409,
      ],
      [
        'other dims',
        `${base}/alice`,
        { vector: [0.6, 0.8], fingerprint: { ...BGE_M3, dims: 2 } },
        'MODEL_MISMATCH',
        409,
      ],
      [
        'short vector',
        `${base}/alice`,
        { vector: [0.6, 0.8], fingerprint: BGE_M3 },
        'DIMENSION_MISMATCH',
        400,
      ],
      [
        'zero vector',
        `${base}/alice`,
        { vector: new Array(DIMS).fill(0), fingerprint: BGE_M3 },
        'ZERO_VECTOR',
        400,
      ],
      ['past float32', `${base}/alice`, { vector: huge, fingerprint: BGE_M3 }, 'NOT_FINITE', 400],
      [
        'k too large',
        `${base}/alice`,
        { vector: Array.from(row(1)), fingerprint: BGE_M3, k: 1001 },
        'INVALID_ARGUMENT',
        400,
      ],
      [
        'deep filter',
        `${base}/alice`,
        { vector: Array.from(row(1)), fingerprint: BGE_M3, filter: deep },
        'INVALID_ARGUMENT',
        400,
      ],
      [
        'unknown collection',
        `${base}/nope`,
        { vector: Array.from(row(1)), fingerprint: BGE_M3 },
        'NOT_FOUND',
        404,
      ],
    ];
    for (const [what, at, request, code, status] of cases) {
      const err = await createRemoteClient({ url: at, apiKey: API_KEY })
        .search(request)
        .catch((e: unknown) => e);
      expect(isWebEmbedError(err), `${what}: ${String(err)}`).toBe(true);
      expect((err as { code: string }).code, what).toBe(code);
      expect((err as { details: { status: number } }).details.status, what).toBe(status);
    }
    const wrongKey = await createRemoteClient({ url: `${base}/alice`, apiKey: 'wrong-key' })
      .info()
      .catch((e: unknown) => e);
    expect(isWebEmbedError(wrongKey, 'REMOTE_FAILED')).toBe(true);
    expect((wrongKey as { details: { status: number } }).details.status).toBe(401);
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
});
