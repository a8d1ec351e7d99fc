import { describe, expect, it } from 'vitest';
import { formatBytes, formatMs, indexSizes, recallAtK } from '../src/metrics';

describe('recallAtK', () => {
  it('counts how many of the reference top k the candidate found', () => {
    expect(recallAtK(['a', 'b', 'c', 'd'], ['a', 'x', 'c', 'y'], 4)).toBe(0.5);
    expect(recallAtK(['a', 'b'], ['b', 'a'], 10)).toBe(1);
    expect(recallAtK(['a', 'b', 'c'], ['c', 'z'], 2)).toBe(0);
    expect(recallAtK([], ['a'])).toBe(1);
  });
  it('does not count a duplicated candidate id twice', () => {
    expect(recallAtK(['a', 'b'], ['a', 'a'], 2)).toBe(0.5);
  });
});

describe('indexSizes', () => {
  it('gives float32 4 bytes, int8 1 byte (+ calibration), binary 1 bit (+ L1 norm) a value', () => {
    expect(indexSizes(1000, 384)).toEqual({
      float32: 1_536_000,
      int8: 384_000 + 384 * 8,
      binary: 1000 * 48 + 4000,
    });
    expect(indexSizes(0, 384)).toEqual({ float32: 0, int8: 0, binary: 0 });
    expect(indexSizes(1, 33).binary).toBe(8 + 4);
  });
  it('refuses negative or fractional sizes by name', () => {
    expect(() => indexSizes(-1, 3)).toThrow(/rows=-1/);
    expect(() => indexSizes(-1, 3)).toThrow(expect.objectContaining({ code: 'INVALID_ARGUMENT' }));
    expect(() => indexSizes(1, 1.5)).toThrow(/dims=1.5/);
  });
});

describe('formatting', () => {
  it('formats bytes and milliseconds', () => {
    expect(formatBytes(999)).toBe('999 B');
    expect(formatBytes(1_536_000)).toBe('1.5 MB');
    expect(formatBytes(250_000)).toBe('250 kB');
    expect(formatBytes(Number.NaN)).toBe('–');
    expect(formatMs(3.1234)).toBe('3.12 ms');
    expect(formatMs(42.42)).toBe('42.4 ms');
    expect(formatMs(1500)).toBe('1.50 s');
    expect(formatMs(-1)).toBe('–');
  });
});
