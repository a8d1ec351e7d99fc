import { readFileSync } from 'node:fs';
import { isWebEmbedError } from '@webembed/core';
import { describe, expect, it } from 'vitest';
import { DEMO_EXAMPLES, validateCorpus } from '../src/corpus/index';
import passages from '../src/corpus/passages.json';
import testPassages from '../src/corpus/test-passages.json';
import testQueries from '../src/corpus/test-queries.json';

const concepts = JSON.parse(
  readFileSync(
    new URL('../../../packages/engine/fixtures/crosslingual-concepts.json', import.meta.url),
    'utf8',
  ),
) as { languages: string[]; concepts: Record<string, unknown>[] };

/** The fixture tokenizer's normalization: lowercase, accents stripped. */
const normalize = (word: string) => word.normalize('NFD').replace(/\p{M}/gu, '').toLowerCase();

/** Normalized form -> concept, per language. */
function vocabulary(): Map<string, Map<string, string>> {
  const byLang = new Map<string, Map<string, string>>();
  for (const lang of concepts.languages) byLang.set(lang, new Map());
  for (const c of concepts.concepts) {
    for (const lang of concepts.languages) {
      for (const form of (c[lang] as string[] | undefined) ?? [])
        byLang.get(lang)!.set(normalize(form), String(c.concept));
    }
  }
  return byLang;
}

describe('demo corpus', () => {
  const corpus = validateCorpus(passages);

  it('has at least 300 passages in at least 6 languages, Latin and non-Latin scripts', () => {
    expect(corpus.length).toBeGreaterThanOrEqual(300);
    const langs = new Set(corpus.map((p) => p.lang));
    expect(langs.size).toBeGreaterThanOrEqual(6);
    for (const lang of ['en', 'fr', 'de', 'es', 'ja', 'zh', 'ru', 'ar']) expect(langs).toContain(lang);
    const scripts = {
      han: /\p{Script=Han}/u,
      kana: /\p{Script=Hiragana}/u,
      cyrillic: /\p{Script=Cyrillic}/u,
      arabic: /\p{Script=Arabic}/u,
    };
    for (const [name, re] of Object.entries(scripts)) {
      expect(
        corpus.some((p) => re.test(p.text)),
        name,
      ).toBe(true);
    }
  });

  it('shares its topics across languages', () => {
    const topics = new Map<string, Set<string>>();
    for (const p of corpus) topics.set(p.topic, (topics.get(p.topic) ?? new Set()).add(p.lang));
    expect(topics.size).toBeGreaterThanOrEqual(10);
    for (const [topic, langs] of topics) expect(langs.size, topic).toBeGreaterThanOrEqual(6);
  });

  it('keeps passages short and ids tied to the language', () => {
    for (const p of corpus) {
      expect(p.text.length).toBeLessThan(300);
      expect(p.id.startsWith(`${p.lang}-${p.topic}-`)).toBe(true);
    }
  });

  it('offers example queries that cross languages', () => {
    expect(DEMO_EXAMPLES.length).toBeGreaterThanOrEqual(4);
    expect(DEMO_EXAMPLES.some((e) => e.lang === 'fr' || e.lang === 'ja')).toBe(true);
  });
});

describe('validateCorpus', () => {
  it('refuses a non-array, a missing field and a duplicate id, naming the entry', () => {
    const code = (fn: () => unknown) => {
      try {
        fn();
      } catch (err) {
        return isWebEmbedError(err) ? err.code : 'not a WebEmbedError';
      }
      return 'no error';
    };
    expect(code(() => validateCorpus({}))).toBe('INVALID_ARGUMENT');
    expect(code(() => validateCorpus([{ id: 'a', lang: 'en', topic: 't' }]))).toBe('INVALID_ARGUMENT');
    expect(
      code(() =>
        validateCorpus([
          { id: 'a', lang: 'en', topic: 't', text: 'x' },
          { id: 'a', lang: 'en', topic: 't', text: 'y' },
        ]),
      ),
    ).toBe('ALREADY_EXISTS');
    expect(() => validateCorpus({})).toThrow(/array/);
    expect(() => validateCorpus([{ id: 'a', lang: 'en', topic: 't' }])).toThrow(
      /entry 0 needs a non-empty string "text"/,
    );
    const p = { id: 'a', lang: 'en', topic: 't', text: 'x' };
    expect(() => validateCorpus([p, p])).toThrow(/"a" appears twice \(entry 1\)/);
  });
});

describe('test corpus (cross-lingual fixture vocabulary only)', () => {
  const corpus = validateCorpus(testPassages);
  const vocab = vocabulary();
  const conceptsOf = (text: string, lang: string) =>
    text.split(/\s+/).map((word) => {
      const concept = vocab.get(lang)?.get(normalize(word));
      if (!concept) throw new Error(`"${word}" (${lang}) is not in the fixture vocabulary`);
      return concept;
    });

  it('uses only words of the concept table, in en/fr/de/es', () => {
    expect(corpus.length).toBeGreaterThanOrEqual(20);
    for (const p of corpus) expect(() => conceptsOf(p.text, p.lang)).not.toThrow();
  });

  it('has no two passages with the same concept sequence (top results are unambiguous)', () => {
    const keys = corpus.map((p) => conceptsOf(p.text, p.lang).join(' '));
    expect(new Set(keys).size).toBe(keys.length);
  });

  it('pairs each test query with a word-for-word translation of its expected passage', () => {
    for (const q of testQueries) {
      const target = corpus.find((p) => p.id === q.expectedId);
      expect(target, q.expectedId).toBeDefined();
      expect(conceptsOf(q.query, q.lang)).toEqual(conceptsOf(target!.text, target!.lang));
    }
    expect(testQueries.some((q) => q.lang !== corpus.find((p) => p.id === q.expectedId)!.lang)).toBe(true);
  });
});
