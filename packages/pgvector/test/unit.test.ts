/** Pure parts of @webembed/pgvector: names, literals, validation, sources, merging, the fetch client. */
import { fileURLToPath } from 'node:url';
import { type ModelFingerprint, float32ToFloat16Bits, isWebEmbedError } from '@webembed/core';
import { build } from 'esbuild';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { createRemoteCollection, mergeByScore } from '../src/client.js';
import { parseFingerprint } from '../src/fingerprint.js';
import { assertFilter, assertMetadata } from '../src/json.js';
import { assertCollectionName, collectionTable, quoteIdent } from '../src/names.js';
import { normalizeSource } from '../src/source.js';
import { assertVector, vectorBinary } from '../src/vectors.js';
import { snapshotSource } from '../src/write.js';

const FP: ModelFingerprint = {
  modelId: 'Xenova/multilingual-e5-small',
  revision: '',
  dims: 4,
  pooling: 'mean',
  normalized: true,
  prefixScheme: 'e5',
  matryoshkaDims: null,
  dtype: 'q8',
};

function codeOf(fn: () => unknown): string | undefined {
  try {
    fn();
  } catch (err) {
    return isWebEmbedError(err) ? err.code : `not a WebEmbedError: ${String(err)}`;
  }
  return undefined;
}

async function asyncCodeOf(promise: Promise<unknown>): Promise<string | undefined> {
  return promise.then(
    () => undefined,
    (err: unknown) => (isWebEmbedError(err) ? err.code : `not a WebEmbedError: ${String(err)}`),
  );
}

describe('collection names and identifiers', () => {
  it('accepts names of letters, digits, _ and - starting with a letter, and refuses the rest', () => {
    for (const ok of ['docs', 'docs-v2', 'A_b-9', 'x'.repeat(48)])
      expect(codeOf(() => assertCollectionName(ok))).toBeUndefined();
    for (const bad of ['', '9docs', '-x', 'a b', 'a"b', 'a;drop', 'x'.repeat(49), 'é', null, 5]) {
      expect(codeOf(() => assertCollectionName(bad))).toBe('INVALID_ARGUMENT');
    }
  });

  it('quotes identifiers, doubling embedded quotes', () => {
    expect(quoteIdent('plain')).toBe('"plain"');
    expect(quoteIdent('we"ird')).toBe('"we""ird"');
    expect(codeOf(() => quoteIdent(''))).toBe('INVALID_ARGUMENT');
    expect(collectionTable('docs-v2')).toBe('"webembed_c_docs-v2"');
  });
});

describe('vector literals and checks', () => {
  it('encodes vectors in pgvector binary format: float32 exactly, halfvec as core float16 bits', () => {
    fc.assert(
      fc.property(
        fc.array(fc.float({ noNaN: true, noDefaultInfinity: true }), { minLength: 1, maxLength: 40 }),
        (values) => {
          const v = Float32Array.from(values);
          const full = vectorBinary(v, 'vector');
          expect(full.length).toBe(4 + v.length * 4);
          expect([full.readInt16BE(0), full.readInt16BE(2)]).toEqual([v.length, 0]);
          for (let i = 0; i < v.length; i++) expect(Object.is(full.readFloatBE(4 + i * 4), v[i])).toBe(true);
          const half = vectorBinary(v, 'halfvec');
          expect(half.length).toBe(4 + v.length * 2);
          expect(half.readInt16BE(0)).toBe(v.length);
          for (let i = 0; i < v.length; i++)
            expect(half.readUInt16BE(4 + i * 2)).toBe(float32ToFloat16Bits(v[i]));
        },
      ),
    );
  });

  it('refuses wrong lengths and non-finite values with typed errors', () => {
    expect(codeOf(() => assertVector([1, 2], 3, 'q'))).toBe('DIMENSION_MISMATCH');
    expect(codeOf(() => assertVector([1, Number.NaN, 3], 3, 'q'))).toBe('NOT_FINITE');
    expect(codeOf(() => assertVector(new Float32Array([1, Number.POSITIVE_INFINITY]), 2, 'q'))).toBe(
      'NOT_FINITE',
    );
    expect(codeOf(() => assertVector([1, 2, 3], 3, 'q'))).toBeUndefined();
  });
});

