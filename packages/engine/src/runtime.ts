/**
 * Loading a model through transformers.js: the tokenizer and the encoder session, on the first
 * backend of the device candidates that works. Everything transformers-specific that the
 * embedder touches goes through the small structural types here.
 *
 * @module
 */
import { WebEmbedError } from '@webembed/core';
import {
  type Backend,
  type DeviceRequest,
  backendCandidates,
  checkWebGpu,
  type AdapterDescription,
} from './device.js';
import { type EngineEnv, type TransformersEnvLike, type WasmPaths, applyEnv } from './env.js';
import {
  type BadResponse,
  describeBadResponses,
  diagnoseRuntimeFiles,
  watchFetches,
} from './load-diagnostics.js';

/** Weight precisions transformers.js can load (file suffixes: '', _fp16, _quantized, _q4). */
export type Dtype = 'fp32' | 'fp16' | 'q8' | 'q4';

/** A tensor as transformers.js returns it. */
export interface TensorLike {
  readonly data: ArrayLike<number | bigint> & { readonly length: number };
  readonly dims: readonly number[];
}

/** The tokenizer surface the engine uses. */
export interface TokenizerLike {
  encode(text: string, options?: { add_special_tokens?: boolean }): number[];
  (
    texts: string[],
    options: { padding: boolean; truncation: boolean; max_length: number },
  ): Record<string, TensorLike>;
  readonly model_max_length?: number;
}

/** The encoder surface the engine uses. */
export type EncoderLike = (inputs: Record<string, TensorLike>) => Promise<Record<string, TensorLike>>;

/** A download/load progress event, as transformers.js reports it. */
export interface LoadProgress {
  readonly status: string;
  readonly file?: string;
  readonly loaded?: number;
  readonly total?: number;
  readonly progress?: number;
}

/** What a load needs. */
export interface LoadOptions {
  readonly modelId: string;
  readonly device: DeviceRequest;
  readonly dtype: Dtype;
  readonly revision?: string;
  readonly env?: Partial<EngineEnv>;
  readonly onLoadProgress?: (event: LoadProgress) => void;
}

/** A loaded model. */
export interface LoadedModel {
  readonly tokenizer: TokenizerLike;
  readonly encoder: EncoderLike;
  readonly backend: Backend;
  readonly adapter: AdapterDescription | null;
  /** Why a preferred backend was skipped (empty when the first candidate worked). */
  readonly fallbackReasons: readonly string[];
  readonly config: EngineEnv;
  /** WASM threads onnxruntime-web settled on (it forces 1 without cross-origin isolation); `null` off WASM. */
  readonly wasmThreads: number | null;
  /** Encoder inputs for rows of token ids (right-padded with 0, mask 0 on padding, type ids 0). */
  inputsFromIds(rows: readonly (readonly number[])[]): Record<string, TensorLike>;
  dispose(): Promise<void>;
}

interface TransformersModule {
  env: TransformersEnvLike;
  Tensor: new (type: 'int64', data: BigInt64Array, dims: number[]) => TensorLike;
  AutoTokenizer: { from_pretrained(id: string, options: object): Promise<unknown> };
  AutoModel: { from_pretrained(id: string, options: object): Promise<unknown> };
}

interface ModelHandle {
  (inputs: Record<string, TensorLike>): Promise<Record<string, TensorLike>>;
  dispose?: () => Promise<unknown>;
}

function message(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}

/** The runtime file URLs transformers.js will hand to onnxruntime-web (copied before a load). */
function readWasmPaths(target: TransformersEnvLike): WasmPaths | null {
  const paths = target.backends.onnx.wasm?.wasmPaths as Partial<WasmPaths> | undefined;
  return paths && typeof paths.mjs === 'string' && typeof paths.wasm === 'string'
    ? { mjs: paths.mjs, wasm: paths.wasm }
    : null;
}

function absoluteUrl(url: string | undefined): string | undefined {
  if (url === undefined) return undefined;
  try {
    return new URL(url, (globalThis as { location?: { href: string } }).location?.href).href;
  } catch {
    return url;
  }
}

function readThreads(target: TransformersEnvLike): number | null {
  const threads = target.backends.onnx.wasm?.numThreads;
  return typeof threads === 'number' && threads > 0 ? threads : null;
}

