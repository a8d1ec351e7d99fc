/**
 * Input checks shared by every kernel. Each throws a {@link WebEmbedError} whose message names
 * the argument, what it was and what was expected.
 *
 * @module
 */
import { WebEmbedError } from './errors.js';
import type { BinaryMatrix, Float32Matrix, Int8Calibration, Int8Matrix } from './types.js';

/** Throws `INVALID_ARGUMENT` unless `value` is a positive integer. */
export function assertPositiveInteger(value: number, what: string): void {
  if (!Number.isInteger(value) || value <= 0) {
    throw new WebEmbedError('INVALID_ARGUMENT', `${what} must be a positive integer, got ${String(value)}`, {
      [what]: String(value),
    });
  }
}

/** Throws `INVALID_K` unless `k` is a positive integer. */
export function assertK(k: number): void {
  if (typeof k !== 'number' || !Number.isInteger(k) || k <= 0) {
    throw new WebEmbedError('INVALID_K', `k must be a positive integer, got ${String(k)}`, {
      k: String(k),
    });
  }
}

/** Throws `DIMENSION_MISMATCH` unless `actual === expected`. */
export function assertSameDims(expected: number, actual: number, what: string): void {
  if (expected !== actual) {
    throw new WebEmbedError('DIMENSION_MISMATCH', `${what} has ${actual} dimensions, expected ${expected}`, {
      expected,
      actual,
    });
  }
}

function assertShape(rows: number, dims: number, length: number, what: string): void {
  if (!Number.isInteger(dims) || dims <= 0) {
    throw new WebEmbedError('DIMENSION_MISMATCH', `${what}.dims must be a positive integer, got ${dims}`, {
      dims,
    });
  }
  if (!Number.isInteger(rows) || rows < 0) {
    throw new WebEmbedError('INVALID_ARGUMENT', `${what}.rows must be a non-negative integer, got ${rows}`, {
      rows,
    });
  }
  if (length !== rows * dims) {
    throw new WebEmbedError(
      'MISALIGNED_BUFFER',
      `${what} holds ${length} values, expected rows x dims = ${rows} x ${dims} = ${rows * dims}`,
      { expected: rows * dims, actual: length },
    );
  }
}

/** Checks that a float matrix's buffer matches its `rows x dims` shape (values are not scanned). */
export function assertFloat32Matrix(m: Float32Matrix, what: string): void {
  if (!m || !(m.data instanceof Float32Array)) {
    throw new WebEmbedError('INVALID_ARGUMENT', `${what}.data must be a Float32Array`);
  }
  assertShape(m.rows, m.dims, m.data.length, what);
}

/** Checks that an int8 matrix's buffer and calibration match its shape (see {@link assertInt8Calibration}). */
export function assertInt8Matrix(m: Int8Matrix, what: string): void {
  if (!m || !(m.data instanceof Int8Array)) {
    throw new WebEmbedError('INVALID_ARGUMENT', `${what}.data must be an Int8Array`);
  }
  assertShape(m.rows, m.dims, m.data.length, what);
  assertInt8Calibration(m.calibration, m.dims, `${what}.calibration`);
}

/**
 * Checks an int8 calibration before any code is made or decoded with it: scheme `ranges` or
 * `symmetric` (else `INVALID_ARGUMENT`), Float32Array `min` / `max` of `dims` entries
 * (`INVALID_ARGUMENT`, `DIMENSION_MISMATCH`), finite bounds (`NOT_FINITE`), `min <= max` and, for
 * `symmetric`, `min = -max` (`INVALID_ARGUMENT`). The error names the first bad dimension.
 *
 * @example
 * ```ts
 * assertInt8Calibration(calibration, 384); // throws a WebEmbedError, or returns
 * ```
 */
export function assertInt8Calibration(
  calibration: Int8Calibration,
  dims: number,
  what = 'calibration',
): void {
  const cal = calibration as Partial<Int8Calibration> | null;
  if (typeof cal !== 'object' || cal === null || (cal.scheme !== 'ranges' && cal.scheme !== 'symmetric')) {
    throw new WebEmbedError(
      'INVALID_ARGUMENT',
      `${what} must be { scheme: 'ranges' | 'symmetric', min, max }, got scheme ${JSON.stringify(cal?.scheme)}`,
    );
  }
  const { min, max } = cal;
  if (!(min instanceof Float32Array) || !(max instanceof Float32Array)) {
    throw new WebEmbedError('INVALID_ARGUMENT', `${what} must hold Float32Array min and max`);
  }
  if (min.length !== dims || max.length !== dims) {
    throw new WebEmbedError(
      'DIMENSION_MISMATCH',
      `${what} covers ${min.length}/${max.length} min/max dimensions, expected ${dims}`,
      { expected: dims, actual: min.length },
    );
  }
  for (let j = 0; j < dims; j++) {
    const lo = min[j];
    const hi = max[j];
    if (lo - lo !== 0 || hi - hi !== 0) {
      throw new WebEmbedError(
        'NOT_FINITE',
        `${what} dimension ${j} is [${lo}, ${hi}]; expected finite bounds`,
        { dimension: j },
      );
    }
    if (lo > hi || (cal.scheme === 'symmetric' && lo !== -hi)) {
      throw new WebEmbedError(
        'INVALID_ARGUMENT',
        `${what} dimension ${j} is [${lo}, ${hi}]; expected min <= max${cal.scheme === 'symmetric' ? ' and min = -max (symmetric)' : ''}`,
        { dimension: j },
      );
    }
  }
}

