/**
 * GPU-resident corpus columns. Rows are uploaded once and appended in place; each column lives
 * in growable buffers (grown by copying on the GPU, never re-uploaded from the host). A corpus
 * larger than one storage binding is split into segments of `segmentRows` rows, each with its
 * own buffers; kernels are dispatched once per segment. Deletions flip bits of a per-segment
 * tombstone bitmap.
 *
 * @module
 */
import { fromFloat16, WebEmbedError } from '@webembed/core';
import type { HostColumns, VectorKind } from './host.js';
import { TILE_ROWS } from './kernels/scan.wgsl.js';
import { STORAGE_USAGE } from './usage.js';

/** Columns a segment can hold: the row kinds plus per-row inverse norms and the tombstone bits. */
export type ColumnName = VectorKind | 'inverseL1' | 'inverseNorm';

/** One segment: `rows` of `capacity` rows starting at corpus row `rowBase`. */
export interface GpuSegment {
  readonly rowBase: number;
  rows: number;
  capacity: number;
  readonly columns: Map<ColumnName, GPUBuffer>;
  skip: GPUBuffer;
}

/** The GPU side of one index. */
export interface GpuCorpus {
  readonly device: GPUDevice;
  readonly dims: number;
  readonly wordsPerRow: ReadonlyMap<ColumnName, number>;
  /** Rows per segment: a multiple of the tile size that fits one binding for every column. */
  readonly segmentRows: number;
  readonly segments: GpuSegment[];
  /** Bumped whenever a buffer is replaced, so cached bind groups can be dropped. */
  generation: number;
}

/** u32 words per row of each column an index with these kinds needs. */
export function columnWords(dims: number, kinds: ReadonlySet<VectorKind>): Map<ColumnName, number> {
  const words = new Map<ColumnName, number>();
  if (kinds.has('binary')) {
    words.set('binary', Math.ceil(dims / 32));
    words.set('inverseL1', 1);
  }
  if (kinds.has('int8')) words.set('int8', Math.ceil(dims / 4));
  if (kinds.has('float32')) words.set('float32', dims);
  if (kinds.has('float16')) words.set('float16', Math.ceil(dims / 2));
  if (kinds.has('float32') || kinds.has('float16')) words.set('inverseNorm', 1);
  return words;
}

/**
 * An empty GPU corpus. `maxBindingBytes` caps one buffer (the device limit, or less to force
 * splits); `maxWorkgroups` is the device's per-dimension dispatch limit.
 */
export function createGpuCorpus(
  device: GPUDevice,
  dims: number,
  kinds: ReadonlySet<VectorKind>,
  maxBindingBytes: number,
  maxWorkgroups: number,
): GpuCorpus {
  const wordsPerRow = columnWords(dims, kinds);
  const widest = Math.max(...wordsPerRow.values()) * 4;
  const fit = Math.floor(maxBindingBytes / widest / TILE_ROWS) * TILE_ROWS;
  const segmentRows = Math.min(fit, maxWorkgroups * TILE_ROWS);
  if (segmentRows < TILE_ROWS) {
    throw new WebEmbedError(
      'INVALID_ARGUMENT',
      `maxBindingBytes ${maxBindingBytes} cannot hold one tile of ${TILE_ROWS} rows of ${widest} bytes; expected at least ${widest * TILE_ROWS}`,
      { maxBindingBytes, needed: widest * TILE_ROWS },
    );
  }
  return { device, dims, wordsPerRow, segmentRows, segments: [], generation: 0 };
}

function makeBuffer(device: GPUDevice, bytes: number, label: string): GPUBuffer {
  return device.createBuffer({ size: Math.max(4, bytes), usage: STORAGE_USAGE, label });
}

/** Grows (or creates) segment `index` to hold at least `rows` rows, copying its contents on the GPU. */
function reserveSegment(corpus: GpuCorpus, index: number, rows: number): GpuSegment {
  const { device, wordsPerRow, segmentRows } = corpus;
  let segment = corpus.segments[index];
  if (segment && segment.capacity >= rows) return segment;
  const old = segment;
  const wanted = Math.max(rows, old ? old.capacity * 2 : 0, TILE_ROWS);
  const capacity = Math.min(segmentRows, Math.ceil(wanted / TILE_ROWS) * TILE_ROWS);
  const columns = new Map<ColumnName, GPUBuffer>();
  for (const [name, words] of wordsPerRow) {
    columns.set(name, makeBuffer(device, capacity * words * 4, `webembed-${name}-${index}`));
  }
  const skip = makeBuffer(device, capacity / 8, `webembed-skip-${index}`);
  if (old) {
    const encoder = device.createCommandEncoder();
    for (const [name, words] of wordsPerRow) {
      encoder.copyBufferToBuffer(old.columns.get(name)!, 0, columns.get(name)!, 0, old.capacity * words * 4);
    }
    encoder.copyBufferToBuffer(old.skip, 0, skip, 0, old.capacity / 8);
    device.queue.submit([encoder.finish()]);
    for (const buffer of old.columns.values()) buffer.destroy();
    old.skip.destroy();
  }
  segment = { rowBase: index * segmentRows, rows: old?.rows ?? 0, capacity, columns, skip };
  corpus.segments[index] = segment;
  corpus.generation += 1;
  return segment;
}

