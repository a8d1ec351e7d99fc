/**
 * The interface every measured system implements, in the page and in Node.
 *
 * @module
 */
import type { Float32Matrix } from '@webembed/core';

/** A built, searchable index. */
export interface BuiltIndex {
  /** Top-k row ids of one query. */
  search(query: Float32Array, k: number): Promise<Int32Array>;
  /** Top-k of a batch (`rows x k` row ids); absent when the system has no batch API. */
  searchBatch?(queries: Float32Matrix, k: number): Promise<Int32Array>;
  /** Exact index bytes when the system's storage is known typed arrays. */
  readonly indexBytes?: number;
  /** Saves the index to the system's own persistence (untimed). */
  persist?(): Promise<void>;
  /** Opens the persisted index again (timed until it answers a query). */
  reopen?(): Promise<BuiltIndex>;
  readonly reopenNote?: string;
  readonly note?: string;
  dispose(): Promise<void> | void;
}

/** A system of the comparison. */
export interface PageSystem {
  readonly id: string;
  /** Default largest corpus this system is run at (a full run must fit a 2-core machine). */
  readonly maxRows: number;
  /** Why it stops there, printed in the skipped row. */
  readonly limitReason: string;
  build(corpus: Float32Matrix): Promise<BuiltIndex>;
}
