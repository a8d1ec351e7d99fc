/**
 * Index options and append batches: checks them and completes a batch with the row kinds the
 * index stores (derived from float32 rows where the batch lacks them).
 *
 * @module
 */
import {
  type BinaryMatrix,
  type Float16Matrix,
  type Float32Matrix,
  type Int8Calibration,
  type Int8Matrix,
  quantizeBinary,
  quantizeInt8,
  sameCalibration,
  toFloat16Matrix,
  WebEmbedError,
} from '@webembed/core';
import type { HostColumns, VectorKind } from './host.js';

/** Options of `GpuSearch.createIndex`. */
export interface GpuIndexOptions {
  /** Width of every row. */
  readonly dims: number;
  /**
   * Which row representations the index stores; searches may use only these. `float16` halves
   * the memory of `float32` (scores are those of the decoded rows; one of the two, not both).
   */
  readonly kinds: readonly VectorKind[];
  /** Calibration of the int8 rows; required with kind `int8`. */
  readonly int8Calibration?: Int8Calibration;
  /**
   * Most bytes one GPU buffer of the index may hold; defaults to the device's
   * maxStorageBufferBindingSize. Larger corpora are split into segments (set it small to force
   * a split in tests).
   */
  readonly maxBindingBytes?: number;
}

/** Rows to append: every kind the index stores, or `float32` from which missing kinds are derived. */
export interface AppendBatch {
  readonly float32?: Float32Matrix;
  readonly float16?: Float16Matrix;
  readonly int8?: Int8Matrix;
  readonly binary?: BinaryMatrix;
}

const KINDS: readonly VectorKind[] = ['binary', 'int8', 'float32', 'float16'];

/** An `INVALID_ARGUMENT` error with `message`. */
export function invalid(message: string): WebEmbedError {
  return new WebEmbedError('INVALID_ARGUMENT', message);
}

/** Checks `createIndex` options (typed errors) and returns the set of kinds. */
export function checkIndexOptions(options: GpuIndexOptions): Set<VectorKind> {
  if (!options || typeof options !== 'object') throw invalid('createIndex needs options { dims, kinds }');
  if (!Number.isInteger(options.dims) || options.dims <= 0) {
    throw invalid(`dims must be a positive integer, got ${String(options.dims)}`);
  }
  if (!Array.isArray(options.kinds) || options.kinds.length === 0) {
    throw invalid("kinds must be a non-empty array of 'binary', 'int8', 'float32', 'float16'");
  }
  for (const kind of options.kinds) {
    if (!KINDS.includes(kind)) {
      throw invalid(`unknown kind ${JSON.stringify(kind)}; expected binary, int8, float32 or float16`);
    }
  }
  const kinds = new Set(options.kinds);
  if (kinds.has('float32') && kinds.has('float16')) {
    throw invalid("kinds 'float32' and 'float16' are two storages of the same rows; pick one");
  }
  if (kinds.has('int8')) {
    const cal = options.int8Calibration;
    if (!cal || cal.min?.length !== options.dims || cal.max?.length !== options.dims) {
      throw invalid(`kind 'int8' needs int8Calibration with min and max of ${options.dims} values`);
    }
  }
  if (
    options.maxBindingBytes !== undefined &&
    !(Number.isInteger(options.maxBindingBytes) && options.maxBindingBytes > 0)
  ) {
    throw invalid(`maxBindingBytes must be a positive integer, got ${String(options.maxBindingBytes)}`);
  }
  return kinds;
}

function rowCount(m: { rows: number } | undefined): number | undefined {
  return m?.rows;
}

/** Checks an append batch and fills kinds the index stores but the batch lacks from its float32 rows. */
export function completeBatch(host: HostColumns, batch: AppendBatch): { count: number; full: AppendBatch } {
  if (!batch || typeof batch !== 'object') throw invalid('append needs { float32?, int8?, binary? }');
  const counts = [
    rowCount(batch.float32),
    rowCount(batch.float16),
    rowCount(batch.int8),
    rowCount(batch.binary),
  ].filter((n): n is number => n !== undefined);
  if (counts.length === 0) throw invalid('append needs at least one of float32, int8, binary');
  const count = counts[0];
  if (!Number.isInteger(count) || count < 0 || counts.some((n) => n !== count)) {
    throw new WebEmbedError(
      'MISALIGNED_BUFFER',
      `append parts disagree on row count (${counts.join(', ')}); expected equal`,
    );
  }
  for (const [name, m] of Object.entries(batch) as [string, { dims: number } | undefined][]) {
    if (m && m.dims !== host.dims) {
      throw new WebEmbedError(
        'DIMENSION_MISMATCH',
        `append ${name} rows have ${m.dims} dims, the index holds ${host.dims}`,
        {
          expected: host.dims,
          actual: m.dims,
        },
      );
    }
  }
  const f = batch.float32;
  if (f) {
    if (f.data.length < count * host.dims) {
      throw new WebEmbedError(
        'MISALIGNED_BUFFER',
        `float32 rows hold ${f.data.length} values, expected ${count * host.dims}`,
      );
    }
    for (let i = 0; i < count * host.dims; i++) {
      if (!Number.isFinite(f.data[i])) {
        throw new WebEmbedError(
          'NOT_FINITE',
          `float32 row ${Math.floor(i / host.dims)} holds ${f.data[i]}; expected finite values`,
        );
      }
    }
  }
  const full: { -readonly [K in keyof AppendBatch]: AppendBatch[K] } = {};
  for (const kind of host.kinds) {
    if (kind === 'float32') {
      if (!f) throw invalid('this index stores float32 rows; append them as float32');
      full.float32 = f;
    } else if (kind === 'float16') {
      const h =
        batch.float16 ??
        (f
          ? toFloat16Matrix({ data: f.data.subarray(0, count * host.dims), rows: count, dims: host.dims })
          : undefined);
      if (!h) throw invalid('this index stores float16 rows; append float16 or float32 rows');
      if (h.bits.length < count * host.dims) {
        throw new WebEmbedError(
          'MISALIGNED_BUFFER',
          `float16 rows hold ${h.bits.length} values, expected ${count * host.dims}`,
        );
      }
      full.float16 = h;
    } else if (kind === 'binary') {
      const b = batch.binary ?? (f ? quantizeBinary(f) : undefined);
      if (!b) throw invalid('this index stores binary rows; append binary or float32 rows');
      if (b.words.length < count * host.binaryWords) {
        throw new WebEmbedError(
          'MISALIGNED_BUFFER',
          `binary rows hold ${b.words.length} words, expected ${count * host.binaryWords}`,
        );
      }
      if (host.rows > 0 && Boolean(host.l1Norms) !== Boolean(b.l1Norms) && host.l1Norms) {
        // Mixed batches lose the L1 correction; appendHostRows drops the norms.
      }
      full.binary = b;
    } else {
      const cal = host.calibration!;
      let m = batch.int8;
      if (m && !sameCalibration(m.calibration, cal)) {
        throw new WebEmbedError(
          'MODEL_MISMATCH',
          'int8 rows carry a different calibration than the index; quantize with the index calibration',
        );
      }
      if (!m && f) m = quantizeInt8(f, cal);
      if (!m) throw invalid('this index stores int8 rows; append int8 or float32 rows');
      if (m.data.length < count * host.dims) {
        throw new WebEmbedError(
          'MISALIGNED_BUFFER',
          `int8 rows hold ${m.data.length} codes, expected ${count * host.dims}`,
        );
      }
      full.int8 = m;
    }
  }
  return { count, full };
}
