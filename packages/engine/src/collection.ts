/**
 * Engine collections: documents in, text queries out. Embeds with the engine's model, persists
 * through `@webembed/store` (vectors, texts, metadata, and the BM25 index as a sidecar written in
 * the same transaction), searches dense vectors through a {@link DenseSearcher} (WebGPU via
 * `@webembed/gpu` when present, else the store's CPU search) and fuses with BM25 for `hybrid`.
 *
 * @module
 */
import { WebEmbedError } from '@webembed/core';
import type { Collection, Metadata, MetadataFilter, VectorKind } from '@webembed/store';
import {
  type Bm25Index,
  type SerializedBm25Index,
  chunkText,
  createBm25Index,
  loadBm25Index,
  reciprocalRankFusion,
} from '@webembed/text';
import type { DenseSearcher } from './dense-search.js';
import type { Embedder } from './embedder.js';
import type { Float32Matrix } from '@webembed/core';
import type { DenseSearchResult, DenseSearchTimings } from './dense-search.js';
import { assertText, throwIfAborted } from './inputs.js';
import { type ChunkPlan, type RankedRow, groupByParent, parentIdOf, planDocuments } from './chunks.js';

/** One document to add. */
export interface DocumentToAdd {
  readonly id: string;
  readonly text: string;
  readonly metadata?: Metadata;
}

/** Splitting long documents into chunks that search maps back to their parent. */
export interface ChunkingOptions {
  /** Tokens a chunk may hold (special tokens included). Default: the model's token window. */
  readonly maxTokens?: number;
  /** Tokens shared by neighbouring chunks. Default 0. */
  readonly overlapTokens?: number;
}

/** Options of `add` / `upsert`. */
export interface AddOptions {
  /** Called after each embedded batch: documents (or chunks) done and total. */
  readonly onProgress?: (done: number, total: number) => void;
  readonly signal?: AbortSignal;
  /** Chunk documents longer than the token window (or always, with an explicit `maxTokens`). */
  readonly chunk?: ChunkingOptions | boolean;
}

/** What an `add` did. */
export interface AddResult {
  /** Documents written. */
  readonly documents: number;
  /** Rows stored (chunks count one each; equals `documents` without chunking). */
  readonly rows: number;
  /** Rows whose text was longer than the token window and got truncated. */
  readonly truncated: number;
  /** Documents replaced (upsert). */
  readonly replaced: number;
}

/** Search modes: dense over a stored form, or dense fused with BM25. */
export type SearchMode = 'float32' | 'int8' | 'hamming' | 'binary-rescore' | 'hybrid';

/** Options of `search`. */
export interface CollectionSearchOptions {
  /** Hits wanted (default 10). */
  readonly k?: number;
  /** Default `float32` when stored, else the first stored kind's mode. */
  readonly mode?: SearchMode;
  /** Metadata equality filter (or a predicate, in-process only). */
  readonly filter?: MetadataFilter;
  /** Dense mode used inside `hybrid` (default: the collection's default mode). */
  readonly hybridDense?: Exclude<SearchMode, 'hybrid'>;
  readonly signal?: AbortSignal;
}

/** A search hit: a document (the best chunk of it, when chunked). */
export interface SearchHit {
  readonly id: string;
  readonly text: string;
  readonly metadata: Metadata | undefined;
  /** Similarity (descending), Hamming distance for `hamming` (ascending), fused RRF score for `hybrid`. */
  readonly score: number;
  /** The chunk that matched, when the document was chunked. */
  readonly chunk?: { readonly index: number; readonly start: number; readonly end: number };
  /** Which tier the hit came from, in remote and tiered collections (absent for local ones). */
  readonly source?: 'local' | 'remote';
}

/** Where the time of a search went, milliseconds. */
export interface SearchTimings {
  /** Embedding the query. */
  readonly embedMs: number;
  /** Everything after the embedding: dense ranking, hydration, BM25 and fusion. */
  readonly searchMs: number;
  /** Part of `searchMs`: getting the current snapshot (IndexedDB only after a change). */
  readonly snapshotMs?: number;
  /** Part of `searchMs`: the ranking kernel(s), CPU or GPU. */
  readonly kernelMs?: number;
  /** Part of `searchMs`: reading ids, texts and metadata of the hits. */
  readonly hydrateMs?: number;
}

