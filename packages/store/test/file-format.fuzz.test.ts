/**
 * Fuzzing the collection file decoder and the store's import. Files of random collections are
 * truncated, bit-flipped, overwritten, grown and shrunk; their length fields, header values and
 * section tables are rewritten; values inside vector sections are set to NaN, Infinity or noise;
 * each with and without a recomputed CRC, given as a plain Uint8Array, as a Node Buffer inside a
 * shared pool and as a view at an offset. Invariant: a coded WebEmbedError, or exactly the vectors
 * the file holds (for an untouched file: the vectors encoded); never a crash, a hang, an answer
 * that depends on the input's buffer, and never a change to a stored collection when an import
 * is refused. Prints the number of generated cases.
 */
import 'fake-indexeddb/auto';
import { isWebEmbedError } from '@webembed/core';
import fc from 'fast-check';
import { afterAll, describe, expect, it } from 'vitest';
import {
  type CollectionSnapshot,
  type VectorKind,
  type VectorStore,
  buildSnapshot,
  decodeCollectionFile,
  encodeCollectionFile,
  openVectorStore,
} from '../src/index.js';
import { readHeader, reseal, withHeader } from './forge.js';
import { makeDocs, testFingerprint, uniqueDbName } from './helpers.js';

const CODES = ['CORRUPT_FILE', 'UNSUPPORTED_FORMAT', 'NOT_FINITE'];

/** A random collection file: dims around the 32-bit word edges, any kinds, deletes, unicode. */
const collection = fc
  .record({
    dims: fc.constantFrom(1, 8, 31, 32, 33, 40),
    kinds: fc.subarray(['float32', 'int8', 'binary'] as VectorKind[], { minLength: 1 }),
    texts: fc.array(fc.string({ unit: 'grapheme', maxLength: 6 }), { minLength: 1, maxLength: 5 }),
    seed: fc.nat(1000),
    deleted: fc.nat(4),
    unknownNorms: fc.boolean(),
  })
  .map(({ dims, kinds, texts, seed, deleted, unknownNorms }) => {
    const docs = makeDocs(texts.length, dims, seed).map((d, i) => ({ ...d, text: texts[i] }));
    const snap = buildSnapshot({ name: `fuzz-${seed}`, fingerprint: testFingerprint(dims), kinds, docs });
    const skip = new Uint8Array(snap.rows);
    for (let r = 0; r < Math.min(deleted, snap.rows); r++) skip[(r * 7 + seed) % snap.rows] = 1;
    let count = 0;
    for (const s of skip) count += s === 0 ? 1 : 0;
    const binary = unknownNorms && snap.binary ? { ...snap.binary, l1Norms: undefined } : snap.binary;
    const withDeletes: CollectionSnapshot = { ...snap, skip, count, binary };
    return encodeCollectionFile(withDeletes);
  });

const oddNumber = fc.oneof(
  fc.constantFrom(0, -1, 1, 7, 8, 16, 2 ** 31, 2 ** 32 - 1, 2 ** 53, 1e15, 0.5, Number.NaN),
  fc.integer({ min: -4096, max: 1 << 16 }),
);
const oddJson = fc.oneof(oddNumber, fc.constantFrom(null, '', 'x', [], {}, true, ['float32', 'float32']));

/**
 * A position in a file as a fraction of its length, uniform (fc.double spreads over float bit
 * patterns, which puts most values next to 0, and biases towards the ends).
 */
const spot = fc.noBias(fc.integer({ min: 0, max: 1_000_000 })).map((n) => n / 1_000_000);

