/**
 * A Postgres restart under load: the PGlite socket server is stopped (every connection dropped,
 * open transactions rolled back, the data kept) and started again on the same port while a bulk
 * load runs and three clients query the service without pause. The service must stay up, answer
 * coded 503s while the database is down and real hits again after, and the load must finish with
 * every row exactly once.
 */
import { type ModelFingerprint, isWebEmbedError } from '@webembed/core';
import type { FastifyInstance } from 'fastify';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createRemoteClient } from '../src/client.js';
import { createSearchService, loadCollection, searchCollection } from '../src/index.js';
import { BGE_M3 } from './helpers/data.js';
import { type TestPostgres, startPostgres } from './helpers/postgres.js';

const DIMS = 32;
const ROWS = 3000;
const BATCH = 100;
const FP: ModelFingerprint = { ...BGE_M3, modelId: 'test/restart', dims: DIMS };
const API_KEY = 'restart-key-0123';

/** Deterministic pseudo-random vectors, row-major. */
function matrix(rows: number): Float32Array {
  const data = new Float32Array(rows * DIMS);
  let state = 0x9e3779b9;
  for (let i = 0; i < data.length; i++) {
    state = (state * 1664525 + 1013904223) >>> 0;
    data[i] = state / 2 ** 32 - 0.5;
  }
  return data;
}

const uncaught: unknown[] = [];
const record = (err: unknown) => uncaught.push(err);
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

let db: TestPostgres;
let pool: pg.Pool;
let app: FastifyInstance;
let baseUrl: string;

beforeAll(async () => {
  process.on('uncaughtException', record);
  db = await startPostgres({ kind: 'pglite', url: undefined });
  pool = new pg.Pool({ connectionString: db.url, max: 2 });
  pool.on('error', () => undefined); // the test's own pool
  const data = matrix(200);
  await loadCollection(pool, 'queried', {
    fingerprint: FP,
    ids: Array.from({ length: 200 }, (_, r) => `q${r}`),
    vectors: { data, rows: 200, dims: DIMS },
  });
  app = createSearchService({ database: db.url, apiKey: API_KEY });
  baseUrl = await app.listen({ port: 0, host: '127.0.0.1' });
}, 120_000);

afterAll(async () => {
  process.off('uncaughtException', record);
  await app?.close();
  await pool?.end();
  await db?.stop();
});

describe('a Postgres restart under load', () => {
  it('keeps the service up (coded 503s while down, hits after) and the load finishes with every row once', async () => {
    const client = createRemoteClient({ url: `${baseUrl}/collections/queried`, apiKey: API_KEY });
    const queryVectors = matrix(200);
    const outcomes = { ok: 0, okAfterRestart: 0, unavailable: 0, other: [] as string[] };
    let inFlight = 0;
    let inFlightAtDown = -1;
    let phase: 'before' | 'down' | 'after' = 'before';
    let stop = false;
    const queryLoop = async (worker: number) => {
      for (let q = worker; !stop; q += 3) {
        const r = q % 200;
        inFlight += 1;
        try {
          const { hits } = await client.search({
            vector: Array.from(queryVectors.subarray(r * DIMS, (r + 1) * DIMS)),
            fingerprint: FP,
            k: 5,
            mode: 'float32',
            exact: true,
          });
          if (hits[0]?.id !== `q${r}`) outcomes.other.push(`wrong top hit ${hits[0]?.id} for q${r}`);
          outcomes.ok += 1;
          if (phase === 'after') outcomes.okAfterRestart += 1;
        } catch (err) {
          const status = (err as { details?: { status?: number } }).details?.status;
          if (isWebEmbedError(err, 'REMOTE_FAILED') && status === 503) outcomes.unavailable += 1;
          else outcomes.other.push(String(err));
          await sleep(20);
        } finally {
          inFlight -= 1;
        }
      }
    };
    const queries = [0, 1, 2].map(queryLoop);

    const data = matrix(ROWS);
    const ids = Array.from({ length: ROWS }, (_, r) => `row${String(r).padStart(5, '0')}`);
    let restart: Promise<void> | null = null;
    let rowsAtDown = -1;
    const reconnects: number[] = [];
    const load = loadCollection(
      db.url,
      'loaded',
      { fingerprint: FP, ids, vectors: { data, rows: ROWS, dims: DIMS }, metadata: (r) => ({ r }) },
      {
        batchSize: BATCH,
        retryDelayMs: 100,
        onReconnect: ({ attempt }) => reconnects.push(attempt),
        onProgress: (p) => {
          if (p.phase !== 'rows' || p.rowsDone < 5 * BATCH || restart) return;
          rowsAtDown = p.rowsDone;
          restart = (async () => {
            inFlightAtDown = inFlight;
            phase = 'down';
            await db.down();
            await sleep(1500);
            await db.up();
            phase = 'after';
          })();
        },
      },
    );
    let result: Awaited<typeof load>;
    try {
      result = await load;
      await restart;
      // Queries resume once the database is back.
      const deadline = Date.now() + 15_000;
      while (outcomes.okAfterRestart < 10 && Date.now() < deadline) await sleep(50);
    } finally {
      stop = true;
      await restart;
      await Promise.all(queries);
    }

    console.log(
      `restart: load restarted at ${rowsAtDown}/${ROWS} rows, ${reconnects.length} reconnections; queries ok ${outcomes.ok} (after restart ${outcomes.okAfterRestart}), 503 ${outcomes.unavailable}, in flight at the stop ${inFlightAtDown}`,
    );
    expect(uncaught).toEqual([]);
    expect(outcomes.other).toEqual([]);
    expect(rowsAtDown).toBeGreaterThan(0);
    expect(rowsAtDown).toBeLessThan(ROWS);
    expect(reconnects.length).toBeGreaterThan(0);
    expect(inFlightAtDown).toBeGreaterThan(0);
    expect(outcomes.unavailable).toBeGreaterThan(0);
    expect(outcomes.okAfterRestart).toBeGreaterThanOrEqual(10);

    // Every row exactly once, with its own vector.
    expect(result.rowsWritten + result.rowsSkipped).toBe(ROWS);
    const counts = await pool.query<{ n: string; distinct_ids: string }>(
      'SELECT count(*)::text AS n, count(DISTINCT id)::text AS distinct_ids FROM "webembed_c_loaded"',
    );
    expect(counts.rows[0]).toEqual({ n: String(ROWS), distinct_ids: String(ROWS) });
    const stored = await pool.query<{ id: string }>('SELECT id FROM "webembed_c_loaded" ORDER BY id');
    expect(stored.rows.map((row) => row.id)).toEqual(ids);
    for (const r of [0, 499, 500, 1234, ROWS - 1]) {
      const [top] = await searchCollection(pool, 'loaded', data.subarray(r * DIMS, (r + 1) * DIMS), {
        fingerprint: FP,
        k: 1,
        mode: 'float32',
        exact: true,
      });
      expect(top.id).toBe(ids[r]);
      expect(top.score).toBeCloseTo(1, 2);
      expect(top.metadata).toEqual({ r });
    }
    const progress = await pool.query<{ rows_done: string; finished: boolean }>(
      `SELECT rows_done::text, finished FROM webembed_loads WHERE collection = 'loaded'`,
    );
    expect(progress.rows).toEqual([{ rows_done: String(ROWS), finished: true }]);
  }, 120_000);
});
