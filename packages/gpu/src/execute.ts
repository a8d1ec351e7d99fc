/**
 * Runs one batch of queries on the GPU: scan every segment (score + per-tile top-k), merge the
 * partial lists down to one per query (Hamming instead selects by counting distances, see
 * kernels/count.wgsl.ts, and sorts its k hits with one merge pass), optionally rescore the candidates, and read back only
 * `queries x listLen` (row, score) pairs with a single `mapAsync`. Buffers, uniforms and bind
 * groups live in a per-index workspace and are reused across searches; they are only
 * reallocated when a batch needs more room than any before.
 *
 * @module
 */
import { gpuErrorToWebEmbed } from './device.js';
import { countPipeline, type GpuContext, mergePipeline, rescorePipeline, scanPipeline } from './context.js';
import type { ColumnName, GpuCorpus } from './corpus.js';
import {
  COUNT_HIST_TILES,
  COUNT_PARAMS_BYTES,
  COUNT_QUERIES,
  COUNT_STATE_WORDS,
  COUNT_TILE_ROWS,
  countBins,
} from './kernels/count.wgsl.js';
import { MERGE_PARAMS_BYTES, MERGE_SIZE } from './kernels/merge.wgsl.js';
import { RESCORE_PARAMS_BYTES, type RescoreSource, rescoreQueryStride } from './kernels/rescore.wgsl.js';
import {
  queriesPerWorkgroup,
  queryUnits,
  SCAN_PARAMS_BYTES,
  type ScanMode,
  scanUsesAux,
  TILE_ROWS,
} from './kernels/scan.wgsl.js';
import { BufferUsage, MAP_READ_MODE, STORAGE_USAGE } from './usage.js';

/** Reusable buffers of one index. */
export interface Workspace {
  readonly context: GpuContext;
  readonly corpus: GpuCorpus;
  readonly buffers: Map<string, GPUBuffer>;
  readonly uniforms: GPUBuffer[];
  readonly bindGroups: Map<string, GPUBindGroup>;
  bindGeneration: number;
}

/** Everything one GPU batch needs, prepared on the host. */
export interface BatchPlan {
  readonly mode: ScanMode;
  readonly column: ColumnName;
  readonly queries: number;
  /** Query units for the scan kernel, `queries x units` u32 words (floats as their bits). */
  readonly queryWords: Uint32Array;
  /** Hits the scan stage keeps per query (the final k, or the candidate count). */
  readonly stageK: number;
  readonly rescore?: {
    readonly source: RescoreSource;
    /** `queries x stride` floats (see `rescoreQueryStride`). */
    readonly queryData: Float32Array;
    readonly k: number;
  };
}

/** Raw result of a batch: `queries x len` rows and scores, best first. */
export interface BatchResult {
  readonly len: number;
  readonly rows: Uint32Array;
  readonly scores: Float32Array;
}

/** A fresh workspace for an index's corpus. */
export function createWorkspace(context: GpuContext, corpus: GpuCorpus): Workspace {
  return { context, corpus, buffers: new Map(), uniforms: [], bindGroups: new Map(), bindGeneration: -1 };
}

/** Releases the workspace's buffers (not the corpus). */
export function destroyWorkspace(ws: Workspace): void {
  for (const buffer of ws.buffers.values()) buffer.destroy();
  for (const buffer of ws.uniforms) buffer.destroy();
  ws.buffers.clear();
  ws.uniforms.length = 0;
  ws.bindGroups.clear();
}

/** Bytes of list storage (one ping-pong half) a batch of `queries` needs. */
export function listBytesPerQuery(corpus: GpuCorpus, stageK: number): number {
  const tiles = corpus.segments.reduce((sum, s) => sum + Math.ceil(s.rows / TILE_ROWS), 0);
  return Math.max(tiles * Math.min(stageK, TILE_ROWS), stageK) * 8;
}

const ids = new WeakMap<GPUBuffer, number>();
let nextId = 1;
function idOf(buffer: GPUBuffer): number {
  let id = ids.get(buffer);
  if (id === undefined) {
    id = nextId++;
    ids.set(buffer, id);
  }
  return id;
}

function buffer(ws: Workspace, name: string, bytes: number, usage: number): GPUBuffer {
  const existing = ws.buffers.get(name);
  if (existing && existing.size >= bytes) return existing;
  existing?.destroy();
  const size = Math.ceil(Math.max(bytes, (existing?.size ?? 0) * 1.5, 256) / 256) * 256;
  const created = ws.context.device.createBuffer({ size, usage, label: `webembed-${name}` });
  ws.buffers.set(name, created);
  ws.bindGroups.clear();
  return created;
}

