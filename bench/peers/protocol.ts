/**
 * Shapes shared by the Node side of `pnpm bench peers` and its browser page: what one scenario
 * asks for and what one system's measurement returns.
 *
 * @module
 */

/** One data set every system of a scenario searches. */
export interface ScenarioData {
  /** `synthetic` (seeded clustered vectors) or `real` (the vendored bge-m3 vectors, held-out queries). */
  readonly kind: 'synthetic' | 'real';
  readonly rows: number;
  readonly dims: number;
  readonly queries: number;
  readonly k: number;
  /** URLs (page) or paths (Node) of the raw little-endian files. */
  readonly corpusUrl: string;
  readonly queriesUrl: string;
  /** `queries x k` int32 exact top-k (float32 dot), computed once by the Node side. */
  readonly truthUrl: string;
}

/** How hard to measure one system. */
export interface MeasureBudget {
  /** Single-query latency samples (after 5 warm-up queries). */
  readonly latencyQueries: number;
  /** Batch size for the throughput figure. */
  readonly batch: number;
  /** Stop issuing recall queries after this many milliseconds (recall then covers fewer queries). */
  readonly recallBudgetMs: number;
}

/** What one system measured at one size; `skipped` rows carry the reason instead. */
export interface SystemResult {
  readonly system: string;
  readonly where: 'browser' | 'node';
  readonly data: 'synthetic' | 'real';
  readonly rows: number;
  readonly dims: number;
  readonly skipped?: string;
  readonly buildMs?: number;
  readonly p50Ms?: number;
  readonly p95Ms?: number;
  /** Queries per second for one batch of `batch` queries (batch API where the system has one). */
  readonly batchQps?: number;
  /** Whether the batch figure used a native batch call or a loop of single queries. */
  readonly batchMode?: 'native' | 'loop';
  readonly bytesPerVector?: number;
  /** `index` (exact typed-array sizes), `measured` (heap + wasm growth) or a reason it is unknown. */
  readonly memoryMethod?: string;
  readonly reopenMs?: number;
  /** Why persisting or reopening failed, when it did. */
  readonly reopenError?: string;
  /** What "reopen" means for this system (storage and what is timed). */
  readonly reopenNote?: string;
  readonly recallAt10?: number;
  /** Queries the recall figure covers. */
  readonly recallQueries?: number;
  /** Backend details (WebGPU adapter, HNSW parameters, ...). */
  readonly note?: string;
}
