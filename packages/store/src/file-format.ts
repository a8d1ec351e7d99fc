/**
 * The collection file: one binary file holding a whole collection (live rows) with its
 * fingerprint, calibration and a CRC-32 trailer. Pure functions, no IndexedDB: Node tools write
 * and read the same bytes as the browser. The layout is specified in FORMAT.md.
 *
 * @module
 */
import { type Int8Calibration, WebEmbedError, assertInt8Calibration, quantizeBinary } from '@webembed/core';
import { crc32 } from './crc32.js';
import { liveRows } from './snapshot.js';
import type { CollectionSnapshot, Metadata, VectorKind } from './types.js';
import { MAX_METADATA_DEPTH, assertFingerprint, assertName, metadataDepth } from './validate.js';

/** The 8 magic bytes every collection file starts with: `\x89WEBEMB\n`. */
export const COLLECTION_FILE_MAGIC = new Uint8Array([0x89, 0x57, 0x45, 0x42, 0x45, 0x4d, 0x42, 0x0a]);
/** The format version this code writes and reads. */
export const COLLECTION_FILE_VERSION = 1;

const PREFIX = 16; // magic (8) + version (4) + header length (4)
const TRAILER = 4; // CRC-32
const SECTION_NAMES = ['ids', 'texts', 'metadata', 'float32', 'int8', 'binary', 'l1Norms'] as const;
type SectionName = (typeof SECTION_NAMES)[number];

interface SectionEntry {
  name: SectionName;
  offset: number;
  byteLength: number;
}

interface FileHeader {
  name: string;
  fingerprint: CollectionSnapshot['fingerprint'];
  dims: number;
  kinds: VectorKind[];
  rows: number;
  calibration: { scheme: Int8Calibration['scheme']; min: number[]; max: number[] } | null;
  sections: SectionEntry[];
}

const littleEndian = new Uint8Array(new Uint32Array([1]).buffer)[0] === 1;

function assertLittleEndian(): void {
  if (!littleEndian) {
    throw new WebEmbedError(
      'UNSUPPORTED_FORMAT',
      'collection files are little-endian; this host is big-endian',
    );
  }
}

const align8 = (n: number) => (n + 7) & ~7;

function bytesOf(view: ArrayBufferView): Uint8Array {
  return new Uint8Array(view.buffer, view.byteOffset, view.byteLength);
}

/**
 * Encodes a snapshot (only its live rows) as one collection file. The snapshot must carry texts
 * and metadata (`load({ documents: true })`, the default, or `buildSnapshot`). Refuses NaN or
 * Infinity in the float32 rows or the L1 norms (`NOT_FINITE`), so no file it writes is refused on read.
 *
 * @example
 * ```ts
 * const bytes = encodeCollectionFile(await collection.load());
 * const again = decodeCollectionFile(bytes); // same ids, vectors, fingerprint
 * ```
 */
