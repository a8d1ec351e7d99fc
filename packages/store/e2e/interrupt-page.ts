/**
 * Page for e2e/tests/store-interrupt.spec.ts: runs a resumable indexing loop against
 * @webembed/store so the spec can kill the tab mid-batch, then checks and resumes.
 * Vectors are a pure function of the row number, so any stored row can be verified.
 */
import { type Collection, openVectorStore } from '../src/index.js';

const DIMS = 64;
const fingerprint = {
  modelId: 'e2e/interrupt',
  revision: '',
  dims: DIMS,
  pooling: 'mean' as const,
  normalized: true,
  prefixScheme: 'none',
  matryoshkaDims: null,
  dtype: 'fp32',
};

function vectorOf(row: number): Float32Array {
  const v = new Float32Array(DIMS);
  let s = (row + 1) * 2654435761;
  for (let j = 0; j < DIMS; j++) {
    s ^= s << 13;
    s ^= s >>> 17;
    s ^= s << 5;
    v[j] = ((s >>> 0) % 2001) / 1000 - 1;
  }
  return v;
}

function batchOf(start: number, n: number) {
  const ids: string[] = [];
  const texts: string[] = [];
  const metadata: { row: number }[] = [];
  const data = new Float32Array(n * DIMS);
  for (let i = 0; i < n; i++) {
    ids.push(`doc-${start + i}`);
    texts.push(`text ${start + i}`);
    metadata.push({ row: start + i });
    data.set(vectorOf(start + i), i * DIMS);
  }
  return { ids, texts, metadata, vectors: { data, rows: n, dims: DIMS } };
}

async function collection(): Promise<Collection> {
  const store = await openVectorStore('interrupt-e2e');
  if (await store.hasCollection('docs')) return store.collection('docs');
  return store.createCollection('docs', {
    fingerprint,
    kinds: ['float32', 'int8', 'binary'],
    blockRows: 1000,
  });
}

/** The first row index whose id is not stored (ids are written in order, one batch per transaction). */
async function resumePoint(col: Collection, total: number): Promise<number> {
  let low = 0;
  let high = total;
  while (low < high) {
    const mid = (low + high) >> 1;
    const [present] = await col.hasIds([`doc-${mid}`]);
    if (present) low = mid + 1;
    else high = mid;
  }
  return low;
}

const state = { committedBatches: 0, committedRows: 0, error: '' };

/** Indexes rows [resume point, total) in batches, forever updating `state`; never awaited by the spec. */
async function startIndexing(total: number, batch: number): Promise<void> {
  try {
    const col = await collection();
    for (let start = await resumePoint(col, total); start < total; start += batch) {
      const n = Math.min(batch, total - start);
      await col.add(batchOf(start, n), fingerprint, { sidecars: { progress: start + n } });
      state.committedBatches++;
      state.committedRows = start + n;
    }
  } catch (err) {
    state.error = String(err);
  }
}

/** Everything the spec asserts about a (possibly interrupted) collection. */
async function inspect(total: number, batch: number) {
  const col = await collection();
  const info = await col.info();
  const snap = await col.load();
  const problems: string[] = [];
  if (info.count !== snap.ids.length || info.rows !== snap.rows) problems.push('record and blocks disagree');
  if (snap.count % batch !== 0 && snap.count !== total) problems.push(`partial batch: ${snap.count} rows`);
  for (let r = 0; r < snap.rows; r++) {
    if (snap.ids[r] !== `doc-${r}`) {
      problems.push(`row ${r} is ${snap.ids[r]}`);
      break;
    }
  }
  for (const r of [0, snap.rows >> 1, snap.rows - 1]) {
    if (r < 0 || r >= snap.rows) continue;
    const expected = vectorOf(r);
    const stored = snap.float32!.data.subarray(r * DIMS, (r + 1) * DIMS);
    if (expected.some((x, j) => x !== stored[j])) problems.push(`vector of row ${r} differs`);
    if ((snap.metadata?.[r] as { row?: number } | undefined)?.row !== r)
      problems.push(`metadata of row ${r} differs`);
  }
  const binaryRows = snap.binary?.rows ?? -1;
  const int8Rows = snap.int8?.rows ?? -1;
  if (binaryRows !== snap.rows || int8Rows !== snap.rows)
    problems.push('derived forms have other row counts');
  const progress = await col.getSidecar('progress');
  if (snap.rows > 0 && progress !== snap.rows)
    problems.push(`sidecar progress ${String(progress)} != ${snap.rows}`);
  const hits = snap.rows > 0 ? await col.search(vectorOf(snap.rows - 1), { k: 1 }) : [];
  return { rows: snap.rows, count: info.count, problems, topHit: hits[0]?.id ?? null };
}

Object.assign(globalThis, { startIndexing, inspect, indexingState: state, pageReady: true });
