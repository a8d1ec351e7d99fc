/**
 * The GPU path of a search: lays the queries out for the kernels, splits them into batches
 * that fit the device's buffers, runs each batch (one submit, one `mapAsync`) and assembles the
 * core-shaped top-k.
 *
 * @module
 */
import {
  DEFAULT_CANDIDATE_STAGE,
  int8Affine,
  int8QueryScore,
  isInt8QueryCodes,
  quantizeBinary,
  type TopK,
  WebEmbedError,
} from '@webembed/core';
import type { PipelineSpec } from './context.js';
import { type ColumnName, packInt8Rows } from './corpus.js';
import { type BatchPlan, listBytesPerQuery, runBatch, type Workspace } from './execute.js';
import type { HostColumns } from './host.js';
import { COUNT_STAGES, countBins } from './kernels/count.wgsl.js';
import { MAX_LIST_LEN } from './kernels/merge.wgsl.js';
import { rescoreQueryStride } from './kernels/rescore.wgsl.js';
import type { ScanMode } from './kernels/scan.wgsl.js';
import type { GpuSearchOptions, SearchRequest } from './request.js';

/** Most bytes one batch's partial lists may take (per ping-pong half). */
const LIST_BUDGET_BYTES = 128 * 2 ** 20;

/** Hits the scan stage keeps per query and, for two-stage, the final k. */
export function stageSizes(request: SearchRequest, live: number): { stageK: number; finalK: number } {
  const finalK = Math.min(request.k, live);
  if (request.mode !== 'binary-rescore') return { stageK: finalK, finalK };
  return { stageK: Math.min(Math.ceil(request.k * request.oversample), live), finalK };
}

/** Why the GPU cannot run this request (it then runs on the CPU), or null when it can. */
export function gpuIneligibility(request: SearchRequest, host: HostColumns): string | null {
  const live = host.rows - host.deleted;
  if (live === 0 || request.queries.rows === 0) return 'nothing to search';
  const { stageK } = stageSizes(request, live);
  if (stageK > MAX_LIST_LEN) return `k ${stageK} exceeds the GPU selection limit ${MAX_LIST_LEN}`;
  return null;
}

function scanMode(request: SearchRequest): ScanMode {
  return request.mode === 'binary-rescore' ? request.candidates : request.mode;
}

function unitQueries(data: Float32Array, rows: number, dims: number): Float32Array {
  const out = new Float32Array(rows * dims);
  for (let r = 0; r < rows; r++) {
    let sum = 0;
    for (let j = r * dims; j < (r + 1) * dims; j++) sum += data[j] * data[j];
    const norm = Math.sqrt(sum);
    if (!(norm > 0)) {
      throw new WebEmbedError(
        'ZERO_VECTOR',
        `query ${r} is the zero vector; cosine similarity needs a direction`,
        {
          query: r,
        },
      );
    }
    for (let j = r * dims; j < (r + 1) * dims; j++) out[j] = data[j] / norm;
  }
  return out;
}

/** Scan-kernel query words of rows `[from, to)`. */
function scanQueryWords(request: SearchRequest, host: HostColumns, from: number, to: number): Uint32Array {
  const { dims, binaryWords } = host;
  const rows = to - from;
  const mode = scanMode(request);
  if (request.mode === 'hamming') {
    return request.queries.words.slice(from * binaryWords, to * binaryWords);
  }
  if (request.mode === 'int8') {
    return packInt8Rows(request.queries.data.slice(from * dims, to * dims), rows, dims);
  }
  const floats = (request.queries as { data: Float32Array }).data.subarray(from * dims, to * dims);
  if (mode === 'hamming') return quantizeBinary({ data: floats, rows, dims }).words;
  if (mode === 'float32' || mode === 'cosine') {
    const values = mode === 'cosine' ? unitQueries(floats, rows, dims) : floats.slice();
    if (host.kinds.has('float32')) return new Uint32Array(values.buffer);
    // float16 rows: each query padded to whole u32 words of two halves.
    const stride = Math.ceil(dims / 2) * 2;
    const padded = new Float32Array(rows * stride);
    for (let r = 0; r < rows; r++) padded.set(values.subarray(r * dims, (r + 1) * dims), r * stride);
    return new Uint32Array(padded.buffer);
  }
  // asymmetric: pad each query to whole words with zeros (padding bits are 0 in the corpus).
  const padded = new Float32Array(rows * binaryWords * 32);
  for (let r = 0; r < rows; r++) padded.set(floats.subarray(r * dims, (r + 1) * dims), r * binaryWords * 32);
  return new Uint32Array(padded.buffer);
}

