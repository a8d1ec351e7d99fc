import { describe, expect, it } from 'vitest';
import { isWebEmbedError, WebEmbedError } from '../src/index.js';

describe('WebEmbedError', () => {
  it('carries a code and details', () => {
    const err = new WebEmbedError('DIMENSION_MISMATCH', 'query has 3 dimensions, corpus 4', {
      expected: 4,
      actual: 3,
    });
    expect(err).toBeInstanceOf(Error);
    expect(err.code).toBe('DIMENSION_MISMATCH');
    expect(err.details).toEqual({ expected: 4, actual: 3 });
    expect(isWebEmbedError(err, 'DIMENSION_MISMATCH')).toBe(true);
    expect(isWebEmbedError(err, 'NOT_FINITE')).toBe(false);
  });

  it('recognises an error that lost its prototype crossing a worker boundary', () => {
    const cloned = { name: 'WebEmbedError', code: 'QUOTA_EXCEEDED', message: 'full' };
    expect(isWebEmbedError(cloned, 'QUOTA_EXCEEDED')).toBe(true);
    expect(isWebEmbedError(new Error('x'))).toBe(false);
    expect(isWebEmbedError(null)).toBe(false);
  });
});
