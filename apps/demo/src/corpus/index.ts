/**
 * The bundled corpora: 320 short passages written for this demo in eight languages (en, fr, de,
 * es, ja, zh, ru, ar) on twelve shared topics, and a 24-sentence test corpus written only in the
 * cross-lingual fixture model's vocabulary (used by `vite build --mode test` and the e2e tests).
 */

import { WebEmbedError } from '@webembed/core';

/** One bundled passage. */
export interface Passage {
  /** Stable id, e.g. `fr-food-3`. */
  readonly id: string;
  /** Language tag (`en`, `fr`, `de`, `es`, `ja`, `zh`, `ru`, `ar`). */
  readonly lang: string;
  /** Shared topic key (`space`, `food`, `health`, ...). */
  readonly topic: string;
  /** The passage itself. */
  readonly text: string;
}

/** A query the example buttons offer. */
export interface ExampleQuery {
  readonly query: string;
  readonly lang: string;
  /** What the example shows, e.g. "French question, English passage". */
  readonly note: string;
}

/** Checks the shape of a corpus and returns it typed; throws `INVALID_ARGUMENT` / `ALREADY_EXISTS` naming the first bad entry. */
export function validateCorpus(value: unknown): Passage[] {
  if (!Array.isArray(value)) {
    throw new WebEmbedError(
      'INVALID_ARGUMENT',
      'corpus must be an array of { id, lang, topic, text } passages',
    );
  }
  const seen = new Set<string>();
  value.forEach((entry, index) => {
    const p = entry as Partial<Passage> | null;
    for (const field of ['id', 'lang', 'topic', 'text'] as const) {
      if (typeof p?.[field] !== 'string' || p[field].trim() === '') {
        throw new WebEmbedError(
          'INVALID_ARGUMENT',
          `corpus entry ${index} needs a non-empty string "${field}"`,
          {
            index,
          },
        );
      }
    }
    if (seen.has(p!.id!)) {
      throw new WebEmbedError('ALREADY_EXISTS', `corpus id "${p!.id}" appears twice (entry ${index})`, {
        index,
      });
    }
    seen.add(p!.id!);
  });
  return value as Passage[];
}

/** Example queries for the full demo corpus: questions crossing languages and scripts. */
export const DEMO_EXAMPLES: readonly ExampleQuery[] = [
  { query: 'Pourquoi le ciel est-il bleu ?', lang: 'fr', note: 'French question, English passage' },
  { query: 'エスプレッソはどうやっていれますか？', lang: 'ja', note: 'Japanese question, German passage' },
  {
    query: '¿Quién fue el primer hombre en el espacio?',
    lang: 'es',
    note: 'Spanish question, Russian passage',
  },
  {
    query: 'Wie lange braucht der Zug von Tokio nach Kyoto?',
    lang: 'de',
    note: 'German question, Japanese passage',
  },
  { query: 'How do pandas spend their day?', lang: 'en', note: 'English question, Chinese passage' },
  { query: 'Qui a inventé le mot algorithme ?', lang: 'fr', note: 'French question, Arabic passage' },
];

/** Loads the corpus for a build mode (the JSON files become separate chunks). */
export async function loadCorpus(mode: 'demo' | 'test'): Promise<Passage[]> {
  const data =
    mode === 'test'
      ? (await import('./test-passages.json')).default
      : (await import('./passages.json')).default;
  return validateCorpus(data);
}

/** Example queries for a build mode. */
export async function loadExamples(mode: 'demo' | 'test'): Promise<readonly ExampleQuery[]> {
  if (mode === 'demo') return DEMO_EXAMPLES;
  const queries = (await import('./test-queries.json')).default as (ExampleQuery & { expectedId: string })[];
  return queries.map(({ query, lang, note }) => ({ query, lang, note }));
}
