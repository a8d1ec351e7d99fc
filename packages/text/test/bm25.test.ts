import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { createBm25Index, loadBm25Index, type SerializedBm25Index } from '../src/index.js';

/** Textbook BM25 computed from scratch over whitespace-separated lower-case words. */
function naiveBm25(docs: Map<string, string>, query: string, k1 = 1.2, b = 0.75): Map<string, number> {
  const split = (s: string) => s.split(' ').filter(Boolean);
  const tokenized = new Map([...docs].map(([id, text]) => [id, split(text)]));
  const n = tokenized.size;
  const avgdl = [...tokenized.values()].reduce((sum, t) => sum + t.length, 0) / n;
  const scores = new Map<string, number>();
  for (const [id, terms] of tokenized) {
    let score = 0;
    for (const q of split(query)) {
      const tf = terms.filter((t) => t === q).length;
      if (tf === 0) continue;
      const df = [...tokenized.values()].filter((t) => t.includes(q)).length;
      const idf = Math.log(1 + (n - df + 0.5) / (df + 0.5));
      score += (idf * tf * (k1 + 1)) / (tf + k1 * (1 - b + (b * terms.length) / avgdl));
    }
    if (score > 0) scores.set(id, score);
  }
  return scores;
}

const vocabulary = ['alpha', 'beta', 'gamma', 'delta', 'eps', 'zeta', 'eta', 'theta'];
const docText = fc
  .array(fc.constantFrom(...vocabulary), { minLength: 0, maxLength: 12 })
  .map((w) => w.join(' '));

