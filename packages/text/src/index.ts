/**
 * `@webembed/text`: the text side of retrieval. Multilingual tokenization and BM25 scoring,
 * rank fusion (reciprocal rank, weighted scores) and token-budget chunking with overlap.
 * Pure TypeScript, no DOM: runs in Node, pages and workers.
 *
 * @module
 */
export { createTokenizer, normalizeTerm, resolveTokenizerOptions, tokenize } from './tokenize.js';
export type { ResolvedTokenizerOptions, Tokenizer, TokenizerOptions } from './tokenize.js';
export { ENGLISH_STOPWORDS } from './stopwords.js';
export { createBm25Index, loadBm25Index } from './bm25.js';
export type { Bm25Index, Bm25Options, SerializedBm25Index } from './bm25.js';
export type { RankedList } from './rank.js';
export { reciprocalRankFusion, weightedScoreFusion } from './fusion.js';
export type { RrfOptions, WeightedFusionOptions } from './fusion.js';
export { chunkText } from './chunk.js';
export type { ChunkOptions, TextChunk } from './chunk.js';
