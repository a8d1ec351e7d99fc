/**
 * The resume journal: `<out>.journal`, a text file next to the output, one record a line. The
 * first line names the model fingerprint and chunk options; each further line holds every
 * embedded chunk of one document, keyed by the document's resume key (file path + content hash +
 * entry). Lines are appended (and flushed) only once a document is complete, so a crash at any
 * moment loses at most the document being written.
 *
 * Every line is `<crc> <json>`: `crc` is the CRC-32 (8 hex digits) of the JSON's UTF-8 bytes,
 * continued from the header line's CRC for record lines, so a record only verifies inside the
 * journal it was written to. On resume, a record line that fails its checksum, does not parse, or
 * holds a vector of the wrong size or with NaN/Infinity is never reused: its document is embedded
 * again and the line is reported. A header line that fails its checksum is refused
 * (`CORRUPT_FILE`): nothing else in the file can be trusted without it.
 *
 * @module
 */
import { closeSync, fsyncSync, openSync, readFileSync, rmSync, writeSync } from 'node:fs';
import { type ModelFingerprint, WebEmbedError, fingerprintDifferences } from '@webembed/core';
import { type Metadata, crc32 } from '@webembed/store';

/** The journal format this code writes and resumes. */
export const JOURNAL_VERSION = 2;

