/**
 * Browser builds of the published package: `createEngine` always starts a worker, and the
 * in-process engine is not bundled (see `in-process.ts`). Call `createLocalEngine` to run the
 * engine in the current thread, e.g. inside a worker of your own.
 *
 * @module
 */
import type { Engine, EngineOptions } from './engine.js';

/** Always `null`: this build has no in-process engine behind `createEngine`. */
export async function loadInProcessEngine(): Promise<((options: EngineOptions) => Promise<Engine>) | null> {
  return null;
}
