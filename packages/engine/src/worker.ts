/**
 * Entry point of the engine's module worker: exposes {@link createWorkerApi} over comlink, with
 * WebEmbedError codes kept across the boundary.
 *
 * @module
 */
import { expose } from 'comlink';
import { registerErrorTransfer } from './error-transfer.js';
import { createWorkerApi } from './worker-api.js';

registerErrorTransfer();
expose(createWorkerApi());
