/**
 * Fuzzing the resume journal reader. Journals of random documents are bit-flipped, truncated,
 * overwritten; lines are dropped, repeated, swapped, edited (checksum or content) or taken from a
 * journal with another header. Invariant: a coded WebEmbedError (the header is unusable), or only
 * documents exactly as they were written (every chunk, text, metadata and vector bit for bit);
 * never a crash or an altered document reused. Prints the number of generated cases.
 */
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type ModelFingerprint, isWebEmbedError } from '@webembed/core';
import fc from 'fast-check';
import { afterAll, describe, expect, it } from 'vitest';
import {
  type EmbeddedChunk,
  JOURNAL_VERSION,
  type JournalHeader,
  openJournal,
  readJournal,
} from '../src/index.js';

const DIMS = 4;
const fingerprint: ModelFingerprint = {
  modelId: 'fuzz/model',
  revision: 'main',
  dims: DIMS,
  pooling: 'mean',
  normalized: true,
  prefixScheme: 'none',
  matryoshkaDims: null,
  dtype: 'q8',
};
const header: JournalHeader = {
  journal: 'webembed-cli',
  version: JOURNAL_VERSION,
  fingerprint,
  chunkTokens: 32,
  overlap: 4,
};
/** The same model with other chunk options: its lines must not verify in `header`'s journal. */
const otherHeader: JournalHeader = { ...header, overlap: 5 };

// The journal fsyncs every append: on a RAM disk where there is one (Linux), so 1,000 journals
// cost milliseconds instead of disk flushes.
const work = mkdtempSync(join(existsSync('/dev/shm') ? '/dev/shm' : tmpdir(), 'webembed-journal-fuzz-'));
afterAll(() => rmSync(work, { recursive: true, force: true }));

const chunkArb: fc.Arbitrary<EmbeddedChunk> = fc.record({
  id: fc.string({ unit: 'grapheme', minLength: 1, maxLength: 6 }),
  text: fc.string({ unit: 'grapheme', maxLength: 12 }),
  metadata: fc.dictionary(fc.string({ maxLength: 3 }), fc.oneof(fc.string({ maxLength: 3 }), fc.integer())),
  vector: fc.float32Array({ minLength: DIMS, maxLength: DIMS, noNaN: true, noDefaultInfinity: true }),
});
const documents = fc.uniqueArray(
  fc.record({ key: fc.string({ minLength: 1, maxLength: 8 }), chunks: fc.array(chunkArb, { maxLength: 3 }) }),
  { minLength: 1, maxLength: 6, selector: (d) => d.key },
);

const spot = fc.noBias(fc.integer({ min: 0, max: 1_000_000 })).map((n) => n / 1_000_000);
const mutation = fc.oneof(
  fc.record({ kind: fc.constant('flip' as const), at: spot, bit: fc.nat(7) }),
  fc.record({ kind: fc.constant('truncate' as const), at: spot }),
  fc.record({
    kind: fc.constant('overwrite' as const),
    at: spot,
    text: fc.string({ minLength: 1, maxLength: 4 }),
  }),
  fc.record({
    kind: fc.constantFrom(
      'drop' as const,
      'repeat' as const,
      'swap' as const,
      'sum' as const,
      'edit' as const,
    ),
    line: fc.nat(8),
    other: fc.nat(8),
    text: fc.constantFrom('0', 'A', '"', '}', ' ', 'ü'),
  }),
  fc.record({ kind: fc.constant('foreign' as const), line: fc.nat(8) }),
);
type Mutation = typeof mutation extends fc.Arbitrary<infer T> ? T : never;