describe('metadata, filters and fingerprints', () => {
  it('accepts JSON objects and refuses everything else', () => {
    expect(codeOf(() => assertFilter({ lang: 'en', tags: ['a'], n: 1, deep: { x: null } }))).toBeUndefined();
    for (const bad of [
      null,
      'lang=en',
      ['x'],
      new Date(),
      { n: Number.NaN },
      { f: () => 1 },
      { d: new Map() },
    ]) {
      expect(codeOf(() => assertFilter(bad))).toBe('INVALID_ARGUMENT');
    }
    expect(codeOf(() => assertMetadata(undefined, 'row'))).toBeUndefined();
    expect(codeOf(() => assertMetadata(null, 'row'))).toBeUndefined();
    expect(codeOf(() => assertMetadata({ big: 1n } as never, 'row'))).toBe('INVALID_ARGUMENT');
  });

  it('parses complete fingerprints and names the first bad field', () => {
    expect(parseFingerprint({ ...FP })).toEqual(FP);
    const bad: [Record<string, unknown>, string][] = [
      [{ ...FP, modelId: '' }, 'modelId'],
      [{ ...FP, dims: 0 }, 'dims'],
      [{ ...FP, pooling: 'max' }, 'pooling'],
      [{ ...FP, normalized: 'yes' }, 'normalized'],
      [{ ...FP, matryoshkaDims: 1.5 }, 'matryoshkaDims'],
      [{ ...FP, dtype: undefined }, 'dtype'],
    ];
    for (const [value, field] of bad)
      expect(() => parseFingerprint(value)).toThrow(new RegExp(`fingerprint\\.${field}`));
    expect(codeOf(() => parseFingerprint('fp'))).toBe('INVALID_ARGUMENT');
  });
});

describe('load sources', () => {
  const vectors = { data: new Float32Array(12).fill(0.5), rows: 3, dims: 4 };

  it('streams live rows of a columnar source, leaving tombstones out', async () => {
    const skip = Uint8Array.from([0, 1, 0]);
    const source = normalizeSource({
      fingerprint: FP,
      ids: ['a', 'b', 'c'],
      vectors,
      texts: ['A', 'B', 'C'],
      skip,
    });
    expect(source.total).toBe(2);
    expect(source.ids).toEqual(['a', 'c']);
    const rows = [];
    for await (const row of source.rows) rows.push(row);
    expect(rows.map((r) => [r.id, r.text, r.metadata])).toEqual([
      ['a', 'A', null],
      ['c', 'C', null],
    ]);
    expect(rows[1].vector).toEqual(new Float32Array(4).fill(0.5));
  });

  it('refuses inconsistent sources', () => {
    expect(codeOf(() => normalizeSource({ fingerprint: FP, ids: ['a'], vectors }))).toBe(
      'DIMENSION_MISMATCH',
    );
    expect(
      codeOf(() =>
        normalizeSource({
          fingerprint: FP,
          ids: ['a', 'b', 'c'],
          vectors: { ...vectors, data: new Float32Array(5) },
        }),
      ),
    ).toBe('MISALIGNED_BUFFER');
    expect(
      codeOf(() =>
        normalizeSource({ fingerprint: FP, ids: ['a', 'b', 'c'], vectors, skip: new Uint8Array(2) }),
      ),
    ).toBe('DIMENSION_MISMATCH');
    expect(codeOf(() => normalizeSource({ rows: [] } as never))).toBe('INVALID_ARGUMENT');
    expect(codeOf(() => normalizeSource({ fingerprint: FP } as never))).toBe('INVALID_ARGUMENT');
  });

  it('takes store snapshots with float32, falls back to dequantized int8, refuses binary-only ones', () => {
    const base = { name: 's', fingerprint: FP, ids: ['a', 'b', 'c'], skip: new Uint8Array(3) };
    expect(snapshotSource({ ...base, float32: vectors }).vectors).toBe(vectors);
    const int8 = {
      data: Int8Array.from([0, 0, 0, 0, 127, 127, 127, 127, -127, -127, -127, -127]),
      rows: 3,
      dims: 4,
      calibration: {
        scheme: 'symmetric' as const,
        min: new Float32Array(4).fill(-1),
        max: new Float32Array(4).fill(1),
      },
    };
    const fromInt8 = snapshotSource({ ...base, int8 }).vectors;
    expect(fromInt8.data[4]).toBeCloseTo(1, 5);
    expect(fromInt8.data[8]).toBeCloseTo(-1, 5);
    expect(codeOf(() => snapshotSource(base))).toBe('INVALID_ARGUMENT');
  });
});

describe('mergeByScore', () => {
  const hit = (id: string, score: number, from = 'local') => ({ id, score, from });

  it('keeps the best k of both lists, once per id, with the higher score', () => {
    const local = [hit('a', 0.9), hit('b', 0.5)];
    const remote = [hit('c', 0.8, 'remote'), hit('a', 0.95, 'remote'), hit('d', 0.4, 'remote')];
    expect(mergeByScore(local, remote, 3)).toEqual([
      hit('a', 0.95, 'remote'),
      hit('c', 0.8, 'remote'),
      hit('b', 0.5),
    ]);
  });

  it('breaks ties in favour of the local list', () => {
    expect(mergeByScore([hit('a', 0.5)], [hit('b', 0.5, 'remote'), hit('a', 0.5, 'remote')], 2)).toEqual([
      hit('a', 0.5),
      hit('b', 0.5, 'remote'),
    ]);
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
          expect(mergeByScore(local, remote, k)).toEqual(expected);
        },
      ),
    );
  });

  it('refuses bad k and malformed hits', () => {
    expect(codeOf(() => mergeByScore([], [], 0))).toBe('INVALID_K');
    expect(codeOf(() => mergeByScore([], [], 1.5))).toBe('INVALID_K');
    expect(codeOf(() => mergeByScore([{ id: 1, score: 1 } as never], [], 1))).toBe('INVALID_ARGUMENT');
    expect(codeOf(() => mergeByScore([], [{ id: 'a', score: Number.NaN }], 1))).toBe('INVALID_ARGUMENT');
  });
});

