import { mkdtempSync, mkdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import {
  assembleDataset,
  parseQrelsJsonl,
  parseQrelsTsv,
  parseTextJsonl,
  readDatasetFolder,
} from '../lib/mteb.js';

const corpusJsonl = [
  '{"_id": "d1", "title": "Rabbit", "text": "The White Rabbit ran by."}',
  '',
  '{"_id": 2, "text": "Alice fell down the hole."}',
  '{"_id": "d3", "text": "A mad tea party."}',
].join('\n');
const queriesJsonl = '{"_id":"q1","text":"who ran past Alice?"}\r\n{"_id":"q2","text":"unlabelled"}\n';

describe('MTEB / BEIR parsing', () => {
  it('reads corpus records, prepends titles and stringifies numeric ids', () => {
    const corpus = parseTextJsonl(corpusJsonl, 'corpus.jsonl');
    expect(corpus).toEqual([
      { id: 'd1', text: 'Rabbit The White Rabbit ran by.' },
      { id: '2', text: 'Alice fell down the hole.' },
      { id: 'd3', text: 'A mad tea party.' },
    ]);
  });

  it('reads qrels from JSONL and TSV into the same labels', () => {
    const fromJsonl = parseQrelsJsonl(
      '{"query-id":"q1","corpus-id":"d1","score":2}\n{"query-id":"q1","corpus-id":2,"score":"1"}\n',
      'qrels.jsonl',
    );
    const fromTsv = parseQrelsTsv('query-id\tcorpus-id\tscore\nq1\td1\t2\nq1\t2\t1\n', 'qrels.tsv');
    expect([...fromJsonl.get('q1')!]).toEqual([
      ['d1', 2],
      ['2', 1],
    ]);
    expect(fromTsv).toEqual(fromJsonl);
    expect(parseQrelsTsv('q9\td3\t1', 'no-header.tsv').get('q9')?.get('d3')).toBe(1);
  });

  it('names file and line of malformed input with CORRUPT_FILE', () => {
    const corrupt = expect.objectContaining({ code: 'CORRUPT_FILE' });
    expect(() => parseTextJsonl('{"_id":"a","text":"x"}\n{oops', 'corpus.jsonl')).toThrowError(
      /corpus\.jsonl line 2: not valid JSON/,
    );
    expect(() => parseTextJsonl('{"_id":"a"}', 'c')).toThrowError(corrupt);
    expect(() => parseTextJsonl('[1,2]', 'c')).toThrowError(/expected a JSON object/);
    expect(() => parseTextJsonl('{"_id":"a","text":"x"}\n{"_id":"a","text":"y"}', 'c')).toThrowError(
      /duplicate _id/,
    );
    expect(() => parseTextJsonl('{"_id":"","text":"x"}', 'c')).toThrowError(corrupt);
    expect(() => parseTextJsonl('{"_id":"a","text":"  "}', 'c')).toThrowError(/empty text/);
    expect(() => parseQrelsJsonl('{"query-id":"q","corpus-id":"d","score":"high"}', 'q')).toThrowError(
      /finite number/,
    );
    expect(() => parseQrelsTsv('query-id\tdoc\tscore\n', 'q.tsv')).toThrowError(/header/);
    expect(() => parseQrelsTsv('q1\td1\n', 'q.tsv')).toThrowError(/3 tab-separated cells/);
  });

  it('rejects an empty file with EMPTY_CORPUS', () => {
    expect(() => parseTextJsonl('\n\n', 'corpus.jsonl')).toThrowError(
      expect.objectContaining({ code: 'EMPTY_CORPUS' }),
    );
  });

  it('cross-checks ids and drops unlabelled queries', () => {
    const corpus = parseTextJsonl(corpusJsonl, 'corpus.jsonl');
    const queries = parseTextJsonl(queriesJsonl, 'queries.jsonl');
    const qrels = parseQrelsTsv('q1\td1\t1\n', 'q.tsv');
    const data = assembleDataset(corpus, queries, qrels);
    expect(data.queries.map((q) => q.id)).toEqual(['q1']);
    expect(() => assembleDataset(corpus, queries, parseQrelsTsv('q7\td1\t1', 'q'))).toThrowError(
      expect.objectContaining({ code: 'NOT_FOUND' }),
    );
    expect(() => assembleDataset(corpus, queries, parseQrelsTsv('q1\td9\t1', 'q'))).toThrowError(
      /corpus lacks/,
    );
    expect(() => assembleDataset(corpus, queries, new Map())).toThrowError(
      expect.objectContaining({ code: 'INVALID_ARGUMENT' }),
    );
  });

  it('reads a folder with qrels/test.tsv, and names a missing file', () => {
    const dir = mkdtempSync(join(tmpdir(), 'webembed-mteb-'));
    writeFileSync(join(dir, 'corpus.jsonl'), corpusJsonl);
    writeFileSync(join(dir, 'queries.jsonl'), queriesJsonl);
    expect(() => readDatasetFolder(dir)).toThrowError(/qrels\.jsonl, qrels\.tsv or qrels\/test\.tsv/);
    mkdirSync(join(dir, 'qrels'));
    writeFileSync(join(dir, 'qrels', 'test.tsv'), 'query-id\tcorpus-id\tscore\nq1\td3\t1\n');
    const data = readDatasetFolder(dir);
    expect(data.corpus).toHaveLength(3);
    expect(data.qrels.get('q1')?.get('d3')).toBe(1);
    expect(() => readDatasetFolder(join(dir, 'nope'))).toThrowError(
      expect.objectContaining({ code: 'NOT_FOUND' }),
    );
  });
});