/** One change to a file (positions are fractions of the file, so they fit any length). */
const mutation = fc.oneof(
  fc.record({ kind: fc.constant('truncate' as const), at: spot }),
  fc.record({
    kind: fc.constant('flip' as const),
    at: spot,
    bit: fc.nat(7),
  }),
  fc.record({
    kind: fc.constantFrom('overwrite' as const, 'insert' as const),
    at: spot,
    bytes: fc.uint8Array({ minLength: 1, maxLength: 12 }),
  }),
  fc.record({
    kind: fc.constant('delete' as const),
    at: spot,
    count: fc.integer({ min: 1, max: 16 }),
  }),
  fc.record({
    kind: fc.constant('u32' as const),
    offset: fc.constantFrom(8, 12),
    value: fc.oneof(fc.constantFrom(0, 1, 2, 2 ** 32 - 1), fc.nat(1 << 14)),
  }),
  fc.record({
    kind: fc.constant('header' as const),
    field: fc.constantFrom('rows', 'dims', 'kinds', 'name', 'calibration', 'fingerprint', 'sections'),
    value: oddJson,
  }),
  fc.record({
    kind: fc.constant('section' as const),
    pick: fc.nat(7),
    field: fc.constantFrom('offset', 'byteLength', 'name', 'swap', 'drop', 'duplicate'),
    value: fc.oneof(oddNumber, fc.constantFrom('ids', 'texts', 'float32', 'binary', 'l1Norms', 'bogus')),
  }),
  fc.record({
    kind: fc.constant('payload' as const),
    section: fc.constantFrom('float32', 'int8', 'binary', 'l1Norms', 'ids', 'metadata'),
    at: spot,
    value: fc.oneof(
      fc.constantFrom(Number.NaN, Number.POSITIVE_INFINITY, Number.NEGATIVE_INFINITY, -1, 0),
      fc.double({ min: -2, max: 2, noNaN: true }),
    ),
  }),
);
type Mutation = typeof mutation extends fc.Arbitrary<infer T> ? T : never;

const position = (bytes: Uint8Array, at: number) => Math.min(bytes.length - 1, Math.floor(at * bytes.length));

function apply(bytes: Uint8Array, m: Mutation): Uint8Array {
  if (bytes.length === 0) return bytes;
  switch (m.kind) {
    case 'truncate':
      return bytes.slice(0, Math.floor(m.at * bytes.length));
    case 'flip': {
      const out = bytes.slice();
      out[position(out, m.at)] ^= 1 << m.bit;
      return out;
    }
    case 'overwrite': {
      const out = bytes.slice();
      out.set(m.bytes.subarray(0, out.length - position(out, m.at)), position(out, m.at));
      return out;
    }
    case 'insert': {
      const at = position(bytes, m.at);
      const out = new Uint8Array(bytes.length + m.bytes.length);
      out.set(bytes.subarray(0, at));
      out.set(m.bytes, at);
      out.set(bytes.subarray(at), at + m.bytes.length);
      return out;
    }
    case 'delete': {
      const out = new Uint8Array(Math.max(0, bytes.length - m.count));
      const at = Math.min(position(bytes, m.at), out.length);
      out.set(bytes.subarray(0, at));
      out.set(bytes.subarray(at + m.count).subarray(0, out.length - at), at);
      return out;
    }
    case 'u32': {
      const out = bytes.slice();
      if (out.length >= m.offset + 4) new DataView(out.buffer).setUint32(m.offset, m.value, true);
      return out;
    }
    case 'header':
    case 'section': {
      let header: ReturnType<typeof readHeader>;
      try {
        header = readHeader(bytes);
      } catch {
        return bytes; // an earlier mutation already broke the header
      }
      if (m.kind === 'header') (header as Record<string, unknown>)[m.field] = m.value;
      else if (Array.isArray(header.sections) && header.sections.length > 0) {
        const s = header.sections;
        const i = m.pick % s.length;
        if (m.field === 'swap') [s[i].offset, s[0].offset] = [s[0].offset, s[i].offset];
        else if (m.field === 'drop') s.splice(i, 1);
        else if (m.field === 'duplicate') s.push({ ...s[i] });
        else (s[i] as unknown as Record<string, unknown>)[m.field] = m.value;
      }
      try {
        return withHeader(bytes, header);
      } catch {
        return bytes; // the edited header does not fit the header area
      }
    }
    case 'payload': {
      let header: ReturnType<typeof readHeader>;
      try {
        header = readHeader(bytes);
      } catch {
        return bytes;
      }
      const entry = Array.isArray(header.sections)
        ? header.sections.find((s) => s.name === m.section)
        : undefined;
      if (!entry || entry.byteLength < 4 || entry.offset + entry.byteLength > bytes.length) return bytes;
      const out = bytes.slice();
      const at = entry.offset + Math.floor((m.at * (entry.byteLength - 4)) / 4) * 4;
      new DataView(out.buffer).setFloat32(at, m.value, true);
      return out;
    }
  }
}

