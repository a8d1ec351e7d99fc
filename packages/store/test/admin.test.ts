import 'fake-indexeddb/auto';
import { afterEach, describe, expect, it } from 'vitest';
import { type StoreChange, type VectorStore, openVectorStore } from '../src/index.js';
import { expectCode } from './expect-code.js';
import { makeDocs, testFingerprint, uniqueDbName } from './helpers.js';

const fp = testFingerprint(8);

/** Polls `ready` until true (BroadcastChannel delivery is asynchronous); fails after 10 s. */
async function waitFor(ready: () => boolean): Promise<void> {
  const deadline = Date.now() + 10_000;
  while (!ready()) {
    if (Date.now() > deadline) throw new Error('timed out waiting for change events');
    await new Promise((r) => setTimeout(r, 5));
  }
}
const stores: VectorStore[] = [];
async function freshStore(name = uniqueDbName()): Promise<VectorStore> {
  const store = await openVectorStore(name);
  stores.push(store);
  return store;
}
afterEach(() => {
  for (const s of stores.splice(0)) s.close();
});

describe('collections and aliases', () => {
  it('lists, refuses duplicates and deletes collections with their data', async () => {
    const store = await freshStore();
    await store.createCollection('b', { fingerprint: fp, kinds: ['float32'] });
    const a = await store.createCollection('a', { fingerprint: fp, kinds: ['binary', 'float32', 'binary'] });
    expect((await a.info()).kinds).toEqual(['float32', 'binary']);
    await a.add(makeDocs(3), fp);
    await a.setSidecar('x', 1);
    expect((await store.listCollections()).map((c) => c.name)).toEqual(['a', 'b']);
    await expectCode(store.createCollection('a', { fingerprint: fp, kinds: ['float32'] }), 'ALREADY_EXISTS');
    await store.deleteCollection('a');
    await expectCode(store.collection('a'), 'NOT_FOUND');
    await expectCode(a.count(), 'NOT_FOUND');
    await expectCode(store.deleteCollection('a'), 'NOT_FOUND');
    const again = await store.createCollection('a', { fingerprint: fp, kinds: ['float32'] });
    expect(await again.count()).toBe(0);
    expect(await again.getSidecar('x')).toBeUndefined();
    expect(await again.hasIds(['doc-0'])).toEqual([false]);
  });

  it('validates collection options', async () => {
    const store = await freshStore();
    await expectCode(store.createCollection('', { fingerprint: fp, kinds: ['float32'] }), 'INVALID_ARGUMENT');
    await expectCode(store.createCollection('x', { fingerprint: fp, kinds: [] }), 'INVALID_ARGUMENT');
    await expectCode(
      store.createCollection('x', { fingerprint: fp, kinds: ['float64' as 'float32'] }),
      'INVALID_ARGUMENT',
    );
    await expectCode(
      store.createCollection('x', { fingerprint: { ...fp, dims: 0 }, kinds: ['float32'] }),
      'INVALID_ARGUMENT',
    );
    await expectCode(
      store.createCollection('x', { fingerprint: fp, kinds: ['float32'], blockRows: 0 }),
      'INVALID_ARGUMENT',
    );
    const cal = { scheme: 'ranges' as const, min: new Float32Array(7), max: new Float32Array(7) };
    await expectCode(
      store.createCollection('x', { fingerprint: fp, kinds: ['int8'], int8Calibration: cal }),
      'DIMENSION_MISMATCH',
    );
    const bad = { scheme: 'ranges' as const, min: new Float32Array(8).fill(1), max: new Float32Array(8) };
    await expectCode(
      store.createCollection('x', { fingerprint: fp, kinds: ['int8'], int8Calibration: bad }),
      'INVALID_ARGUMENT', // min > max
    );
    const nan = { ...bad, min: new Float32Array(8).fill(Number.NaN) };
    await expectCode(
      store.createCollection('x', { fingerprint: fp, kinds: ['int8'], int8Calibration: nan }),
      'NOT_FINITE',
    );
    await expectCode(
      store.createCollection('x', { fingerprint: fp, kinds: ['float32'], int8Calibration: cal }),
      'INVALID_ARGUMENT',
    );
    expect(await store.listCollections()).toEqual([]);
  });

  it('switches an alias atomically (blue-green)', async () => {
    const store = await freshStore();
    const v1 = await store.createCollection('docs-v1', { fingerprint: fp, kinds: ['float32'] });
    await v1.add(makeDocs(2), fp);
    await store.setAlias('docs', 'docs-v1');
    const viaAlias = await store.collection('docs');
    expect(viaAlias.name).toBe('docs-v1');
    const v2 = await store.createCollection('docs-v2', { fingerprint: fp, kinds: ['float32'] });
    await v2.add(makeDocs(5), fp);
    expect(await (await store.collection('docs')).count()).toBe(2); // old one until the switch
    await store.setAlias('docs', 'docs-v2');
    expect(await (await store.collection('docs')).count()).toBe(5);
    expect(await viaAlias.count()).toBe(2); // handles stay bound to what they resolved
    expect(await store.resolveAlias('docs')).toBe('docs-v2');
    expect(await store.listAliases()).toEqual([{ alias: 'docs', target: 'docs-v2' }]);
    await expectCode(store.deleteCollection('docs-v2'), 'INVALID_ARGUMENT');
    await store.deleteCollection('docs-v1');
    await expectCode(store.setAlias('docs-v2', 'docs-v2'), 'ALREADY_EXISTS');
    await expectCode(store.setAlias('other', 'missing'), 'NOT_FOUND');
    await expectCode(
      store.createCollection('docs', { fingerprint: fp, kinds: ['float32'] }),
      'ALREADY_EXISTS',
    );
    expect(await store.hasCollection('docs')).toBe(true);
    expect(await store.deleteAlias('docs')).toBe(true);
    expect(await store.deleteAlias('docs')).toBe(false);
    expect(await store.hasCollection('docs')).toBe(false);
  });

  it('emits local and remote change events', async () => {
    const name = uniqueDbName();
    const a = await freshStore(name);
    const b = await freshStore(name);
    const seenA: StoreChange[] = [];
    const seenB: StoreChange[] = [];
    const off = a.onChange((c) => seenA.push(c));
    b.onChange((c) => seenB.push(c));
    const col = await a.createCollection('c', { fingerprint: fp, kinds: ['float32'] });
    await col.add(makeDocs(2), fp);
    await waitFor(() => seenB.length >= 2);
    expect(seenA.map((c) => `${c.origin}:${c.type}`)).toEqual(['local:create', 'local:write']);
    expect(seenB.map((c) => `${c.origin}:${c.type}`)).toEqual(['remote:create', 'remote:write']);
    expect(seenB[1].generation).toBe(1);
    // the other handle sees the write
    expect(await (await b.collection('c')).count()).toBe(2);
    off();
    await col.delete(['doc-0']);
    await waitFor(() => seenB.length >= 3);
    expect(seenA.length).toBe(2);
    expect(seenB.at(-1)?.type).toBe('delete');
    // b's cached snapshot is refreshed after a's write
    const bc = await b.collection('c');
    expect((await bc.load()).count).toBe(1);
    await col.add(makeDocs(1, 8, 5, 50), fp);
    expect((await bc.load()).count).toBe(2);
  });

  it('throws DB_CLOSED after close', async () => {
    const store = await openVectorStore(uniqueDbName());
    const col = await store.createCollection('c', { fingerprint: fp, kinds: ['float32'] });
    store.close();
    await expectCode(col.count(), 'DB_CLOSED');
    await expectCode(col.add(makeDocs(1), fp), 'DB_CLOSED');
    await expectCode(store.listCollections(), 'DB_CLOSED');
  });

  it('reports persistence and usage without throwing', async () => {
    const store = await freshStore();
    expect(typeof (await store.requestPersistence())).toBe('boolean');
    const usage = await store.estimateUsage();
    expect(usage).toHaveProperty('usage');
    expect(() => store.onChange(5 as unknown as () => void)).toThrow(/function/);
  });
});
