/**
 * Which parts of a passage to highlight for a query: the query's words found in the passage
 * (case- and accent-insensitive, matching on a shared stem), and for Chinese/Japanese runs the
 * query's two-character sequences. Returns character ranges; rendering stays in DOM nodes.
 */

/** A half-open character range `[start, end)` in the passage. */
export type Range = readonly [start: number, end: number];

const WORD = /[\p{L}\p{N}]+/gu;
const CJK = /[\p{Script=Han}\p{Script=Hiragana}\p{Script=Katakana}]/u;
const MIN_STEM = 4;
/** Function words not worth marking (a passage full of marked "the" says nothing). */
const STOPWORDS = new Set(
  (
    'the and for with that this from are was were has have not you your how why what who when where which ' +
    'les des une est pour dans sur avec que qui pas par plus aux ces son ses ' +
    'der die das den dem des und ist mit ein eine einen nicht von auf für wie was wer ' +
    'los las una del con por para que como qué cómo quién son'
  ).split(' '),
);

function fold(s: string): string {
  return s.normalize('NFKD').replace(/\p{M}/gu, '').toLocaleLowerCase();
}

function stem(word: string): string {
  return word.length > MIN_STEM + 1 ? word.slice(0, Math.max(MIN_STEM, word.length - 2)) : word;
}

/** Query terms worth highlighting: folded words of 3+ letters, and CJK bigrams. */
export function queryTerms(query: string): { words: string[]; bigrams: string[] } {
  const words = new Set<string>();
  const bigrams = new Set<string>();
  for (const match of query.matchAll(WORD)) {
    const raw = match[0];
    if (CJK.test(raw)) {
      const chars = [...raw];
      for (let i = 0; i + 1 < chars.length; i++) bigrams.add(chars[i] + chars[i + 1]);
      continue;
    }
    const word = fold(raw);
    if ([...word].length >= 3 && !STOPWORDS.has(word)) words.add(stem(word));
  }
  return { words: [...words], bigrams: [...bigrams] };
}

function merge(ranges: Range[]): Range[] {
  ranges.sort((a, b) => a[0] - b[0] || a[1] - b[1]);
  const out: [number, number][] = [];
  for (const [s, e] of ranges) {
    const last = out[out.length - 1];
    if (last && s <= last[1]) last[1] = Math.max(last[1], e);
    else out.push([s, e]);
  }
  return out;
}

/** Sorted, non-overlapping ranges of `text` that match `query`. */
export function highlightRanges(text: string, query: string): Range[] {
  const { words, bigrams } = queryTerms(query);
  if (words.length === 0 && bigrams.length === 0) return [];
  const ranges: Range[] = [];
  for (const match of text.matchAll(WORD)) {
    const raw = match[0];
    const start = match.index ?? 0;
    if (CJK.test(raw)) {
      for (const bigram of bigrams) {
        let from = raw.indexOf(bigram);
        while (from !== -1) {
          ranges.push([start + from, start + from + bigram.length]);
          from = raw.indexOf(bigram, from + 1);
        }
      }
      continue;
    }
    const word = fold(raw);
    if (words.some((w) => word.startsWith(w))) {
      ranges.push([start, start + raw.length]);
    }
  }
  return merge(ranges);
}

/** Splits `text` into plain and highlighted pieces following `ranges`. */
export function splitByRanges(text: string, ranges: readonly Range[]): { text: string; marked: boolean }[] {
  const pieces: { text: string; marked: boolean }[] = [];
  let at = 0;
  for (const [s, e] of ranges) {
    if (s > at) pieces.push({ text: text.slice(at, s), marked: false });
    pieces.push({ text: text.slice(s, e), marked: true });
    at = e;
  }
  if (at < text.length) pieces.push({ text: text.slice(at), marked: false });
  return pieces;
}
