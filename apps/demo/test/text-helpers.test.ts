import { describe, expect, it } from 'vitest';
import { highlightRanges, queryTerms, splitByRanges } from '../src/highlight';
import { detectLanguage, languageName } from '../src/lang';

describe('highlightRanges', () => {
  it('marks query words case- and accent-insensitively, on a shared stem', () => {
    const text = 'Trains between Paris and London run through the Channel Tunnel.';
    const ranges = highlightRanges(text, 'train to london');
    expect(ranges.map(([s, e]) => text.slice(s, e))).toEqual(['Trains', 'London']);
    const fr = 'La Fête de la musique a lieu chaque année';
    expect(highlightRanges(fr, 'fete musique').map(([s, e]) => fr.slice(s, e))).toEqual(['Fête', 'musique']);
  });

  it('ignores words shorter than three letters and returns nothing for cross-lingual queries', () => {
    expect(highlightRanges('the sky is blue', 'is a')).toEqual([]);
    expect(highlightRanges('The sky looks blue', 'Pourquoi le ciel est-il bleu ?')).toEqual([]);
  });

  it('marks Chinese/Japanese bigrams from the query', () => {
    const text = '新幹線の東京から京都までは約二時間十五分です。';
    const marked = highlightRanges(text, '東京から京都').map(([s, e]) => text.slice(s, e));
    expect(marked.join('|')).toBe('東京から京都');
    expect(queryTerms('大熊猫').bigrams).toEqual(['大熊', '熊猫']);
  });

  it('merges overlapping ranges and splits text into plain and marked pieces that rebuild it', () => {
    const text = 'blue blueberry sky';
    const ranges = highlightRanges(text, 'blue sky');
    const pieces = splitByRanges(text, ranges);
    expect(pieces.map((p) => p.text).join('')).toBe(text);
    expect(pieces.filter((p) => p.marked).map((p) => p.text)).toEqual(['blue', 'blueberry', 'sky']);
    expect(splitByRanges('abc', [])).toEqual([{ text: 'abc', marked: false }]);
  });

  it('treats markup in the query or text as plain characters', () => {
    const text = 'a <b>bold</b> claim';
    const pieces = splitByRanges(text, highlightRanges(text, '<b>bold'));
    expect(pieces.map((p) => p.text).join('')).toBe(text);
    expect(pieces.some((p) => p.marked && p.text === 'bold')).toBe(true);
  });
});

describe('detectLanguage', () => {
  it.each([
    ['The cat sleeps on the sofa and the dog is in the garden.', 'en'],
    ['Le chat dort sur le canapé et le chien est dans le jardin.', 'fr'],
    ['Die Katze schläft auf dem Sofa und der Hund ist nicht im Garten.', 'de'],
    ['El gato duerme en el sofá y los perros están con el niño.', 'es'],
    ['猫はソファの上で寝ています。', 'ja'],
    ['猫在沙发上睡觉。', 'zh'],
    ['Кошка спит на диване.', 'ru'],
    ['القطة نائمة على الأريكة.', 'ar'],
    ['1234 !!!', 'und'],
  ])('%s -> %s', (text, lang) => {
    expect(detectLanguage(text)).toBe(lang);
  });

  it('names known tags and passes unknown ones through', () => {
    expect(languageName('ja')).toBe('日本語');
    expect(languageName('xx')).toBe('xx');
  });
});

describe('highlight stopwords', () => {
  it('does not mark function words such as "the" or "der"', () => {
    const text = 'the doctor sings with the teacher';
    const marked = highlightRanges(text, 'the doctor and the teacher').map(([s, e]) => text.slice(s, e));
    expect(marked).toEqual(['doctor', 'teacher']);
    expect(highlightRanges('der Hund und die Katze', 'der und die')).toEqual([]);
  });
});
