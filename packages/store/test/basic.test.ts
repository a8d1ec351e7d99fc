import 'fake-indexeddb/auto';
import { describe, expect, it } from 'vitest';
import { openVectorStore } from '../src/index.js';
import { makeDocs, testFingerprint, uniqueDbName } from './helpers.js';

describe('store basics (fake-indexeddb)', () => {
  it('creates, adds, reads, searches, deletes and reopens', async () => {
    const dbName = uniqueDbName();
    const fp = testFingerprint(8);
    const store = await openVectorStore(dbName);
    const col = await store.createCollection('docs', {
      fingerprint: fp,
      kinds: ['float32', 'int8', 'binary'],
      blockRows: 4,
    });
    const docs = makeDocs(10, 8);
    const res = await col.add(docs, fp);
    expect(res.written).toBe(10);
    expect(await col.count()).toBe(10);
    const got = await col.get('doc-5');
    expect(got?.text).toBe('text 5');
    expect(Array.from(got!.vector!)).toEqual(Array.from(docs[5].vector));
    const hits = await col.search(docs[7].vector, { k: 3 });
    expect(hits[0].id).toBe('doc-7');
    expect(await col.delete(['doc-7', 'nope'])).toBe(1);
    const after = await col.search(docs[7].vector, { k: 3 });
    expect(after.map((h) => h.id)).not.toContain('doc-7');
    store.close();
    const again = await openVectorStore(dbName);
    const col2 = await again.collection('docs');
    expect(await col2.count()).toBe(9);
    const snap = await col2.load();
    expect(snap.rows).toBe(10);
    expect(snap.binary?.l1Norms?.length).toBe(10);
    again.close();
  });
});
