import 'fake-indexeddb/auto';
import { openVectorStore, searchSnapshot } from '@webembed/store';
import { afterEach, describe, expect, it } from 'vitest';
import { createStoreSearcher, rankDistinct, rankDistinctMany } from '../src/dense-search.js';
import { fingerprintOf, resolvePreset } from '../src/index.js';

// The searcher keeps its snapshot between searches: no IndexedDB transaction per search while
// nothing changed; this handle's writes and other handles' writes (BroadcastChannel) are seen.

const dims = 8;
const fingerprint = fingerprintOf(resolvePreset('me/dense-test', { dims }), 'fp32', '', null);

function vec(seed: number): Float32Array {
  const v = Float32Array.from({ length: dims }, (_, j) => Math.sin(seed * 7.1 + j * 1.3));
  const n = Math.hypot(...v);
  return v.map((x) => x / n);
}

const docs = (from: number, n: number, meta?: (i: number) => Record<string, string>) =>
  Array.from({ length: n }, (_, i) => ({
    id: `d${from + i}`,
    text: `t${from + i}`,
    vector: vec(from + i),
    metadata: meta?.(from + i),
  }));

/** Counts IndexedDB transactions opened while `run` runs. */
async function transactionsDuring(run: () => Promise<unknown>): Promise<number> {
  const proto = IDBDatabase.prototype;
  const original = proto.transaction;
  let count = 0;
  proto.transaction = function counted(this: IDBDatabase, ...args: Parameters<IDBDatabase['transaction']>) {
    count++;
    return original.apply(this, args);
  };
  try {
    await run();
  } finally {
    proto.transaction = original;
  }
  return count;
}

const closers: (() => void)[] = [];
afterEach(() => {
  for (const close of closers.splice(0)) close();
});

