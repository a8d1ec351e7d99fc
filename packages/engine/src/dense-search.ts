/**
 * Dense vector search behind a collection. A searcher keeps the collection's snapshot in memory
 * and re-reads IndexedDB only after a change notification (this handle's writes, or another
 * tab's through the store's BroadcastChannel), ranks rows with `@webembed/core` (CPU, through
 * the store's {@link rankSnapshot}) or `@webembed/gpu`, and reads ids, texts and metadata for
 * the hits it returns only.
 *
 * @module
 */
import type { Float32Matrix } from '@webembed/core';
import type {
  Collection,
  CollectionSnapshot,
  Metadata,
  MetadataFilter,
  StoreSearchMode,
  VectorKind,
} from '@webembed/store';
import {
  filterPredicate,
  liveRowCount,
  rankSnapshot,
  rankSnapshotMany,
  snapshotRowId,
} from '@webembed/store';

/** A ranked dense hit. */
export interface DenseHit {
  readonly id: string;
  readonly text: string;
  readonly metadata: Metadata | undefined;
  readonly score: number;
}

/** One dense search. */
export interface DenseSearchOptions {
  readonly k: number;
  readonly mode: StoreSearchMode;
  readonly filter?: MetadataFilter;
  /**
   * Hits must differ in this key (e.g. the parent document of a chunk row): the searcher ranks
   * more rows until it has `k` distinct keys or no rows are left, and returns the best row of
   * each key. Without it every row is its own key, and exactly `k` rows are ranked.
   */
  readonly distinct?: (id: string, metadata: Metadata | undefined) => string;
}

/** Where the time of one dense search went, milliseconds. */
export interface DenseSearchTimings {
  /** Getting the current snapshot (an IndexedDB read only after a change notification). */
  readonly snapshotMs: number;
  /** Ranking: the kernel(s), CPU or GPU, including a first search's backend measurement. */
  readonly kernelMs: number;
  /** Reading ids, texts and metadata of the returned rows. */
  readonly hydrateMs: number;
}

/** What a dense search returns. */
export interface DenseSearchResult {
  readonly hits: DenseHit[];
  /** Where the ranking ran, and why there. */
  readonly backend: 'webgpu' | 'cpu';
  readonly reason: string;
  readonly timings: DenseSearchTimings;
}

/** What a batched dense search returns: one hit list per query row, in order. */
export interface DenseSearchManyResult {
  /** Hits of each query row, as {@link DenseSearcher.search} of that row alone would return them. */
  readonly hits: DenseHit[][];
  /** Where the ranking ran, and why there. */
  readonly backend: 'webgpu' | 'cpu';
  readonly reason: string;
  /** Of the whole batch. */
  readonly timings: DenseSearchTimings;
}

/** Dense top-k over one stored collection. */
export interface DenseSearcher {
  /** Where searches run by default (a search's result says where it actually ran). */
  readonly backend: 'webgpu' | 'cpu';
  search(query: Float32Array, options: DenseSearchOptions): Promise<DenseSearchResult>;
  /**
   * Ranks every row of `queries` (row-major, the collection's width) with the same options, in
   * one batched kernel call per ranking round; each query's hits equal `search` of that row alone.
   * Optional: collections call `search` once per row for a searcher without it.
   */
  searchMany?(queries: Float32Matrix, options: DenseSearchOptions): Promise<DenseSearchManyResult>;
  /** Live rows of the current snapshot (no IndexedDB read while nothing changed). */
  liveRows?(): Promise<number>;
  /**
   * Stored documents by id from the current snapshot (`undefined` for ids not stored), for
   * hybrid search's BM25 hits; no IndexedDB read while nothing changed.
   */
  documents?(ids: readonly string[]): Promise<(DenseHit | undefined)[]>;
  /** Whether a document passes a filter (used to filter BM25 hits the same way). */
  passes(filter: MetadataFilter | undefined, metadata: Metadata | undefined, id: string): boolean;
  /** Drops cached state after a write (the next search re-reads the snapshot). */
  invalidate(): void;
  /** Releases resources (GPU buffers, change listeners); the searcher is not used afterwards. */
  dispose?(): void;
}

/** Whether `metadata` passes `filter` (no filter: everything passes). */
export function passesFilter(
  filter: MetadataFilter | undefined,
  metadata: Metadata | undefined,
  id: string,
): boolean {
  return filter === undefined ? true : filterPredicate(filter)(metadata, id);
}

/** The current snapshot of a collection, kept in memory between change notifications. */
export interface SnapshotView {
  /**
   * The current snapshot, holding at least the vector forms in `kinds` (default: every stored
   * form). Reads IndexedDB only when a change was announced since the last read, or when a form
   * is needed that the kept snapshot lacks (or always, where the store cannot hear other tabs).
   */
  current(kinds?: readonly VectorKind[]): Promise<CollectionSnapshot>;
  /** The kept snapshot when it is still current, else `null` (never reads IndexedDB). */
  kept(): CollectionSnapshot | null;
  /** Makes the next `current()` read IndexedDB. */
  invalidate(): void;
  /** Stops listening for changes. */
  dispose(): void;
}

