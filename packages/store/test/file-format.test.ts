import 'fake-indexeddb/auto';
import fc from 'fast-check';
import { afterEach, describe, expect, it } from 'vitest';
import {
  COLLECTION_FILE_MAGIC,
  MAX_METADATA_DEPTH,
  type Metadata,
  type VectorStore,
  buildSnapshot,
  crc32,
  decodeCollectionFile,
  encodeCollectionFile,
  openVectorStore,
} from '../src/index.js';
import { expectCode } from './expect-code.js';
import { type ForgedSection, readHeader, reseal, sectionBytes, sectionView, withHeader } from './forge.js';
import { makeDocs, testFingerprint, uniqueDbName } from './helpers.js';

const fp = testFingerprint(40); // not a multiple of 32: padding bits in binary rows
const stores: VectorStore[] = [];
afterEach(() => {
  for (const s of stores.splice(0)) s.close();
});

function sample(n = 6) {
  return buildSnapshot({
    name: 'sample',
    fingerprint: fp,
    kinds: ['float32', 'int8', 'binary'],
    docs: makeDocs(n, 40),
  });
}

describe('crc32', () => {
  it('matches the standard check value and streams', () => {
    const bytes = new TextEncoder().encode('123456789');
    expect(crc32(bytes)).toBe(0xcbf43926);
    expect(crc32(new Uint8Array())).toBe(0);
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 64 }), fc.nat(64), (data, cut) => {
        const at = Math.min(cut, data.length);
        expect(crc32(data.subarray(at), crc32(data.subarray(0, at)))).toBe(crc32(data));
      }),
    );
  });
});

