/**
 * Splitting long text into chunks that fit a model's token window.
 *
 * The text is cut into word units (a word with the spaces and punctuation after it) with
 * `Intl.Segmenter`; words longer than the window are cut into grapheme runs. Units are packed
 * greedily up to `maxTokens`; when a chunk must end, it ends at the last sentence boundary inside
 * it if that keeps at least half of the chunk, otherwise between words. Each next chunk starts
 * `overlapTokens` (or a little fewer, whole words) before the previous end. Chunks tile the text:
 * no character is ever dropped, and `text.slice(start, end) === chunk.text`.
 *
 * @module
 */
import { WebEmbedError } from '@webembed/core';
import { boundedPieces, MAX_PIECE, segmentWords } from './pieces.js';

/** One chunk of a text. */
export interface TextChunk {
  /** The chunk's text, exactly `source.slice(start, end)`. */
  readonly text: string;
  /** Offset of the first character in the source text (UTF-16 code units). */
  readonly start: number;
  /** Offset after the last character. */
  readonly end: number;
  /** `countTokens(text)`. */
  readonly tokenCount: number;
}

/** Options of {@link chunkText}. */
export interface ChunkOptions {
  /** Most tokens a chunk may hold, as counted by `countTokens` (positive integer). */
  readonly maxTokens: number;
  /** Tokens repeated between neighbouring chunks (integer in `[0, maxTokens)`). Default `0`. */
  readonly overlapTokens?: number;
  /**
   * Counts the tokens of a string, e.g. the embedding model's tokenizer. May include fixed special
   * tokens (`[CLS]`, `[SEP]`): `countTokens('')` is taken as that fixed overhead.
   */
  readonly countTokens: (text: string) => number;
  /** Locale hint for sentence and word segmentation. */
  readonly locale?: string;
}

interface Unit {
  start: number;
  end: number;
  cost: number;
  /** Whether a sentence starts at this unit. */
  sentenceStart: boolean;
}

function invalid(message: string): WebEmbedError {
  return new WebEmbedError('INVALID_ARGUMENT', message);
}

function checkOptions(options: ChunkOptions): Required<Omit<ChunkOptions, 'locale'>> & { locale?: string } {
  if (typeof options !== 'object' || options === null) throw invalid('chunkText options must be an object');
  const { maxTokens, overlapTokens = 0, countTokens, locale } = options;
  if (typeof maxTokens !== 'number' || !Number.isInteger(maxTokens) || maxTokens < 1) {
    throw invalid(`maxTokens must be a positive integer, got ${String(maxTokens)}`);
  }
  if (typeof overlapTokens !== 'number' || !Number.isInteger(overlapTokens) || overlapTokens < 0) {
    throw invalid(`overlapTokens must be an integer >= 0, got ${String(overlapTokens)}`);
  }
  if (overlapTokens >= maxTokens) {
    throw invalid(`overlapTokens (${overlapTokens}) must be smaller than maxTokens (${maxTokens})`);
  }
  if (typeof countTokens !== 'function') throw invalid('countTokens must be a function (text) => number');
  if (locale !== undefined && (typeof locale !== 'string' || locale === '')) {
    throw invalid(`locale must be a non-empty BCP 47 tag, got ${String(locale)}`);
  }
  return { maxTokens, overlapTokens, countTokens, locale };
}

function segmenter(locale: string | undefined, granularity: 'word' | 'sentence' | 'grapheme') {
  try {
    return new Intl.Segmenter(locale, { granularity });
  } catch (cause) {
    throw new WebEmbedError('INVALID_ARGUMENT', `locale "${locale}" is not a valid BCP 47 tag`, undefined, {
      cause,
    });
  }
}

/**
 * Start offsets of the text's sentences, segmented in bounded pieces (see pieces.ts). A piece
 * start counts as a sentence start only after a line break.
 */
function sentenceStarts(text: string, locale: string | undefined): Set<number> {
  const starts = new Set<number>();
  const sentences = segmenter(locale, 'sentence');
  for (const [start, end] of boundedPieces(text, 0, text.length, 4 * MAX_PIECE)) {
    for (const seg of sentences.segment(text.slice(start, end))) {
      if (seg.index === 0 && start > 0 && text[start - 1] !== '\n') continue;
      starts.add(start + seg.index);
    }
  }
  return starts;
}

/** Word units: each word-like segment starts a unit; other segments join the unit before them. */
function wordSpans(text: string, locale: string | undefined): { start: number; end: number }[] {
  const spans: { start: number; end: number }[] = [];
  let sawWord = false;
  for (const seg of segmentWords(segmenter(locale, 'word'), text)) {
    const end = seg.index + seg.segment.length;
    // Text before the first word stays in the first unit.
    if (spans.length === 0 || (seg.isWordLike && sawWord)) spans.push({ start: seg.index, end });
    else spans[spans.length - 1].end = end;
    if (seg.isWordLike) sawWord = true;
  }
  return spans;
}

