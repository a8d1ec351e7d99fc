/**
 * The search service from outside: each defect found by feeding it bad inputs and faults (issue
 * 17) has a test here that failed before its fix. PGlite over the wire protocol only, since the
 * faults (a stopped server) are injected by stopping PGlite's socket server.
 */
import { type ModelFingerprint, isWebEmbedError } from '@webembed/core';
import type { FastifyInstance } from 'fastify';
import pg from 'pg';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { createSearchService, loadCollection, searchCollection } from '../src/index.js';
import { BGE_M3 } from './helpers/data.js';
import { type TestPostgres, startPostgres } from './helpers/postgres.js';

const DIMS = 16;
const FP: ModelFingerprint = { ...BGE_M3, modelId: 'test/hardening', dims: DIMS };
const API_KEY = 'hardening-key-0123';

/** Deterministic pseudo-random unit vectors (row r, dimension i). */
function unitRow(r: number): Float32Array {
  const v = new Float32Array(DIMS);
  let norm = 0;
  for (let i = 0; i < DIMS; i++) {
    v[i] = Math.sin(r * 12.9898 + i * 78.233) * 43758.5453;
    v[i] -= Math.floor(v[i]) + 0.5;
    norm += v[i] * v[i];
  }
  for (let i = 0; i < DIMS; i++) v[i] /= Math.sqrt(norm);
  return v;
}

const rows = Array.from({ length: 60 }, (_, r) => ({
  id: `d${String(r).padStart(3, '0')}`,
  text: `document ${r}`,
  metadata: { n: r, parity: r % 2 ? 'odd' : 'even' },
  vector: unitRow(r),
}));

/** Uncaught exceptions seen while a test ran (a dropped connection used to raise one). */
const uncaught: unknown[] = [];
const record = (err: unknown) => uncaught.push(err);

let db: TestPostgres;
let pool: pg.Pool;
const apps: FastifyInstance[] = [];

function service(options: Partial<Parameters<typeof createSearchService>[0]> = {}): FastifyInstance {
  const app = createSearchService({ database: pool, apiKey: API_KEY, ...options });
  apps.push(app);
  return app;
}

const search = (app: FastifyInstance, name: string, body: unknown, headers = { 'x-api-key': API_KEY }) =>
  app.inject({ method: 'POST', url: `/collections/${name}/search`, payload: body as object, headers });

beforeAll(async () => {
  process.on('uncaughtException', record);
  db = await startPostgres({ kind: 'pglite', url: undefined });
  pool = new pg.Pool({ connectionString: db.url, max: 3 });
  pool.on('error', () => undefined); // the test's own pool; the service's pools are what is under test
  await loadCollection(pool, 'half', { fingerprint: FP, rows }, { storage: 'halfvec' });
  await loadCollection(pool, 'full', { fingerprint: FP, rows }, { storage: 'vector' });
}, 120_000);

afterEach(async () => {
  while (apps.length > 0) await apps.pop()?.close();
});

afterAll(async () => {
  process.off('uncaughtException', record);
  await pool?.end();
  await db?.stop();
});

