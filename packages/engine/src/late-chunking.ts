/**
 * Late chunking: embed chunks of a long text so that each chunk's vector still "knows" its
 * context. The model runs ONCE over the whole text (or over windows as large as the model allows),
 * returning one state per token (no pooling); each chunk's vector is then the mean of the states of
 * its own tokens, L2-normalized. Pronouns and abbreviations in a chunk are thereby resolved by the
 * surrounding text, which independent chunk embedding cannot do.
 *
 * Token spans are exact by construction: the text is cut at every chunk boundary, each piece is
 * tokenized without special tokens, and the model input is `prefix + pieces + suffix` (e.g.
 * `[CLS] ... [SEP]`). Chunk boundaries should fall between words (as {@link chunkText} produces);
 * then the pieces tokenize like the whole text would. Overlapping chunks are fine: shared pieces
 * are fed once. When the text exceeds the model window, consecutive chunks are packed into windows
 * of at most `maxTokens` tokens, one forward pass each (a chunk never straddles two windows).
 *
 * @module
 */
import { type Float32Matrix, WebEmbedError } from '@webembed/core';

/** Token states of one sequence: `seq x width` floats, row-major. */
export interface SequenceStates {
  readonly data: Float32Array;
  readonly seq: number;
  readonly width: number;
}

/** What late chunking needs from a model. {@link loadLateChunkingModel} makes one with transformers.js. */
export interface LateChunkingModel {
  /** Token ids of a text piece, without special tokens. */
  encode(text: string): readonly number[];
  /** Ids that open every sequence (e.g. `[CLS]`). */
  readonly prefixIds: readonly number[];
  /** Ids that close every sequence (e.g. `[SEP]`). */
  readonly suffixIds: readonly number[];
  /** Longest sequence the model accepts, special tokens included. */
  readonly maxTokens: number;
  /** One forward pass without pooling: the last hidden state of `ids`. */
  tokenStates(ids: readonly number[]): Promise<SequenceStates>;
  /** Releases the model's resources, when it holds any. */
  dispose?(): Promise<void>;
}

/** A chunk as character offsets into the text (`start` inclusive, `end` exclusive). */
export interface ChunkSpan {
  readonly start: number;
  readonly end: number;
}

/** Options of {@link lateChunkEmbed}. */
export interface LateChunkOptions {
  /** Keep the first `dims` values of each vector (Matryoshka); default: the model's full width. */
  readonly dims?: number;
  /** L2-normalize each chunk vector. Default `true`. */
  readonly normalize?: boolean;
}

/** Result of {@link lateChunkEmbed}. */
export interface LateChunkResult {
  /** One vector per chunk, in the order the chunks were given. */
  readonly vectors: Float32Matrix;
  /**
   * Per chunk, `[window, firstToken, endToken]`: which forward pass it came from and the token
   * positions (in that pass's sequence, special tokens counted) that were averaged.
   */
  readonly tokenSpans: Int32Array;
  /** How many forward passes ran. */
  readonly windows: number;
}

function invalid(message: string, details?: Record<string, number>): WebEmbedError {
  return new WebEmbedError('INVALID_ARGUMENT', message, details);
}

function checkSpans(text: string, chunks: readonly ChunkSpan[]): void {
  if (typeof text !== 'string') {
    throw new WebEmbedError('NOT_A_STRING', `late chunking text must be a string, got ${typeof text}`);
  }
  if (!Array.isArray(chunks) || chunks.length === 0) {
    throw new WebEmbedError('EMPTY_BATCH', 'late chunking needs at least one chunk span { start, end }');
  }
  chunks.forEach((c, i) => {
    const ok =
      typeof c === 'object' &&
      c !== null &&
      Number.isInteger(c.start) &&
      Number.isInteger(c.end) &&
      c.start >= 0 &&
      c.end > c.start &&
      c.end <= text.length;
    if (!ok) {
      throw invalid(
        `chunk ${i} must be { start, end } with 0 <= start < end <= ${text.length} (text length), got ${JSON.stringify(c)}`,
        { index: i },
      );
    }
  });
}

/**
 * Mean of the rows `[first, end)` of `states`, cut to `dims`, optionally L2-normalized, written to
 * `out` at `outOffset`. Throws `ZERO_VECTOR`/`NOT_FINITE` when normalization is impossible.
 */
