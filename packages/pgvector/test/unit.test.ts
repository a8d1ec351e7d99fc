/** Pure parts of @webembed/pgvector: names, literals, validation, sources. */
import { type ModelFingerprint, float32ToFloat16Bits, isWebEmbedError } from '@webembed/core';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { parseFingerprint } from '../src/fingerprint.js';
import { assertFilter, assertMetadata, assertStorableString } from '../src/json.js';
import { assertCollectionName, collectionTable, quoteIdent } from '../src/names.js';
import { normalizeSource } from '../src/source.js';
import { isConnectionLoss } from '../src/db.js';
import { assertQueryVector, assertStorable, assertVector, vectorBinary } from '../src/vectors.js';
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

  it('refuses query vectors pgvector cannot score: past the storage range, zero once stored, norms float32 cannot hold', () => {
    expect(codeOf(() => assertStorable([65504, -65504], 'halfvec', 'q'))).toBeUndefined();
    expect(codeOf(() => assertStorable([0, 65520], 'halfvec', 'q'))).toBe('NOT_FINITE');
    expect(codeOf(() => assertStorable([1e6], 'vector', 'q'))).toBeUndefined();
    expect(codeOf(() => assertStorable([1e39], 'vector', 'q'))).toBe('NOT_FINITE');
    expect(codeOf(() => assertQueryVector([0, 0, 0], 'vector', 'q'))).toBe('ZERO_VECTOR');
    expect(codeOf(() => assertQueryVector([1e-9, -1e-9], 'halfvec', 'q'))).toBe('ZERO_VECTOR');
    expect(codeOf(() => assertQueryVector([1e-9, -1e-9], 'vector', 'q'))).toBeUndefined();
    expect(codeOf(() => assertQueryVector([1e-20, 0], 'vector', 'q'))).toBe('NOT_FINITE');
    expect(codeOf(() => assertQueryVector([1e20, 1e20], 'vector', 'q'))).toBe('NOT_FINITE');
    expect(codeOf(() => assertQueryVector([65504, 65504, 65504], 'halfvec', 'q'))).toBeUndefined();
    expect(codeOf(() => assertQueryVector([0.6, -0.8], 'halfvec', 'q'))).toBeUndefined();
  });
});

describe('connection losses', () => {
  it('tells a lost or refused connection from an error in the SQL or the data', () => {
    const lost = [
      new Error('Connection terminated unexpectedly'),
      new Error('Client has encountered a connection error and is not queryable'),
      Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:5432'), { code: 'ECONNREFUSED' }),
      Object.assign(new Error('read ECONNRESET'), { code: 'ECONNRESET' }),
      Object.assign(new Error('terminating connection due to administrator command'), { code: '57P01' }),
      Object.assign(new Error('the database system is starting up'), { code: '57P03' }),
      Object.assign(new Error('connection failure'), { code: '08006' }),
    ];
    for (const err of lost) expect(isConnectionLoss(err), err.message).toBe(true);
    const notLost = [
      Object.assign(new Error('syntax error'), { code: '42601' }),
      Object.assign(new Error('infinite value not allowed in halfvec'), { code: '22000' }),
      new Error('something else'),
      null,
    ];
    for (const err of notLost) expect(isConnectionLoss(err), String(err)).toBe(false);
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

  it('refuses strings Postgres cannot store: U+0000 and unpaired surrogates, in values and keys', () => {
    for (const ok of ['', 'plain', 'é', '\u{1F600}', '\ud83d\ude00', 'a\u0001b']) {
      expect(
        codeOf(() => assertStorableString(ok, 's')),
        JSON.stringify(ok),
      ).toBeUndefined();
    }
    for (const bad of ['\u0000', 'a\u0000', '\ud800', 'x\ud800y', '\udc00', 'a\ude00\ud83d']) {
      expect(
        codeOf(() => assertStorableString(bad, 's')),
        JSON.stringify(bad),
      ).toBe('INVALID_ARGUMENT');
    }
    expect(() => assertStorableString('ab\u0000', 'the text')).toThrow(
      /the text holds U\+0000, which Postgres cannot store \(at character 2\)/,
    );
    expect(codeOf(() => assertFilter({ lang: 'e\u0000n' }))).toBe('INVALID_ARGUMENT');
    expect(codeOf(() => assertFilter({ 'l\ud800': 'en' }))).toBe('INVALID_ARGUMENT');
    expect(codeOf(() => assertMetadata({ deep: [{ x: '\udfff' }] }, 'row'))).toBe('INVALID_ARGUMENT');
  });

  it('bounds filters in depth and size without recursing, and metadata not at all', () => {
    const nested = (depth: number) => {
      let value: unknown = 1;
      for (let i = 0; i < depth; i++) value = { a: value };
      return value;
    };
    expect(codeOf(() => assertFilter(nested(32)))).toBeUndefined();
    expect(() => assertFilter(nested(33))).toThrow(/nested deeper than 32 levels/);
    expect(() => assertFilter(nested(200_000))).toThrow(/nested deeper than 32 levels/);
    // Every value counts, the filter object and the array included: 1 + 1 + 998 = 1000.
    expect(codeOf(() => assertFilter({ list: Array.from({ length: 998 }, (_, i) => i) }))).toBeUndefined();
    expect(() => assertFilter({ list: Array.from({ length: 999 }, (_, i) => i) })).toThrow(
      /more than 1000 values/,
    );
    // Row metadata is stored as it is (a deep document is not an attack), but walked without recursion.
    expect(codeOf(() => assertMetadata(nested(100_000) as never, 'row'))).toBeUndefined();
    expect(codeOf(() => assertMetadata({ a: [{ b: Number.NaN }] } as never, 'row'))).toBe('INVALID_ARGUMENT');
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