describe('collection file codec (pure)', () => {
  it('round-trips every form, texts, metadata and calibration exactly', () => {
    const snap = sample();
    const bytes = encodeCollectionFile(snap);
    expect(Array.from(bytes.subarray(0, 8))).toEqual(Array.from(COLLECTION_FILE_MAGIC));
    const back = decodeCollectionFile(bytes);
    expect(back.name).toBe('sample');
    expect(back.fingerprint).toEqual(fp);
    expect(back.ids).toEqual(snap.ids);
    expect(back.texts).toEqual(snap.texts);
    expect(back.metadata).toEqual(snap.metadata);
    expect(back.float32!.data).toEqual(snap.float32!.data);
    expect(back.int8!.data).toEqual(snap.int8!.data);
    expect(back.int8!.calibration).toEqual(snap.int8!.calibration);
    expect(back.calibration).toEqual(snap.calibration);
    expect(back.binary!.words).toEqual(snap.binary!.words);
    expect(back.binary!.wordsPerRow).toBe(2);
    expect(back.binary!.l1Norms).toEqual(snap.binary!.l1Norms);
    expect(back.skip).toEqual(new Uint8Array(6));
  });

  it('writes only live rows', () => {
    const snap = sample(5);
    const skip = new Uint8Array([0, 1, 0, 1, 0]);
    const back = decodeCollectionFile(encodeCollectionFile({ ...snap, skip, count: 3 }));
    expect(back.ids).toEqual(['doc-0', 'doc-2', 'doc-4']);
    expect(back.float32!.data.subarray(40, 80)).toEqual(snap.float32!.data.subarray(80, 120));
    expect(back.binary!.l1Norms![2]).toBe(snap.binary!.l1Norms![4]);
  });

  it('handles an empty collection and unicode', () => {
    const empty = buildSnapshot({ name: 'e', fingerprint: fp, kinds: ['binary'], docs: makeDocs(1, 40) });
    const none = decodeCollectionFile(encodeCollectionFile({ ...empty, skip: new Uint8Array([1]) }));
    expect(none.rows).toBe(0);
    const uni = buildSnapshot({
      name: 'ünï',
      fingerprint: fp,
      kinds: ['float32'],
      docs: [
        {
          id: '日本',
          text: 'Ελληνικά 🙂',
          metadata: { k: ['x', { y: null }] },
          vector: makeDocs(1, 40)[0].vector,
        },
      ],
    });
    const back = decodeCollectionFile(encodeCollectionFile(uni));
    expect(back.ids).toEqual(['日本']);
    expect(back.texts).toEqual(['Ελληνικά 🙂']);
    expect(back.metadata).toEqual([{ k: ['x', { y: null }] }]);
  });

  it('refuses foreign, newer, truncated and modified files', () => {
    const bytes = encodeCollectionFile(sample());
    expect(() => decodeCollectionFile(new TextEncoder().encode('PK\u0003\u0004 a zip file'))).toThrowError(
      expect.objectContaining({ code: 'UNSUPPORTED_FORMAT' }),
    );
    expect(() => decodeCollectionFile(new Uint8Array())).toThrowError(
      expect.objectContaining({ code: 'CORRUPT_FILE' }),
    );
    for (const cut of [5, 20, bytes.length >> 1, bytes.length - 1]) {
      expect(() => decodeCollectionFile(bytes.subarray(0, cut))).toThrowError(
        expect.objectContaining({ code: 'CORRUPT_FILE' }),
      );
    }
    fc.assert(
      fc.property(
        fc.integer({ min: 8, max: bytes.length - 1 }),
        fc.integer({ min: 1, max: 255 }),
        (at, flip) => {
          const bad = bytes.slice();
          bad[at] ^= flip;
          expect(() => decodeCollectionFile(bad)).toThrowError(
            expect.objectContaining({ code: 'CORRUPT_FILE' }),
          );
        },
      ),
      { numRuns: 200 },
    );
    const newer = bytes.slice();
    new DataView(newer.buffer).setUint32(8, 2, true);
    new DataView(newer.buffer).setUint32(newer.length - 4, crc32(newer.subarray(0, newer.length - 4)), true);
    expect(() => decodeCollectionFile(newer)).toThrowError(
      expect.objectContaining({ code: 'UNSUPPORTED_FORMAT' }),
    );
    expect(() => decodeCollectionFile('x' as unknown as Uint8Array)).toThrowError(
      expect.objectContaining({ code: 'INVALID_ARGUMENT' }),
    );
  });

  it('refuses a file whose checksum is right but whose contents disagree', () => {
    const bytes = encodeCollectionFile(sample(2));
    const headerLength = new DataView(bytes.buffer).getUint32(12, true);
    const header = new TextDecoder().decode(bytes.subarray(16, 16 + headerLength));
    const forged = header.replace('"rows":2', '"rows":3');
    const out = bytes.slice();
    out.set(new TextEncoder().encode(forged), 16);
    new DataView(out.buffer).setUint32(out.length - 4, crc32(out.subarray(0, out.length - 4)), true);
    expect(() => decodeCollectionFile(out)).toThrowError(expect.objectContaining({ code: 'CORRUPT_FILE' }));
  });

  it('buildSnapshot validates like a store write', () => {
    expect(() =>
      buildSnapshot({
        name: 'x',
        fingerprint: fp,
        kinds: ['float32'],
        docs: [...makeDocs(1, 40), ...makeDocs(1, 40)],
      }),
    ).toThrowError(expect.objectContaining({ code: 'ALREADY_EXISTS' }));
    expect(() =>
      buildSnapshot({ name: 'x', fingerprint: fp, kinds: ['float32'], docs: makeDocs(1, 8) }),
    ).toThrowError(expect.objectContaining({ code: 'DIMENSION_MISMATCH' }));
    const { texts: _t, ...noTexts } = sample(1);
    expect(() => encodeCollectionFile(noTexts)).toThrowError(
      expect.objectContaining({ code: 'INVALID_ARGUMENT' }),
    );
  });
});

