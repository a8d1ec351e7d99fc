/** Figures the demo shows: recall against float search, index sizes, human-readable units. */
import { WebEmbedError } from '@webembed/core';

/**
 * Fraction of the reference's top `k` ids that `candidate`'s top `k` also contains.
 * Returns 1 when the reference is empty (nothing to miss).
 */
export function recallAtK(reference: readonly string[], candidate: readonly string[], k = 10): number {
  const truth = new Set(reference.slice(0, k));
  if (truth.size === 0) return 1;
  let hits = 0;
  for (const id of new Set(candidate.slice(0, k))) if (truth.has(id)) hits++;
  return hits / truth.size;
}

/** Bytes the vectors of an index take in each stored form. */
export interface IndexSizes {
  readonly float32: number;
  readonly int8: number;
  readonly binary: number;
}

/**
 * Sizes of `rows` vectors of `dims` dimensions: float32 (4 bytes a value), int8 (1 byte a value
 * plus a per-dimension scale and offset as float32), binary (1 bit a value padded to 32-bit words,
 * plus one float32 L1 norm a row for rescoring).
 */
export function indexSizes(rows: number, dims: number): IndexSizes {
  if (!Number.isInteger(rows) || rows < 0 || !Number.isInteger(dims) || dims < 0) {
    throw new WebEmbedError(
      'INVALID_ARGUMENT',
      `rows and dims must be non-negative integers, got rows=${rows}, dims=${dims}`,
      { rows, dims },
    );
  }
  return {
    float32: rows * dims * 4,
    int8: rows * dims + (rows > 0 ? dims * 8 : 0),
    binary: rows * Math.ceil(dims / 32) * 4 + rows * 4,
  };
}

/** `1234567` -> `1.2 MB` (powers of 1000, as storage is usually quoted). */
export function formatBytes(bytes: number): string {
  if (!Number.isFinite(bytes) || bytes < 0) return '–';
  if (bytes < 1000) return `${bytes} B`;
  const units = ['kB', 'MB', 'GB', 'TB'];
  let value = bytes / 1000;
  let unit = 0;
  while (value >= 1000 && unit < units.length - 1) {
    value /= 1000;
    unit++;
  }
  return `${value >= 100 ? value.toFixed(0) : value.toFixed(1)} ${units[unit]}`;
}

/** Milliseconds with a precision that suits their size. */
export function formatMs(ms: number): string {
  if (!Number.isFinite(ms) || ms < 0) return '–';
  if (ms < 10) return `${ms.toFixed(2)} ms`;
  if (ms < 1000) return `${ms.toFixed(1)} ms`;
  return `${(ms / 1000).toFixed(2)} s`;
}
