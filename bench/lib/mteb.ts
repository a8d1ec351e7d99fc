/**
 * Reads a retrieval data set in the MTEB / BEIR layout, for the user-data mode of
 * `pnpm bench quality`:
 *
 * - `corpus.jsonl`: one JSON object a line, `{"_id": "d1", "text": "...", "title": "..."}`
 *   (`title` optional; when present it is prepended to the text, as BEIR does).
 * - `queries.jsonl`: `{"_id": "q1", "text": "..."}`.
 * - `qrels.jsonl`: `{"query-id": "q1", "corpus-id": "d1", "score": 1}`, or `qrels.tsv` (or a
 *   BEIR `qrels/test.tsv`): tab-separated `query-id  corpus-id  score` with that header line.
 *
 * Ids may be JSON strings or numbers (numbers are turned into their decimal string). Blank
 * lines are skipped. Every malformed line is a `WebEmbedError` naming file and line.
 *
 * @module
 */
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { WebEmbedError } from '@webembed/core';

/** One document or query: its id and the text to embed. */
export interface TextRecord {
  readonly id: string;
  readonly text: string;
}

/** Relevance labels: query id -> (corpus id -> graded score). */
export type Qrels = Map<string, Map<string, number>>;

/** A whole data set, read and cross-checked. */
export interface RetrievalDataset {
  readonly corpus: readonly TextRecord[];
  readonly queries: readonly TextRecord[];
  readonly qrels: Qrels;
}

function fail(source: string, line: number, what: string): never {
  throw new WebEmbedError('CORRUPT_FILE', `${source} line ${line}: ${what}`, { source, line });
}

function idOf(value: unknown, source: string, line: number, field: string): string {
  if (typeof value === 'string' && value.length > 0) return value;
  if (typeof value === 'number' && Number.isFinite(value)) return String(value);
  return fail(
    source,
    line,
    `expected "${field}" to be a non-empty string or a number, got ${JSON.stringify(value)}`,
  );
}

function* jsonLines(content: string, source: string): Generator<[Record<string, unknown>, number]> {
  const lines = content.split(/\r?\n/);
  for (let i = 0; i < lines.length; i++) {
    const raw = lines[i].trim();
    if (raw === '') continue;
    let value: unknown;
    try {
      value = JSON.parse(raw);
    } catch (err) {
      fail(source, i + 1, `not valid JSON (${(err as Error).message})`);
    }
    if (typeof value !== 'object' || value === null || Array.isArray(value)) {
      fail(source, i + 1, 'expected a JSON object');
    }
    yield [value as Record<string, unknown>, i + 1];
  }
}

/**
 * Parses `corpus.jsonl` or `queries.jsonl` content: `{_id, text, title?}` a line. Duplicate ids
 * and missing or non-string text are errors.
 */
export function parseTextJsonl(content: string, source: string): TextRecord[] {
  const records: TextRecord[] = [];
  const seen = new Set<string>();
  for (const [obj, line] of jsonLines(content, source)) {
    const id = idOf(obj._id, source, line, '_id');
    if (typeof obj.text !== 'string') fail(source, line, `expected "text" to be a string for _id ${id}`);
    if (obj.title !== undefined && typeof obj.title !== 'string') {
      fail(source, line, `expected "title" to be a string when present for _id ${id}`);
    }
    if (seen.has(id)) fail(source, line, `duplicate _id ${JSON.stringify(id)}`);
    seen.add(id);
    const title = typeof obj.title === 'string' ? obj.title.trim() : '';
    const text = title === '' ? obj.text : `${title} ${obj.text}`;
    if (text.trim() === '') fail(source, line, `empty text for _id ${id}`);
    records.push({ id, text });
  }
  if (records.length === 0) {
    throw new WebEmbedError('EMPTY_CORPUS', `${source} holds no records; expected one JSON object a line`, {
      source,
    });
  }
  return records;
}

function addLabel(qrels: Qrels, queryId: string, corpusId: string, score: number): void {
  let labels = qrels.get(queryId);
  if (!labels) {
    labels = new Map();
    qrels.set(queryId, labels);
  }
  labels.set(corpusId, score);
}

function scoreOf(value: unknown, source: string, line: number): number {
  const score = typeof value === 'string' && value.trim() !== '' ? Number(value) : value;
  if (typeof score !== 'number' || !Number.isFinite(score)) {
    fail(source, line, `expected "score" to be a finite number, got ${JSON.stringify(value)}`);
  }
  return score;
}

