/**
 * Browser half of the memory probe in `pnpm bench browsers`: writes `rows` 384-dimension binary
 * vectors (48 B + a 4 B L1 norm each) to an IndexedDB collection in the block layout, closes it,
 * opens it again, loads the binary rows into memory and answers a Hamming top-10 query. Bundled by
 * bench/browsers.ts and served to each engine in a fresh session.
 */
import { type Float32Matrix, quantizeBinary, searchHamming } from '@webembed/core';
import { openVectorStore } from '@webembed/store';
import { DIMS, fingerprint, randomBatch } from '../../packages/store/bench/synthetic-384.js';

const BATCH = 16_384;

/** What one size did: times in ms, and the top hit of querying a stored row with itself. */
export interface MemoryProbeResult {
  rows: number;
  writeMs: number;
  openLoadMs: number;
  searchMs: number;
  topHit: string;
}

async function probeMemory(rows: number): Promise<MemoryProbeResult> {
  const name = `memory-probe-${rows}`;
  let store = await openVectorStore(name);
  const col = await store.createCollection('probe', { fingerprint, kinds: ['binary'] });
  const writeStart = performance.now();
  let queryRow: Float32Matrix | null = null;
  const target = Math.floor(rows / 2);
  for (let done = 0; done < rows; done += BATCH) {
    const n = Math.min(BATCH, rows - done);
    const vectors = randomBatch(n, done + 1);
    if (target >= done && target < done + n) {
      const at = (target - done) * DIMS;
      queryRow = { data: vectors.data.slice(at, at + DIMS), rows: 1, dims: DIMS };
    }
    const ids = Array.from({ length: n }, (_, i) => `doc-${done + i}`);
    await col.add({ ids, texts: ids, vectors }, fingerprint);
  }
  const writeMs = performance.now() - writeStart;
  store.close();

  const openStart = performance.now();
  store = await openVectorStore(name);
  const snap = await (await store.collection('probe')).load({ documents: false, kinds: ['binary'] });
  const openLoadMs = performance.now() - openStart;
  if (!snap.binary || snap.binary.rows !== rows)
    throw new Error(`loaded ${snap.binary?.rows ?? 0} of ${rows} rows`);
  const searchStart = performance.now();
  const top = searchHamming(quantizeBinary(queryRow as Float32Matrix), snap.binary, { k: 10 });
  const searchMs = performance.now() - searchStart;
  const topHit = snap.ids[top.indices[0]];
  store.close();
  return { rows, writeMs, openLoadMs, searchMs, topHit };
}

Object.assign(globalThis, { probeMemory, probeReady: true });
