import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { toFloat16 } from '@webembed/core';
import { afterAll, describe, expect, it } from 'vitest';
import { evaluateQueries, querySetTruth } from '../lib/quality-eval.js';
import { qualityMethods } from '../lib/quality-methods.js';
import { readVectorFile } from '../lib/vector-files.js';

// Small generated files of every accepted format, and malformed ones: each refused with a typed
// error naming the file and what is wrong.

const dir = mkdtempSync(join(tmpdir(), 'vector-files-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const rows = [
  [3, 4, 0],
  [0, 0, 2],
  [1, 1, 1],
  [-1, 0.5, 2],
];

function file(name: string, bytes: Uint8Array | string): string {
  const path = join(dir, name);
  writeFileSync(path, bytes);
  return path;
}

/** A .npy file as NumPy writes it (version 1.0, header padded to 64 bytes, newline-terminated). */
function npy(
  descr: string,
  shape: readonly number[],
  data: Uint8Array,
  options: { fortran?: boolean } = {},
): Uint8Array {
  const dict = `{'descr': '${descr}', 'fortran_order': ${options.fortran ? 'True' : 'False'}, 'shape': (${shape.join(', ')}${shape.length === 1 ? ',' : ''}), }`;
  const unpadded = 10 + dict.length + 1;
  const header = dict + ' '.repeat((64 - (unpadded % 64)) % 64) + '\n';
  const out = new Uint8Array(10 + header.length + data.length);
  out.set([0x93, 0x4e, 0x55, 0x4d, 0x50, 0x59, 1, 0], 0);
  new DataView(out.buffer).setUint16(8, header.length, true);
  out.set(new TextEncoder().encode(header), 10);
  out.set(data, 10 + header.length);
  return out;
}

function bytesOf(array: Float32Array | Uint16Array | Float64Array): Uint8Array {
  return new Uint8Array(array.buffer, array.byteOffset, array.byteLength);
}

function fvecs(matrix: readonly (readonly number[])[]): Uint8Array {
  const out = new DataView(new ArrayBuffer(matrix.reduce((n, r) => n + 4 + 4 * r.length, 0)));
  let at = 0;
  for (const row of matrix) {
    out.setInt32(at, row.length, true);
    at += 4;
    for (const x of row) {
      out.setFloat32(at, x, true);
      at += 4;
    }
  }
  return new Uint8Array(out.buffer);
}

const flat = Float32Array.from(rows.flat());
const unit = rows.map((r) => {
  const n = Math.hypot(...r);
  return r.map((x) => x / n);
});

function expectUnitRows(data: Float32Array, tolerance = 1e-6): void {
  unit.forEach((row, r) => {
    row.forEach((x, j) => {
      expect(Math.abs(data[r * 3 + j] - x)).toBeLessThan(tolerance);
    });
  });
}

async function codeAndMessage(
  run: () => unknown,
): Promise<{ code: string; message: string; file?: unknown }> {
  try {
    run();
  } catch (err) {
    const e = err as { code: string; message: string; details?: { file?: unknown } };
    return { code: e.code, message: e.message, file: e.details?.file };
  }
  return { code: 'no error', message: '' };
}

describe('readVectorFile: accepted formats', () => {
  it('reads float32 and float16 .npy, .fvecs and JSON into the same normalized rows', () => {
    const f32 = readVectorFile(file('a.npy', npy('<f4', [4, 3], bytesOf(flat))));
    expect(f32).toMatchObject({ format: 'npy', stored: 'float32', normalizedRows: 4 });
    expect(f32.vectors).toMatchObject({ rows: 4, dims: 3 });
    expectUnitRows(f32.vectors.data);
    const f16 = readVectorFile(file('h.npy', npy('<f2', [4, 3], bytesOf(toFloat16(flat)))));
    expect(f16.stored).toBe('float16');
    expectUnitRows(f16.vectors.data, 2e-3);
    const fv = readVectorFile(file('a.fvecs', fvecs(rows)));
    expect(fv.format).toBe('fvecs');
    expectUnitRows(fv.vectors.data);
    const json = readVectorFile(file('a.json', JSON.stringify(rows)));
    expect(json).toMatchObject({ format: 'json', stored: 'number' });
    expectUnitRows(json.vectors.data);
  });

  it('feeds the quality table: a queries file, and leave-one-out, against exact float32 search', () => {
    const corpus = readVectorFile(file('c.json', JSON.stringify(rows))).vectors;
    const queries = readVectorFile(file('q.json', JSON.stringify([[3, 4, 0.1]]))).vectors;
    const float32 = qualityMethods(3).find((m) => m.id === 'float32');
    expect(float32).toBeDefined();
    const set = { corpus, queries, queryRows: Int32Array.of(0), exclude: Int32Array.of(-1) };
    const truth = querySetTruth(set, 2);
    expect(Array.from(truth.indices.subarray(0, 2))).toEqual([0, 2]);
    expect(evaluateQueries(float32!, set, truth, 2).recallAt10).toBe(1);
    const all = Int32Array.of(0, 1, 2, 3);
    const loo = { corpus, queries: corpus, queryRows: all, exclude: all };
    const looTruth = querySetTruth(loo, 2);
    for (let q = 0; q < 4; q++)
      expect(Array.from(looTruth.indices.subarray(q * 2, q * 2 + 2))).not.toContain(q);
    expect(evaluateQueries(float32!, loo, looTruth, 2).recallAt10).toBe(1);
  });
});

describe('readVectorFile: malformed files', () => {
  const cases: [string, () => string, string, RegExp][] = [
    ['missing file', () => join(dir, 'nope.npy'), 'NOT_FOUND', /no such file/],
    ['unknown extension', () => file('a.csv', '1,2'), 'UNSUPPORTED_FORMAT', /unknown extension "\.csv"/],
    ['not a .npy', () => file('x.npy', 'hello world, not numpy'), 'CORRUPT_FILE', /not a \.npy file/],
    [
      'float64 .npy',
      () => file('d.npy', npy('<f8', [4, 3], bytesOf(Float64Array.from(flat)))),
      'UNSUPPORTED_FORMAT',
      /dtype <f8 is not float32 or float16/,
    ],
    [
      'big-endian .npy',
      () => file('b.npy', npy('>f4', [4, 3], bytesOf(flat))),
      'UNSUPPORTED_FORMAT',
      /big-endian/,
    ],
    [
      'Fortran order',
      () => file('f.npy', npy('<f4', [4, 3], bytesOf(flat), { fortran: true })),
      'UNSUPPORTED_FORMAT',
      /Fortran order/,
    ],
    [
      '1-D .npy',
      () => file('v.npy', npy('<f4', [12], bytesOf(flat))),
      'UNSUPPORTED_FORMAT',
      /shape \(12\); expected 2-D/,
    ],
    [
      'truncated .npy',
      () => file('t.npy', npy('<f4', [5, 3], bytesOf(flat))),
      'CORRUPT_FILE',
      /needs 60 data bytes, the file has 48/,
    ],
    [
      'NaN in .npy',
      () =>
        file(
          'n.npy',
          npy('<f4', [4, 3], bytesOf(Float32Array.from([...flat.slice(0, 7), Number.NaN, ...flat.slice(8)]))),
        ),
      'NOT_FINITE',
      /row 2, column 1 is NaN/,
    ],
    [
      'zero row',
      () =>
        file(
          'z.json',
          JSON.stringify([
            [1, 2],
            [0, 0],
          ]),
        ),
      'ZERO_VECTOR',
      /row 1 is all zeros/,
    ],
    [
      'ragged JSON',
      () =>
        file(
          'r.json',
          JSON.stringify([
            [1, 2, 3],
            [1, 2],
          ]),
        ),
      'DIMENSION_MISMATCH',
      /row 1 has 2 numbers, row 0 has 3/,
    ],
    [
      'JSON with a string',
      () => file('s.json', JSON.stringify([[1, '2']])),
      'CORRUPT_FILE',
      /row 0, column 1 is "2", not a number/,
    ],
    ['JSON object', () => file('o.json', '{"vectors": []}'), 'CORRUPT_FILE', /number\[\]\[\]/],
    ['broken JSON', () => file('j.json', '[[1, 2'), 'CORRUPT_FILE', /not valid JSON/],
    [
      'truncated .fvecs',
      () => file('t.fvecs', fvecs(rows).subarray(0, 30)),
      'CORRUPT_FILE',
      /not a whole number of 3-wide rows/,
    ],
    [
      '.fvecs rows of two widths',
      () =>
        file(
          'w.fvecs',
          fvecs([
            [1, 2, 3, 4, 5],
            [1, 2],
            [3, 4, 5],
          ]),
        ),
      'DIMENSION_MISMATCH',
      /row 1 declares width 2, row 0 declares 5/,
    ],
  ];
  it.each(cases)('%s', async (_name, make, code, message) => {
    const path = make();
    const error = await codeAndMessage(() => readVectorFile(path));
    expect(error.code).toBe(code);
    expect(error.message).toMatch(message);
    expect(error.message.startsWith(path)).toBe(true);
    expect(error.file).toBe(path);
  });
});