describe('remote collection client', () => {
  const json = (status: number, body: unknown) =>
    new Response(JSON.stringify(body), { status, headers: { 'content-type': 'application/json' } });

  it('refuses bad URLs and vector queries without a fingerprint', () => {
    expect(codeOf(() => createRemoteCollection('not a url'))).toBe('INVALID_ARGUMENT');
    expect(codeOf(() => createRemoteCollection('ftp://x/collections/a'))).toBe('INVALID_ARGUMENT');
    const remote = createRemoteCollection('http://x/collections/a/', { fetch: async () => json(200, {}) });
    expect(remote.url).toBe('http://x/collections/a');
    expect(codeOf(() => remote.search([1, 2], { k: 1 }))).toBe('INVALID_ARGUMENT');
  });

  it('sends the API key and the request body the service expects', async () => {
    const calls: { url: string; init: RequestInit }[] = [];
    const remote = createRemoteCollection('http://x/collections/a', {
      apiKey: 'secret-key',
      fetch: async (url, init) => {
        calls.push({ url: String(url), init: init ?? {} });
        return json(200, {
          hits: [{ id: 'x', text: 'X', score: 0.5 }],
          mode: 'float32',
          timings: { embedMs: 0, searchMs: 1 },
        });
      },
    });
    await remote.search(new Float32Array([0.5, -0.25]), {
      k: 3,
      fingerprint: FP,
      mode: 'float32',
      filter: { lang: 'en' },
    });
    expect(calls[0].url).toBe('http://x/collections/a/search');
    expect((calls[0].init.headers as Record<string, string>)['x-api-key']).toBe('secret-key');
    expect(JSON.parse(String(calls[0].init.body))).toEqual({
      k: 3,
      fingerprint: FP,
      mode: 'float32',
      filter: { lang: 'en' },
      vector: [0.5, -0.25],
    });
    const response = await remote.search('a text', { k: 2, fingerprint: FP });
    // A hit without metadata reads as `metadata: undefined`, like the engine's local hits.
    expect(response.hits).toEqual([{ id: 'x', text: 'X', score: 0.5, metadata: undefined }]);
    expect('metadata' in response.hits[0]).toBe(true);
    expect(JSON.parse(String(calls[1].init.body))).toEqual({ k: 2, text: 'a text' });
  });

  it('turns service errors into WebEmbedErrors with the service code, and other failures into REMOTE_FAILED', async () => {
    const answer = (status: number, body: unknown) =>
      createRemoteCollection('http://x/collections/a', { fetch: async () => json(status, body) });
    expect(await asyncCodeOf(answer(409, { error: { code: 'MODEL_MISMATCH', message: 'm' } }).info())).toBe(
      'MODEL_MISMATCH',
    );
    expect(await asyncCodeOf(answer(400, { error: { code: 'NOT_FINITE', message: 'm' } }).info())).toBe(
      'NOT_FINITE',
    );
    expect(await asyncCodeOf(answer(500, { error: { code: 'SOMETHING_NEW', message: 'm' } }).info())).toBe(
      'REMOTE_FAILED',
    );
    expect(await asyncCodeOf(answer(502, 'gateway').info())).toBe('REMOTE_FAILED');
    const failing = createRemoteCollection('http://x/collections/a', {
      fetch: async () => {
        throw new TypeError('fetch failed');
      },
    });
    expect(await asyncCodeOf(failing.info())).toBe('REMOTE_FAILED');
    const aborted = createRemoteCollection('http://x/collections/a', {
      fetch: async () => {
        throw new DOMException('aborted', 'AbortError');
      },
    });
    expect(await asyncCodeOf(aborted.info())).toBe('ABORTED');
  });

  it('bundles for browsers without pg, fastify or any Node module', async () => {
    const entry = fileURLToPath(new URL('../src/client.ts', import.meta.url));
    const result = await build({
      entryPoints: [entry],
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
    expect(code).toContain('mergeByScore');
    expect(code).not.toMatch(/from\s*["'](pg|fastify|node:[a-z]+|crypto|net|fs)["']/);
    expect(code).not.toMatch(/import\s*\(?\s*["'](pg|fastify|node:)/);
  });
});
