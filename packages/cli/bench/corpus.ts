/**
 * A seeded synthetic multilingual corpus for the BM25 benchmark: English, French and German words
 * (with accents), and Japanese, Chinese and Thai sentences written without spaces, drawn from
 * Zipf-distributed vocabularies so term statistics look like natural text.
 *
 * @module
 */

// The one seeded PRNG the benchmarks share; re-exported for this corpus' users.
export { seededRandom } from '../../../bench/lib/synthetic.js';

const LATIN = 'abcdefghijklmnopqrstuvwxyz';
const ACCENTED = 'éèàùçâêîôûäöüß';
const KANA = 'あいうえおかきくけこさしすせそたちつてとなにぬねのはひふへほまみむめもやゆよらりるれろわをん';
const HAN = '日本語中文字学生先時間国人年大会社自分事業者長出見市内場合';
const THAI = 'กขคงจฉชซดตถทนบปผพฟมยรลวสหอะาิีึืุู';

function pick(random: () => number, chars: string, n: number): string {
  let out = '';
  for (let i = 0; i < n; i++) out += chars[Math.floor(random() * chars.length)];
  return out;
}

/** Language groups of the corpus. */
export type CorpusLanguage = 'en' | 'fr' | 'de' | 'ja' | 'zh' | 'th';
export const LANGUAGES: readonly CorpusLanguage[] = ['en', 'fr', 'de', 'ja', 'zh', 'th'];

function makeWord(lang: CorpusLanguage, random: () => number): string {
  const len = 2 + Math.floor(random() * 7);
  switch (lang) {
    case 'en':
      return pick(random, LATIN, len);
    case 'fr':
    case 'de':
      return pick(random, LATIN, len - 1) + pick(random, ACCENTED, 1);
    case 'ja':
      return (
        pick(random, HAN, 1 + Math.floor(random() * 2)) + pick(random, KANA, 1 + Math.floor(random() * 2))
      );
    case 'zh':
      return pick(random, HAN, 2 + Math.floor(random() * 2));
    case 'th':
      return pick(random, THAI, 3 + Math.floor(random() * 3));
  }
}

/** A vocabulary per language and a Zipf sampler over it. */
export interface Vocabulary {
  readonly words: Record<CorpusLanguage, string[]>;
  sample(lang: CorpusLanguage): string;
}

/** `size` distinct words per language (the generators can make far more than 10 000). */
export function makeVocabulary(size: number, random: () => number): Vocabulary {
  const words = {} as Record<CorpusLanguage, string[]>;
  for (const lang of LANGUAGES) {
    const set = new Set<string>();
    while (set.size < size) set.add(makeWord(lang, random));
    words[lang] = [...set];
  }
  // Zipf(1): cumulative weights 1/r.
  const cumulative = new Float64Array(size);
  let total = 0;
  for (let r = 0; r < size; r++) {
    total += 1 / (r + 1);
    cumulative[r] = total;
  }
  return {
    words,
    sample(lang) {
      const x = random() * total;
      let lo = 0;
      let hi = size - 1;
      while (lo < hi) {
        const mid = (lo + hi) >>> 1;
        if (cumulative[mid] < x) lo = mid + 1;
        else hi = mid;
      }
      return words[lang][lo];
    },
  };
}

/** One synthetic document: CJK and Thai words are joined without spaces, like real text. */
export function makeDocument(vocab: Vocabulary, lang: CorpusLanguage, words: number): string {
  const parts: string[] = [];
  for (let i = 0; i < words; i++) parts.push(vocab.sample(lang));
  const joiner = lang === 'ja' || lang === 'zh' || lang === 'th' ? '' : ' ';
  const end = lang === 'ja' || lang === 'zh' ? '。' : '.';
  return parts.join(joiner) + end;
}
