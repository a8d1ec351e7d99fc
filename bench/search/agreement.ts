/**
 * How a `searchMany` batch's hits compare with the same queries searched one at a time, as the
 * benchmark tables print it (bench/search.ts, bench/gpu-node.ts).
 *
 * @module
 */
import type { SearchManyBenchLine } from './run-size.js';

/**
 * How a batch's hits compare with the single searches': `yes` (identical ids and scores), same
 * ids with scores apart by float rounding, or how many hit positions differ; names both backends
 * when they differ (with `auto`, a batch and a single query can route apart).
 */
export function agreementText(many: SearchManyBenchLine): string {
  const where =
    many.singlesBackend && many.singlesBackend !== many.backend
      ? ` (batch on ${many.backend}, singles on ${many.singlesBackend})`
      : '';
  if (many.sameHits) return `yes${where}`;
  if (many.idsDiffering === 0) return `same ids, scores within ${many.maxScoreDiff.toExponential(1)}${where}`;
  return `no: ${many.idsDiffering} hit positions differ${where}`;
}
