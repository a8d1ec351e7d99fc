/**
 * Fuzzing the BM25 sidecar loader (`loadBm25Index`, what an engine collection reads back from
 * IndexedDB). Invariant: a coded WebEmbedError, or an index that holds exactly the documents,
 * terms and frequencies the snapshot says (and answers with finite, ordered scores); never a
 * crash, a hang or a silently different index. Prints the number of generated cases.
 */
import { isWebEmbedError } from '@webembed/core';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { createBm25Index, loadBm25Index, type SerializedBm25Index } from '../src/index.js';

const WORDS = ['browser', 'vector', 'café', 'cafe', 'Über', 'über', '東京', '検索', 'the', 'a', 'x1'];

/** A serialized index over random documents made of a small vocabulary (so terms repeat). */
const snapshot = fc
  .record({
    k1: fc.double({ min: 0, max: 3, noNaN: true }),
    b: fc.double({ min: 0, max: 1, noNaN: true }),
    stopwords: fc.subarray(['the', 'a']),
    docs: fc.array(
      fc.tuple(
        fc.string({ minLength: 1, maxLength: 6 }),
        fc.array(fc.constantFrom(...WORDS), { maxLength: 12 }),
      ),
      { maxLength: 8 },
    ),
    removed: fc.nat(3),
  })
  .map(({ k1, b, stopwords, docs, removed }) => {
    const index = createBm25Index({ k1, b, tokenizer: { stopwords } });
    for (const [id, words] of docs) index.add(id, words.join(' '));
    for (const [id] of docs.slice(0, removed)) index.remove(id);
    return JSON.parse(JSON.stringify(index.serialize())) as SerializedBm25Index;
  });

/** Odd values a field may be set to. */
const oddValue = fc.oneof(
  fc.constantFrom(
    0,
    -1,
    1,
    1.5,
    2 ** 31,
    2 ** 32 + 1,
    2 ** 53,
    Number.NaN,
    Number.POSITIVE_INFINITY,
    '',
    'x',
    null,
    true,
    [],
    {},
    [1, 2, 3],
  ),
  fc.integer(),
  fc.string({ maxLength: 4 }),
);

type Mutable = Record<string, unknown> & {
  ids: unknown[];
  terms: unknown[];
  docTerms: unknown[];
  tokenizer: Record<string, unknown>;
};

/** One mutation of a serialized index (applied to a deep copy). */
const mutation = fc.oneof(
  fc.record({
    kind: fc.constant('field' as const),
    field: fc.constantFrom('format', 'version', 'k1', 'b', 'tokenizer', 'ids', 'terms', 'docTerms'),
    value: oddValue,
  }),
  fc.record({
    kind: fc.constant('tokenizer' as const),
    field: fc.constantFrom('locale', 'caseFold', 'foldDiacritics', 'cjkBigramMinRun', 'stopwords'),
    value: fc.oneof(oddValue, fc.constantFrom('en', 'xx-invalid-!', 'ja', [5], ['the'])),
  }),
  fc.record({
    kind: fc.constantFrom('ids' as const, 'terms' as const),
    at: fc.nat(10),
    how: fc.constantFrom('set', 'duplicate', 'remove', 'push'),
    value: fc.oneof(oddValue, fc.constantFrom(...WORDS)),
  }),
  fc.record({
    kind: fc.constant('posting' as const),
    doc: fc.nat(10),
    at: fc.nat(30),
    value: fc.oneof(oddValue, fc.nat(12), fc.constantFrom(2 ** 31 - 1, 2 ** 31, 2 ** 32, 2 ** 33 + 2)),
  }),
  fc.record({
    kind: fc.constant('list' as const),
    doc: fc.nat(10),
    how: fc.constantFrom('drop-last', 'swap-docs', 'repeat-pair', 'replace'),
    value: oddValue,
  }),
);

type MutationOf = typeof mutation extends fc.Arbitrary<infer T> ? T : never;

