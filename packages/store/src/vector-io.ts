/**
 * Reading and writing vector blocks, one record per stored form (see `StoredForm`).
 *
 * @module
 */
import { type FormBuffers, binaryWords } from './blocks.js';
import { type StoredForm, type VectorBlockRecord, type VectorKey, formRange } from './schema.js';
import type { VectorKind } from './types.js';

/** The records a collection of `kinds` keeps per block. */
export function storedForms(kinds: readonly VectorKind[]): StoredForm[] {
  const forms: StoredForm[] = [];
  if (kinds.includes('float32')) forms.push('float32');
  if (kinds.includes('int8')) forms.push('int8');
  if (kinds.includes('binary')) forms.push('binary', 'l1Norms');
  return forms;
}

/** Bytes per row of one form. */
export function formRowBytes(form: StoredForm, dims: number): number {
  switch (form) {
    case 'float32':
      return dims * 4;
    case 'int8':
      return dims;
    case 'binary':
      return binaryWords(dims) * 4;
    case 'l1Norms':
      return 4;
  }
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
    record[form] = buffer;
    record.rows = buffer.byteLength / formRowBytes(form, dims);
  }
  return found ? record : undefined;
}

/** Writes every form present in `record` for `block`. */
export async function putVectorBlock(
  store: { put(value: ArrayBuffer, key: VectorKey): Promise<unknown> },
  collection: string,
  block: number,
  record: VectorBlockRecord,
): Promise<void> {
  for (const form of ['float32', 'int8', 'binary', 'l1Norms'] as const) {
    const buffer = record[form];
    if (buffer) await store.put(buffer, [collection, form, block]);
  }
}

/**
 * Every block buffer of each form, in block order (one `getAll` per form, issued together so
 * the backend reads them concurrently). Read transactions only: nothing here can abort midway.
 */
export async function getAllForms(
  store: { getAll(query: IDBKeyRange): Promise<ArrayBuffer[]> },
  collection: string,
  forms: readonly StoredForm[],
): Promise<FormBuffers> {
  const lists = await Promise.all(forms.map((form) => store.getAll(formRange(collection, form))));
  const out: FormBuffers = {};
  forms.forEach((form, i) => {
    out[form] = lists[i];
  });
  return out;
}
