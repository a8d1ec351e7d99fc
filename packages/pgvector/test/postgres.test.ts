/**
 * Loading and searching collections in Postgres + pgvector, against PGlite over the wire
 * protocol (and an external server when WEBEMBED_PG_URL is set).
 */
import { type ModelFingerprint, isWebEmbedError, searchFloat } from '@webembed/core';
import { buildSnapshot, encodeCollectionFile } from '@webembed/store';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  type CollectionRow,
  type JsonObject,
  dropCollection,
  getCollectionInfo,
  listCollections,
  loadCollection,
  searchCollection,
  writeCollectionToPostgres,
} from '../src/index.js';
import { BGE_M3, loadAlice, rowOf } from './helpers/data.js';
import { needs } from '../../../scripts/test/browser-support.js';
import {
  type TestPostgres,
  externalMissing,
  startPostgres,
  targets,
  uniqueName,
} from './helpers/postgres.js';

async function expectCode(promise: Promise<unknown>, code: string): Promise<Error> {
  const err = await promise.then(
    () => null,
    (e: unknown) => e as Error,
  );
  expect(err, `expected a WebEmbedError ${code}`).not.toBeNull();
  expect(isWebEmbedError(err, code as never), `got ${String(err)}`).toBe(true);
  return err as Error;
}

function aliceRows(limit = 1000): CollectionRow[] {
  const data = loadAlice();
  return data.ids.slice(0, limit).map((id, r) => ({
    id,
    text: data.texts[r],
    metadata: data.metadata[r],
    vector: rowOf(data.vectors, r),
  }));
}

