/**
 * Block layout helpers: slicing batch forms into block records (appending to a partly filled
 * last block) and concatenating block records back into contiguous matrices.
 *
 * @module
 */
import type { BinaryMatrix, Int8Calibration } from '@webembed/core';
import type { DerivedForms } from './derive.js';
import type { DocBlockRecord, RowBlock, StoredForm, VectorBlockRecord } from './schema.js';
import type { Metadata } from './types.js';

/** Words per binary row. */
export function binaryWords(dims: number): number {
  return Math.ceil(dims / 32);
}

/** Bytes of each stored form per row (float32, int8, binary, l1Norms). */
function rowBytes(dims: number) {
  return { float32: dims * 4, int8: dims, binary: binaryWords(dims) * 4, l1Norms: 4 };
}

function concatBytes(
  old: ArrayBuffer | undefined,
  oldRows: number,
  add: ArrayBufferView,
  addStartRow: number,
  addRows: number,
  bytesPerRow: number,
): ArrayBuffer {
  const out = new Uint8Array((oldRows + addRows) * bytesPerRow);
  if (old && oldRows > 0) out.set(new Uint8Array(old, 0, oldRows * bytesPerRow), 0);
  out.set(
    new Uint8Array(add.buffer, add.byteOffset + addStartRow * bytesPerRow, addRows * bytesPerRow),
    oldRows * bytesPerRow,
  );
  return out.buffer;
}

/** Rows `[start, start + count)` of `forms` appended to an existing block (or to nothing). */
export function appendVectorBlock(
  existing: VectorBlockRecord | undefined,
  forms: DerivedForms,
  dims: number,
  start: number,
  count: number,
): VectorBlockRecord {
  const oldRows = existing?.rows ?? 0;
  const bytes = rowBytes(dims);
  const record: VectorBlockRecord = { rows: oldRows + count };
  if (forms.float32) {
    record.float32 = concatBytes(existing?.float32, oldRows, forms.float32.data, start, count, bytes.float32);
  }
  if (forms.int8) {
    record.int8 = concatBytes(existing?.int8, oldRows, forms.int8.data, start, count, bytes.int8);
  }
  if (forms.binary) {
    record.binary = concatBytes(existing?.binary, oldRows, forms.binary.words, start, count, bytes.binary);
    const norms = forms.binary.l1Norms ?? new Float32Array(forms.binary.rows).fill(Number.NaN);
    record.l1Norms = concatBytes(existing?.l1Norms, oldRows, norms, start, count, bytes.l1Norms);
  }
  return record;
}

/** Number of rows in a row block. */
export function blockRowCount(rb: RowBlock): number {
  return rb.idEnds.length;
}

/** Appends the ids of a row block to `out`. */
export function pushBlockIds(rb: RowBlock, out: string[]): void {
  const { idText, idEnds } = rb;
  let start = 0;
  for (let r = 0; r < idEnds.length; r++) {
    out.push(idText.slice(start, idEnds[r]));
    start = idEnds[r];
  }
}

/** The ids of a row block. */
export function blockIds(rb: RowBlock): string[] {
  const out: string[] = [];
  pushBlockIds(rb, out);
  return out;
}

/** Ids of rows `[start, start + count)` appended to an existing row block. */
export function appendRowBlock(
  existing: RowBlock | undefined,
  ids: readonly string[],
  start: number,
  count: number,
): RowBlock {
  const oldRows = existing ? blockRowCount(existing) : 0;
  const skip = new Uint8Array(oldRows + count);
  const idEnds = new Uint32Array(oldRows + count);
  let idText = existing?.idText ?? '';
  if (existing) {
    skip.set(existing.skip.subarray(0, oldRows));
    idEnds.set(existing.idEnds);
  }
  const parts: string[] = [idText];
  let end = idText.length;
  for (let i = 0; i < count; i++) {
    const id = ids[start + i];
    parts.push(id);
    end += id.length;
    idEnds[oldRows + i] = end;
  }
  idText = parts.join('');
  return { idText, idEnds, skip };
}

/** Texts and metadata of rows `[start, start + count)` appended to an existing doc block. */
export function appendDocBlock(
  existing: DocBlockRecord | undefined,
  texts: readonly string[],
  metadata: readonly (Metadata | undefined)[],
  start: number,
  count: number,
): DocBlockRecord {
  return {
    texts: (existing?.texts ?? []).concat(texts.slice(start, start + count)),
    metadata: (existing?.metadata ?? []).concat(metadata.slice(start, start + count)),
  };
}