/**
 * Watches `stored` for changes and keeps its last snapshot (with documents). Own writes mark it
 * stale before they resolve; another tab's write marks it stale when its notification arrives.
 * Forms are read as searches need them and kept together (a search of another mode adds its form).
 */
export function watchSnapshot(stored: Collection): SnapshotView {
  let changes = 0;
  let checkedAt = -1;
  let snapshot: CollectionSnapshot | null = null;
  const trusted = stored.seesRemoteChanges;
  const unsubscribe = stored.onChange(() => {
    changes++;
  });
  // Whether the kept snapshot holds every stored form (it was read without a `kinds` list).
  let complete = false;
  const fresh = () => snapshot !== null && trusted && checkedAt === changes;
  return {
    async current(kinds) {
      if (snapshot !== null && fresh()) {
        const held = snapshot;
        if (kinds === undefined ? complete : kinds.every((kind) => held.kinds.includes(kind))) return held;
      }
      // Keep the forms read before: a search of another mode should not drop them.
      const wanted =
        kinds === undefined || (snapshot !== null && complete)
          ? undefined
          : [...new Set([...(snapshot?.kinds ?? []), ...kinds])];
      // A change announced while this read runs leaves the result unverified, so the next
      // search reads again.
      const seen = changes;
      const loaded = await stored.load({ documents: true, kinds: wanted });
      snapshot = loaded;
      complete = wanted === undefined;
      checkedAt = seen;
      return loaded;
    },
    kept: () => (fresh() ? snapshot : null),
    invalidate() {
      changes++;
    },
    dispose() {
      unsubscribe();
      snapshot = null;
    },
  };
}

/**
 * The vector forms a CPU search of `mode` reads, given the forms the collection stores:
 * binary + rescore needs float32 rows for rescoring when stored, else int8.
 */
export function formsForMode(mode: StoreSearchMode, stored: readonly VectorKind[]): VectorKind[] {
  switch (mode) {
    case 'float32':
      return ['float32'];
    case 'int8':
      return ['int8'];
    case 'hamming':
      return ['binary'];
    default: {
      const rescore = stored.includes('float32') ? 'float32' : stored.includes('int8') ? 'int8' : null;
      return rescore ? ['binary', rescore] : ['binary'];
    }
  }
}

/** Ranked rows of one ranking call: snapshot rows, best first, and their scores. */
export interface RankedRows {
  readonly rows: ArrayLike<number>;
  readonly scores: ArrayLike<number>;
}

/**
 * Ranks with `rank(k)` and returns up to `options.k` rows distinct by `options.distinct`,
 * ranking more rows (k x 4 + 10, then again) while too few keys are distinct and rows remain.
 * Hydrates only the returned rows.
 */
export async function rankDistinct(
  snapshot: CollectionSnapshot,
  options: DenseSearchOptions,
  rank: (k: number) => RankedRows | Promise<RankedRows>,
): Promise<{ hits: DenseHit[]; kernelMs: number; hydrateMs: number }> {
  const live = liveRowCount(snapshot);
  let fetch = options.k;
  let kernelMs = 0;
  let hydrateMs = 0;
  for (;;) {
    const started = performance.now();
    const ranked = await rank(fetch);
    kernelMs += performance.now() - started;
    const hydrateStart = performance.now();
    const hits = hydrateDistinct(snapshot, options, ranked);
    hydrateMs += performance.now() - hydrateStart;
    if (hits.length === options.k || ranked.rows.length < fetch || fetch >= live) {
      return { hits, kernelMs, hydrateMs };
    }
    fetch = Math.min(fetch * 4 + 10, live);
  }
}

/** Up to `options.k` hits of `ranked`, distinct by `options.distinct`, ids, texts and metadata read. */
function hydrateDistinct(
  snapshot: CollectionSnapshot,
  options: DenseSearchOptions,
  ranked: RankedRows,
): DenseHit[] {
  const hits: DenseHit[] = [];
  const seen = new Set<string>();
  for (let i = 0; i < ranked.rows.length && hits.length < options.k; i++) {
    const row = ranked.rows[i];
    const id = snapshotRowId(snapshot, row);
    const metadata = snapshot.metadata?.[row];
    if (options.distinct) {
      const key = options.distinct(id, metadata);
      if (seen.has(key)) continue;
      seen.add(key);
    }
    hits.push({ id, text: snapshot.texts?.[row] ?? '', metadata, score: ranked.scores[i] });
  }
  return hits;
}

