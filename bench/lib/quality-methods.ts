/**
 * The search methods `pnpm bench quality` compares, each built on the public CPU search of
 * `@webembed/core`: how a corpus is encoded, what one query costs to encode, how many bytes a
 * vector takes in the index, and the search itself. Every method answers one query at a time
 * with a skip mask, so leave-one-out evaluation is exact (the query's own row is excluded from the
 * corpus, not filtered out afterwards).
 *
 * @module
 */
import {
  type BinaryMatrix,
  calibrateInt8,
  dequantizeInt8,
  type Float32Matrix,
  fromFloat16Matrix,
  type Int8Matrix,
  type Int8QueryCodes,
  quantizeBinary,
  quantizeInt8,
  quantizeInt8Query,
  searchBinaryAsymmetric,
  searchFloat,
  searchHamming,
  searchInt8,
  searchTwoStage,
  type TopK,
  toFloat16Matrix,
  truncateDims,
} from '@webembed/core';

/** A prepared method: encodes the corpus once, then answers query row `q` with a skip mask. */
export interface PreparedMethod {
  /** Searches with query row `q` of the query matrix the method was prepared with. */
  search(q: number, k: number, skip: Uint8Array | undefined): TopK;
}

/** One method of the quality table. */
export interface QualityMethod {
  readonly id: string;
  /** What the method is, for the table. */
  readonly label: string;
  /** Index bytes per vector at `dims` dimensions (codes plus per-row side data). */
  bytesPerVector(dims: number): number;
  /** Encodes the corpus (and the queries, as the method's query side). */
  prepare(queries: Float32Matrix, corpus: Float32Matrix): PreparedMethod;
  /** A caveat printed with the row. */
  readonly note?: string;
}

function rowOf(m: Float32Matrix, q: number): Float32Matrix {
  return { data: m.data.subarray(q * m.dims, (q + 1) * m.dims), rows: 1, dims: m.dims };
}

function int8RowOf(m: Int8Matrix, q: number): Int8Matrix {
  return { ...m, data: m.data.subarray(q * m.dims, (q + 1) * m.dims), rows: 1 };
}

function binaryRowOf(m: BinaryMatrix, q: number): BinaryMatrix {
  const w = m.wordsPerRow;
  return { words: m.words.subarray(q * w, (q + 1) * w), rows: 1, dims: m.dims, wordsPerRow: w };
}

const float32: QualityMethod = {
  id: 'float32',
  label: 'float32 exact (dot)',
  bytesPerVector: (d) => 4 * d,
  prepare: (queries, corpus) => ({
    search: (q, k, skip) => searchFloat(rowOf(queries, q), corpus, { k, skip }),
  }),
  note: 'sanity check of the core search against the bench reference; must be 1',
};

const float16: QualityMethod = {
  id: 'float16',
  label: 'float16 storage (decoded, dot)',
  bytesPerVector: (d) => 2 * d,
  prepare: (queries, corpus) => {
    const decoded = fromFloat16Matrix(toFloat16Matrix(corpus));
    return { search: (q, k, skip) => searchFloat(rowOf(queries, q), decoded, { k, skip }) };
  },
};

function int8Method(scheme: 'ranges' | 'symmetric'): QualityMethod {
  return {
    id: `int8-${scheme}`,
    label: `int8 ${scheme} (int dot)`,
    bytesPerVector: (d) => d,
    prepare: (queries, corpus) => {
      const calibration = calibrateInt8(corpus, scheme);
      const codes = quantizeInt8(corpus, calibration);
      const queryCodes = quantizeInt8(queries, calibration);
      return { search: (q, k, skip) => searchInt8(int8RowOf(queryCodes, q), codes, { k, skip }) };
    },
    note: 'raw query codes (legacy quantizeInt8 queries); calibrated on the corpus; calibration (8 bytes a dimension) not counted per vector',
  };
}

function int8QueryRowOf(m: Int8QueryCodes, q: number): Int8QueryCodes {
  return {
    ...int8RowOf(m, q),
    scale: m.scale.subarray(q, q + 1),
    offset: m.offset.subarray(q, q + 1),
  };
}

function int8Calibrated(scheme: 'ranges' | 'symmetric'): QualityMethod {
  return {
    id: `int8-${scheme}-calibrated`,
    label: `int8 ${scheme} (calibration-aware int dot)`,
    bytesPerVector: (d) => d,
    prepare: (queries, corpus) => {
      const calibration = calibrateInt8(corpus, scheme);
      const codes = quantizeInt8(corpus, calibration);
      const queryCodes = quantizeInt8Query(queries, calibration);
      return { search: (q, k, skip) => searchInt8(int8QueryRowOf(queryCodes, q), codes, { k, skip }) };
    },
    note: 'query weights q_i * step_i on one int8 step per query (quantizeInt8Query): what searchInt8 does with float queries',
  };
}

