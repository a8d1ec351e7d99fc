import { isWebEmbedError } from '@webembed/core';
import ortMjs from 'onnxruntime-web/ort-wasm-simd-threaded.asyncify.mjs?url';
import ortWasm from 'onnxruntime-web/ort-wasm-simd-threaded.asyncify.wasm?url';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { type CreateEngineOptions, createEngine, env, open } from '../src/index.js';
import { startEngineWorker } from '../src/worker-start.js';

// Real headless Chromium: every way the engine can fail to start must reject with a coded
// WebEmbedError naming the URL that broke, never leave open() or createEngine() pending.
const MODEL = 'webembed-fixtures/mini-bert';
const base: CreateEngineOptions = { model: MODEL, device: 'wasm', dtype: 'fp32', database: 'startup-errors' };
const blobs: string[] = [];

function blobUrl(text: string, type: string): string {
  const url = URL.createObjectURL(new Blob([text], { type }));
  blobs.push(url);
  return url;
}

/** The rejection of `run` (fails the test when it resolves). */
async function rejectionOf(run: Promise<unknown>): Promise<Error & { code?: string }> {
  try {
    const value = await run;
    (value as { close?: () => Promise<void> }).close?.();
  } catch (err) {
    return err as Error & { code?: string };
  }
  throw new Error('expected a rejection, got a result');
}

beforeEach(() => {
  env.localModelPath = '/.fixtures/models/';
  env.allowRemoteModels = false;
  env.wasmPaths = { mjs: ortMjs, wasm: ortWasm };
});

afterEach(() => {
  for (const url of blobs.splice(0)) URL.revokeObjectURL(url);
});

describe('worker start-up', () => {
  it('knows the URL the bundler gave its own worker, and the worker answers the start-up ping', async () => {
    const started = startEngineWorker();
    try {
      expect(started.url).toMatch(/\/worker\.(ts|js)\b/);
      // The global Worker constructor is put back right after.
      expect(Worker.name).toBe('Worker');
      const engine = await createEngine({ ...base, worker: started.url ?? '' });
      expect(engine.info.backend).toBe('wasm');
      await engine.dispose();
    } finally {
      started.worker.terminate();
    }
  });

  it('a worker script that answers 404 rejects with WORKER_LOAD_FAILED naming the URL and the status', async () => {
    const missing = new URL('/no-such-dir/webembed-worker.js', location.href).href;
    const err = await rejectionOf(createEngine({ ...base, worker: missing }));
    expect(isWebEmbedError(err, 'WORKER_LOAD_FAILED')).toBe(true);
    expect(err.message).toContain(missing);
    expect(err.message).toMatch(/answered 404/);
  });

  it('a web page served where the worker script should be rejects with WORKER_LOAD_FAILED (text/html)', async () => {
    const page = blobUrl('<!doctype html><title>app</title><p>fallback page', 'text/html');
    const err = await rejectionOf(open({ ...base, collection: 'never', worker: page }));
    expect(isWebEmbedError(err, 'WORKER_LOAD_FAILED')).toBe(true);
    expect(err.message).toContain(page);
    expect(err.message).toMatch(/text\/html/);
  });

  it('a script that throws while loading rejects with WORKER_LOAD_FAILED and its message', async () => {
    const script = blobUrl('throw new Error("no engine here");', 'text/javascript');
    const err = await rejectionOf(createEngine({ ...base, worker: script }));
    expect(isWebEmbedError(err, 'WORKER_LOAD_FAILED')).toBe(true);
    expect(err.message).toContain('no engine here');
    expect(err.message).toContain(script);
  });

  it('a script that loads but never answers rejects with WORKER_START_TIMEOUT after startTimeoutMs', async () => {
    const silent = blobUrl('self.addEventListener("message", () => {});', 'text/javascript');
    const started = performance.now();
    const err = await rejectionOf(createEngine({ ...base, worker: silent, startTimeoutMs: 1_500 }));
    expect(isWebEmbedError(err, 'WORKER_START_TIMEOUT')).toBe(true);
    expect(err.message).toContain(silent);
    expect(performance.now() - started).toBeGreaterThanOrEqual(1_400);
  });

  it('refuses a start timeout that is not a positive number', async () => {
    const err = await rejectionOf(createEngine({ ...base, startTimeoutMs: 0 }));
    expect(isWebEmbedError(err, 'INVALID_ARGUMENT')).toBe(true);
  });
});

describe('model and runtime files', () => {
  it('a model folder that is not there rejects with MODEL_LOAD_FAILED naming the file URL', async () => {
    env.localModelPath = '/no-such-models/';
    const err = await rejectionOf(open({ ...base, collection: 'never' }));
    expect(isWebEmbedError(err, 'MODEL_LOAD_FAILED')).toBe(true);
    expect(err.message).toMatch(/\/no-such-models\/webembed-fixtures\/mini-bert\/tokenizer/);
  });

  it('a model file that answers 404 (weights missing, tokenizer present) names the weights URL', async () => {
    const err = await rejectionOf(createEngine({ ...base, dtype: 'fp16' }));
    expect(isWebEmbedError(err, 'MODEL_LOAD_FAILED')).toBe(true);
    expect(err.message).toMatch(/mini-bert\/onnx\/model_fp16\.onnx answered 404/);
  });

  it('the ONNX runtime .wasm served as a web page rejects with RUNTIME_LOAD_FAILED naming it', async () => {
    const page = blobUrl('<!doctype html><title>app</title>', 'text/html');
    env.wasmPaths = { mjs: ortMjs, wasm: page };
    const err = await rejectionOf(createEngine(base));
    expect(isWebEmbedError(err, 'RUNTIME_LOAD_FAILED')).toBe(true);
    expect(err.message).toContain(page);
    expect(err.message).toMatch(/text\/html/);
  });

  it('the ONNX runtime .wasm answering 404 rejects with RUNTIME_LOAD_FAILED naming it', async () => {
    const missing = new URL('/no-such-dir/ort-wasm-simd-threaded.asyncify.wasm', location.href).href;
    env.wasmPaths = { mjs: ortMjs, wasm: missing };
    const err = await rejectionOf(createEngine(base));
    expect(isWebEmbedError(err, 'RUNTIME_LOAD_FAILED')).toBe(true);
    expect(err.message).toContain(`${missing} answered 404`);
  });
});