export function encodeCollectionFile(snapshot: CollectionSnapshot): Uint8Array {
  assertLittleEndian();
  if (!snapshot?.texts || !snapshot.metadata) {
    throw new WebEmbedError(
      'INVALID_ARGUMENT',
      'encodeCollectionFile needs a snapshot with texts and metadata (load it with { documents: true })',
    );
  }
  const live = liveRows(snapshot);
  if (live.float32) assertFiniteRows(live.float32.data, live.dims, live.ids);
  if (live.binary?.l1Norms) assertNorms(live.binary.l1Norms, live.ids);
  const encoder = new TextEncoder();
  const payloads: [SectionName, Uint8Array][] = [
    ['ids', encoder.encode(JSON.stringify(live.ids))],
    ['texts', encoder.encode(JSON.stringify(live.texts))],
    ['metadata', encoder.encode(JSON.stringify((live.metadata ?? []).map((m) => m ?? null)))],
  ];
  if (live.float32) payloads.push(['float32', bytesOf(live.float32.data)]);
  if (live.int8) payloads.push(['int8', bytesOf(live.int8.data)]);
  if (live.binary) {
    payloads.push(['binary', bytesOf(live.binary.words)]);
    const norms = live.binary.l1Norms ?? new Float32Array(live.rows).fill(Number.NaN);
    payloads.push(['l1Norms', bytesOf(norms)]);
  }
  const cal = live.int8?.calibration ?? live.calibration;
  const headerBase = {
    name: live.name,
    fingerprint: live.fingerprint,
    dims: live.dims,
    kinds: [...live.kinds],
    rows: live.rows,
    calibration: cal ? { scheme: cal.scheme, min: Array.from(cal.min), max: Array.from(cal.max) } : null,
  };
  // Section offsets depend on the header's length, which depends on the offsets' digits: lay out
  // with a generous estimate, then pad the header JSON with spaces to the reserved size.
  const draft = (base: number): SectionEntry[] => {
    let at = base;
    return payloads.map(([name, bytes]) => {
      const entry = { name, offset: at, byteLength: bytes.byteLength };
      at = align8(at + bytes.byteLength);
      return entry;
    });
  };
  let headerBytes = encoder.encode(JSON.stringify({ ...headerBase, sections: draft(2 ** 40) }));
  const dataStart = align8(PREFIX + headerBytes.byteLength + 16);
  const sections = draft(dataStart);
  headerBytes = encoder.encode(JSON.stringify({ ...headerBase, sections }));
  const last = sections[sections.length - 1];
  const total = align8(last.offset + last.byteLength) + TRAILER;
  const out = new Uint8Array(total);
  out.set(COLLECTION_FILE_MAGIC, 0);
  const view = new DataView(out.buffer);
  view.setUint32(8, COLLECTION_FILE_VERSION, true);
  view.setUint32(12, dataStart - PREFIX, true);
  out.fill(0x20, PREFIX, dataStart); // header padding: JSON whitespace
  out.set(headerBytes, PREFIX);
  payloads.forEach(([, bytes], i) => {
    out.set(bytes, sections[i].offset);
  });
  view.setUint32(total - TRAILER, crc32(out.subarray(0, total - TRAILER)), true);
  return out;
}

function corrupt(message: string): WebEmbedError {
  return new WebEmbedError('CORRUPT_FILE', `collection file is corrupt: ${message}`);
}

function parseJson(bytes: Uint8Array, what: string): unknown {
  try {
    return JSON.parse(new TextDecoder('utf-8', { fatal: true }).decode(bytes));
  } catch {
    throw corrupt(`the ${what} is not valid UTF-8 JSON`);
  }
}

const isObject = (v: unknown): v is Record<string, unknown> =>
  typeof v === 'object' && v !== null && !Array.isArray(v);

/**
 * The section table: known names, each at most once, 8-aligned, inside the data area (after the
 * header, before the trailer), and no two overlapping.
 */
function checkSections(raw: unknown, dataStart: number, dataEnd: number): SectionEntry[] {
  if (!Array.isArray(raw)) throw corrupt('header has no section table');
  const seen = new Set<string>();
  for (const s of raw as SectionEntry[]) {
    if (!isObject(s) || !SECTION_NAMES.includes(s.name as SectionName)) {
      throw corrupt(`unknown section ${JSON.stringify(isObject(s) ? s.name : s)}`);
    }
    if (seen.has(s.name)) throw corrupt(`section ${s.name} appears twice`);
    seen.add(s.name);
    if (
      !Number.isSafeInteger(s.offset) ||
      !Number.isSafeInteger(s.byteLength) ||
      s.byteLength < 0 ||
      s.offset % 8 !== 0 ||
      s.offset < dataStart ||
      s.offset + s.byteLength > dataEnd
    ) {
      throw corrupt(
        `section ${s.name} (offset ${s.offset}, ${s.byteLength} bytes) lies outside the data area [${dataStart}, ${dataEnd}) or is not 8-aligned`,
      );
    }
  }
  const sorted = [...(raw as SectionEntry[])].sort((a, b) => a.offset - b.offset);
  for (let i = 1; i < sorted.length; i++) {
    const before = sorted[i - 1];
    if (sorted[i].offset < before.offset + before.byteLength) {
      throw corrupt(`sections ${before.name} and ${sorted[i].name} overlap`);
    }
  }
  return raw as SectionEntry[];
}

