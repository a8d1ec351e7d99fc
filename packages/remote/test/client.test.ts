/**
 * The one client of the search service against stand-in fetches (the real service is checked in
 * bench/test/remote-conformance.test.ts), and the tiered merge.
 */
import { fileURLToPath } from 'node:url';
import { type ModelFingerprint, isWebEmbedError } from '@webembed/core';
import { build } from 'esbuild';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { createRemoteClient, mergeHitsByScore, normalizeEndpoint } from '../src/index.js';

const FP: ModelFingerprint = {
  modelId: 'Xenova/multilingual-e5-small',
  revision: '',
  dims: 2,
  pooling: 'mean',
  normalized: true,
  prefixScheme: 'e5',
  matryoshkaDims: null,
  dtype: 'q8',
};

async function codeOf(run: () => unknown): Promise<string> {
  try {
    await run();
  } catch (err) {
    return isWebEmbedError(err) ? err.code : `not a WebEmbedError: ${String(err)}`;
  }
  return 'no error';
}

const json = (status: number, body: unknown, headers: Record<string, string> = {}) =>
  new Response(JSON.stringify(body), { status, headers: { 'content-type': 'application/json', ...headers } });

/** A client whose every request is answered with `answer`, recording what was sent. */
function stub(answer: () => Response | Promise<Response>, apiKey?: string) {
  const calls: { url: string; init: RequestInit }[] = [];
  const client = createRemoteClient({
    url: 'http://svc.test/collections/docs/',
    apiKey,
    fetch: (async (url: string, init: RequestInit) => {
      calls.push({ url: String(url), init });
      return answer();
    }) as typeof fetch,
  });
  return { client, calls };
}

