import 'fake-indexeddb/auto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Engine, createLocalEngine, env } from '../src/index.js';
import { ensureFixtures, fixtureModelsDir } from './fixture-paths.js';

// Two engines on one database stand in for two tabs (their stores talk over BroadcastChannel):
// a write in one reaches the other's dense search and its in-memory BM25 index, and the other's
// next write keeps it in the stored BM25 index instead of overwriting it.
const database = 'engine-cross-tab-test';
let tabA: Engine;
let tabB: Engine;

beforeAll(async () => {
  ensureFixtures();
  env.localModelPath = `${fixtureModelsDir}/`;
  env.allowRemoteModels = false;
  const options = {
    model: 'webembed-fixtures/crosslingual-bert',
    dtype: 'fp32',
    device: 'cpu',
    database,
  } as const;
  tabA = await createLocalEngine(options);
  tabB = await createLocalEngine(options);
});

afterAll(async () => {
  await tabA.dispose();
  await tabB.dispose();
});

/** Lets another tab's change notification arrive. */
async function settle(): Promise<void> {
  // BroadcastChannel delivers on a later task; two macrotask turns are enough in Node.
  for (let i = 0; i < 2; i++) await new Promise((resolve) => setTimeout(resolve, 10));
}

describe('collections across tabs, and without IndexedDB reads per search', () => {
  it("sees the other tab's documents in dense and BM25 search, and keeps them when it writes next", async () => {
    const a = await tabA.collection('shared');
    const b = await tabB.collection('shared');
    await a.add([{ id: 'a1', text: 'the cat sleeps on the sofa' }]);
    expect((await b.search('cat', { k: 5, mode: 'hybrid' })).hits.map((h) => h.id)).toContain('a1');
    await b.add([{ id: 'b1', text: 'zebra quokka xylophone' }]);
    await settle();
    const dense = await a.search('zebra quokka xylophone', { k: 1, mode: 'float32' });
    expect(dense.hits[0].id).toBe('b1');
    // Tab A's BM25 index must know b1's words: b1 is then in both rankings, and its fused score
    // is RRF's 1/(60 + dense rank) + 1/(60 + 1) instead of the dense term alone.
    const expectBothRankings = async (engine: Engine, query: string) => {
      const collection = await engine.collection('shared');
      const denseIds = (await collection.search(query, { k: 10, mode: 'float32' })).hits.map((h) => h.id);
      const fused = (await collection.search(query, { k: 10, mode: 'hybrid' })).hits.find(
        (h) => h.id === 'b1',
      );
      const denseTerm = 1 / (60 + denseIds.indexOf('b1') + 1);
      expect(fused?.score).toBeCloseTo(denseTerm + 1 / 61, 6);
    };
    await expectBothRankings(tabA, 'xylophone');
    // A's next write stores A's BM25 index; b1 must still be in it for a third tab.
    await a.add([{ id: 'a2', text: 'dogs bark at night' }]);
    const tabC = await createLocalEngine({
      model: 'webembed-fixtures/crosslingual-bert',
      dtype: 'fp32',
      device: 'cpu',
      database,
    });
    try {
      await expectBothRankings(tabC, 'xylophone');
    } finally {
      await tabC.dispose();
    }
  });

  it('searches of every mode, hybrid included, open no IndexedDB transaction while nothing changed', async () => {
    const a = await tabA.collection('quiet');
    // 20 documents hold "xylophone": a hybrid search for k = 1 ranks 14 dense rows, so BM25
    // finds documents the dense list lacks and hydrates them from the snapshot.
    await a.add([
      { id: 'q1', text: 'the cat sleeps on the sofa' },
      { id: 'q2', text: 'zebra quokka xylophone' },
      { id: 'q3', text: 'dogs bark at night' },
      ...Array.from({ length: 20 }, (_, i) => ({ id: `x${i}`, text: `xylophone ${'la '.repeat(i)}end` })),
    ]);
    for (const mode of ['float32', 'int8', 'hamming', 'binary-rescore', 'hybrid'] as const) {
      await a.search('xylophone', { k: 3, mode });
    }
    const proto = IDBDatabase.prototype;
    const original = proto.transaction;
    let transactions = 0;
    proto.transaction = function counted(this: IDBDatabase, ...args: Parameters<IDBDatabase['transaction']>) {
      transactions++;
      return original.apply(this, args);
    };
    try {
      for (const mode of ['float32', 'int8', 'hamming', 'binary-rescore', 'hybrid', undefined] as const) {
        const res = await a.search('xylophone quokka', { k: 3, mode });
        expect(res.hits).toHaveLength(3);
      }
      const hybrid = await a.search('xylophone', { k: 1, mode: 'hybrid' });
      expect(hybrid.hits[0].text).toContain('xylophone');
    } finally {
      proto.transaction = original;
    }
    expect(transactions).toBe(0);
  });
});