/** Contiguous matrices and columns assembled from block records (in block order). */
export interface AssembledRows {
  rows: number;
  /** Decodes every id (1M short strings cost a few hundred ms, so callers decide when). */
  decodeIds: () => string[];
  /** Decodes the id of one row only. */
  idAt: (row: number) => string;
  skip: Uint8Array;
  float32?: Float32Array;
  int8?: Int8Array;
  binary?: Uint32Array;
  l1Norms?: Float32Array;
  texts?: string[];
  metadata?: (Metadata | undefined)[];
}

/** Per-form lists of each block's bytes, in block order (`l1Norms` split out of `binary`). */
export type FormBuffers = Partial<Record<StoredForm | 'l1Norms', readonly Uint8Array[]>>;

function concatForm<T extends Float32Array | Int8Array | Uint32Array>(
  parts: readonly Uint8Array[],
  out: T,
): T {
  const bytes = new Uint8Array(out.buffer, out.byteOffset, out.byteLength);
  let at = 0;
  for (const part of parts) {
    bytes.set(part, at);
    at += part.byteLength;
  }
  return out;
}

/**
 * Concatenates the block records of one collection. `rowBlocks` decide the row count; a form
 * list must cover exactly those rows. Only the forms given in `forms` are assembled.
 */
export function assembleBlocks(
  dims: number,
  forms: FormBuffers,
  rowBlocks: readonly RowBlock[],
  docBlocks: readonly DocBlockRecord[] | null,
): AssembledRows {
  let rows = 0;
  for (const rb of rowBlocks) rows += blockRowCount(rb);
  const skip = new Uint8Array(rows);
  let at = 0;
  for (const rb of rowBlocks) {
    const n = blockRowCount(rb);
    skip.set(rb.skip.subarray(0, n), at);
    at += n;
  }
  const decodeIds = () => {
    const ids: string[] = [];
    for (const rb of rowBlocks) pushBlockIds(rb, ids);
    return ids;
  };
  const firstRows = new Uint32Array(rowBlocks.length + 1);
  rowBlocks.forEach((rb, b) => {
    firstRows[b + 1] = firstRows[b] + blockRowCount(rb);
  });
  const idAt = (row: number) => {
    let lo = 0;
    let hi = rowBlocks.length - 1;
    while (lo < hi) {
      const mid = (lo + hi + 1) >>> 1;
      if (firstRows[mid] <= row) lo = mid;
      else hi = mid - 1;
    }
    const { idText, idEnds, idUnits } = rowBlocks[lo];
    const r = row - firstRows[lo];
    const start = r === 0 ? 0 : idEnds[r - 1];
    return idUnits
      ? String.fromCharCode.apply(null, idUnits.subarray(start, idEnds[r]) as unknown as number[])
      : idText.slice(start, idEnds[r]);
  };
  const out: AssembledRows = { rows, decodeIds, idAt, skip };
  const words = binaryWords(dims);
  if (forms.float32) out.float32 = concatForm(forms.float32, new Float32Array(rows * dims));
  if (forms.int8) out.int8 = concatForm(forms.int8, new Int8Array(rows * dims));
  if (forms.binary) out.binary = concatForm(forms.binary, new Uint32Array(rows * words));
  if (forms.l1Norms) out.l1Norms = concatForm(forms.l1Norms, new Float32Array(rows));
  if (docBlocks) {
    const texts: string[] = [];
    const metadata: (Metadata | undefined)[] = [];
    for (const db of docBlocks) {
      for (let r = 0; r < db.texts.length; r++) {
        texts.push(db.texts[r]);
        metadata.push(db.metadata[r]);
      }
    }
    out.texts = texts;
    out.metadata = metadata;
  }
  return out;
}

/** A BinaryMatrix over assembled words (with norms when every stored norm is known). */
export function binaryMatrix(
  words: Uint32Array,
  rows: number,
  dims: number,
  l1Norms?: Float32Array,
): BinaryMatrix {
  let known = l1Norms !== undefined;
  for (let r = 0; known && r < rows; r++) if (Number.isNaN(l1Norms![r])) known = false;
  return { words, rows, dims, wordsPerRow: binaryWords(dims), ...(known ? { l1Norms } : {}) };
}

/** A defensive copy of a calibration, so callers cannot mutate stored state. */
export function copyCalibration(cal: Int8Calibration | null): Int8Calibration | null {
  return cal ? { scheme: cal.scheme, min: new Float32Array(cal.min), max: new Float32Array(cal.max) } : null;
}
