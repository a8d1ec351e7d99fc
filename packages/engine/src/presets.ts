/**
 * Model presets: what the engine must know about a model to embed with it correctly (width,
 * pooling, instruction prefixes, token window, Matryoshka support), and the fingerprint that ties
 * stored vectors to it. Unknown models work too, given explicit options.
 *
 * @module
 */
import { type ModelFingerprint, WebEmbedError } from '@webembed/core';

/** How token states become one vector. */
export type Pooling = 'mean' | 'cls';

/** What a text is, for models that embed queries and documents differently. */
export type TextKind = 'query' | 'passage';

/** Instruction prefixes, applied before tokenization. */
export interface PrefixScheme {
  /** Name stored in the fingerprint, e.g. `e5`, `bge`, `none`. */
  readonly name: string;
  /** Prepended to queries. */
  readonly query: string;
  /** Prepended to passages (documents). */
  readonly passage: string;
}

/** Everything the engine needs to embed with one model. */
export interface ModelPreset {
  /** Model id as transformers.js loads it, e.g. `Xenova/all-MiniLM-L6-v2`. */
  readonly modelId: string;
  /** Output width of the model. */
  readonly dims: number;
  readonly pooling: Pooling;
  /** Whether vectors are L2-normalized (after any Matryoshka truncation). */
  readonly normalize: boolean;
  readonly prefixes: PrefixScheme;
  /** Token window, special tokens included; longer texts are truncated (and reported). */
  readonly maxTokens: number;
  /** Widths the model was trained to be truncated to (Matryoshka); empty when not supported. */
  readonly matryoshkaDims: readonly number[];
  /** Languages the model handles well (ISO 639-1), or `['multilingual']` for ~100 languages. */
  readonly languages: readonly string[];
  /** Short description for people. */
  readonly description: string;
}

/** No instruction prefixes. */
export const NO_PREFIXES: PrefixScheme = { name: 'none', query: '', passage: '' };
/** E5 family: `query: ` and `passage: `. */
export const E5_PREFIXES: PrefixScheme = { name: 'e5', query: 'query: ', passage: 'passage: ' };
/** BGE English v1.5: an instruction on queries only. */
export const BGE_PREFIXES: PrefixScheme = {
  name: 'bge',
  query: 'Represent this sentence for searching relevant passages: ',
  passage: '',
};

const PRESET_LIST: readonly ModelPreset[] = [
  {
    modelId: 'Xenova/all-MiniLM-L6-v2',
    dims: 384,
    pooling: 'mean',
    normalize: true,
    prefixes: NO_PREFIXES,
    maxTokens: 256,
    matryoshkaDims: [],
    languages: ['en'],
    description: 'Sentence-transformers MiniLM, 6 layers: small, fast, English.',
  },
  {
    modelId: 'Xenova/multilingual-e5-small',
    dims: 384,
    pooling: 'mean',
    normalize: true,
    prefixes: E5_PREFIXES,
    maxTokens: 512,
    matryoshkaDims: [],
    languages: ['multilingual'],
    description: 'E5 small, ~100 languages, cross-lingual retrieval; needs query:/passage: prefixes.',
  },
  {
    modelId: 'Xenova/bge-small-en-v1.5',
    dims: 384,
    pooling: 'cls',
    normalize: true,
    prefixes: BGE_PREFIXES,
    maxTokens: 512,
    matryoshkaDims: [],
    languages: ['en'],
    description: 'BGE small English v1.5: CLS pooling, instruction on queries.',
  },
  {
    modelId: 'webembed-fixtures/mini-bert',
    dims: 32,
    pooling: 'mean',
    normalize: true,
    prefixes: NO_PREFIXES,
    maxTokens: 128,
    matryoshkaDims: [16, 8],
    languages: ['en'],
    description: 'Test fixture (random weights, 32 dims) written by scripts/build-fixtures.mjs.',
  },
  {
    modelId: 'webembed-fixtures/crosslingual-bert',
    dims: 64,
    pooling: 'mean',
    normalize: true,
    prefixes: NO_PREFIXES,
    maxTokens: 128,
    matryoshkaDims: [32, 16],
    languages: ['en', 'fr', 'de', 'es'],
    description: 'Test fixture whose en/fr/de/es words share embedding rows per concept (64 dims).',
  },
];

