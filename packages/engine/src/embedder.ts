/**
 * The in-process embedder: tokenizes, batches by length, runs the encoder through one serialized
 * session, pools and normalizes, and caches by model fingerprint + text hash. Runs in Node (the
 * CLI), in a Web Worker (the engine worker) or on a page.
 *
 * @module
 */
import { type Float32Matrix, type ModelFingerprint, WebEmbedError, fingerprintKey } from '@webembed/core';
import { planBatches } from './batching.js';
import { createEmbeddingCache } from './cache.js';
import type { AdapterDescription, Backend, DeviceRequest } from './device.js';
import type { EngineEnv } from './env.js';
import { sha256Hex } from './hash.js';
import { assertTexts, throwIfAborted } from './inputs.js';
import { type TokenStates, poolInto, tokenStatesOf } from './pooling.js';
import {
  type ModelOverrides,
  type ModelPreset,
  type TextKind,
  fingerprintOf,
  resolvePreset,
} from './presets.js';
import { createSerialQueue } from './queue.js';
import { type Dtype, type LoadProgress, type LoadedModel, type TensorLike, loadModel } from './runtime.js';

/** Options of {@link createEmbedder}. */
export interface EmbedderOptions {
  /** Model id: a preset (see `PRESETS`) or any transformers.js feature-extraction model with `overrides.dims`. */
  readonly model: string;
  /** Where to run. Default `auto`. */
  readonly device?: DeviceRequest;
  /** Weight precision. Default `q8`. */
  readonly dtype?: Dtype;
  /** Model revision (git ref) stored in the fingerprint. Default `main`. */
  readonly revision?: string;
  /** Preset fields to override, or the description of a model without a preset. */
  readonly overrides?: ModelOverrides;
  /** Truncate vectors to this many leading dims (Matryoshka) and re-normalize. Default: full width. */
  readonly matryoshkaDims?: number;
  /** Texts a batch. Default 16. */
  readonly batchSize?: number;
  /** Batch texts of similar token length together. Default `true`. */
  readonly bucketByLength?: boolean;
  /** Vectors kept in the in-memory cache. Default 10 000; 0 disables it. */
  readonly cacheSize?: number;
  /** Per-engine overrides of the global `env`. */
  readonly env?: Partial<EngineEnv>;
  /** Model file download / load progress. */
  readonly onLoadProgress?: (event: LoadProgress) => void;
}

/** Options of one embed call. */
export interface EmbedOptions {
  /** `query` or `passage` (default): picks the preset's instruction prefix. */
  readonly kind?: TextKind;
  /** Cancels the call between batches; it then rejects with `ABORTED`. */
  readonly signal?: AbortSignal;
  /** Called after each batch with texts done so far and the total. */
  readonly onProgress?: (done: number, total: number) => void;
}

/** The result of one embed call, rows in input order. */
export interface EmbedResult {
  /** One unit vector a text (unless the preset disables normalization). */
  readonly vectors: Float32Matrix;
  /** Tokens of each text, special tokens and prefix included, before truncation. */
  readonly tokenCounts: Int32Array;
  /** Whether each text was longer than the token window and got truncated. */
  readonly truncated: boolean[];
}

/** Token states of one text, for late chunking. */
export interface TokenEmbeddings {
  /** Token ids, special tokens included (after truncation). */
  readonly ids: Int32Array;
  /** `[ids.length, width]` row-major token states. */
  readonly states: Float32Array;
  readonly width: number;
  readonly truncated: boolean;
}

/** What is running, said plainly. */
export interface EmbedderInfo {
  readonly modelId: string;
  readonly backend: Backend;
  /** The WebGPU adapter when the backend is `webgpu`, else `null`. */
  readonly adapter: AdapterDescription | null;
  /** Why preferred backends were skipped (empty when the first choice worked). */
  readonly fallbackReasons: readonly string[];
  readonly dtype: Dtype;
  /** Token window actually applied (the smaller of the preset's and the tokenizer's). */
  readonly maxTokens: number;
  /** Largest text accepted, in characters (`env.maxTextChars` at load). */
  readonly maxTextChars: number;
  /** WASM threads onnxruntime-web runs with (`null` for other backends or when unknown). */
  readonly threads: number | null;
  readonly loadMs: number;
}

/** A loaded embedding model. */
export interface Embedder {
  readonly info: EmbedderInfo;
  readonly preset: ModelPreset;
  readonly fingerprint: ModelFingerprint;
  /** Embeds texts; see {@link EmbedOptions}. */
  embed(texts: readonly string[], options?: EmbedOptions): Promise<EmbedResult>;
  /** Tokens of `text` (special tokens included), synchronously, for chunkers. */
  countTokens(text: string): number;
  /** Token ids of `text` as the model's tokenizer gives them, with or without special tokens. */
  encode(text: string, addSpecialTokens: boolean): number[];
  /** Last hidden state of one sequence of token ids (no pooling), through the serialized session. */
  tokenStatesOfIds(
    ids: readonly number[],
    signal?: AbortSignal,
  ): Promise<{ data: Float32Array; seq: number; width: number }>;
  /** Token states of one text (passage prefix applied), for late chunking. */
  embedTokens(text: string, options?: { kind?: TextKind; signal?: AbortSignal }): Promise<TokenEmbeddings>;
  /** Cache counters. */
  cacheStats(): { size: number; hits: number; misses: number };
  dispose(): Promise<void>;
}