/** Rescore-kernel query floats of rows `[from, to)` (see rescore.wgsl.ts). */
function rescoreQueryData(
  request: Extract<SearchRequest, { mode: 'binary-rescore' }>,
  host: HostColumns,
  from: number,
  to: number,
): Float32Array {
  const { dims } = host;
  const floats = request.queries.data;
  if (request.rescore === 'float32') return floats.slice(from * dims, to * dims);
  const words = Math.ceil(dims / 4);
  const stride = rescoreQueryStride('int8', words);
  const { scale, offset } = int8Affine(host.calibration!);
  const out = new Float32Array((to - from) * stride);
  for (let r = from; r < to; r++) {
    const base = (r - from) * stride;
    let bias = 0;
    for (let j = 0; j < dims; j++) {
      const v = floats[r * dims + j];
      out[base + j] = v * scale[j];
      bias += v * offset[j];
    }
    out[base + words * 4] = bias;
  }
  return out;
}

/** The column a scan mode reads. */
function scanColumn(host: HostColumns, mode: ScanMode): ColumnName {
  if (mode === 'hamming' || mode.startsWith('asymmetric')) return 'binary';
  if (mode === 'int8') return 'int8';
  return host.kinds.has('float32') ? 'float32' : 'float16';
}

/**
 * The pipelines a search of `options.mode` runs on an index shaped like `host` (the same
 * choices {@link searchOnGpu} and the batch encoder make), for compiling them ahead of time.
 */
export function pipelinesForMode(
  host: HostColumns,
  packedDot: boolean,
  options: Pick<GpuSearchOptions, 'mode' | 'candidates' | 'rescore'>,
): PipelineSpec[] {
  const mode: ScanMode =
    options.mode === 'binary-rescore' ? (options.candidates ?? DEFAULT_CANDIDATE_STAGE) : options.mode;
  const column = scanColumn(host, mode);
  const specs: PipelineSpec[] = [{ kind: 'merge' }];
  if (mode === 'hamming' && countBins(host.binaryWords) > 0) {
    for (const stage of COUNT_STAGES) specs.push({ kind: 'count', stage });
  } else {
    specs.push({ kind: 'scan', spec: { mode, halfRows: column === 'float16', packedDot } });
  }
  if (options.mode === 'binary-rescore') {
    const source = options.rescore ?? (host.kinds.has('float32') ? 'float32' : 'int8');
    specs.push({ kind: 'rescore', source });
  }
  return specs;
}

/** Runs a GPU-eligible request batch by batch and assembles the top-k. */
export async function searchOnGpu(ws: Workspace, host: HostColumns, request: SearchRequest): Promise<TopK> {
  const live = host.rows - host.deleted;
  const { stageK, finalK } = stageSizes(request, live);
  const Q = request.queries.rows;
  const mode = scanMode(request);
  const limits = ws.context.gpu.limits;
  const perQueryList = listBytesPerQuery(ws.corpus, stageK);
  const budget = Math.min(LIST_BUDGET_BYTES, limits.maxStorageBufferBindingSize, limits.maxBufferSize);
  const queryBytes = (mode.startsWith('asymmetric') ? host.binaryWords * 32 : host.dims) * 4 + 16;
  const batch = Math.max(
    1,
    Math.min(
      Q,
      Math.floor(budget / perQueryList),
      Math.floor(limits.maxStorageBufferBindingSize / queryBytes),
      limits.maxComputeWorkgroupsPerDimension,
    ),
  );
  const indices = new Int32Array(Q * finalK);
  const scores = new Float32Array(Q * finalK);
  const column = scanColumn(host, mode);
  // Calibration-aware int8 queries: integer scores map to the float dot scale exactly as on the CPU.
  const calibrated = request.mode === 'int8' && isInt8QueryCodes(request.queries) ? request.queries : null;
  for (let from = 0; from < Q; from += batch) {
    const to = Math.min(Q, from + batch);
    const plan: BatchPlan = {
      mode,
      column,
      queries: to - from,
      queryWords: scanQueryWords(request, host, from, to),
      stageK,
      ...(request.mode === 'binary-rescore'
        ? {
            rescore: {
              source: request.rescore,
              queryData: rescoreQueryData(request, host, from, to),
              k: finalK,
            },
          }
        : {}),
    };
    const result = await runBatch(ws, plan);
    if (result.len < finalK) {
      throw new WebEmbedError(
        'GPU_VALIDATION',
        `GPU returned ${result.len} hits per query, expected ${finalK}`,
      );
    }
    for (let q = 0; q < to - from; q++) {
      for (let i = 0; i < finalK; i++) {
        const src = q * result.len + i;
        const row = result.rows[src];
        if (row >= host.rows) {
          throw new WebEmbedError(
            'GPU_VALIDATION',
            `GPU returned row ${row} outside the ${host.rows}-row corpus`,
          );
        }
        const dst = (from + q) * finalK + i;
        indices[dst] = row;
        scores[dst] =
          mode === 'hamming' && request.mode === 'hamming'
            ? -result.scores[src]
            : calibrated
              ? int8QueryScore(calibrated, from + q, result.scores[src])
              : result.scores[src];
      }
    }
  }
  return { queries: Q, k: finalK, indices, scores };
}
