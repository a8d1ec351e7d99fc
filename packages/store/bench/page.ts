/**
 * Browser half of `pnpm bench store`: runs inside headless Chromium (bundled by index.ts).
 * Writes N records with 384-dim int8 and 384-bit binary vectors in the block layout and in a
 * naive one-record-per-vector layout, then times open + load into contiguous memory.
 */
import { calibrateInt8, quantizeBinary, quantizeInt8 } from '@webembed/core';
import { openDB } from 'idb';
import { openVectorStore } from '../src/index.js';
import { DIMS, fingerprint, randomBatch } from './synthetic-384.js';

const BATCH = 16_384;

interface Config {
  rows: number;
  naive: boolean;
  loadRuns: number;
  kindSets: string[];
}

const log = (msg: string) => console.log(`[bench:store] ${msg}`);

async function deleteDb(name: string) {
  await new Promise<void>((resolve, reject) => {
    const req = indexedDB.deleteDatabase(name);
    req.onsuccess = () => resolve();
    req.onerror = () => reject(req.error);
    req.onblocked = () => resolve();
  });
}

/** Block layout: one store write per batch of 16K rows. Returns ms. */
async function writeBlocks(dbName: string, kinds: ('int8' | 'binary')[], rows: number): Promise<number> {
  const store = await openVectorStore(dbName);
  const calibration = calibrateInt8(randomBatch(4096, 7), 'ranges');
  const col = await store.createCollection('bench', {
    fingerprint,
    kinds,
    ...(kinds.includes('int8') ? { int8Calibration: calibration } : {}),
  });
  const start = performance.now();
  for (let done = 0; done < rows; done += BATCH) {
    const n = Math.min(BATCH, rows - done);
    const ids = Array.from({ length: n }, (_, i) => `doc-${done + i}`);
    const texts = ids.map((id) => `text of ${id}`);
    await col.add({ ids, texts, vectors: randomBatch(n, done + 1) }, fingerprint);
  }
  const ms = performance.now() - start;
  store.close();
  return ms;
}

/**
 * Open a fresh handle and load every vector form and the tombstones (no texts); then, timed
 * separately, decode all ids (the store decodes them on first access).
 */
async function openAndLoadBlocks(dbName: string, kinds?: ('int8' | 'binary')[]): Promise<LoadSample> {
  const start = performance.now();
  const store = await openVectorStore(dbName);
  const col = await store.collection('bench');
  const snap = await col.load({ documents: false, ...(kinds ? { kinds } : {}) });
  const ms = performance.now() - start;
  const rows = snap.binary?.rows ?? 0;
  const idsStart = performance.now();
  if (snap.ids.length !== rows) throw new Error('ids and vectors disagree');
  const idsMs = performance.now() - idsStart;
  store.close();
  return { ms, idsMs, rows };
}

interface LoadSample {
  ms: number;
  /** Extra time to have every id as a string (0 where the load already made them). */
  idsMs: number;
  rows: number;
}

interface NaiveRecord {
  id: string;
  text: string;
  int8?: ArrayBuffer;
  binary: ArrayBuffer;
  l1: number;
}

/** Naive layout: one record per vector, 16K puts per transaction. */
async function writeNaive(dbName: string, withInt8: boolean, rows: number): Promise<number> {
  const db = await openDB(dbName, 1, { upgrade: (d) => d.createObjectStore('vectors', { keyPath: 'id' }) });
  const calibration = calibrateInt8(randomBatch(4096, 7), 'ranges');
  const start = performance.now();
  for (let done = 0; done < rows; done += BATCH) {
    const n = Math.min(BATCH, rows - done);
    const batch = randomBatch(n, done + 1);
    const bin = quantizeBinary(batch);
    const i8 = withInt8 ? quantizeInt8(batch, calibration) : null;
    const tx = db.transaction('vectors', 'readwrite');
    const store = tx.objectStore('vectors');
    for (let r = 0; r < n; r++) {
      const record: NaiveRecord = {
        id: `doc-${done + r}`,
        text: `text of doc-${done + r}`,
        binary: bin.words.slice(r * bin.wordsPerRow, (r + 1) * bin.wordsPerRow).buffer,
        l1: bin.l1Norms ? bin.l1Norms[r] : 0,
        ...(i8 ? { int8: i8.data.slice(r * DIMS, (r + 1) * DIMS).buffer } : {}),
      };
      store.put(record);
    }
    await tx.done;
  }
  const ms = performance.now() - start;
  db.close();
  return ms;
}

