/**
 * An incremental Okapi BM25 index over string ids.
 *
 * Score of document `D` for query `Q` (terms after {@link createTokenizer}):
 *
 * ```
 * score(D, Q) = Σ_{t ∈ Q} qtf(t) · IDF(t) · tf(t, D) · (k1 + 1) / (tf(t, D) + k1 · (1 − b + b · |D| / avgdl))
 * IDF(t)      = ln(1 + (N − df(t) + 0.5) / (df(t) + 0.5))          (Lucene's form, always > 0)
 * ```
 *
 * `N` is the number of documents, `df(t)` how many contain `t`, `tf(t, D)` how often `t` occurs in
 * `D`, `|D|` the number of terms of `D`, `avgdl` the mean `|D|`, and `qtf(t)` how often `t` occurs in
 * the query (a repeated query term counts again, as in Lucene). Defaults: `k1 = 1.2`, `b = 0.75`.
 * All statistics are kept exact under add, upsert and remove.
 *
 * @module
 */
import { WebEmbedError } from '@webembed/core';
import {
  createTokenizer,
  resolveTokenizerOptions,
  type ResolvedTokenizerOptions,
  type Tokenizer,
  type TokenizerOptions,
} from './tokenize.js';
import { appendPosting, createPostingList, type PostingList, removePosting } from './postings.js';
import { checkTopK, type RankedList, topKOf } from './rank.js';

/** Options of {@link createBm25Index}. */
export interface Bm25Options {
  /** Term-frequency saturation, `>= 0`. Default `1.2`. */
  readonly k1?: number;
  /** Length normalization, in `[0, 1]`. Default `0.75`. */
  readonly b?: number;
  /** How documents and queries are split into terms. */
  readonly tokenizer?: TokenizerOptions;
}

/** The JSON-safe snapshot {@link Bm25Index.serialize} returns and {@link loadBm25Index} reads. */
export interface SerializedBm25Index {
  readonly format: 'webembed-bm25';
  readonly version: 1;
  readonly k1: number;
  readonly b: number;
  readonly tokenizer: ResolvedTokenizerOptions;
  /** Document ids, in slot order. */
  readonly ids: readonly string[];
  /** Distinct terms. */
  readonly terms: readonly string[];
  /** Per document: flat pairs `[termIndex, tf, termIndex, tf, ...]`. */
  readonly docTerms: readonly (readonly number[])[];
}

/** A mutable BM25 index. */
export interface Bm25Index {
  /** Adds a document, or replaces the one with the same id (upsert). */
  add(id: string, text: string): void;
  /** Removes a document; returns whether it was there. */
  remove(id: string): boolean;
  /** Whether a document with this id is indexed. */
  has(id: string): boolean;
  /** Removes every document. */
  clear(): void;
  /**
   * The `k` best documents for `query`, best first (ties: lower id first). Documents that share no
   * term with the query are not returned, so fewer than `k` hits may come back.
   */
  search(query: string, k: number): RankedList;
  /** The BM25 score of one document for a query (0 when absent or without shared terms). */
  score(query: string, id: string): number;
  /** Number of documents. */
  readonly size: number;
  /** Number of distinct terms in the index. */
  readonly termCount: number;
  /** Mean document length in terms (0 when empty). */
  readonly averageLength: number;
  /** The tokenizer documents and queries go through. */
  readonly tokenize: Tokenizer;
  /** A JSON-safe snapshot (pass through `JSON.stringify` freely). */
  serialize(): SerializedBm25Index;
}

interface IndexState {
  readonly k1: number;
  readonly b: number;
  readonly tokenizerOptions: ResolvedTokenizerOptions;
}

function checkParams(k1: unknown, b: unknown): { k1: number; b: number } {
  if (typeof k1 !== 'number' || !Number.isFinite(k1) || k1 < 0) {
    throw new WebEmbedError('INVALID_ARGUMENT', `BM25 k1 must be a finite number >= 0, got ${String(k1)}`);
  }
  if (typeof b !== 'number' || !Number.isFinite(b) || b < 0 || b > 1) {
    throw new WebEmbedError('INVALID_ARGUMENT', `BM25 b must be a number in [0, 1], got ${String(b)}`);
  }
  return { k1, b };
}

/**
 * Creates an empty BM25 index.
 *
 * @example
 * ```ts
 * const index = createBm25Index();
 * index.add('a', 'Order SKU-4711X ships today');
 * index.add('b', 'Le café est fermé');
 * index.search('cafe', 5); // { ids: ['b'], scores: Float32Array [ ... ] }
 * ```
 */
export function createBm25Index(options: Bm25Options = {}): Bm25Index {
  const { k1, b } = checkParams(options.k1 ?? 1.2, options.b ?? 0.75);
  return buildIndex({ k1, b, tokenizerOptions: resolveTokenizerOptions(options.tokenizer) }).index;
}

