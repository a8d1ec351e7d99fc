/**
 * Posting lists for the BM25 index: per term, the documents (slots) containing it and how often,
 * as two parallel packed integer arrays. Much lighter on the garbage collector than a Map per
 * term (and than tiny typed arrays, whose buffers V8 tracks one by one), and scanned linearly at
 * search time. Removal swaps the last entry in (order carries no meaning).
 *
 * @module
 */

/** Documents containing one term: `slots[i]` holds the term `tfs[i]` times. */
export interface PostingList {
  readonly slots: number[];
  readonly tfs: number[];
}

/** An empty list. */
export function createPostingList(): PostingList {
  return { slots: [], tfs: [] };
}

/** Appends `(slot, tf)`; the caller guarantees `slot` is not in the list yet. */
export function appendPosting(list: PostingList, slot: number, tf: number): void {
  list.slots.push(slot);
  list.tfs.push(tf);
}

/** Removes `slot` from the list; returns whether it was there. Costs one scan of the list. */
export function removePosting(list: PostingList, slot: number): boolean {
  const i = list.slots.indexOf(slot);
  if (i < 0) return false;
  const lastSlot = list.slots.pop()!;
  const lastTf = list.tfs.pop()!;
  if (i < list.slots.length) {
    list.slots[i] = lastSlot;
    list.tfs[i] = lastTf;
  }
  return true;
}
