/**
 * `webembed index`: documents → chunks → embeddings (the engine's in-process embedder, the same
 * code the browser runs) → a store collection file. Resumable through a journal; the output file
 * appears only when complete (written to a temporary file, then renamed).
 *
 * @module
 */
import { rename, rm, writeFile } from 'node:fs/promises';
import { basename, extname, resolve } from 'node:path';
import { WebEmbedError } from '@webembed/core';
import { type Embedder, createEmbedder } from '@webembed/engine';
import { type Metadata, buildSnapshot, encodeCollectionFile } from '@webembed/store';
import { chunkText } from '@webembed/text';
import type { IndexCommand } from './args.js';
import { type SkippedInput, type SourceDocument, readDocuments } from './documents.js';
import {
  type EmbeddedChunk,
  JOURNAL_VERSION,
  type JournalHeader,
  journalPathFor,
  openJournal,
  readJournal,
  removeJournal,
} from './journal.js';
import { checkOutputPath, fileSystemError } from './output.js';

/** Progress callbacks (the CLI draws a bar on stderr with them). */
export interface ProgressReporter {
  start(totalChunks: number): void;
  increment(chunks: number): void;
  stop(): void;
}

/** Hooks of {@link indexFolder}. */
export interface IndexHooks {
  /** One-line messages for people (stderr in the CLI). */
  readonly log?: (line: string) => void;
  readonly progress?: ProgressReporter;
  /** Stops between batches; the journal keeps what was done. */
  readonly signal?: AbortSignal;
  /** Test hook: sleep this long after each batch (simulates a slow model). */
  readonly throttleMs?: number;
  /** Use this embedder instead of loading `command.model` (it is not disposed). */
  readonly embedder?: Embedder;
}

/** What a run did. */
export interface IndexSummary {
  readonly out: string;
  readonly bytes: number;
  readonly files: number;
  readonly documents: number;
  readonly chunks: number;
  /** Documents taken from the journal instead of being embedded again. */
  readonly resumedDocuments: number;
  readonly skipped: readonly SkippedInput[];
  readonly seconds: number;
  /** Documents embedded in this run per second of embedding (model load excluded). */
  readonly docsPerSecond: number;
  readonly fingerprint: Embedder['fingerprint'];
}

interface PendingDocument {
  readonly doc: SourceDocument;
  readonly chunks: readonly { text: string; start: number; end: number }[];
}

const sleep = (ms: number) => new Promise((done) => setTimeout(done, ms));

/**
 * Runs `webembed index`. Throws `WebEmbedError`: `NOT_FOUND` (folder, or the output's folder),
 * `MODEL_LOAD_FAILED`, `INVALID_ARGUMENT` (an `--out` that is a folder or not writable, chunk
 * options that do not fit the model, journal options that differ), `MODEL_MISMATCH` (journal of
 * another model), `CORRUPT_FILE` (journal header altered), `EMPTY_CORPUS` (nothing to index),
 * `QUOTA_EXCEEDED` (disk full), `ABORTED`. The output path is checked before anything is read or
 * embedded.
 *
 * @example
 * ```ts
 * const summary = await indexFolder(parseCommandLine(['index', 'docs', '--model', id, '--out', 'docs.webembed']) as IndexCommand);
 * ```
 */
export async function indexFolder(command: IndexCommand, hooks: IndexHooks = {}): Promise<IndexSummary> {
  const log = hooks.log ?? (() => {});
  const started = performance.now();
  await checkOutputPath(command.out);
  const { documents, skipped, files } = await readDocuments(command.folder);
  log(
    `read ${documents.length} documents from ${files} files${skipped.length ? `, ${skipped.length} skipped` : ''}`,
  );

  const embedder =
    hooks.embedder ??
    (await createEmbedder({
      model: command.model,
      dtype: command.dtype,
      device: 'cpu',
      cacheSize: 0,
      env: { localModelPath: `${resolve(command.modelsDir)}/`, allowRemoteModels: false },
    }));
  try {
    return await indexWith(embedder, command, { documents, skipped, files }, hooks, log, started);
  } finally {
    if (!hooks.embedder) await embedder.dispose();
  }
}

function chunkBudget(embedder: Embedder, command: IndexCommand): { maxTokens: number; chunkTokens: number } {
  const window = embedder.info.maxTokens;
  const chunkTokens = command.chunkTokens ?? window;
  if (chunkTokens > window) {
    throw new WebEmbedError(
      'INVALID_ARGUMENT',
      `--chunk-tokens ${chunkTokens} exceeds the ${window}-token window of ${command.model}; chunks would be truncated`,
    );
  }
  // The passage prefix (e.g. "passage: ") is added by the engine: leave room for it.
  const prefixTokens = embedder.countTokens(embedder.preset.prefixes.passage) - embedder.countTokens('');
  const maxTokens = chunkTokens - prefixTokens;
  if (command.overlap >= maxTokens) {
    throw new WebEmbedError(
      'INVALID_ARGUMENT',
      `--overlap ${command.overlap} must be smaller than the ${maxTokens} tokens a chunk holds (--chunk-tokens ${chunkTokens}, prefix ${prefixTokens})`,
    );
  }
  return { maxTokens, chunkTokens };
}

