/**
 * CPU search over a snapshot through `@webembed/core`, with metadata filters. The engine routes
 * to the GPU itself; this is the reference path and the fallback.
 *
 * @module
 */
import {
  type Float32Matrix,
  type TopK,
  WebEmbedError,
  quantizeBinary,
  searchBinaryAsymmetric,
  searchFloat,
  searchHamming,
  searchInt8,
  searchTwoStage,
} from '@webembed/core';
import type {
  CollectionSnapshot,
  JsonValue,
  Metadata,
  MetadataFilter,
  StoreSearchHit,
  StoreSearchMode,
  StoreSearchOptions,
} from './types.js';

const MODES: readonly StoreSearchMode[] = ['float32', 'int8', 'hamming', 'binary-rescore'];

function jsonEqual(a: JsonValue | undefined, b: JsonValue): boolean {
  if (a === b) return true;
  if (typeof a !== 'object' || typeof b !== 'object' || a === null || b === null) return false;
  return JSON.stringify(a) === JSON.stringify(b);
}

/** A predicate for a filter: equality objects match when every key equals (JSON equality). */
export function filterPredicate(
  filter: MetadataFilter,
): (metadata: Metadata | undefined, id: string) => boolean {
  if (typeof filter === 'function') return filter;
  if (typeof filter !== 'object' || filter === null || Array.isArray(filter)) {
    throw new WebEmbedError(
      'INVALID_ARGUMENT',
      'filter must be an object of metadata values to match or a function (metadata, id) => boolean',
    );
  }
  const entries = Object.entries(filter);
  return (metadata) => {
    if (entries.length === 0) return true;
    if (!metadata) return false;
    for (const [key, value] of entries) if (!jsonEqual(metadata[key], value)) return false;
    return true;
  };
}

/** Tombstones plus rows the filter rejects, as one skip mask. */
export function filterMask(snapshot: CollectionSnapshot, filter: MetadataFilter | undefined): Uint8Array {
  if (filter === undefined) return snapshot.skip;
  const predicate = filterPredicate(filter);
  if (!snapshot.metadata) {
    throw new WebEmbedError(
      'INVALID_ARGUMENT',
      'a metadata filter needs a snapshot loaded with documents (load({ documents: true }))',
    );
  }
  const mask = new Uint8Array(snapshot.rows);
  for (let r = 0; r < snapshot.rows; r++) {
    mask[r] = snapshot.skip[r] !== 0 || !predicate(snapshot.metadata[r], snapshot.ids[r]) ? 1 : 0;
  }
  return mask;
}

/** The default mode for what a snapshot stores. */
export function defaultMode(snapshot: CollectionSnapshot): StoreSearchMode {
  if (snapshot.float32) return 'float32';
  if (snapshot.int8) return 'int8';
  return 'binary-rescore';
}

function needs(
  kind: 'float32' | 'int8' | 'binary',
  snapshot: CollectionSnapshot,
  mode: StoreSearchMode,
): never {
  throw new WebEmbedError(
    'INVALID_ARGUMENT',
    `search mode '${mode}' needs the ${kind} form; this snapshot of collection ${JSON.stringify(snapshot.name)} holds only: ${snapshot.kinds.join(', ') || 'no vector form'}`,
    { mode },
  );
}

function runSearch(
  snapshot: CollectionSnapshot,
  query: Float32Matrix,
  mode: StoreSearchMode,
  k: number,
  skip: Uint8Array,
  oversample: number,
): TopK {
  switch (mode) {
    case 'float32':
      if (!snapshot.float32) needs('float32', snapshot, mode);
      return searchFloat(query, snapshot.float32, {
        k,
        skip,
        metric: snapshot.fingerprint.normalized ? 'dot' : 'cosine',
      });
    case 'int8': {
      if (!snapshot.int8) needs('int8', snapshot, mode);
      // Float query: quantized calibration-aware inside searchInt8, scores on the float dot scale.
      return searchInt8(query, snapshot.int8, { k, skip });
    }
    case 'hamming':
      if (!snapshot.binary) needs('binary', snapshot, mode);
      return searchHamming(quantizeBinary(query), snapshot.binary, { k, skip });
    case 'binary-rescore': {
      if (!snapshot.binary) needs('binary', snapshot, mode);
      if (!snapshot.float32 && !snapshot.int8) {
        // Nothing to rescore with: asymmetric binary scores are the final ranking.
        const correction = snapshot.binary.l1Norms ? 'l1' : 'none';
        return searchBinaryAsymmetric(query, snapshot.binary, { k, skip, correction });
      }
      return searchTwoStage(
        query,
        { binary: snapshot.binary, int8: snapshot.int8, float32: snapshot.float32 },
        { k, skip, oversample, candidates: snapshot.binary.l1Norms ? 'asymmetric-l1' : 'asymmetric' },
      );
    }
    default:
      throw new WebEmbedError(
        'INVALID_ARGUMENT',
        `unknown search mode ${JSON.stringify(mode)}; expected one of ${MODES.join(', ')}`,
      );
  }
}

/**
 * Top-k live documents of `snapshot` for one float query. Returns fewer than `k` hits when fewer
 * documents are live (or pass the filter), and `[]` for an empty collection.
 */
export function searchSnapshot(
  snapshot: CollectionSnapshot,
  query: Float32Array,
  options: StoreSearchOptions,
): StoreSearchHit[] {
  if (!(query instanceof Float32Array)) {
    throw new WebEmbedError('INVALID_ARGUMENT', 'query must be a Float32Array');
  }
  if (query.length !== snapshot.dims) {
    throw new WebEmbedError(
      'DIMENSION_MISMATCH',
      `query has ${query.length} dimensions, expected ${snapshot.dims} (collection ${JSON.stringify(snapshot.name)})`,
      { expected: snapshot.dims, actual: query.length },
    );
  }
  const k = options?.k;
  if (!Number.isInteger(k) || k < 1) {
    throw new WebEmbedError('INVALID_K', `k must be a positive integer, got ${String(k)}`);
  }
  const mode = options.mode ?? defaultMode(snapshot);
  if (!MODES.includes(mode)) {
    throw new WebEmbedError(
      'INVALID_ARGUMENT',
      `unknown search mode ${JSON.stringify(mode)}; expected one of ${MODES.join(', ')}`,
    );
  }
  const oversample = options.oversample ?? 4;
  const skip = filterMask(snapshot, options.filter);
  let live = 0;
  for (let r = 0; r < snapshot.rows; r++) if (skip[r] === 0) live++;
  if (live === 0) return [];
  const top = runSearch(snapshot, { data: query, rows: 1, dims: snapshot.dims }, mode, k, skip, oversample);
  const hits: StoreSearchHit[] = [];
  for (let i = 0; i < top.k; i++) {
    const row = top.indices[i];
    if (row < 0 || skip[row] !== 0) continue;
    hits.push({
      id: snapshot.ids[row],
      text: snapshot.texts?.[row] ?? '',
      metadata: snapshot.metadata?.[row],
      score: top.scores[i],
      row,
    });
  }
  return hits;
}
