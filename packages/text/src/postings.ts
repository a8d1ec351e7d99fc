/**
 * Posting lists for the BM25 index: per term, the documents (slots) containing it and how often,
 * in two growable typed arrays. Far lighter on the garbage collector than a Map per term, and
 * scanned linearly at search time. Removal swaps the last entry in (order carries no meaning).
 *
 * @module
 */

/** Documents containing one term. Entries `[0, size)` are live. */
export interface PostingList {
  slots: Int32Array;
  tfs: Int32Array;
  size: number;
}

/** An empty list. */
export function createPostingList(): PostingList {
  return { slots: new Int32Array(2), tfs: new Int32Array(2), size: 0 };
}

/** Appends `(slot, tf)`; the caller guarantees `slot` is not in the list yet. */
export function appendPosting(list: PostingList, slot: number, tf: number): void {
  if (list.size === list.slots.length) {
    const capacity = list.slots.length * 2;
    const slots = new Int32Array(capacity);
    const tfs = new Int32Array(capacity);
    slots.set(list.slots);
    tfs.set(list.tfs);
    list.slots = slots;
    list.tfs = tfs;
  }
  list.slots[list.size] = slot;
  list.tfs[list.size] = tf;
  list.size++;
}

/** Removes `slot` from the list; returns whether it was there. Costs one scan of the list. */
export function removePosting(list: PostingList, slot: number): boolean {
  const { slots } = list;
  for (let i = 0; i < list.size; i++) {
    if (slots[i] !== slot) continue;
    const last = list.size - 1;
    slots[i] = slots[last];
    list.tfs[i] = list.tfs[last];
    list.size = last;
    return true;
  }
  return false;
}