function uniform(ws: Workspace, index: number, data: Uint32Array): GPUBuffer {
  while (ws.uniforms.length <= index) {
    ws.uniforms.push(
      ws.context.device.createBuffer({
        size: Math.max(SCAN_PARAMS_BYTES, MERGE_PARAMS_BYTES, RESCORE_PARAMS_BYTES, COUNT_PARAMS_BYTES),
        usage: BufferUsage.UNIFORM | BufferUsage.COPY_DST,
        label: `webembed-params-${index}`,
      }),
    );
  }
  const target = ws.uniforms[index];
  write(ws.context.device, target, data);
  return target;
}

function bindGroup(
  ws: Workspace,
  pipeline: GPUComputePipeline,
  key: string,
  buffers: GPUBuffer[],
): GPUBindGroup {
  if (ws.bindGeneration !== ws.corpus.generation) {
    ws.bindGroups.clear();
    ws.bindGeneration = ws.corpus.generation;
  }
  const fullKey = `${key}|${buffers.map(idOf).join(',')}`;
  let group = ws.bindGroups.get(fullKey);
  if (!group) {
    group = ws.context.device.createBindGroup({
      layout: pipeline.getBindGroupLayout(0),
      entries: buffers.map((b, binding) => ({ binding, resource: { buffer: b } })),
    });
    ws.bindGroups.set(fullKey, group);
  }
  return group;
}

function write(device: GPUDevice, target: GPUBuffer, data: Uint32Array | Float32Array): void {
  device.queue.writeBuffer(target, 0, data.buffer as ArrayBuffer, data.byteOffset, data.byteLength);
}

/**
 * Encodes, submits and reads back one batch. Buffer growth, encoding and submission run inside
 * out-of-memory and validation error scopes; a caught error becomes a typed WebEmbedError.
 */
export async function runBatch(ws: Workspace, plan: BatchPlan): Promise<BatchResult> {
  const { device } = ws.context;
  device.pushErrorScope('validation');
  device.pushErrorScope('out-of-memory');
  let submitted: { staging: GPUBuffer; resultBytes: number; len: number };
  try {
    submitted = encodeAndSubmit(ws, plan);
  } catch (err) {
    await device.popErrorScope();
    await device.popErrorScope();
    throw err;
  }
  const { staging, resultBytes, len } = submitted;
  const Q = plan.queries;
  const oom = device.popErrorScope();
  const invalid = device.popErrorScope();
  const mapped = staging.mapAsync(MAP_READ_MODE, 0, resultBytes);
  const fault = (await oom) ?? (await invalid);
  if (fault) {
    await mapped.then(() => staging.unmap()).catch(() => undefined);
    throw gpuErrorToWebEmbed(fault, `searching (${plan.mode})`);
  }
  await mapped;
  const raw = new Uint32Array(staging.getMappedRange(0, resultBytes).slice(0));
  staging.unmap();
  const rows = new Uint32Array(Q * len);
  const scores = new Float32Array(Q * len);
  const rawScores = new Float32Array(raw.buffer);
  for (let i = 0; i < Q * len; i++) {
    rows[i] = raw[2 * i];
    scores[i] = rawScores[2 * i + 1];
  }
  return { len, rows, scores };
}

