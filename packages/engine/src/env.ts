/**
 * One configuration object for the engine, in the spirit of transformers.js' `env`: where model
 * files come from and where the onnxruntime-web WASM files are served. Set it before the first
 * {@link createEmbedder} / `createEngine` call; later changes apply to models loaded afterwards.
 *
 * @module
 */
import { WebEmbedError } from '@webembed/core';

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
   * Where onnxruntime-web's WASM files are served from. Default `null`: transformers.js' own
   * default (a public CDN), which an offline app must override.
   */
  wasmPaths: WasmPaths | null;
  /** Worker threads for the WASM backend (`null`: onnxruntime's default). */
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
  target.allowLocalModels = true;
  target.allowRemoteModels = config.allowRemoteModels;
  target.localModelPath = config.localModelPath;
  target.remoteHost = config.remoteHost;
  if (typeof config.useBrowserCache === 'boolean') target.useBrowserCache = config.useBrowserCache;
  const wasm = target.backends.onnx.wasm;
  if (wasm) {
    if (config.wasmPaths) wasm.wasmPaths = { ...config.wasmPaths };
    if (config.numThreads !== null) wasm.numThreads = config.numThreads;
  }
  return config;
}
