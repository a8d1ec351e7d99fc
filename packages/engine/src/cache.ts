/**
 * An in-memory embedding cache keyed by model fingerprint and text hash, so the same text is never
 * embedded twice by the same model. Least recently used entries go first when full.
 *
 * @module
 */

/** A bounded map from cache key to a cached embedding. */
export interface EmbeddingCache<V> {
  get(key: string): V | undefined;
  set(key: string, value: V): void;
  /** Entries held. */
  readonly size: number;
  /** Lookups that found a vector since creation. */
  readonly hits: number;
  /** Lookups that did not. */
  readonly misses: number;
  clear(): void;
}

/** A least-recently-used cache of at most `capacity` entries (0 disables caching). */
export function createEmbeddingCache<V>(capacity: number): EmbeddingCache<V> {
  const entries = new Map<string, V>();
  let hits = 0;
  let misses = 0;
  return {
    get(key) {
      const vector = entries.get(key);
      if (vector === undefined) {
        misses++;
        return undefined;
      }
      hits++;
      entries.delete(key);
      entries.set(key, vector);
      return vector;
    },
    set(key, value) {
      if (capacity <= 0) return;
      entries.delete(key);
      entries.set(key, value);
      while (entries.size > capacity) {
        const oldest = entries.keys().next().value as string;
        entries.delete(oldest);
      }
    },
    get size() {
      return entries.size;
    },
    get hits() {
      return hits;
    },
    get misses() {
      return misses;
    },
    clear() {
      entries.clear();
    },
  };
}