type InsertTerms = (id: string, termFreqs: Map<string, number>, length: number) => void;

function buildIndex(state: IndexState): { index: Bm25Index; insert: InsertTerms } {
  const { k1, b } = state;
  const tokenize = createTokenizer(state.tokenizerOptions);
  const slotOf = new Map<string, number>();
  const slotIds: (string | null)[] = [];
  const slotLengths: number[] = [];
  const slotTerms: (Map<string, number> | null)[] = [];
  const freeSlots: number[] = [];
  const postings = new Map<string, PostingList>();
  let totalLength = 0;
  let scratch = new Float64Array(0); // per-slot score accumulator, reused across searches

  function checkId(id: unknown): asserts id is string {
    if (typeof id !== 'string' || id === '') {
      throw new WebEmbedError(
        'INVALID_ARGUMENT',
        `document id must be a non-empty string, got ${String(id)}`,
      );
    }
  }

  function insertTerms(id: string, termFreqs: Map<string, number>, length: number): void {
    const slot = freeSlots.length > 0 ? freeSlots.pop()! : slotIds.length;
    slotOf.set(id, slot);
    slotIds[slot] = id;
    slotLengths[slot] = length;
    slotTerms[slot] = termFreqs;
    totalLength += length;
    for (const [term, tf] of termFreqs) {
      let list = postings.get(term);
      if (list === undefined) {
        list = createPostingList();
        postings.set(term, list);
      }
      appendPosting(list, slot, tf);
    }
  }

  function remove(id: string): boolean {
    checkId(id);
    const slot = slotOf.get(id);
    if (slot === undefined) return false;
    for (const term of slotTerms[slot]!.keys()) {
      const list = postings.get(term)!;
      removePosting(list, slot);
      if (list.slots.length === 0) postings.delete(term);
    }
    totalLength -= slotLengths[slot];
    slotOf.delete(id);
    slotIds[slot] = null;
    slotTerms[slot] = null;
    slotLengths[slot] = 0;
    freeSlots.push(slot);
    return true;
  }

  function countTerms(terms: readonly string[]): Map<string, number> {
    const counts = new Map<string, number>();
    for (const t of terms) counts.set(t, (counts.get(t) ?? 0) + 1);
    return counts;
  }

  function queryTerms(query: string): Map<string, number> {
    if (typeof query !== 'string') {
      throw new WebEmbedError('NOT_A_STRING', `BM25 query must be a string, got ${typeof query}`);
    }
    return countTerms(tokenize(query));
  }

  function idf(df: number): number {
    const n = slotOf.size;
    return Math.log(1 + (n - df + 0.5) / (df + 0.5));
  }

  function termWeight(tf: number, length: number, avgdl: number): number {
    const norm = avgdl > 0 ? 1 - b + (b * length) / avgdl : 1;
    return (tf * (k1 + 1)) / (tf + k1 * norm);
  }

  const index: Bm25Index = {
    add(id, text) {
      checkId(id);
      if (typeof text !== 'string') {
        throw new WebEmbedError(
          'NOT_A_STRING',
          `text of document "${id}" must be a string, got ${typeof text}`,
        );
      }
      const terms = tokenize(text);
      if (slotOf.has(id)) remove(id);
      insertTerms(id, countTerms(terms), terms.length);
    },
    remove,
    has(id) {
      return typeof id === 'string' && slotOf.has(id);
    },
    clear() {
      slotOf.clear();
      slotIds.length = 0;
      slotLengths.length = 0;
      slotTerms.length = 0;
      freeSlots.length = 0;
      postings.clear();
      totalLength = 0;
    },
    search(query, k) {
      checkTopK(k);
      const qterms = queryTerms(query);
      const avgdl = slotOf.size > 0 ? totalLength / slotOf.size : 0;
      if (scratch.length < slotIds.length)
        scratch = new Float64Array(Math.max(slotIds.length, scratch.length * 2));
      const scores = scratch;
      const touched: number[] = [];
      for (const [term, qtf] of qterms) {
        const list = postings.get(term);
        if (list === undefined) continue;
        const weight = qtf * idf(list.slots.length);
        const { slots, tfs } = list;
        const size = slots.length;
        for (let i = 0; i < size; i++) {
          const slot = slots[i];
          if (scores[slot] === 0) touched.push(slot);
          scores[slot] += weight * termWeight(tfs[i], slotLengths[slot], avgdl);
        }
      }
      const result = topKOf(
        touched,
        (slot) => scores[slot],
        (slot) => slotIds[slot]!,
        k,
      );
      for (const slot of touched) scores[slot] = 0;
      return result;
    },
    score(query, id) {
      const qterms = queryTerms(query);
      checkId(id);
      const slot = slotOf.get(id);
      if (slot === undefined) return 0;
      const avgdl = totalLength / slotOf.size;
      const docTerms = slotTerms[slot]!;
      let total = 0;
      for (const [term, qtf] of qterms) {
        const tf = docTerms.get(term);
        if (tf === undefined) continue;
        total += qtf * idf(postings.get(term)!.slots.length) * termWeight(tf, slotLengths[slot], avgdl);
      }
      return total;
    },
    get size() {
      return slotOf.size;
    },
    get termCount() {
      return postings.size;
    },
    get averageLength() {
      return slotOf.size > 0 ? totalLength / slotOf.size : 0;
    },
    tokenize,
    serialize() {
      const termIndex = new Map<string, number>();
      const terms: string[] = [];
      const ids: string[] = [];
      const docTerms: number[][] = [];
      for (let slot = 0; slot < slotIds.length; slot++) {
        const id = slotIds[slot];
        if (id === null) continue;
        const flat: number[] = [];
        for (const [term, tf] of slotTerms[slot]!) {
          let t = termIndex.get(term);
          if (t === undefined) {
            t = terms.length;
            termIndex.set(term, t);
            terms.push(term);
          }
          flat.push(t, tf);
        }
        ids.push(id);
        docTerms.push(flat);
      }
      return {
        format: 'webembed-bm25',
        version: 1,
        k1,
        b,
        tokenizer: { ...state.tokenizerOptions, stopwords: [...state.tokenizerOptions.stopwords] },
        ids,
        terms,
        docTerms,
      };
    },
  };

  return { index, insert: insertTerms };
}

