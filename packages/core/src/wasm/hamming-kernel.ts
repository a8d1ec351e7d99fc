/**
 * WebAssembly SIMD Hamming kernel (placeholder until the module lands: reports unavailable,
 * so callers fall back to JavaScript).
 *
 * @module
 */
import { WebEmbedError } from '../errors.js';
import type { BinaryMatrix, TopK } from '../types.js';

/** A Hamming top-k kernel: queries x corpus -> top-k, k already checked and capped. */
export type HammingKernel = (
  queries: BinaryMatrix,
  corpus: BinaryMatrix,
  k: number,
  skip: Uint8Array | undefined,
) => TopK;

/** The WebAssembly kernel, or `null` when unavailable (`required` turns that into an error). */
export function hammingKernelWasm(required: boolean): HammingKernel | null {
  if (required) {
    throw new WebEmbedError(
      'INVALID_ARGUMENT',
      'the WebAssembly SIMD Hamming kernel is not available in this runtime',
    );
  }
  return null;
}
