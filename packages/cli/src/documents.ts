/**
 * Reading a folder of documents: `.txt`/`.md` files are one document each; `.json` files hold an
 * array of strings or `{ id?, text, metadata? }` objects; `.jsonl` files one such value a line.
 * Every problem (unreadable file, bad JSON, bad entry, empty text, repeated id) is recorded as a
 * {@link SkippedInput} and the rest goes on.
 *
 * @module
 */
import { createHash } from 'node:crypto';
import { readdir, readFile, stat } from 'node:fs/promises';
import { extname, join, relative, sep } from 'node:path';
import { WebEmbedError } from '@webembed/core';
import type { Metadata } from '@webembed/store';

/** One document to index. */
export interface SourceDocument {
  /** Document id: the JSON `id`, else the file path (plus `#<entry>` for JSON/JSONL entries). */
  readonly id: string;
  readonly text: string;
  readonly metadata: Metadata | undefined;
  /** File path relative to the folder, with `/` separators. */
  readonly source: string;
  /** Resume key: source path, SHA-256 of the file's bytes, and the entry's position in the file. */
  readonly key: string;
}

/** An input that was not indexed, and why. */
export interface SkippedInput {
  /** File path relative to the folder. */
  readonly path: string;
  /** 1-based line (JSONL) or 0-based entry index (JSON), when the problem is one entry. */
  readonly line?: number;
  readonly entry?: number;
  readonly reason: string;
}

/** Result of {@link readDocuments}. */
export interface ReadResult {
  readonly documents: SourceDocument[];
  readonly skipped: SkippedInput[];
  /** Files with a supported extension that were looked at. */
  readonly files: number;
}

const TEXT_EXTENSIONS = new Set(['.txt', '.md', '.markdown']);
const JSON_EXTENSIONS = new Set(['.json']);
const JSONL_EXTENSIONS = new Set(['.jsonl', '.ndjson']);

function isPlainObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** All supported files under `folder`, sorted, as relative `/` paths. Unreadable folders are skipped. */
async function listFiles(folder: string, skipped: SkippedInput[]): Promise<string[]> {
  const out: string[] = [];
  async function walk(dir: string): Promise<void> {
    let entries: import('node:fs').Dirent[];
    try {
      entries = await readdir(dir, { withFileTypes: true });
    } catch (cause) {
      skipped.push({
        path: toPosix(relative(folder, dir)) || '.',
        reason: `cannot list folder: ${message(cause)}`,
      });
      return;
    }
    for (const entry of entries) {
      if (entry.name.startsWith('.') || entry.name === 'node_modules') continue;
      const full = join(dir, entry.name);
      if (entry.isDirectory()) await walk(full);
      else if (entry.isFile() || entry.isSymbolicLink()) {
        const ext = extname(entry.name).toLowerCase();
        if (TEXT_EXTENSIONS.has(ext) || JSON_EXTENSIONS.has(ext) || JSONL_EXTENSIONS.has(ext)) out.push(full);
      }
    }
  }
  await walk(folder);
  return out.map((f) => toPosix(relative(folder, f))).sort();
}

function toPosix(path: string): string {
  return path.split(sep).join('/');
}

function message(cause: unknown): string {
  if (cause instanceof Error) return (cause as NodeJS.ErrnoException).code ?? cause.message;
  return String(cause);
}

/** Reads one JSON/JSONL value into a document, or returns why it cannot be one. */
function entryToDocument(
  value: unknown,
  fallbackId: string,
): { id: string; text: string; metadata: Metadata | undefined } | string {
  if (typeof value === 'string') return { id: fallbackId, text: value, metadata: undefined };
  if (!isPlainObject(value)) return `expected a string or { id?, text, metadata? }, got ${describe(value)}`;
  if (typeof value.text !== 'string') return `"text" must be a string, got ${describe(value.text)}`;
  let id = fallbackId;
  if (value.id !== undefined) {
    if (typeof value.id === 'string' && value.id !== '') id = value.id;
    else if (typeof value.id === 'number' && Number.isFinite(value.id)) id = String(value.id);
    else return `"id" must be a non-empty string or a number, got ${describe(value.id)}`;
  }
  if (value.metadata !== undefined && !isPlainObject(value.metadata)) {
    return `"metadata" must be an object, got ${describe(value.metadata)}`;
  }
  return { id, text: value.text, metadata: value.metadata as Metadata | undefined };
}

