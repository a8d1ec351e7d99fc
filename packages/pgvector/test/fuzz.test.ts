/**
 * Property tests of the search service's request bodies (fast-check), against a real collection
 * on PGlite. Whatever the body (random JSON, a good request with one field broken, NaN or huge k,
 * odd vectors, deep or odd filters, wrong types, text that is not JSON), the service answers
 * either a coded 4xx with a JSON error body, or 200 with hits that are right: each score the
 * cosine of that row, best first, within the filter, and for exact search no better row left out.
 * Never a 5xx, a crash or a hang. The number of generated cases is printed.
 */
import { type ModelFingerprint, cosine, fromFloat16, toFloat16 } from '@webembed/core';
import { REMOTE_ERROR_CODES } from '@webembed/remote';
import { filterPredicate } from '@webembed/store';
import type { FastifyInstance } from 'fastify';
import fc from 'fast-check';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type JsonObject, createSearchService, loadCollection } from '../src/index.js';
import { BGE_M3 } from './helpers/data.js';
import { type TestPostgres, startPostgres } from './helpers/postgres.js';

const DIMS = 8;
const ROWS = 40;
const FP: ModelFingerprint = { ...BGE_M3, modelId: 'test/fuzz', dims: DIMS };
const API_KEY = 'fuzz-key-0123456789';
const SEED = Number(process.env.FUZZ_SEED ?? 20260917);

function vectorOf(r: number): Float32Array {
  const v = new Float32Array(DIMS);
  for (let i = 0; i < DIMS; i++) v[i] = Math.sin(r * 3.1 + i * 1.7) + (i === r % DIMS ? 1 : 0);
  return v;
}
const metadataOf = (r: number): JsonObject => ({
  n: r,
  parity: r % 2 ? 'odd' : 'even',
  tags: r % 3 ? ['a', 'b'] : ['a'],
  nested: { bucket: r % 4 },
  ...(r % 5 === 0 ? { note: null } : {}),
});
const rows = Array.from({ length: ROWS }, (_, r) => ({
  id: `f${String(r).padStart(2, '0')}`,
  text: `row ${r}`,
  metadata: metadataOf(r),
  vector: vectorOf(r),
}));
/** What halfvec stores: every value rounded to float16. */
const half = (v: ArrayLike<number>) => fromFloat16(toFloat16(Float32Array.from(v)));
const stored = rows.map((row) => half(row.vector));

/** Text queries embed as a row's vector (by a hash of the text), plus a little of the text's length. */
function embedText(text: string): Float32Array {
  let hash = 7;
  for (const ch of text) hash = (hash * 31 + (ch.codePointAt(0) ?? 0)) >>> 0;
  const v = vectorOf(hash % ROWS);
  v[0] += (text.length % 7) / 10;
  return v;
}

let db: TestPostgres;
let pool: pg.Pool;
let app: FastifyInstance;

beforeAll(async () => {
  db = await startPostgres({ kind: 'pglite', url: undefined });
  pool = new pg.Pool({ connectionString: db.url, max: 2 });
  await loadCollection(pool, 'fz', { fingerprint: FP, rows }, { storage: 'halfvec', index: 'binary' });
  app = createSearchService({
    database: pool,
    apiKey: API_KEY,
    bodyLimit: 256 * 1024,
    embedQuery: async (text) => ({ vector: embedText(text), fingerprint: FP }),
  });
}, 120_000);

afterAll(async () => {
  await app?.close();
  await pool?.end();
  await db?.stop();
});

// ---- arbitraries ---------------------------------------------------------------------------

const oddNumber = fc.oneof(
  fc.double(),
  fc.constantFrom(0, -0, 1e-9, 1e-40, 65504, 65520, -1e6, 1e20, 3.5e38, 1e308, -1e308, Number.MIN_VALUE),
  fc.integer(),
);
const anyJson = fc.jsonValue({ maxDepth: 2 });
/** Values taken from the rows' metadata, so that many filters match something. */
const metadataValue = fc.constantFrom<[string, unknown]>(
  ...rows.flatMap((row) => Object.entries(row.metadata as Record<string, unknown>)),
);
const matchingFilter = fc
  .uniqueArray(metadataValue, { maxLength: 3, selector: ([key]) => key })
  .map((entries) => Object.fromEntries(entries) as JsonObject);

/** A request the service should answer with hits. */
const validRequest = fc
  .record(
    {
      query: fc.oneof(
        fc.record({
          vector: fc.array(fc.double({ min: -2, max: 2, noNaN: true }), { minLength: DIMS, maxLength: DIMS }),
          fingerprint: fc.constant(FP),
        }),
        fc.record({ text: fc.string({ minLength: 1, maxLength: 40, unit: 'binary' }) }),
      ),
      k: fc.option(fc.integer({ min: 1, max: 50 }), { nil: undefined }),
      mode: fc.option(fc.constantFrom('float32', 'binary-rescore'), { nil: undefined }),
      oversample: fc.option(fc.integer({ min: 1, max: 20 }), { nil: undefined }),
      filter: fc.option(matchingFilter, { nil: undefined }),
      exact: fc.option(fc.boolean(), { nil: undefined }),
    },
    { requiredKeys: ['query'] },
  )
  .map(({ query, ...rest }) => {
    const request: Record<string, unknown> = { ...query };
    for (const [key, v] of Object.entries(rest)) if (v !== undefined) request[key] = v;
    return request;
  });

