/**
 * The worker side of `createEngine`: one call makes a worker global scope (or any comlink
 * endpoint) serve the engine. `@webembed/engine`'s own worker entry is just this call; a worker of
 * your own passed as `createEngine({ worker })` must make it too.
 *
 * @module
 */
import { type Endpoint, expose } from 'comlink';
import { registerErrorTransfer } from './error-transfer.js';
import { createWorkerApi } from './worker-api.js';
import { type PingScope, answerPings } from './worker-start.js';

/**
 * Serves the engine API over `scope` (default: this worker's global scope) and answers the main
 * thread's start-up ping, with WebEmbedError codes kept across the boundary.
 *
 * @example
 * ```ts
 * // my-engine-worker.ts, started as createEngine({ worker: new Worker(new URL('./my-engine-worker.ts', import.meta.url), { type: 'module' }) })
 * import { serveEngineWorker } from '@webembed/engine';
 * serveEngineWorker();
 * ```
 */
export function serveEngineWorker(
  scope: Endpoint & PingScope = globalThis as unknown as Endpoint & PingScope,
): void {
  registerErrorTransfer();
  expose(createWorkerApi(), scope);
  answerPings(scope);
}
