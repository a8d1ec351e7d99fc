/**
 * Test helpers that forge collection files: read and rewrite the header, reach into a section,
 * and reseal the CRC-32 trailer so only the decoder's own structure checks stand in the way.
 */
import { crc32 } from '../src/index.js';

/** One entry of the header's section table. */
export interface ForgedSection {
  name: string;
  offset: number;
  byteLength: number;
}

/** The parsed header of a collection file (loosely typed: tests write malformed ones). */
export type ForgedHeader = Record<string, unknown> & { sections: ForgedSection[] };

const decoder = new TextDecoder();
const encoder = new TextEncoder();

function headerLength(bytes: Uint8Array): number {
  return new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength).getUint32(12, true);
}

/** The header JSON of `bytes`. */
export function readHeader(bytes: Uint8Array): ForgedHeader {
  return JSON.parse(decoder.decode(bytes.subarray(16, 16 + headerLength(bytes))));
}

/** Recomputes the CRC-32 trailer in place; returns `bytes`. */
export function reseal(bytes: Uint8Array): Uint8Array {
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  view.setUint32(bytes.length - 4, crc32(bytes.subarray(0, bytes.length - 4)), true);
  return bytes;
}

/**
 * A copy of `bytes` whose header is `header` (space-padded into the same header area) with a
 * valid CRC. Throws when the new header does not fit the area.
 */
export function withHeader(bytes: Uint8Array, header: unknown): Uint8Array {
  const json = encoder.encode(JSON.stringify(header));
  const area = headerLength(bytes);
  if (json.length > area) throw new Error(`forged header is ${json.length} bytes, the area holds ${area}`);
  const out = bytes.slice();
  out.fill(0x20, 16, 16 + area);
  out.set(json, 16);
  return reseal(out);
}

/** The entry of section `name`. */
export function sectionEntry(bytes: Uint8Array, name: string): ForgedSection {
  const entry = readHeader(bytes).sections.find((s) => s.name === name);
  if (!entry) throw new Error(`no ${name} section`);
  return entry;
}

/** A writable view of section `name` inside `bytes` (changes need {@link reseal}). */
export function sectionBytes(bytes: Uint8Array, name: string): Uint8Array {
  const { offset, byteLength } = sectionEntry(bytes, name);
  return bytes.subarray(offset, offset + byteLength);
}

/** A little-endian DataView over section `name` of `bytes`. */
export function sectionView(bytes: Uint8Array, name: string): DataView {
  const s = sectionBytes(bytes, name);
  return new DataView(s.buffer, s.byteOffset, s.byteLength);
}
