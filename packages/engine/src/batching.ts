/**
 * Batch planning: texts sorted by token length are batched together so a batch is padded to
 * the length of similar texts, not to the longest text of the whole input.
 *
 * @module
 */

/** Positions (into the input) of the texts of each batch, in the order to run them. */
export type BatchPlan = readonly Int32Array[];

/**
 * Splits `lengths.length` texts into batches of at most `batchSize`. With `bucket`, texts are
 * ordered by token length first (stable, so equal lengths keep input order); without it, batches
 * follow input order.
 */
export function planBatches(lengths: ArrayLike<number>, batchSize: number, bucket: boolean): BatchPlan {
  const order = Int32Array.from({ length: lengths.length }, (_, i) => i);
  if (bucket) order.sort((a, b) => lengths[a] - lengths[b] || a - b);
  const batches: Int32Array[] = [];
  for (let start = 0; start < order.length; start += batchSize) {
    batches.push(order.slice(start, start + batchSize));
  }
  return batches;
}