describe('dense searcher snapshot freshness', () => {
  it('opens no IndexedDB transaction per search while nothing changed; sees own writes at once', async () => {
    const store = await openVectorStore('dense-fresh-own');
    closers.push(() => store.close());
    const stored = await store.createCollection('c', { fingerprint, kinds: ['float32', 'binary'] });
    await stored.add(docs(0, 20), fingerprint);
    const searcher = createStoreSearcher(stored);
    closers.push(() => searcher.dispose?.());
    const first = await searcher.search(vec(3), { k: 3, mode: 'float32' });
    expect(first.hits[0].id).toBe('d3');
    const later = await transactionsDuring(async () => {
      for (let q = 0; q < 5; q++) await searcher.search(vec(q), { k: 3, mode: 'float32' });
      expect(await searcher.liveRows?.()).toBe(20);
    });
    expect(later).toBe(0);
    await stored.add(docs(20, 1), fingerprint);
    const afterWrite = await searcher.search(vec(20), { k: 1, mode: 'float32' });
    expect(afterWrite.hits[0].id).toBe('d20');
    await stored.delete(['d20']);
    expect((await searcher.search(vec(20), { k: 1, mode: 'float32' })).hits[0].id).not.toBe('d20');
    expect(await searcher.liveRows?.()).toBe(20);
  });

  it("sees another handle's (tab's) write once its change notification arrives", async () => {
    const store = await openVectorStore('dense-fresh-remote');
    const other = await openVectorStore('dense-fresh-remote');
    closers.push(
      () => store.close(),
      () => other.close(),
    );
    const stored = await store.createCollection('c', { fingerprint, kinds: ['float32'] });
    await stored.add(docs(0, 10), fingerprint);
    expect(stored.seesRemoteChanges).toBe(true);
    const searcher = createStoreSearcher(stored);
    closers.push(() => searcher.dispose?.());
    expect((await searcher.search(vec(30), { k: 1, mode: 'float32' })).hits[0].id).not.toBe('d30');
    const notified = new Promise<string>((resolve) => {
      const stop = stored.onChange((change) => {
        stop();
        resolve(change.origin);
      });
    });
    await (await other.collection('c')).add(docs(30, 1), fingerprint);
    expect(await notified).toBe('remote');
    expect((await searcher.search(vec(30), { k: 1, mode: 'float32' })).hits[0].id).toBe('d30');
  });

  it('hydrates only the returned rows and reports where the time went', async () => {
    const store = await openVectorStore('dense-hydrate');
    closers.push(() => store.close());
    const stored = await store.createCollection('c', { fingerprint, kinds: ['float32', 'int8', 'binary'] });
    await stored.add(
      docs(0, 40, (i) => ({ group: String(i % 3) })),
      fingerprint,
    );
    const searcher = createStoreSearcher(stored, 'because a test says so');
    closers.push(() => searcher.dispose?.());
    const snapshot = await stored.load();
    for (const mode of ['float32', 'int8', 'hamming', 'binary-rescore'] as const) {
      const result = await searcher.search(vec(7), { k: 5, mode });
      const reference = searchSnapshot(snapshot, vec(7), { k: 5, mode });
      expect(result.hits, mode).toEqual(reference.map(({ row: _row, ...hit }) => hit));
      expect(result.backend).toBe('cpu');
      expect(result.reason).toBe('because a test says so');
      for (const part of ['snapshotMs', 'kernelMs', 'hydrateMs'] as const) {
        expect(result.timings[part]).toBeGreaterThanOrEqual(0);
      }
    }
    const filtered = await searcher.search(vec(7), { k: 5, mode: 'float32', filter: { group: '1' } });
    expect(filtered.hits.every((h) => h.metadata?.group === '1')).toBe(true);
  });

  it('ranks more rows only while too few are distinct, and returns the best row per key', async () => {
    const store = await openVectorStore('dense-distinct');
    closers.push(() => store.close());
    const stored = await store.createCollection('c', { fingerprint, kinds: ['float32'] });
    await stored.add(docs(0, 30), fingerprint);
    const snapshot = await stored.load();
    const asked: number[] = [];
    // Rows d0..d29; key = id modulo 3, so only 3 keys exist.
    const result = await rankDistinct(
      snapshot,
      { k: 3, mode: 'float32', distinct: (id) => String(Number(id.slice(1)) % 3) },
      (k) => {
        asked.push(k);
        const ranked = searchSnapshot(snapshot, vec(4), { k, mode: 'float32' });
        return { rows: ranked.map((h) => h.row), scores: ranked.map((h) => h.score) };
      },
    );
    expect(new Set(result.hits.map((h) => Number(h.id.slice(1)) % 3)).size).toBe(3);
    expect(asked[0]).toBe(3);
    const plain = await rankDistinct(snapshot, { k: 4, mode: 'float32' }, (k) => {
      asked.push(k);
      const ranked = searchSnapshot(snapshot, vec(4), { k, mode: 'float32' });
      return { rows: ranked.map((h) => h.row), scores: ranked.map((h) => h.score) };
    });
    expect(plain.hits).toHaveLength(4);
    expect(asked.at(-1)).toBe(4);
  });

  it('rankDistinctMany ranks pending queries together, round by round, with the hits rankDistinct gives each', async () => {
    const store = await openVectorStore('dense-distinct-many');
    closers.push(() => store.close());
    const stored = await store.createCollection('c', { fingerprint, kinds: ['float32'] });
    await stored.add(docs(0, 30), fingerprint);
    const snapshot = await stored.load();
    // Synthetic rankings of 30 rows: query 1 ranks rows in order (keys 0, 1, 2 at once); queries 0
    // and 2 rank the ten rows of key 0 first, so 3 distinct keys need a second, larger round.
    const order = (q: number) =>
      q === 1
        ? Array.from({ length: 30 }, (_, r) => r)
        : [0, 1, 2].flatMap((key) => Array.from({ length: 10 }, (_, i) => i * 3 + ((key + q) % 3)));
    const rankOne = (q: number, k: number) => {
      const rows = order(q).slice(0, k);
      return { rows, scores: rows.map((_, i) => 1 - i / 100) };
    };
    const distinct = (id: string) => String(Number(id.slice(1)) % 3);
    const calls: { queries: number[]; k: number }[] = [];
    const many = await rankDistinctMany(snapshot, { k: 3, mode: 'float32', distinct }, 3, (picked, k) => {
      calls.push({ queries: [...picked], k });
      return picked.map((q) => rankOne(q, k));
    });
    // Every query starts together; those short of keys go on together at k x 4 + 10.
    expect(calls).toEqual([
      { queries: [0, 1, 2], k: 3 },
      { queries: [0, 2], k: 22 },
    ]);
    for (let q = 0; q < 3; q++) {
      const alone = await rankDistinct(snapshot, { k: 3, mode: 'float32', distinct }, (k) => rankOne(q, k));
      expect(many.hits[q]).toEqual(alone.hits);
      expect(new Set(many.hits[q].map((h) => distinct(h.id))).size).toBe(3);
    }
    // Without a distinct key every query is done after the first round.
    calls.length = 0;
    const plain = await rankDistinctMany(snapshot, { k: 4, mode: 'float32' }, 3, (picked, k) => {
      calls.push({ queries: [...picked], k });
      return picked.map((q) => rankOne(q, k));
    });
    expect(calls).toEqual([{ queries: [0, 1, 2], k: 4 }]);
    expect(plain.hits.map((h) => h.length)).toEqual([4, 4, 4]);
  });

  it('reads only the vector forms a mode needs, and keeps them for the next mode', async () => {
    const store = await openVectorStore('dense-forms');
    closers.push(() => store.close());
    const stored = await store.createCollection('c', { fingerprint, kinds: ['float32', 'int8', 'binary'] });
    await stored.add(docs(0, 12), fingerprint);
    const loads: (string[] | 'all')[] = [];
    const load = stored.load.bind(stored);
    const watched = Object.create(stored) as typeof stored;
    watched.load = (options) => {
      loads.push(options?.kinds ? [...options.kinds].sort() : 'all');
      return load(options);
    };
    const searcher = createStoreSearcher(watched, 'cpu', ['float32', 'int8', 'binary']);
    closers.push(() => searcher.dispose?.());
    expect(await searcher.liveRows?.()).toBe(12);
    expect(loads).toEqual([]);
    await searcher.search(vec(1), { k: 2, mode: 'hamming' });
    await searcher.search(vec(1), { k: 2, mode: 'hamming' });
    expect(loads).toEqual([['binary']]);
    const rescored = await searcher.search(vec(1), { k: 2, mode: 'binary-rescore' });
    expect(rescored.hits[0].id).toBe('d1');
    await searcher.search(vec(1), { k: 2, mode: 'hamming' });
    await searcher.search(vec(1), { k: 2, mode: 'float32' });
    expect(loads).toEqual([['binary'], ['binary', 'float32']]);
    await searcher.search(vec(1), { k: 2, mode: 'int8' });
    expect(loads).toEqual([['binary'], ['binary', 'float32'], ['binary', 'float32', 'int8']]);
  });
});