/** Hits plus where the time went. */
export interface SearchResponse {
  readonly hits: SearchHit[];
  readonly mode: SearchMode;
  readonly timings: SearchTimings;
  /** `webgpu` or `cpu`: where the dense search ran; `remote` for a remote collection. */
  readonly searchBackend: 'webgpu' | 'cpu' | 'remote';
  /**
   * Why the dense search ran there, e.g. `cpu is faster: cpu 0.40 ms vs webgpu 3.10 ms at
   * 20,000 rows (binary-rescore, timed on a search)` or why WebGPU was not used.
   */
  readonly searchReason?: string;
  /**
   * Set when a tiered collection opened with `whenRemoteFails: 'local'` could not reach its
   * remote part: the hits are the local hot set's alone.
   */
  readonly remoteFailure?: { readonly code: string; readonly message: string };
}

/** Largest number of queries one `searchMany` call takes ({@link EngineCollection.searchMany}). */
export const MAX_SEARCH_MANY_QUERIES = 1024;

/** One query's result in a {@link SearchManyResponse}: what `search` would return for it alone. */
export interface SearchManyResult {
  readonly hits: SearchHit[];
  readonly mode: SearchMode;
  /**
   * Tiered collections opened with `whenRemoteFails: 'local'`: set when this query's remote part
   * could not be reached (its hits are the local hot set's alone).
   */
  readonly remoteFailure?: { readonly code: string; readonly message: string };
}

/** What `searchMany` returns: one result per query, in the order of the queries. */
export interface SearchManyResponse {
  /** `results[i]` answers `queries[i]`, with the hits `search(queries[i], options)` returns. */
  readonly results: SearchManyResult[];
  /**
   * Of the whole batch: `embedMs` is the one batched embedding of every query, `searchMs` the
   * rest (dense ranking of the batch, hydration, BM25 and fusion of every query).
   */
  readonly timings: SearchTimings;
  /** `webgpu` or `cpu`: where the batch's dense ranking ran; `remote` for a remote collection. */
  readonly searchBackend: 'webgpu' | 'cpu' | 'remote';
  /**
   * Why it ran there; with `searchBackend: 'auto'` a batch is timed and routed apart from single
   * queries, so this names the batch size it was timed on, e.g. `webgpu is faster: cpu 9.10 ms
   * vs webgpu 2.40 ms at 20,000 rows (float32, timed on a batch of 64 queries; batches of 9-64
   * queries route alike)`.
   */
  readonly searchReason?: string;
}

/** A collection bound to an engine's model. */
export interface EngineCollection {
  readonly name: string;
  /** Adds new documents (ALREADY_EXISTS for an id already stored). */
  add(docs: readonly DocumentToAdd[], options?: AddOptions): Promise<AddResult>;
  /** Adds or replaces documents by id. */
  upsert(docs: readonly DocumentToAdd[], options?: AddOptions): Promise<AddResult>;
  search(query: string, options?: CollectionSearchOptions): Promise<SearchResponse>;
  /**
   * Searches several queries at once: `results[i]` holds exactly the hits (ids, scores, order,
   * chunk grouping) and mode that `search(queries[i], options)` returns. Every query is embedded
   * in one batched embedding call (kind `query`, so instruction prefixes apply as in `search`)
   * and the dense ranking of all of them runs as one batched kernel call, on the CPU or, with
   * `searchBackend: 'auto'`/`'webgpu'`, as one GPU search of the whole batch (`auto` times and
   * routes a batch apart from single queries). Filtered batches rank on the CPU, still batched.
   * `hybrid` ranks the dense part batched and runs BM25 and the fusion per query. Up to
   * {@link MAX_SEARCH_MANY_QUERIES} queries. Throws `EMPTY_BATCH` for `[]`, `NOT_A_STRING` for a
   * non-array or a non-string entry, `INVALID_ARGUMENT` for too many queries, and `search`'s
   * errors (`EMPTY_TEXT`, `TEXT_TOO_LONG`, ...) naming the index of the offending query
   * (`details.index`).
   */
  searchMany(queries: readonly string[], options?: CollectionSearchOptions): Promise<SearchManyResponse>;
  /** Deletes documents (and their chunks) by id; returns how many documents existed. */
  delete(ids: readonly string[]): Promise<number>;
  /** Live stored rows (chunks count one each). */
  count(): Promise<number>;
  clear(): Promise<void>;
  /** The collection as one binary file (store format, BM25 rebuilt from texts on import). */
  export(): Promise<Uint8Array>;
}