const deepFilter = fc.integer({ min: 0, max: 60 }).map((depth) => {
  let filter: unknown = 1;
  for (let i = 0; i < depth; i++) filter = { nested: filter };
  return filter;
});
const oddString = fc.constantFrom('\u0000', 'a\u0000b', '\ud800', 'x\udc00y', '\u{1F600}', 'é', '');
/** One way of breaking (or bending) a request: a field set to something odd, or taken away. */
const mutation: fc.Arbitrary<(request: Record<string, unknown>) => void> = fc.oneof(
  fc
    .tuple(
      fc.constantFrom('vector', 'fingerprint', 'text', 'k', 'mode', 'oversample', 'filter', 'exact', 'extra'),
      fc.oneof(oddNumber, anyJson, fc.string({ maxLength: 6 }), fc.constant(null)),
    )
    .map(([key, v]) => (r: Record<string, unknown>) => {
      r[key] = v;
    }),
  fc
    .constantFrom('vector', 'fingerprint', 'text', 'k', 'mode', 'filter')
    .map((key) => (r: Record<string, unknown>) => {
      delete r[key];
    }),
  fc
    .array(fc.oneof(fc.double({ min: -2, max: 2, noNaN: true }), oddNumber), {
      minLength: DIMS,
      maxLength: DIMS,
    })
    .map((vector) => (r: Record<string, unknown>) => {
      r.vector = vector;
      r.fingerprint = FP;
      delete r.text;
    }),
  fc
    .constantFrom(new Array(DIMS).fill(0), new Array(DIMS).fill(1e-9), [1, 2, 3], [])
    .map((vector) => (r: Record<string, unknown>) => {
      r.vector = vector;
      r.fingerprint = FP;
      delete r.text;
    }),
  fc
    .tuple(fc.constantFrom(...(Object.keys(FP) as (keyof ModelFingerprint)[])), anyJson)
    .map(([key, v]) => (r: Record<string, unknown>) => {
      r.fingerprint = { ...FP, [key]: v };
    }),
  fc
    .oneof(
      deepFilter,
      fc.tuple(oddString, oddString).map(([key, v]) => ({ [key]: v, parity: v })),
      fc.dictionary(fc.string({ maxLength: 5 }), fc.jsonValue({ maxDepth: 3 }), { maxKeys: 4 }),
      fc.integer({ min: 990, max: 1010 }).map((n) => ({ list: Array.from({ length: n }, (_, i) => i) })),
    )
    .map((filter) => (r: Record<string, unknown>) => {
      r.filter = filter;
    }),
  fc.constantFrom('', ' ', 'x'.repeat(20_001)).map((text) => (r: Record<string, unknown>) => {
    r.text = text;
    delete r.vector;
    delete r.fingerprint;
  }),
);
/** Mostly a good request with one to three things broken, sometimes a good one, sometimes any JSON. */
const body = fc.oneof(
  { weight: 3, arbitrary: validRequest },
  {
    weight: 6,
    arbitrary: fc
      .tuple(validRequest, fc.array(mutation, { minLength: 1, maxLength: 3 }))
      .map(([request, changes]) => {
        for (const change of changes) change(request);
        return request as unknown;
      }),
  },
  { weight: 1, arbitrary: fc.jsonValue({ maxDepth: 3 }) },
);

type Outcome = { status: number; kind: 'hits' | 'error' };