function idsToInputs(
  Tensor: TransformersModule['Tensor'],
  rows: readonly (readonly number[])[],
): Record<string, TensorLike> {
  const seq = Math.max(...rows.map((r) => r.length));
  const ids = new BigInt64Array(rows.length * seq);
  const mask = new BigInt64Array(rows.length * seq);
  rows.forEach((row, b) => {
    for (let t = 0; t < row.length; t++) {
      ids[b * seq + t] = BigInt(row[t]);
      mask[b * seq + t] = 1n;
    }
  });
  const dims = [rows.length, seq];
  return {
    input_ids: new Tensor('int64', ids, dims),
    attention_mask: new Tensor('int64', mask, dims),
    token_type_ids: new Tensor('int64', new BigInt64Array(rows.length * seq), dims),
  };
}

/**
 * Loads tokenizer and encoder, trying each candidate backend in turn. Failures name the URL that
 * broke: `MODEL_LOAD_FAILED` for model files, `RUNTIME_LOAD_FAILED` for onnxruntime-web's files.
 */
export async function loadModel(options: LoadOptions): Promise<LoadedModel> {
  const transformers = (await import('@huggingface/transformers')) as unknown as TransformersModule;
  const config = applyEnv(transformers.env, options.env);
  const fetches = watchFetches(transformers.env);
  try {
    return await loadWith(transformers, config, fetches.bad, options);
  } finally {
    fetches.stop();
  }
}

async function loadWith(
  transformers: TransformersModule,
  config: EngineEnv,
  badResponses: readonly BadResponse[],
  options: LoadOptions,
): Promise<LoadedModel> {
  const candidates = backendCandidates(options.device);
  const runtimePaths = readWasmPaths(transformers.env);
  const common = {
    revision: options.revision ?? 'main',
    progress_callback: options.onLoadProgress,
  };
  let tokenizer: TokenizerLike;
  try {
    tokenizer = (await transformers.AutoTokenizer.from_pretrained(options.modelId, common)) as TokenizerLike;
  } catch (err) {
    throw new WebEmbedError(
      'MODEL_LOAD_FAILED',
      `could not load the tokenizer of "${options.modelId}" from ${config.localModelPath}${config.allowRemoteModels ? ` or ${config.remoteHost}` : ' (remote models disabled)'}: ${message(err)}${describeBadResponses(badResponses)}`,
      { model: options.modelId },
      { cause: err },
    );
  }
  const fallbackReasons: string[] = [];
  let adapter: AdapterDescription | null = null;
  let triedOrtWeb = false;
  for (const backend of candidates) {
    if (backend === 'webgpu') {
      const check = await checkWebGpu();
      adapter = check.adapter;
      if (!check.adapter) {
        fallbackReasons.push(`webgpu: ${check.reason}`);
        continue;
      }
    }
    triedOrtWeb ||= backend !== 'cpu';
    try {
      const model = (await transformers.AutoModel.from_pretrained(options.modelId, {
        ...common,
        device: backend,
        dtype: options.dtype,
      })) as ModelHandle;
      return {
        tokenizer,
        encoder: (inputs) => model(inputs),
        backend,
        adapter: backend === 'webgpu' ? adapter : null,
        fallbackReasons,
        config,
        wasmThreads: backend === 'wasm' ? readThreads(transformers.env) : null,
        inputsFromIds: (rows) => idsToInputs(transformers.Tensor, rows),
        dispose: async () => {
          await model.dispose?.();
        },
      };
    } catch (err) {
      fallbackReasons.push(`${backend}: ${message(err)}`);
    }
  }
  const requested = candidates.length === 0 ? options.device : candidates.join(', then ');
  const reasons = fallbackReasons.join('; ');
  if (triedOrtWeb && runtimePaths) {
    const runtimeProblems = await diagnoseRuntimeFiles(runtimePaths);
    if (runtimeProblems.length > 0) {
      throw new WebEmbedError(
        'RUNTIME_LOAD_FAILED',
        `onnxruntime-web could not start for "${options.modelId}"${describeBadResponses(runtimeProblems)}. It loads ort-wasm-simd-threaded.asyncify.mjs and .wasm from env.wasmPaths (default: the copies next to @webembed/engine's worker, which bundlers emit with it); serve them there, the .wasm as application/wasm (${reasons})`,
        { model: options.modelId, url: runtimeProblems[0].url },
      );
    }
  }
  const runtimeUrls = new Set([runtimePaths?.mjs, runtimePaths?.wasm].map(absoluteUrl));
  const modelProblems = badResponses.filter((b) => !runtimeUrls.has(absoluteUrl(b.url)));
  throw new WebEmbedError(
    options.device === 'webgpu' && adapter === null ? 'GPU_UNAVAILABLE' : 'MODEL_LOAD_FAILED',
    `could not load "${options.modelId}" (dtype ${options.dtype}) on ${requested}: ${reasons}${describeBadResponses(modelProblems)}`,
    { model: options.modelId, dtype: options.dtype, url: modelProblems[0]?.url },
  );
}
