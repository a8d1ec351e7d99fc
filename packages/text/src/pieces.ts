/**
 * Bounded pieces for `Intl.Segmenter`. Iterating the segments of one long string is quadratic
 * in V8 (Node 20: 16,000 words take 4.5 s, 8,000 sentences 10 s), so long texts are segmented in
 * pieces of at most a few thousand characters, cut after a line break, else after whitespace
 * (no word spans either), else between UTF-16 surrogate pairs.
 *
 * @module
 */

/** Default longest piece, in UTF-16 code units. */
export const MAX_PIECE = 2048;

/** `[start, end)` pieces tiling `text.slice(from, to)`, each at most `maxLength` long. */
export function boundedPieces(
  text: string,
  from: number,
  to: number,
  maxLength = MAX_PIECE,
): [number, number][] {
  const pieces: [number, number][] = [];
  let start = from;
  while (to - start > maxLength) {
    let cut = start + maxLength;
    const half = start + maxLength / 2;
    // back up to just after a line break, else a whitespace character, in the second half
    let at = cut;
    while (at > half && text[at - 1] !== '\n') at--;
    if (at <= half) {
      at = cut;
      while (at > half && !/\s/.test(text[at - 1])) at--;
    }
    if (at > half) cut = at;
    else if (/[\ud800-\udbff]/.test(text[cut - 1])) cut--; // never split a surrogate pair
    pieces.push([start, cut]);
    start = cut;
  }
  if (to > start) pieces.push([start, to]);
  return pieces;
}

/** A letter or a digit: what makes a segment a word, whatever the engine's segmenter says. */
const WORD_CHAR = /[\p{L}\p{N}]/u;

/**
 * Word segments of `text` (offsets into `text`), segmenting at most `maxLength` characters at a time.
 *
 * `isWordLike` is true for every segment holding a letter or a digit. Engines disagree on the
 * segmenter's own flag: WebKit (JavaScriptCore) says `42` and `w0` are not word-like, Firefox says
 * the same of some Japanese words (`毎朝`); taken as is, those would be glued to the word before
 * them as if they were punctuation.
 */
export function* segmentWords(
  segmenter: Intl.Segmenter,
  text: string,
  from = 0,
  to = text.length,
  maxLength = MAX_PIECE,
): Generator<{ segment: string; index: number; isWordLike: boolean }> {
  for (const [start, end] of boundedPieces(text, from, to, maxLength)) {
    const piece = start === 0 && end === text.length ? text : text.slice(start, end);
    for (const seg of segmenter.segment(piece)) {
      yield {
        segment: seg.segment,
        index: start + seg.index,
        isWordLike: seg.isWordLike === true || WORD_CHAR.test(seg.segment),
      };
    }
  }
}