describe('decoder hardening: views, finiteness, padding bits, section table', () => {
  const code = (fn: () => unknown) => {
    try {
      fn();
    } catch (err) {
      return (err as { code?: string }).code ?? String(err);
    }
    return 'accepted';
  };

  it('decodes a Node Buffer from a shared pool, and any Uint8Array view, to the encoded vectors', () => {
    const snap = sample(3);
    const bytes = encodeCollectionFile(snap);
    // What readFile and Buffer.from return for small files: a view into a larger pooled buffer
    // whose other bytes belong to someone else.
    const host = () => {
      const buffer = new ArrayBuffer(bytes.length + 256);
      new Uint8Array(buffer).fill(0x41);
      return buffer;
    };
    const pooled = Buffer.from(host(), 72, bytes.length);
    pooled.set(bytes);
    const view = new Uint8Array(host(), 136, bytes.length);
    view.set(bytes);
    for (const input of [pooled, Buffer.from(bytes), view]) {
      const back = decodeCollectionFile(input);
      expect(back.float32!.data).toEqual(snap.float32!.data);
      expect(back.int8!.data).toEqual(snap.int8!.data);
      expect(back.binary!.words).toEqual(snap.binary!.words);
      expect(back.binary!.l1Norms).toEqual(snap.binary!.l1Norms);
      expect(back.float32!.data.buffer.byteLength).toBe(3 * 40 * 4); // its own buffer, not the pool
    }
  });

  it('refuses NaN and Infinity in float sections with a valid checksum (NOT_FINITE naming the row)', () => {
    const bytes = encodeCollectionFile(sample(4));
    for (const bad of [Number.NaN, Number.POSITIVE_INFINITY, Number.NEGATIVE_INFINITY]) {
      const forged = bytes.slice();
      sectionView(forged, 'float32').setFloat32((2 * 40 + 7) * 4, bad, true);
      reseal(forged);
      let caught: unknown;
      try {
        decodeCollectionFile(forged);
      } catch (err) {
        caught = err;
      }
      expect(caught).toMatchObject({ code: 'NOT_FINITE', details: { row: 2, dimension: 7 } });
      expect((caught as Error).message).toContain('doc-2');
    }
    const infiniteNorm = bytes.slice();
    sectionView(infiniteNorm, 'l1Norms').setFloat32(4, Number.POSITIVE_INFINITY, true);
    expect(code(() => decodeCollectionFile(reseal(infiniteNorm)))).toBe('NOT_FINITE');
    const negativeNorm = bytes.slice();
    sectionView(negativeNorm, 'l1Norms').setFloat32(4, -1, true);
    expect(code(() => decodeCollectionFile(reseal(negativeNorm)))).toBe('CORRUPT_FILE');
    // NaN norms mean "unknown" (what a file without norms holds): accepted, norms dropped.
    const unknownNorm = bytes.slice();
    sectionView(unknownNorm, 'l1Norms').setFloat32(4, Number.NaN, true);
    expect(decodeCollectionFile(reseal(unknownNorm)).binary!.l1Norms).toBeUndefined();
  });

  it('refuses to encode a snapshot holding NaN (the writer edge)', () => {
    const snap = sample(2);
    const data = snap.float32!.data.slice();
    data[41] = Number.NaN;
    expect(code(() => encodeCollectionFile({ ...snap, float32: { ...snap.float32!, data } }))).toBe(
      'NOT_FINITE',
    );
  });

  it('refuses set padding bits in binary rows and sign bits that disagree with the float32 rows', () => {
    const bytes = encodeCollectionFile(sample(3)); // 40 dims: word 1 of each row holds 8 bits + 24 padding
    const padded = bytes.slice();
    const words = sectionView(padded, 'binary');
    words.setUint32(3 * 4, words.getUint32(3 * 4, true) | (1 << 20), true); // row 1, word 1, bit 52
    expect(code(() => decodeCollectionFile(reseal(padded)))).toBe('CORRUPT_FILE');
    const flipped = bytes.slice();
    const w = sectionView(flipped, 'binary');
    w.setUint32(0, w.getUint32(0, true) ^ 1, true); // row 0, dimension 0
    expect(code(() => decodeCollectionFile(reseal(flipped)))).toBe('CORRUPT_FILE');
    // Binary-only files carry no float rows to compare with, but padding still counts.
    const binaryOnly = encodeCollectionFile(
      buildSnapshot({ name: 'b', fingerprint: fp, kinds: ['binary'], docs: makeDocs(2, 40) }),
    );
    const paddedOnly = binaryOnly.slice();
    const v = sectionView(paddedOnly, 'binary');
    v.setUint32(4, v.getUint32(4, true) | 0x80000000, true);
    expect(code(() => decodeCollectionFile(reseal(paddedOnly)))).toBe('CORRUPT_FILE');
    expect(decodeCollectionFile(binaryOnly).rows).toBe(2);
  });

  it('refuses overlapping, repeated, misaligned and out-of-range sections', () => {
    const bytes = encodeCollectionFile(sample(2));
    const header = readHeader(bytes);
    const at = (name: string) => header.sections.findIndex((s) => s.name === name);
    const edit = (change: (sections: ForgedSection[]) => void) => {
      const copy = structuredClone(header);
      change(copy.sections);
      return code(() => decodeCollectionFile(withHeader(bytes, copy)));
    };
    // texts read from the ids bytes (same length, both valid JSON string arrays of 2)
    expect(
      edit((s) => {
        s[at('texts')] = { ...s[at('ids')], name: 'texts' };
      }),
    ).toBe('CORRUPT_FILE');
    // float32 starting inside the int8 section
    expect(
      edit((s) => {
        s[at('float32')].offset = s[at('int8')].offset;
      }),
    ).toBe('CORRUPT_FILE');
    // a section inside the header area
    expect(
      edit((s) => {
        s[at('ids')].offset = 16;
      }),
    ).toBe('CORRUPT_FILE');
    expect(
      edit((s) => {
        s[at('ids')].offset += 1;
      }),
    ).toBe('CORRUPT_FILE');
    expect(
      edit((s) => {
        s[at('l1Norms')].name = 'binary'; // two binary sections
      }),
    ).toBe('CORRUPT_FILE');
    expect(
      edit((s) => {
        s[at('l1Norms')].offset = 1e15;
      }),
    ).toBe('CORRUPT_FILE');
    expect(edit(() => {})).toBe('accepted');
  });

  it('refuses malformed calibration arrays and repeated kinds without allocating for them', () => {
    const bytes = encodeCollectionFile(sample(2));
    const header = readHeader(bytes);
    const started = performance.now();
    const huge = withHeader(bytes, {
      ...header,
      calibration: { scheme: 'ranges', min: { length: 2e9 }, max: [] },
    });
    expect(code(() => decodeCollectionFile(huge))).toBe('CORRUPT_FILE');
    expect(performance.now() - started).toBeLessThan(1000);
    const kinds = withHeader(bytes, { ...header, kinds: ['float32', 'int8', 'binary', 'binary'] });
    expect(code(() => decodeCollectionFile(kinds))).toBe('CORRUPT_FILE');
  });
});