interface CachedEmbedding {
  readonly vector: Float32Array;
  readonly tokenCount: number;
  readonly truncated: boolean;
}

function positiveInt(value: number, what: string): number {
  if (!Number.isInteger(value) || value < 1) {
    throw new WebEmbedError('INVALID_ARGUMENT', `${what} must be a positive integer, got ${String(value)}`);
  }
  return value;
}

function tensorStates(output: Record<string, TensorLike>, mask: TensorLike): TokenStates {
  const hidden = output.last_hidden_state ?? output.token_embeddings;
  if (hidden?.dims.length !== 3) {
    throw new WebEmbedError(
      'MODEL_LOAD_FAILED',
      `the model returned no [batch, seq, hidden] last_hidden_state (outputs: ${Object.keys(output).join(', ')})`,
    );
  }
  const [batch, seq, width] = hidden.dims;
  return { data: hidden.data as Float32Array, batch, seq, width, mask: mask.data };
}

/**
 * Loads a model and returns an {@link Embedder}.
 *
 * @example
 * ```ts
 * env.localModelPath = '/models/';
 * const embedder = await createEmbedder({ model: 'Xenova/all-MiniLM-L6-v2', device: 'auto' });
 * const { vectors, truncated } = await embedder.embed(['hello world'], { kind: 'query' });
 * ```
 */