async function checkResponse(
  request: unknown,
  res: Awaited<ReturnType<FastifyInstance['inject']>>,
): Promise<Outcome> {
  const where = `${res.statusCode} for ${JSON.stringify(request)?.slice(0, 300)}: ${res.body.slice(0, 300)}`;
  expect(res.statusCode, where).toBeLessThan(500);
  const payload = JSON.parse(res.body) as Record<string, unknown>;
  if (res.statusCode >= 400) {
    expect([400, 404, 409, 413, 415], where).toContain(res.statusCode);
    const error = payload.error as { code: unknown; message: unknown };
    expect(REMOTE_ERROR_CODES.has(error?.code as never), where).toBe(true);
    expect(typeof error.message === 'string' && error.message.length > 0, where).toBe(true);
    return { status: res.statusCode, kind: 'error' };
  }
  expect(res.statusCode, where).toBe(200);
  const b = request as Record<string, unknown>;
  const query = half(b.text !== undefined ? embedText(b.text as string) : (b.vector as number[]));
  const k = (b.k as number | undefined) ?? 10;
  const matches = filterPredicate((b.filter as JsonObject | undefined) ?? {});
  const wanted = rows.map((row, r) => ({ row, r })).filter(({ row }) => matches(row.metadata, row.id));
  const hits = payload.hits as { id: string; score: number; metadata?: unknown; text: string }[];
  expect(hits.length, where).toBeLessThanOrEqual(Math.min(k, wanted.length));
  expect(new Set(hits.map((h) => h.id)).size, where).toBe(hits.length);
  const scoreOf = new Map(wanted.map(({ row, r }) => [row.id, cosine(query, stored[r])]));
  hits.forEach((hit, i) => {
    expect(scoreOf.has(hit.id), `${where}: ${hit.id} is not within the filter`).toBe(true);
    expect(Number.isFinite(hit.score), where).toBe(true);
    expect(
      Math.abs(hit.score - (scoreOf.get(hit.id) as number)),
      `${where}: score of ${hit.id}`,
    ).toBeLessThan(2e-3);
    if (i > 0) expect(hit.score, `${where}: order`).toBeLessThanOrEqual(hits[i - 1].score + 1e-6);
  });
  if ((b.mode ?? 'binary-rescore') === 'float32') {
    // Exact search: k hits (or every matching row), and no row left out scores better.
    expect(hits.length, where).toBe(Math.min(k, wanted.length));
    const returned = new Set(hits.map((h) => h.id));
    const lowest = hits.at(-1)?.score ?? Number.POSITIVE_INFINITY;
    for (const [id, score] of scoreOf) {
      if (!returned.has(id)) expect(score, `${where}: ${id} left out`).toBeLessThanOrEqual(lowest + 2e-3);
    }
  }
  return { status: 200, kind: 'hits' };
}

const post = (payload: string, contentType = 'application/json', name = 'fz') =>
  app.inject({
    method: 'POST',
    url: `/collections/${name}/search`,
    payload,
    headers: { 'x-api-key': API_KEY, 'content-type': contentType },
  });

describe('fuzzing the search service', () => {
  it('answers every generated body with a coded 4xx or right hits, never a 5xx', async () => {
    const tally = { cases: 0, hits: 0, errors: new Map<number, number>() };
    const count = (outcome: Outcome) => {
      tally.cases += 1;
      if (outcome.kind === 'hits') tally.hits += 1;
      else tally.errors.set(outcome.status, (tally.errors.get(outcome.status) ?? 0) + 1);
    };
    await fc.assert(
      fc.asyncProperty(body, async (request) => {
        count(await checkResponse(request, await post(JSON.stringify(request) ?? 'null')));
      }),
      { numRuns: 500, seed: SEED },
    );
    // Bodies that are not (all) JSON: truncated, garbage, the wrong content type.
    await fc.assert(
      fc.asyncProperty(
        fc.oneof(
          body.chain((b) => fc.nat({ max: 400 }).map((cut) => (JSON.stringify(b) ?? '').slice(0, cut))),
          fc.string({ maxLength: 200, unit: 'binary' }),
          fc.constantFrom('{"vector":[NaN],"fingerprint":{}}', '{"k":1e400}', '[', '{"k":1,"k":2}', '\u0000'),
        ),
        fc.constantFrom('application/json', 'application/json; charset=utf-8', 'text/plain'),
        async (payload, contentType) => {
          const res = await post(payload, contentType);
          expect(
            res.statusCode,
            `${res.statusCode} for ${JSON.stringify(payload).slice(0, 200)}`,
          ).toBeLessThan(500);
          let parsed: unknown = null;
          try {
            parsed = JSON.parse(payload);
          } catch {
            // not JSON: must be refused
          }
          if (res.statusCode === 200) count(await checkResponse(parsed, res));
          else count(await checkResponse(payload, res));
        },
      ),
      { numRuns: 200, seed: SEED },
    );
    // Collection names in the path.
    await fc.assert(
      fc.asyncProperty(
        fc.oneof(fc.string({ maxLength: 60 }), fc.constantFrom('fz', 'nope', 'a'.repeat(49), '..', 'fz%00')),
        async (name) => {
          const res = await post(
            JSON.stringify({ vector: Array.from(vectorOf(1)), fingerprint: FP }),
            'application/json',
            encodeURIComponent(name),
          );
          count(await checkResponse({ vector: Array.from(vectorOf(1)), fingerprint: FP }, res));
        },
      ),
      { numRuns: 60, seed: SEED },
    );
    const errors = [...tally.errors].sort(([a], [b]) => a - b).map(([status, n]) => `${status}: ${n}`);
    console.log(
      `fuzz: service bodies ${tally.cases} cases (200 with hits: ${tally.hits}; ${errors.join(', ')}), seed ${SEED}`,
    );
    expect(tally.hits).toBeGreaterThan(150);
    expect(tally.errors.get(400)).toBeGreaterThan(150);
  }, 120_000);
});