function checkCalibration(raw: unknown, dims: number): Int8Calibration | null {
  if (raw === null || raw === undefined) return null;
  const numbers = (v: unknown) =>
    Array.isArray(v) && v.length === dims && v.every((x) => typeof x === 'number');
  if (!isObject(raw) || !numbers(raw.min) || !numbers(raw.max)) {
    throw corrupt(`calibration must be { scheme, min, max } with ${dims} numbers each`);
  }
  const calibration = {
    scheme: raw.scheme as Int8Calibration['scheme'],
    min: Float32Array.from(raw.min as number[]),
    max: Float32Array.from(raw.max as number[]),
  };
  try {
    assertInt8Calibration(calibration, dims);
  } catch (cause) {
    throw corrupt(`calibration is malformed (${(cause as Error).message})`);
  }
  return calibration;
}

function checkHeader(raw: unknown, dataStart: number, dataEnd: number): FileHeader {
  if (!isObject(raw) || typeof raw.name !== 'string') throw corrupt('header has no collection name');
  const h = raw as unknown as FileHeader;
  try {
    assertName(h.name);
    assertFingerprint(h.fingerprint);
  } catch (cause) {
    throw corrupt(`header name or fingerprint is malformed (${(cause as Error).message})`);
  }
  if (h.dims !== h.fingerprint.dims || !Number.isSafeInteger(h.rows) || h.rows < 0) {
    throw corrupt(`header dims ${h.dims} / rows ${h.rows} are inconsistent`);
  }
  if (
    !Array.isArray(h.kinds) ||
    h.kinds.length === 0 ||
    h.kinds.some((k) => !['float32', 'int8', 'binary'].includes(k)) ||
    new Set(h.kinds).size !== h.kinds.length
  ) {
    throw corrupt('header kinds are malformed');
  }
  return {
    ...h,
    calibration: null,
    sections: checkSections(h.sections, dataStart, dataEnd),
  };
}

/** A copy of `raw` in its own ArrayBuffer (a Node Buffer's `.buffer` is a shared pool). */
function ownBuffer(raw: Uint8Array): ArrayBuffer {
  const copy = new Uint8Array(raw.byteLength);
  copy.set(raw);
  return copy.buffer;
}

function notFinite(what: string, row: number, dimension: number, value: number, id: string): WebEmbedError {
  return new WebEmbedError(
    'NOT_FINITE',
    `collection file row ${row} (id ${JSON.stringify(id)}): ${what}[${dimension}] is ${value}; vectors must be finite`,
    { row, dimension, id },
  );
}

/** Throws `NOT_FINITE` naming the first row (and its id) holding NaN or Infinity. */
function assertFiniteRows(data: Float32Array, dims: number, ids: readonly string[]): void {
  for (let i = 0; i < data.length; i++) {
    const v = data[i];
    if (v - v !== 0) {
      const row = Math.floor(i / dims);
      throw notFinite('float32', row, i - row * dims, v, ids[row]);
    }
  }
}

/** L1 norms are NaN (unknown) or finite and >= 0: `NOT_FINITE` for Infinity, `CORRUPT_FILE` below 0. */
function assertNorms(norms: Float32Array, ids: readonly string[]): void {
  for (let r = 0; r < norms.length; r++) {
    const v = norms[r];
    if (v === Number.POSITIVE_INFINITY || v === Number.NEGATIVE_INFINITY) {
      throw notFinite('l1Norms', r, 0, v, ids[r]);
    }
    if (v < 0) throw corrupt(`row ${r} has a negative L1 norm (${v})`);
  }
}

