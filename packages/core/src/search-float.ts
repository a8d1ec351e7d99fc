/**
 * Exact float32 search: every query against every corpus row, dot product or cosine, bounded
 * top-k per query. The corpus is walked in blocks so a block stays in cache while all queries
 * of the batch visit it.
 *
 * @module
 */
import { WebEmbedError } from './errors.js';
import { allocateTopK, createTopKHeap, drainTopK, offerTopK, prepareSearch, type TopKHeap } from './topk.js';
import type { Float32Matrix, SearchOptions, TopK } from './types.js';
import { assertFinite, assertFloat32Matrix, assertKernel, assertSameDims } from './validate.js';
import { floatModule, searchFloatWithModule } from './wasm/float-kernel.js';
import { dotAt } from './vector.js';

/** Options of {@link searchFloat}. */
export interface FloatSearchOptions extends SearchOptions {
  /**
   * `dot` (default): raw inner product, the right choice for unit vectors. `cosine`: inner product
   * divided by both norms (a zero query throws `ZERO_VECTOR`; a zero corpus row scores 0).
   */
  readonly metric?: 'dot' | 'cosine';
  /** `auto` (default): WebAssembly SIMD when available, else JavaScript (bit-identical scores). */
  readonly kernel?: 'auto' | 'js' | 'wasm';
  /**
   * Cosine only: the corpus rows' inverse norms from {@link floatInverseNorms}, so repeated
   * searches over an unchanged corpus skip recomputing them (scores stay bit-identical).
   * Recompute them whenever the corpus changes; ignored for `dot`.
   */
  readonly inverseNorms?: Float64Array;
}

/** Corpus rows per block: 64 KiB of 384-dim float rows stays in L2 with the query batch. */
const BLOCK_BYTES = 1 << 16;

/**
 * Exact top-k by dot product or cosine, scores descending, ties to the lower row.
 * Throws `DIMENSION_MISMATCH`, `INVALID_K`, `EMPTY_CORPUS`, `NOT_FINITE` (query values, or a
 * corpus row whose score is not finite), `ZERO_VECTOR` (cosine with a zero query).
 *
 * @example
 * ```ts
 * const hits = searchFloat(queries, corpus, { k: 10, metric: 'cosine' });
 * hits.indices.subarray(0, hits.k); // best rows of query 0
 * ```
 */
export function searchFloat(
  queries: Float32Matrix,
  corpus: Float32Matrix,
  options: FloatSearchOptions,
): TopK {
  assertFloat32Matrix(queries, 'queries');
  assertFloat32Matrix(corpus, 'corpus');
  assertSameDims(corpus.dims, queries.dims, 'queries');
  const metric = options?.metric ?? 'dot';
  if (metric !== 'dot' && metric !== 'cosine') {
    throw new WebEmbedError(
      'INVALID_ARGUMENT',
      `metric must be 'dot' or 'cosine', got ${JSON.stringify(metric)}`,
    );
  }
  const { k, skip } = prepareSearch(corpus.rows, options);
  assertFinite(queries.data, 'queries', queries.dims);
  const dims = corpus.dims;
  const q = metric === 'cosine' ? unitQueries(queries) : queries.data;
  const inverseNorms =
    metric === 'cosine'
      ? (checkedInverseNorms(options.inverseNorms, corpus.rows) ?? corpusInverseNorms(corpus))
      : null;
  const kernel = options.kernel ?? 'auto';
  assertKernel(kernel);
  if (kernel !== 'js') {
    const module = floatModule();
    if (module !== null) {
      return searchFloatWithModule(
        module,
        q,
        queries.rows,
        corpus.data,
        corpus.rows,
        dims,
        k,
        skip,
        inverseNorms,
      );
    }
    if (kernel === 'wasm') {
      throw new WebEmbedError(
        'INVALID_ARGUMENT',
        "kernel 'wasm' was requested but this runtime has no WebAssembly SIMD; use kernel 'auto' or 'js'",
      );
    }
  }
  const heaps: TopKHeap[] = [];
  for (let i = 0; i < queries.rows; i++) heaps.push(createTopKHeap(k));
  const blockRows = Math.max(1, Math.floor(BLOCK_BYTES / (dims * 4)));
  const data = corpus.data;
  const blockScores = new Float64Array(blockRows);
  for (let start = 0; start < corpus.rows; start += blockRows) {
    const end = Math.min(corpus.rows, start + blockRows);
    for (let qi = 0; qi < queries.rows; qi++) {
      const heap = heaps[qi];
      scoreBlock(q, qi * dims, data, start, end, dims, blockScores);
      for (let r = start; r < end; r++) {
        if (skip !== undefined && skip[r] !== 0) continue;
        let s = blockScores[r - start];
        if (inverseNorms !== null) s *= inverseNorms[r];
        const key = Math.fround(s);
        if (key > heap.threshold) offerTopK(heap, key, r);
        else if (key - key !== 0) throw notFiniteRow(r);
      }
    }
  }
  const out = allocateTopK(queries.rows, k);
  for (let qi = 0; qi < queries.rows; qi++) {
    const heap = heaps[qi];
    for (let i = 0; i < heap.size; i++)
      if (heap.keys[i] - heap.keys[i] !== 0) throw notFiniteRow(heap.rows[i]);
    drainTopK(heap, out.indices, out.scores, qi * k);
  }
  return out;
}

