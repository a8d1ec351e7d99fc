/**
 * The resume journal: `<out>.journal`, a JSON-lines file next to the output. The first line names
 * the model fingerprint and chunk options; each further line holds every embedded chunk of one
 * document, keyed by the document's resume key (file path + content hash + entry). Lines are
 * appended (and flushed) only once a document is complete, so a crash at any moment loses at most
 * the document being written; a torn last line is ignored on resume.
 *
 * @module
 */
import { closeSync, fsyncSync, openSync, readFileSync, rmSync, writeSync } from 'node:fs';
import { type ModelFingerprint, WebEmbedError, fingerprintDifferences } from '@webembed/core';
import type { Metadata } from '@webembed/store';

/** What must match for a journal to be resumed. */
export interface JournalHeader {
  readonly journal: 'webembed-cli';
  readonly version: 1;
  readonly fingerprint: ModelFingerprint;
  readonly chunkTokens: number;
  readonly overlap: number;
}

/** One embedded chunk. */
export interface EmbeddedChunk {
  readonly id: string;
  readonly text: string;
  readonly metadata: Metadata;
  readonly vector: Float32Array;
}

/** An open journal being appended to. */
export interface JournalWriter {
  /** Appends finished documents (all chunks of each) and flushes them to disk. */
  append(documents: readonly { readonly key: string; readonly chunks: readonly EmbeddedChunk[] }[]): void;
  close(): void;
}

function encodeVector(vector: Float32Array): string {
  return Buffer.from(vector.buffer, vector.byteOffset, vector.byteLength).toString('base64');
}

function decodeVector(base64: string, dims: number): Float32Array | null {
  const bytes = Buffer.from(base64, 'base64');
  if (bytes.byteLength !== dims * 4) return null;
  const out = new Float32Array(dims);
  new Uint8Array(out.buffer).set(bytes);
  return out;
}

/** The journal path used for an output file. */
export function journalPathFor(outPath: string): string {
  return `${outPath}.journal`;
}

/**
 * Reads a journal for resuming: the finished documents by key. Returns an empty map when the file
 * does not exist. Throws `MODEL_MISMATCH` when it was written by another model and
 * `INVALID_ARGUMENT` when its chunk options differ; `CORRUPT_FILE` when its header is unreadable.
 */
export function readJournal(path: string, header: JournalHeader): Map<string, EmbeddedChunk[]> {
  let content: string;
  try {
    content = readFileSync(path, 'utf8');
  } catch (cause) {
    if ((cause as NodeJS.ErrnoException).code === 'ENOENT') return new Map();
    throw cause;
  }
  const lines = content.split('\n');
  let stored: JournalHeader;
  try {
    stored = JSON.parse(lines[0]) as JournalHeader;
  } catch {
    throw new WebEmbedError(
      'CORRUPT_FILE',
      `journal ${path} has an unreadable header; delete it to start over`,
    );
  }
  if (stored?.journal !== 'webembed-cli' || stored.version !== 1 || typeof stored.fingerprint !== 'object') {
    throw new WebEmbedError('CORRUPT_FILE', `${path} is not a webembed-cli version 1 journal`);
  }
  const diff = fingerprintDifferences(stored.fingerprint, header.fingerprint);
  if (diff.length > 0) {
    throw new WebEmbedError(
      'MODEL_MISMATCH',
      `journal ${path} was written with another model (${diff.join(', ')} differ); rerun without --resume to start over`,
    );
  }
  if (stored.chunkTokens !== header.chunkTokens || stored.overlap !== header.overlap) {
    throw new WebEmbedError(
      'INVALID_ARGUMENT',
      `journal ${path} used --chunk-tokens ${stored.chunkTokens} --overlap ${stored.overlap}, this run ${header.chunkTokens}/${header.overlap}; use the same options or rerun without --resume`,
    );
  }
  const dims = header.fingerprint.dims;
  const done = new Map<string, EmbeddedChunk[]>();
  for (let i = 1; i < lines.length; i++) {
    if (lines[i] === '') continue;
    let record: { key: string; chunks: { id: string; text: string; metadata: Metadata; vector: string }[] };
    try {
      record = JSON.parse(lines[i]);
    } catch {
      continue; // torn line from a crash mid-write: that document is simply embedded again
    }
    if (typeof record?.key !== 'string' || !Array.isArray(record.chunks)) continue;
    const chunks: EmbeddedChunk[] = [];
    let ok = true;
    for (const c of record.chunks) {
      const vector = typeof c?.vector === 'string' ? decodeVector(c.vector, dims) : null;
      if (vector === null || typeof c.id !== 'string' || typeof c.text !== 'string') {
        ok = false;
        break;
      }
      chunks.push({ id: c.id, text: c.text, metadata: c.metadata, vector });
    }
    if (ok) done.set(record.key, chunks);
  }
  return done;
}

/**
 * Opens a journal for appending. `fresh` truncates it and writes the header; otherwise existing
 * lines are kept (a torn last line is closed off with a newline first).
 */
export function openJournal(path: string, header: JournalHeader, fresh: boolean): JournalWriter {
  let fd: number;
  if (fresh) {
    fd = openSync(path, 'w');
    writeSync(fd, `${JSON.stringify(header)}\n`);
  } else {
    let existing = '';
    try {
      existing = readFileSync(path, 'utf8');
    } catch {
      existing = '';
    }
    fd = openSync(path, 'a');
    if (existing === '') writeSync(fd, `${JSON.stringify(header)}\n`);
    else if (!existing.endsWith('\n')) writeSync(fd, '\n');
  }
  fsyncSync(fd);
  return {
    append(documents) {
      if (documents.length === 0) return;
      const lines = documents.map(({ key, chunks }) =>
        JSON.stringify({
          key,
          chunks: chunks.map((c) => ({
            id: c.id,
            text: c.text,
            metadata: c.metadata,
            vector: encodeVector(c.vector),
          })),
        }),
      );
      writeSync(fd, `${lines.join('\n')}\n`);
      fsyncSync(fd);
    },
    close() {
      closeSync(fd);
    },
  };
}

/** Deletes a journal (after the output is complete). */
export function removeJournal(path: string): void {
  rmSync(path, { force: true });
}
