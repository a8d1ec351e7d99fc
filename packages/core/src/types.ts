/**
 * The shared data shapes of the project: flat row-major matrices in typed arrays, and the
 * top-k result every search path (CPU here, GPU in `@webembed/gpu`) returns.
 *
 * Conventions that every producer and consumer relies on:
 * - Matrices are row-major: row `r`, dimension `j` lives at `data[r * dims + j]`.
 * - Binary rows: dimension `j` of row `r` is bit `j & 31` of word `r * wordsPerRow + (j >>> 5)`;
 *   the bit is set when the float value is `> 0`; padding bits past `dims` are always 0.
 * - Top-k results are `queries x k`, row-major; ties are broken by the lower row index.
 *
 * @module
 */

/** `rows x dims` float32 vectors, row-major. */
export interface Float32Matrix {
  readonly data: Float32Array;
  readonly rows: number;
  readonly dims: number;
}

/** How int8 values map back to floats, one entry per dimension. Stored with the index. */
export interface Int8Calibration {
  /**
   * `ranges`: asymmetric per-dimension [min, max] computed from a sample, mapped onto [-128, 127].
   * `symmetric`: per-dimension max |x|, mapped onto [-127, 127] with zero kept at zero.
   */
  readonly scheme: 'ranges' | 'symmetric';
  /** Lower bound per dimension (for `symmetric`, equals `-max`). */
  readonly min: Float32Array;
  /** Upper bound per dimension. */
  readonly max: Float32Array;
}

/** `rows x dims` int8 codes, row-major, with the calibration that produced them. */
export interface Int8Matrix {
  readonly data: Int8Array;
  readonly rows: number;
  readonly dims: number;
  readonly calibration: Int8Calibration;
}

/** `rows x dims` sign bits packed into 32-bit words, `wordsPerRow = ceil(dims / 32)` words a row. */
export interface BinaryMatrix {
  readonly words: Uint32Array;
  readonly rows: number;
  readonly dims: number;
  readonly wordsPerRow: number;
  /**
   * L1 norm of each original float row (the per-vector correction of asymmetric binary scoring),
   * computed at quantization time. Absent when the rows were packed from bits alone.
   */
  readonly l1Norms?: Float32Array;
}

/** `rows x dims` IEEE half-precision values stored as raw bits. */
export interface Float16Matrix {
  readonly bits: Uint16Array;
  readonly rows: number;
  readonly dims: number;
}

/**
 * The result of a batched top-k search: `queries x k`, row-major. Entry `q * k + i` is the
 * i-th best hit of query `q`. `k` is the requested k capped at the number of searchable rows.
 * Similarities (dot, cosine, int8 dot, asymmetric binary) are sorted descending; Hamming
 * distances ascending. Ties go to the lower row index.
 */
export interface TopK {
  readonly queries: number;
  readonly k: number;
  /** Row index in the corpus of each hit. */
  readonly indices: Int32Array;
  /** Score of each hit (a similarity, or a Hamming distance for Hamming search). */
  readonly scores: Float32Array;
}

/** Options common to every search function. */
export interface SearchOptions {
  /** How many hits per query; must be a positive integer. */
  readonly k: number;
  /** Optional tombstone mask, one byte a corpus row: non-zero means the row is deleted and skipped. */
  readonly skip?: Uint8Array;
}