describe('metadata nesting', () => {
  it('refuses metadata nested past the limit in files (before it reaches IndexedDB) and in writes', async () => {
    // 200,000 levels: JSON.parse takes it, but IndexedDB's structured clone overflows the stack.
    const depth = 200_000;
    const deep = `[${'{"a":'.repeat(depth)}1${'}'.repeat(depth)}]`;
    const placeholder = buildSnapshot({
      name: 'deep',
      fingerprint: fp,
      kinds: ['float32'],
      docs: [{ ...makeDocs(1, 40)[0], metadata: { x: 'y'.repeat(deep.length - 10) } }],
    });
    const bytes = encodeCollectionFile(placeholder);
    const meta = sectionBytes(bytes, 'metadata');
    expect(meta.length).toBe(deep.length);
    meta.set(new TextEncoder().encode(deep));
    reseal(bytes);
    expect(() => decodeCollectionFile(bytes)).toThrowError(expect.objectContaining({ code: 'CORRUPT_FILE' }));
    const store = await openVectorStore(uniqueDbName());
    stores.push(store);
    await expectCode(store.importCollection(bytes), 'CORRUPT_FILE');
    expect(await store.listCollections()).toEqual([]);
    let nested: Metadata = { leaf: 1 };
    for (let i = 0; i < MAX_METADATA_DEPTH; i++) nested = { a: nested };
    const col = await store.createCollection('c', { fingerprint: fp, kinds: ['float32'] });
    await expectCode(col.add([{ ...makeDocs(1, 40)[0], metadata: nested }], fp), 'INVALID_ARGUMENT');
    expect(await col.count()).toBe(0);
  });
});

