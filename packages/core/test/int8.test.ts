import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  assertInt8Calibration,
  calibrateInt8,
  dequantizeInt8,
  int8HalfSteps,
  quantizeInt8,
  sameCalibration,
  type Float32Matrix,
  type Int8Calibration,
  quantizeInt8Query,
} from '../src/index.js';
import { expectCode } from './expect-code.js';

const floatMatrix = fc
  .record({ rows: fc.integer({ min: 1, max: 12 }), dims: fc.integer({ min: 1, max: 20 }) })
  .chain(({ rows, dims }) =>
    fc
      .array(fc.float({ min: -50, max: 50, noNaN: true, noDefaultInfinity: true }), {
        minLength: rows * dims,
        maxLength: rows * dims,
      })
      .map((values): Float32Matrix => ({ data: Float32Array.from(values), rows, dims })),
  );

describe('int8 quantization', () => {
  for (const scheme of ['ranges', 'symmetric'] as const) {
    it(`${scheme}: decodes within half a step per dimension for values inside the calibration`, () => {
      fc.assert(
        fc.property(floatMatrix, (m) => {
          const cal = calibrateInt8(m, scheme);
          const codes = quantizeInt8(m, cal);
          const back = dequantizeInt8(codes);
          const half = int8HalfSteps(cal);
          for (let r = 0; r < m.rows; r++) {
            for (let i = 0; i < m.dims; i++) {
              const x = m.data[r * m.dims + i];
              const err = Math.abs(back.data[r * m.dims + i] - x);
              // half a step, plus float32 rounding of the decoded value
              expect(err).toBeLessThanOrEqual(half[i] * (1 + 1e-6) + Math.abs(x) * 2 ** -23 + 1e-30);
              const c = codes.data[r * m.dims + i];
              expect(c).toBeGreaterThanOrEqual(scheme === 'symmetric' ? -127 : -128);
              expect(c).toBeLessThanOrEqual(127);
            }
          }
        }),
        { numRuns: 50 },
      );
    });
  }

  it('ranges maps each dimension min to -128 and max to 127', () => {
    const m = { data: new Float32Array([-1, 10, 3, 20, 1, 30]), rows: 3, dims: 2 };
    const cal = calibrateInt8(m, 'ranges');
    expect(Array.from(cal.min)).toEqual([-1, 10]);
    expect(Array.from(cal.max)).toEqual([3, 30]);
    const q = quantizeInt8(m, cal);
    expect(Array.from(q.data)).toEqual([-128, -128, 127, 0, 0, 127]); // 20 sits at 127.5 steps: rounds up
  });

  it('symmetric keeps zero at zero and uses [-127, 127]', () => {
    const m = { data: new Float32Array([0, -4, 2, 4]), rows: 2, dims: 2 };
    const cal = calibrateInt8(m, 'symmetric');
    expect(Array.from(cal.max)).toEqual([2, 4]);
    expect(Array.from(cal.min)).toEqual([-2, -4]);
    expect(Array.from(quantizeInt8(m, cal).data)).toEqual([0, -127, 127, 127]);
  });

  it('clamps values outside the calibration and decodes constant dimensions exactly', () => {
    const cal = calibrateInt8({ data: new Float32Array([0, 5, 1, 5]), rows: 2, dims: 2 }, 'ranges');
    const q = quantizeInt8({ data: new Float32Array([9, 5, -9, 7]), rows: 2, dims: 2 }, cal);
    expect(Array.from(q.data)).toEqual([127, -128, -128, -128]);
    expect(Array.from(dequantizeInt8(q).data)).toEqual([1, 5, 0, 5]);
    const sym = calibrateInt8({ data: new Float32Array([0, 0]), rows: 1, dims: 2 }, 'symmetric');
    expect(
      Array.from(
        dequantizeInt8(quantizeInt8({ data: new Float32Array([0, 3]), rows: 1, dims: 2 }, sym)).data,
      ),
    ).toEqual([0, 0]);
  });

  it('compares calibrations by value', () => {
    const m = { data: new Float32Array([1, 2, 3, 4]), rows: 2, dims: 2 };
    const a = calibrateInt8(m, 'ranges');
    expect(sameCalibration(a, calibrateInt8(m, 'ranges'))).toBe(true);
    expect(sameCalibration(a, calibrateInt8(m, 'symmetric'))).toBe(false);
    expect(sameCalibration(a, { ...a, max: new Float32Array([3, 5]) })).toBe(false);
    expect(sameCalibration(a, { ...a, min: new Float32Array([1]), max: new Float32Array([3]) })).toBe(false);
  });

  it('refuses a calibration with NaN, Infinity, min > max, a wrong length or an unknown scheme', () => {
    const m = { data: new Float32Array([1, 2, 3, 4]), rows: 2, dims: 2 };
    const good = calibrateInt8(m);
    const cal = (min: number[], max: number[], scheme = 'ranges') =>
      ({ scheme, min: Float32Array.from(min), max: Float32Array.from(max) }) as Int8Calibration;
    const cases: [Int8Calibration, string][] = [
      [cal([Number.NaN, 2], [3, 4]), 'NOT_FINITE'],
      [cal([1, 2], [3, Number.NaN]), 'NOT_FINITE'],
      [cal([1, Number.NEGATIVE_INFINITY], [3, 4]), 'NOT_FINITE'],
      [cal([1, 2], [Number.POSITIVE_INFINITY, 4]), 'NOT_FINITE'],
      [cal([5, 2], [3, 4]), 'INVALID_ARGUMENT'], // min > max
      [cal([-3, -4], [3, 4], 'minmax'), 'INVALID_ARGUMENT'],
      [cal([-1, 4], [3, 4], 'symmetric'), 'INVALID_ARGUMENT'], // symmetric needs min = -max
      [cal([1], [3]), 'DIMENSION_MISMATCH'],
      [{ ...good, min: [1, 2] } as unknown as Int8Calibration, 'INVALID_ARGUMENT'],
      [null as unknown as Int8Calibration, 'INVALID_ARGUMENT'],
    ];
    for (const [bad, code] of cases) {
      expectCode(() => quantizeInt8(m, bad), code);
      expectCode(() => quantizeInt8Query(m, bad), code);
      expectCode(() => dequantizeInt8({ data: new Int8Array(4), rows: 2, dims: 2, calibration: bad }), code);
      expectCode(() => assertInt8Calibration(bad, 2), code);
    }
    expect(() => assertInt8Calibration(good, 2)).not.toThrow();
    expect(() => assertInt8Calibration(calibrateInt8(m, 'symmetric'), 2)).not.toThrow();
  });

  it('rejects bad input with typed errors', () => {
    const m = { data: new Float32Array([1, 2, 3, 4]), rows: 2, dims: 2 };
    const cal = calibrateInt8(m);
    expectCode(() => calibrateInt8({ data: new Float32Array(0), rows: 0, dims: 2 }), 'EMPTY_CORPUS');
    expectCode(() => calibrateInt8(m, 'minmax' as 'ranges'), 'INVALID_ARGUMENT');
    expectCode(
      () => calibrateInt8({ data: new Float32Array([1, Number.NaN]), rows: 1, dims: 2 }),
      'NOT_FINITE',
    );
    expectCode(() => calibrateInt8({ data: new Float32Array(3), rows: 2, dims: 2 }), 'MISALIGNED_BUFFER');
    expectCode(
      () => quantizeInt8({ data: new Float32Array(3), rows: 1, dims: 3 }, cal),
      'DIMENSION_MISMATCH',
    );
    expectCode(
      () => quantizeInt8({ data: new Float32Array([Number.POSITIVE_INFINITY, 0]), rows: 1, dims: 2 }, cal),
      'NOT_FINITE',
    );
    expectCode(
      () => dequantizeInt8({ data: new Int8Array(3), rows: 2, dims: 2, calibration: cal }),
      'MISALIGNED_BUFFER',
    );
    expectCode(
      () => dequantizeInt8({ data: new Int8Array(3), rows: 1, dims: 3, calibration: cal }),
      'DIMENSION_MISMATCH',
    );
  });
});
