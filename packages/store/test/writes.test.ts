import 'fake-indexeddb/auto';
import { afterEach, describe, expect, it } from 'vitest';
import { type VectorStore, openVectorStore } from '../src/index.js';
import { expectCode } from './expect-code.js';
import { makeDocs, testFingerprint, uniqueDbName } from './helpers.js';

const fp = testFingerprint(8);
const stores: VectorStore[] = [];
async function freshStore(): Promise<VectorStore> {
  const store = await openVectorStore(uniqueDbName());
  stores.push(store);
  return store;
}
afterEach(() => {
  for (const s of stores.splice(0)) s.close();
});

describe('writes', () => {
  it('fills blocks across boundaries and keeps row order', async () => {
    const store = await freshStore();
    const col = await store.createCollection('c', {
      fingerprint: fp,
      kinds: ['float32', 'binary'],
      blockRows: 3,
    });
    const docs = makeDocs(11);
    await col.add(docs.slice(0, 2), fp);
    await col.add(docs.slice(2, 7), fp);
    await col.add(docs.slice(7), fp);
    const snap = await col.load();
    expect(snap.rows).toBe(11);
    expect(snap.ids).toEqual(docs.map((d) => d.id));
    for (let i = 0; i < 11; i++) {
      expect(Array.from(snap.float32!.data.subarray(i * 8, i * 8 + 8))).toEqual(Array.from(docs[i].vector));
    }
    expect(snap.texts).toEqual(docs.map((d) => d.text));
    expect(snap.metadata).toEqual(docs.map((d) => d.metadata));
    const info = await col.info();
    expect(info).toMatchObject({ count: 11, rows: 11, blockRows: 3, generation: 3, dims: 8 });
  });

  it('accepts a columnar batch', async () => {
    const store = await freshStore();
    const col = await store.createCollection('c', { fingerprint: fp, kinds: ['float32'] });
    const docs = makeDocs(4);
    const data = new Float32Array(32);
    docs.forEach((d, i) => {
      data.set(d.vector, i * 8);
    });
    await col.add(
      { ids: docs.map((d) => d.id), texts: docs.map((d) => d.text), vectors: { data, rows: 4, dims: 8 } },
      fp,
    );
    expect(await col.hasIds(['doc-0', 'doc-3', 'doc-9'])).toEqual([true, true, false]);
    expect((await col.get('doc-2'))?.metadata).toBeUndefined();
  });

  it('refuses bad documents with typed errors and writes nothing', async () => {
    const store = await freshStore();
    const col = await store.createCollection('c', { fingerprint: fp, kinds: ['float32', 'int8'] });
    await col.add(makeDocs(3), fp);
    const good = makeDocs(1, 8, 9, 100)[0];
    await expectCode(col.add([{ ...good, vector: new Float32Array(7) }], fp), 'DIMENSION_MISMATCH');
    const nan = new Float32Array(good.vector);
    nan[3] = Number.NaN;
    await expectCode(col.add([{ ...good, vector: nan }], fp), 'NOT_FINITE');
    await expectCode(col.add([good], testFingerprint(8, { modelId: 'other/model' })), 'MODEL_MISMATCH');
    await expectCode(col.add([good], testFingerprint(8, { dtype: 'q8' })), 'MODEL_MISMATCH');
    await expectCode(col.add([good, good], fp), 'ALREADY_EXISTS');
    await expectCode(col.add([good, makeDocs(1)[0]], fp), 'ALREADY_EXISTS');
    await expectCode(col.add([{ ...good, id: '' }], fp), 'INVALID_ARGUMENT');
    await expectCode(col.add([{ ...good, text: 5 as unknown as string }], fp), 'NOT_A_STRING');
    await expectCode(col.add([{ ...good, metadata: [1] as unknown as { a: 1 } }], fp), 'INVALID_ARGUMENT');
    await expectCode(
      col.add([{ ...good, vector: [1, 2] as unknown as Float32Array }], fp),
      'INVALID_ARGUMENT',
    );
    await expectCode(col.add([], fp), 'EMPTY_BATCH');
    await expectCode(
      col.add({ ids: ['x'], texts: ['t'], vectors: { data: new Float32Array(9), rows: 1, dims: 8 } }, fp),
      'MISALIGNED_BUFFER',
    );
    await expectCode(
      col.add(
        { ids: ['x', 'y'], texts: ['t'], vectors: { data: new Float32Array(16), rows: 2, dims: 8 } },
        fp,
      ),
      'DIMENSION_MISMATCH',
    );
    expect(await col.count()).toBe(3);
    expect((await col.info()).generation).toBe(1);
    await expectCode(col.delete('doc-1' as unknown as string[]), 'INVALID_ARGUMENT');
    await expectCode(col.get(''), 'INVALID_ARGUMENT');
  });

  it('upserts: replaces existing ids, last duplicate in a batch wins', async () => {
    const store = await freshStore();
    const col = await store.createCollection('c', { fingerprint: fp, kinds: ['float32'], blockRows: 2 });
    const docs = makeDocs(5);
    await col.add(docs, fp);
    const fresh = makeDocs(3, 8, 42, 0); // ids doc-0..doc-2 with new vectors
    const res = await col.upsert(
      [fresh[0], { ...fresh[1], text: 'first' }, { ...fresh[1], text: 'second' }, fresh[2]],
      fp,
    );
    expect(res).toMatchObject({ written: 3, replaced: 3 });
    expect(await col.count()).toBe(5);
    expect((await col.get('doc-1'))?.text).toBe('second');
    expect(Array.from((await col.get('doc-0'))!.vector!)).toEqual(Array.from(fresh[0].vector));
    const listed: string[] = [];
    for await (const d of col.iterate()) listed.push(d.id);
    expect(listed).toEqual(['doc-3', 'doc-4', 'doc-0', 'doc-1', 'doc-2']);
  });

  it('deletes by tombstone and compacts', async () => {
    const store = await freshStore();
    const col = await store.createCollection('c', {
      fingerprint: fp,
      kinds: ['float32', 'int8', 'binary'],
      blockRows: 4,
    });
    const docs = makeDocs(10);
    await col.add(docs, fp);
    expect(await col.delete(['doc-1', 'doc-4', 'doc-9', 'doc-4'])).toBe(3);
    expect(await col.delete(['doc-1'])).toBe(0);
    const before = await col.search(docs[5].vector, { k: 10 });
    expect(before.map((h) => h.id).sort()).toEqual(
      docs
        .map((d) => d.id)
        .filter((id) => !['doc-1', 'doc-4', 'doc-9'].includes(id))
        .sort(),
    );
    expect(await col.compact()).toBe(3);
    expect(await col.compact()).toBe(0);
    const info = await col.info();
    expect(info).toMatchObject({ rows: 7, count: 7 });
    const snap = await col.load();
    expect(snap.ids).toEqual(['doc-0', 'doc-2', 'doc-3', 'doc-5', 'doc-6', 'doc-7', 'doc-8']);
    expect(Array.from(snap.float32!.data.subarray(3 * 8, 4 * 8))).toEqual(Array.from(docs[5].vector));
    expect(snap.binary!.l1Norms!.length).toBe(7);
    const after = await col.search(docs[5].vector, { k: 3 });
    expect(after[0].id).toBe('doc-5');
    // ids stay addressable after compaction
    expect(await col.hasIds(['doc-8', 'doc-9'])).toEqual([true, false]);
    await col.add(makeDocs(1, 8, 3, 9), fp);
    expect(await col.count()).toBe(8);
  });

  it('clear keeps the collection and its calibration', async () => {
    const store = await freshStore();
    const col = await store.createCollection('c', { fingerprint: fp, kinds: ['int8'] });
    await col.add(makeDocs(5), fp);
    const cal = (await col.info()).calibration;
    expect(cal?.min.length).toBe(8);
    await col.setSidecar('bm25', { n: 1 });
    await col.clear();
    expect(await col.count()).toBe(0);
    expect(await col.getSidecar('bm25')).toBeUndefined();
    expect((await col.info()).calibration).toEqual(cal);
    expect(await col.search(makeDocs(1)[0].vector, { k: 3 })).toEqual([]);
    await col.add(makeDocs(2), fp);
    expect(await col.count()).toBe(2);
  });

  it('writes sidecars atomically with documents', async () => {
    const store = await freshStore();
    const col = await store.createCollection('c', { fingerprint: fp, kinds: ['float32'] });
    await col.add(makeDocs(2), fp, { sidecars: { bm25: new Uint8Array([1, 2, 3]) } });
    expect(await col.getSidecar('bm25')).toEqual(new Uint8Array([1, 2, 3]));
    // A failing write leaves the old sidecar in place.
    await expectCode(col.add(makeDocs(1), fp, { sidecars: { bm25: 'new' } }), 'ALREADY_EXISTS');
    expect(await col.getSidecar('bm25')).toEqual(new Uint8Array([1, 2, 3]));
    await col.delete(['doc-0'], { sidecars: { bm25: 'after-delete' } });
    expect(await col.getSidecar('bm25')).toBe('after-delete');
    await expectCode(col.setSidecar('', 1), 'INVALID_ARGUMENT');
  });

  it('computes int8 calibration from the first batch, or uses the given one', async () => {
    const store = await freshStore();
    const auto = await store.createCollection('auto', { fingerprint: fp, kinds: ['int8'] });
    expect((await auto.info()).calibration).toBeNull();
    await auto.add(makeDocs(20), fp);
    const cal = (await auto.info()).calibration!;
    await auto.add(makeDocs(5, 8, 77, 20), fp);
    expect((await auto.info()).calibration).toEqual(cal);
    const min = new Float32Array(8).fill(-1);
    const max = new Float32Array(8).fill(1);
    const fixed = await store.createCollection('fixed', {
      fingerprint: fp,
      kinds: ['int8'],
      int8Calibration: { scheme: 'symmetric', min, max },
    });
    await fixed.add(makeDocs(3), fp);
    const snap = await fixed.load();
    expect(snap.int8?.calibration.scheme).toBe('symmetric');
    expect(Array.from(snap.int8!.calibration.max)).toEqual(Array.from(max));
  });
});
