/**
 * Reads embedding matrices from the files people already have: NumPy `.npy` (float32 or
 * float16, 2-D, C order), `.fvecs` (the ANN-benchmarks format: each row an int32 width then that
 * many float32), and JSON (`number[][]`). Every malformed file is refused with a typed error
 * naming the file and what is wrong (`UNSUPPORTED_FORMAT`, `CORRUPT_FILE`, `DIMENSION_MISMATCH`,
 * `NOT_FINITE`, `ZERO_VECTOR`, `NOT_FOUND`). Node only.
 *
 * @module
 */
import { existsSync, readFileSync } from 'node:fs';
import { extname } from 'node:path';
import { type Float32Matrix, WebEmbedError, fromFloat16 } from '@webembed/core';

/** A matrix read from a file, rows scaled to unit length for cosine similarity. */
export interface VectorFile {
  readonly path: string;
  readonly format: 'npy' | 'fvecs' | 'json';
  /** Element type stored in the file. */
  readonly stored: 'float32' | 'float16' | 'number';
  readonly vectors: Float32Matrix;
  /** Rows whose L2 norm was not 1 (within 1e-3) before they were normalized. */
  readonly normalizedRows: number;
}

const FORMATS = '.npy (float32/float16, 2-D, C order), .fvecs or .json (number[][])';

function corrupt(path: string, what: string, details: Record<string, string | number> = {}): WebEmbedError {
  return new WebEmbedError('CORRUPT_FILE', `${path}: ${what}`, { file: path, ...details });
}

function unsupported(path: string, what: string): WebEmbedError {
  return new WebEmbedError('UNSUPPORTED_FORMAT', `${path}: ${what}`, { file: path });
}

/** Parses the Python-literal header dict of a .npy file (the three keys NumPy writes). */
function npyHeader(path: string, text: string): { descr: string; fortran: boolean; shape: number[] } {
  const descr = /'descr'\s*:\s*'([^']*)'/.exec(text)?.[1];
  const fortran = /'fortran_order'\s*:\s*(True|False)/.exec(text)?.[1];
  const shape = /'shape'\s*:\s*\(([^)]*)\)/.exec(text)?.[1];
  if (descr === undefined || fortran === undefined || shape === undefined) {
    throw corrupt(path, `the .npy header lacks descr, fortran_order or shape: ${text.trim()}`);
  }
  const dims = shape
    .split(',')
    .map((s) => s.trim())
    .filter((s) => s !== '')
    .map(Number);
  if (dims.some((d) => !Number.isInteger(d) || d < 0))
    throw corrupt(path, `the .npy shape (${shape}) is not integers`);
  return { descr, fortran: fortran === 'True', shape: dims };
}

function readNpy(
  path: string,
  bytes: Uint8Array,
): { data: Float32Array; rows: number; dims: number; stored: 'float32' | 'float16' } {
  const magic = [0x93, 0x4e, 0x55, 0x4d, 0x50, 0x59]; // \x93NUMPY
  if (bytes.length < 10 || magic.some((b, i) => bytes[i] !== b)) {
    throw corrupt(path, 'not a .npy file (it does not start with \\x93NUMPY)');
  }
  const major = bytes[6];
  if (major < 1 || major > 3)
    throw unsupported(path, `.npy format version ${major}.${bytes[7]} is not 1, 2 or 3`);
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const headerLength = major === 1 ? view.getUint16(8, true) : view.getUint32(8, true);
  const headerStart = major === 1 ? 10 : 12;
  const dataStart = headerStart + headerLength;
  if (dataStart > bytes.length)
    throw corrupt(path, `the .npy header claims ${headerLength} bytes; the file is shorter`);
  const header = npyHeader(
    path,
    new TextDecoder(major === 3 ? 'utf-8' : 'latin1').decode(bytes.subarray(headerStart, dataStart)),
  );
  if (header.fortran) {
    throw unsupported(
      path,
      'the array is in Fortran order; save it C-ordered (np.ascontiguousarray) instead',
    );
  }
  if (header.shape.length !== 2) {
    throw unsupported(path, `the array has shape (${header.shape.join(', ')}); expected 2-D (rows, dims)`);
  }
  const [rows, dims] = header.shape;
  const type = header.descr.replace(/^[<|=]/, '');
  if (header.descr.startsWith('>')) {
    throw unsupported(path, `dtype ${header.descr} is big-endian; save little-endian (astype('<f4'))`);
  }
  if (type !== 'f4' && type !== 'f2') {
    throw unsupported(
      path,
      `dtype ${header.descr} is not float32 or float16; convert with astype(np.float32)`,
    );
  }
  const width = type === 'f4' ? 4 : 2;
  const expected = rows * dims * width;
  const actual = bytes.length - dataStart;
  if (actual !== expected) {
    throw corrupt(
      path,
      `shape (${rows}, ${dims}) of ${header.descr} needs ${expected} data bytes, the file has ${actual}`,
      {
        expected,
        actual,
      },
    );
  }
  // A copy, so the typed view is aligned whatever the header length.
  const raw = bytes.slice(dataStart);
  const data =
    width === 4
      ? new Float32Array(raw.buffer, 0, rows * dims)
      : fromFloat16(new Uint16Array(raw.buffer, 0, rows * dims));
  return { data, rows, dims, stored: width === 4 ? 'float32' : 'float16' };
}

