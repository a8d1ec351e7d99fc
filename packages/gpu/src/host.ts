/**
 * The host copy of an index: growable typed arrays holding every appended row in the layouts
 * `@webembed/core` searches, plus the tombstone mask. It feeds the GPU uploads, and it is what
 * the CPU path searches when there is no device or after a device fault, so results never
 * depend on the GPU surviving.
 *
 * @module
 */
import {
  type BinaryMatrix,
  type Float16Matrix,
  type Float32Matrix,
  fromFloat16Matrix,
  type Int8Calibration,
  type Int8Matrix,
} from '@webembed/core';

/** Row storage kinds an index can hold. */
export type VectorKind = 'binary' | 'int8' | 'float32' | 'float16';

/** Growable host columns of one index. */
export interface HostColumns {
  readonly dims: number;
  readonly binaryWords: number;
  readonly kinds: ReadonlySet<VectorKind>;
  readonly calibration: Int8Calibration | undefined;
  rows: number;
  capacity: number;
  deleted: number;
  binary: Uint32Array;
  l1Norms: Float32Array | undefined;
  int8: Int8Array;
  float32: Float32Array;
  /** float16 rows as raw bits (kind `float16`). */
  float16: Uint16Array;
  /** float16 rows decoded for the CPU path, rebuilt when rows were appended since. */
  float16Decoded: Float32Matrix | undefined;
  skip: Uint8Array;
}

/** Empty host columns. */
export function createHostColumns(
  dims: number,
  kinds: ReadonlySet<VectorKind>,
  calibration: Int8Calibration | undefined,
): HostColumns {
  return {
    dims,
    binaryWords: Math.ceil(dims / 32),
    kinds,
    calibration,
    rows: 0,
    capacity: 0,
    deleted: 0,
    binary: new Uint32Array(0),
    l1Norms: undefined,
    int8: new Int8Array(0),
    float32: new Float32Array(0),
    float16: new Uint16Array(0),
    float16Decoded: undefined,
    skip: new Uint8Array(0),
  };
}

function grown<T extends Uint32Array | Int8Array | Float32Array | Uint8Array | Uint16Array>(
  old: T,
  length: number,
  make: (n: number) => T,
): T {
  const next = make(length);
  next.set(old as never);
  return next;
}

/** Makes room for `needed` rows in total (capacity at least doubles). */
export function reserveHostRows(host: HostColumns, needed: number): void {
  if (needed <= host.capacity) return;
  const capacity = Math.max(needed, host.capacity * 2, 64);
  if (host.kinds.has('binary')) {
    host.binary = grown(host.binary, capacity * host.binaryWords, (n) => new Uint32Array(n));
  }
  if (host.kinds.has('int8')) host.int8 = grown(host.int8, capacity * host.dims, (n) => new Int8Array(n));
  if (host.kinds.has('float32')) {
    host.float32 = grown(host.float32, capacity * host.dims, (n) => new Float32Array(n));
  }
  if (host.kinds.has('float16')) {
    host.float16 = grown(host.float16, capacity * host.dims, (n) => new Uint16Array(n));
  }
  if (host.l1Norms) host.l1Norms = grown(host.l1Norms, capacity, (n) => new Float32Array(n));
  host.skip = grown(host.skip, capacity, (n) => new Uint8Array(n));
  host.capacity = capacity;
}

/** Copies one batch of rows (already validated) to the end of the host columns. */
export function appendHostRows(
  host: HostColumns,
  count: number,
  batch: { binary?: BinaryMatrix; int8?: Int8Matrix; float32?: Float32Matrix; float16?: Float16Matrix },
): void {
  const start = host.rows;
  reserveHostRows(host, start + count);
  if (batch.binary) {
    host.binary.set(batch.binary.words.subarray(0, count * host.binaryWords), start * host.binaryWords);
    if (start === 0 && batch.binary.l1Norms) host.l1Norms = new Float32Array(host.capacity);
    if (host.l1Norms) {
      if (batch.binary.l1Norms) host.l1Norms.set(batch.binary.l1Norms.subarray(0, count), start);
      else host.l1Norms = undefined;
    }
  }
  if (batch.int8) host.int8.set(batch.int8.data.subarray(0, count * host.dims), start * host.dims);
  if (batch.float32) host.float32.set(batch.float32.data.subarray(0, count * host.dims), start * host.dims);
  if (batch.float16) {
    host.float16.set(batch.float16.bits.subarray(0, count * host.dims), start * host.dims);
    host.float16Decoded = undefined;
  }
  host.rows = start + count;
}

/** Marks rows deleted; returns the rows that were live before (deleting twice is a no-op). */
export function tombstoneHostRows(host: HostColumns, rows: Int32Array): Int32Array {
  const changed: number[] = [];
  for (const row of rows) {
    if (host.skip[row] === 0) {
      host.skip[row] = 1;
      host.deleted += 1;
      changed.push(row);
    }
  }
  return Int32Array.from(changed);
}

/** The binary column as a core matrix (views, no copy). */
export function hostBinary(host: HostColumns): BinaryMatrix {
  const { rows, dims, binaryWords } = host;
  return {
    words: host.binary.subarray(0, rows * binaryWords),
    rows,
    dims,
    wordsPerRow: binaryWords,
    ...(host.l1Norms ? { l1Norms: host.l1Norms.subarray(0, rows) } : {}),
  };
}

/** The int8 column as a core matrix (views, no copy). */
export function hostInt8(host: HostColumns): Int8Matrix {
  const { rows, dims } = host;
  return { data: host.int8.subarray(0, rows * dims), rows, dims, calibration: host.calibration! };
}

/** The float32 column as a core matrix (views, no copy). */
export function hostFloat32(host: HostColumns): Float32Matrix {
  const { rows, dims } = host;
  return { data: host.float32.subarray(0, rows * dims), rows, dims };
}

/** The float rows as a core matrix: float32 views, or float16 rows decoded (cached). */
export function hostFloatRows(host: HostColumns): Float32Matrix {
  if (host.kinds.has('float32')) return hostFloat32(host);
  const { rows, dims } = host;
  if (host.float16Decoded?.rows !== rows) {
    host.float16Decoded = fromFloat16Matrix({ bits: host.float16.subarray(0, rows * dims), rows, dims });
  }
  return host.float16Decoded;
}

/** The tombstone mask over the current rows, or undefined when nothing is deleted. */
export function hostSkip(host: HostColumns): Uint8Array | undefined {
  return host.deleted === 0 ? undefined : host.skip.subarray(0, host.rows);
}
