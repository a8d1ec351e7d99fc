/**
 * One configuration object for the engine, in the spirit of transformers.js' `env`: where model
 * files come from and where the onnxruntime-web WASM files are served. Set it before the first
 * {@link createEmbedder} / `createEngine` call; later changes apply to models loaded afterwards.
 *
 * @module
 */
import { WebEmbedError } from '@webembed/core';
import { bundledWasmPaths } from './ort-files.js';

/** URLs of the two onnxruntime-web files the WASM and WebGPU backends load. */
export interface WasmPaths {
  /** URL of `ort-wasm-simd-threaded.asyncify.mjs`. */
  readonly mjs: string;
  /** URL of `ort-wasm-simd-threaded.asyncify.wasm`. */
  readonly wasm: string;
}

/** The engine's configuration. */
export interface EngineEnv {
  /**
   * Folder holding `<org>/<model>/` model folders. In a browser use a path on the serving origin
   * such as `/models/` (transformers.js skips local lookup for absolute http(s) URLs); in Node a
   * file-system path.
   */
  localModelPath: string;
  /** Whether models may be fetched from `remoteHost` when not found locally. Default `false`. */
  allowRemoteModels: boolean;
  /** Host for remote models (a Hugging Face compatible mirror). */
  remoteHost: string;
  /**
   * Where onnxruntime-web's two runtime files are served from. Default `null`: the copies that
   * ship next to the published package's worker (`dist/ort-wasm-simd-threaded.asyncify.{mjs,wasm}`,
   * which Vite and webpack emit with the worker, no configuration needed). Set it to serve them
   * from elsewhere. (Source builds of this repository have no such copies: there `null` leaves
   * transformers.js' default, a public CDN.)
   */
  wasmPaths: WasmPaths | null;
  /**
   * Threads for the WASM backend. Default `null`: `min(4, navigator.hardwareConcurrency)` when the
   * page is cross-origin isolated (COOP/COEP headers; multi-threaded WASM needs
   * SharedArrayBuffer), else 1. `engine.info.threads` says what runs.
   */
  numThreads: number | null;
  /** Largest text accepted, in characters; longer texts throw `TEXT_TOO_LONG`. Default 100 000. */
  maxTextChars: number;
  /**
   * Whether transformers.js keeps its own Cache Storage copy of model files (`transformers-cache`).
   * Default `null`: transformers.js' own default (on in browsers, off in Node). An app whose
   * service worker already caches the model files should set `false`, or every model is stored twice.
   */
  useBrowserCache: boolean | null;
}

/** The live configuration object. Mutate its fields; do not replace it. */
export const env: EngineEnv = {
  localModelPath: '/models/',
  allowRemoteModels: false,
  remoteHost: 'https://huggingface.co/',
  wasmPaths: null,
  numThreads: null,
  maxTextChars: 100_000,
  useBrowserCache: null,
};

/** The subset of transformers.js' env the engine writes to (kept structural to avoid `any`). */
export interface TransformersEnvLike {
  allowRemoteModels: boolean;
  allowLocalModels: boolean;
  localModelPath: string;
  remoteHost: string;
  useBrowserCache: boolean;
  backends: { onnx: { wasm?: { wasmPaths?: unknown; numThreads?: number } } };
  /** transformers.js' fetch hook (model files, and its preload of the runtime files). */
  fetch?: (input: string | URL | Request, init?: RequestInit) => Promise<Response>;
}

/**
 * WASM threads when `env.numThreads` is `null`: `min(4, hardwareConcurrency)` in a cross-origin
 * isolated context, else 1 (without SharedArrayBuffer onnxruntime-web runs one thread anyway).
 */
export function defaultWasmThreads(
  scope: { crossOriginIsolated?: boolean; navigator?: { hardwareConcurrency?: number } } = globalThis,
): number {
  if (scope.crossOriginIsolated !== true) return 1;
  const cores = scope.navigator?.hardwareConcurrency;
  return Math.max(1, Math.min(4, typeof cores === 'number' && cores > 0 ? Math.floor(cores) : 1));
}

function checkWasmPaths(paths: unknown): void {
  const p = paths as Partial<WasmPaths> | null;
  if (p === null) return;
  if (typeof p !== 'object' || typeof p.mjs !== 'string' || typeof p.wasm !== 'string' || !p.mjs || !p.wasm) {
    throw new WebEmbedError(
      'INVALID_ARGUMENT',
      `env.wasmPaths must be null or { mjs, wasm } URLs of ort-wasm-simd-threaded.asyncify.mjs and .wasm, got ${JSON.stringify(paths)}`,
    );
  }
}

/** The runtime file URLs a load uses: `env.wasmPaths`, else the copies beside the bundled worker. */
export function effectiveWasmPaths(config: Pick<EngineEnv, 'wasmPaths'>): WasmPaths | null {
  return config.wasmPaths ?? bundledWasmPaths();
}

/** Copies {@link env} (plus per-call overrides) into transformers.js' env before a load. */
export function applyEnv(target: TransformersEnvLike, overrides: Partial<EngineEnv> = {}): EngineEnv {
  const config: EngineEnv = { ...env, ...overrides };
  if (typeof config.localModelPath !== 'string' || config.localModelPath === '') {
    throw new WebEmbedError('INVALID_ARGUMENT', 'env.localModelPath must be a non-empty string path');
  }
  if (!Number.isInteger(config.maxTextChars) || config.maxTextChars < 1) {
    throw new WebEmbedError(
      'INVALID_ARGUMENT',
      `env.maxTextChars must be a positive integer, got ${String(config.maxTextChars)}`,
    );
  }
  if (config.numThreads !== null && !(Number.isInteger(config.numThreads) && config.numThreads >= 1)) {
    throw new WebEmbedError(
      'INVALID_ARGUMENT',
      `env.numThreads must be null or a positive integer, got ${String(config.numThreads)}`,
    );
  }
  checkWasmPaths(config.wasmPaths);
  target.allowLocalModels = true;
  target.allowRemoteModels = config.allowRemoteModels;
  target.localModelPath = config.localModelPath;
  target.remoteHost = config.remoteHost;
  if (typeof config.useBrowserCache === 'boolean') target.useBrowserCache = config.useBrowserCache;
  const wasm = target.backends.onnx.wasm;
  if (wasm) {
    const paths = effectiveWasmPaths(config);
    if (paths) wasm.wasmPaths = { ...paths };
    wasm.numThreads = config.numThreads ?? defaultWasmThreads();
  }
  return config;
}
