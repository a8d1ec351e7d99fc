import { afterEach, describe, expect, it } from 'vitest';
import { type StoreChange, type VectorStore, openVectorStore } from '../src/index.js';
import { expectCode } from './expect-code.js';
import { makeDocs, testFingerprint, uniqueDbName } from './helpers.js';

const dims = 48;
const fp = testFingerprint(dims);
const opened: VectorStore[] = [];
async function open(name: string): Promise<VectorStore> {
  const store = await openVectorStore(name);
  opened.push(store);
  return store;
}
afterEach(() => {
  for (const s of opened.splice(0)) s.close();
});

describe('IndexedDB in Chromium', () => {
  it('keeps everything across close and reopen', async () => {
    const name = uniqueDbName();
    const store = await open(name);
    const col = await store.createCollection('docs', {
      fingerprint: fp,
      kinds: ['float32', 'int8', 'binary'],
      blockRows: 64,
    });
    const docs = makeDocs(300, dims, 5);
    await col.add(docs.slice(0, 150), fp, { sidecars: { bm25: { terms: ['a'] } } });
    await col.add(docs.slice(150), fp);
    await col.delete(['doc-10', 'doc-200']);
    const before = await col.load();
    store.close();
    await expectCode(col.count(), 'DB_CLOSED');

    const again = await open(name);
    const col2 = await again.collection('docs');
    const after = await col2.load();
    expect(after.ids).toEqual(before.ids);
    expect(after.skip).toEqual(before.skip);
    expect(after.float32!.data).toEqual(before.float32!.data);
    expect(after.int8!.data).toEqual(before.int8!.data);
    expect(after.binary!.words).toEqual(before.binary!.words);
    expect(after.binary!.l1Norms).toEqual(before.binary!.l1Norms);
    expect(after.texts).toEqual(before.texts);
    expect(after.count).toBe(298);
    expect(await col2.getSidecar('bm25')).toEqual({ terms: ['a'] });
    expect((await col2.search(docs[123].vector, { k: 1 }))[0].id).toBe('doc-123');
    expect((await col2.search(docs[123].vector, { k: 1, mode: 'binary-rescore' }))[0].id).toBe('doc-123');
    expect((await col2.search(docs[123].vector, { k: 1, mode: 'int8' }))[0].id).toBe('doc-123');
  });

  it('refuses vectors of another model and leaves the collection unchanged', async () => {
    const store = await open(uniqueDbName());
    const col = await store.createCollection('docs', { fingerprint: fp, kinds: ['float32'] });
    await col.add(makeDocs(3, dims), fp);
    const err = await expectCode(
      col.add(makeDocs(2, dims, 2, 10), { ...fp, modelId: 'Xenova/other' }),
      'MODEL_MISMATCH',
    );
    expect(err.message).toMatch(/modelId/);
    await expectCode(col.upsert(makeDocs(2, dims, 2, 10), { ...fp, matryoshkaDims: 32 }), 'MODEL_MISMATCH');
    expect(await col.count()).toBe(3);
  });

  it('filters by metadata', async () => {
    const store = await open(uniqueDbName());
    const col = await store.createCollection('docs', { fingerprint: fp, kinds: ['float32', 'binary'] });
    const docs = makeDocs(60, dims, 8);
    await col.add(docs, fp);
    const hits = await col.search(docs[4].vector, { k: 5, filter: { group: 1 } });
    expect(hits.map((h) => h.metadata?.group)).toEqual([1, 1, 1, 1, 1]);
    const fn = await col.search(docs[4].vector, { k: 60, filter: (m) => m?.tag === 'even' });
    expect(fn).toHaveLength(30);
    expect(fn[0].id).toBe('doc-4');
  });

  it('serializes concurrent writers on two connections', async () => {
    const name = uniqueDbName();
    const a = await open(name);
    const b = await open(name);
    const colA = await a.createCollection('docs', { fingerprint: fp, kinds: ['float32'], blockRows: 16 });
    const colB = await b.collection('docs');
    const results = await Promise.allSettled([
      colA.add(makeDocs(40, dims, 1, 0), fp),
      colB.add(makeDocs(40, dims, 2, 40), fp),
      colA.add(makeDocs(1, dims, 3, 79), fp), // collides with b's doc-79
    ]);
    // Either b's batch or a's single doc-79 commits first; the later one is refused whole.
    const failed = results.filter((r) => r.status === 'rejected');
    expect(failed).toHaveLength(1);
    expect((failed[0] as PromiseRejectedResult).reason.code).toBe('ALREADY_EXISTS');
    expect(results[0].status).toBe('fulfilled');
    const expected = results[1].status === 'fulfilled' ? 80 : 41;
    expect(await colA.count()).toBe(expected);
    expect(await colB.count()).toBe(expected);
    expect(await colB.hasIds(['doc-0', 'doc-79', 'doc-40'])).toEqual([true, true, expected === 80]);
    const snap = await colA.load();
    expect(new Set(snap.ids).size).toBe(expected);
    expect(snap.rows).toBe(expected);
  });
});

describe('cross-tab behaviour', () => {
  it('steps aside for a schema upgrade in another tab and keeps working', async () => {
    const name = uniqueDbName();
    const store = await open(name);
    const col = await store.createCollection('docs', { fingerprint: fp, kinds: ['float32'] });
    await col.add(makeDocs(5, dims), fp);
    let blocked = false;
    const upgraded = await new Promise<IDBDatabase>((resolve, reject) => {
      const req = indexedDB.open(name, 7);
      req.onupgradeneeded = () => req.result.createObjectStore('from-a-newer-tab');
      req.onblocked = () => {
        blocked = true;
      };
      req.onsuccess = () => resolve(req.result);
      req.onerror = () => reject(req.error);
    });
    expect(blocked).toBe(false);
    expect(upgraded.version).toBe(7);
    upgraded.close();
    // Our handle reopens the (now newer) database lazily and still reads and writes.
    expect(await col.count()).toBe(5);
    await col.add(makeDocs(1, dims, 3, 5), fp);
    expect(await col.count()).toBe(6);
    const fresh = await open(name);
    expect(await (await fresh.collection('docs')).count()).toBe(6);
  });

  it('tells other handles about writes through BroadcastChannel', async () => {
    const name = uniqueDbName();
    const writer = await open(name);
    const reader = await open(name);
    const seen: StoreChange[] = [];
    const got = new Promise<void>((resolve) => {
      reader.onChange((change) => {
        seen.push(change);
        if (change.type === 'delete') resolve();
      });
    });
    const col = await writer.createCollection('docs', { fingerprint: fp, kinds: ['float32'] });
    await col.add(makeDocs(4, dims), fp);
    await col.delete(['doc-1']);
    await got;
    expect(seen.map((c) => `${c.origin}:${c.type}:${c.collection}`)).toEqual([
      'remote:create:docs',
      'remote:write:docs',
      'remote:delete:docs',
    ]);
    const mirror = await reader.collection('docs');
    expect((await mirror.load()).count).toBe(3);
  });
});