async function openAndLoadNaive(dbName: string, withInt8: boolean): Promise<LoadSample> {
  const start = performance.now();
  const db = await openDB(dbName, 1);
  const records = (await db.getAll('vectors')) as NaiveRecord[];
  const n = records.length;
  const words = DIMS / 32;
  const binary = new Uint32Array(n * words);
  const int8 = withInt8 ? new Int8Array(n * DIMS) : null;
  const ids: string[] = new Array(n);
  const norms = new Float32Array(n);
  for (let r = 0; r < n; r++) {
    const rec = records[r];
    ids[r] = rec.id;
    norms[r] = rec.l1;
    binary.set(new Uint32Array(rec.binary), r * words);
    if (int8 && rec.int8) int8.set(new Int8Array(rec.int8), r * DIMS);
  }
  const ms = performance.now() - start;
  db.close();
  return { ms, idsMs: 0, rows: n };
}

async function timeLoads(runs: number, load: () => Promise<LoadSample>) {
  const samples: number[] = [];
  const idSamples: number[] = [];
  let rows = 0;
  for (let i = 0; i < runs; i++) {
    (globalThis as { gc?: () => void }).gc?.();
    const r = await load();
    samples.push(r.ms);
    idSamples.push(r.idsMs);
    rows = r.rows;
  }
  return { samples, idSamples, rows };
}

export interface BenchRow {
  layout: 'blocks' | 'naive';
  kinds: string;
  rows: number;
  writeMs: number;
  loadSamples: number[];
  idSamples: number[];
  loadedRows: number;
}

async function run(config: Config): Promise<BenchRow[]> {
  const out: BenchRow[] = [];
  for (const kinds of config.kindSets.map((k) => k.split('+') as ('int8' | 'binary')[])) {
    const label = kinds.join('+');
    const blocksDb = `bench-blocks-${label}-${config.rows}`;
    await deleteDb(blocksDb);
    log(`blocks ${label} ${config.rows}: writing`);
    const writeMs = await writeBlocks(blocksDb, kinds, config.rows);
    log(`blocks ${label} ${config.rows}: wrote in ${writeMs.toFixed(0)} ms; loading`);
    const loads = await timeLoads(config.loadRuns, () => openAndLoadBlocks(blocksDb));
    out.push({
      layout: 'blocks',
      kinds: label,
      rows: config.rows,
      writeMs,
      loadSamples: loads.samples,
      idSamples: loads.idSamples,
      loadedRows: loads.rows,
    });
    if (kinds.length > 1) {
      // The same collection, reading only its binary form (what a Hamming / GPU scan needs first).
      const binaryOnly = await timeLoads(config.loadRuns, () => openAndLoadBlocks(blocksDb, ['binary']));
      out.push({
        layout: 'blocks',
        kinds: `${label}, read binary only`,
        rows: config.rows,
        writeMs: Number.NaN,
        loadSamples: binaryOnly.samples,
        idSamples: binaryOnly.idSamples,
        loadedRows: binaryOnly.rows,
      });
    }
    await deleteDb(blocksDb);
    if (config.naive) {
      const naiveDb = `bench-naive-${label}-${config.rows}`;
      await deleteDb(naiveDb);
      log(`naive ${label} ${config.rows}: writing`);
      const naiveWrite = await writeNaive(naiveDb, kinds.includes('int8'), config.rows);
      log(`naive ${label} ${config.rows}: wrote in ${naiveWrite.toFixed(0)} ms; loading`);
      const naiveLoads = await timeLoads(config.loadRuns, () =>
        openAndLoadNaive(naiveDb, kinds.includes('int8')),
      );
      out.push({
        layout: 'naive',
        kinds: label,
        rows: config.rows,
        writeMs: naiveWrite,
        loadSamples: naiveLoads.samples,
        idSamples: naiveLoads.idSamples,
        loadedRows: naiveLoads.rows,
      });
      await deleteDb(naiveDb);
    }
  }
  return out;
}

(globalThis as { runStoreBench?: typeof run }).runStoreBench = run;
(globalThis as { benchReady?: boolean }).benchReady = true;
