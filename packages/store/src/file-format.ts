/**
 * The collection file: one binary file holding a whole collection (live rows) with its
 * fingerprint, calibration and a CRC-32 trailer. Pure functions, no IndexedDB: Node tools write
 * and read the same bytes as the browser. The layout is specified in FORMAT.md.
 *
 * @module
 */
import { type Int8Calibration, WebEmbedError } from '@webembed/core';
import { crc32 } from './crc32.js';
import { liveRows } from './snapshot.js';
import type { CollectionSnapshot, Metadata, VectorKind } from './types.js';
import { assertCalibration, assertFingerprint } from './validate.js';

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
 * and metadata (`load({ documents: true })`, the default, or `buildSnapshot`).
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

function checkHeader(raw: unknown, fileLength: number): FileHeader {
  const h = raw as FileHeader;
  if (typeof h !== 'object' || h === null || typeof h.name !== 'string' || h.name.length === 0) {
    throw corrupt('header has no collection name');
  }
  try {
    assertFingerprint(h.fingerprint);
  } catch {
    throw corrupt('header fingerprint is malformed');
  }
  if (h.dims !== h.fingerprint.dims || !Number.isInteger(h.rows) || h.rows < 0) {
    throw corrupt(`header dims ${h.dims} / rows ${h.rows} are inconsistent`);
  }
  if (
    !Array.isArray(h.kinds) ||
    h.kinds.length === 0 ||
    h.kinds.some((k) => !['float32', 'int8', 'binary'].includes(k))
  ) {
    throw corrupt('header kinds are malformed');
  }
  if (!Array.isArray(h.sections)) throw corrupt('header has no section table');
  for (const s of h.sections) {
    if (
      !SECTION_NAMES.includes(s?.name) ||
      !Number.isInteger(s.offset) ||
      !Number.isInteger(s.byteLength) ||
      s.offset < PREFIX ||
      s.byteLength < 0 ||
      s.offset + s.byteLength > fileLength - TRAILER
    ) {
      throw corrupt(`section ${JSON.stringify(s?.name)} lies outside the file`);
    }
  }
  return h;
}

/**
 * Decodes a collection file into a snapshot (all rows live, generation 0). Foreign bytes or a
 * newer version -> UNSUPPORTED_FORMAT; a checksum mismatch, truncation or inconsistent contents ->
 * CORRUPT_FILE. Never returns partial data.
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
  if (PREFIX + headerLength > bytes.length - TRAILER) throw corrupt('header runs past the end of the file');
  const header = checkHeader(
    parseJson(bytes.subarray(PREFIX, PREFIX + headerLength), 'header'),
    bytes.length,
  );
  const { rows, dims } = header;
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
    return make(raw.slice().buffer);
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
    metadata.some((m) => m !== null && (typeof m !== 'object' || Array.isArray(m)))
  ) {
    throw corrupt(`metadata section must hold ${rows} objects or nulls`);
  }
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
  let calibration: Int8Calibration | null = null;
  if (header.calibration) {
    calibration = {
      scheme: header.calibration.scheme,
      min: Float32Array.from(header.calibration.min ?? []),
      max: Float32Array.from(header.calibration.max ?? []),
    };
    try {
      assertCalibration(calibration, dims);
    } catch {
      throw corrupt('calibration is malformed');
    }
  }
  if (int8 && !calibration) throw corrupt('int8 vectors without a calibration');
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