async function indexWith(
  embedder: Embedder,
  command: IndexCommand,
  input: { documents: SourceDocument[]; skipped: SkippedInput[]; files: number },
  hooks: IndexHooks,
  log: (line: string) => void,
  started: number,
): Promise<IndexSummary> {
  const { documents, skipped, files } = input;
  if (documents.length === 0) {
    throw new WebEmbedError(
      'EMPTY_CORPUS',
      `no indexable documents under "${command.folder}" (.txt, .md, .json, .jsonl)`,
    );
  }
  const { maxTokens, chunkTokens } = chunkBudget(embedder, command);
  const header: JournalHeader = {
    journal: 'webembed-cli',
    version: JOURNAL_VERSION,
    fingerprint: embedder.fingerprint,
    chunkTokens,
    overlap: command.overlap,
  };
  const journalPath = journalPathFor(command.out);
  const done = new Map<string, EmbeddedChunk[]>();
  if (command.resume) {
    const journaled = readJournal(journalPath, header);
    for (const [key, chunks] of journaled.done) done.set(key, chunks);
    if (journaled.ignored.length > 0) {
      const lines = journaled.ignored.map((l) => `${l.line} (${l.reason})`).join(', ');
      log(`journal lines not reused, their documents are embedded again: ${lines}`);
    }
  }
  const countTokens = (s: string) => embedder.countTokens(s);
  const pending: PendingDocument[] = [];
  let resumedDocuments = 0;
  for (const doc of documents) {
    if (done.has(doc.key)) {
      resumedDocuments++;
      continue;
    }
    pending.push({
      doc,
      chunks: chunkText(doc.text, { maxTokens, overlapTokens: command.overlap, countTokens }),
    });
  }
  if (resumedDocuments > 0) log(`resuming: ${resumedDocuments} documents already embedded in ${journalPath}`);

  let journal: ReturnType<typeof openJournal>;
  try {
    journal = openJournal(journalPath, header, !command.resume);
  } catch (cause) {
    throw fileSystemError(cause, journalPath, 'write the journal');
  }
  const embedStarted = performance.now();
  const totalChunks = pending.reduce((n, p) => n + p.chunks.length, 0);
  hooks.progress?.start(totalChunks);
  try {
    let next = 0;
    while (next < pending.length) {
      if (hooks.signal?.aborted) {
        throw new WebEmbedError(
          'ABORTED',
          'indexing was interrupted; the journal keeps the finished documents',
        );
      }
      const group: PendingDocument[] = [];
      let groupChunks = 0;
      while (
        next < pending.length &&
        (group.length === 0 || groupChunks + pending[next].chunks.length <= command.batchSize)
      ) {
        groupChunks += pending[next].chunks.length;
        group.push(pending[next++]);
      }
      const texts = group.flatMap((p) => p.chunks.map((c) => c.text));
      const { vectors } = await embedder.embed(texts, { kind: 'passage', signal: hooks.signal });
      let row = 0;
      const finished = group.map(({ doc, chunks }) => ({
        key: doc.key,
        chunks: chunks.map((c, i) => {
          const vector = vectors.data.slice(row * vectors.dims, (row + 1) * vectors.dims);
          row++;
          const single = chunks.length === 1;
          return {
            id: single ? doc.id : `${doc.id}#${i}`,
            text: c.text,
            metadata: chunkMetadata(doc, single ? null : { index: i, ...c }),
            vector,
          };
        }),
      }));
      try {
        journal.append(finished);
      } catch (cause) {
        throw fileSystemError(cause, journalPath, 'append to the journal');
      }
      for (const f of finished) done.set(f.key, f.chunks);
      hooks.progress?.increment(texts.length);
      if (hooks.throttleMs) await sleep(hooks.throttleMs);
    }
  } finally {
    hooks.progress?.stop();
    journal.close();
  }
  const embedSeconds = (performance.now() - embedStarted) / 1000;

  const rows = documents.flatMap((doc) => done.get(doc.key) ?? []);
  const dims = embedder.fingerprint.dims;
  const data = new Float32Array(rows.length * dims);
  for (let i = 0; i < rows.length; i++) data.set(rows[i].vector, i * dims);
  const name = command.name ?? basename(command.out, extname(command.out));
  const snapshot = buildSnapshot({
    name,
    fingerprint: embedder.fingerprint,
    kinds: command.kinds,
    docs: {
      ids: rows.map((r) => r.id),
      texts: rows.map((r) => r.text),
      metadata: rows.map((r) => r.metadata),
      vectors: { data, rows: rows.length, dims },
    },
  });
  const bytes = encodeCollectionFile(snapshot);
  const temporary = `${command.out}.tmp-${process.pid}`;
  try {
    await writeFile(temporary, bytes);
    await rename(temporary, command.out);
  } catch (cause) {
    await rm(temporary, { force: true });
    throw fileSystemError(cause, command.out, 'write');
  }
  removeJournal(journalPath);
  const embedded = pending.length;
  return {
    out: command.out,
    bytes: bytes.byteLength,
    files,
    documents: documents.length,
    chunks: rows.length,
    resumedDocuments,
    skipped,
    seconds: (performance.now() - started) / 1000,
    docsPerSecond: embedSeconds > 0 ? embedded / embedSeconds : 0,
    fingerprint: embedder.fingerprint,
  };
}

/**
 * Row metadata, in the engine's convention (packages/engine/src/chunks.ts): a document that fits
 * one chunk is one row under its own id; chunk rows carry `$parent`, `$chunk`, `$start`, `$end`,
 * so engine search groups them back into one hit per document. `source` names the file.
 */
function chunkMetadata(
  doc: SourceDocument,
  chunk: { index: number; start: number; end: number } | null,
): Metadata {
  const base: Metadata = { source: doc.source, ...(doc.metadata ?? {}) };
  if (chunk === null) return base;
  return { ...base, $parent: doc.id, $chunk: chunk.index, $start: chunk.start, $end: chunk.end };
}
