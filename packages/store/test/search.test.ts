import 'fake-indexeddb/auto';
import { searchFloat } from '@webembed/core';
import { afterEach, describe, expect, it } from 'vitest';
import {
  type VectorStore,
  buildSnapshot,
  filterPredicate,
  liveRowCount,
  openVectorStore,
  rankSnapshot,
  rankSnapshotMany,
  searchSnapshot,
  snapshotRowId,
} from '../src/index.js';
import { expectCode } from './expect-code.js';
import { makeDocs, rng, testFingerprint, uniqueDbName, unitVector } from './helpers.js';

const dims = 64;
const fp = testFingerprint(dims);
const stores: VectorStore[] = [];
afterEach(() => {
  for (const s of stores.splice(0)) s.close();
});

describe('search over a snapshot', () => {
  const docs = makeDocs(300, dims, 7);
  const snap = buildSnapshot({ name: 's', fingerprint: fp, kinds: ['float32', 'int8', 'binary'], docs });
  const query = unitVector(dims, rng(99));
  const exact = searchFloat({ data: query, rows: 1, dims }, snap.float32!, { k: 10 });
  const exactIds = Array.from(exact.indices).map((r) => docs[r].id);

  it('float32 mode equals core exact search', () => {
    const hits = searchSnapshot(snap, query, { k: 10, mode: 'float32' });
    expect(hits.map((h) => h.id)).toEqual(exactIds);
    expect(hits[0].score).toBeCloseTo(exact.scores[0], 6);
    expect(hits[0].text).toBe(docs[exact.indices[0]].text);
    expect(hits[0].metadata).toEqual(docs[exact.indices[0]].metadata);
  });

  it('int8 and binary-rescore modes recover most exact neighbours; hamming is ascending', () => {
    const overlap = (ids: string[]) => ids.filter((id) => exactIds.includes(id)).length;
    const int8 = searchSnapshot(snap, query, { k: 10, mode: 'int8' });
    expect(overlap(int8.map((h) => h.id))).toBeGreaterThanOrEqual(8);
    const rescored = searchSnapshot(snap, query, { k: 10, mode: 'binary-rescore', oversample: 10 });
    expect(overlap(rescored.map((h) => h.id))).toBeGreaterThanOrEqual(8);
    const ham = searchSnapshot(snap, query, { k: 10, mode: 'hamming' });
    expect(ham).toHaveLength(10);
    for (let i = 1; i < ham.length; i++) expect(ham[i].score).toBeGreaterThanOrEqual(ham[i - 1].score);
  });

  it('binary-only collections rank by asymmetric binary scores', () => {
    const bin = buildSnapshot({ name: 'b', fingerprint: fp, kinds: ['binary'], docs });
    const hits = searchSnapshot(bin, docs[17].vector, { k: 3 });
    expect(hits[0].id).toBe('doc-17');
    expect(hits[0].score).toBeGreaterThan(hits[2].score);
  });

  it('filters by equality object and by predicate', () => {
    const eq = searchSnapshot(snap, query, { k: 10, filter: { group: 1 } });
    expect(eq).toHaveLength(10);
    expect(eq.every((h) => h.metadata?.group === 1)).toBe(true);
    const both = searchSnapshot(snap, query, { k: 500, filter: { group: 1, tag: 'even' } });
    expect(both).toHaveLength(
      docs.filter((d) => d.metadata?.group === 1 && d.metadata.tag === 'even').length,
    );
    const pred = searchSnapshot(snap, query, {
      k: 5,
      filter: (m, id) => id.endsWith('7') && m?.tag === 'odd',
    });
    expect(pred.every((h) => h.id.endsWith('7'))).toBe(true);
    const expected = exactIds.filter((id) => docs.find((d) => d.id === id)?.metadata?.group === 1);
    expect(eq.map((h) => h.id).slice(0, expected.length)).toEqual(expected);
    expect(searchSnapshot(snap, query, { k: 5, filter: { group: 99 } })).toEqual([]);
    expect(filterPredicate({ a: [1, { b: 2 }] })({ a: [1, { b: 2 }] }, 'x')).toBe(true);
    expect(filterPredicate({ a: [1] })({ a: [2] }, 'x')).toBe(false);
    expect(filterPredicate({ a: 1 })(undefined, 'x')).toBe(false);
  });

  it('refuses bad queries and options', () => {
    expect(() => searchSnapshot(snap, new Float32Array(3), { k: 1 })).toThrowError(
      expect.objectContaining({ code: 'DIMENSION_MISMATCH' }),
    );
    expect(() => searchSnapshot(snap, query, { k: 0 })).toThrowError(
      expect.objectContaining({ code: 'INVALID_K' }),
    );
    expect(() => searchSnapshot(snap, query, { k: 1.5 })).toThrowError(
      expect.objectContaining({ code: 'INVALID_K' }),
    );
    expect(() => searchSnapshot(snap, [1] as unknown as Float32Array, { k: 1 })).toThrowError(
      expect.objectContaining({ code: 'INVALID_ARGUMENT' }),
    );
    expect(() => searchSnapshot(snap, query, { k: 1, mode: 'cosine' as 'float32' })).toThrowError(
      expect.objectContaining({ code: 'INVALID_ARGUMENT' }),
    );
    expect(() => searchSnapshot(snap, query, { k: 1, filter: 3 as unknown as () => boolean })).toThrowError(
      expect.objectContaining({ code: 'INVALID_ARGUMENT' }),
    );
    const nan = new Float32Array(query);
    nan[0] = Number.NaN;
    expect(() => searchSnapshot(snap, nan, { k: 1 })).toThrowError(
      expect.objectContaining({ code: 'NOT_FINITE' }),
    );
    const floatOnly = buildSnapshot({
      name: 'f',
      fingerprint: fp,
      kinds: ['float32'],
      docs: docs.slice(0, 5),
    });
    expect(() => searchSnapshot(floatOnly, query, { k: 1, mode: 'hamming' })).toThrowError(
      expect.objectContaining({ code: 'INVALID_ARGUMENT' }),
    );
    expect(() => searchSnapshot(floatOnly, query, { k: 1, mode: 'int8' })).toThrowError(
      /holds only: float32/,
    );
  });
});