function encodeAndSubmit(
  ws: Workspace,
  plan: BatchPlan,
): { staging: GPUBuffer; resultBytes: number; len: number } {
  const { context, corpus } = ws;
  const { device } = context;
  const Q = plan.queries;
  const segments = corpus.segments.filter((s) => s.rows > 0);
  const tiles = segments.map((s) => Math.ceil(s.rows / TILE_ROWS));
  const tilesTotal = tiles.reduce((a, b) => a + b, 0);
  const listLen0 = Math.min(plan.stageK, TILE_ROWS);
  const listBytes = Q * listBytesPerQuery(corpus, plan.stageK);

  const queryBuffer = buffer(ws, 'queries', plan.queryWords.byteLength, STORAGE_USAGE);
  const lists = [
    buffer(ws, 'listsA', listBytes, STORAGE_USAGE),
    buffer(ws, 'listsB', listBytes, STORAGE_USAGE),
  ];
  let rescoreQueries: GPUBuffer | undefined;
  if (plan.rescore)
    rescoreQueries = buffer(ws, 'rescoreQueries', plan.rescore.queryData.byteLength, STORAGE_USAGE);
  write(device, queryBuffer, plan.queryWords);
  if (plan.rescore && rescoreQueries) write(device, rescoreQueries, plan.rescore.queryData);

  const encoder = device.createCommandEncoder({ label: 'webembed-search' });
  const wordsPerRow = corpus.wordsPerRow.get(plan.column)!;
  const counting = plan.mode === 'hamming' && countBins(wordsPerRow) > 0;
  const countBuffers = counting ? countSelectBuffers(ws, encoder, Q, countBins(wordsPerRow)) : null;
  const pass = encoder.beginComputePass();
  let uniformIndex = 0;

  let current = 0;
  let listCount = tilesTotal;
  let len = listLen0;
  if (countBuffers) {
    // 1-2 (Hamming): counting selection writes each query's stageK hits, unordered, to lists[0].
    uniformIndex = encodeCountSelect(ws, pass, plan, countBuffers, lists[0], uniformIndex);
    listCount = 1;
    len = plan.stageK;
  } else {
    // 1. Scan: per segment, score each tile and keep its best listLen0 hits per query.
    const halfRows = plan.column === 'float16';
    const units = queryUnits(plan.mode, wordsPerRow, halfRows);
    const scan = scanPipeline(context, {
      mode: plan.mode,
      halfRows,
      packedDot: context.gpu.capabilities.packedDot,
    });
    const auxColumn: ColumnName = plan.mode === 'cosine' ? 'inverseNorm' : 'inverseL1';
    pass.setPipeline(scan);
    let tileBase = 0;
    segments.forEach((segment, s) => {
      const params = uniform(
        ws,
        uniformIndex++,
        Uint32Array.of(
          segment.rows,
          segment.rowBase,
          tileBase,
          tilesTotal,
          Q,
          listLen0,
          wordsPerRow,
          units,
          0,
          0,
          0,
          0,
        ),
      );
      const bound = [params, queryBuffer, segment.columns.get(plan.column)!, segment.skip, lists[0]];
      if (scanUsesAux(plan.mode)) bound.push(segment.columns.get(auxColumn)!);
      pass.setBindGroup(0, bindGroup(ws, scan, `scan:${plan.mode}:${s}`, bound));
      pass.dispatchWorkgroups(tiles[s], Math.ceil(Q / queriesPerWorkgroup(plan.mode)));
      tileBase += tiles[s];
    });
  }

  // 2. Merge the per-tile lists until one list per query remains.
  const merge = mergePipeline(context);
  const mergeOnce = (outLen: number) => {
    const slot = 1 << Math.ceil(Math.log2(Math.max(len, 1)));
    const group = MERGE_SIZE / slot;
    const outLists = Math.ceil(listCount / group);
    const params = uniform(
      ws,
      uniformIndex++,
      Uint32Array.of(len, listCount, group, slot, outLen, Q, MERGE_SIZE, 0),
    );
    pass.setPipeline(merge);
    pass.setBindGroup(
      0,
      bindGroup(ws, merge, `merge:${current}`, [params, lists[current], lists[1 - current]]),
    );
    pass.dispatchWorkgroups(outLists, Q);
    current = 1 - current;
    listCount = outLists;
    len = outLen;
  };
  while (listCount > 1) {
    const slot = 1 << Math.ceil(Math.log2(Math.max(len, 1)));
    mergeOnce(Math.min(plan.stageK, (MERGE_SIZE / slot) * len));
  }
  // Counting selection leaves its hits unordered: a one-list merge sorts them (rescore sorts its own).
  if (countBuffers && !plan.rescore) mergeOnce(len);

  // 3. Two-stage: rescore the candidates from full-precision rows, then order them.
  if (plan.rescore && rescoreQueries) {
    const { source, k } = plan.rescore;
    const rowWords = corpus.wordsPerRow.get(source)!;
    const rescore = rescorePipeline(context, source);
    const stride = rescoreQueryStride(source, rowWords);
    pass.setPipeline(rescore);
    segments.forEach((segment, s) => {
      const params = uniform(
        ws,
        uniformIndex++,
        Uint32Array.of(segment.rows, segment.rowBase, len, Q, s === 0 ? 1 : 0, rowWords, stride, 0),
      );
      const bound = [
        params,
        rescoreQueries,
        segment.columns.get(source)!,
        lists[current],
        lists[1 - current],
      ];
      pass.setBindGroup(0, bindGroup(ws, rescore, `rescore:${source}:${s}:${current}`, bound));
      pass.dispatchWorkgroups(Q);
    });
    current = 1 - current;
    mergeOnce(Math.min(k, len));
  }
  pass.end();

  const resultBytes = Q * len * 8;
  const staging = buffer(ws, 'staging', resultBytes, BufferUsage.MAP_READ | BufferUsage.COPY_DST);
  encoder.copyBufferToBuffer(lists[current], 0, staging, 0, resultBytes);
  device.queue.submit([encoder.finish()]);
  return { staging, resultBytes, len };
}

