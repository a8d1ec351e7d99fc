/**
 * Multilingual word tokenization for lexical (BM25) search.
 *
 * Pipeline, per word:
 * 1. Words: runs of scripts written without spaces (Japanese, Chinese, Thai, Lao, Khmer, Burmese)
 *    go through `Intl.Segmenter` with word granularity (ICU's dictionaries); all other text is
 *    split into runs of letters, marks and digits (joined by `'`, `.` or `_` inside a word, as
 *    UAX #29 does), which is several times faster than the segmenter and gives the same words.
 *    Punctuation and whitespace are dropped.
 * 2. Normalization: NFKD (full-width letters and digits become ASCII, ligatures split), removal of
 *    diacritic marks (Latin/Greek/Cyrillic combining accents, Arabic harakat, Hebrew points; marks
 *    that carry meaning, such as Japanese dakuten or Indic vowel signs, are kept), NFC recomposition,
 *    then lower-casing (with `ß` folded to `ss`).
 * 3. Runs of Han, Kana, Hangul, Thai, Lao, Khmer and Burmese text (adjacent words with nothing
 *    between them, or one long agglutinated Korean word) additionally emit overlapping character
 *    bigrams, across the dictionary's word boundaries, so a query matches however the segmenter
 *    split the document, and words missing from ICU's dictionaries (names, new words) are found.
 * 4. Optional stopword removal (off by default), applied after normalization.
 *
 * Where `Intl.Segmenter` is missing (very old engines), an unspaced run is kept as one word and
 * found through its bigrams.
 *
 * @module
 */
import { WebEmbedError } from '@webembed/core';
import { segmentWords } from './pieces.js';

/** Options of {@link createTokenizer} and {@link tokenize}. All have safe defaults. */
export interface TokenizerOptions {
  /** BCP 47 locale hint for the word segmenter. Default (`undefined` or `null`): the runtime's default. */
  readonly locale?: string | null;
  /** Fold case (`Straße` → `strasse`). Default `true`. */
  readonly caseFold?: boolean;
  /** Strip diacritic marks (`café` → `cafe`). Default `true`. */
  readonly foldDiacritics?: boolean;
  /**
   * Han/Kana/Hangul/Thai/Lao/Khmer/Burmese runs at least this many characters long also emit
   * character bigrams.
   * `0` turns bigrams off. Default `3`.
   */
  readonly cjkBigramMinRun?: number;
  /** Words to drop after normalization (compare against folded forms). Default: none. */
  readonly stopwords?: Iterable<string>;
}

/** A function turning text into normalized terms. */
export type Tokenizer = (text: string) => string[];

/** The JSON-safe, fully resolved form of {@link TokenizerOptions} (stored with serialized indexes). */
export interface ResolvedTokenizerOptions {
  readonly locale: string | null;
  readonly caseFold: boolean;
  readonly foldDiacritics: boolean;
  readonly cjkBigramMinRun: number;
  readonly stopwords: readonly string[];
}

// Combining accents (Latin, Greek, Cyrillic), Arabic harakat, Hebrew points. Not \p{M}: that would
// also strip Japanese dakuten (が → か) and Indic vowel signs, which change the word.
const DIACRITICS =
  /[\u0300-\u036f\u1ab0-\u1aff\u1dc0-\u1dff\u20d0-\u20ff\ufe20-\ufe2f\u0591-\u05bd\u05bf\u05c1\u05c2\u05c4\u05c5\u05c7\u064b-\u065f\u0670]/g;
// Scripts written without spaces between words: only runs of these go through Intl.Segmenter's
// dictionaries; everything else is split by SPACED_WORDS, which is much faster and gives the same
// words for spaced scripts (letters/digits joined by apostrophes, periods and underscores, as in
// UAX #29: "don't", "3.14", "example.com", "snake_case").
const UNSPACED_RUN =
  /[\p{Script=Han}\p{Script=Hiragana}\p{Script=Katakana}\p{Script=Thai}\p{Script=Lao}\p{Script=Khmer}\p{Script=Myanmar}\u30fc]+/gu;
