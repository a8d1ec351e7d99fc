/**
 * Block layout helpers: slicing batch forms into block records (appending to a partly filled
 * last block) and concatenating block records back into contiguous matrices.
 *
 * @module
 */
import type { BinaryMatrix, Int8Calibration } from '@webembed/core';
import type { DerivedForms } from './derive.js';
import type { DocBlockRecord, RowBlockRecord, VectorBlockRecord } from './schema.js';
import type { Metadata, VectorKind } from './types.js';

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

/** Ids of rows `[start, start + count)` appended to an existing row block. */
export function appendRowBlock(
  existing: RowBlockRecord | undefined,
  ids: readonly string[],
  start: number,
  count: number,
): RowBlockRecord {
  const oldRows = existing?.ids.length ?? 0;
  const skip = new Uint8Array(oldRows + count);
  if (existing) skip.set(existing.skip.subarray(0, oldRows));
  return { ids: (existing?.ids ?? []).concat(ids.slice(start, start + count)), skip };
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
  ids: string[];
  skip: Uint8Array;
  float32?: Float32Array;
  int8?: Int8Array;
  binary?: Uint32Array;
  l1Norms?: Float32Array;
  texts?: string[];
  metadata?: (Metadata | undefined)[];
}

/** Concatenates block records of one collection; the three lists must be in the same block order. */
export function assembleBlocks(
  dims: number,
  kinds: readonly VectorKind[],
  vectorBlocks: readonly VectorBlockRecord[],
  rowBlocks: readonly RowBlockRecord[],
  docBlocks: readonly DocBlockRecord[] | null,
): AssembledRows {
  let rows = 0;
  for (const b of vectorBlocks) rows += b.rows;
  const words = binaryWords(dims);
  const out: AssembledRows = { rows, ids: new Array(rows), skip: new Uint8Array(rows) };
  if (kinds.includes('float32')) out.float32 = new Float32Array(rows * dims);
  if (kinds.includes('int8')) out.int8 = new Int8Array(rows * dims);
  if (kinds.includes('binary')) {
    out.binary = new Uint32Array(rows * words);
    out.l1Norms = new Float32Array(rows);
  }
  let at = 0;
  for (let b = 0; b < vectorBlocks.length; b++) {
    const vb = vectorBlocks[b];
    const rb = rowBlocks[b];
    if (out.float32 && vb.float32)
      out.float32.set(new Float32Array(vb.float32, 0, vb.rows * dims), at * dims);
    if (out.int8 && vb.int8) out.int8.set(new Int8Array(vb.int8, 0, vb.rows * dims), at * dims);
    if (out.binary && vb.binary) out.binary.set(new Uint32Array(vb.binary, 0, vb.rows * words), at * words);
    if (out.l1Norms && vb.l1Norms) out.l1Norms.set(new Float32Array(vb.l1Norms, 0, vb.rows), at);
    out.skip.set(rb.skip.subarray(0, vb.rows), at);
    const ids = rb.ids;
    for (let r = 0; r < vb.rows; r++) out.ids[at + r] = ids[r];
    at += vb.rows;
  }
  if (docBlocks) {
    const texts: string[] = new Array(rows);
    const metadata: (Metadata | undefined)[] = new Array(rows);
    let row = 0;
    for (const db of docBlocks) {
      for (let r = 0; r < db.texts.length; r++) {
        texts[row] = db.texts[r];
        metadata[row] = db.metadata[r];
        row++;
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
  const known = l1Norms !== undefined && !l1Norms.some(Number.isNaN);
  return { words, rows, dims, wordsPerRow: binaryWords(dims), ...(known ? { l1Norms } : {}) };
}

/** A defensive copy of a calibration, so callers cannot mutate stored state. */
export function copyCalibration(cal: Int8Calibration | null): Int8Calibration | null {
  return cal ? { scheme: cal.scheme, min: new Float32Array(cal.min), max: new Float32Array(cal.max) } : null;
}