/** Parses qrels JSONL: `{"query-id", "corpus-id", "score"}` a line. */
export function parseQrelsJsonl(content: string, source: string): Qrels {
  const qrels: Qrels = new Map();
  for (const [obj, line] of jsonLines(content, source)) {
    const queryId = idOf(obj['query-id'], source, line, 'query-id');
    const corpusId = idOf(obj['corpus-id'], source, line, 'corpus-id');
    addLabel(qrels, queryId, corpusId, scoreOf(obj.score, source, line));
  }
  return qrels;
}

/** Parses qrels TSV: header `query-id<TAB>corpus-id<TAB>score`, then one label a line. */
export function parseQrelsTsv(content: string, source: string): Qrels {
  const qrels: Qrels = new Map();
  const lines = content.split(/\r?\n/);
  let headerSeen = false;
  for (let i = 0; i < lines.length; i++) {
    const raw = lines[i].trim();
    if (raw === '') continue;
    const cells = raw.split('\t');
    if (!headerSeen) {
      headerSeen = true;
      if (cells[0] === 'query-id') {
        if (cells[1] !== 'corpus-id' || cells[2] !== 'score') {
          fail(source, i + 1, `expected the header "query-id<TAB>corpus-id<TAB>score", got "${raw}"`);
        }
        continue;
      }
    }
    if (cells.length !== 3) fail(source, i + 1, `expected 3 tab-separated cells, got ${cells.length}`);
    const [queryId, corpusId, score] = cells;
    if (queryId === '' || corpusId === '') fail(source, i + 1, 'empty query-id or corpus-id');
    addLabel(qrels, queryId, corpusId, scoreOf(score, source, i + 1));
  }
  return qrels;
}

/**
 * Cross-checks parsed parts: every labelled query must exist in the queries and every labelled
 * document in the corpus; queries without any label are dropped (MTEB evaluates labelled ones only).
 */
export function assembleDataset(
  corpus: readonly TextRecord[],
  queries: readonly TextRecord[],
  qrels: Qrels,
): RetrievalDataset {
  const corpusIds = new Set(corpus.map((d) => d.id));
  const queryIds = new Set(queries.map((q) => q.id));
  for (const [queryId, labels] of qrels) {
    if (!queryIds.has(queryId)) {
      throw new WebEmbedError(
        'NOT_FOUND',
        `qrels name query-id ${JSON.stringify(queryId)}, which queries lack`,
        {
          queryId,
        },
      );
    }
    for (const corpusId of labels.keys()) {
      if (!corpusIds.has(corpusId)) {
        throw new WebEmbedError(
          'NOT_FOUND',
          `qrels name corpus-id ${JSON.stringify(corpusId)} (query ${queryId}), which the corpus lacks`,
          { queryId, corpusId },
        );
      }
    }
  }
  const labelled = queries.filter((q) => qrels.has(q.id));
  if (labelled.length === 0) {
    throw new WebEmbedError(
      'INVALID_ARGUMENT',
      'no query has a relevance label; expected qrels for at least one',
      {
        queries: queries.length,
      },
    );
  }
  return { corpus, queries: labelled, qrels };
}

/**
 * Reads `corpus.jsonl`, `queries.jsonl` and `qrels.jsonl` | `qrels.tsv` | `qrels/test.tsv` from
 * a folder.
 */
export function readDatasetFolder(folder: string): RetrievalDataset {
  const need = (name: string) => {
    const file = join(folder, name);
    if (!existsSync(file)) {
      throw new WebEmbedError('NOT_FOUND', `expected ${name} in ${folder}`, { folder, file: name });
    }
    return readFileSync(file, 'utf8');
  };
  const corpus = parseTextJsonl(need('corpus.jsonl'), 'corpus.jsonl');
  const queries = parseTextJsonl(need('queries.jsonl'), 'queries.jsonl');
  let qrels: Qrels;
  if (existsSync(join(folder, 'qrels.jsonl'))) qrels = parseQrelsJsonl(need('qrels.jsonl'), 'qrels.jsonl');
  else if (existsSync(join(folder, 'qrels.tsv'))) qrels = parseQrelsTsv(need('qrels.tsv'), 'qrels.tsv');
  else if (existsSync(join(folder, 'qrels', 'test.tsv'))) {
    qrels = parseQrelsTsv(need(join('qrels', 'test.tsv')), 'qrels/test.tsv');
  } else {
    throw new WebEmbedError('NOT_FOUND', `expected qrels.jsonl, qrels.tsv or qrels/test.tsv in ${folder}`, {
      folder,
    });
  }
  return assembleDataset(corpus, queries, qrels);
}