describe('BM25 index', () => {
  it('matches a naive BM25 computation under random adds, upserts and removes', () => {
    fc.assert(
      fc.property(
        fc.array(
          fc.record({
            op: fc.constantFrom('add', 'add', 'remove'),
            id: fc.integer({ min: 0, max: 6 }),
            text: docText,
          }),
          { minLength: 1, maxLength: 25 },
        ),
        fc.array(fc.constantFrom(...vocabulary), { minLength: 1, maxLength: 4 }).map((w) => w.join(' ')),
        fc.double({ min: 0, max: 3, noNaN: true }),
        fc.double({ min: 0, max: 1, noNaN: true }),
        (ops, query, k1, b) => {
          const index = createBm25Index({ k1, b });
          const truth = new Map<string, string>();
          for (const { op, id, text } of ops) {
            if (op === 'add') {
              index.add(`d${id}`, text);
              truth.set(`d${id}`, text);
            } else {
              expect(index.remove(`d${id}`)).toBe(truth.delete(`d${id}`));
            }
          }
          expect(index.size).toBe(truth.size);
          if (truth.size === 0) {
            expect(index.search(query, 5).ids).toEqual([]);
            return;
          }
          const expected = naiveBm25(truth, query, k1, b);
          const hits = index.search(query, 100);
          expect(new Set(hits.ids)).toEqual(new Set(expected.keys()));
          hits.ids.forEach((id, i) => {
            expect(hits.scores[i]).toBeCloseTo(expected.get(id)!, 4);
            expect(index.score(query, id)).toBeCloseTo(expected.get(id)!, 6);
            if (i > 0) expect(hits.scores[i]).toBeLessThanOrEqual(hits.scores[i - 1]);
          });
          const lengths = [...truth.values()].map((t) => t.split(' ').filter(Boolean).length);
          expect(index.averageLength).toBeCloseTo(lengths.reduce((a, c) => a + c, 0) / lengths.length, 9);
        },
      ),
      { numRuns: 150 },
    );
  });

  it('finds accented and unaccented forms alike', () => {
    const index = createBm25Index();
    index.add('fr', 'Le café est fermé le dimanche');
    index.add('en', 'The bakery opens on Sunday');
    expect(index.search('cafe ferme', 2).ids).toEqual(['fr']);
    expect(index.search('CAFÉ', 2).ids).toEqual(['fr']);
  });

  it('finds Japanese and Chinese words inside unspaced text', () => {
    const index = createBm25Index();
    index.add('ja', '東京都に住んでいます。毎朝コーヒーを飲みます。');
    index.add('zh', '我喜欢吃苹果和香蕉');
    index.add('en', 'I live in Tokyo and drink coffee');
    expect(index.search('東京', 3).ids).toEqual(['ja']);
    expect(index.search('コーヒー', 3).ids).toEqual(['ja']);
    expect(index.search('苹果', 3).ids).toEqual(['zh']);
  });

  it('finds a Chinese word the dictionary split differently in the document (CJK bigrams)', () => {
    for (const [cjkBigramMinRun, expected] of [
      [3, ['zh']],
      [0, []],
    ] as const) {
      const index = createBm25Index({ tokenizer: { cjkBigramMinRun } });
      index.add('zh', '北京大学生物学系');
      index.add('other', '上海交通');
      expect(index.search('学生', 5).ids).toEqual(expected);
    }
  });

  it('finds a Thai word inside a dictionary compound through bigrams', () => {
    // ICU keeps มหาวิทยาลัย (university) whole; the query is its part วิทยาลัย (college).
    for (const [cjkBigramMinRun, expected] of [
      [3, ['th']],
      [0, []],
    ] as const) {
      const index = createBm25Index({ tokenizer: { cjkBigramMinRun } });
      index.add('th', 'มหาวิทยาลัยเชียงใหม่สวยมาก');
      index.add('other', 'วันนี้อากาศดีมาก');
      expect(index.search('วิทยาลัย', 5).ids).toEqual(expected);
    }
  });

  it('ranks the rarer term higher and breaks ties by id', () => {
    const index = createBm25Index();
    index.add('b', 'common rare');
    index.add('a', 'common');
    index.add('c', 'common');
    const hits = index.search('common', 3);
    expect(hits.ids).toEqual(['a', 'c', 'b']); // equal length docs tie, longer doc last
    expect(index.search('rare common', 1).ids).toEqual(['b']);
  });

  it('keeps document frequencies exact through upsert and remove', () => {
    const index = createBm25Index();
    index.add('x', 'apple banana');
    index.add('y', 'banana cherry');
    expect(index.termCount).toBe(3);
    index.add('x', 'cherry cherry'); // upsert drops apple and x's banana
    expect(index.termCount).toBe(2);
    expect(index.search('apple', 5).ids).toEqual([]);
    expect(index.search('banana', 5).ids).toEqual(['y']);
    expect(index.has('x')).toBe(true);
    expect(index.remove('x')).toBe(true);
    expect(index.remove('x')).toBe(false);
    expect(index.has('x')).toBe(false);
    expect(index.size).toBe(1);
    expect(index.averageLength).toBe(2);
    index.clear();
    expect(index.size).toBe(0);
    expect(index.termCount).toBe(0);
    expect(index.search('banana', 5).ids).toEqual([]);
  });

  it('round-trips through serialize and JSON', () => {
    const index = createBm25Index({ k1: 1.5, b: 0.6, tokenizer: { stopwords: ['the'] } });
    index.add('1', 'The quick brown fox');
    index.add('2', 'jumps over the lazy dog');
    index.add('3', 'Brown dogs and brown foxes');
    index.remove('2');
    index.add('4', 'a quick dog');
    const copy = loadBm25Index(JSON.parse(JSON.stringify(index.serialize())));
    expect(copy.size).toBe(3);
    expect(copy.termCount).toBe(index.termCount);
    for (const q of ['brown', 'quick dog', 'the fox']) {
      const a = index.search(q, 5);
      const b = copy.search(q, 5);
      expect(b.ids).toEqual(a.ids);
      expect(Array.from(b.scores)).toEqual(Array.from(a.scores));
    }
    expect(copy.search('the', 5).ids).toEqual([]); // stopwords survive the round trip
    copy.add('5', 'brown brown brown');
    expect(copy.search('brown', 1).ids).toEqual(['5']);
  });

  it('rejects bad arguments with typed errors', () => {
    const index = createBm25Index();
    index.add('a', 'text');
    const code = (fn: () => unknown) => {
      try {
        fn();
      } catch (err) {
        return (err as { code?: string }).code;
      }
      return 'none';
    };
    expect(code(() => createBm25Index({ k1: -1 }))).toBe('INVALID_ARGUMENT');
    expect(code(() => createBm25Index({ b: 1.5 }))).toBe('INVALID_ARGUMENT');
    expect(code(() => index.add('', 'x'))).toBe('INVALID_ARGUMENT');
    expect(code(() => index.add('b', null as unknown as string))).toBe('NOT_A_STRING');
    expect(code(() => index.search('text', 0))).toBe('INVALID_K');
    expect(code(() => index.search('text', 1.5))).toBe('INVALID_K');
    expect(code(() => index.search(5 as unknown as string, 1))).toBe('NOT_A_STRING');
    expect(code(() => index.remove(7 as unknown as string))).toBe('INVALID_ARGUMENT');
  });

  it('refuses foreign or corrupt snapshots', () => {
    const index = createBm25Index();
    index.add('a', 'one two');
    index.add('b', 'two three');
    const good = index.serialize();
    const load = (s: unknown) => {
      try {
        loadBm25Index(s as SerializedBm25Index);
      } catch (err) {
        return (err as { code?: string }).code;
      }
      return 'none';
    };
    expect(load(good)).toBe('none');
    expect(load(null)).toBe('UNSUPPORTED_FORMAT');
    expect(load({ ...good, version: 2 })).toBe('UNSUPPORTED_FORMAT');
    expect(load({ ...good, ids: ['a'] })).toBe('CORRUPT_FILE');
    expect(load({ ...good, ids: ['a', 'a'] })).toBe('CORRUPT_FILE');
    expect(load({ ...good, docTerms: [[0, 1, 99, 1], [1]] })).toBe('CORRUPT_FILE');
    expect(load({ ...good, k1: 'x' })).toBe('CORRUPT_FILE');
    // A term frequency past int32 used to wrap around silently (2^32 + 1 loaded as 1, 2^31 as < 0).
    expect(load({ ...good, docTerms: [[0, 2 ** 32 + 1, 1, 1], good.docTerms[1]] })).toBe('CORRUPT_FILE');
    expect(load({ ...good, docTerms: [[0, 2 ** 31, 1, 1], good.docTerms[1]] })).toBe('CORRUPT_FILE');
    expect(load({ ...good, tokenizer: { ...good.tokenizer, cjkBigramMinRun: 1 } })).toBe('CORRUPT_FILE');
  });
});
