/**
 * Pooling of token states into one vector a text, done by the engine (not by transformers.js)
 * so that token states stay available, e.g. for late chunking.
 *
 * @module
 */
import { WebEmbedError } from '@webembed/core';
import type { Pooling } from './presets.js';

/** Token states of a padded batch, `[batch, seq, width]` row-major, with its attention mask. */
export interface TokenStates {
  readonly data: Float32Array;
  readonly batch: number;
  readonly seq: number;
  readonly width: number;
  /** `[batch, seq]`: 1 for real tokens, 0 for padding. */
  readonly mask: ArrayLike<number | bigint>;
}

/**
 * One vector per row of `states`: the mean of the unmasked token states (`mean`) or the first
 * token's state (`cls`), cut to its first `dims` values (Matryoshka), then L2-normalized when
 * `normalize`. Written into `out` at row offset `outRow` (`out` holds `dims` floats a row).
 */
export function poolInto(
  states: TokenStates,
  pooling: Pooling,
  dims: number,
  normalize: boolean,
  out: Float32Array,
  outRows: ArrayLike<number>,
): void {
  const { data, batch, seq, width, mask } = states;
  if (dims > width) {
    throw new WebEmbedError(
      'DIMENSION_MISMATCH',
      `the model returned ${width}-wide token states but ${dims} dims were expected; check the preset's dims`,
      { expected: dims, actual: width },
    );
  }
  const acc = new Float64Array(dims);
  for (let b = 0; b < batch; b++) {
    acc.fill(0);
    if (pooling === 'cls') {
      const base = b * seq * width;
      for (let j = 0; j < dims; j++) acc[j] = data[base + j];
    } else {
      let count = 0;
      for (let t = 0; t < seq; t++) {
        if (Number(mask[b * seq + t]) === 0) continue;
        count++;
        const base = (b * seq + t) * width;
        for (let j = 0; j < dims; j++) acc[j] += data[base + j];
      }
      const inv = 1 / Math.max(count, 1);
      for (let j = 0; j < dims; j++) acc[j] *= inv;
    }
    let scale = 1;
    if (normalize) {
      let sq = 0;
      for (let j = 0; j < dims; j++) sq += acc[j] * acc[j];
      if (!(sq > 0) || !Number.isFinite(sq)) {
        throw new WebEmbedError(
          sq === 0 ? 'ZERO_VECTOR' : 'NOT_FINITE',
          `the model produced a ${sq === 0 ? 'zero' : 'non-finite'} pooled vector for text ${b} of the batch; it cannot be normalized`,
          { row: b },
        );
      }
      scale = 1 / Math.sqrt(sq);
    }
    const offset = outRows[b] * dims;
    for (let j = 0; j < dims; j++) out[offset + j] = acc[j] * scale;
  }
}

/** The unmasked token states of row `b` of a batch, `[tokens, width]` row-major. */
export function tokenStatesOf(states: TokenStates, b: number): Float32Array {
  const { data, seq, width, mask } = states;
  let count = 0;
  for (let t = 0; t < seq; t++) if (Number(mask[b * seq + t]) !== 0) count++;
  const out = new Float32Array(count * width);
  let row = 0;
  for (let t = 0; t < seq; t++) {
    if (Number(mask[b * seq + t]) === 0) continue;
    out.set(data.subarray((b * seq + t) * width, (b * seq + t + 1) * width), row * width);
    row++;
  }
  return out;
}