/**
 * Splits `text` into chunks of at most `maxTokens` tokens with `overlapTokens` of overlap.
 * Returns `[]` for an empty string. Throws `INVALID_ARGUMENT` for bad options or when a single
 * character alone exceeds `maxTokens`, and `NOT_A_STRING` when `text` is not a string.
 *
 * @example
 * ```ts
 * const chunks = chunkText(longText, {
 *   maxTokens: 256,
 *   overlapTokens: 32,
 *   countTokens: (s) => tokenizer.encode(s).length,
 * });
 * chunks[0]; // { text, start: 0, end: 1042, tokenCount: 251 }
 * ```
 */
export function chunkText(text: string, options: ChunkOptions): TextChunk[] {
  if (typeof text !== 'string') {
    throw new WebEmbedError('NOT_A_STRING', `text to chunk must be a string, got ${typeof text}`);
  }
  const { maxTokens, overlapTokens, countTokens, locale } = checkOptions(options);
  if (text.length === 0) return [];
  const count = (s: string): number => {
    const n = countTokens(s);
    if (typeof n !== 'number' || !Number.isInteger(n) || n < 0) {
      throw invalid(`countTokens must return an integer >= 0, got ${String(n)}`);
    }
    return n;
  };
  const overhead = count('');
  const budget = maxTokens - overhead;
  if (budget < 1) {
    throw invalid(
      `maxTokens (${maxTokens}) leaves no room after the ${overhead} fixed tokens countTokens('') reports`,
    );
  }
  const units = buildUnits(text, locale, budget, overhead, count);
  const chunks: TextChunk[] = [];
  let first = 0;
  let previousLast = 0; // the previous chunk's end unit (exclusive); each chunk must pass it
  while (first < units.length) {
    let last = first; // exclusive
    let tokens = 0;
    while (last < units.length && (last === first || tokens + units[last].cost <= budget)) {
      tokens += units[last].cost;
      last++;
    }
    last = preferSentenceEnd(units, first, last, tokens, previousLast);
    // Per-unit costs only estimate the joined text's count; trust the real count. Shrink the end
    // while it stays past the previous chunk, then drop overlap units.
    let chunk = makeChunk(text, units, first, last, count);
    while (chunk.tokenCount > maxTokens && last - first > 1) {
      if (last - 1 > previousLast) last--;
      else first++;
      chunk = makeChunk(text, units, first, last, count);
    }
    if (chunk.tokenCount > maxTokens) {
      throw invalid(
        `"${chunk.text.slice(0, 20)}" alone needs ${chunk.tokenCount} tokens, more than maxTokens (${maxTokens})`,
      );
    }
    chunks.push(chunk);
    if (last >= units.length) break;
    previousLast = last;
    // Back up for the overlap, leaving room for the next new unit so every chunk moves the end on.
    let next = last;
    let overlap = 0;
    const room = Math.min(overlapTokens, budget - units[last].cost);
    while (next - 1 > first && overlap + units[next - 1].cost <= room) {
      overlap += units[next - 1].cost;
      next--;
    }
    first = next;
  }
  return chunks;
}

function makeChunk(text: string, units: Unit[], first: number, last: number, count: (s: string) => number) {
  const start = units[first].start;
  const end = units[last - 1].end;
  const slice = text.slice(start, end);
  return { text: slice, start, end, tokenCount: count(slice) };
}

/**
 * Moves the chunk end back to a sentence start when that keeps at least half of the chunk and
 * still ends after `mustPass`.
 */
function preferSentenceEnd(
  units: Unit[],
  first: number,
  last: number,
  tokens: number,
  mustPass: number,
): number {
  if (last >= units.length || units[last].sentenceStart) return last;
  let kept = tokens;
  for (let cut = last - 1; cut > Math.max(first, mustPass); cut--) {
    kept -= units[cut].cost;
    if (kept * 2 < tokens) break;
    if (units[cut].sentenceStart) return cut;
  }
  return last;
}

function buildUnits(
  text: string,
  locale: string | undefined,
  budget: number,
  overhead: number,
  count: (s: string) => number,
): Unit[] {
  const sentences = sentenceStarts(text, locale);
  const units: Unit[] = [];
  for (const span of wordSpans(text, locale)) {
    const cost = Math.max(0, count(text.slice(span.start, span.end)) - overhead);
    if (cost <= budget) {
      units.push({ ...span, cost, sentenceStart: sentences.has(span.start) });
      continue;
    }
    // A word longer than the window: grapheme runs that each fit.
    let runStart = span.start;
    let runCost = 0;
    for (const g of segmenter(locale, 'grapheme').segment(text.slice(span.start, span.end))) {
      const gStart = span.start + g.index;
      const gCost = Math.max(1, count(g.segment) - overhead);
      if (gStart > runStart && runCost + gCost > budget) {
        units.push({ start: runStart, end: gStart, cost: runCost, sentenceStart: sentences.has(runStart) });
        runStart = gStart;
        runCost = 0;
      }
      runCost += gCost;
    }
    units.push({ start: runStart, end: span.end, cost: runCost, sentenceStart: sentences.has(runStart) });
  }
  return units;
}