export function poolTokenSpan(
  states: SequenceStates,
  first: number,
  end: number,
  dims: number,
  normalize: boolean,
  out: Float32Array,
  outOffset: number,
): void {
  if (!(first >= 0 && end > first && end <= states.seq)) {
    throw invalid(`token span [${first}, ${end}) lies outside the ${states.seq}-token sequence`);
  }
  const acc = new Float64Array(dims);
  for (let t = first; t < end; t++) {
    const base = t * states.width;
    for (let j = 0; j < dims; j++) acc[j] += states.data[base + j];
  }
  const count = end - first;
  let sq = 0;
  for (let j = 0; j < dims; j++) {
    acc[j] /= count;
    sq += acc[j] * acc[j];
  }
  let scale = 1;
  if (normalize) {
    if (!(sq > 0) || !Number.isFinite(sq)) {
      throw new WebEmbedError(
        sq === 0 ? 'ZERO_VECTOR' : 'NOT_FINITE',
        `the pooled chunk vector over tokens [${first}, ${end}) is ${sq === 0 ? 'zero' : 'not finite'}; it cannot be normalized`,
      );
    }
    scale = 1 / Math.sqrt(sq);
  }
  for (let j = 0; j < dims; j++) out[outOffset + j] = acc[j] * scale;
}

/**
 * Embeds each chunk of `text` with late chunking (see the module notes).
 * Throws `EMPTY_BATCH` without chunks, `INVALID_ARGUMENT` for spans outside the text,
 * `EMPTY_TEXT` for a chunk with no tokens, `TEXT_TOO_LONG` for a chunk longer than the model window.
 *
 * @example
 * ```ts
 * const model = await loadLateChunkingModel('webembed-fixtures/mini-bert', { localModelPath: '.fixtures/models' });
 * const chunks = chunkText(text, { maxTokens: 64, countTokens: (s) => model.encode(s).length });
 * const { vectors } = await lateChunkEmbed(model, text, chunks);
 * ```
 */
export async function lateChunkEmbed(
  model: LateChunkingModel,
  text: string,
  chunks: readonly ChunkSpan[],
  options: LateChunkOptions = {},
): Promise<LateChunkResult> {
  checkSpans(text, chunks);
  const normalize = options.normalize ?? true;
  const budget = model.maxTokens - model.prefixIds.length - model.suffixIds.length;
  if (!Number.isInteger(budget) || budget < 1) {
    throw invalid(`model window of ${model.maxTokens} tokens leaves no room after its special tokens`);
  }

  // Cut the covered text at every chunk boundary and tokenize each piece once.
  const cuts = [...new Set(chunks.flatMap((c) => [c.start, c.end]))].sort((a, b) => a - b);
  const cutIndex = new Map(cuts.map((offset, i) => [offset, i]));
  const pieceIds: (readonly number[])[] = [];
  const tokenAt = new Int32Array(cuts.length); // token offset of each cut in the concatenation
  for (let p = 0; p + 1 < cuts.length; p++) {
    const ids = model.encode(text.slice(cuts[p], cuts[p + 1]));
    pieceIds.push(ids);
    tokenAt[p + 1] = tokenAt[p] + ids.length;
  }
  const tokenStart = chunks.map((c) => tokenAt[cutIndex.get(c.start)!]);
  const tokenEnd = chunks.map((c) => tokenAt[cutIndex.get(c.end)!]);
  chunks.forEach((c, i) => {
    const n = tokenEnd[i] - tokenStart[i];
    if (n === 0) {
      throw new WebEmbedError(
        'EMPTY_TEXT',
        `chunk ${i} (characters ${c.start}..${c.end}) has no tokens to pool`,
        {
          index: i,
        },
      );
    }
    if (n > budget) {
      throw new WebEmbedError(
        'TEXT_TOO_LONG',
        `chunk ${i} has ${n} tokens, more than the model window allows (${budget} besides special tokens); use smaller chunks`,
        { index: i, actual: n, expected: budget },
      );
    }
  });
  const allIds = pieceIds.flat();

  // Pack chunks (in order of start) into windows and run one forward pass per window.
  const order = chunks
    .map((_, i) => i)
    .sort((a, b) => tokenStart[a] - tokenStart[b] || tokenEnd[a] - tokenEnd[b]);
  const states: SequenceStates[] = [];
  const width = { value: 0 };
  const windowOf = new Int32Array(chunks.length);
  const windowStart: number[] = [];
  for (let o = 0; o < order.length; ) {
    const from = tokenStart[order[o]];
    let to = tokenEnd[order[o]];
    const w = windowStart.length;
    while (o < order.length && Math.max(to, tokenEnd[order[o]]) - from <= budget) {
      to = Math.max(to, tokenEnd[order[o]]);
      windowOf[order[o]] = w;
      o++;
    }
    windowStart.push(from);
    const ids = [...model.prefixIds, ...allIds.slice(from, to), ...model.suffixIds];
    const out = await model.tokenStates(ids);
    if (out.seq !== ids.length || out.data.length !== out.seq * out.width) {
      throw new WebEmbedError(
        'DIMENSION_MISMATCH',
        `the model returned ${out.seq} token states of width ${out.width} (${out.data.length} floats) for ${ids.length} tokens`,
        { expected: ids.length, actual: out.seq },
      );
    }
    width.value = out.width;
    states.push(out);
  }

  const dims = options.dims ?? width.value;
  if (!Number.isInteger(dims) || dims < 1 || dims > width.value) {
    throw invalid(`dims must be an integer in [1, ${width.value}] (the model width), got ${String(dims)}`);
  }
  const data = new Float32Array(chunks.length * dims);
  const tokenSpans = new Int32Array(chunks.length * 3);
  const prefix = model.prefixIds.length;
  for (let i = 0; i < chunks.length; i++) {
    const w = windowOf[i];
    const first = prefix + tokenStart[i] - windowStart[w];
    const end = prefix + tokenEnd[i] - windowStart[w];
    poolTokenSpan(states[w], first, end, dims, normalize, data, i * dims);
    tokenSpans.set([w, first, end], i * 3);
  }
  return { vectors: { data, rows: chunks.length, dims }, tokenSpans, windows: states.length };
}

