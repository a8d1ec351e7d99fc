import { describe, expect, it } from 'vitest';
import { needs, webgpuMissing } from '../../../scripts/test/browser-support.js';
import { WebEmbedError } from '../src/index.js';

const noGpu = await webgpuMissing();

describe('browser environment', () => {
  it('runs core in a real browser, in a secure context with IndexedDB and module workers', () => {
    expect(new WebEmbedError('INVALID_K', 'k must be positive').code).toBe('INVALID_K');
    expect(globalThis.isSecureContext).toBe(true);
    expect(typeof indexedDB.open).toBe('function');
    expect(typeof Worker).toBe('function');
  });

  it('has a WebGPU adapter', needs(noGpu), async () => {
    const adapter = await navigator.gpu?.requestAdapter();
    expect(adapter).toBeTruthy();
  });
});
