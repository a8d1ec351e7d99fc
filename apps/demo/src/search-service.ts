/**
 * What the demo needs from the engine, in the demo's own words. `engine-client.ts` implements it
 * on top of `@webembed/engine`; the UI and the app controller only see this interface.
 */

/** The search modes offered in the UI (the engine's names). */
export type SearchMode = 'float32' | 'int8' | 'hamming' | 'binary-rescore' | 'hybrid';

/** All modes, in the order the UI lists them. */
export const SEARCH_MODES: readonly SearchMode[] = ['float32', 'int8', 'hamming', 'binary-rescore', 'hybrid'];

/** Metadata the demo stores with each document. */
export interface DocMetadata {
  /** Language tag (`en`, `ja`, ... or `und`). */
  readonly lang: string;
  /** `corpus` for bundled passages, `user` for the user's own documents. */
  readonly source: 'corpus' | 'user';
  /** Topic key of a corpus passage. */
  readonly topic?: string;
  /** Title of a user document. */
  readonly title?: string;
}

/** A document to index. */
export interface DocInput {
  readonly id: string;
  readonly text: string;
  readonly metadata: DocMetadata;
}

/** The runtime actually in use. */
export interface RuntimeInfo {
  /** `webgpu` or `wasm` (the backend running the model). */
  readonly backend: string;
  /** WebGPU adapter in plain words (e.g. `SwiftShader (software)`), or null on WASM. */
  readonly adapter: string | null;
  /** True when the WebGPU adapter is a software fallback. */
  readonly fallbackAdapter: boolean;
  /** Model id. */
  readonly model: string;
  /** Weights dtype (`q8`, `fp32`, ...). */
  readonly dtype: string;
  /** Embedding dimensions. */
  readonly dims: number;
  /** WASM threads onnxruntime uses. */
  readonly threads: number;
  /** Why WASM runs on one thread (`not cross-origin isolated`, `no SharedArrayBuffer ...`), else null. */
  readonly threadsNote: string | null;
  /** Why backends before the one running were not used (e.g. `webgpu: no WebGPU adapter ...`). */
  readonly fallbackReasons: readonly string[];
  /** Where the vector search runs (`webgpu` or `cpu`). */
  readonly searchBackend: string;
  /** Why the search runs there, in the engine's words. */
  readonly searchReason: string;
}

/** Model download progress, summed over files. */
export interface DownloadProgress {
  readonly file: string;
  readonly loaded: number;
  readonly total: number;
  /** True once every file is loaded. */
  readonly done: boolean;
}

/** Indexing progress: texts (or chunks) embedded so far. */
export interface IndexProgress {
  readonly done: number;
  readonly total: number;
}

/** One search result. */
export interface Hit {
  readonly id: string;
  /** The text shown: the passage, or the best-matching chunk of a user document. */
  readonly text: string;
  readonly score: number;
  readonly metadata: DocMetadata;
  /** Index of the best chunk for chunked documents. */
  readonly chunkIndex: number | null;
}

/** A search's results and where its time went. */
export interface SearchOutcome {
  readonly hits: readonly Hit[];
  readonly embedMs: number;
  readonly searchMs: number;
}

/** What an add did. */
export interface AddOutcome {
  /** Documents written. */
  readonly documents: number;
  /** Vectors written (one per chunk; equals `documents` without chunking). */
  readonly vectors: number;
  /** Vectors whose text went past the model's token window and was cut. */
  readonly truncatedChunks: number;
}

/** Token-aware chunking for long documents. */
export interface ChunkOptions {
  readonly maxTokens: number;
  readonly overlapTokens: number;
}

/** The demo's view of the engine and its collection. */
export interface SearchService {
  readonly info: RuntimeInfo;
  /** Vectors stored (chunks count separately). */
  count(): Promise<number>;
  /** Adds documents; `replace` overwrites ids already stored (upsert) instead of refusing them. */
  add(
    docs: readonly DocInput[],
    options: {
      chunk?: ChunkOptions;
      replace?: boolean;
      onProgress?: (p: IndexProgress) => void;
      signal?: AbortSignal;
    },
  ): Promise<AddOutcome>;
  /**
   * Replaces the collection with a collection file (`pnpm webembed index`) in one call; resolves to
   * the vectors now stored. Another model's file is refused with `MODEL_MISMATCH`, changing nothing.
   */
  importIndex(bytes: Uint8Array): Promise<number>;
  search(query: string, options: { mode: SearchMode; k: number }): Promise<SearchOutcome>;
  delete(ids: readonly string[]): Promise<void>;
  clear(): Promise<void>;
  close(): Promise<void>;
}