function apply(text: string, m: Mutation, foreign: string[]): string {
  const at = Math.floor(
    m.kind === 'flip' || m.kind === 'truncate' || m.kind === 'overwrite' ? m.at * text.length : 0,
  );
  if (m.kind === 'flip') {
    const bytes = Buffer.from(text, 'utf8');
    if (bytes.length === 0) return text;
    const i = Math.min(bytes.length - 1, Math.floor(m.at * bytes.length));
    bytes[i] ^= 1 << m.bit;
    return bytes.toString('utf8');
  }
  if (m.kind === 'truncate') return text.slice(0, at);
  if (m.kind === 'overwrite') return text.slice(0, at) + m.text + text.slice(at + m.text.length);
  const lines = text.split('\n');
  const i = m.kind === 'foreign' ? m.line % (lines.length + 1) : m.line % lines.length;
  switch (m.kind) {
    case 'drop':
      lines.splice(i, 1);
      break;
    case 'repeat':
      lines.splice(i, 0, lines[i]);
      break;
    case 'swap': {
      const j = m.other % lines.length;
      [lines[i], lines[j]] = [lines[j], lines[i]];
      break;
    }
    case 'sum': // change one hex digit of the checksum
      if (lines[i].length > 8) lines[i] = `${lines[i][0] === '0' ? '1' : '0'}${lines[i].slice(1)}`;
      break;
    case 'edit': // change one character inside the JSON
      if (lines[i].length > 12) {
        const p = 9 + (m.other % (lines[i].length - 9));
        lines[i] = lines[i].slice(0, p) + m.text + lines[i].slice(p + 1);
      }
      break;
    case 'foreign':
      lines.splice(i, 0, foreign[m.line % foreign.length]);
      break;
  }
  return lines.join('\n');
}

const sameChunk = (a: EmbeddedChunk, b: EmbeddedChunk) =>
  a.id === b.id &&
  a.text === b.text &&
  JSON.stringify(a.metadata) === JSON.stringify(b.metadata) &&
  Buffer.from(a.vector.buffer, a.vector.byteOffset, a.vector.byteLength).equals(
    Buffer.from(b.vector.buffer, b.vector.byteOffset, b.vector.byteLength),
  );

describe('resume journal under fuzzing', () => {
  it('reuses only documents exactly as written, or refuses the journal with a code', () => {
    const stats = new Map<string, number>();
    const count = (key: string, n = 1) => stats.set(key, (stats.get(key) ?? 0) + n);
    let cases = 0;
    const started = performance.now();
    let file = 0;
    fc.assert(
      fc.property(documents, documents, fc.array(mutation, { maxLength: 3 }), (docs, others, mutations) => {
        cases++;
        const path = join(work, `j${file++}.journal`);
        const write = (h: JournalHeader, list: typeof docs) => {
          const writer = openJournal(path, h, true);
          writer.append(list.slice(0, 2));
          writer.append(list.slice(2));
          writer.close();
          return readFileSync(path, 'utf8');
        };
        const foreign = write(otherHeader, others).split('\n').filter(Boolean);
        let text = write(header, docs);
        for (const m of mutations) text = apply(text, m, foreign);
        writeFileSync(path, text);
        let read: ReturnType<typeof readJournal>;
        try {
          read = readJournal(path, header);
        } catch (err) {
          expect(isWebEmbedError(err), `a crash, not a WebEmbedError: ${String(err)}`).toBe(true);
          count(`refused ${(err as { code: string }).code}`);
          return;
        } finally {
          rmSync(path, { force: true });
        }
        const written = new Map(docs.map((d) => [d.key, d.chunks]));
        for (const [key, chunks] of read.done) {
          const original = written.get(key);
          expect(original, `a document that was never written: ${key}`).toBeDefined();
          expect(chunks.length).toBe(original!.length);
          for (let i = 0; i < chunks.length; i++) expect(sameChunk(chunks[i], original![i])).toBe(true);
        }
        count('documents reused', read.done.size);
        count('documents written', docs.length);
        for (const line of read.ignored) count(`lines ignored (${line.reason})`);
      }),
      { numRuns: 600, seed: 2024 },
    );
    const summary = [...stats].map(([k, v]) => `${k} ${v}`).join(', ');
    console.log(
      `fuzz: cli journal ${cases} cases (${summary}), ${((performance.now() - started) / 1000).toFixed(1)} s`,
    );
  });
});