function describe(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'an array';
  return typeof value;
}

/**
 * Reads every supported document under `folder`. Throws `NOT_FOUND` when `folder` is not a
 * readable folder; every other problem becomes an entry of `skipped`.
 *
 * @example
 * ```ts
 * const { documents, skipped } = await readDocuments('./docs');
 * ```
 */
export async function readDocuments(folder: string): Promise<ReadResult> {
  try {
    if (!(await stat(folder)).isDirectory()) throw new Error('not a folder');
  } catch (cause) {
    throw new WebEmbedError(
      'NOT_FOUND',
      `input folder "${folder}" is not a readable folder (${message(cause)})`,
      {
        path: folder,
      },
    );
  }
  const skipped: SkippedInput[] = [];
  const documents: SourceDocument[] = [];
  const seenIds = new Map<string, string>();
  const files = await listFiles(folder, skipped);

  const accept = (doc: SourceDocument, where: Omit<SkippedInput, 'reason'>) => {
    if (doc.text.trim() === '') {
      skipped.push({ ...where, reason: 'empty text' });
      return;
    }
    const first = seenIds.get(doc.id);
    if (first !== undefined) {
      skipped.push({ ...where, reason: `id "${doc.id}" already used by ${first}` });
      return;
    }
    seenIds.set(doc.id, doc.source);
    documents.push(doc);
  };

  for (const path of files) {
    let bytes: Buffer;
    try {
      bytes = await readFile(join(folder, path));
    } catch (cause) {
      skipped.push({ path, reason: `cannot read file: ${message(cause)}` });
      continue;
    }
    const hash = createHash('sha256').update(bytes).digest('hex').slice(0, 32);
    let content: string;
    try {
      content = new TextDecoder('utf-8', { fatal: true }).decode(bytes).replace(/^\uFEFF/, '');
    } catch {
      skipped.push({ path, reason: 'not valid UTF-8 text' });
      continue;
    }
    const ext = extname(path).toLowerCase();
    if (TEXT_EXTENSIONS.has(ext)) {
      accept(
        { id: path, text: content, metadata: undefined, source: path, key: `${path}@${hash}` },
        { path },
      );
    } else if (JSON_EXTENSIONS.has(ext)) {
      let parsed: unknown;
      try {
        parsed = JSON.parse(content);
      } catch (cause) {
        skipped.push({ path, reason: `invalid JSON: ${message(cause)}` });
        continue;
      }
      const entries = Array.isArray(parsed) ? parsed : [parsed];
      entries.forEach((value, entry) => {
        const doc = entryToDocument(value, `${path}#${entry}`);
        if (typeof doc === 'string') skipped.push({ path, entry, reason: doc });
        else accept({ ...doc, source: path, key: `${path}@${hash}#${entry}` }, { path, entry });
      });
    } else {
      const lines = content.split(/\r?\n/);
      lines.forEach((raw, index) => {
        const line = index + 1;
        if (raw.trim() === '') return;
        let value: unknown;
        try {
          value = JSON.parse(raw);
        } catch (cause) {
          skipped.push({ path, line, reason: `invalid JSON line: ${message(cause)}` });
          return;
        }
        const doc = entryToDocument(value, `${path}#${line}`);
        if (typeof doc === 'string') skipped.push({ path, line, reason: doc });
        else accept({ ...doc, source: path, key: `${path}@${hash}#${line}` }, { path, line });
      });
    }
  }
  return { documents, skipped, files: files.length };
}