function mutate(original: SerializedBm25Index, m: MutationOf): unknown {
  const s = structuredClone(original) as unknown as Mutable;
  const pick = <T>(list: T[], at: number) => (list.length === 0 ? -1 : at % list.length);
  switch (m.kind) {
    case 'field':
      (s as Record<string, unknown>)[m.field] = m.value;
      break;
    case 'tokenizer':
      if (typeof s.tokenizer === 'object' && s.tokenizer !== null) s.tokenizer[m.field] = m.value;
      break;
    case 'ids':
    case 'terms': {
      const list = s[m.kind];
      if (!Array.isArray(list)) break;
      const i = pick(list, m.at);
      if (m.how === 'push') list.push(m.value);
      else if (i < 0) break;
      else if (m.how === 'set') list[i] = m.value;
      else if (m.how === 'duplicate') list.push(list[i]);
      else list.splice(i, 1);
      break;
    }
    case 'posting': {
      if (!Array.isArray(s.docTerms)) break;
      const d = pick(s.docTerms, m.doc);
      const flat = s.docTerms[d] as unknown[] | undefined;
      if (!Array.isArray(flat) || flat.length === 0) break;
      flat[m.at % flat.length] = m.value;
      break;
    }
    case 'list': {
      if (!Array.isArray(s.docTerms)) break;
      const d = pick(s.docTerms, m.doc);
      if (d < 0) break;
      const flat = s.docTerms[d];
      if (!Array.isArray(flat)) s.docTerms[d] = m.value;
      else if (m.how === 'drop-last') flat.pop();
      else if (m.how === 'repeat-pair' && flat.length >= 2) flat.push(flat[0], flat[1]);
      else if (m.how === 'swap-docs') s.docTerms.reverse();
      else s.docTerms[d] = m.value;
      break;
    }
  }
  return s;
}

/** Per document: term string -> frequency, exactly as a snapshot states it. */
function contents(s: SerializedBm25Index): Map<string, Map<string, number>> {
  const out = new Map<string, Map<string, number>>();
  s.ids.forEach((id, d) => {
    const flat = s.docTerms[d];
    const terms = new Map<string, number>();
    for (let i = 0; i < flat.length; i += 2) terms.set(s.terms[flat[i]], flat[i + 1]);
    out.set(id, terms);
  });
  return out;
}

const QUERIES = ['browser vector', 'cafe', 'über 東京', 'the', 'x1 検索 café'];

/** The invariant: refused with a code, or loaded faithfully and searchable. */
function check(input: unknown, stats: Map<string, number>): void {
  let index: ReturnType<typeof loadBm25Index>;
  try {
    index = loadBm25Index(input as SerializedBm25Index);
  } catch (err) {
    expect(isWebEmbedError(err), `not a WebEmbedError: ${String(err)}`).toBe(true);
    const code = (err as { code: string }).code;
    expect(['CORRUPT_FILE', 'UNSUPPORTED_FORMAT']).toContain(code);
    stats.set(code, (stats.get(code) ?? 0) + 1);
    return;
  }
  stats.set('loaded', (stats.get('loaded') ?? 0) + 1);
  const given = input as SerializedBm25Index;
  const back = index.serialize();
  expect(back.k1).toBe(given.k1);
  expect(back.b).toBe(given.b);
  expect(contents(back)).toEqual(contents(given));
  for (const q of QUERIES) {
    const hits = index.search(q, 5);
    for (let i = 0; i < hits.ids.length; i++) {
      expect(given.ids).toContain(hits.ids[i]);
      expect(Number.isFinite(hits.scores[i]) && hits.scores[i] > 0).toBe(true);
      if (i > 0) expect(hits.scores[i]).toBeLessThanOrEqual(hits.scores[i - 1]);
    }
  }
}

describe('BM25 sidecar loader under fuzzing', () => {
  it('refuses with a code or loads exactly what the snapshot says, never a crash or a different index', () => {
    const stats = new Map<string, number>();
    const started = performance.now();
    let cases = 0;
    let slowest = 0;
    const roundTrips = 200;
    const mutated = 1500;
    fc.assert(
      fc.property(snapshot, (s) => {
        cases++;
        check(s, stats);
        expect(stats.get('loaded')).toBe(cases); // every untouched snapshot loads
      }),
      { numRuns: roundTrips, seed: 17 },
    );
    fc.assert(
      fc.property(snapshot, fc.array(mutation, { minLength: 1, maxLength: 3 }), (s, ms) => {
        cases++;
        let input: unknown = s;
        for (const m of ms) input = mutate(input as SerializedBm25Index, m);
        const t = performance.now();
        check(input, stats);
        slowest = Math.max(slowest, performance.now() - t);
      }),
      { numRuns: mutated, seed: 1717 },
    );
    const seconds = (performance.now() - started) / 1000;
    const summary = [...stats].map(([k, v]) => `${k} ${v}`).join(', ');
    console.log(
      `fuzz: bm25 sidecar loader ${cases} cases (${roundTrips} round trips, ${mutated} mutated snapshots): ${summary}; slowest ${slowest.toFixed(1)} ms, ${seconds.toFixed(1)} s`,
    );
    expect(slowest).toBeLessThan(2000);
  });
});
