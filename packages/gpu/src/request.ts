/**
 * Search requests: checks a search call against an index and turns it into one normalized
 * request that both the GPU path and the CPU path execute, so both throw the same typed errors
 * for bad input and return the same top-k.
 *
 * @module
 */
import {
  type BinaryMatrix,
  type CandidateStage,
  DEFAULT_CANDIDATE_STAGE,
  DEFAULT_OVERSAMPLE,
  type Float32Matrix,
  type Int8Calibration,
  type Int8Matrix,
  quantizeBinary,
  quantizeInt8Query,
  sameCalibration,
  WebEmbedError,
} from '@webembed/core';
import type { VectorKind } from './host.js';

/** What a search scores by. */
export type GpuSearchMode =
  | 'hamming'
  | 'asymmetric'
  | 'asymmetric-l1'
  | 'int8'
  | 'float32'
  | 'cosine'
  | 'binary-rescore';

/** Options of `GpuIndex.search`. */
export interface GpuSearchOptions {
  /** Hits per query, a positive integer; capped at the number of live rows. */
  readonly k: number;
  /**
   * - `hamming`: Hamming distance of sign bits (binary queries, or float queries binarized), ascending.
   * - `asymmetric` / `asymmetric-l1`: float query against sign bits, raw or divided by the row's L1 norm.
   * - `int8`: float queries are quantized calibration-aware (core's `quantizeInt8Query`), ranked
   *   by the exact integer dot and scored on the float dot scale, the same as core's `searchInt8`;
   *   int8 queries (with the index calibration) keep the raw integer dot of the codes.
   * - `float32`: dot product; `cosine`: dot over both norms (a zero corpus row scores 0). Over
   *   float32 rows, or over float16 rows (scores of the decoded rows, accumulated in f32).
   * - `binary-rescore`: two-stage; binary candidates (`candidates`), rescored on the float dot scale.
   */
  readonly mode: GpuSearchMode;
  /** Two-stage only: candidates per query are `ceil(k * oversample)`; default 4, at least 1. */
  readonly oversample?: number;
  /** Two-stage only: the candidate stage; default `asymmetric-l1` (core's default). */
  readonly candidates?: CandidateStage;
  /**
   * Two-stage only: rows to rescore with; default `float32` when the index holds float32 rows,
   * else `int8`. (float16 rows are not a rescoring source.)
   */
  readonly rescore?: 'float32' | 'int8';
}

/** Queries in any of the shapes the modes accept. */
export type SearchQueries = Float32Matrix | Int8Matrix | BinaryMatrix;

/** What the index looks like to a request. */
export interface IndexShape {
  readonly dims: number;
  readonly kinds: ReadonlySet<VectorKind>;
  readonly calibration: Int8Calibration | undefined;
  readonly hasL1Norms: boolean;
}

/** A checked, normalized search. */
export type SearchRequest =
  | { readonly mode: 'hamming'; readonly k: number; readonly queries: BinaryMatrix }
  | {
      readonly mode: 'asymmetric' | 'asymmetric-l1' | 'float32' | 'cosine';
      readonly k: number;
      readonly queries: Float32Matrix;
    }
  | { readonly mode: 'int8'; readonly k: number; readonly queries: Int8Matrix }
  | {
      readonly mode: 'binary-rescore';
      readonly k: number;
      readonly queries: Float32Matrix;
      readonly oversample: number;
      readonly candidates: CandidateStage;
      readonly rescore: 'float32' | 'int8';
    };

const MODES: readonly GpuSearchMode[] = [
  'hamming',
  'asymmetric',
  'asymmetric-l1',
  'int8',
  'float32',
  'cosine',
  'binary-rescore',
];

function invalid(message: string, details?: Record<string, string | number>): WebEmbedError {
  return new WebEmbedError('INVALID_ARGUMENT', message, details);
}

function requireKind(shape: IndexShape, kind: VectorKind, mode: string): void {
  if (!shape.kinds.has(kind)) {
    throw invalid(
      `mode '${mode}' needs ${kind} rows, but this index holds only ${[...shape.kinds].join(', ')}`,
    );
  }
}

function isBinary(q: SearchQueries): q is BinaryMatrix {
  return typeof q === 'object' && q !== null && 'words' in q;
}

function checkMatrix(q: SearchQueries, dims: number): void {
  if (typeof q !== 'object' || q === null)
    throw invalid('queries must be a matrix object { data | words, rows, dims }');
  if (q.dims !== dims) {
    throw new WebEmbedError(
      'DIMENSION_MISMATCH',
      `queries have ${q.dims} dims, the index holds ${dims}-dim rows`,
      {
        expected: dims,
        actual: q.dims,
      },
    );
  }
  if (!Number.isInteger(q.rows) || q.rows < 0)
    throw invalid(`queries.rows must be a non-negative integer, got ${q.rows}`);
  const expected = isBinary(q) ? q.rows * Math.ceil(dims / 32) : q.rows * dims;
  const length = isBinary(q) ? q.words.length : q.data.length;
  if (length < expected) {
    throw new WebEmbedError(
      'MISALIGNED_BUFFER',
      `queries hold ${length} values, expected ${expected} for ${q.rows} rows of ${dims} dims`,
      { expected, actual: length },
    );
  }
}

