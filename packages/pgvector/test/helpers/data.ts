/** Loads the vendored bge-m3 vectors (data/bge-m3-alice): 1000 x 1024 unit vectors with their texts. */
import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Float32Matrix, ModelFingerprint } from '@webembed/core';

const dataDir = join(dirname(fileURLToPath(import.meta.url)), '..', '..', '..', '..', 'data', 'bge-m3-alice');

/** The fingerprint the vendored vectors were made with. */
export const BGE_M3: ModelFingerprint = {
  modelId: 'BAAI/bge-m3',
  revision: '',
  dims: 1024,
  pooling: 'cls',
  normalized: true,
  prefixScheme: 'none',
  matryoshkaDims: null,
  dtype: 'fp32',
};

/**
 * Rows of the two sets, sentence set first. Ids `r0000..r0999` sort in row order, so Postgres's
 * tie-break by id matches core's tie-break by lower row (the sets hold a few identical vectors).
 */
export interface AliceData {
  readonly ids: string[];
  readonly texts: string[];
  readonly metadata: { set: 'sentence' | 'paragraph'; n: number }[];
  readonly vectors: Float32Matrix;
}

let cached: AliceData | undefined;

export function loadAlice(): AliceData {
  if (cached) return cached;
  const ids: string[] = [];
  const texts: string[] = [];
  const metadata: AliceData['metadata'] = [];
  const parts: Float32Array[] = [];
  for (const set of ['sentence', 'paragraph'] as const) {
    const buf = readFileSync(join(dataDir, `bge-m3-${set}.f32`));
    parts.push(new Float32Array(buf.buffer.slice(buf.byteOffset, buf.byteOffset + buf.byteLength)));
    const setTexts = JSON.parse(readFileSync(join(dataDir, `bge-m3-${set}-texts.json`), 'utf8')) as string[];
    setTexts.forEach((text, n) => {
      ids.push(`r${String(ids.length).padStart(4, '0')}`);
      texts.push(text);
      metadata.push({ set, n });
    });
  }
  const data = new Float32Array(parts[0].length + parts[1].length);
  data.set(parts[0]);
  data.set(parts[1], parts[0].length);
  cached = { ids, texts, metadata, vectors: { data, rows: ids.length, dims: 1024 } };
  return cached;
}

/** Row `r` of a matrix as a fresh Float32Array. */
export function rowOf(m: Float32Matrix, r: number): Float32Array {
  return m.data.slice(r * m.dims, (r + 1) * m.dims);
}
