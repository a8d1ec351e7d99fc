/**
 * Two-stage search (the "Embedding Quantization" rescoring recipe): a cheap scan over binary
 * codes picks `k * oversample` candidates per query, then those candidates are rescored with
 * the float query against float32 rows or decoded int8 rows, and the best `k` are kept.
 * Final scores are on the float dot-product scale.
 *
 * @module
 */
import { WebEmbedError } from './errors.js';
import { int8Affine } from './int8.js';
import { searchBinaryAsymmetric } from './search-asymmetric.js';
import { notFiniteRow } from './search-float.js';
import { searchHamming } from './search-hamming.js';
import { quantizeBinary } from './binary.js';
import { allocateTopK, createTopKHeap, drainTopK, offerTopK, prepareSearch } from './topk.js';
import type { BinaryMatrix, Float32Matrix, Int8Matrix, SearchOptions, TopK } from './types.js';
import {
  assertBinaryMatrix,
  assertFinite,
  assertFloat32Matrix,
  assertInt8Matrix,
  assertSameDims,
} from './validate.js';
import { dotAt } from './vector.js';

/** The representations of one corpus a two-stage search may use (same rows, same order). */
export interface TwoStageCorpus {
  readonly binary: BinaryMatrix;
  readonly int8?: Int8Matrix;
  readonly float32?: Float32Matrix;
}

/** Candidate stage of {@link searchTwoStage}. */
export type CandidateStage = 'hamming' | 'asymmetric' | 'asymmetric-l1';

/** Options of {@link searchTwoStage}. */
export interface TwoStageOptions extends SearchOptions {
  /** Candidates kept per query are `ceil(k * oversample)`; at least 1, default 4. */
  readonly oversample?: number;
  /** Candidate stage; default {@link DEFAULT_CANDIDATE_STAGE}. */
  readonly candidates?: CandidateStage;
  /** Rescoring source; default `float32` when the corpus has it, else `int8`. */
  readonly rescore?: 'float32' | 'int8';
}

/** The default candidate stage. */
export const DEFAULT_CANDIDATE_STAGE: CandidateStage = 'asymmetric-l1';
/** The default oversampling factor. */
export const DEFAULT_OVERSAMPLE = 4;

/**
 * Binary candidates, then float rescoring. Throws `INVALID_ARGUMENT` for `oversample < 1`, an
 * unknown stage, or a rescoring source the corpus lacks; `DIMENSION_MISMATCH` /
 * `MISALIGNED_BUFFER` when the corpus parts disagree in shape; the usual `INVALID_K`,
 * `EMPTY_CORPUS`, `NOT_FINITE` (query values, or a candidate row whose rescored score is NaN or
 * infinite: the row is named, never ranked).
 *
 * @example
 * ```ts
 * const corpus = { binary: quantizeBinary(vectors), float32: vectors };
 * const hits = searchTwoStage(queries, corpus, { k: 10, oversample: 4 });
 * ```
 */
