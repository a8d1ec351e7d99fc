/**
 * Language tags for display: the corpus says its language; for the user's own text a small guess
 * from the script (Japanese, Chinese, Russian, Arabic, ...) and, for Latin script, common words.
 */

/** Display names of the languages the demo knows. */
export const LANGUAGE_NAMES: Readonly<Record<string, string>> = {
  en: 'English',
  fr: 'Français',
  de: 'Deutsch',
  es: 'Español',
  ja: '日本語',
  zh: '中文',
  ru: 'Русский',
  ar: 'العربية',
  und: 'Unknown',
};

const LATIN_HINTS: Readonly<Record<string, readonly string[]>> = {
  en: ['the', 'and', 'is', 'of', 'to', 'with', 'that', 'for'],
  fr: ['le', 'la', 'les', 'est', 'et', 'des', 'une', 'pour', 'dans'],
  de: ['der', 'die', 'das', 'und', 'ist', 'mit', 'ein', 'eine', 'nicht'],
  es: ['el', 'los', 'las', 'es', 'y', 'del', 'una', 'para', 'con'],
};

function count(text: string, re: RegExp): number {
  return text.match(re)?.length ?? 0;
}

/** A BCP-47-ish language tag for `text` (`und` when it cannot tell). */
export function detectLanguage(text: string): string {
  const sample = text.slice(0, 2000);
  const kana = count(sample, /[\p{Script=Hiragana}\p{Script=Katakana}]/gu);
  const han = count(sample, /\p{Script=Han}/gu);
  const cyrillic = count(sample, /\p{Script=Cyrillic}/gu);
  const arabic = count(sample, /\p{Script=Arabic}/gu);
  const latin = count(sample, /\p{Script=Latin}/gu);
  const scripts: [string, number][] = [
    ['ja', kana > 0 ? kana + han : 0],
    ['zh', kana === 0 ? han : 0],
    ['ru', cyrillic],
    ['ar', arabic],
    ['latin', latin],
  ];
  scripts.sort((a, b) => b[1] - a[1]);
  const [best, n] = scripts[0];
  if (n === 0) return 'und';
  if (best !== 'latin') return best;
  const words = sample.toLocaleLowerCase().match(/\p{L}+/gu) ?? [];
  let bestLang = 'und';
  let bestHits = 0;
  for (const [lang, hints] of Object.entries(LATIN_HINTS)) {
    const hits = words.filter((w) => hints.includes(w)).length;
    if (hits > bestHits) {
      bestLang = lang;
      bestHits = hits;
    }
  }
  return bestLang;
}

/** The display name for a tag, or the tag itself. */
export function languageName(tag: string): string {
  return LANGUAGE_NAMES[tag] ?? tag;
}