/**
 * Binary rows: padding bits past `dims` are 0 and, when the float32 rows are present, every bit is
 * the sign of its float (and every known L1 norm their L1 norm), as the writer derived them.
 */
function assertBinaryRows(
  words: Uint32Array,
  norms: Float32Array | undefined,
  float32: Float32Array | undefined,
  rows: number,
  dims: number,
): void {
  const perRow = Math.ceil(dims / 32);
  const tail = dims & 31;
  if (tail !== 0) {
    const padding = ~((1 << tail) - 1) >>> 0;
    for (let r = 0; r < rows; r++) {
      if ((words[r * perRow + perRow - 1] & padding) !== 0) {
        throw corrupt(`binary row ${r} has padding bits set past dimension ${dims}`);
      }
    }
  }
  if (!float32) return;
  const derived = quantizeBinary({ data: float32, rows, dims });
  for (let r = 0; r < rows; r++) {
    for (let w = r * perRow; w < (r + 1) * perRow; w++) {
      if (words[w] !== derived.words[w]) {
        throw corrupt(`binary row ${r} disagrees with the signs of its float32 row`);
      }
    }
    const stored = norms?.[r] ?? Number.NaN;
    const expected = derived.l1Norms![r];
    if (!Number.isNaN(stored) && Math.abs(stored - expected) > 1e-5 * Math.max(1, expected)) {
      throw corrupt(`row ${r} has L1 norm ${stored}, its float32 row has ${expected}`);
    }
  }
}

/**
 * Decodes a collection file into a snapshot (all rows live, generation 0). Any `Uint8Array`
 * works, including a Node `Buffer` (what `readFile` returns) or a view into a larger buffer; the
 * result owns copies of its vectors. Foreign bytes or a newer version -> UNSUPPORTED_FORMAT; a
 * checksum mismatch, truncation or inconsistent structure (overlapping or misplaced sections, set
 * padding bits, binary rows that disagree with the float rows, ...) -> CORRUPT_FILE; NaN or
 * Infinity in a vector section -> NOT_FINITE naming the row. Never returns partial data.
 */