export async function createEmbedder(options: EmbedderOptions): Promise<Embedder> {
  const preset = resolvePreset(options.model, options.overrides);
  const dtype = options.dtype ?? 'q8';
  if (!['fp32', 'fp16', 'q8', 'q4'].includes(dtype)) {
    throw new WebEmbedError('INVALID_ARGUMENT', `dtype must be fp32, fp16, q8 or q4, got ${String(dtype)}`);
  }
  const fingerprint = fingerprintOf(
    preset,
    dtype,
    options.revision ?? 'main',
    options.matryoshkaDims ?? null,
  );
  const batchSize = positiveInt(options.batchSize ?? 16, 'batchSize');
  const bucket = options.bucketByLength ?? true;
  const cacheSize = options.cacheSize ?? 10_000;
  if (!Number.isInteger(cacheSize) || cacheSize < 0) {
    throw new WebEmbedError(
      'INVALID_ARGUMENT',
      `cacheSize must be an integer >= 0, got ${String(cacheSize)}`,
    );
  }
  const started = performance.now();
  const loaded: LoadedModel = await loadModel({
    modelId: preset.modelId,
    device: options.device ?? 'auto',
    dtype,
    revision: options.revision,
    env: options.env,
    onLoadProgress: options.onLoadProgress,
  });
  const { tokenizer, encoder, config } = loaded;
  const tokenizerMax = Number(tokenizer.model_max_length);
  const maxTokens =
    Number.isFinite(tokenizerMax) && tokenizerMax > 0
      ? Math.min(preset.maxTokens, tokenizerMax)
      : preset.maxTokens;
  const dims = fingerprint.dims;
  const caching = cacheSize > 0;
  const cache = createEmbeddingCache<CachedEmbedding>(cacheSize);
  const cachePrefix = `${fingerprintKey(fingerprint)}|`;
  const enqueue = createSerialQueue();
  const info: EmbedderInfo = {
    modelId: preset.modelId,
    backend: loaded.backend,
    adapter: loaded.adapter,
    fallbackReasons: loaded.fallbackReasons,
    dtype,
    maxTokens,
    maxTextChars: config.maxTextChars,
    threads: loaded.wasmThreads,
    loadMs: performance.now() - started,
  };

  const prefixed = (text: string, kind: TextKind) =>
    (kind === 'query' ? preset.prefixes.query : preset.prefixes.passage) + text;

  const countTokens = (text: string) => tokenizer.encode(text).length;

  async function runBatch(
    texts: string[],
    signal: AbortSignal | undefined,
  ): Promise<{ states: TokenStates; ids: TensorLike }> {
    return enqueue(async () => {
      throwIfAborted(signal);
      const inputs = tokenizer(texts, { padding: true, truncation: true, max_length: maxTokens });
      const output = await encoder(inputs);
      return { states: tensorStates(output, inputs.attention_mask), ids: inputs.input_ids };
    });
  }

  async function embed(texts: readonly string[], embedOptions: EmbedOptions = {}): Promise<EmbedResult> {
    assertTexts(texts, config.maxTextChars);
    const kind = embedOptions.kind ?? 'passage';
    if (kind !== 'query' && kind !== 'passage') {
      throw new WebEmbedError('INVALID_ARGUMENT', `kind must be 'query' or 'passage', got ${String(kind)}`);
    }
    const { signal, onProgress } = embedOptions;
    throwIfAborted(signal);
    const n = texts.length;
    const inputs = texts.map((t) => prefixed(t, kind));
    // With the cache off, the text itself is the key (duplicates in a call still embed once).
    const keys = caching
      ? await Promise.all(inputs.map(async (t) => cachePrefix + (await sha256Hex(t))))
      : inputs;
    const out = new Float32Array(n * dims);
    const tokenCounts = new Int32Array(n);
    const truncated = new Array<boolean>(n).fill(false);
    const todo: number[] = [];
    const firstOfKey = new Map<string, number>();
    const duplicates: [number, number][] = [];
    inputs.forEach((text, i) => {
      const hit = cache.get(keys[i]);
      if (hit) {
        out.set(hit.vector, i * dims);
        tokenCounts[i] = hit.tokenCount;
        truncated[i] = hit.truncated;
        return;
      }
      const first = firstOfKey.get(keys[i]);
      if (first !== undefined) {
        duplicates.push([i, first]);
        return;
      }
      firstOfKey.set(keys[i], i);
      todo.push(i);
      tokenCounts[i] = countTokens(text);
      truncated[i] = tokenCounts[i] > maxTokens;
    });
    let done = n - todo.length - duplicates.length;
    const lengths = Int32Array.from(todo, (i) => tokenCounts[i]);
    for (const batch of planBatches(lengths, batchSize, bucket)) {
      throwIfAborted(signal);
      const rows = Array.from(batch, (b) => todo[b]);
      const { states } = await runBatch(
        rows.map((i) => inputs[i]),
        signal,
      );
      poolInto(states, preset.pooling, dims, preset.normalize, out, rows);
      for (const i of rows) {
        cache.set(keys[i], {
          vector: out.slice(i * dims, (i + 1) * dims),
          tokenCount: tokenCounts[i],
          truncated: truncated[i],
        });
      }
      done += rows.length;
      if (done < n || duplicates.length === 0) onProgress?.(done, n);
    }
    for (const [i, first] of duplicates) {
      out.copyWithin(i * dims, first * dims, (first + 1) * dims);
      tokenCounts[i] = tokenCounts[first];
      truncated[i] = truncated[first];
    }
    if (done < n) onProgress?.(n, n);
    return { vectors: { data: out, rows: n, dims }, tokenCounts, truncated };
  }

  async function embedTokens(
    text: string,
    tokenOptions: { kind?: TextKind; signal?: AbortSignal } = {},
  ): Promise<TokenEmbeddings> {
    assertTexts([text], config.maxTextChars);
    const input = prefixed(text, tokenOptions.kind ?? 'passage');
    const total = countTokens(input);
    const { states, ids } = await runBatch([input], tokenOptions.signal);
    const tokenStates = tokenStatesOf(states, 0);
    const count = tokenStates.length / states.width;
    return {
      ids: Int32Array.from({ length: count }, (_, t) => Number(ids.data[t])),
      states: tokenStates,
      width: states.width,
      truncated: total > maxTokens,
    };
  }

  return {
    info,
    preset,
    fingerprint,
    embed,
    countTokens: (text: string) => {
      if (typeof text !== 'string') {
        throw new WebEmbedError('NOT_A_STRING', `countTokens needs a string, got ${typeof text}`);
      }
      return countTokens(text);
    },
    embedTokens,
    encode(text: string, addSpecialTokens: boolean) {
      if (typeof text !== 'string') {
        throw new WebEmbedError('NOT_A_STRING', `encode needs a string, got ${typeof text}`);
      }
      return tokenizer.encode(text, { add_special_tokens: addSpecialTokens });
    },
    async tokenStatesOfIds(ids: readonly number[], signal?: AbortSignal) {
      if (ids.length === 0 || ids.length > maxTokens) {
        throw new WebEmbedError(
          'INVALID_ARGUMENT',
          `a sequence must hold 1 to ${maxTokens} token ids (the model window), got ${ids.length}`,
          { actual: ids.length, expected: maxTokens },
        );
      }
      return enqueue(async () => {
        throwIfAborted(signal);
        const inputs = loaded.inputsFromIds([ids]);
        const states = tensorStates(await encoder(inputs), inputs.attention_mask);
        return {
          data: states.data.slice(0, states.seq * states.width),
          seq: states.seq,
          width: states.width,
        };
      });
    },
    cacheStats: () => ({ size: cache.size, hits: cache.hits, misses: cache.misses }),
    dispose: () => enqueue(() => loaded.dispose()),
  };
}