function floatQueries(q: SearchQueries, mode: string): Float32Matrix {
  if (isBinary(q) || !(q.data instanceof Float32Array)) {
    throw invalid(`mode '${mode}' needs float32 queries (a Float32Matrix)`);
  }
  const { data, rows, dims } = q as Float32Matrix;
  for (let i = 0; i < rows * dims; i++) {
    if (!Number.isFinite(data[i])) {
      throw new WebEmbedError(
        'NOT_FINITE',
        `query ${Math.floor(i / dims)} holds ${data[i]} at dim ${i % dims}; expected finite values`,
        { query: Math.floor(i / dims), dim: i % dims },
      );
    }
  }
  return q as Float32Matrix;
}

/** Checks a search call against an index; throws typed errors for every bad input. */
export function createRequest(
  shape: IndexShape,
  queries: SearchQueries,
  options: GpuSearchOptions,
): SearchRequest {
  if (!options || typeof options !== 'object') throw invalid('search options must be an object { k, mode }');
  const { k, mode } = options;
  if (typeof k !== 'number' || !Number.isInteger(k) || k <= 0) {
    throw new WebEmbedError('INVALID_K', `k must be a positive integer, got ${String(k)}`);
  }
  if (!MODES.includes(mode))
    throw invalid(`mode must be one of ${MODES.join(', ')}; got ${JSON.stringify(mode)}`);
  checkMatrix(queries, shape.dims);
  switch (mode) {
    case 'hamming': {
      requireKind(shape, 'binary', mode);
      return { mode, k, queries: isBinary(queries) ? queries : quantizeBinary(floatQueries(queries, mode)) };
    }
    case 'asymmetric':
    case 'asymmetric-l1':
      requireKind(shape, 'binary', mode);
      if (mode === 'asymmetric-l1' && !shape.hasL1Norms) {
        throw invalid(
          "mode 'asymmetric-l1' needs the rows' L1 norms; append binary rows with l1Norms (quantizeBinary computes them)",
        );
      }
      return { mode, k, queries: floatQueries(queries, mode) };
    case 'float32':
    case 'cosine':
      if (!shape.kinds.has('float16')) requireKind(shape, 'float32', mode);
      return { mode, k, queries: floatQueries(queries, mode) };
    case 'int8': {
      requireKind(shape, 'int8', mode);
      const calibration = shape.calibration!;
      if (!isBinary(queries) && queries.data instanceof Int8Array) {
        const q = queries as Int8Matrix;
        if (!q.calibration || !sameCalibration(q.calibration, calibration)) {
          throw new WebEmbedError(
            'MODEL_MISMATCH',
            'int8 queries were quantized with a different calibration than the index; quantize them with the index calibration',
          );
        }
        return { mode, k, queries: q };
      }
      // Calibration-aware: weight codes whose integer dot ranks like the float dot with the
      // decoded rows; both paths map the integer scores to the float scale with int8QueryScore.
      return { mode, k, queries: quantizeInt8Query(floatQueries(queries, mode), calibration) };
    }
    case 'binary-rescore': {
      requireKind(shape, 'binary', mode);
      const oversample = options.oversample ?? DEFAULT_OVERSAMPLE;
      if (typeof oversample !== 'number' || !Number.isFinite(oversample) || oversample < 1) {
        throw invalid(`oversample must be a finite number >= 1, got ${String(oversample)}`);
      }
      const candidates = options.candidates ?? DEFAULT_CANDIDATE_STAGE;
      if (candidates !== 'hamming' && candidates !== 'asymmetric' && candidates !== 'asymmetric-l1') {
        throw invalid(
          `candidates must be 'hamming', 'asymmetric' or 'asymmetric-l1', got ${JSON.stringify(candidates)}`,
        );
      }
      if (candidates === 'asymmetric-l1' && !shape.hasL1Norms) {
        throw invalid("candidates 'asymmetric-l1' needs the rows' L1 norms; append binary rows with l1Norms");
      }
      const rescore = options.rescore ?? (shape.kinds.has('float32') ? 'float32' : 'int8');
      if (rescore !== 'float32' && rescore !== 'int8') {
        throw invalid(`rescore must be 'float32' or 'int8', got ${JSON.stringify(rescore)}`);
      }
      requireKind(shape, rescore, `binary-rescore with rescore '${rescore}'`);
      return { mode, k, queries: floatQueries(queries, mode), oversample, candidates, rescore };
    }
  }
}