describe('export and import through the store', () => {
  it('round-trips a collection with deletes, and refuses bad files leaving the store untouched', async () => {
    const store = await openVectorStore(uniqueDbName());
    stores.push(store);
    const col = await store.createCollection('src', {
      fingerprint: fp,
      kinds: ['float32', 'int8', 'binary'],
      blockRows: 4,
    });
    const docs = makeDocs(9, 40);
    await col.add(docs, fp);
    await col.delete(['doc-3']);
    const bytes = await col.export();
    const copy = await store.importCollection(bytes, { name: 'copy' });
    expect(await copy.count()).toBe(8);
    const a = await col.load();
    const b = await copy.load();
    expect(b.ids).toEqual(a.ids.filter((id) => id !== 'doc-3'));
    expect(b.int8!.calibration).toEqual(a.int8!.calibration);
    const hits = await copy.search(docs[6].vector, { k: 1, mode: 'binary-rescore' });
    expect(hits[0].id).toBe('doc-6');
    await copy.add(makeDocs(1, 40, 3, 100), fp);
    expect(await copy.count()).toBe(9);

    await expectCode(store.importCollection(bytes, { name: 'copy' }), 'ALREADY_EXISTS');
    const bad = bytes.slice();
    bad[bad.length >> 1] ^= 0xff;
    await expectCode(store.importCollection(bad, { name: 'bad' }), 'CORRUPT_FILE');
    await expectCode(store.importCollection(bytes.subarray(0, 100), { name: 'bad' }), 'CORRUPT_FILE');
    await expectCode(
      store.importCollection(new Uint8Array([1, 2, 3, 4, 5, 6, 7, 8, 9, 10]), { name: 'bad' }),
      'UNSUPPORTED_FORMAT',
    );
    const nan = bytes.slice();
    sectionView(nan, 'float32').setFloat32(4, Number.NaN, true);
    await expectCode(store.importCollection(reseal(nan), { name: 'bad' }), 'NOT_FINITE');
    expect((await store.listCollections()).map((c) => c.name)).toEqual(['copy', 'src']);
    await expectCode(store.importCollection(bytes), 'ALREADY_EXISTS'); // the file's own name, 'src', is taken
    // replace: swaps the collection in one transaction; a bad file or a failed write changes nothing.
    const replaced = await store.importCollection(encodeCollectionFile(sample(3)), {
      name: 'copy',
      replace: true,
    });
    expect(await replaced.count()).toBe(3);
    await expectCode(store.importCollection(bad, { name: 'copy', replace: true }), 'CORRUPT_FILE');
    const originalPut = IDBObjectStore.prototype.put;
    IDBObjectStore.prototype.put = (() => {
      throw new DOMException('simulated: quota exceeded', 'QuotaExceededError');
    }) as IDBObjectStore['put'];
    try {
      await expectCode(store.importCollection(bytes, { name: 'copy', replace: true }), 'QUOTA_EXCEEDED');
    } finally {
      IDBObjectStore.prototype.put = originalPut;
    }
    expect((await replaced.load()).ids).toEqual(['doc-0', 'doc-1', 'doc-2']);
    await store.deleteCollection('src');
    const restored = await store.importCollection(bytes);
    expect(restored.name).toBe('src');
    expect(await restored.count()).toBe(8);
  });
});
