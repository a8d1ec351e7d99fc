/**
 * Dense vector search behind a collection. The CPU searcher uses the store's snapshot search
 * (exact, same answers as `@webembed/core`); a GPU searcher plugs in behind the same interface.
 *
 * @module
 */
import type { Collection, Metadata, MetadataFilter, StoreSearchMode } from '@webembed/store';
import { filterPredicate } from '@webembed/store';

/** A ranked dense hit. */
export interface DenseHit {
  readonly id: string;
  readonly text: string;
  readonly metadata: Metadata | undefined;
  readonly score: number;
}

/** Dense top-k over one stored collection. */
export interface DenseSearcher {
  /** Where searches run. */
  readonly backend: 'webgpu' | 'cpu';
  search(
    query: Float32Array,
    options: { k: number; mode: StoreSearchMode; filter?: MetadataFilter },
  ): Promise<DenseHit[]>;
  /** Whether a document passes a filter (used to filter BM25 hits the same way). */
  passes(filter: MetadataFilter | undefined, metadata: Metadata | undefined, id: string): boolean;
  /** Drops cached state after a write. */
  invalidate(): void;
  /** Releases resources (GPU buffers); the searcher is not used afterwards. */
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

/** Exact CPU search through the store's cached snapshot. */
export function createStoreSearcher(stored: Collection): DenseSearcher {
  return {
    backend: 'cpu',
    async search(query, { k, mode, filter }) {
      const hits = await stored.search(query, { k, mode, filter });
      return hits.map(({ id, text, metadata, score }) => ({ id, text, metadata, score }));
    },
    passes: passesFilter,
    invalidate() {
      // The store re-validates its snapshot by generation; nothing to drop here.
    },
  };
}
