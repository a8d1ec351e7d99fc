import { isWebEmbedError } from '@webembed/core';
import ortMjs from 'onnxruntime-web/ort-wasm-simd-threaded.asyncify.mjs?url';
import ortWasm from 'onnxruntime-web/ort-wasm-simd-threaded.asyncify.wasm?url';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { type CreateEngineOptions, createEngine, env } from '../src/index.js';
import { startEngineWorker } from '../src/worker-start.js';

// A load that stops making progress (here: model files whose requests are never answered, through
// the test server's /__webembed-test/stall/ routes in vite.config.ts) must not leave createEngine
// pending: it is retried once in a fresh worker on one WASM thread, else rejected with a code.
const MODEL = 'webembed-fixtures/mini-bert';
const base: CreateEngineOptions = {
  model: MODEL,
  device: 'wasm',
  dtype: 'fp32',
  database: `load-stall-${Math.random()}`,
  loadStallTimeoutMs: 1500,
};
const stallPath = (token: string) =>
  `/__webembed-test/stall/${token}-${Math.random().toString(36).slice(2)}/`;

beforeEach(() => {
  env.allowRemoteModels = false;
  env.wasmPaths = { mjs: ortMjs, wasm: ortWasm };
});

afterEach(() => {
  env.localModelPath = '/.fixtures/models/';
});

/** The rejection of `run` (fails the test when it resolves). */
async function rejectionOf(run: Promise<{ dispose(): Promise<void> }>): Promise<Error> {
  try {
    await (await run).dispose();
  } catch (err) {
    return err as Error;
  }
  throw new Error('expected a rejection, got an engine');
}

describe('a model load that stalls', () => {
  it('rejects with MODEL_LOAD_TIMEOUT naming the model and the last file, in a worker it was given', async () => {
    env.localModelPath = stallPath('always');
    const started = startEngineWorker();
    try {
      const t0 = performance.now();
      const err = await rejectionOf(createEngine({ ...base, worker: started.worker }));
      expect(isWebEmbedError(err, 'MODEL_LOAD_TIMEOUT')).toBe(true);
      expect(err.message).toContain(MODEL);
      expect(err.message).toContain('1500 ms');
      expect(err.message).toMatch(/last: .*config\.json|last: nothing loaded yet/);
      expect(performance.now() - t0).toBeLessThan(15_000);
    } finally {
      started.worker.terminate();
    }
  });

  it('is retried once in a fresh worker on one WASM thread, and the engine says so', async () => {
    env.localModelPath = stallPath('once');
    // Long enough for the retry's own quiet steps (the runtime's .wasm compiled, the session made).
    const engine = await createEngine({ ...base, loadStallTimeoutMs: 8000 });
    try {
      expect(engine.info.backend).toBe('wasm');
      expect(engine.info.threads).toBe(1);
      const reasons = engine.info.fallbackReasons.join('\n');
      expect(reasons).toMatch(
        /load stalled \(loading webembed-fixtures\/mini-bert made no progress for 8000 ms/,
      );
      expect(reasons).toContain('retried in a fresh worker');
      const { vectors } = await engine.embed(['the retried engine embeds']);
      expect(vectors.rows).toBe(1);
    } finally {
      await engine.dispose();
    }
  });

  it('rejects with MODEL_LOAD_TIMEOUT when the retry stalls too', async () => {
    env.localModelPath = stallPath('always');
    const err = await rejectionOf(createEngine(base));
    expect(isWebEmbedError(err, 'MODEL_LOAD_TIMEOUT')).toBe(true);
  });

  it('refuses a loadStallTimeoutMs that is not a positive number', async () => {
    const err = await rejectionOf(createEngine({ ...base, loadStallTimeoutMs: 0 }));
    expect(isWebEmbedError(err, 'INVALID_ARGUMENT')).toBe(true);
    expect(err.message).toContain('loadStallTimeoutMs');
  });
});
