/**
 * `@webembed/text`: Text side of retrieval: multilingual BM25 tokenization and scoring, rank fusion (RRF, weighted) and chunking with overlap. Pure TypeScript, no DOM.
 *
 * @module
 */
export {};