const BM25_SIDECAR = 'bm25';

/** Everything a collection needs from its engine. */
export interface CollectionContext {
  readonly embedder: Embedder;
  readonly stored: Collection;
  readonly kinds: readonly VectorKind[];
  readonly dense: DenseSearcher;
  /** See `OpenCollectionOptions.exactSearchLimit`. Default {@link EXACT_SEARCH_ROW_LIMIT}. */
  readonly exactSearchLimit?: number;
}

/**
 * Rows up to which a search without a mode is exact. Past it, exact float32 search costs tens of
 * milliseconds a query on one CPU core (about 20 ms at 100K x 384), while binary candidates plus
 * rescoring stay within a few milliseconds at nearly the same recall.
 */
export const EXACT_SEARCH_ROW_LIMIT = 10_000;

function checkDocs(docs: readonly DocumentToAdd[], maxChars: number): void {
  if (!Array.isArray(docs))
    throw new WebEmbedError('INVALID_ARGUMENT', 'documents must be an array of { id, text }');
  if (docs.length === 0) throw new WebEmbedError('EMPTY_BATCH', 'no documents to add; pass at least one');
  const seen = new Set<string>();
  docs.forEach((doc, i) => {
    if (typeof doc !== 'object' || doc === null || typeof doc.id !== 'string' || doc.id === '') {
      throw new WebEmbedError('INVALID_ARGUMENT', `documents[${i}] needs a non-empty string id`, {
        index: i,
      });
    }
    if (seen.has(doc.id)) {
      throw new WebEmbedError('ALREADY_EXISTS', `documents[${i}] repeats id ${JSON.stringify(doc.id)}`, {
        index: i,
      });
    }
    seen.add(doc.id);
    assertText(doc.text, maxChars, i);
  });
}

/**
 * Checks the queries of `searchMany`: an array of 1 to {@link MAX_SEARCH_MANY_QUERIES} texts,
 * each valid as a `search` query; errors name the offending index (`queries[i]`, `details.index`).
 */
export function checkQueries(queries: unknown, maxChars: number): asserts queries is readonly string[] {
  checkQueryBatch(queries, (query, i) => assertText(query, maxChars, i, 'queries'));
}

/**
 * The list checks of every `searchMany` (local, remote, tiered): an array of 1 to
 * {@link MAX_SEARCH_MANY_QUERIES} entries, then `checkQuery` on each with its index.
 */
export function checkQueryBatch(
  queries: unknown,
  checkQuery: (query: unknown, index: number) => void,
): asserts queries is readonly string[] {
  if (!Array.isArray(queries)) {
    throw new WebEmbedError('NOT_A_STRING', 'queries must be an array of strings');
  }
  if (queries.length === 0) {
    throw new WebEmbedError('EMPTY_BATCH', 'queries is an empty array; pass at least one query');
  }
  if (queries.length > MAX_SEARCH_MANY_QUERIES) {
    throw new WebEmbedError(
      'INVALID_ARGUMENT',
      `searchMany takes at most ${MAX_SEARCH_MANY_QUERIES} queries a call, got ${queries.length}; split the batch`,
      { expected: MAX_SEARCH_MANY_QUERIES, actual: queries.length },
    );
  }
  for (let i = 0; i < queries.length; i++) checkQuery(queries[i], i);
}

/** A response's timings: the embedding, everything after it, and the dense search's breakdown. */
function searchTimings(
  embedMs: number,
  searchStart: number,
  sizingMs: number,
  dense: DenseSearchTimings,
): SearchTimings {
  return {
    embedMs,
    searchMs: performance.now() - searchStart,
    ...dense,
    snapshotMs: sizingMs + dense.snapshotMs,
  };
}