export function decodeCollectionFile(bytes: Uint8Array): CollectionSnapshot {
  assertLittleEndian();
  if (!(bytes instanceof Uint8Array)) {
    throw new WebEmbedError('INVALID_ARGUMENT', 'decodeCollectionFile expects a Uint8Array');
  }
  const magicBytes = Math.min(bytes.length, COLLECTION_FILE_MAGIC.length);
  for (let i = 0; i < magicBytes; i++) {
    if (bytes[i] !== COLLECTION_FILE_MAGIC[i]) {
      throw new WebEmbedError('UNSUPPORTED_FORMAT', 'not a webembed collection file (wrong magic bytes)');
    }
  }
  if (bytes.length < PREFIX + TRAILER) throw corrupt(`truncated: only ${bytes.length} bytes`);
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const stored = view.getUint32(bytes.length - TRAILER, true);
  if (crc32(bytes.subarray(0, bytes.length - TRAILER)) !== stored) {
    throw corrupt('checksum mismatch (truncated or modified)');
  }
  const version = view.getUint32(8, true);
  if (version !== COLLECTION_FILE_VERSION) {
    throw new WebEmbedError(
      'UNSUPPORTED_FORMAT',
      `collection file format version ${version} is not supported; this webembed reads version ${COLLECTION_FILE_VERSION}`,
      { version },
    );
  }
  const headerLength = view.getUint32(12, true);
  const dataEnd = bytes.length - TRAILER;
  if (PREFIX + headerLength > dataEnd) throw corrupt('header runs past the end of the file');
  const rawHeader = parseJson(bytes.subarray(PREFIX, PREFIX + headerLength), 'header');
  const header = checkHeader(rawHeader, PREFIX + headerLength, dataEnd);
  const { rows, dims } = header;
  const calibration = checkCalibration((rawHeader as { calibration?: unknown }).calibration, dims);
  const section = (name: SectionName): Uint8Array | undefined => {
    const entry = header.sections.find((s) => s.name === name);
    return entry ? bytes.subarray(entry.offset, entry.offset + entry.byteLength) : undefined;
  };
  const copy = <T>(
    name: SectionName,
    bytesPerRow: number,
    make: (buffer: ArrayBuffer) => T,
  ): T | undefined => {
    const raw = section(name);
    if (!raw) return undefined;
    if (raw.byteLength !== rows * bytesPerRow) {
      throw corrupt(`section ${name} has ${raw.byteLength} bytes, expected ${rows * bytesPerRow}`);
    }
    return make(ownBuffer(raw));
  };
  const ids = parseJson(section('ids') ?? new Uint8Array(), 'ids section');
  const texts = parseJson(section('texts') ?? new Uint8Array(), 'texts section');
  const metadata = parseJson(section('metadata') ?? new Uint8Array(), 'metadata section');
  if (
    !Array.isArray(ids) ||
    ids.length !== rows ||
    ids.some((id) => typeof id !== 'string' || id.length === 0)
  ) {
    throw corrupt(`ids section must hold ${rows} non-empty strings`);
  }
  if (new Set(ids).size !== rows) throw corrupt('ids section has duplicate ids');
  if (!Array.isArray(texts) || texts.length !== rows || texts.some((t) => typeof t !== 'string')) {
    throw corrupt(`texts section must hold ${rows} strings`);
  }
  if (
    !Array.isArray(metadata) ||
    metadata.length !== rows ||
    metadata.some((m) => m !== null && !isObject(m))
  ) {
    throw corrupt(`metadata section must hold ${rows} objects or nulls`);
  }
  metadata.forEach((m, row) => {
    if (m !== null && metadataDepth(m) > MAX_METADATA_DEPTH) {
      throw corrupt(`metadata of row ${row} nests deeper than ${MAX_METADATA_DEPTH} levels`);
    }
  });
  const wordsPerRow = Math.ceil(dims / 32);
  const float32 = copy('float32', dims * 4, (b) => new Float32Array(b));
  const int8 = copy('int8', dims, (b) => new Int8Array(b));
  const words = copy('binary', wordsPerRow * 4, (b) => new Uint32Array(b));
  const norms = copy('l1Norms', 4, (b) => new Float32Array(b));
  const kinds = header.kinds;
  for (const [kind, present] of [
    ['float32', float32],
    ['int8', int8],
    ['binary', words],
  ] as const) {
    if (kinds.includes(kind) !== (present !== undefined)) {
      throw corrupt(
        `kinds say ${kinds.join(', ')} but the ${kind} section is ${present ? 'present' : 'missing'}`,
      );
    }
  }
  if (norms && !words) throw corrupt('an l1Norms section without a binary section');
  if (int8 && !calibration) throw corrupt('int8 vectors without a calibration');
  if (float32) assertFiniteRows(float32, dims, ids);
  if (norms) assertNorms(norms, ids);
  if (words) assertBinaryRows(words, norms, float32, rows, dims);
  const knownNorms = norms && !norms.some(Number.isNaN) ? norms : undefined;
  return {
    name: header.name,
    fingerprint: header.fingerprint,
    dims,
    kinds: [...kinds],
    calibration,
    rows,
    count: rows,
    generation: 0,
    ids: ids as string[],
    skip: new Uint8Array(rows),
    ...(float32 ? { float32: { data: float32, rows, dims } } : {}),
    ...(int8 && calibration ? { int8: { data: int8, rows, dims, calibration } } : {}),
    ...(words
      ? { binary: { words, rows, dims, wordsPerRow, ...(knownNorms ? { l1Norms: knownNorms } : {}) } }
      : {}),
    texts: texts as string[],
    metadata: (metadata as (Metadata | null)[]).map((m) => m ?? undefined),
  };
}
