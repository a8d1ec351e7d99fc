import 'fake-indexeddb/auto';
import { afterEach, describe, expect, it } from 'vitest';
import { type VectorStore, openVectorStore } from '../src/index.js';
import { expectCode } from './expect-code.js';
import { makeDocs, testFingerprint, uniqueDbName } from './helpers.js';

const fp = testFingerprint(8);
const stores: VectorStore[] = [];
async function open(name = uniqueDbName()): Promise<VectorStore> {
  const store = await openVectorStore(name);
  stores.push(store);
  return store;
}
afterEach(() => {
  for (const s of stores.splice(0)) s.close();
});

describe('reads', () => {
  it('loads only the requested forms and skips documents on request', async () => {
    const store = await open();
    const col = await store.createCollection('c', {
      fingerprint: fp,
      kinds: ['float32', 'int8', 'binary'],
      blockRows: 3,
    });
    await col.add(makeDocs(7), fp);
    const bin = await col.load({ kinds: ['binary'], documents: false });
    expect(bin.kinds).toEqual(['binary']);
    expect(bin.float32).toBeUndefined();
    expect(bin.int8).toBeUndefined();
    expect(bin.texts).toBeUndefined();
    expect(bin.binary?.rows).toBe(7);
    expect(bin.ids).toHaveLength(7);
    const full = await col.load();
    expect(full.kinds).toEqual(['float32', 'int8', 'binary']);
    expect(full.binary!.words).toEqual(bin.binary!.words);
    expect(full.int8?.rows).toBe(7);
    expect(full.texts).toHaveLength(7);
    await expectCode(col.load({ kinds: ['float16' as 'float32'] }), 'INVALID_ARGUMENT');
  });

  it('iterates live documents across blocks, and get works without a float32 form', async () => {
    const store = await open();
    const col = await store.createCollection('c', { fingerprint: fp, kinds: ['binary'], blockRows: 2 });
    const docs = makeDocs(7);
    await col.add(docs, fp);
    await col.delete(['doc-0', 'doc-3', 'doc-6']);
    const seen: string[] = [];
    for await (const doc of col.iterate()) {
      expect(doc.vector).toBeUndefined();
      seen.push(`${doc.id}:${doc.text}:${doc.metadata?.group}`);
    }
    expect(seen).toEqual(['doc-1:text 1:1', 'doc-2:text 2:2', 'doc-4:text 4:1', 'doc-5:text 5:2']);
    expect(await col.get('doc-4')).toEqual({
      id: 'doc-4',
      text: 'text 4',
      metadata: docs[4].metadata,
      vector: undefined,
    });
    expect(await col.get('doc-3')).toBeUndefined();
    const empty = await store.createCollection('empty', { fingerprint: fp, kinds: ['float32'] });
    for await (const _ of empty.iterate()) throw new Error('an empty collection yields nothing');
    expect((await empty.load()).rows).toBe(0);
  });

  it('never trusts a stale id index: writes from another handle are seen', async () => {
    const name = uniqueDbName();
    const a = await open(name);
    const b = await open(name);
    const colA = await a.createCollection('c', { fingerprint: fp, kinds: ['float32'], blockRows: 4 });
    const colB = await b.collection('c');
    await colA.add(makeDocs(3), fp); // a's index is now cached
    await colB.add(makeDocs(2, 8, 2, 10), fp); // doc-10, doc-11 via b
    await expectCode(colA.add(makeDocs(1, 8, 3, 10), fp), 'ALREADY_EXISTS');
    expect(await colA.hasIds(['doc-11'])).toEqual([true]);
    await colB.delete(['doc-1']);
    expect(await colA.get('doc-1')).toBeUndefined();
    const res = await colA.upsert(makeDocs(2, 8, 4, 0), fp); // doc-0 (live) and doc-1 (deleted by b)
    expect(res.replaced).toBe(1);
    expect(await colA.count()).toBe(5); // 3 + 2 - 1 deleted - 1 replaced + 2 written
    await colB.compact();
    expect(await colA.hasIds(['doc-0', 'doc-1', 'doc-2', 'doc-10'])).toEqual([true, true, true, true]);
    expect((await colA.get('doc-10'))?.text).toBe('text 10');
  });
});
