import { describe, expect, it } from 'vitest';
import { WebEmbedError } from '../src/index.js';

describe('browser environment', () => {
  it('runs core in a real browser with a WebGPU adapter available', async () => {
    expect(new WebEmbedError('INVALID_K', 'k must be positive').code).toBe('INVALID_K');
    expect(globalThis.isSecureContext).toBe(true);
    const adapter = await navigator.gpu?.requestAdapter();
    expect(adapter).toBeTruthy();
  });
});
