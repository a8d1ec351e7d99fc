import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { chunkText } from '../src/index.js';
import { boundedPieces, segmentWords } from '../src/pieces.js';

describe('bounded segmentation pieces', () => {
  it('tile the range, respect the bound, prefer whitespace and never split a surrogate pair', () => {
    const unit = fc.constantFrom('a', 'bb', ' ', '\n', '😀', '東', 'ccc');
    fc.assert(
      fc.property(fc.array(unit, { maxLength: 200 }), fc.integer({ min: 4, max: 40 }), (parts, max) => {
        const text = parts.join('');
        const pieces = boundedPieces(text, 0, text.length, max);
        let at = 0;
        for (const [start, end] of pieces) {
          expect(start).toBe(at);
          expect(end - start).toBeLessThanOrEqual(max);
          expect(end).toBeGreaterThan(start);
          expect(/[\ud800-\udbff]/.test(text[end - 1] ?? '') && end < text.length).toBe(false);
          at = end;
        }
        expect(at).toBe(text.length);
      }),
    );
    expect(boundedPieces('aaaa bbbb cccc', 0, 14, 8)).toEqual([
      [0, 5],
      [5, 10],
      [10, 14],
    ]);
  });

  it('segment words the same as one pass when cuts fall on whitespace', () => {
    const text = 'Hello brave new world. Vector search, offline! '.repeat(20);
    const segmenter = new Intl.Segmenter('en', { granularity: 'word' });
    const whole = [...segmenter.segment(text)].filter((s) => s.isWordLike).map((s) => [s.index, s.segment]);
    const pieces = [...segmentWords(segmenter, text, 0, text.length, 50)]
      .filter((s) => s.isWordLike)
      .map((s) => [s.index, s.segment]);
    expect(pieces).toEqual(whole);
  });

  it('prefer line breaks over other whitespace', () => {
    expect(boundedPieces('aa bb\ncc dd ee', 0, 14, 10)).toEqual([
      [0, 6],
      [6, 14],
    ]);
  });

  it('lets chunkText handle many sentences (tiling and sentence ends checked)', () => {
    const text = Array.from({ length: 1500 }, (_, i) => `Sentence ${i} ends here.`).join(' ');
    const chunks = chunkText(text, { maxTokens: 20, countTokens: (s) => s.split(' ').length });
    expect(chunks.at(-1)!.end).toBe(text.length);
    for (const c of chunks.slice(0, -1)) expect(c.text.endsWith('here. ')).toBe(true);
  });

  it('lets chunkText handle a long text in linear time (tiling checked)', () => {
    const words = ['the', 'quick', 'brown', 'fox', 'jumps.'];
    const text = Array.from({ length: 8000 }, (_, i) => words[i % 5]).join(' ');
    const chunks = chunkText(text, {
      maxTokens: 64,
      overlapTokens: 8,
      countTokens: (s) => s.split(' ').length,
    });
    expect(chunks[0].start).toBe(0);
    expect(chunks.at(-1)!.end).toBe(text.length);
    for (let i = 1; i < chunks.length; i++) expect(chunks[i].start).toBeLessThanOrEqual(chunks[i - 1].end);
  });
});
