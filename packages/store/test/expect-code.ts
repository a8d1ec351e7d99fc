import { isWebEmbedError } from '@webembed/core';
import { expect } from 'vitest';

/** Awaits `work` and checks it fails with a WebEmbedError of `code` and a real message. */
export async function expectCode(work: Promise<unknown> | (() => unknown), code: string): Promise<Error> {
  try {
    await (typeof work === 'function' ? work() : work);
  } catch (err) {
    expect(isWebEmbedError(err), String(err)).toBe(true);
    expect((err as { code: string }).code, (err as Error).message).toBe(code);
    expect((err as Error).message.length).toBeGreaterThan(10);
    return err as Error;
  }
  throw new Error(`expected ${code}, nothing was thrown`);
}
