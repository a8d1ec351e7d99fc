/**
 * Row blocks (ids and tombstones) as stored: one ArrayBuffer per block. Chromium wraps values
 * over 64 KiB into blobs, which it reads in bulk many times faster than inline values, and one
 * flat buffer also clones faster than objects holding strings; packing ids as UTF-16 code units
 * keeps every string exactly (lone surrogates included).
 *
 * Layout (little-endian): `u32 rows`, `u32 textUnits`, `u8 skip[rows]` padded to 4 bytes,
 * `u32 idEnds[rows]`, `u16 text[textUnits]`; id `r` is `text[idEnds[r - 1] ?? 0 .. idEnds[r]]`.
 *
 * @module
 */
import type { BlockKey, RowBlock } from './schema.js';

const pad4 = (n: number) => (n + 3) & ~3;

/** Packs a row block into one buffer. */
export function encodeRowBlock(rb: RowBlock): ArrayBuffer {
  const rows = rb.idEnds.length;
  const units = rb.idText.length;
  const skipBytes = pad4(rows);
  const buffer = new ArrayBuffer(8 + skipBytes + rows * 4 + units * 2);
  const head = new Uint32Array(buffer, 0, 2);
  head[0] = rows;
  head[1] = units;
  new Uint8Array(buffer, 8, rows).set(rb.skip.subarray(0, rows));
  new Uint32Array(buffer, 8 + skipBytes, rows).set(rb.idEnds);
  const text = new Uint16Array(buffer, 8 + skipBytes + rows * 4, units);
  for (let i = 0; i < units; i++) text[i] = rb.idText.charCodeAt(i);
  return buffer;
}

const CHUNK = 8192;

/** Unpacks a stored row block (views into `buffer`, plus the id text as one string). */
export function decodeRowBlock(buffer: ArrayBuffer): RowBlock {
  const [rows, units] = new Uint32Array(buffer, 0, 2);
  const skipBytes = pad4(rows);
  const skip = new Uint8Array(buffer, 8, rows);
  const idEnds = new Uint32Array(buffer, 8 + skipBytes, rows);
  const text = new Uint16Array(buffer, 8 + skipBytes + rows * 4, units);
  let idText = '';
  for (let at = 0; at < units; at += CHUNK) {
    idText += String.fromCharCode.apply(null, text.subarray(at, at + CHUNK) as unknown as number[]);
  }
  return { idText, idEnds, skip, idUnits: text };
}

/** A row block by key, decoded. */
export async function getRowBlock(
  store: { get(key: BlockKey): Promise<ArrayBuffer | undefined> },
  key: BlockKey,
): Promise<RowBlock | undefined> {
  const buffer = await store.get(key);
  return buffer ? decodeRowBlock(buffer) : undefined;
}

/** Every row block in a key range, decoded, in key order. */
export async function getAllRowBlocks(
  store: { getAll(query: IDBKeyRange): Promise<ArrayBuffer[]> },
  range: IDBKeyRange,
): Promise<RowBlock[]> {
  return (await store.getAll(range)).map(decodeRowBlock);
}

/** Stores a row block. */
export async function putRowBlock(
  store: { put(value: ArrayBuffer, key: BlockKey): Promise<unknown> },
  key: BlockKey,
  rb: RowBlock,
): Promise<void> {
  await store.put(encodeRowBlock(rb), key);
}