const SPACED_WORDS = /[\p{L}\p{M}\p{N}_]+(?:['’.][\p{L}\p{M}\p{N}_]+)*/gu;
// Scripts whose runs also emit character bigrams (the unspaced scripts, plus Hangul, whose
// space-separated words are agglutinated: 문장입니다 = 문장 + 입니다).
const BIGRAM_RUN =
  /^[\p{Script=Han}\p{Script=Hiragana}\p{Script=Katakana}\p{Script=Hangul}\p{Script=Thai}\p{Script=Lao}\p{Script=Khmer}\p{Script=Myanmar}\u30fc]+$/u;

/** Fills in defaults and checks {@link TokenizerOptions}; throws `INVALID_ARGUMENT` on bad values. */
export function resolveTokenizerOptions(options: TokenizerOptions = {}): ResolvedTokenizerOptions {
  if (typeof options !== 'object' || options === null) {
    throw new WebEmbedError(
      'INVALID_ARGUMENT',
      `tokenizer options must be an object, got ${String(options)}`,
    );
  }
  const { locale, caseFold = true, foldDiacritics = true, cjkBigramMinRun = 3, stopwords = [] } = options;
  if (locale !== undefined && locale !== null && (typeof locale !== 'string' || locale === '')) {
    throw new WebEmbedError(
      'INVALID_ARGUMENT',
      `locale must be a non-empty BCP 47 tag, got ${String(locale)}`,
    );
  }
  if (typeof locale === 'string') {
    try {
      Intl.getCanonicalLocales(locale);
    } catch (cause) {
      throw new WebEmbedError('INVALID_ARGUMENT', `locale "${locale}" is not a valid BCP 47 tag`, undefined, {
        cause,
      });
    }
  }
  if (typeof caseFold !== 'boolean' || typeof foldDiacritics !== 'boolean') {
    throw new WebEmbedError('INVALID_ARGUMENT', 'caseFold and foldDiacritics must be booleans');
  }
  if (!Number.isInteger(cjkBigramMinRun) || cjkBigramMinRun < 0 || cjkBigramMinRun === 1) {
    throw new WebEmbedError(
      'INVALID_ARGUMENT',
      `cjkBigramMinRun must be 0 (off) or an integer >= 2, got ${String(cjkBigramMinRun)}`,
    );
  }
  if (stopwords === null || typeof (stopwords as Iterable<string>)[Symbol.iterator] !== 'function') {
    throw new WebEmbedError('INVALID_ARGUMENT', 'stopwords must be an iterable of strings');
  }
  const list: string[] = [];
  for (const word of stopwords) {
    if (typeof word !== 'string') {
      throw new WebEmbedError('INVALID_ARGUMENT', `stopwords must be strings, got ${typeof word}`);
    }
    list.push(word);
  }
  return { locale: locale ?? null, caseFold, foldDiacritics, cjkBigramMinRun, stopwords: list };
}

/** Normalizes one word: NFKD, diacritic stripping, NFC, case folding (as configured). */
export function normalizeTerm(
  word: string,
  options: Pick<ResolvedTokenizerOptions, 'caseFold' | 'foldDiacritics'>,
) {
  let out = word;
  if (options.foldDiacritics) out = out.normalize('NFKD').replace(DIACRITICS, '').normalize('NFC');
  else out = out.normalize('NFKC');
  if (options.caseFold) out = out.toLowerCase().replace(/ß/g, 'ss');
  return out;
}

interface RawWord {
  readonly word: string;
  readonly start: number;
  readonly end: number;
}

function pushSpacedWords(text: string, from: number, to: number, out: RawWord[]): void {
  if (to <= from) return;
  const part = text.slice(from, to);
  for (const m of part.matchAll(SPACED_WORDS)) {
    out.push({ word: m[0], start: from + m.index, end: from + m.index + m[0].length });
  }
}

/**
 * Splits text into raw words with their offsets (before normalization): unspaced-script runs
 * through `Intl.Segmenter` (kept whole where it is missing), the rest through a word regex.
 */
function makeWordSplitter(locale: string | null): (text: string) => RawWord[] {
  const segmenter =
    typeof Intl !== 'undefined' && typeof Intl.Segmenter === 'function'
      ? new Intl.Segmenter(locale ?? undefined, { granularity: 'word' })
      : null;
  return (text) => {
    const words: RawWord[] = [];
    let cursor = 0;
    for (const run of text.matchAll(UNSPACED_RUN)) {
      pushSpacedWords(text, cursor, run.index, words);
      const start = run.index;
      if (segmenter === null) {
        words.push({ word: run[0], start, end: start + run[0].length });
      } else {
        for (const seg of segmentWords(segmenter, text, start, start + run[0].length)) {
          if (seg.isWordLike) {
            words.push({ word: seg.segment, start: seg.index, end: seg.index + seg.segment.length });
          }
        }
      }
      cursor = start + run[0].length;
    }
    pushSpacedWords(text, cursor, text.length, words);
    return words;
  };
}

/**
 * Emits the character bigrams of one CJK run (adjacent CJK words, normalized), skipping a bigram
 * that is already a word starting at the same character.
 */
function pushRunBigrams(chars: string[], twoCharWords: Set<number>, out: string[]): void {
  for (let j = 0; j + 1 < chars.length; j++) {
    if (!twoCharWords.has(j)) out.push(chars[j] + chars[j + 1]);
  }
}

/**
 * Builds a reusable tokenizer (the segmenter is created once).
 *
 * CJK and Southeast Asian runs (adjacent words of those scripts with nothing between them) of at least
 * `cjkBigramMinRun` characters also emit their overlapping character bigrams, across the
 * segmenter's word boundaries: a query then matches however the dictionary split the document.
 *
 * @example
 * ```ts
 * const tokenize = createTokenizer();
 * tokenize('Café in 東京'); // ['cafe', 'in', '東京']
 * ```
 */
export function createTokenizer(options: TokenizerOptions = {}): Tokenizer {
  const resolved = resolveTokenizerOptions(options);
  const split = makeWordSplitter(resolved.locale);
  const stop = new Set(resolved.stopwords.map((w) => normalizeTerm(w, resolved)));
  const minRun = resolved.cjkBigramMinRun;
  return (text: string) => {
    if (typeof text !== 'string') {
      throw new WebEmbedError('NOT_A_STRING', `text to tokenize must be a string, got ${typeof text}`);
    }
    const terms: string[] = [];
    let runChars: string[] = [];
    let runWords = new Set<number>();
    let runEnd = -1;
    const flush = () => {
      if (runChars.length >= minRun) pushRunBigrams(runChars, runWords, terms);
      runChars = [];
      runWords = new Set();
    };
    for (const { word, start, end } of split(text)) {
      const term = normalizeTerm(word, resolved);
      if (term === '') continue;
      if (minRun > 0) {
        const cjk = BIGRAM_RUN.test(term);
        if (!cjk || start !== runEnd) flush();
        if (cjk) {
          const chars = Array.from(term);
          if (chars.length === 2) runWords.add(runChars.length);
          for (const c of chars) runChars.push(c);
          runEnd = end;
        }
      }
      if (!stop.has(term)) terms.push(term);
    }
    if (minRun > 0) flush();
    return terms;
  };
}

/** One-off tokenization with {@link createTokenizer}; prefer a reused tokenizer in loops. */
export function tokenize(text: string, options: TokenizerOptions = {}): string[] {
  return createTokenizer(options)(text);
}