for (const target of targets) {
  describe(`pgvector on ${target.kind} Postgres`, needs(externalMissing(target)), () => {
    let db: TestPostgres;
    let pool: pg.Pool;
    const exact = uniqueName('alice');
    const names: string[] = [exact];

    beforeAll(async () => {
      db = await startPostgres(target);
      pool = new pg.Pool({ connectionString: db.url, max: 2 });
      const data = loadAlice();
      // float32 storage so exact search can be compared with core's searchFloat value for value.
      const progress: number[] = [];
      const result = await writeCollectionToPostgres(
        {
          fingerprint: BGE_M3,
          ids: data.ids,
          vectors: data.vectors,
          texts: data.texts,
          metadata: data.metadata,
        },
        pool,
        { name: exact, storage: 'vector', batchSize: 250, onProgress: (p) => progress.push(p.rowsDone) },
      );
      expect(result.rowsWritten).toBe(1000);
      expect(progress.slice(0, 4)).toEqual([250, 500, 750, 1000]);
    }, 120_000);

    afterAll(async () => {
      if (pool) {
        for (const name of names) await dropCollection(pool, name);
        await pool.end();
      }
      await db?.stop();
    });

    it('records the collection with its fingerprint, count and binary HNSW index', async () => {
      const info = await getCollectionInfo(pool, exact);
      expect(info).toMatchObject({
        name: exact,
        dims: 1024,
        storage: 'vector',
        count: 1000,
        binaryIndex: true,
      });
      expect(info.floatIndex).toBe(false);
      expect(info.fingerprint).toEqual(BGE_M3);
      expect(await listCollections(pool)).toContain(exact);
      // At 1000 rows the planner rightly prefers a scan; with scans off, the search's ORDER BY
      // expression must match the index expression for the HNSW index to serve it.
      const client = await pool.connect();
      try {
        await client.query('BEGIN');
        await client.query('SET LOCAL enable_seqscan = off');
        const plan = await client.query(
          `EXPLAIN SELECT id FROM "webembed_c_${exact}"
           ORDER BY (binary_quantize(embedding)::bit(1024)) <~> binary_quantize($1::vector(1024)) LIMIT 40`,
          [`[${Array.from(rowOf(loadAlice().vectors, 0)).join(',')}]`],
        );
        expect(plan.rows.map((r) => r['QUERY PLAN']).join('\n')).toMatch(/Index Scan using .*bq_hnsw/);
      } finally {
        await client.query('ROLLBACK');
        client.release();
      }
    });

    it('exact float search returns the same rows and scores as core searchFloat', async () => {
      const data = loadAlice();
      const queries = [0, 7, 123, 499, 500, 640, 999];
      const local = searchFloat(
        {
          data: new Float32Array(queries.flatMap((r) => Array.from(rowOf(data.vectors, r)))),
          rows: queries.length,
          dims: 1024,
        },
        data.vectors,
        { k: 10, metric: 'cosine' },
      );
      for (let q = 0; q < queries.length; q++) {
        const hits = await searchCollection(pool, exact, rowOf(data.vectors, queries[q]), {
          k: 10,
          fingerprint: BGE_M3,
          mode: 'float32',
          exact: true,
        });
        const expectedIds = Array.from(local.indices.subarray(q * 10, q * 10 + 10), (r) => data.ids[r]);
        expect(hits.map((h) => h.id)).toEqual(expectedIds);
        hits.forEach((hit, i) => {
          expect(hit.score).toBeCloseTo(local.scores[q * 10 + i], 5);
          const r = data.ids.indexOf(hit.id);
          expect(hit.text).toBe(data.texts[r]);
          expect(hit.metadata).toEqual(data.metadata[r]);
        });
      }
    });

    it('binary candidates re-ranked by cosine keep recall@10 against exact float search (leave-one-out)', async () => {
      const data = loadAlice();
      const recalls: Record<number, number> = {};
      const queryRows = Array.from({ length: 50 }, (_, i) => i * 20 + 5);
      const withoutSelf = (ids: string[], self: string) => ids.filter((id) => id !== self).slice(0, 10);
      // Ground truth from core's exact search (the test above shows Postgres's exact search agrees).
      const truthTop = searchFloat(
        {
          data: new Float32Array(queryRows.flatMap((r) => Array.from(rowOf(data.vectors, r)))),
          rows: queryRows.length,
          dims: 1024,
        },
        data.vectors,
        { k: 11, metric: 'cosine' },
      );
      const truths = new Map<number, string[]>();
      queryRows.forEach((r, q) => {
        const ids = Array.from(truthTop.indices.subarray(q * 11, q * 11 + 11), (row) => data.ids[row]);
        truths.set(r, withoutSelf(ids, data.ids[r]));
      });
      for (const oversample of [1, 4]) {
        let found = 0;
        for (const r of queryRows) {
          const query = rowOf(data.vectors, r);
          const hits = await searchCollection(pool, exact, query, {
            k: 11,
            fingerprint: BGE_M3,
            mode: 'binary-rescore',
            oversample,
          });
          const got = new Set(
            withoutSelf(
              hits.map((h) => h.id),
              data.ids[r],
            ),
          );
          found += (truths.get(r) ?? []).filter((id) => got.has(id)).length;
          // Scores are cosine similarities, sorted descending, like local search.
          for (let i = 1; i < hits.length; i++)
            expect(hits[i - 1].score).toBeGreaterThanOrEqual(hits[i].score);
        }
        recalls[oversample] = found / (queryRows.length * 10);
      }
      console.info(
        `[pgvector] binary-rescore recall@10 on bge-m3 1000x1024: x1 ${recalls[1]}, x4 ${recalls[4]}`,
      );
      expect(recalls[4]).toBeGreaterThanOrEqual(0.9);
      expect(recalls[4]).toBeGreaterThan(recalls[1]);
    });

    it('pushes metadata equality filters into SQL in both modes', async () => {
      const query = rowOf(loadAlice().vectors, 5);
      for (const mode of ['float32', 'binary-rescore'] as const) {
        const hits = await searchCollection(pool, exact, query, {
          k: 20,
          fingerprint: BGE_M3,
          mode,
          filter: { set: 'paragraph' },
        });
        expect(hits).toHaveLength(20);
        for (const hit of hits) expect(hit.metadata).toMatchObject({ set: 'paragraph' });
      }
      const none = await searchCollection(pool, exact, query, {
        k: 5,
        fingerprint: BGE_M3,
        filter: { set: 'poem' },
      });
      expect(none).toEqual([]);
    });

    it('matches filters by JSON equality per key, like local search (arrays exactly, empty filter = all)', async () => {
      const name = uniqueName('filter');
      names.push(name);
      const data = loadAlice();
      const metas: (JsonObject | null)[] = [
        { tags: ['a'] },
        { tags: ['a', 'b'] },
        { tags: ['b'], lang: 'en' },
        null,
      ];
      const rows = metas.map((metadata, r) => ({
        id: `m${r}`,
        text: `t${r}`,
        metadata,
        vector: rowOf(data.vectors, r),
      }));
      await loadCollection(pool, name, { fingerprint: BGE_M3, rows }, { index: 'none' });
      const ids = async (filter: Record<string, unknown>) =>
        (
          await searchCollection(pool, name, rowOf(data.vectors, 0), {
            k: 10,
            fingerprint: BGE_M3,
            filter: filter as never,
          })
        )
          .map((h) => h.id)
          .sort();
      expect(await ids({ tags: ['a'] })).toEqual(['m0']);
      expect(await ids({ tags: ['a', 'b'] })).toEqual(['m1']);
      expect(await ids({ lang: 'en' })).toEqual(['m2']);
      expect(await ids({ lang: 'en', tags: ['a'] })).toEqual([]);
      expect(await ids({})).toEqual(['m0', 'm1', 'm2', 'm3']);
      const hits = await searchCollection(pool, name, rowOf(data.vectors, 3), { k: 1, fingerprint: BGE_M3 });
      expect(hits[0]).toEqual({ id: 'm3', text: 't3', metadata: undefined, score: expect.closeTo(1, 3) });
    });

    it('refuses a query from another model, a wrong-size or non-finite query, bad k and unknown collections', async () => {
      const query = rowOf(loadAlice().vectors, 1);
      const foreign: ModelFingerprint = { ...BGE_M3, modelId: 'Xenova/multilingual-e5-small' };
      const err = await expectCode(
        searchCollection(pool, exact, query, { k: 5, fingerprint: foreign }),
        'MODEL_MISMATCH',
      );
      expect(err.message).toMatch(/modelId: expected "BAAI\/bge-m3", got "Xenova\/multilingual-e5-small"/);
      await expectCode(
        searchCollection(pool, exact, query, { k: 5, fingerprint: { ...BGE_M3, dtype: 'q8' } }),
        'MODEL_MISMATCH',
      );
      await expectCode(
        searchCollection(pool, exact, query.subarray(0, 384), { k: 5, fingerprint: BGE_M3 }),
        'DIMENSION_MISMATCH',
      );
      const nan = query.slice();
      nan[3] = Number.NaN;
      await expectCode(searchCollection(pool, exact, nan, { k: 5, fingerprint: BGE_M3 }), 'NOT_FINITE');
      await expectCode(searchCollection(pool, exact, query, { k: 0, fingerprint: BGE_M3 }), 'INVALID_K');
      await expectCode(searchCollection(pool, exact, query, { k: 2.5, fingerprint: BGE_M3 }), 'INVALID_K');
      await expectCode(
        searchCollection(pool, exact, query, { k: 5, fingerprint: BGE_M3, oversample: 0 }),
        'INVALID_ARGUMENT',
      );
      await expectCode(
        searchCollection(pool, exact, query, { k: 5, fingerprint: BGE_M3, mode: 'hamming' as never }),
        'INVALID_ARGUMENT',
      );
      await expectCode(
        searchCollection(pool, exact, query, { k: 5, fingerprint: BGE_M3, filter: ['x'] as never }),
        'INVALID_ARGUMENT',
      );
      await expectCode(
        searchCollection(pool, 'missing_collection', query, { k: 5, fingerprint: BGE_M3 }),
        'NOT_FOUND',
      );
      await expectCode(
        searchCollection(pool, 'x"; drop table y; --', query, { k: 5, fingerprint: BGE_M3 }),
        'INVALID_ARGUMENT',
      );
      await expectCode(getCollectionInfo(pool, 'nope'), 'NOT_FOUND');
    });

    it('refuses to load vectors of another model into an existing collection, writing nothing', async () => {
      const rows = aliceRows(3).map((r) => ({ ...r, id: `${r.id}-foreign` }));
      await expectCode(
        loadCollection(pool, exact, { fingerprint: { ...BGE_M3, modelId: 'other/model' }, rows }),
        'MODEL_MISMATCH',
      );
      expect((await getCollectionInfo(pool, exact)).count).toBe(1000);
    });

    it('resumes an interrupted load with no row lost or doubled', async () => {
      const name = uniqueName('resume');
      names.push(name);
      const rows = aliceRows(400);
      const controller = new AbortController();
      const seen: number[] = [];
      await expectCode(
        loadCollection(
          pool,
          name,
          { fingerprint: BGE_M3, rows },
          {
            batchSize: 50,
            signal: controller.signal,
            onProgress: (p) => {
              seen.push(p.rowsDone);
              if (p.rowsDone === 150) controller.abort();
            },
          },
        ),
        'ABORTED',
      );
      expect(seen).toEqual([50, 100, 150]);
      expect((await getCollectionInfo(pool, name)).count).toBe(150);

      const resumedFrom: number[] = [];
      const result = await loadCollection(
        pool,
        name,
        { fingerprint: BGE_M3, rows },
        {
          batchSize: 50,
          onProgress: (p) => resumedFrom.push(p.resumedFrom),
        },
      );
      expect(result).toMatchObject({ rowsSkipped: 150, rowsWritten: 250 });
      expect(new Set(resumedFrom)).toEqual(new Set([150]));
      const check = await pool.query(
        `SELECT count(*)::int AS n, count(DISTINCT id)::int AS d, array_agg(id ORDER BY id) AS ids FROM "webembed_c_${name}"`,
      );
      expect(check.rows[0].n).toBe(400);
      expect(check.rows[0].d).toBe(400);
      expect(check.rows[0].ids).toEqual(rows.map((r) => r.id).sort());
      // Each row holds its own vector: searching with it finds it first (halfvec storage: score ~1).
      for (const r of [0, 149, 150, 399]) {
        const [top] = await searchCollection(pool, name, rows[r].vector, {
          k: 1,
          fingerprint: BGE_M3,
          mode: 'float32',
        });
        expect(top.id).toBe(rows[r].id);
        expect(top.score).toBeCloseTo(1, 3);
      }
      // Loading the same rows again upserts in place: still 400 rows.
      await loadCollection(pool, name, { fingerprint: BGE_M3, rows }, { batchSize: 200 });
      expect((await getCollectionInfo(pool, name)).count).toBe(400);
    });

    it('survives a connection dropped mid-load: the rerun resumes with every row exactly once', async () => {
      const name = uniqueName('crash');
      names.push(name);
      const rows = aliceRows(300);
      const client = new pg.Client({ connectionString: db.url });
      await client.connect();
      client.on('error', () => undefined); // the dropped socket reports here too
      const socket = (client as unknown as { connection: { stream: { destroy(): void } } }).connection.stream;
      const err = await expectCode(
        loadCollection(
          client,
          name,
          { fingerprint: BGE_M3, rows },
          {
            batchSize: 50,
            // Drop the connection while the third batch is on its way (as a crash or network cut would).
            onProgress: (p) => {
              if (p.rowsDone === 100) setImmediate(() => socket.destroy());
            },
          },
        ),
        'REMOTE_FAILED',
      );
      expect(err.message).toMatch(/^Postgres failed: /);
      await client.end().catch(() => undefined);
      const committed = (await getCollectionInfo(pool, name)).count;
      expect(committed % 50).toBe(0);
      expect(committed).toBeGreaterThanOrEqual(100);
      expect(committed).toBeLessThan(300);
      const result = await loadCollection(pool, name, { fingerprint: BGE_M3, rows }, { batchSize: 50 });
      expect(result.rowsSkipped).toBe(committed);
      expect(result.rowsSkipped + result.rowsWritten).toBe(300);
      const check = await pool.query(
        `SELECT count(*)::int AS n, count(DISTINCT id)::int AS d FROM "webembed_c_${name}"`,
      );
      expect(check.rows[0]).toEqual({ n: 300, d: 300 });
    });

    it('keeps what committed when a load fails on a bad row, then resumes once the row is fixed', async () => {
      const name = uniqueName('badrow');
      names.push(name);
      const rows = aliceRows(120);
      const broken = rows.map((r, i) => (i === 70 ? { ...r, vector: r.vector.slice(0, 10) } : r));
      const err = await expectCode(
        loadCollection(
          pool,
          name,
          { fingerprint: BGE_M3, rows: broken },
          { batchSize: 30, loadKey: 'import-1' },
        ),
        'DIMENSION_MISMATCH',
      );
      expect(err.message).toMatch(/row 70 \(id "r0070"\) has 10 dimensions; this collection expects 1024/);
      expect((await getCollectionInfo(pool, name)).count).toBe(60);
      const result = await loadCollection(
        pool,
        name,
        { fingerprint: BGE_M3, rows },
        { batchSize: 30, loadKey: 'import-1' },
      );
      expect(result).toMatchObject({ rowsSkipped: 60, rowsWritten: 60 });
      expect((await getCollectionInfo(pool, name)).count).toBe(120);
    });

    it('writes a store snapshot: tombstones left out, halfvec search close to core float search', async () => {
      const data = loadAlice();
      const name = uniqueName('snap');
      names.push(name);
      const rows = 300;
      const vectors = { data: data.vectors.data.subarray(0, rows * 1024), rows, dims: 1024 };
      const skip = new Uint8Array(rows);
      for (let r = 0; r < rows; r += 7) skip[r] = 1;
      const result = await writeCollectionToPostgres(
        {
          name,
          fingerprint: BGE_M3,
          ids: data.ids.slice(0, rows),
          skip,
          float32: vectors,
          texts: data.texts,
          metadata: data.metadata,
        },
        db.url,
        { index: 'both', batchSize: 400 },
      );
      expect(result.rowsWritten).toBe(rows - 43);
      expect(result.indexesCreated.some((i) => i.endsWith('cos_hnsw'))).toBe(true);
      const info = await getCollectionInfo(db.url, name);
      expect(info).toMatchObject({
        storage: 'halfvec',
        count: rows - 43,
        binaryIndex: true,
        floatIndex: true,
      });
      const q = 3;
      const local = searchFloat({ data: rowOf(data.vectors, q), rows: 1, dims: 1024 }, vectors, {
        k: 10,
        metric: 'cosine',
        skip,
      });
      const hits = await searchCollection(pool, name, rowOf(data.vectors, q), {
        k: 10,
        fingerprint: BGE_M3,
        mode: 'float32',
        exact: true,
      });
      const localIds = Array.from(local.indices, (r) => data.ids[r]);
      expect(hits.filter((h) => localIds.includes(h.id)).length).toBeGreaterThanOrEqual(9);
      hits.forEach((h) => {
        expect(skip[data.ids.indexOf(h.id)]).toBe(0);
        const i = localIds.indexOf(h.id);
        if (i >= 0) expect(Math.abs(h.score - local.scores[i])).toBeLessThan(2e-3);
      });
      const viaIndex = await searchCollection(pool, name, rowOf(data.vectors, q), {
        k: 10,
        fingerprint: BGE_M3,
        mode: 'float32',
      });
      expect(viaIndex[0].id).toBe(data.ids[q]);
    });

    it('writes a collection file made by the store codec, and refuses a corrupt one writing nothing', async () => {
      const data = loadAlice();
      const name = uniqueName('file');
      names.push(name);
      const docs = data.ids.slice(0, 60).map((id, r) => ({
        id,
        text: data.texts[r],
        metadata: data.metadata[r],
        vector: rowOf(data.vectors, r),
      }));
      const bytes = encodeCollectionFile(
        buildSnapshot({ name, fingerprint: BGE_M3, kinds: ['float32', 'binary'], docs }),
      );
      const corrupt = bytes.slice();
      corrupt[corrupt.length - 100] ^= 0xff;
      const err = await expectCode(writeCollectionToPostgres(corrupt, pool), 'CORRUPT_FILE');
      expect(err.message.length).toBeGreaterThan(10);
      expect(await listCollections(pool)).not.toContain(name);
      const result = await writeCollectionToPostgres(bytes, pool, { index: 'none' });
      expect(result).toMatchObject({
        collection: name,
        rowsWritten: 60,
        indexesCreated: [`webembed_c_${name}_meta_gin`],
      });
      const info = await getCollectionInfo(pool, name);
      expect(info).toMatchObject({ count: 60, binaryIndex: false, floatIndex: false, fingerprint: BGE_M3 });
      const [top] = await searchCollection(pool, name, rowOf(data.vectors, 42), {
        k: 1,
        fingerprint: BGE_M3,
      });
      expect(top).toMatchObject({ id: data.ids[42], text: data.texts[42], metadata: data.metadata[42] });
    });

    it('refuses bad load inputs with typed errors', async () => {
      const rows = aliceRows(2);
      await expectCode(loadCollection(pool, '1bad', { fingerprint: BGE_M3, rows }), 'INVALID_ARGUMENT');
      await expectCode(
        loadCollection(pool, 'ok', { fingerprint: BGE_M3, rows }, { batchSize: 0 }),
        'INVALID_ARGUMENT',
      );
      await expectCode(
        loadCollection(pool, 'ok', { fingerprint: BGE_M3, rows }, { storage: 'float' as never }),
        'INVALID_ARGUMENT',
      );
      await expectCode(
        loadCollection(pool, 'ok', { fingerprint: BGE_M3, rows }, { index: 'ivf' as never }),
        'INVALID_ARGUMENT',
      );
      await expectCode(loadCollection(pool, 'ok', { rows } as never), 'INVALID_ARGUMENT');
      const name = uniqueName('bad');
      names.push(name);
      await expectCode(
        loadCollection(pool, name, { fingerprint: BGE_M3, rows: [{ ...rows[0], id: '' }] }),
        'INVALID_ARGUMENT',
      );
      await expectCode(
        loadCollection(pool, name, {
          fingerprint: BGE_M3,
          rows: [{ ...rows[0], metadata: new Date() as never }],
        }),
        'INVALID_ARGUMENT',
      );
      await expectCode(
        loadCollection(pool, name, { fingerprint: BGE_M3, rows: [{ ...rows[0], text: 5 as never }] }),
        'NOT_A_STRING',
      );
      await expectCode(
        loadCollection(pool, name, { fingerprint: BGE_M3, rows }, { storage: 'vector' }),
        'INVALID_ARGUMENT',
      );
      await expectCode(
        loadCollection(
          pool,
          uniqueName('wide'),
          { fingerprint: { ...BGE_M3, dims: 1024 }, rows },
          { storage: 'vector', index: 'float', hnsw: { m: 1 } },
        ),
        'INVALID_ARGUMENT',
      );
      await expectCode(
        loadCollection('postgres://nobody@127.0.0.1:1/none', 'x', { fingerprint: BGE_M3, rows }),
        'REMOTE_FAILED',
      );
    });
  });
}
