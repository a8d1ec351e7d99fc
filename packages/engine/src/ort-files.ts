/**
 * Where onnxruntime-web's runtime files are when `env.wasmPaths` is `null`. In source builds there
 * are none (`null`). The published worker (scripts/build-worker.mjs) replaces this module with
 * one that returns the copies shipped beside `dist/worker.js`, written as
 * `new URL('./ort-wasm-simd-threaded.asyncify.wasm', import.meta.url)` so that bundlers emit them.
 *
 * @module
 */
import type { WasmPaths } from './env.js';

/** The runtime files shipped with this build, or `null` (source builds). */
export function bundledWasmPaths(): WasmPaths | null {
  return null;
}
