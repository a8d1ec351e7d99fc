import { expect } from 'vitest';
import { isWebEmbedError } from '../src/index.js';

/** Asserts that `fn` throws a WebEmbedError with `code` and a descriptive message. */
export function expectCode(fn: () => unknown, code: string): void {
  try {
    fn();
  } catch (err) {
    expect(isWebEmbedError(err), String(err)).toBe(true);
    expect((err as { code: string }).code).toBe(code);
    expect((err as Error).message.length).toBeGreaterThan(10);
    return;
  }
  throw new Error(`expected ${code}, nothing was thrown`);
}
