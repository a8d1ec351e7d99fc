import { describe, expect, it } from 'vitest';
import { parseArgs, parseSize } from '../lib/args.js';

describe('benchmark flags', () => {
  const spec = { sizes: 'list', dims: 'number', quick: 'boolean', out: 'string' } as const;

  it('parses every flag form', () => {
    expect(parseArgs(['--sizes', '10K,100K', '--dims=1024', '--quick', '--out', 'x'], spec)).toEqual({
      sizes: ['10K', '100K'],
      dims: 1024,
      quick: true,
      out: 'x',
    });
  });

  it('rejects unknown flags, missing values and bad numbers', () => {
    const bad = expect.objectContaining({ code: 'INVALID_ARGUMENT' });
    expect(() => parseArgs(['--nope'], spec)).toThrowError(/unknown flag --nope/);
    expect(() => parseArgs(['--dims'], spec)).toThrowError(bad);
    expect(() => parseArgs(['--dims', '-3'], spec)).toThrowError(/positive number/);
    expect(() => parseArgs(['loose'], spec)).toThrowError(bad);
  });

  it('parses sizes with K and M suffixes', () => {
    expect(parseSize('10K')).toBe(10_000);
    expect(parseSize('1M')).toBe(1_000_000);
    expect(parseSize('2500')).toBe(2500);
    expect(() => parseSize('ten')).toThrowError(expect.objectContaining({ code: 'INVALID_ARGUMENT' }));
  });
});
