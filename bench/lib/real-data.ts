/**
 * Loads the vendored real embeddings (data/bge-m3-alice: 1000 x 1024 bge-m3 vectors of "Alice's
 * Adventures in Wonderland" sentences and paragraphs, MIT, see data/README.md). Node only.
 *
 * @module
 */
import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Float32Matrix } from '@webembed/core';
import { WebEmbedError } from '@webembed/core';

const dataDir = join(dirname(fileURLToPath(import.meta.url)), '..', '..', 'data', 'bge-m3-alice');

/** Dimensions of the vendored vectors. */
export const REAL_DIMS = 1024;

function readF32(name: string): Float32Array {
  const bytes = readFileSync(join(dataDir, name));
  if (bytes.byteLength % (4 * REAL_DIMS) !== 0) {
    throw new WebEmbedError(
      'CORRUPT_FILE',
      `${name}: ${bytes.byteLength} bytes is not a whole number of ${REAL_DIMS}-dim float32 rows`,
    );
  }
  const copy = new Uint8Array(bytes.byteLength);
  copy.set(bytes);
  return new Float32Array(copy.buffer);
}

/** The 1000 real vectors: 500 sentence rows, then 500 paragraph rows. */
export function loadRealVectors(): Float32Matrix {
  const sentence = readF32('bge-m3-sentence.f32');
  const paragraph = readF32('bge-m3-paragraph.f32');
  const data = new Float32Array(sentence.length + paragraph.length);
  data.set(sentence, 0);
  data.set(paragraph, sentence.length);
  return { data, rows: data.length / REAL_DIMS, dims: REAL_DIMS };
}