/** Checks a packed binary matrix: `wordsPerRow = ceil(dims / 32)`, buffer length, l1Norms length. */
export function assertBinaryMatrix(m: BinaryMatrix, what: string): void {
  if (!m || !(m.words instanceof Uint32Array)) {
    throw new WebEmbedError('INVALID_ARGUMENT', `${what}.words must be a Uint32Array`);
  }
  if (!Number.isInteger(m.dims) || m.dims <= 0) {
    throw new WebEmbedError('DIMENSION_MISMATCH', `${what}.dims must be a positive integer, got ${m.dims}`, {
      dims: m.dims,
    });
  }
  const expectedWords = Math.ceil(m.dims / 32);
  if (m.wordsPerRow !== expectedWords) {
    throw new WebEmbedError(
      'MISALIGNED_BUFFER',
      `${what}.wordsPerRow is ${m.wordsPerRow}, expected ceil(${m.dims} / 32) = ${expectedWords}`,
      { expected: expectedWords, actual: m.wordsPerRow },
    );
  }
  if (!Number.isInteger(m.rows) || m.rows < 0) {
    throw new WebEmbedError(
      'INVALID_ARGUMENT',
      `${what}.rows must be a non-negative integer, got ${m.rows}`,
      { rows: m.rows },
    );
  }
  if (m.words.length !== m.rows * expectedWords) {
    throw new WebEmbedError(
      'MISALIGNED_BUFFER',
      `${what}.words holds ${m.words.length} words, expected rows x wordsPerRow = ${m.rows} x ${expectedWords} = ${m.rows * expectedWords}`,
      { expected: m.rows * expectedWords, actual: m.words.length },
    );
  }
  if (m.l1Norms !== undefined && m.l1Norms.length !== m.rows) {
    throw new WebEmbedError(
      'MISALIGNED_BUFFER',
      `${what}.l1Norms holds ${m.l1Norms.length} norms, expected one a row (${m.rows})`,
      { expected: m.rows, actual: m.l1Norms.length },
    );
  }
}

/** Throws `NOT_FINITE` naming the first NaN or infinite value of `data`. */
export function assertFinite(data: Float32Array, what: string, dims = data.length): void {
  for (let i = 0; i < data.length; i++) {
    const v = data[i];
    if (v - v !== 0) {
      const row = Math.floor(i / dims);
      throw new WebEmbedError(
        'NOT_FINITE',
        `${what} row ${row} dimension ${i - row * dims} is ${v}; expected a finite number`,
        { row, dimension: i - row * dims },
      );
    }
  }
}

/** Checks the corpus is searchable and the optional tombstone mask has one byte a row. */
export function assertCorpus(rows: number, skip: Uint8Array | undefined): void {
  if (rows === 0) {
    throw new WebEmbedError('EMPTY_CORPUS', 'the corpus has no rows; add vectors before searching');
  }
  if (skip !== undefined) {
    if (!(skip instanceof Uint8Array)) {
      throw new WebEmbedError('INVALID_ARGUMENT', 'skip must be a Uint8Array, one byte a corpus row');
    }
    if (skip.length !== rows) {
      throw new WebEmbedError(
        'MISALIGNED_BUFFER',
        `skip mask has ${skip.length} entries, expected one a corpus row (${rows})`,
        { expected: rows, actual: skip.length },
      );
    }
  }
}

/** Number of rows a search can return: rows not marked in `skip`. */
export function searchableRows(rows: number, skip: Uint8Array | undefined): number {
  if (skip === undefined) return rows;
  let live = 0;
  for (let i = 0; i < rows; i++) if (skip[i] === 0) live++;
  return live;
}

/** Throws `INVALID_ARGUMENT` unless `kernel` is `auto`, `js` or `wasm`. */
export function assertKernel(kernel: unknown): void {
  if (kernel !== 'auto' && kernel !== 'js' && kernel !== 'wasm') {
    throw new WebEmbedError(
      'INVALID_ARGUMENT',
      `kernel must be 'auto', 'js' or 'wasm', got ${JSON.stringify(kernel)}`,
    );
  }
}