/** Registered presets by model id. */
export const PRESETS: ReadonlyMap<string, ModelPreset> = new Map(PRESET_LIST.map((p) => [p.modelId, p]));

/** Options that override a preset's fields, or describe a model that has no preset. */
export type ModelOverrides = Partial<Omit<ModelPreset, 'modelId'>>;

/**
 * The preset of `modelId` with `overrides` applied. A model without a preset needs at least
 * `dims`; the rest default to mean pooling, normalization, no prefixes and 512 tokens.
 */
export function resolvePreset(modelId: string, overrides: ModelOverrides = {}): ModelPreset {
  if (typeof modelId !== 'string' || modelId.trim() === '') {
    throw new WebEmbedError(
      'INVALID_ARGUMENT',
      `model must be a non-empty model id string, got ${String(modelId)}`,
    );
  }
  const base = PRESETS.get(modelId);
  if (!base && overrides.dims === undefined) {
    throw new WebEmbedError(
      'INVALID_ARGUMENT',
      `model "${modelId}" has no preset; pass its dims (and pooling, prefixes, maxTokens) explicitly, or use one of: ${[...PRESETS.keys()].join(', ')}`,
      { model: modelId },
    );
  }
  const preset: ModelPreset = {
    modelId,
    dims: 0,
    pooling: 'mean',
    normalize: true,
    prefixes: NO_PREFIXES,
    maxTokens: 512,
    matryoshkaDims: [],
    languages: [],
    description: 'Custom model',
    ...base,
    ...overrides,
  };
  if (!Number.isInteger(preset.dims) || preset.dims < 1) {
    throw new WebEmbedError(
      'INVALID_ARGUMENT',
      `dims must be a positive integer, got ${String(preset.dims)}`,
    );
  }
  if (preset.pooling !== 'mean' && preset.pooling !== 'cls') {
    throw new WebEmbedError(
      'INVALID_ARGUMENT',
      `pooling must be 'mean' or 'cls', got ${String(preset.pooling)}`,
    );
  }
  if (!Number.isInteger(preset.maxTokens) || preset.maxTokens < 3) {
    throw new WebEmbedError(
      'INVALID_ARGUMENT',
      `maxTokens must be an integer >= 3, got ${String(preset.maxTokens)}`,
    );
  }
  return preset;
}

/** The width vectors will have: the Matryoshka width when one is asked for, else the model's. */
export function outputDims(preset: ModelPreset, matryoshkaDims: number | null): number {
  if (matryoshkaDims === null) return preset.dims;
  if (!Number.isInteger(matryoshkaDims) || matryoshkaDims < 1 || matryoshkaDims > preset.dims) {
    throw new WebEmbedError(
      'INVALID_ARGUMENT',
      `matryoshkaDims must be an integer in [1, ${preset.dims}], got ${String(matryoshkaDims)}`,
    );
  }
  if (preset.matryoshkaDims.length > 0 && !preset.matryoshkaDims.includes(matryoshkaDims)) {
    throw new WebEmbedError(
      'INVALID_ARGUMENT',
      `${preset.modelId} supports Matryoshka widths ${preset.matryoshkaDims.join(', ')}, not ${matryoshkaDims}`,
    );
  }
  if (preset.matryoshkaDims.length === 0 && matryoshkaDims !== preset.dims) {
    throw new WebEmbedError(
      'INVALID_ARGUMENT',
      `${preset.modelId} was not trained for Matryoshka truncation; pass matryoshkaDims in the model overrides to force it`,
    );
  }
  return matryoshkaDims;
}

/** The fingerprint of vectors this preset produces with these weights. */
export function fingerprintOf(
  preset: ModelPreset,
  dtype: string,
  revision: string,
  matryoshkaDims: number | null,
): ModelFingerprint {
  return {
    modelId: preset.modelId,
    revision,
    dims: outputDims(preset, matryoshkaDims),
    pooling: preset.pooling,
    normalized: preset.normalize,
    prefixScheme: preset.prefixes.name,
    matryoshkaDims,
    dtype,
  };
}
