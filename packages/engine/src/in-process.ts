/**
 * The in-process engine for `createEngine` under Node (and with `worker: false` in source builds).
 * Reached through the package's `#in-process` import: browser builds of the published package get
 * `in-process-browser.ts` instead, so a web app never bundles this second copy of transformers.js
 * as a chunk it would never fetch.
 *
 * @module
 */
import type { Engine, EngineOptions } from './engine.js';

/** Loads `createLocalEngine` (transformers.js in this thread); `null` where it is left out. */
export async function loadInProcessEngine(): Promise<((options: EngineOptions) => Promise<Engine>) | null> {
  const { createLocalEngine } = await import('./engine.js');
  return createLocalEngine;
}
