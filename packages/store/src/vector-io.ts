/**
 * Reading and writing vector blocks, one record per stored form (see `StoredForm`). A `binary`
 * record carries the block's sign words followed by the rows' L1 norms, so the two travel in one
 * value (fewer, larger records read much faster from Chromium's IndexedDB than many small ones).
 *
 * @module
 */
import { type FormBuffers, binaryWords } from './blocks.js';
import { type StoredForm, type VectorBlockRecord, type VectorKey, formRange } from './schema.js';
import type { VectorKind } from './types.js';

/** The records a collection of `kinds` keeps per block. */
export function storedForms(kinds: readonly VectorKind[]): StoredForm[] {
  return (['float32', 'int8', 'binary'] as const).filter((k) => kinds.includes(k));
}

/** Bytes per row of one stored record (binary: words plus one float32 norm). */
export function formRowBytes(form: StoredForm, dims: number): number {
  switch (form) {
    case 'float32':
      return dims * 4;
    case 'int8':
      return dims;
    case 'binary':
      return binaryWords(dims) * 4 + 4;
  }
}

/** Splits a stored binary record into its words and its norms. */
function splitBinary(
  buffer: ArrayBuffer,
  dims: number,
): { words: Uint8Array; norms: Uint8Array; rows: number } {
  const rows = buffer.byteLength / formRowBytes('binary', dims);
  const wordBytes = rows * binaryWords(dims) * 4;
  return { words: new Uint8Array(buffer, 0, wordBytes), norms: new Uint8Array(buffer, wordBytes), rows };
}

/** One block's forms (undefined when the block does not exist yet). */
export async function getVectorBlock(
  store: { get(key: VectorKey): Promise<ArrayBuffer | undefined> },
  collection: string,
  forms: readonly StoredForm[],
  dims: number,
  block: number,
): Promise<VectorBlockRecord | undefined> {
  const record: VectorBlockRecord = { rows: 0 };
  let found = false;
  for (const form of forms) {
    const buffer = await store.get([collection, form, block]);
    if (!buffer) continue;
    found = true;
    if (form === 'binary') {
      const { words, norms, rows } = splitBinary(buffer, dims);
      record.binary = words.slice().buffer;
      record.l1Norms = norms.slice().buffer;
      record.rows = rows;
    } else {
      record[form] = buffer;
      record.rows = buffer.byteLength / formRowBytes(form, dims);
    }
  }
  return found ? record : undefined;
}

/** Writes every form present in `record` for `block` (binary words and norms as one value). */
export async function putVectorBlock(
  store: { put(value: ArrayBuffer, key: VectorKey): Promise<unknown> },
  collection: string,
  block: number,
  record: VectorBlockRecord,
): Promise<void> {
  if (record.float32) await store.put(record.float32, [collection, 'float32', block]);
  if (record.int8) await store.put(record.int8, [collection, 'int8', block]);
  if (record.binary) {
    const combined = new Uint8Array(record.binary.byteLength + record.rows * 4);
    combined.set(new Uint8Array(record.binary), 0);
    if (record.l1Norms) combined.set(new Uint8Array(record.l1Norms), record.binary.byteLength);
    else new Float32Array(combined.buffer, record.binary.byteLength, record.rows).fill(Number.NaN);
    await store.put(combined.buffer, [collection, 'binary', block]);
  }
}

/**
 * Every block of each form, in block order (one `getAll` per form, issued together so the
 * backend reads them concurrently). Read transactions only: nothing here can abort midway.
 */
export async function getAllForms(
  store: { getAll(query: IDBKeyRange): Promise<ArrayBuffer[]> },
  collection: string,
  forms: readonly StoredForm[],
  dims: number,
): Promise<FormBuffers> {
  const lists = await Promise.all(forms.map((form) => store.getAll(formRange(collection, form))));
  const out: { -readonly [K in keyof FormBuffers]: FormBuffers[K] } = {};
  forms.forEach((form, i) => {
    if (form === 'binary') {
      const parts = lists[i].map((buffer) => splitBinary(buffer, dims));
      out.binary = parts.map((p) => p.words);
      out.l1Norms = parts.map((p) => p.norms);
    } else {
      out[form] = lists[i].map((buffer) => new Uint8Array(buffer));
    }
  });
  return out;
}