/** Dot products of one query with rows `[start, end)`, kept tight so the dot loop stays inlined. */
function scoreBlock(
  q: Float32Array,
  qBase: number,
  data: Float32Array,
  start: number,
  end: number,
  dims: number,
  out: Float64Array,
): void {
  for (let r = start; r < end; r++) out[r - start] = dotAt(q, qBase, data, r * dims, dims);
}

/** The `NOT_FINITE` error for a corpus row whose score is NaN or infinite (shared with two-stage rescoring). */
export function notFiniteRow(row: number): WebEmbedError {
  return new WebEmbedError(
    'NOT_FINITE',
    `corpus row ${row} scores a non-finite similarity; it holds NaN or Infinity (expected finite values)`,
    { row },
  );
}

function unitQueries(queries: Float32Matrix): Float32Array {
  const { rows, dims, data } = queries;
  const out = new Float32Array(data.length);
  for (let r = 0; r < rows; r++) {
    const base = r * dims;
    const norm = Math.sqrt(dotAt(data, base, data, base, dims));
    if (!(norm > 0)) {
      throw new WebEmbedError(
        'ZERO_VECTOR',
        `query ${r} is the zero vector; cosine similarity needs a direction`,
        {
          query: r,
        },
      );
    }
    for (let i = 0; i < dims; i++) out[base + i] = data[base + i] / norm;
  }
  return out;
}

/**
 * The inverse L2 norm of every corpus row (0 for a zero row), exactly as cosine
 * {@link searchFloat} computes them; pass the result as `inverseNorms` to reuse it across searches.
 * Throws `MISALIGNED_BUFFER` for a malformed matrix.
 *
 * @example
 * ```ts
 * const inverseNorms = floatInverseNorms(corpus); // once per corpus version
 * const hits = searchFloat(queries, corpus, { k: 10, metric: 'cosine', inverseNorms });
 * ```
 */
export function floatInverseNorms(corpus: Float32Matrix): Float64Array {
  assertFloat32Matrix(corpus, 'corpus');
  return corpusInverseNorms(corpus);
}

function checkedInverseNorms(norms: Float64Array | undefined, rows: number): Float64Array | undefined {
  if (norms === undefined) return undefined;
  if (!(norms instanceof Float64Array) || norms.length !== rows) {
    throw new WebEmbedError(
      'MISALIGNED_BUFFER',
      `inverseNorms must be a Float64Array with one value a corpus row (${rows}), got ${
        norms instanceof Float64Array ? `length ${norms.length}` : typeof norms
      }; compute it with floatInverseNorms(corpus)`,
      { expected: rows },
    );
  }
  return norms;
}

function corpusInverseNorms(corpus: Float32Matrix): Float64Array {
  const { rows, dims, data } = corpus;
  const out = new Float64Array(rows);
  for (let r = 0; r < rows; r++) {
    const norm = Math.sqrt(dotAt(data, r * dims, data, r * dims, dims));
    out[r] = norm > 0 ? 1 / norm : 0;
  }
  return out;
}