function int8Decoded(scheme: 'ranges' | 'symmetric'): QualityMethod {
  return {
    id: `int8-${scheme}-decoded`,
    label: `int8 ${scheme}, float query x decoded rows`,
    bytesPerVector: (d) => d,
    prepare: (queries, corpus) => {
      const decoded = dequantizeInt8(quantizeInt8(corpus, calibrateInt8(corpus, scheme)));
      return { search: (q, k, skip) => searchFloat(rowOf(queries, q), decoded, { k, skip }) };
    },
    note: 'same int8 codes, scored in float: isolates the error of the integer-code dot product',
  };
}

const hamming: QualityMethod = {
  id: 'binary-hamming',
  label: 'binary, Hamming',
  bytesPerVector: (d) => Math.ceil(d / 32) * 4,
  prepare: (queries, corpus) => {
    const bits = quantizeBinary(corpus);
    const queryBits = quantizeBinary(queries);
    return { search: (q, k, skip) => searchHamming(binaryRowOf(queryBits, q), bits, { k, skip }) };
  },
};

function asymmetric(correction: 'none' | 'l1'): QualityMethod {
  return {
    id: correction === 'none' ? 'binary-asymmetric' : 'binary-asymmetric-l1',
    label: correction === 'none' ? 'binary, asymmetric (float query)' : 'binary, asymmetric + L1 norm',
    bytesPerVector: (d) => Math.ceil(d / 32) * 4 + (correction === 'l1' ? 4 : 0),
    prepare: (queries, corpus) => {
      const bits = quantizeBinary(corpus);
      return {
        search: (q, k, skip) => searchBinaryAsymmetric(rowOf(queries, q), bits, { k, skip, correction }),
      };
    },
  };
}

function twoStage(
  candidates: 'hamming' | 'asymmetric-l1',
  rescore: 'float32' | 'int8',
  oversample: number,
): QualityMethod {
  return {
    id: `rescore-${candidates}-${rescore}-x${oversample}`,
    label: `binary (${candidates}) + ${rescore === 'int8' ? 'int8 (ranges)' : rescore} rescore, x${oversample}`,
    bytesPerVector: (d) =>
      Math.ceil(d / 32) * 4 + (candidates === 'asymmetric-l1' ? 4 : 0) + (rescore === 'float32' ? 4 * d : d),
    prepare: (queries, corpus) => {
      const binary = quantizeBinary(corpus);
      const parts =
        rescore === 'float32'
          ? { binary, float32: corpus }
          : { binary, int8: quantizeInt8(corpus, calibrateInt8(corpus, 'ranges')) };
      return {
        search: (q, k, skip) =>
          searchTwoStage(rowOf(queries, q), parts, { k, skip, oversample, candidates, rescore }),
      };
    },
  };
}

function matryoshka(length: number): QualityMethod {
  return {
    id: `truncate-${length}`,
    label: `float32 truncated to ${length} dims`,
    bytesPerVector: () => 4 * length,
    prepare: (queries, corpus) => {
      const shortCorpus = truncateDims(corpus, length);
      const shortQueries = truncateDims(queries, length);
      return { search: (q, k, skip) => searchFloat(rowOf(shortQueries, q), shortCorpus, { k, skip }) };
    },
    note: 'bge-m3 is NOT Matryoshka-trained: truncation shown only as a baseline',
  };
}

/** Every method of the real-vector quality table, in table order. */
export function qualityMethods(dims: number): QualityMethod[] {
  const methods: QualityMethod[] = [
    float32,
    float16,
    int8Method('ranges'),
    int8Method('symmetric'),
    int8Calibrated('ranges'),
    int8Calibrated('symmetric'),
    int8Decoded('ranges'),
    int8Decoded('symmetric'),
    hamming,
    asymmetric('none'),
    asymmetric('l1'),
  ];
  for (const candidates of ['hamming', 'asymmetric-l1'] as const) {
    for (const rescore of ['float32', 'int8'] as const) {
      for (const oversample of [1, 2, 4, 8]) methods.push(twoStage(candidates, rescore, oversample));
    }
  }
  for (const length of [512, 256]) if (length < dims) methods.push(matryoshka(length));
  return methods;
}