/** What must match for a journal to be resumed. */
export interface JournalHeader {
  readonly journal: 'webembed-cli';
  readonly version: typeof JOURNAL_VERSION;
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

/** A line of the journal that was not reused on resume (its document is embedded again). */
export interface IgnoredJournalLine {
  /** 1-based line number in the journal file. */
  readonly line: number;
  /** `torn` (the unterminated last line of a crash), `checksum`, or `content` (verified, but unusable). */
  readonly reason: 'torn' | 'checksum' | 'content';
}

/** What {@link readJournal} found. */
export interface JournalContents {
  /** Finished documents by resume key: every chunk verified. */
  readonly done: Map<string, EmbeddedChunk[]>;
  /** Record lines not reused; their documents are embedded again. */
  readonly ignored: readonly IgnoredJournalLine[];
}

/** An open journal being appended to. */
export interface JournalWriter {
  /** Appends finished documents (all chunks of each) and flushes them to disk. */
  append(documents: readonly { readonly key: string; readonly chunks: readonly EmbeddedChunk[] }[]): void;
  close(): void;
}

const utf8 = new TextEncoder();

/** `<crc> <json>` for `json`, the CRC continued from `seed` (0 for the header line). */
function sealLine(json: string, seed: number): string {
  return `${crc32(utf8.encode(json), seed).toString(16).padStart(8, '0')} ${json}`;
}

/** The JSON of a sealed line when its checksum verifies, else `null`. */
function openLine(line: string, seed: number): { json: string; sum: number } | null {
  const match = /^([0-9a-f]{8}) (.*)$/s.exec(line);
  if (!match) return null;
  const sum = crc32(utf8.encode(match[2]), seed);
  return sum === Number.parseInt(match[1], 16) ? { json: match[2], sum } : null;
}

function encodeVector(vector: Float32Array): string {
  return Buffer.from(vector.buffer, vector.byteOffset, vector.byteLength).toString('base64');
}

/** The vector of a journal chunk: exactly `dims` finite floats, else `null`. */
function decodeVector(base64: unknown, dims: number): Float32Array | null {
  if (typeof base64 !== 'string') return null;
  const bytes = Buffer.from(base64, 'base64');
  if (bytes.byteLength !== dims * 4) return null;
  const out = new Float32Array(dims);
  new Uint8Array(out.buffer).set(bytes);
  for (let i = 0; i < dims; i++) if (out[i] - out[i] !== 0) return null;
  return out;
}

/** The chunks of a verified record line, or `null` when its content is unusable. */
function decodeRecord(json: string, dims: number): { key: string; chunks: EmbeddedChunk[] } | null {
  let record: { key?: unknown; chunks?: unknown };
  try {
    record = JSON.parse(json);
  } catch {
    return null;
  }
  if (typeof record?.key !== 'string' || !Array.isArray(record.chunks)) {
    return null;
  }
  const chunks: EmbeddedChunk[] = [];
  for (const c of record.chunks as Record<string, unknown>[]) {
    const vector = decodeVector(c?.vector, dims);
    const metadata = c?.metadata;
    if (
      vector === null ||
      typeof c.id !== 'string' ||
      c.id === '' ||
      typeof c.text !== 'string' ||
      typeof metadata !== 'object' ||
      metadata === null ||
      Array.isArray(metadata)
    ) {
      return null;
    }
    chunks.push({ id: c.id, text: c.text, metadata: metadata as Metadata, vector });
  }
  return { key: record.key, chunks };
}

/** The journal path used for an output file. */
export function journalPathFor(outPath: string): string {
  return `${outPath}.journal`;
}

function readHeader(path: string, firstLine: string): { header: JournalHeader; sum: number } {
  const sealed = openLine(firstLine, 0);
  let parsed: Partial<JournalHeader> | null = null;
  try {
    parsed = JSON.parse(sealed ? sealed.json : firstLine);
  } catch {
    parsed = null;
  }
  if (parsed?.journal === 'webembed-cli' && parsed.version !== JOURNAL_VERSION && !sealed) {
    throw new WebEmbedError(
      'UNSUPPORTED_FORMAT',
      `journal ${path} is version ${String(parsed.version)} (this webembed writes version ${JOURNAL_VERSION}, with a checksum a line); rerun without --resume to start over`,
    );
  }
  if (!sealed || parsed === null) {
    throw new WebEmbedError(
      'CORRUPT_FILE',
      `journal ${path} has an unreadable or altered header (checksum mismatch); rerun without --resume to start over`,
    );
  }
  if (
    parsed.journal !== 'webembed-cli' ||
    parsed.version !== JOURNAL_VERSION ||
    typeof parsed.fingerprint !== 'object' ||
    parsed.fingerprint === null
  ) {
    throw new WebEmbedError(
      'CORRUPT_FILE',
      `${path} is not a webembed-cli version ${JOURNAL_VERSION} journal`,
    );
  }
  return { header: parsed as JournalHeader, sum: sealed.sum };
}

/**
 * Reads a journal for resuming: the finished documents by key, and the record lines that were not
 * reused (torn, failing their checksum, or holding unusable content: their documents are embedded
 * again). Returns nothing done when the file does not exist. Throws `MODEL_MISMATCH` when it was
 * written by another model, `INVALID_ARGUMENT` when its chunk options differ, `CORRUPT_FILE` when
 * its header is unreadable or altered, `UNSUPPORTED_FORMAT` for a journal of another version.
 */
export function readJournal(path: string, header: JournalHeader): JournalContents {
  let content: string;
  try {
    content = readFileSync(path, 'utf8');
  } catch (cause) {
    if ((cause as NodeJS.ErrnoException).code === 'ENOENT') return { done: new Map(), ignored: [] };
    throw cause;
  }
  const lines = content.split('\n');
  const { header: stored, sum: headerSum } = readHeader(path, lines[0]);
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
  const ignored: IgnoredJournalLine[] = [];
  const last = lines.length - 1; // '' when the file ends with a newline
  for (let i = 1; i < lines.length; i++) {
    if (lines[i] === '') continue;
    const sealed = openLine(lines[i], headerSum);
    if (sealed === null) {
      ignored.push({ line: i + 1, reason: i === last ? 'torn' : 'checksum' });
      continue;
    }
    const record = decodeRecord(sealed.json, dims);
    if (record === null) ignored.push({ line: i + 1, reason: 'content' });
    else done.set(record.key, record.chunks);
  }
  return { done, ignored };
}

/**
 * Opens a journal for appending. `fresh` truncates it and writes the header; otherwise existing
 * lines are kept (a torn last line is closed off with a newline first) and new lines are sealed
 * against the existing header.
 */
export function openJournal(path: string, header: JournalHeader, fresh: boolean): JournalWriter {
  let existing = '';
  if (!fresh) {
    try {
      existing = readFileSync(path, 'utf8');
    } catch {
      existing = '';
    }
  }
  const headerLine = sealLine(JSON.stringify(header), 0);
  const fd = openSync(path, fresh ? 'w' : 'a');
  let headerSum: number;
  if (existing === '') {
    writeSync(fd, `${headerLine}\n`);
    headerSum = readHeader(path, headerLine).sum;
  } else {
    const firstLineEnd = existing.indexOf('\n');
    headerSum = readHeader(path, firstLineEnd < 0 ? existing : existing.slice(0, firstLineEnd)).sum;
    if (!existing.endsWith('\n')) writeSync(fd, '\n');
  }
  fsyncSync(fd);
  return {
    append(documents) {
      if (documents.length === 0) return;
      const lines = documents.map(({ key, chunks }) =>
        sealLine(
          JSON.stringify({
            key,
            chunks: chunks.map((c) => ({
              id: c.id,
              text: c.text,
              metadata: c.metadata,
              vector: encodeVector(c.vector),
            })),
          }),
          headerSum,
        ),
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
