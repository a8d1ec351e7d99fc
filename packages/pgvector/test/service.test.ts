/**
 * The fastify search service and the one browser-safe client (@webembed/remote), against PGlite over the wire protocol
 * (and an external server when WEBEMBED_PG_URL is set).
 */
import { type ModelFingerprint, isWebEmbedError, searchFloat } from '@webembed/core';
import type { FastifyInstance } from 'fastify';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createRemoteClient, mergeHitsByScore } from '../src/client.js';
import { createSearchService, dropCollection, loadCollection, searchCollection } from '../src/index.js';
import { BGE_M3, loadAlice, rowOf } from './helpers/data.js';
import { needs } from '../../../scripts/test/browser-support.js';
import {
  type TestPostgres,
  externalMissing,
  startPostgres,
  targets,
  uniqueName,
} from './helpers/postgres.js';

const API_KEY = 'test-key-0123456789';
const ROWS = 200;

for (const target of targets) {
  describe(`search service on ${target.kind} Postgres`, needs(externalMissing(target)), () => {
    let db: TestPostgres;
    let pool: pg.Pool;
    let app: FastifyInstance;
    let baseUrl: string;
    const name = uniqueName('svc');
    const data = loadAlice();
    const vectors = { data: data.vectors.data.subarray(0, ROWS * 1024), rows: ROWS, dims: 1024 };
    const query = (r: number) => Array.from(rowOf(data.vectors, r));
    const post = (path: string, body: unknown, headers: Record<string, string> = { 'x-api-key': API_KEY }) =>
      app.inject({ method: 'POST', url: path, payload: body as object, headers });

    beforeAll(async () => {
      db = await startPostgres(target);
      pool = new pg.Pool({ connectionString: db.url, max: 4 });
      await loadCollection(
        pool,
        name,
        {
          fingerprint: BGE_M3,
          ids: data.ids.slice(0, ROWS),
          vectors,
          texts: data.texts,
          metadata: data.metadata,
        },
        { storage: 'vector' },
      );
      app = createSearchService({
        database: pool,
        apiKey: API_KEY,
        bodyLimit: 64 * 1024,
        // A stand-in server-side embedder: "row:<n>" embeds as row n of the vendored vectors.
        embedQuery: async (text) => ({
          vector: rowOf(data.vectors, Number(text.slice(4))),
          fingerprint: BGE_M3,
        }),
      });
      baseUrl = await app.listen({ port: 0, host: '127.0.0.1' });
    }, 120_000);

    afterAll(async () => {
      await app?.close();
      if (pool) {
        await dropCollection(pool, name);
        await pool.end();
      }
      await db?.stop();
    });

    it('serves info with the fingerprint, and searches like searchCollection through the fetch client', async () => {
      const remote = createRemoteClient({ url: `${baseUrl}/collections/${name}`, apiKey: API_KEY });
      const info = await remote.info();
      expect(info).toMatchObject({
        name,
        dims: 1024,
        count: ROWS,
        storage: 'vector',
        binaryIndex: true,
        textQueries: true,
      });
      expect(info.fingerprint).toEqual(BGE_M3);
      for (const mode of ['float32', 'binary-rescore'] as const) {
        const response = await remote.search({ vector: query(11), k: 5, fingerprint: BGE_M3, mode });
        const direct = await searchCollection(pool, name, rowOf(data.vectors, 11), {
          k: 5,
          fingerprint: BGE_M3,
          mode,
        });
        expect(response.hits).toEqual(direct);
        expect(response.mode).toBe(mode);
        expect(response.timings.searchMs).toBeGreaterThan(0);
      }
      const local = searchFloat({ data: rowOf(data.vectors, 11), rows: 1, dims: 1024 }, vectors, {
        k: 5,
        metric: 'cosine',
      });
      const { hits: exactHits } = await remote.search({
        vector: query(11),
        k: 5,
        fingerprint: BGE_M3,
        mode: 'float32',
        exact: true,
      });
      expect(exactHits.map((h) => h.id)).toEqual(Array.from(local.indices, (r) => data.ids[r]));
      const filtered = await remote.search({
        vector: query(11),
        k: 3,
        fingerprint: BGE_M3,
        filter: { n: 42 },
      });
      expect(filtered.hits.map((h) => h.metadata)).toEqual([{ set: 'sentence', n: 42 }]);
    });

    it('embeds text queries server-side when configured', async () => {
      const remote = createRemoteClient({ url: `${baseUrl}/collections/${name}`, apiKey: API_KEY });
      const response = await remote.search({ text: 'row:17' });
      expect(response.hits[0].id).toBe(data.ids[17]);
      // k defaults to 10, as in the engine.
      expect(response.hits).toHaveLength(10);
      expect(response.timings.embedMs).toBeGreaterThanOrEqual(0);
    });

    it('answers the client with the same error codes as local search (409 model mismatch, 400, 404)', async () => {
      const remote = createRemoteClient({ url: `${baseUrl}/collections/${name}`, apiKey: API_KEY });
      const foreign: ModelFingerprint = { ...BGE_M3, modelId: 'Xenova/multilingual-e5-small', dims: 1024 };
      const err = await remote
        .search({ vector: query(1), k: 5, fingerprint: foreign })
        .catch((e: unknown) => e);
      expect(isWebEmbedError(err, 'MODEL_MISMATCH')).toBe(true);
      expect((err as { details: Record<string, unknown> }).details.status).toBe(409);
      const short = await remote
        .search({ vector: query(1).slice(0, 8), k: 5, fingerprint: BGE_M3 })
        .catch((e: unknown) => e);
      expect(isWebEmbedError(short, 'DIMENSION_MISMATCH')).toBe(true);
      const missing = createRemoteClient({ url: `${baseUrl}/collections/nothing_here`, apiKey: API_KEY });
      const notFound = await missing.info().catch((e: unknown) => e);
      expect(isWebEmbedError(notFound, 'NOT_FOUND')).toBe(true);
      const noKey = createRemoteClient(`${baseUrl}/collections/${name}`);
      const unauthorized = await noKey.info().catch((e: unknown) => e);
      expect(isWebEmbedError(unauthorized, 'REMOTE_FAILED')).toBe(true);
      expect((unauthorized as { details: Record<string, unknown> }).details.status).toBe(401);
      const down = createRemoteClient('http://127.0.0.1:1/collections/x');
      expect(isWebEmbedError(await down.info().catch((e: unknown) => e), 'REMOTE_FAILED')).toBe(true);
    });

    it('enforces the API key on every route', async () => {
      const attempts: Record<string, string>[] = [
        {},
        { 'x-api-key': 'wrong-key-0123456789' },
        { 'x-api-key': API_KEY.slice(0, -1) },
      ];
      for (const headers of attempts) {
        const info = await app.inject({ method: 'GET', url: `/collections/${name}`, headers });
        expect(info.statusCode).toBe(401);
        expect(info.json().error.message).toMatch(/missing or wrong API key \(header x-api-key\)/);
        const search = await post(
          `/collections/${name}/search`,
          { k: 1, vector: query(0), fingerprint: BGE_M3 },
          headers,
        );
        expect(search.statusCode).toBe(401);
      }
      const ok = await app.inject({
        method: 'GET',
        url: `/collections/${name}`,
        headers: { 'x-api-key': API_KEY },
      });
      expect(ok.statusCode).toBe(200);
    });

    it('answers bad requests with 4xx and a message naming the problem', async () => {
      const url = `/collections/${name}/search`;
      const good = { k: 3, vector: query(0), fingerprint: BGE_M3 };
      const cases: [body: unknown, status: number, message: RegExp][] = [
        [{ k: 3 }, 400, /body must hold either `vector` with `fingerprint`/],
        [{ ...good, k: 0 }, 400, /invalid request: body\/k must be >= 1/],
        [{ ...good, k: 1001 }, 400, /body\/k must be <= 1000/],
        [{ ...good, k: 'ten' }, 400, /body\/k must be integer/],
        [{ ...good, k: '3' }, 400, /body\/k must be integer/],
        [{ ...good, vector: ['a', 'b'] }, 400, /body\/vector\/0 must be number/],
        [{ k: 3, vector: query(0) }, 400, /body must hold either `vector` with `fingerprint`/],
        [{ ...good, text: 'row:1' }, 400, /or `text`/],
        [{ ...good, mode: 'hamming' }, 400, /body\/mode must be equal to one of the allowed values/],
        [{ ...good, filter: 'lang=en' }, 400, /body\/filter must be object/],
        [{ ...good, oversample: 0 }, 400, /body\/oversample must be >= 1/],
        [{ ...good, extra: true }, 400, /must NOT have additional properties/],
        [{ ...good, fingerprint: { ...BGE_M3, pooling: 'max' } }, 400, /body\/fingerprint\/pooling/],
        [{ ...good, vector: query(0).slice(0, 3) }, 400, /3 dimensions; this collection expects 1024/],
        [{ ...good, fingerprint: { ...BGE_M3, dtype: 'q4' } }, 409, /dtype: expected "fp32", got "q4"/],
      ];
      for (const [body, status, message] of cases) {
        const res = await post(url, body);
        expect(res.statusCode, JSON.stringify(body).slice(0, 80)).toBe(status);
        expect(res.json().error.message).toMatch(message);
        expect(typeof res.json().error.code).toBe('string');
      }
      const badName = await post('/collections/no%20spaces/search', good);
      expect(badName.statusCode).toBe(400);
      expect(badName.json().error.message).toMatch(/params\/name must match pattern/);
      const unknown = await post('/collections/unknown/search', good);
      expect(unknown.statusCode).toBe(404);
      expect(unknown.json().error).toMatchObject({ code: 'NOT_FOUND' });
      const tooBig = await post(url, { ...good, vector: new Array(9000).fill(0.123456789) });
      expect(tooBig.statusCode).toBe(413);
      const badJson = await app.inject({
        method: 'POST',
        url,
        payload: '{"k": 3,',
        headers: { 'x-api-key': API_KEY, 'content-type': 'application/json' },
      });
      expect(badJson.statusCode).toBe(400);
      const noRoute = await app.inject({
        method: 'GET',
        url: '/nowhere',
        headers: { 'x-api-key': API_KEY },
      });
      expect(noRoute.statusCode).toBe(404);
    });

    it('refuses text queries when no embedder is configured', async () => {
      const plain = createSearchService({ database: pool });
      const res = await plain.inject({
        method: 'POST',
        url: `/collections/${name}/search`,
        payload: { k: 1, text: 'hi' },
      });
      expect(res.statusCode).toBe(400);
      expect(res.json().error.message).toMatch(
        /no server-side embedder: send `vector` with the `fingerprint`/,
      );
      const info = await plain.inject({ method: 'GET', url: `/collections/${name}` });
      expect(info.json().textQueries).toBe(false);
      await plain.close();
    });

    it('serves only the allowed collections when a list is given, with its own pool from a URL', async () => {
      const limited = createSearchService({ database: pool, collections: ['other'] });
      const res = await limited.inject({ method: 'GET', url: `/collections/${name}` });
      expect(res.statusCode).toBe(404);
      await limited.close();
      // A connection string gives the service its own pool, closed with the app.
      const own = createSearchService({ database: db.url, collections: [name] });
      const info = await own.inject({ method: 'GET', url: `/collections/${name}` });
      expect(info.json()).toMatchObject({ name, count: ROWS });
      await own.close();
      expect(() => createSearchService({ database: db.url, apiKey: 'short' })).toThrow(
        /at least 8 characters/,
      );
      expect(() => createSearchService({ database: db.url, bodyLimit: 10 })).toThrow(/bodyLimit/);
    });

    it('merges a local hot set with remote hits by score for tiered search', async () => {
      const remote = createRemoteClient({ url: `${baseUrl}/collections/${name}`, apiKey: API_KEY });
      // Local hot set: the vendored rows 200..299 (not in the remote collection) searched with core.
      const hot = { data: data.vectors.data.subarray(200 * 1024, 300 * 1024), rows: 100, dims: 1024 };
      const q = rowOf(data.vectors, 250);
      const localTop = searchFloat({ data: q, rows: 1, dims: 1024 }, hot, { k: 5, metric: 'cosine' });
      const local = Array.from(localTop.indices, (r, i) => ({
        id: data.ids[200 + r],
        text: data.texts[200 + r],
        metadata: data.metadata[200 + r],
        score: localTop.scores[i],
      }));
      const { hits: remoteHits } = await remote.search({
        vector: Array.from(q),
        k: 5,
        fingerprint: BGE_M3,
        mode: 'float32',
        exact: true,
      });
      const merged = mergeHitsByScore(local, remoteHits, 5);
      const all = searchFloat(
        { data: q, rows: 1, dims: 1024 },
        { data: data.vectors.data.subarray(0, 300 * 1024), rows: 300, dims: 1024 },
        { k: 5, metric: 'cosine' },
      );
      expect(merged.map((h) => h.id)).toEqual(Array.from(all.indices, (r) => data.ids[r]));
      expect(merged[0].id).toBe(data.ids[250]);
    });
  });
}
