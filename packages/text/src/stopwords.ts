/**
 * Stopword lists for {@link TokenizerOptions.stopwords}. Stopwords are off by default: BM25's IDF
 * already gives very common words little weight, and dropping them can hurt phrase-like queries.
 *
 * @module
 */

/**
 * A short English stopword list (articles, pronouns, auxiliaries, prepositions).
 *
 * @example
 * ```ts
 * const index = createBm25Index({ tokenizer: { stopwords: ENGLISH_STOPWORDS } });
 * ```
 */
export const ENGLISH_STOPWORDS: readonly string[] = Object.freeze(
  (
    'a an and are as at be been but by do does did for from had has have he her his i if in into is it its ' +
    'me my no not of on or our she so than that the their them then there these they this those to was we ' +
    'were what when where which who will with you your'
  ).split(' '),
);