/** Waits until `check` passes (or fails the test after `ms`). */
async function eventually(check: () => Promise<boolean>, ms = 10_000): Promise<void> {
  const deadline = Date.now() + ms;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`condition not met within ${ms} ms`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

describe('query vectors the database cannot score', () => {
  it('a zero query vector is a 400 ZERO_VECTOR, like local search (was 200 with score: null hits)', async () => {
    const app = service();
    for (const name of ['half', 'full']) {
      for (const mode of ['float32', 'binary-rescore']) {
        const res = await search(app, name, { vector: new Array(DIMS).fill(0), fingerprint: FP, mode });
        expect(res.statusCode, `${name} ${mode}: ${res.body.slice(0, 200)}`).toBe(400);
        expect(res.json().error.code).toBe('ZERO_VECTOR');
      }
    }
    // Values too small for float16 become a zero halfvec: refused the same way.
    const tiny = await search(app, 'half', { vector: new Array(DIMS).fill(1e-9), fingerprint: FP });
    expect(tiny.statusCode).toBe(400);
    expect(tiny.json().error.code).toBe('ZERO_VECTOR');
    // The library call refuses it too.
    const direct = await searchCollection(pool, 'half', new Float32Array(DIMS), { fingerprint: FP }).catch(
      (e: unknown) => e,
    );
    expect(isWebEmbedError(direct, 'ZERO_VECTOR')).toBe(true);
  });

  it('values past the float16 range are a 400 NOT_FINITE naming the limit (was 503 with Postgres’ message)', async () => {
    const app = service();
    const big = Array.from(unitRow(1));
    big[3] = 1e6;
    const res = await search(app, 'half', { vector: big, fingerprint: FP });
    expect(res.statusCode, res.body.slice(0, 200)).toBe(400);
    expect(res.json().error).toMatchObject({ code: 'NOT_FINITE', details: { index: 3 } });
    expect(res.json().error.message).toMatch(/65504/);
    // The largest float16 is fine, and the hits are real scores.
    const edge = Array.from(unitRow(1));
    edge[3] = 65504;
    const ok = await search(app, 'half', { vector: edge, fingerprint: FP, mode: 'float32' });
    expect(ok.statusCode).toBe(200);
    for (const hit of ok.json().hits) expect(typeof hit.score).toBe('number');
    // float32 storage: past float32, or a squared norm float32 cannot hold.
    const huge = Array.from(unitRow(1));
    huge[0] = 1e39;
    const past = await search(app, 'full', { vector: huge, fingerprint: FP });
    expect(past.statusCode).toBe(400);
    expect(past.json().error.code).toBe('NOT_FINITE');
    const overflowing = await search(app, 'full', {
      vector: new Array(DIMS).fill(1e20),
      fingerprint: FP,
      mode: 'float32',
    });
    expect(overflowing.statusCode, overflowing.body.slice(0, 200)).toBe(400);
    expect(overflowing.json().error.code).toBe('NOT_FINITE');
  });
  it('a stored zero row scores 0 as in local search (was score: null)', async () => {
    const withZero = [
      ...rows.slice(0, 5),
      { id: 'zero', text: 'empty', metadata: { n: -1 }, vector: new Float32Array(DIMS) },
    ];
    await loadCollection(
      pool,
      'zeros',
      { fingerprint: FP, rows: withZero },
      { storage: 'halfvec', index: 'none' },
    );
    const app = service();
    for (const body of [
      { mode: 'float32', exact: true },
      { mode: 'float32' },
      { mode: 'binary-rescore', oversample: 2 },
    ]) {
      const res = await search(app, 'zeros', {
        vector: Array.from(unitRow(1)),
        fingerprint: FP,
        k: 6,
        ...body,
      });
      expect(res.statusCode).toBe(200);
      const hits = res.json().hits as { id: string; score: unknown }[];
      for (const hit of hits) expect(typeof hit.score, `${JSON.stringify(body)} ${hit.id}`).toBe('number');
      const zero = hits.find((h) => h.id === 'zero');
      if (zero) expect(zero.score).toBe(0);
    }
    const exact = await search(app, 'zeros', {
      vector: Array.from(unitRow(1)),
      fingerprint: FP,
      k: 6,
      mode: 'float32',
      exact: true,
    });
    // Ranked where a score of 0 belongs: below every positive score, above every negative one.
    const scores = (exact.json().hits as { score: number }[]).map((h) => h.score);
    expect(scores).toEqual([...scores].sort((a, b) => b - a));
    expect(scores).toContain(0);
  });
});

describe('filters', () => {
  // Built as text: JSON.stringify itself overflows the stack on such objects.
  const nestedBody = (depth: number) =>
    `{"vector":${JSON.stringify(Array.from(unitRow(2)))},"fingerprint":${JSON.stringify(FP)},"filter":${'{"a":'.repeat(depth)}1${'}'.repeat(depth)}}`;
  const post = (app: FastifyInstance, payload: string) =>
    app.inject({
      method: 'POST',
      url: '/collections/half/search',
      payload,
      headers: { 'x-api-key': API_KEY, 'content-type': 'application/json' },
    });

  it('a filter nested thousands deep is a 400 INVALID_ARGUMENT (was a 500 from a stack overflow)', async () => {
    const app = service({ bodyLimit: 4 * 1024 * 1024 });
    for (const depth of [5000, 100_000, 40]) {
      const res = await post(app, nestedBody(depth));
      expect(res.statusCode, `depth ${depth}: ${res.body.slice(0, 200)}`).toBe(400);
      expect(res.json().error.code).toBe('INVALID_ARGUMENT');
      expect(res.json().error.message).toMatch(/nested deeper than 32/);
    }
    const wide = Object.fromEntries(Array.from({ length: 5000 }, (_, i) => [`k${i}`, i]));
    const res = await search(app, 'half', { vector: Array.from(unitRow(2)), fingerprint: FP, filter: wide });
    expect(res.statusCode).toBe(400);
    expect(res.json().error.message).toMatch(/more than 1000 values/);
    // A reasonable nested filter still works.
    const fine = await post(app, nestedBody(10));
    expect(fine.statusCode).toBe(200);
    expect(fine.json().hits).toEqual([]);
    // The library call bounds it the same way.
    let deep: unknown = 1;
    for (let i = 0; i < 5000; i++) deep = { a: deep };
    const direct = await searchCollection(pool, 'half', unitRow(2), {
      fingerprint: FP,
      filter: deep as Record<string, never>,
    }).catch((e: unknown) => e);
    expect(isWebEmbedError(direct, 'INVALID_ARGUMENT'), String(direct)).toBe(true);
  });
  it('strings Postgres cannot store are a 400 (filter) or refused before writing (load), not a 503', async () => {
    const app = service();
    for (const filter of [
      { parity: 'a\u0000b' },
      { 'k\u0000': 1 },
      { parity: '\ud800' },
      { tags: ['x\udc00'] },
    ]) {
      const res = await search(app, 'half', { vector: Array.from(unitRow(2)), fingerprint: FP, filter });
      expect(res.statusCode, `${JSON.stringify(filter)}: ${res.body.slice(0, 200)}`).toBe(400);
      expect(res.json().error.code).toBe('INVALID_ARGUMENT');
    }
    const count = async () =>
      (await pool.query<{ n: string }>('SELECT count(*)::text AS n FROM "webembed_c_half"')).rows[0].n;
    const before = await count();
    for (const bad of [
      { id: 'new-2', text: 'nul \u0000 inside', vector: unitRow(7) },
      { id: 'new-\ud800', text: 'lone surrogate id', vector: unitRow(7) },
      { id: 'new-3', text: 'meta', metadata: { 'a\u0000': 1 }, vector: unitRow(7) },
    ]) {
      const err = await loadCollection(pool, 'half', {
        fingerprint: FP,
        rows: [{ id: 'new-1', text: 'fine', vector: unitRow(6) }, bad],
      }).catch((e: unknown) => e);
      expect(isWebEmbedError(err, 'INVALID_ARGUMENT'), String(err)).toBe(true);
      expect((err as Error).message).toMatch(/row 1/);
    }
    expect(await count()).toBe(before);
  });
});

describe('listening', () => {
  it('refuses a non-loopback address without an API key unless insecure: true', async () => {
    const open = createSearchService({ database: pool, apiKey: process.env.WEBEMBED_UNSET_KEY_FOR_TEST });
    apps.push(open);
    for (const host of ['0.0.0.0', '::', '192.0.2.10']) {
      const err = await open.listen({ port: 0, host }).catch((e: unknown) => e);
      expect(isWebEmbedError(err, 'INVALID_ARGUMENT'), `${host}: ${String(err)}`).toBe(true);
      expect((err as Error).message).toMatch(/without an apiKey.*insecure: true/);
    }
    expect(open.server.listening).toBe(false);
    const local = service({ apiKey: undefined });
    expect(await local.listen({ port: 0, host: '127.0.0.1' })).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
    const keyed = service();
    await keyed.listen({ port: 0, host: '0.0.0.0' });
    expect(keyed.server.listening).toBe(true);
    const insecure = service({ apiKey: undefined, insecure: true });
    await insecure.listen({ port: 0, host: '0.0.0.0' });
    expect(insecure.server.listening).toBe(true);
  });
});

describe('CORS', () => {
  it('answers preflights for allowed origins only, and marks their responses', async () => {
    const app = service({ corsOrigins: ['https://app.example', 'http://localhost:5173'] });
    const preflight = (origin: string) =>
      app.inject({
        method: 'OPTIONS',
        url: '/collections/half/search',
        headers: {
          origin,
          'access-control-request-method': 'POST',
          'access-control-request-headers': 'content-type, x-api-key',
        },
      });
    const allowed = await preflight('https://app.example');
    expect(allowed.statusCode).toBe(204);
    expect(allowed.headers['access-control-allow-origin']).toBe('https://app.example');
    expect(String(allowed.headers['access-control-allow-methods'])).toMatch(/POST/);
    expect(String(allowed.headers['access-control-allow-headers'])).toMatch(/x-api-key/);
    expect(String(allowed.headers.vary)).toMatch(/Origin/);
    const other = await preflight('https://evil.example');
    expect(other.statusCode).toBe(403);
    expect(other.headers['access-control-allow-origin']).toBeUndefined();
    expect(other.json().error.code).toBe('INVALID_ARGUMENT');
    const real = await app.inject({
      method: 'GET',
      url: '/collections/half',
      headers: { origin: 'http://localhost:5173', 'x-api-key': API_KEY },
    });
    expect(real.statusCode).toBe(200);
    expect(real.headers['access-control-allow-origin']).toBe('http://localhost:5173');
    const foreign = await app.inject({
      method: 'GET',
      url: '/collections/half',
      headers: { origin: 'https://evil.example', 'x-api-key': API_KEY },
    });
    expect(foreign.headers['access-control-allow-origin']).toBeUndefined();
    expect(() => service({ corsOrigins: ['*'] })).toThrow(/origin/);
  });
});

describe('load shedding', () => {
  it('answers 429 with Retry-After past maxConcurrentQueries, and serves again once queries finish', async () => {
    let release: () => void = () => undefined;
    const gate = new Promise<void>((resolve) => {
      release = resolve;
    });
    const app = service({
      maxConcurrentQueries: 2,
      embedQuery: async () => {
        await gate;
        return { vector: unitRow(5), fingerprint: FP };
      },
    });
    const held = [search(app, 'half', { text: 'a' }), search(app, 'half', { text: 'b' })];
    await new Promise((resolve) => setTimeout(resolve, 50));
    const third = await Promise.race([
      search(app, 'half', { text: 'c' }),
      new Promise<null>((resolve) => setTimeout(() => resolve(null), 3000)),
    ]);
    expect(third, 'the third concurrent query was not refused').not.toBeNull();
    expect(third?.statusCode).toBe(429);
    expect(third?.headers['retry-after']).toBe('1');
    expect(third?.json().error).toMatchObject({ code: 'REMOTE_FAILED', details: { limit: 2 } });
    release();
    for (const res of await Promise.all(held)) expect(res.statusCode).toBe(200);
    expect((await search(app, 'half', { text: 'd' })).statusCode).toBe(200);
  });
});

describe('a database that goes away', () => {
  it('survives dropped connections, answers 503 without connection details, and recovers', async () => {
    const url = db.url.replace('postgres@', 'postgres:s3cret-password@');
    const app = createSearchService({ database: url, apiKey: API_KEY });
    apps.push(app);
    const info = () =>
      app.inject({ method: 'GET', url: '/collections/half', headers: { 'x-api-key': API_KEY } });
    expect((await info()).statusCode).toBe(200); // the service's pool now holds an idle connection
    await db.down();
    try {
      await new Promise((resolve) => setTimeout(resolve, 300)); // the idle connection's end arrives
      expect(uncaught).toEqual([]);
      const down = await info();
      expect(down.statusCode).toBe(503);
      expect(down.headers['retry-after']).toBe('1');
      expect(down.json().error.code).toBe('REMOTE_FAILED');
      const port = new URL(db.url).port;
      for (const secret of ['s3cret', '127.0.0.1', port, 'postgres://', 'ECONNREFUSED']) {
        expect(down.body).not.toContain(secret);
      }
      const searched = await search(app, 'half', { vector: Array.from(unitRow(3)), fingerprint: FP });
      expect(searched.statusCode).toBe(503);
      expect(searched.body).not.toContain(port);
    } finally {
      await db.up();
    }
    await eventually(async () => (await info()).statusCode === 200);
    expect(uncaught).toEqual([]);
  });

  it('reports the database state on GET /health (no API key, no details)', async () => {
    const app = service();
    const health = () => app.inject({ method: 'GET', url: '/health' });
    const ok = await health();
    expect(ok.statusCode).toBe(200);
    expect(ok.json()).toEqual({ status: 'ok', database: 'ok' });
    await db.down();
    try {
      const sick = await health();
      expect(sick.statusCode).toBe(503);
      expect(sick.json()).toEqual({ status: 'unavailable', database: 'unreachable' });
    } finally {
      await db.up();
    }
    await eventually(async () => (await health()).statusCode === 200);
  });
});