/**
 * {@link rankDistinct} for `count` queries at once. `rank(queries, k)` ranks the listed query
 * rows (ascending indices into the batch) in one call and returns one list per listed query.
 * Every query starts at `options.k` rows; those that end up with too few distinct keys are
 * ranked again together at the next size (k x 4 + 10, ...), so each query goes through exactly
 * the rounds, and gets exactly the hits, that `rankDistinct` gives it alone.
 */
export async function rankDistinctMany(
  snapshot: CollectionSnapshot,
  options: DenseSearchOptions,
  count: number,
  rank: (queries: readonly number[], k: number) => readonly RankedRows[] | Promise<readonly RankedRows[]>,
): Promise<{ hits: DenseHit[][]; kernelMs: number; hydrateMs: number }> {
  const live = liveRowCount(snapshot);
  const out: DenseHit[][] = Array.from({ length: count }, () => []);
  let pending = Array.from({ length: count }, (_, q) => q);
  let fetch = options.k;
  let kernelMs = 0;
  let hydrateMs = 0;
  while (pending.length > 0) {
    const started = performance.now();
    const ranked = await rank(pending, fetch);
    kernelMs += performance.now() - started;
    const hydrateStart = performance.now();
    const again: number[] = [];
    pending.forEach((q, i) => {
      const hits = hydrateDistinct(snapshot, options, ranked[i]);
      out[q] = hits;
      if (hits.length < options.k && ranked[i].rows.length >= fetch && fetch < live) again.push(q);
    });
    hydrateMs += performance.now() - hydrateStart;
    pending = again;
    fetch = Math.min(fetch * 4 + 10, live);
  }
  return { hits: out, kernelMs, hydrateMs };
}

/**
 * The rows `picked` (ascending indices) of `queries` as a matrix: `queries` itself when every
 * row is picked, else a copy.
 */
export function pickQueries(queries: Float32Matrix, picked: readonly number[]): Float32Matrix {
  if (picked.length === queries.rows) return queries;
  const { dims } = queries;
  const data = new Float32Array(picked.length * dims);
  picked.forEach((q, i) => {
    data.set(queries.data.subarray(q * dims, (q + 1) * dims), i * dims);
  });
  return { data, rows: picked.length, dims };
}

/** Row of each live id, built once per snapshot on first use. */
const rowsById = new WeakMap<CollectionSnapshot, Map<string, number>>();

/** Live documents of a snapshot by id (score 0), `undefined` where an id is not stored. */
export function documentsOf(snapshot: CollectionSnapshot, ids: readonly string[]): (DenseHit | undefined)[] {
  let rows = rowsById.get(snapshot);
  if (!rows) {
    rows = new Map();
    for (let r = 0; r < snapshot.rows; r++) if (snapshot.skip[r] === 0) rows.set(snapshot.ids[r], r);
    rowsById.set(snapshot, rows);
  }
  return ids.map((id) => {
    const row = rows.get(id);
    if (row === undefined) return undefined;
    return { id, text: snapshot.texts?.[row] ?? '', metadata: snapshot.metadata?.[row], score: 0 };
  });
}

/** Exact CPU search (`@webembed/core` through the store) over the watched snapshot. */
export function createStoreSearcher(
  stored: Collection,
  reason = 'CPU path',
  storedKinds?: readonly VectorKind[],
): DenseSearcher {
  const view = watchSnapshot(stored);
  return {
    backend: 'cpu',
    async search(query, options) {
      const started = performance.now();
      // Only the forms this mode reads (a Hamming-only app never reads float32 rows).
      const snapshot = await view.current(storedKinds && formsForMode(options.mode, storedKinds));
      const snapshotMs = performance.now() - started;
      const { hits, kernelMs, hydrateMs } = await rankDistinct(snapshot, options, (k) =>
        rankSnapshot(snapshot, query, { k, mode: options.mode, filter: options.filter }),
      );
      return { hits, backend: 'cpu', reason, timings: { snapshotMs, kernelMs, hydrateMs } };
    },
    async searchMany(queries, options) {
      const started = performance.now();
      const snapshot = await view.current(storedKinds && formsForMode(options.mode, storedKinds));
      const snapshotMs = performance.now() - started;
      const { hits, kernelMs, hydrateMs } = await rankDistinctMany(
        snapshot,
        options,
        queries.rows,
        (picked, k) =>
          rankSnapshotMany(snapshot, pickQueries(queries, picked), {
            k,
            mode: options.mode,
            filter: options.filter,
          }),
      );
      return { hits, backend: 'cpu', reason, timings: { snapshotMs, kernelMs, hydrateMs } };
    },
    async liveRows() {
      const kept = view.kept();
      return kept ? liveRowCount(kept) : stored.count();
    },
    documents: async (ids) => documentsOf(view.kept() ?? (await view.current([])), ids),
    passes: passesFilter,
    invalidate: () => view.invalidate(),
    dispose: () => view.dispose(),
  };
}
