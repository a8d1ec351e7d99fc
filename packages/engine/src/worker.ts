/**
 * Entry point of the engine's module worker (bundled into dist/worker.js with its dependencies).
 *
 * @module
 */
import { serveEngineWorker } from './serve-worker.js';

serveEngineWorker();