/** Packs float16 rows two halves to a u32 (low half first), each row padded to whole words. */
export function packFloat16Rows(bits: Uint16Array, rows: number, dims: number): Uint32Array {
  const words = Math.ceil(dims / 2);
  if (dims % 2 === 0 && bits.byteOffset % 4 === 0)
    return new Uint32Array(bits.buffer, bits.byteOffset, rows * words);
  const halves = new Uint16Array(rows * words * 2);
  for (let r = 0; r < rows; r++) halves.set(bits.subarray(r * dims, (r + 1) * dims), r * words * 2);
  return new Uint32Array(halves.buffer);
}

/** Packs int8 rows four codes to a u32, each row padded to whole words with zero codes. */
export function packInt8Rows(codes: Int8Array, rows: number, dims: number): Uint32Array {
  const words = Math.ceil(dims / 4);
  if (dims % 4 === 0 && codes.byteOffset % 4 === 0) {
    return new Uint32Array(codes.buffer, codes.byteOffset, rows * words);
  }
  const bytes = new Int8Array(rows * words * 4);
  for (let r = 0; r < rows; r++) bytes.set(codes.subarray(r * dims, (r + 1) * dims), r * words * 4);
  return new Uint32Array(bytes.buffer);
}

function inverseNorms(data: Float32Array, rows: number, dims: number): Float32Array {
  const out = new Float32Array(rows);
  for (let r = 0; r < rows; r++) {
    let sum = 0;
    for (let j = r * dims, end = j + dims; j < end; j++) sum += data[j] * data[j];
    const norm = Math.sqrt(sum);
    out[r] = norm > 0 ? 1 / norm : 0;
  }
  return out;
}

function inverseL1(l1: Float32Array | undefined, start: number, rows: number): Float32Array {
  const out = new Float32Array(rows);
  if (!l1) return out;
  for (let r = 0; r < rows; r++) out[r] = l1[start + r] > 0 ? 1 / l1[start + r] : 0;
  return out;
}

/** Column data of host rows `[start, start + rows)` in GPU layout. */
function columnSlice(
  host: HostColumns,
  name: ColumnName,
  start: number,
  rows: number,
): Uint32Array | Float32Array {
  const { dims, binaryWords } = host;
  switch (name) {
    case 'binary':
      return host.binary.subarray(start * binaryWords, (start + rows) * binaryWords);
    case 'int8':
      return packInt8Rows(host.int8.subarray(start * dims, (start + rows) * dims), rows, dims);
    case 'float32':
      return host.float32.subarray(start * dims, (start + rows) * dims);
    case 'float16':
      return packFloat16Rows(host.float16.subarray(start * dims, (start + rows) * dims), rows, dims);
    case 'inverseNorm':
      return inverseNorms(
        host.kinds.has('float32')
          ? host.float32.subarray(start * dims, (start + rows) * dims)
          : fromFloat16(host.float16.subarray(start * dims, (start + rows) * dims)),
        rows,
        dims,
      );
    case 'inverseL1':
      return inverseL1(host.l1Norms, start, rows);
  }
}

/** Uploads host rows `[start, host.rows)` (just appended) into the segments, growing them. */
export function appendGpuRows(corpus: GpuCorpus, host: HostColumns, start: number): void {
  const { device, segmentRows, wordsPerRow } = corpus;
  let row = start;
  while (row < host.rows) {
    const index = Math.floor(row / segmentRows);
    const local = row - index * segmentRows;
    const count = Math.min(host.rows - row, segmentRows - local);
    const segment = reserveSegment(corpus, index, local + count);
    for (const [name, words] of wordsPerRow) {
      const data = columnSlice(host, name, row, count);
      device.queue.writeBuffer(
        segment.columns.get(name)!,
        local * words * 4,
        data.buffer,
        data.byteOffset,
        data.byteLength,
      );
    }
    segment.rows = local + count;
    row += count;
  }
  writeSkipWords(corpus, host, start, host.rows);
}

/** Rewrites the tombstone words covering host rows `[from, to)`. */
export function writeSkipWords(corpus: GpuCorpus, host: HostColumns, from: number, to: number): void {
  const { segmentRows } = corpus;
  if (to <= from) return;
  for (let index = Math.floor(from / segmentRows); index * segmentRows < to; index++) {
    const segment = corpus.segments[index];
    if (!segment) break;
    const firstWord = Math.floor(Math.max(from - segment.rowBase, 0) / 32);
    const endWord = Math.ceil(Math.min(to - segment.rowBase, segment.rows) / 32);
    if (endWord <= firstWord) continue;
    const bits = new Uint32Array(endWord - firstWord);
    for (let w = 0; w < bits.length; w++) {
      let word = 0;
      const base = segment.rowBase + (firstWord + w) * 32;
      const end = Math.min(32, host.rows - base);
      for (let b = 0; b < end; b++) if (host.skip[base + b] !== 0) word |= 1 << b;
      bits[w] = word >>> 0;
    }
    corpus.device.queue.writeBuffer(segment.skip, firstWord * 4, bits);
  }
}

/** Releases every buffer of the corpus. */
export function destroyGpuCorpus(corpus: GpuCorpus): void {
  for (const segment of corpus.segments) {
    for (const buffer of segment.columns.values()) buffer.destroy();
    segment.skip.destroy();
  }
  corpus.segments.length = 0;
  corpus.generation += 1;
}