interface CountBuffers {
  readonly bins: number;
  readonly hist: GPUBuffer;
  readonly state: GPUBuffer;
  readonly ties: GPUBuffer;
  readonly hitCount: GPUBuffer;
}

/** Buffers of the counting selection; histogram, tie and hit counters are cleared by `encoder`. */
function countSelectBuffers(
  ws: Workspace,
  encoder: GPUCommandEncoder,
  Q: number,
  bins: number,
): CountBuffers {
  const tilesTotal = ws.corpus.segments.reduce((sum, s) => sum + Math.ceil(s.rows / COUNT_TILE_ROWS), 0);
  const hist = buffer(ws, 'countHist', Q * bins * 4, STORAGE_USAGE);
  const state = buffer(ws, 'countState', Q * COUNT_STATE_WORDS * 4, STORAGE_USAGE);
  const ties = buffer(ws, 'countTies', Q * Math.max(tilesTotal, 1) * 4, STORAGE_USAGE);
  const hitCount = buffer(ws, 'countHits', Q * 4, STORAGE_USAGE);
  encoder.clearBuffer(hist, 0, Math.ceil((Q * bins * 4) / 4) * 4);
  encoder.clearBuffer(hitCount, 0, Q * 4);
  encoder.clearBuffer(ties, 0, Q * Math.max(tilesTotal, 1) * 4);
  return { bins, hist, state, ties, hitCount };
}

/**
 * Encodes the five counting kernels (kernels/count.wgsl.ts) of a Hamming batch: each query's
 * `plan.stageK` hits, unordered, land in `out`. Returns the next free uniform index.
 */
function encodeCountSelect(
  ws: Workspace,
  pass: GPUComputePassEncoder,
  plan: BatchPlan,
  buffers: CountBuffers,
  out: GPUBuffer,
  firstUniform: number,
): number {
  const { context, corpus } = ws;
  const Q = plan.queries;
  const words = corpus.wordsPerRow.get('binary')!;
  const segments = corpus.segments.filter((s) => s.rows > 0);
  const tiles = segments.map((s) => Math.ceil(s.rows / COUNT_TILE_ROWS));
  const tilesTotal = tiles.reduce((a, b) => a + b, 0);
  const queryBuffer = ws.buffers.get('queries')!;
  let uniformIndex = firstUniform;
  let tileBase = 0;
  const params = segments.map((segment, s) => {
    const p = uniform(
      ws,
      uniformIndex++,
      Uint32Array.of(
        segment.rows,
        segment.rowBase,
        tileBase,
        tilesTotal,
        Q,
        plan.stageK,
        words,
        buffers.bins,
        0,
        0,
        0,
        0,
      ),
    );
    tileBase += tiles[s];
    return p;
  });
  const blocks = Math.ceil(Q / COUNT_QUERIES);
  const perSegment = (stage: 'histogram' | 'ties' | 'emit', extra: GPUBuffer[]) => {
    const pipeline = countPipeline(context, stage);
    pass.setPipeline(pipeline);
    segments.forEach((segment, s) => {
      const bound = [params[s], queryBuffer, segment.columns.get('binary')!, segment.skip, ...extra];
      pass.setBindGroup(0, bindGroup(ws, pipeline, `count:${stage}:${s}`, bound));
      const width = stage === 'histogram' ? Math.ceil(tiles[s] / COUNT_HIST_TILES) : tiles[s];
      pass.dispatchWorkgroups(width, blocks);
    });
  };
  const perQuery = (stage: 'threshold' | 'prefix', bound: GPUBuffer[]) => {
    const pipeline = countPipeline(context, stage);
    pass.setPipeline(pipeline);
    pass.setBindGroup(0, bindGroup(ws, pipeline, `count:${stage}`, [params[0], ...bound]));
    pass.dispatchWorkgroups(Q);
  };
  perSegment('histogram', [buffers.hist]);
  perQuery('threshold', [buffers.hist, buffers.state]);
  perSegment('ties', [buffers.state, buffers.ties]);
  perQuery('prefix', [buffers.ties]);
  perSegment('emit', [buffers.state, buffers.ties, out, buffers.hitCount]);
  return uniformIndex;
}