async function loadBm25(stored: Collection): Promise<Bm25Index> {
  const saved = (await stored.getSidecar(BM25_SIDECAR)) as SerializedBm25Index | undefined;
  if (saved) return loadBm25Index(saved);
  const index = createBm25Index();
  for await (const doc of stored.iterate()) index.add(doc.id, doc.text);
  return index;
}

/** Wraps a store collection with embedding, chunking, hybrid search and BM25 upkeep. */
export async function createEngineCollection(ctx: CollectionContext): Promise<EngineCollection> {
  const { embedder, stored, kinds, dense } = ctx;
  let bm25 = await loadBm25(stored);
  // Another tab's write changes the stored BM25 sidecar: reload it before the next use, so
  // hybrid search sees those documents and this tab's next write does not overwrite them.
  let bm25Stale = false;
  stored.onChange((change) => {
    if (change.origin === 'remote') bm25Stale = true;
  });
  const freshBm25 = async (): Promise<Bm25Index> => {
    if (bm25Stale) {
      bm25Stale = false;
      bm25 = await loadBm25(stored);
    }
    return bm25;
  };
  const defaultMode: Exclude<SearchMode, 'hybrid'> = kinds.includes('float32')
    ? 'float32'
    : kinds.includes('int8')
      ? 'int8'
      : 'binary-rescore';
  const exactSearchLimit = ctx.exactSearchLimit ?? EXACT_SEARCH_ROW_LIMIT;
  if (!Number.isInteger(exactSearchLimit) || exactSearchLimit < 0) {
    throw new WebEmbedError(
      'INVALID_ARGUMENT',
      `exactSearchLimit must be an integer >= 0, got ${String(exactSearchLimit)}`,
    );
  }
  /** Exact search for small collections, binary + rescore past the limit when binary rows exist. */
  const liveRows = () => (dense.liveRows ? dense.liveRows() : stored.count());
  const modeForSize = async (): Promise<Exclude<SearchMode, 'hybrid'>> =>
    defaultMode !== 'binary-rescore' && kinds.includes('binary') && (await liveRows()) > exactSearchLimit
      ? 'binary-rescore'
      : defaultMode;
  const passagePrefix = embedder.preset.prefixes.passage;
  const countWithPrefix = (text: string) => embedder.countTokens(passagePrefix + text);

  /** Live stored rows of these documents (the document row itself or its chunks). */
  async function rowsOf(docIds: readonly string[]): Promise<{ rowId: string; parent: string }[]> {
    const wanted = new Set(docIds);
    const snapshot = await stored.load({ documents: true });
    const out: { rowId: string; parent: string }[] = [];
    snapshot.ids.forEach((rowId, row) => {
      if (snapshot.skip[row]) return;
      const parent = parentIdOf(rowId, snapshot.metadata?.[row]);
      if (wanted.has(parent)) out.push({ rowId, parent });
    });
    return out;
  }

  async function write(
    docs: readonly DocumentToAdd[],
    options: AddOptions,
    upsert: boolean,
  ): Promise<AddResult> {
    checkDocs(docs, embedder.info.maxTextChars);
    throwIfAborted(options.signal);
    const chunking = options.chunk === true ? {} : options.chunk || null;
    const plan: ChunkPlan = planDocuments(docs, chunking, embedder.info.maxTokens, (text, opts) =>
      chunkText(text, { ...opts, countTokens: countWithPrefix }),
    );
    const embedded = await embedder.embed(plan.texts, {
      kind: 'passage',
      signal: options.signal,
      onProgress: options.onProgress,
    });
    throwIfAborted(options.signal);
    await freshBm25();
    const newRows = new Set(plan.ids);
    const existing = upsert ? await rowsOf(docs.map((d) => d.id)) : [];
    const stale = existing.filter((r) => !newRows.has(r.rowId));
    const replacedDocs = new Set(existing.map((r) => r.parent)).size;
    for (const { rowId } of stale) bm25.remove(rowId);
    for (let r = 0; r < plan.ids.length; r++) bm25.add(plan.ids[r], plan.texts[r]);
    const batch = { ids: plan.ids, texts: plan.texts, metadata: plan.metadata, vectors: embedded.vectors };
    try {
      const sidecars = { [BM25_SIDECAR]: bm25.serialize() };
      if (upsert) await stored.upsert(batch, embedder.fingerprint, { sidecars });
      else await stored.add(batch, embedder.fingerprint, { sidecars });
      if (stale.length > 0) {
        await stored.delete(
          stale.map((r) => r.rowId),
          { sidecars },
        );
      }
    } catch (err) {
      bm25 = await loadBm25(stored); // keep the in-memory index equal to what is stored
      throw err;
    } finally {
      dense.invalidate();
    }
    return {
      documents: docs.length,
      rows: plan.ids.length,
      truncated: embedded.truncated.filter(Boolean).length,
      replaced: replacedDocs,
    };
  }

  const modes: readonly SearchMode[] = ['float32', 'int8', 'hamming', 'binary-rescore', 'hybrid'];

  /** Checks the options of `search` / `searchMany`; returns k. */
  function checkSearchOptions(options: CollectionSearchOptions): number {
    const k = options.k ?? 10;
    if (!Number.isInteger(k) || k < 1) {
      throw new WebEmbedError('INVALID_K', `k must be a positive integer, got ${String(k)}`, {
        actual: String(k),
      });
    }
    if (options.mode !== undefined && !modes.includes(options.mode)) {
      throw new WebEmbedError(
        'INVALID_ARGUMENT',
        `mode must be one of ${modes.join(', ')}, got ${String(options.mode)}`,
      );
    }
    return k;
  }

  /** The mode a search runs in and its dense mode, with the time the size lookup took. */
  async function resolveModes(
    options: CollectionSearchOptions,
  ): Promise<{ mode: SearchMode; denseMode: Exclude<SearchMode, 'hybrid'>; sizingMs: number }> {
    const started = performance.now();
    // The size-dependent default reads the live row count from the searcher's snapshot (no
    // IndexedDB read while nothing changed); on a first search this loads the snapshot.
    const sizedDefault =
      options.mode === undefined || (options.mode === 'hybrid' && !options.hybridDense)
        ? await modeForSize()
        : defaultMode;
    const sizingMs = performance.now() - started;
    const mode = options.mode ?? sizedDefault;
    const denseMode = mode === 'hybrid' ? (options.hybridDense ?? sizedDefault) : mode;
    return { mode, denseMode, sizingMs };
  }

  /**
   * The dense search options of a search: hybrid fuses two rankings, so it needs more dense rows
   * than k; a dense search asks for k documents and the searcher ranks more rows only when
   * chunks of one document crowd it.
   */
  const denseOptions = (
    mode: SearchMode,
    denseMode: Exclude<SearchMode, 'hybrid'>,
    k: number,
    filter: MetadataFilter | undefined,
  ) =>
    mode === 'hybrid'
      ? { k: k * 4 + 10, mode: denseMode, filter }
      : { k, mode: denseMode, filter, distinct: parentIdOf };

  /** The hits of one query from its dense hits: BM25 fusion for hybrid, grouped by document. */
  async function finish(
    query: string,
    mode: SearchMode,
    k: number,
    filter: MetadataFilter | undefined,
    denseHits: readonly RankedRow[],
  ): Promise<SearchHit[]> {
    let rows: readonly RankedRow[] = denseHits;
    if (mode === 'hybrid') {
      const lexicalIndex = await freshBm25();
      const byId = new Map<string, RankedRow>(denseHits.map((h) => [h.id, h]));
      const lexical: string[] = [];
      const lexicalIds = lexicalIndex.search(query, k * 4 + 10).ids;
      // Documents BM25 found that the dense ranking did not: from the searcher's snapshot when
      // it has one (no IndexedDB read), else one read each.
      const missing = lexicalIds.filter((id) => !byId.has(id));
      const found = dense.documents
        ? await dense.documents(missing)
        : await Promise.all(missing.map(async (id) => (await stored.get(id)) ?? undefined));
      const fetched = new Map(missing.map((id, i) => [id, found[i]]));
      for (const id of lexicalIds) {
        let row = byId.get(id);
        if (!row) {
          const doc = fetched.get(id);
          if (!doc) continue;
          row = { id, text: doc.text, metadata: doc.metadata, score: 0 };
        }
        if (!dense.passes(filter, row.metadata, id)) continue;
        byId.set(id, row);
        lexical.push(id);
      }
      const fused = reciprocalRankFusion([denseHits.map((h) => h.id), lexical]);
      rows = fused.ids.map((id, i) => ({ ...(byId.get(id) as RankedRow), score: fused.scores[i] }));
    }
    return groupByParent(rows, k);
  }

  async function search(query: string, options: CollectionSearchOptions = {}): Promise<SearchResponse> {
    assertText(query, embedder.info.maxTextChars);
    const k = checkSearchOptions(options);
    const started = performance.now();
    const { vectors } = await embedder.embed([query], { kind: 'query', signal: options.signal });
    const embedMs = performance.now() - started;
    const searchStart = performance.now();
    const { mode, denseMode, sizingMs } = await resolveModes(options);
    const ranked = await dense.search(vectors.data, denseOptions(mode, denseMode, k, options.filter));
    return {
      hits: await finish(query, mode, k, options.filter, ranked.hits),
      mode,
      timings: searchTimings(embedMs, searchStart, sizingMs, ranked.timings),
      searchBackend: ranked.backend,
      searchReason: ranked.reason,
    };
  }

  /** Dense hits of every row of `vectors`: batched when the searcher can, else one search a row. */
  async function denseMany(
    vectors: Float32Matrix,
    options: Parameters<DenseSearcher['search']>[1],
  ): Promise<Omit<DenseSearchResult, 'hits'> & { hits: RankedRow[][] }> {
    if (dense.searchMany) return dense.searchMany(vectors, options);
    const { dims } = vectors;
    const hits: RankedRow[][] = [];
    const timings = { snapshotMs: 0, kernelMs: 0, hydrateMs: 0 };
    let last: DenseSearchResult | null = null;
    for (let q = 0; q < vectors.rows; q++) {
      last = await dense.search(vectors.data.subarray(q * dims, (q + 1) * dims), options);
      hits.push(last.hits);
      timings.snapshotMs += last.timings.snapshotMs;
      timings.kernelMs += last.timings.kernelMs;
      timings.hydrateMs += last.timings.hydrateMs;
    }
    const { backend, reason } = last as DenseSearchResult;
    return { hits, backend, reason, timings };
  }

  async function searchMany(
    queries: readonly string[],
    options: CollectionSearchOptions = {},
  ): Promise<SearchManyResponse> {
    checkQueries(queries, embedder.info.maxTextChars);
    const k = checkSearchOptions(options);
    const started = performance.now();
    const { vectors } = await embedder.embed(queries, { kind: 'query', signal: options.signal });
    const embedMs = performance.now() - started;
    throwIfAborted(options.signal);
    const searchStart = performance.now();
    const { mode, denseMode, sizingMs } = await resolveModes(options);
    const ranked = await denseMany(vectors, denseOptions(mode, denseMode, k, options.filter));
    const results: SearchManyResult[] = [];
    for (let q = 0; q < queries.length; q++) {
      results.push({ hits: await finish(queries[q], mode, k, options.filter, ranked.hits[q]), mode });
    }
    return {
      results,
      timings: searchTimings(embedMs, searchStart, sizingMs, ranked.timings),
      searchBackend: ranked.backend,
      searchReason: ranked.reason,
    };
  }

  return {
    name: stored.name,
    add: (docs, options = {}) => write(docs, options, false),
    upsert: (docs, options = {}) => write(docs, options, true),
    search,
    searchMany,
    async delete(ids) {
      if (!Array.isArray(ids) || ids.some((id) => typeof id !== 'string')) {
        throw new WebEmbedError('INVALID_ARGUMENT', 'delete needs an array of string ids');
      }
      if (ids.length === 0) return 0;
      const rows = await rowsOf(ids);
      if (rows.length === 0) return 0;
      await freshBm25();
      for (const { rowId } of rows) bm25.remove(rowId);
      try {
        await stored.delete(
          rows.map((r) => r.rowId),
          { sidecars: { [BM25_SIDECAR]: bm25.serialize() } },
        );
      } catch (err) {
        bm25 = await loadBm25(stored);
        throw err;
      } finally {
        dense.invalidate();
      }
      return new Set(rows.map((r) => r.parent)).size;
    },
    count: () => stored.count(),
    async clear() {
      await stored.clear();
      bm25.clear();
      dense.invalidate();
    },
    export: () => stored.export(),
  };
}