function corrupt(message: string): WebEmbedError {
  return new WebEmbedError('CORRUPT_FILE', `serialized BM25 index is corrupt: ${message}`);
}

/**
 * Rebuilds an index from {@link Bm25Index.serialize}'s output (also after a JSON round trip).
 * Throws `UNSUPPORTED_FORMAT` for another format or version and `CORRUPT_FILE` for inconsistent data.
 *
 * @example
 * ```ts
 * const copy = loadBm25Index(JSON.parse(JSON.stringify(index.serialize())));
 * ```
 */
export function loadBm25Index(serialized: SerializedBm25Index): Bm25Index {
  if (typeof serialized !== 'object' || serialized === null) {
    throw new WebEmbedError('UNSUPPORTED_FORMAT', 'serialized BM25 index must be an object');
  }
  if (serialized.format !== 'webembed-bm25' || serialized.version !== 1) {
    throw new WebEmbedError(
      'UNSUPPORTED_FORMAT',
      `expected a webembed-bm25 version 1 index, got format ${String(serialized.format)} version ${String(serialized.version)}`,
    );
  }
  const { ids, terms, docTerms } = serialized;
  if (!Array.isArray(ids) || !Array.isArray(terms) || !Array.isArray(docTerms)) {
    throw corrupt('ids, terms and docTerms must be arrays');
  }
  if (ids.length !== docTerms.length) {
    throw corrupt(`${ids.length} ids but ${docTerms.length} term lists`);
  }
  let params: { k1: number; b: number };
  let tokenizerOptions: ResolvedTokenizerOptions;
  try {
    params = checkParams(serialized.k1, serialized.b);
    const t = serialized.tokenizer;
    tokenizerOptions = resolveTokenizerOptions(t);
  } catch (cause) {
    throw corrupt(cause instanceof Error ? cause.message : String(cause));
  }
  if (!terms.every((t) => typeof t === 'string')) throw corrupt('terms must be strings');
  const { index, insert } = buildIndex({ ...params, tokenizerOptions });
  for (let d = 0; d < ids.length; d++) {
    const id = ids[d];
    if (typeof id !== 'string' || id === '' || index.has(id)) {
      throw corrupt(`document id #${d} is missing or repeated`);
    }
    const flat = docTerms[d];
    if (!Array.isArray(flat) || flat.length % 2 !== 0) throw corrupt(`term list of "${id}" is malformed`);
    const termFreqs = new Map<string, number>();
    let length = 0;
    for (let i = 0; i < flat.length; i += 2) {
      const t = flat[i];
      const tf = flat[i + 1];
      if (!Number.isInteger(t) || t < 0 || t >= terms.length || !Number.isInteger(tf) || tf < 1) {
        throw corrupt(`term entry ${i / 2} of "${id}" is out of range`);
      }
      if (termFreqs.has(terms[t])) throw corrupt(`term "${terms[t]}" repeated in "${id}"`);
      termFreqs.set(terms[t], tf);
      length += tf;
    }
    insert(id, termFreqs, length);
  }
  return index;
}