function readFvecs(path: string, bytes: Uint8Array): { data: Float32Array; rows: number; dims: number } {
  if (bytes.length < 4) throw corrupt(path, 'too short for an .fvecs row (an int32 width, then the floats)');
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const dims = view.getInt32(0, true);
  if (dims < 1 || dims > 1 << 20) throw corrupt(path, `row 0 declares width ${dims}; expected 1..${1 << 20}`);
  const rowBytes = 4 + 4 * dims;
  const rows = Math.floor(bytes.length / rowBytes);
  const data = new Float32Array(rows * dims);
  for (let r = 0, at = 0; at < bytes.length; r++, at += rowBytes) {
    const width = at + 4 <= bytes.length ? view.getInt32(at, true) : dims;
    if (width !== dims) {
      throw new WebEmbedError(
        'DIMENSION_MISMATCH',
        `${path}: row ${r} declares width ${width}, row 0 declares ${dims}`,
        {
          file: path,
          row: r,
          expected: dims,
          actual: width,
        },
      );
    }
    if (at + rowBytes > bytes.length) {
      throw corrupt(
        path,
        `${bytes.length} bytes is not a whole number of ${dims}-wide rows (${rowBytes} bytes each): row ${r} is cut short`,
      );
    }
    for (let j = 0; j < dims; j++) data[r * dims + j] = view.getFloat32(at + 4 + 4 * j, true);
  }
  return { data, rows, dims };
}

function readJson(path: string, bytes: Uint8Array): { data: Float32Array; rows: number; dims: number } {
  let value: unknown;
  try {
    value = JSON.parse(new TextDecoder().decode(bytes));
  } catch (err) {
    throw corrupt(path, `not valid JSON (${(err as Error).message})`);
  }
  if (!Array.isArray(value) || value.length === 0 || !Array.isArray(value[0])) {
    throw corrupt(path, 'expected a non-empty JSON array of number arrays (number[][])');
  }
  const dims = (value[0] as unknown[]).length;
  if (dims === 0) throw corrupt(path, 'row 0 is an empty array');
  const data = new Float32Array(value.length * dims);
  value.forEach((row: unknown, r) => {
    if (!Array.isArray(row)) throw corrupt(path, `row ${r} is not an array`, { row: r });
    if (row.length !== dims) {
      throw new WebEmbedError(
        'DIMENSION_MISMATCH',
        `${path}: row ${r} has ${row.length} numbers, row 0 has ${dims}`,
        {
          file: path,
          row: r,
          expected: dims,
          actual: row.length,
        },
      );
    }
    row.forEach((x: unknown, j) => {
      if (typeof x !== 'number')
        throw corrupt(path, `row ${r}, column ${j} is ${JSON.stringify(x)}, not a number`, { row: r });
      data[r * dims + j] = x;
    });
  });
  return { data, rows: value.length, dims };
}

/**
 * Reads a vector file (format by extension: `.npy`, `.fvecs`, `.json`), checks every value is
 * finite, and scales each row to unit length (cosine similarity, as the engine stores vectors).
 *
 * @example
 * ```ts
 * const { vectors } = readVectorFile('embeddings.npy'); // 2-D float32, rows normalized
 * ```
 */
export function readVectorFile(path: string): VectorFile {
  if (!existsSync(path)) throw new WebEmbedError('NOT_FOUND', `${path}: no such file`, { file: path });
  const extension = extname(path).toLowerCase();
  if (extension !== '.npy' && extension !== '.fvecs' && extension !== '.json') {
    throw unsupported(path, `unknown extension ${JSON.stringify(extension)}; expected ${FORMATS}`);
  }
  const bytes = new Uint8Array(readFileSync(path));
  const parsed =
    extension === '.npy'
      ? readNpy(path, bytes)
      : extension === '.fvecs'
        ? { ...readFvecs(path, bytes), stored: 'float32' as const }
        : { ...readJson(path, bytes), stored: 'number' as const };
  const { data, rows, dims } = parsed;
  if (rows === 0) throw corrupt(path, 'holds no rows');
  let normalizedRows = 0;
  for (let r = 0; r < rows; r++) {
    let sum = 0;
    for (let j = 0; j < dims; j++) {
      const x = data[r * dims + j];
      if (!Number.isFinite(x)) {
        throw new WebEmbedError(
          'NOT_FINITE',
          `${path}: row ${r}, column ${j} is ${x}; every value must be finite`,
          {
            file: path,
            row: r,
          },
        );
      }
      sum += x * x;
    }
    if (sum === 0) {
      throw new WebEmbedError(
        'ZERO_VECTOR',
        `${path}: row ${r} is all zeros; cosine similarity needs a direction`,
        {
          file: path,
          row: r,
        },
      );
    }
    const norm = Math.sqrt(sum);
    if (Math.abs(norm - 1) > 1e-3) normalizedRows++;
    for (let j = 0; j < dims; j++) data[r * dims + j] /= norm;
  }
  const format = extension.slice(1) as VectorFile['format'];
  return { path, format, stored: parsed.stored, vectors: { data, rows, dims }, normalizedRows };
}
