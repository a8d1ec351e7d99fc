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

/** Inserts one document from term ids and frequencies (ids into the index's term table). */
type InsertTerms = (id: string, termIds: Int32Array, tfs: Int32Array) => void;

/**
 * Storage: a term table (string → term id), one posting list per term id, and per document slot
 * its term ids and frequencies in two small typed arrays. Slots of removed documents are reused.
 */
function buildIndex(state: IndexState): {
  index: Bm25Index;
  insert: InsertTerms;
  termIdOf: (term: string) => number;
} {
  const { k1, b } = state;
  const tokenize = createTokenizer(state.tokenizerOptions);
  const slotOf = new Map<string, number>();
  const slotIds: (string | null)[] = [];
  const slotLengths: number[] = [];
  const slotTermIds: (Int32Array | null)[] = [];
  const slotTfs: (Int32Array | null)[] = [];
  const freeSlots: number[] = [];
  const termIds = new Map<string, number>();
  const termStrings: string[] = [];
  const postings: PostingList[] = [];
  let liveTerms = 0; // terms with a non-empty posting list
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

  function termIdOf(term: string): number {
    let t = termIds.get(term);
    if (t === undefined) {
      t = termStrings.length;
      termIds.set(term, t);
      termStrings.push(term);
      postings.push(createPostingList());
    }
    return t;
  }

  function insert(id: string, ids: Int32Array, tfs: Int32Array): void {
    const slot = freeSlots.length > 0 ? freeSlots.pop()! : slotIds.length;
    let length = 0;
    for (let i = 0; i < ids.length; i++) {
      const list = postings[ids[i]];
      if (list.slots.length === 0) liveTerms++;
      appendPosting(list, slot, tfs[i]);
      length += tfs[i];
    }
    slotOf.set(id, slot);
    slotIds[slot] = id;
    slotLengths[slot] = length;
    slotTermIds[slot] = ids;
    slotTfs[slot] = tfs;
    totalLength += length;
  }

  function remove(id: string): boolean {
    checkId(id);
    const slot = slotOf.get(id);
    if (slot === undefined) return false;
    for (const t of slotTermIds[slot]!) {
      const list = postings[t];
      removePosting(list, slot);
      if (list.slots.length === 0) liveTerms--;
    }
    totalLength -= slotLengths[slot];
    slotOf.delete(id);
    slotIds[slot] = null;
    slotTermIds[slot] = null;
    slotTfs[slot] = null;
    slotLengths[slot] = 0;
    freeSlots.push(slot);
    return true;
  }

  /** Distinct terms with their counts; `known` skips terms absent from the index (queries). */
  function countTerms(terms: readonly string[], known: boolean): Map<number, number> {
    const counts = new Map<number, number>();
    for (const term of terms) {
      let t: number | undefined;
      if (known) {
        t = termIds.get(term);
        if (t === undefined || postings[t].slots.length === 0) continue;
      } else {
        t = termIdOf(term);
      }
      counts.set(t, (counts.get(t) ?? 0) + 1);
    }
    return counts;
  }

  function queryTerms(query: string): Map<number, number> {
    if (typeof query !== 'string') {
      throw new WebEmbedError('NOT_A_STRING', `BM25 query must be a string, got ${typeof query}`);
    }
    return countTerms(tokenize(query), true);
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
      const counts = countTerms(tokenize(text), false);
      if (slotOf.has(id)) remove(id);
      insert(id, Int32Array.from(counts.keys()), Int32Array.from(counts.values()));
    },
    remove,
    has(id) {
      return typeof id === 'string' && slotOf.has(id);
    },
    clear() {
      slotOf.clear();
      slotIds.length = 0;
      slotLengths.length = 0;
      slotTermIds.length = 0;
      slotTfs.length = 0;
      freeSlots.length = 0;
      termIds.clear();
      termStrings.length = 0;
      postings.length = 0;
      liveTerms = 0;
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
      for (const [t, qtf] of qterms) {
        const { slots, tfs } = postings[t];
        const weight = qtf * idf(slots.length);
        for (let i = 0; i < slots.length; i++) {
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
      const ids = slotTermIds[slot]!;
      const tfs = slotTfs[slot]!;
      let total = 0;
      for (const [t, qtf] of qterms) {
        const i = ids.indexOf(t);
        if (i < 0) continue;
        total += qtf * idf(postings[t].slots.length) * termWeight(tfs[i], slotLengths[slot], avgdl);
      }
      return total;
    },
    get size() {
      return slotOf.size;
    },
    get termCount() {
      return liveTerms;
    },
    get averageLength() {
      return slotOf.size > 0 ? totalLength / slotOf.size : 0;
    },
    tokenize,
    serialize() {
      // Only live terms, renumbered in order of first use.
      const renumber = new Int32Array(termStrings.length).fill(-1);
      const terms: string[] = [];
      const ids: string[] = [];
      const docTerms: number[][] = [];
      for (let slot = 0; slot < slotIds.length; slot++) {
        const id = slotIds[slot];
        if (id === null) continue;
        const tids = slotTermIds[slot]!;
        const tfs = slotTfs[slot]!;
        const flat: number[] = new Array(tids.length * 2);
        for (let i = 0; i < tids.length; i++) {
          let t = renumber[tids[i]];
          if (t < 0) {
            t = terms.length;
            renumber[tids[i]] = t;
            terms.push(termStrings[tids[i]]);
          }
          flat[2 * i] = t;
          flat[2 * i + 1] = tfs[i];
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

  return { index, insert, termIdOf };
}

/** Largest term frequency a serialized index may hold (term frequencies are stored as int32). */
const MAX_TF = 2 ** 31 - 1;

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
  const { index, insert, termIdOf } = buildIndex({ ...params, tokenizerOptions });
  const termIdsOfSerialized = Int32Array.from(terms, (term) => termIdOf(term));
  if (new Set(terms).size !== terms.length) throw corrupt('terms repeat');
  const seen = new Uint8Array(terms.length);
  for (let d = 0; d < ids.length; d++) {
    const id = ids[d];
    if (typeof id !== 'string' || id === '' || index.has(id)) {
      throw corrupt(`document id #${d} is missing or repeated`);
    }
    const flat = docTerms[d];
    if (!Array.isArray(flat) || flat.length % 2 !== 0) throw corrupt(`term list of "${id}" is malformed`);
    const n = flat.length / 2;
    const tids = new Int32Array(n);
    const tfs = new Int32Array(n);
    for (let i = 0; i < n; i++) {
      const t = flat[2 * i];
      const tf = flat[2 * i + 1];
      // tf is kept in an Int32Array: a count past 2^31 - 1 would wrap around, not load.
      if (
        !Number.isInteger(t) ||
        t < 0 ||
        t >= terms.length ||
        !Number.isInteger(tf) ||
        tf < 1 ||
        tf > MAX_TF
      ) {
        throw corrupt(`term entry ${i} of "${id}" is out of range`);
      }
      if (seen[t] === 1) throw corrupt(`term "${terms[t]}" repeated in "${id}"`);
      seen[t] = 1;
      tids[i] = termIdsOfSerialized[t];
      tfs[i] = tf;
    }
    for (let i = 0; i < n; i++) seen[flat[2 * i]] = 0;
    insert(id, tids, tfs);
  }
  return index;
}