/** The same bytes as a Node Buffer inside a larger pool, and as a view at an odd offset. */
function sameBytesElsewhere(bytes: Uint8Array): Uint8Array[] {
  const pool = new ArrayBuffer(bytes.length + 97);
  new Uint8Array(pool).fill(0x5a);
  const buffer = Buffer.from(pool, 48, bytes.length);
  buffer.set(bytes);
  const other = new ArrayBuffer(bytes.length + 13);
  const view = new Uint8Array(other, 13, bytes.length);
  view.set(bytes);
  return [buffer, view];
}

type Outcome = { snapshot: CollectionSnapshot } | { code: string };

function decodeOutcome(bytes: Uint8Array): Outcome {
  try {
    return { snapshot: decodeCollectionFile(bytes) };
  } catch (err) {
    expect(isWebEmbedError(err), `a crash, not a WebEmbedError: ${String(err)}`).toBe(true);
    const code = (err as { code: string }).code;
    expect(CODES).toContain(code);
    return { code };
  }
}

const bytesOf = (v: ArrayBufferView) => new Uint8Array(v.buffer, v.byteOffset, v.byteLength);

/** Decoded vectors are the file's section bytes, byte for byte, in buffers of their own. */
function expectFaithful(bytes: Uint8Array, snap: CollectionSnapshot): void {
  const header = readHeader(bytes);
  const section = (name: string) => {
    const e = header.sections.find((s) => s.name === name)!;
    return bytes.subarray(e.offset, e.offset + e.byteLength);
  };
  if (snap.float32) expect(bytesOf(snap.float32.data)).toEqual(section('float32'));
  if (snap.int8) expect(bytesOf(snap.int8.data)).toEqual(section('int8'));
  if (snap.binary) expect(bytesOf(snap.binary.words)).toEqual(section('binary'));
  for (const v of [snap.float32?.data, snap.int8?.data, snap.binary?.words]) {
    if (v) expect(v.buffer).not.toBe(bytes.buffer);
  }
  // Self-consistent: what was accepted encodes and decodes to itself.
  const again = decodeCollectionFile(encodeCollectionFile(snap));
  expect(again).toEqual(snap);
}

const stats = new Map<string, number>();
const count = (key: string) => stats.set(key, (stats.get(key) ?? 0) + 1);
let cases = 0;
let slowest = 0;
const started = performance.now();

afterAll(() => {
  const summary = [...stats].map(([k, v]) => `${k} ${v}`).join(', ');
  console.log(
    `fuzz: collection file decoder + import ${cases} cases (${summary}); each decoded as Uint8Array, pooled Buffer and offset view; slowest decode ${slowest.toFixed(1)} ms, ${((performance.now() - started) / 1000).toFixed(1)} s`,
  );
});

