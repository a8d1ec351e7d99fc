/**
 * Rows for systems that are not run at a size (too slow or too big for the machine): the reason,
 * plus an extrapolation from the largest size the system was measured at.
 *
 * @module
 */
import { fmt } from '../lib/report.js';
import type { SystemResult } from './protocol.js';

/** What the orchestrator knows about a system before running it. */
export interface SystemLimit {
  readonly id: string;
  readonly maxRows: number;
  readonly limitReason: string;
}

/**
 * A row saying why `system` did not run at `rows`. With a measured run `last`, adds estimates:
 * brute-force systems scale linearly in N; HNSW (an id containing "HNSW") builds in ~N log N and
 * queries in ~log N.
 */
export function skippedRow(
  system: SystemLimit,
  where: 'browser' | 'node',
  rows: number,
  dims: number,
  last?: SystemResult,
): SystemResult {
  let reason = `not run at this size: ${system.limitReason}`;
  if (last?.buildMs !== undefined && last.p50Ms !== undefined) {
    const ratio = rows / last.rows;
    const graph = /HNSW/.test(system.id);
    const buildScale = graph ? (ratio * Math.log2(rows)) / Math.log2(last.rows) : ratio;
    const queryScale = graph ? Math.log2(rows) / Math.log2(last.rows) : ratio;
    reason += `. Extrapolated from the measured N=${last.rows.toLocaleString('en-US')} run (${graph ? 'build ~N log N, query ~log N' : 'linear in N'}): build ~${fmt((last.buildMs * buildScale) / 1000, 0)} s, single query ~${fmt(last.p50Ms * queryScale, 1)} ms`;
  }
  return { system: system.id, where, data: 'synthetic', rows, dims, skipped: reason };
}
