/**
 * The one measuring loop every system goes through (browser page and Node alike): build time,
 * single-query latency p50/p95, batch throughput, recall@k on as many queries as the time
 * budget allows, and reopen time where the system persists.
 *
 * @module
 */
import type { Float32Matrix } from '@webembed/core';
import type { BuiltIndex } from './systems-types.js';
import type { MeasureBudget } from './protocol.js';

/** Nearest-rank percentile of samples. */
function percentile(samples: readonly number[], p: number): number {
  const sorted = [...samples].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1))];
}

function queryRow(queries: Float32Matrix, q: number): Float32Array {
  return queries.data.subarray(q * queries.dims, (q + 1) * queries.dims);
}

/** Recall@k of `found` (`n x k`) against the first `n` rows of `truth` (`queries x truthK`). */
export function recallOf(found: Int32Array, truth: Int32Array, truthK: number, n: number, k: number): number {
  let total = 0;
  for (let q = 0; q < n; q++) {
    const relevant = new Set(truth.subarray(q * truthK, q * truthK + k));
    let hits = 0;
    for (let i = 0; i < k; i++) if (relevant.has(found[q * k + i])) hits++;
    total += hits / k;
  }
  return total / n;
}

/** Figures of one built index (everything but build time and memory). */
export interface IndexFigures {
  p50Ms: number;
  p95Ms: number;
  batchQps: number;
  batchMode: 'native' | 'loop';
  recallAt10: number;
  recallQueries: number;
  reopenMs?: number;
  reopenError?: string;
}

/** Runs latency, batch, recall and reopen measurements on a built index. */
export async function measureIndex(
  index: BuiltIndex,
  queries: Float32Matrix,
  truth: Int32Array,
  k: number,
  budget: MeasureBudget,
  log: (line: string) => void,
): Promise<IndexFigures> {
  const latencies: number[] = [];
  const found = new Int32Array(queries.rows * k).fill(-1);
  for (let i = 0; i < 5; i++) await index.search(queryRow(queries, i % queries.rows), k);
  const n = Math.min(budget.latencyQueries, queries.rows);
  let spent = 0;
  for (let q = 0; q < n; q++) {
    const start = performance.now();
    const ids = await index.search(queryRow(queries, q), k);
    const ms = performance.now() - start;
    latencies.push(ms);
    spent += ms;
    found.set(ids.subarray(0, k), q * k);
    if (spent > budget.recallBudgetMs && latencies.length >= 5) break;
  }
  const p50Ms = percentile(latencies, 50);
  const p95Ms = percentile(latencies, 95);
  log(
    `    single query p50 ${p50Ms.toFixed(2)} ms, p95 ${p95Ms.toFixed(2)} ms (${latencies.length} queries)`,
  );
  // Batch throughput.
  const batch = Math.min(budget.batch, queries.rows);
  const batchMatrix = {
    data: queries.data.subarray(0, batch * queries.dims),
    rows: batch,
    dims: queries.dims,
  };
  let batchQps: number;
  let batchMode: 'native' | 'loop';
  if (index.searchBatch) {
    await index.searchBatch(batchMatrix, k); // warm-up (pipelines, buffers)
    const start = performance.now();
    const ids = await index.searchBatch(batchMatrix, k);
    batchQps = batch / ((performance.now() - start) / 1000);
    batchMode = 'native';
    found.set(ids.subarray(0, batch * k), 0);
  } else if (p50Ms * batch <= budget.recallBudgetMs) {
    const start = performance.now();
    for (let q = 0; q < batch; q++)
      found.set((await index.search(queryRow(queries, q), k)).subarray(0, k), q * k);
    batchQps = batch / ((performance.now() - start) / 1000);
    batchMode = 'loop';
  } else {
    batchQps = 1000 / p50Ms;
    batchMode = 'loop';
  }
  log(`    batch of ${batch}: ${batchQps.toFixed(1)} queries/s (${batchMode})`);
  // Recall: every query, as far as the budget allows.
  let covered = index.searchBatch ? batch : latencies.length;
  if (index.searchBatch && queries.rows > batch) {
    const rest = {
      data: queries.data.subarray(batch * queries.dims),
      rows: queries.rows - batch,
      dims: queries.dims,
    };
    found.set((await index.searchBatch(rest, k)).subarray(0, rest.rows * k), batch * k);
    covered = queries.rows;
  } else if (!index.searchBatch) {
    const start = performance.now();
    for (let q = covered; q < queries.rows && performance.now() - start < budget.recallBudgetMs; q++) {
      found.set((await index.search(queryRow(queries, q), k)).subarray(0, k), q * k);
      covered = q + 1;
    }
  }
  const recallAt10 = recallOf(found, truth, k, covered, k);
  log(`    recall@${k} ${recallAt10.toFixed(4)} over ${covered} queries`);
  let reopenMs: number | undefined;
  let reopenError: string | undefined;
  if (index.persist && index.reopen) {
    try {
      await index.persist();
      const start = performance.now();
      const reopened = await index.reopen();
      const ids = await reopened.search(queryRow(queries, 0), k);
      reopenMs = performance.now() - start;
      const same = ids.every((id, i) => id === found[i]);
      log(`    reopen ${reopenMs.toFixed(1)} ms${same ? '' : ' (first query after reopen differs!)'}`);
      if (reopened !== index) await reopened.dispose();
    } catch (err) {
      // A failed persist/reopen is a finding about the system, not a reason to drop its other figures.
      reopenError = `persist/reopen failed: ${(err as Error).message}`;
      log(`    ${reopenError}`);
    }
  }
  return { p50Ms, p95Ms, batchQps, batchMode, recallAt10, recallQueries: covered, reopenMs, reopenError };
}