export function searchTwoStage(
  queries: Float32Matrix,
  corpus: TwoStageCorpus,
  options: TwoStageOptions,
): TopK {
  assertFloat32Matrix(queries, 'queries');
  if (!corpus || typeof corpus !== 'object') {
    throw new WebEmbedError('INVALID_ARGUMENT', 'corpus must be an object { binary, int8?, float32? }');
  }
  assertBinaryMatrix(corpus.binary, 'corpus.binary');
  assertSameDims(corpus.binary.dims, queries.dims, 'queries');
  if (!options || typeof options !== 'object') {
    throw new WebEmbedError('INVALID_ARGUMENT', 'search options must be an object with at least { k }');
  }
  const oversample = options.oversample ?? DEFAULT_OVERSAMPLE;
  if (typeof oversample !== 'number' || !(oversample >= 1) || !Number.isFinite(oversample)) {
    throw new WebEmbedError(
      'INVALID_ARGUMENT',
      `oversample must be a finite number >= 1, got ${String(oversample)}`,
      {
        oversample: String(oversample),
      },
    );
  }
  const stage = options.candidates ?? DEFAULT_CANDIDATE_STAGE;
  if (stage !== 'hamming' && stage !== 'asymmetric' && stage !== 'asymmetric-l1') {
    throw new WebEmbedError(
      'INVALID_ARGUMENT',
      `candidates must be 'hamming', 'asymmetric' or 'asymmetric-l1', got ${JSON.stringify(stage)}`,
    );
  }
  const rescore = options.rescore ?? (corpus.float32 !== undefined ? 'float32' : 'int8');
  const source = rescoreSource(corpus, rescore);
  const { k, skip } = prepareSearch(corpus.binary.rows, options);
  assertFinite(queries.data, 'queries', queries.dims);
  const candidateOptions = { k: Math.ceil(options.k * oversample), skip };
  const candidates =
    stage === 'hamming'
      ? searchHamming(quantizeBinary(queries), corpus.binary, candidateOptions)
      : searchBinaryAsymmetric(queries, corpus.binary, {
          ...candidateOptions,
          correction: stage === 'asymmetric-l1' ? 'l1' : 'none',
        });
  const out = allocateTopK(queries.rows, k);
  const heap = createTopKHeap(k);
  const dims = queries.dims;
  for (let qi = 0; qi < queries.rows; qi++) {
    const qBase = qi * dims;
    const prepared = source.prepare(queries.data, qBase);
    for (let c = 0; c < candidates.k; c++) {
      const r = candidates.indices[qi * candidates.k + c];
      const score = Math.fround(source.score(prepared, r));
      if (score - score !== 0) throw notFiniteRow(r); // a NaN row must not land anywhere, as in searchFloat
      offerTopK(heap, score, r);
    }
    drainTopK(heap, out.indices, out.scores, qi * k);
  }
  return out;
}

interface RescoreSource<P> {
  prepare(q: Float32Array, offset: number): P;
  score(prepared: P, row: number): number;
}

function rescoreSource(corpus: TwoStageCorpus, rescore: 'float32' | 'int8'): RescoreSource<unknown> {
  const { rows, dims } = corpus.binary;
  if (rescore === 'float32') {
    const f = corpus.float32;
    if (f === undefined) {
      throw new WebEmbedError('INVALID_ARGUMENT', "rescore 'float32' needs corpus.float32, which is missing");
    }
    assertFloat32Matrix(f, 'corpus.float32');
    assertPart(f.rows, f.dims, rows, dims, 'corpus.float32');
    const source: RescoreSource<{ q: Float32Array; offset: number }> = {
      prepare: (q, offset) => ({ q, offset }),
      score: (p, r) => dotAt(p.q, p.offset, f.data, r * dims, dims),
    };
    return source as RescoreSource<unknown>;
  }
  if (rescore === 'int8') {
    const m = corpus.int8;
    if (m === undefined) {
      throw new WebEmbedError('INVALID_ARGUMENT', "rescore 'int8' needs corpus.int8, which is missing");
    }
    assertInt8Matrix(m, 'corpus.int8');
    assertPart(m.rows, m.dims, rows, dims, 'corpus.int8');
    return int8Source(m);
  }
  throw new WebEmbedError(
    'INVALID_ARGUMENT',
    `rescore must be 'float32' or 'int8', got ${JSON.stringify(rescore)}`,
  );
}

/**
 * Rescoring against decoded int8 rows without decoding them: with `x_i = offset_i + c_i * s_i`,
 * `q . x = sum q_i offset_i + sum (q_i s_i) c_i`.
 */
function int8Source(m: Int8Matrix): RescoreSource<unknown> {
  const { scale, offset } = int8Affine(m.calibration);
  const dims = m.dims;
  const codes = m.data;
  return {
    prepare(q, qOffset) {
      const weights = new Float64Array(dims);
      let constant = 0;
      for (let i = 0; i < dims; i++) {
        const v = q[qOffset + i];
        weights[i] = v * scale[i];
        constant += v * offset[i];
      }
      return { weights, constant };
    },
    score(prepared, r) {
      const { weights, constant } = prepared as { weights: Float64Array; constant: number };
      let s = constant;
      const base = r * dims;
      for (let i = 0; i < dims; i++) s += weights[i] * codes[base + i];
      return s;
    },
  };
}

function assertPart(partRows: number, partDims: number, rows: number, dims: number, what: string): void {
  assertSameDims(dims, partDims, what);
  if (partRows !== rows) {
    throw new WebEmbedError(
      'MISALIGNED_BUFFER',
      `${what} has ${partRows} rows, expected the same ${rows} rows as corpus.binary`,
      { expected: rows, actual: partRows },
    );
  }
}