/** Options of {@link loadLateChunkingModel}. */
export interface LoadLateChunkingModelOptions {
  /** Folder holding `<org>/<model>/` (Node: a file path; browser: a path on the origin). */
  readonly localModelPath?: string;
  /** Weights dtype, e.g. `fp32` or `q8`. Default `fp32`. */
  readonly dtype?: 'fp32' | 'fp16' | 'q8' | 'q4';
  /** transformers.js device: `cpu` in Node, `wasm` or `webgpu` in browsers. Default by runtime. */
  readonly device?: 'cpu' | 'wasm' | 'webgpu';
  /** Window override; default the tokenizer's `model_max_length`. */
  readonly maxTokens?: number;
}

/**
 * Loads a model with transformers.js (AutoTokenizer + AutoModel, local files only) in the shape
 * {@link lateChunkEmbed} needs. Throws `MODEL_LOAD_FAILED` when the files are missing or invalid.
 */
export async function loadLateChunkingModel(
  modelId: string,
  options: LoadLateChunkingModelOptions = {},
): Promise<LateChunkingModel> {
  if (typeof modelId !== 'string' || modelId === '') {
    throw invalid(`modelId must be a non-empty string, got ${String(modelId)}`);
  }
  const isNode = typeof process !== 'undefined' && typeof process.versions?.node === 'string';
  const transformers = await import('@huggingface/transformers');
  const { AutoModel, AutoTokenizer, Tensor, env } = transformers;
  env.allowLocalModels = true;
  env.allowRemoteModels = false;
  if (options.localModelPath !== undefined) env.localModelPath = options.localModelPath;
  let tokenizer: Awaited<ReturnType<typeof AutoTokenizer.from_pretrained>>;
  let model: Awaited<ReturnType<typeof AutoModel.from_pretrained>>;
  try {
    tokenizer = await AutoTokenizer.from_pretrained(modelId);
    model = await AutoModel.from_pretrained(modelId, {
      dtype: options.dtype ?? 'fp32',
      device: options.device ?? (isNode ? 'cpu' : 'wasm'),
    });
  } catch (cause) {
    throw new WebEmbedError(
      'MODEL_LOAD_FAILED',
      `could not load model "${modelId}" from ${env.localModelPath}: ${cause instanceof Error ? cause.message : String(cause)}`,
      undefined,
      { cause },
    );
  }
  const probe = 'a';
  const bare = tokenizer.encode(probe, { add_special_tokens: false });
  const full = tokenizer.encode(probe);
  const at = full.findIndex((_, i) => bare.every((id, j) => full[i + j] === id));
  if (bare.length === 0 || at < 0) {
    throw new WebEmbedError(
      'MODEL_LOAD_FAILED',
      `cannot locate the special tokens of "${modelId}"'s tokenizer`,
    );
  }
  const windowTokens = options.maxTokens ?? Number(tokenizer.model_max_length);
  if (!Number.isInteger(windowTokens) || windowTokens < 2) {
    throw invalid(`model window must be an integer >= 2, got ${String(windowTokens)}`);
  }
  return {
    encode: (text) => tokenizer.encode(text, { add_special_tokens: false }),
    prefixIds: full.slice(0, at),
    suffixIds: full.slice(at + bare.length),
    maxTokens: windowTokens,
    async tokenStates(ids) {
      const n = ids.length;
      const inputIds = new Tensor(
        'int64',
        BigInt64Array.from(ids, (id) => BigInt(id)),
        [1, n],
      );
      const mask = new Tensor('int64', new BigInt64Array(n).fill(1n), [1, n]);
      const output = await model({ input_ids: inputIds, attention_mask: mask });
      const hidden = output.last_hidden_state as { data: Float32Array; dims: number[] } | undefined;
      if (hidden === undefined) {
        throw new WebEmbedError('MODEL_LOAD_FAILED', `model "${modelId}" has no last_hidden_state output`);
      }
      return { data: hidden.data, seq: hidden.dims[1], width: hidden.dims[2] };
    },
    async dispose() {
      await model.dispose();
    },
  };
}
