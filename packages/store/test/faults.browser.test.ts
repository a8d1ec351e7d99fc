import { afterEach, describe, expect, it } from 'vitest';
import { type VectorStore, openVectorStore } from '../src/index.js';
import { expectCode } from './expect-code.js';
import { makeDocs, testFingerprint, uniqueDbName } from './helpers.js';

const dims = 32;
const fp = testFingerprint(dims);
const opened: VectorStore[] = [];
const originalPut = IDBObjectStore.prototype.put;
afterEach(() => {
  IDBObjectStore.prototype.put = originalPut;
  for (const s of opened.splice(0)) s.close();
});

/** Makes the `failAt`-th put (counting from 1) fail the way a full disk does. */
function failPutWithQuota(failAt: number, how: 'throw' | 'abort'): () => number {
  let calls = 0;
  IDBObjectStore.prototype.put = function (this: IDBObjectStore, ...args: Parameters<IDBObjectStore['put']>) {
    calls++;
    if (calls !== failAt) return originalPut.apply(this, args);
    if (how === 'throw') throw new DOMException('simulated: quota exceeded', 'QuotaExceededError');
    // The browser variant: the request is accepted, then the transaction aborts with a quota error.
    const request = originalPut.apply(this, args);
    const tx = this.transaction;
    Object.defineProperty(tx, 'error', {
      configurable: true,
      get: () => new DOMException('simulated: quota exceeded at commit', 'QuotaExceededError'),
    });
    tx.abort();
    return request;
  } as IDBObjectStore['put'];
  return () => calls;
}

async function seeded() {
  const store = await openVectorStore(uniqueDbName());
  opened.push(store);
  const col = await store.createCollection('docs', {
    fingerprint: fp,
    kinds: ['float32', 'binary'],
    blockRows: 8,
  });
  await col.add(makeDocs(12, dims), fp, { sidecars: { bm25: 'v1' } });
  return { store, col, before: await col.load() };
}

describe('quota errors', () => {
  for (const how of ['throw', 'abort'] as const) {
    it(`maps a quota failure (${how}) to QUOTA_EXCEEDED with no partial write`, async () => {
      const { col, before } = await seeded();
      // 30 new rows over blocks of 8: fills block 1 then writes blocks 2..5; fail in the middle.
      const calls = failPutWithQuota(7, how);
      await expectCode(
        col.add(makeDocs(30, dims, 4, 100), fp, { sidecars: { bm25: 'v2' } }),
        'QUOTA_EXCEEDED',
      );
      expect(calls()).toBeGreaterThanOrEqual(7);
      IDBObjectStore.prototype.put = originalPut;
      const info = await col.info();
      expect(info).toMatchObject({ count: 12, rows: 12, generation: before.generation });
      const after = await col.load();
      expect(after.ids).toEqual(before.ids);
      expect(after.float32!.data).toEqual(before.float32!.data);
      expect(await col.getSidecar('bm25')).toBe('v1');
      expect(await col.hasIds(['doc-100'])).toEqual([false]);
      // And the collection still takes writes afterwards.
      await col.add(makeDocs(30, dims, 4, 100), fp);
      expect(await col.count()).toBe(42);
    });
  }

  it('a quota failure during delete or import changes nothing', async () => {
    const { store, col, before } = await seeded();
    failPutWithQuota(1, 'throw');
    await expectCode(col.delete(['doc-1', 'doc-9']), 'QUOTA_EXCEEDED');
    IDBObjectStore.prototype.put = originalPut;
    expect(await col.count()).toBe(12);
    const bytes = await col.export();
    failPutWithQuota(3, 'abort');
    await expectCode(store.importCollection(bytes, { name: 'copy' }), 'QUOTA_EXCEEDED');
    IDBObjectStore.prototype.put = originalPut;
    expect((await store.listCollections()).map((c) => c.name)).toEqual(['docs']);
    expect((await col.load()).ids).toEqual(before.ids);
  });
});

describe('corrupt imports', () => {
  it('refuses a corrupt file and leaves the database as it was', async () => {
    const { store, col } = await seeded();
    const bytes = await col.export();
    const bad = bytes.slice();
    bad[bad.length - 40] ^= 0x10;
    await expectCode(store.importCollection(bad, { name: 'copy' }), 'CORRUPT_FILE');
    await expectCode(
      store.importCollection(bytes.subarray(0, bytes.length - 9), { name: 'copy' }),
      'CORRUPT_FILE',
    );
    await expectCode(
      store.importCollection(new TextEncoder().encode('{"not":"ours"}'), { name: 'copy' }),
      'UNSUPPORTED_FORMAT',
    );
    expect((await store.listCollections()).map((c) => c.name)).toEqual(['docs']);
    const copy = await store.importCollection(bytes, { name: 'copy' });
    expect((await copy.load()).ids).toEqual((await col.load()).ids);
  });
});