describe('createRemoteClient', () => {
  it('refuses URLs that are not http(s) and endpoints that are not { url }', async () => {
    expect(await codeOf(() => createRemoteClient({ url: 'ftp://svc.test/collections/docs' }))).toBe(
      'INVALID_ARGUMENT',
    );
    expect(await codeOf(() => createRemoteClient('not a url'))).toBe('INVALID_ARGUMENT');
    expect(await codeOf(() => normalizeEndpoint({} as never))).toBe('INVALID_ARGUMENT');
    expect(await codeOf(() => normalizeEndpoint('http://x/collections/a', 42 as never))).toBe(
      'INVALID_ARGUMENT',
    );
    expect(normalizeEndpoint('http://x/collections/a', 'key')).toEqual({
      url: 'http://x/collections/a',
      apiKey: 'key',
    });
  });

  it('sends the API key and the request as given, and reads hits as the engine shapes them', async () => {
    const { client, calls } = stub(
      () =>
        json(200, {
          hits: [{ id: 'x', text: 'X', score: 0.5 }],
          mode: 'float32',
          timings: { embedMs: 0, searchMs: 1 },
        }),
      'secret-key',
    );
    expect(client.url).toBe('http://svc.test/collections/docs');
    const response = await client.search({
      vector: [0.5, -0.25],
      fingerprint: FP,
      k: 3,
      mode: 'float32',
      filter: { lang: 'en' },
    });
    expect(calls[0].url).toBe('http://svc.test/collections/docs/search');
    expect((calls[0].init.headers as Record<string, string>)['x-api-key']).toBe('secret-key');
    expect(JSON.parse(String(calls[0].init.body))).toEqual({
      vector: [0.5, -0.25],
      fingerprint: FP,
      k: 3,
      mode: 'float32',
      filter: { lang: 'en' },
    });
    // A hit without metadata reads as `metadata: undefined`, like the engine's local hits.
    expect(response.hits).toEqual([{ id: 'x', text: 'X', score: 0.5, metadata: undefined }]);
    expect('metadata' in response.hits[0]).toBe(true);
    expect(response).toMatchObject({ mode: 'float32', timings: { embedMs: 0, searchMs: 1 } });
  });

  it('refuses NaN and Infinity in a query vector before sending (JSON would turn them into null)', async () => {
    const { client, calls } = stub(() => json(200, { hits: [] }));
    const err = await client.search({ vector: [0.1, Number.NaN], fingerprint: FP }).catch((e: unknown) => e);
    expect(isWebEmbedError(err, 'NOT_FINITE')).toBe(true);
    expect((err as { details: object }).details).toEqual({ index: 1 });
    expect(
      await codeOf(() => client.search({ vector: [Number.POSITIVE_INFINITY, 0], fingerprint: FP })),
    ).toBe('NOT_FINITE');
    expect(calls).toHaveLength(0);
  });

  it('maps service errors to WebEmbedErrors with the service code, the rest to REMOTE_FAILED', async () => {
    const answering = (status: number, body: unknown, headers?: Record<string, string>) =>
      stub(() => json(status, body, headers)).client;
    const mismatch = await answering(409, {
      error: { code: 'MODEL_MISMATCH', message: 'another model', details: { fields: 'dims' } },
    })
      .search({ vector: [1, 0], fingerprint: FP })
      .catch((e: unknown) => e);
    expect(isWebEmbedError(mismatch, 'MODEL_MISMATCH')).toBe(true);
    expect((mismatch as { details: object }).details).toMatchObject({
      status: 409,
      fields: 'dims',
      remoteCode: 'MODEL_MISMATCH',
    });
    for (const code of ['ZERO_VECTOR', 'NOT_FINITE', 'NOT_FOUND', 'INVALID_ARGUMENT', 'DIMENSION_MISMATCH']) {
      expect(await codeOf(() => answering(400, { error: { code, message: 'm' } }).info())).toBe(code);
    }
    const unauthorized = await answering(401, { error: { code: 'UNAUTHORIZED', message: 'bad key' } })
      .info()
      .catch((e: unknown) => e);
    expect(isWebEmbedError(unauthorized, 'REMOTE_FAILED')).toBe(true);
    expect((unauthorized as { details: object }).details).toMatchObject({
      status: 401,
      remoteCode: 'UNAUTHORIZED',
    });
    const busy = await answering(
      429,
      { error: { code: 'REMOTE_FAILED', message: 'busy', details: { limit: 2 } } },
      { 'retry-after': '1' },
    )
      .info()
      .catch((e: unknown) => e);
    expect(isWebEmbedError(busy, 'REMOTE_FAILED')).toBe(true);
    expect((busy as { details: object }).details).toMatchObject({
      status: 429,
      limit: 2,
      retryAfterSeconds: 1,
    });
    expect(
      await codeOf(() => answering(500, { error: { code: 'SOMETHING_NEW', message: 'm' } }).info()),
    ).toBe('REMOTE_FAILED');
    expect(await codeOf(() => stub(() => new Response('<html>', { status: 502 })).client.info())).toBe(
      'REMOTE_FAILED',
    );
    expect(
      await codeOf(() => stub(() => new Response('<html>', { status: 200 })).client.search({ text: 'x' })),
    ).toBe('REMOTE_FAILED');
    expect(await codeOf(() => answering(200, { name: 'docs' }).info())).toBe('REMOTE_FAILED');
    expect(await codeOf(() => answering(200, { hits: 'none' }).search({ text: 'x' }))).toBe('REMOTE_FAILED');
    expect(
      await codeOf(() => answering(200, { hits: [{ id: 1, score: 'high' }] }).search({ text: 'x' })),
    ).toBe('REMOTE_FAILED');
    const down = stub(() => {
      throw new TypeError('fetch failed');
    }).client;
    expect(await codeOf(() => down.info())).toBe('REMOTE_FAILED');
    const aborted = stub(() => {
      throw new DOMException('aborted', 'AbortError');
    }).client;
    expect(await codeOf(() => aborted.info())).toBe('ABORTED');
  });

  it('bundles for browsers without any Node module', async () => {
    const result = await build({
      entryPoints: [fileURLToPath(new URL('../src/index.ts', import.meta.url))],
      bundle: true,
      write: false,
      platform: 'browser',
      format: 'esm',
      conditions: ['@webembed/source'],
      // Left external so that any import of them would show in the output.
      external: ['pg', 'fastify', 'node:*', 'crypto', 'net', 'fs'],
      logLevel: 'silent',
    });
    const code = result.outputFiles[0].text;
    expect(code).toContain('mergeHitsByScore');
    expect(code).not.toMatch(/from\s*["'](pg|fastify|node:[a-z]+|crypto|net|fs)["']/);
    expect(code).not.toMatch(/import\s*\(?\s*["'](pg|fastify|node:)/);
  });
});

describe('mergeHitsByScore', () => {
  const hit = (id: string, score: number, from = 'local') => ({ id, score, from });

  it('keeps the best k of both lists, once per id with its higher score, local first on ties', () => {
    const local = [hit('a', 0.9), hit('b', 0.5)];
    const remote = [hit('c', 0.9, 'remote'), hit('b', 0.7, 'remote'), hit('d', 0.1, 'remote')];
    expect(mergeHitsByScore(local, remote, 3)).toEqual([
      hit('a', 0.9),
      hit('c', 0.9, 'remote'),
      hit('b', 0.7, 'remote'),
    ]);
    expect(mergeHitsByScore([hit('a', 0.5)], [hit('b', 0.5, 'remote'), hit('a', 0.5, 'remote')], 2)).toEqual([
      hit('a', 0.5),
      hit('b', 0.5, 'remote'),
    ]);
    expect(mergeHitsByScore([], remote, 10)).toHaveLength(3);
  });

  it('equals a full sort of the union by score (property)', () => {
    fc.assert(
      fc.property(
        fc.uniqueArray(fc.integer({ min: 0, max: 1000 }), { maxLength: 30 }),
        fc.integer({ min: 1, max: 40 }),
        (scores, k) => {
          const all = scores.map((s, i) => hit(`id${i}`, s / 1000, i % 2 ? 'remote' : 'local'));
          const local = all.filter((h) => h.from === 'local').sort((x, y) => y.score - x.score);
          const remote = all.filter((h) => h.from === 'remote').sort((x, y) => y.score - x.score);
          const expected = [...all].sort((x, y) => y.score - x.score).slice(0, k);
          expect(mergeHitsByScore(local, remote, k)).toEqual(expected);
        },
      ),
    );
  });

  it('refuses bad k and malformed hits', async () => {
    expect(await codeOf(() => mergeHitsByScore([], [], 0))).toBe('INVALID_K');
    expect(await codeOf(() => mergeHitsByScore([], [], 1.5))).toBe('INVALID_K');
    expect(await codeOf(() => mergeHitsByScore([{ id: 1, score: 1 } as never], [], 1))).toBe(
      'INVALID_ARGUMENT',
    );
    expect(await codeOf(() => mergeHitsByScore([], [{ id: 'a', score: Number.NaN }], 1))).toBe(
      'INVALID_ARGUMENT',
    );
  });
});