describe('collection file decoder under fuzzing', () => {
  it('round-trips every random collection exactly, from any kind of Uint8Array', () => {
    fc.assert(
      fc.property(collection, (bytes) => {
        cases++;
        count('round trips');
        const snap = decodeCollectionFile(bytes);
        for (const input of sameBytesElsewhere(bytes)) expect(decodeCollectionFile(input)).toEqual(snap);
        expectFaithful(bytes, snap);
        expect(encodeCollectionFile(snap)).toEqual(bytes);
      }),
      { numRuns: 150, seed: 17 },
    );
  });

  it('answers every mutated file with a code or its exact contents, the same for every input view', () => {
    fc.assert(
      fc.property(
        collection,
        fc.array(mutation, { minLength: 1, maxLength: 3 }),
        fc.boolean(),
        (original, mutations, resealed) => {
          cases++;
          // Every state of the bytes that carries a valid CRC: the original, each header edit
          // (resealed as it is written) and, when asked, the end result.
          const sealed = [original];
          let bytes = original;
          for (const m of mutations) {
            bytes = apply(bytes, m);
            if (m.kind === 'header' || m.kind === 'section') sealed.push(bytes);
          }
          if (resealed && bytes.length >= 20) {
            bytes = reseal(bytes.slice());
            sealed.push(bytes);
          }
          const t = performance.now();
          const outcome = decodeOutcome(bytes);
          slowest = Math.max(slowest, performance.now() - t);
          for (const input of sameBytesElsewhere(bytes)) expect(decodeOutcome(input)).toEqual(outcome);
          const same = (a: Uint8Array) => a.length === bytes.length && a.every((b, i) => b === bytes[i]);
          const unchanged = same(original);
          if ('code' in outcome) {
            count(outcome.code);
            expect(unchanged).toBe(false);
            return;
          }
          count(unchanged ? 'decoded (unchanged)' : 'decoded (changed, consistent)');
          // Without a recomputed CRC, any change to the bytes must be caught.
          expect(sealed.some(same)).toBe(true);
          if (unchanged) expect(outcome.snapshot).toEqual(decodeCollectionFile(original));
          expectFaithful(bytes, outcome.snapshot);
        },
      ),
      { numRuns: 2500, seed: 1717 },
    );
    expect(slowest).toBeLessThan(2000);
  });
});

describe('store import under fuzzing (fake-indexeddb)', () => {
  let store: VectorStore;
  afterAll(() => store?.close());

  it('never changes a stored collection when an import is refused, and stores exactly what it accepts', async () => {
    store = await openVectorStore(uniqueDbName('fuzz-import'));
    const fp = testFingerprint(40);
    const keep = await store.createCollection('keep', {
      fingerprint: fp,
      kinds: ['float32', 'int8', 'binary'],
    });
    await keep.add(makeDocs(5, 40, 3), fp);
    const before = await keep.load();
    const source = encodeCollectionFile(before);
    await fc.assert(
      fc.asyncProperty(fc.array(mutation, { minLength: 1, maxLength: 2 }), async (mutations) => {
        cases++;
        let bytes = source;
        for (const m of mutations) bytes = apply(bytes, m);
        if (bytes.length >= 20) bytes = reseal(bytes.slice());
        const decoded = decodeOutcome(bytes);
        for (const name of ['keep', 'incoming']) {
          let imported: Awaited<ReturnType<VectorStore['importCollection']>> | null = null;
          try {
            imported = await store.importCollection(bytes, { name });
          } catch (err) {
            expect(isWebEmbedError(err), String(err)).toBe(true);
            count(`import refused ${(err as { code: string }).code}`);
          }
          if (imported) {
            count('import accepted');
            expect(name).toBe('incoming');
            expect('snapshot' in decoded).toBe(true);
            const stored = await imported.load();
            const file = (decoded as { snapshot: CollectionSnapshot }).snapshot;
            expect(stored.ids).toEqual(file.ids);
            expect(stored.float32?.data).toEqual(file.float32?.data);
            expect(stored.binary?.words).toEqual(file.binary?.words);
            await store.deleteCollection('incoming');
          }
        }
        expect((await store.listCollections()).map((c) => c.name)).toEqual(['keep']);
        const after = await keep.load();
        expect(after.generation).toBe(before.generation);
        expect(after.ids).toEqual(before.ids);
        expect(after.float32?.data).toEqual(before.float32?.data);
      }),
      { numRuns: 120, seed: 4242 },
    );
  });
});
