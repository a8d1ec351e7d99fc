import { isWebEmbedError } from '@webembed/core';
import { describe, expect, it } from 'vitest';
import {
  createTokenizer,
  ENGLISH_STOPWORDS,
  normalizeTerm,
  resolveTokenizerOptions,
  tokenize,
} from '../src/index.js';

describe('tokenize', () => {
  it('folds case and diacritics, keeps digits and codes', () => {
    expect(tokenize('Café au LAIT, naïve Straße; SKU-4711X!')).toEqual([
      'cafe',
      'au',
      'lait',
      'naive',
      'strasse',
      'sku',
      '4711x',
    ]);
  });

  it('keeps apostrophes, decimal points, dotted names and underscores inside words (UAX #29)', () => {
    expect(tokenize("Don't pay 3.14 at example.com for snake_case, e.g. now.")).toEqual([
      "don't",
      'pay',
      '3.14',
      'at',
      'example.com',
      'for',
      'snake_case',
      'e.g',
      'now',
    ]);
  });

  it('tokenizes spaced words the same whether or not the text also holds CJK', () => {
    const latin = tokenize('Ship SKU-4711X to O’Brien, 3.14 kg');
    const mixed = tokenize('東京 Ship SKU-4711X to O’Brien, 3.14 kg');
    expect(mixed.slice(1)).toEqual(latin);
  });

  it('maps full-width forms to ASCII (NFKD)', () => {
    expect(tokenize('ＳＫＵ４７１１')).toEqual(['sku4711']);
  });

  it('segments Japanese and Chinese without spaces', () => {
    const ja = tokenize('東京都に住んでいます', { cjkBigramMinRun: 0 });
    expect(ja).toContain('東京');
    expect(ja.length).toBeGreaterThan(3);
    const zh = tokenize('我喜欢吃苹果和香蕉', { cjkBigramMinRun: 0 });
    // Without bigrams the words are the runtime's dictionary words: ICU's in Node, Chromium and
    // WebKit (… 和 | 香蕉); Firefox's own segmenter ends with 和香 | 蕉. Both agree up to 苹果.
    const dictionary = [
      ...new Intl.Segmenter(undefined, { granularity: 'word' }).segment('我喜欢吃苹果和香蕉'),
    ]
      .filter((s) => s.isWordLike)
      .map((s) => s.segment);
    expect(zh).toEqual(dictionary);
    expect(zh.slice(0, 4)).toEqual(['我', '喜欢', '吃', '苹果']);
    expect(zh.join('')).toBe('我喜欢吃苹果和香蕉');
    // With bigrams (the default) a query word is found whichever way the dictionary split it.
    expect(tokenize('我喜欢吃苹果和香蕉')).toContain('香蕉');
  });

  it('segments Thai without spaces', () => {
    expect(tokenize('ภาษาไทยง่ายนิดเดียว').length).toBeGreaterThan(2);
  });

  it('keeps Japanese voicing marks and Indic vowel signs (only accents are folded)', () => {
    expect(tokenize('が')).toEqual(['が']);
    expect(tokenize('ガ')).toEqual(['ガ']);
    expect(tokenize('नमस्ते')).toEqual(['नमस्ते']);
    expect(normalizeTerm('دَرْس', { caseFold: true, foldDiacritics: true })).toBe('درس');
  });

  it('adds character bigrams for long CJK runs (Korean agglutination)', () => {
    const terms = tokenize('문장입니다');
    expect(terms).toEqual(['문장입니다', '문장', '장입', '입니', '니다']);
    // the stem alone now matches a term of the inflected word
    expect(terms).toContain(tokenize('문장')[0]);
    expect(tokenize('문장입니다', { cjkBigramMinRun: 0 })).toEqual(['문장입니다']);
  });

  it('bigrams a CJK run across the segmenter word boundaries, once per position', () => {
    const withBigrams = tokenize('北京大学生物学系');
    const wordsOnly = tokenize('北京大学生物学系', { cjkBigramMinRun: 0 });
    expect(wordsOnly).not.toContain('学生');
    expect(withBigrams).toContain('学生'); // spans the boundary between 大学 and 生物
    expect(withBigrams).toContain('学系');
    // a bigram equal to the word at the same position is not emitted twice
    expect(withBigrams.filter((t) => t === '北京')).toHaveLength(1);
    // text between CJK words ends the run
    expect(tokenize('東京 and 大阪')).not.toContain('京大');
  });

  it('drops stopwords only when asked', () => {
    expect(tokenize('The cat and the hat')).toHaveLength(5);
    expect(tokenize('The cat and the hat', { stopwords: ENGLISH_STOPWORDS })).toEqual(['cat', 'hat']);
  });

  it('can keep case and accents', () => {
    expect(tokenize('Café', { caseFold: false, foldDiacritics: false })).toEqual(['Café']);
  });

  it('returns nothing for punctuation-only text', () => {
    expect(tokenize(' ... !!! ')).toEqual([]);
  });

  it('rejects bad input with typed errors', () => {
    const t = createTokenizer();
    expect(() => t(42 as unknown as string)).toThrow(expect.objectContaining({ code: 'NOT_A_STRING' }));
    for (const bad of [
      { cjkBigramMinRun: 1 },
      { cjkBigramMinRun: -2 },
      { locale: '' },
      { locale: 'not a locale!' },
    ]) {
      try {
        resolveTokenizerOptions(bad);
        expect.unreachable();
      } catch (err) {
        expect(isWebEmbedError(err, 'INVALID_ARGUMENT')).toBe(true);
      }
    }
    expect(() => resolveTokenizerOptions({ stopwords: [1 as unknown as string] })).toThrow(/stopwords/);
  });
});
