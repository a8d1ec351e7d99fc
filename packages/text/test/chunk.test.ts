import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { chunkText, type TextChunk } from '../src/index.js';

/** A stand-in tokenizer: one token per word, plus [CLS] and [SEP]. */
const wordsPlusSpecials = (s: string) => s.split(/\s+/).filter(Boolean).length + 2;
/** One token per character (no specials): makes over-long words easy to build. */
const perChar = (s: string) => s.length;

function expectTiling(text: string, chunks: TextChunk[]) {
  expect(chunks[0].start).toBe(0);
  expect(chunks[chunks.length - 1].end).toBe(text.length);
  for (let i = 0; i < chunks.length; i++) {
    expect(chunks[i].text).toBe(text.slice(chunks[i].start, chunks[i].end));
    expect(chunks[i].end).toBeGreaterThan(chunks[i].start);
    if (i > 0) {
      // no gap, and always progress
      expect(chunks[i].start).toBeLessThanOrEqual(chunks[i - 1].end);
      expect(chunks[i].start).toBeGreaterThan(chunks[i - 1].start);
      expect(chunks[i].end).toBeGreaterThan(chunks[i - 1].end);
    }
  }
}

describe('chunkText', () => {
  it('keeps whole sentences when they fit', () => {
    const text = 'The cat sat on the mat. The dog ran far away. Birds sing.';
    const chunks = chunkText(text, { maxTokens: 2 + 9, countTokens: wordsPlusSpecials });
    expect(chunks.map((c) => c.text)).toEqual([
      'The cat sat on the mat. ',
      'The dog ran far away. Birds sing.',
    ]);
    expect(chunks.map((c) => c.tokenCount)).toEqual([8, 9]);
  });

  it('splits an over-long sentence between words and an over-long word between characters', () => {
    const text = 'aaaaaaaaaaaa bb cc';
    const chunks = chunkText(text, { maxTokens: 5, countTokens: perChar });
    expectTiling(text, chunks);
    for (const c of chunks) expect(c.tokenCount).toBeLessThanOrEqual(5);
    expect(chunks.map((c) => c.text).join('')).toBe(text);
  });

  it('segments unspaced Japanese into word units', () => {
    const text = '東京都に住んでいます。毎朝コーヒーを飲みます。週末は公園を散歩します。';
    const chunks = chunkText(text, { maxTokens: 12, countTokens: perChar });
    expectTiling(text, chunks);
    expect(chunks[0].text).toBe('東京都に住んでいます。');
  });

  it('overlaps by at most overlapTokens (whole words)', () => {
    const words = Array.from({ length: 40 }, (_, i) => `w${i}`);
    const text = words.join(' ');
    const chunks = chunkText(text, { maxTokens: 12, overlapTokens: 3, countTokens: wordsPlusSpecials });
    expectTiling(text, chunks);
    for (let i = 1; i < chunks.length; i++) {
      const shared = text.slice(chunks[i].start, chunks[i - 1].end);
      expect(wordsPlusSpecials(shared) - 2).toBe(3);
    }
  });

  it('tiles any text with bounded chunks (property)', () => {
    const word = fc.constantFrom('alpha', 'be', 'c', 'Über', '東京', 'longwordlongword', '!', '.', '\n');
    fc.assert(
      fc.property(
        fc
          .array(word, { minLength: 1, maxLength: 60 })
          .chain((ws) => fc.tuple(fc.constant(ws.join(' ')), fc.integer({ min: 4, max: 30 }), fc.nat())),
        ([text, maxTokens, overlapSeed]) => {
          const overlapTokens = overlapSeed % maxTokens;
          const chunks = chunkText(text, { maxTokens, overlapTokens, countTokens: perChar });
          expectTiling(text, chunks);
          for (const c of chunks) {
            expect(c.tokenCount).toBe(perChar(c.text));
            expect(c.tokenCount).toBeLessThanOrEqual(maxTokens);
          }
        },
      ),
      { numRuns: 200 },
    );
  });

  it('returns no chunks for an empty string', () => {
    expect(chunkText('', { maxTokens: 4, countTokens: perChar })).toEqual([]);
  });

  it('rejects bad options with typed errors', () => {
    const codeOf = (fn: () => unknown) => {
      try {
        fn();
      } catch (err) {
        return (err as { code?: string }).code;
      }
      return 'none';
    };
    const ok = { maxTokens: 4, countTokens: perChar };
    expect(codeOf(() => chunkText(3 as unknown as string, ok))).toBe('NOT_A_STRING');
    expect(codeOf(() => chunkText('x', { ...ok, maxTokens: 0 }))).toBe('INVALID_ARGUMENT');
    expect(codeOf(() => chunkText('x', { ...ok, maxTokens: 2.5 }))).toBe('INVALID_ARGUMENT');
    expect(codeOf(() => chunkText('x', { ...ok, overlapTokens: 4 }))).toBe('INVALID_ARGUMENT');
    expect(codeOf(() => chunkText('x', { ...ok, overlapTokens: -1 }))).toBe('INVALID_ARGUMENT');
    expect(codeOf(() => chunkText('x', { ...ok, countTokens: undefined as unknown as () => number }))).toBe(
      'INVALID_ARGUMENT',
    );
    expect(codeOf(() => chunkText('x', { ...ok, countTokens: () => Number.NaN }))).toBe('INVALID_ARGUMENT');
    // [CLS] + [SEP] already fill a 2-token window
    expect(codeOf(() => chunkText('x', { maxTokens: 2, countTokens: wordsPlusSpecials }))).toBe(
      'INVALID_ARGUMENT',
    );
    // a character that alone needs more tokens than the window
    expect(codeOf(() => chunkText('😀', { maxTokens: 1, countTokens: (s) => s.length }))).toBe(
      'INVALID_ARGUMENT',
    );
  });
});