describe('collection.search through the store', () => {
  it('follows writes and deletes', async () => {
    const store = await openVectorStore(uniqueDbName());
    stores.push(store);
    const col = await store.createCollection('c', { fingerprint: fp, kinds: ['float32', 'binary'] });
    const docs = makeDocs(50, dims, 3);
    await col.add(docs.slice(0, 25), fp);
    expect((await col.search(docs[30].vector, { k: 1 }))[0].id).not.toBe('doc-30');
    await col.add(docs.slice(25), fp);
    expect((await col.search(docs[30].vector, { k: 1 }))[0].id).toBe('doc-30');
    await col.delete(['doc-30']);
    expect((await col.search(docs[30].vector, { k: 1 }))[0].id).not.toBe('doc-30');
    const filtered = await col.search(docs[30].vector, {
      k: 3,
      mode: 'binary-rescore',
      filter: { tag: 'odd' },
    });
    expect(filtered.every((h) => h.metadata?.tag === 'odd')).toBe(true);
    await expectCode(col.search(docs[0].vector, { k: 1, mode: 'int8' }), 'INVALID_ARGUMENT');
    const hamming = await col.search(docs[7].vector, { k: 2, mode: 'hamming' });
    expect(hamming[0]).toMatchObject({ id: 'doc-7', score: 0, text: 'text 7' });
    await expectCode(col.search(docs[0].vector, { k: 1, mode: 'dot' as 'float32' }), 'INVALID_ARGUMENT');
    const vectorsOnly = await col.load({ documents: false });
    expect(vectorsOnly.texts).toBeDefined(); // cached snapshot with documents is reused
  });

  it('rankSnapshot ranks like searchSnapshot; snapshotRowId decodes one row id, across blocks and deletes', async () => {
    const store = await openVectorStore(uniqueDbName());
    stores.push(store);
    const col = await store.createCollection('r', {
      fingerprint: fp,
      kinds: ['float32', 'binary'],
      blockRows: 16,
    });
    const odd = ['\u00e9t\u00e9', 'Ω', '\ud83d\ude00', '\ud800 lone', ''];
    const docs = makeDocs(60, dims, 5).map((d, i) => ({ ...d, id: `${odd[i % odd.length]}-${i}` }));
    await col.add(docs.slice(0, 37), fp);
    await col.add(docs.slice(37), fp);
    await col.delete([docs[3].id, docs[40].id]);
    const snapshot = await col.load({ documents: false });
    const perRow = Array.from({ length: snapshot.rows }, (_, r) => snapshotRowId(snapshot, r));
    expect(perRow).toEqual(snapshot.ids);
    expect(perRow[59]).toBe(docs[59].id);
    for (const mode of ['float32', 'hamming', 'binary-rescore'] as const) {
      const ranked = rankSnapshot(snapshot, docs[20].vector, { k: 6, mode });
      const hits = searchSnapshot(snapshot, docs[20].vector, { k: 6, mode });
      expect(Array.from(ranked.rows)).toEqual(hits.map((h) => h.row));
      expect(Array.from(ranked.scores)).toEqual(hits.map((h) => h.score));
      expect(ranked.rows).not.toContain(3);
    }
    expect(liveRowCount(snapshot)).toBe(58);
  });

  it('rankSnapshotMany ranks a batch in one call exactly as rankSnapshot ranks each query alone', async () => {
    const store = await openVectorStore(uniqueDbName());
    stores.push(store);
    const docs = makeDocs(90, dims, 11);
    const layouts = [
      { kinds: ['float32', 'int8', 'binary'] as const, normalized: true },
      { kinds: ['int8', 'binary'] as const, normalized: true },
      { kinds: ['binary'] as const, normalized: true },
    ];
    const next = rng(5);
    const Q = 7;
    const data = new Float32Array(Q * dims);
    for (let q = 0; q < Q; q++) data.set(unitVector(dims, next), q * dims);
    // A query equal to a stored row, so ties and exact matches are part of the batch.
    data.set(docs[12].vector, 3 * dims);
    const queries = { data, rows: Q, dims };
    for (const [n, layout] of layouts.entries()) {
      const col = await store.createCollection(`many-${n}`, { fingerprint: fp, kinds: [...layout.kinds] });
      await col.add(docs, fp);
      await col.delete([docs[4].id, docs[12].id]);
      const snapshot = await col.load({ documents: true });
      const modes = (['float32', 'int8', 'hamming', 'binary-rescore'] as const).filter(
        (m) => (m !== 'float32' || snapshot.float32) && (m !== 'int8' || snapshot.int8),
      );
      for (const mode of modes) {
        for (const filter of [undefined, { group: 1 }, (_m: unknown, id: string) => id.endsWith('7')]) {
          for (const k of [1, 5, 200]) {
            const batch = rankSnapshotMany(snapshot, queries, { k, mode, filter });
            expect(batch).toHaveLength(Q);
            for (let q = 0; q < Q; q++) {
              const alone = rankSnapshot(snapshot, data.slice(q * dims, (q + 1) * dims), { k, mode, filter });
              expect(Array.from(batch[q].rows), `${layout.kinds} ${mode} k=${k} q=${q}`).toEqual(
                Array.from(alone.rows),
              );
              expect(Array.from(batch[q].scores)).toEqual(Array.from(alone.scores));
            }
          }
        }
      }
    }
    const snapshot = await (await store.collection('many-0')).load();
    await expectCode(() => rankSnapshotMany(snapshot, { data, rows: 0, dims }, { k: 3 }), 'INVALID_ARGUMENT');
    await expectCode(
      () => rankSnapshotMany(snapshot, { data, rows: Q + 1, dims }, { k: 3 }),
      'INVALID_ARGUMENT',
    );
    await expectCode(
      () => rankSnapshotMany(snapshot, { data: data.subarray(0, 2 * 8), rows: 2, dims: 8 }, { k: 3 }),
      'DIMENSION_MISMATCH',
    );
    await expectCode(() => rankSnapshotMany(snapshot, queries, { k: 0 }), 'INVALID_K');
    const empty = await store.createCollection('many-empty', { fingerprint: fp, kinds: ['float32'] });
    const none = rankSnapshotMany(await empty.load(), queries, { k: 3 });
    expect(none.map((r) => r.rows.length)).toEqual(Array(Q).fill(0));
  });
});
