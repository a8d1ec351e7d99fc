/**
 * The measuring half of `pnpm bench gpu`: runs in headless Chromium (served by Vite from
 * 127.0.0.1; `pnpm bench gpu-node` runs it in Node on Dawn), builds each corpus, and times the WebGPU path against the CPU path of
 * `@webembed/core` on the same rows, in the same run. `index.ts` drives it.
 *
 * @module
 */
import {
  type BinaryMatrix,
  calibrateInt8,
  type Float32Matrix,
  type Int8Matrix,
  quantizeBinary,
  quantizeInt8,
  searchBinaryAsymmetric,
  searchFloat,
  searchHamming,
  searchInt8,
  searchTwoStage,
  type TopK,
} from '@webembed/core';
import { seededRandom } from '../../../bench/lib/synthetic.js';
import { createGpuSearch, type GpuSearch, type GpuSearchMode } from '../src/index.js';

/** Modes the benchmark times. */
export type BenchMode = Exclude<GpuSearchMode, 'cosine'>;

/** One corpus configuration. */
export interface BenchConfig {
  readonly n: number;
  readonly dims: number;
  readonly queries: readonly number[];
  readonly modes: readonly BenchMode[];
  readonly runs: number;
  readonly k: number;
  /** Skip float32 storage (float32 and binary-rescore modes) above this many float values. */
  readonly floatBudget: number;
  /** Untimed GPU searches before each timed series (the CPU path gets one). */
  readonly gpuWarmUps: number;
}

/** One timed line. */
export interface BenchLine {
  readonly n: number;
  readonly dims: number;
  readonly mode: BenchMode;
  readonly queries: number;
  readonly gpuMs: number;
  readonly cpuMs: number;
  readonly scannedBytes: number;
  readonly uploadMs: number;
  readonly backend: string;
  readonly sameTopK: boolean;
}

function randomRows(rows: number, dims: number, seed: number): Float32Matrix {
  const next = seededRandom(seed);
  const data = new Float32Array(rows * dims);
  for (let i = 0; i < data.length; i++) data[i] = next() * 2 - 1;
  return { data, rows, dims };
}

interface Corpus {
  binary: BinaryMatrix;
  int8?: Int8Matrix;
  float32?: Float32Matrix;
}

function median(samples: number[]): number {
  const sorted = [...samples].sort((a, b) => a - b);
  return sorted[Math.floor((sorted.length - 1) / 2)];
}

/** Median milliseconds of `runs` timed calls after `warmUps` untimed ones, and the last result. */
async function timeMs<T>(
  runs: number,
  fn: () => T | Promise<T>,
  warmUps = 1,
): Promise<{ ms: number; result: T }> {
  let result = await fn();
  for (let i = 1; i < warmUps; i++) result = await fn();
  const samples: number[] = [];
  for (let i = 0; i < runs; i++) {
    const t = performance.now();
    result = await fn();
    samples.push(performance.now() - t);
  }
  return { ms: median(samples), result };
}

function cpuSearch(mode: BenchMode, queries: Float32Matrix, corpus: Corpus, k: number): TopK {
  switch (mode) {
    case 'hamming':
      return searchHamming(quantizeBinary(queries), corpus.binary, { k });
    case 'asymmetric':
    case 'asymmetric-l1':
      return searchBinaryAsymmetric(queries, corpus.binary, {
        k,
        correction: mode === 'asymmetric-l1' ? 'l1' : 'none',
      });
    case 'int8':
      return searchInt8(queries, corpus.int8!, { k }); // calibration-aware, like the GPU's int8 mode
    case 'float32':
      return searchFloat(queries, corpus.float32!, { k });
    case 'binary-rescore':
      return searchTwoStage(queries, corpus, { k, oversample: 4, candidates: 'asymmetric-l1' });
  }
}

function scannedBytes(mode: BenchMode, n: number, dims: number): number {
  if (mode === 'int8') return n * Math.ceil(dims / 4) * 4;
  if (mode === 'float32') return n * dims * 4;
  const l1 = mode === 'asymmetric-l1' || mode === 'binary-rescore' ? n * 4 : 0;
  return n * Math.ceil(dims / 32) * 4 + l1;
}

function agree(a: TopK, b: TopK, exact: boolean): boolean {
  let same = 0;
  for (let i = 0; i < a.indices.length; i++) same += a.indices[i] === b.indices[i] ? 1 : 0;
  return exact ? same === a.indices.length : same >= a.indices.length * 0.95;
}

let gpuPromise: Promise<GpuSearch> | undefined;

/** Adapter and path of the page's search backend. */
export async function describe(): Promise<{ backend: string; reason: string; adapter: unknown }> {
  gpuPromise ??= createGpuSearch();
  const gpu = await gpuPromise;
  return { backend: gpu.backend, reason: gpu.reason, adapter: gpu.adapterInfo };
}

/** Builds one corpus (in chunks) and times every mode and query count on it. */
export async function run(config: BenchConfig): Promise<BenchLine[]> {
  gpuPromise ??= createGpuSearch();
  const gpu = await gpuPromise;
  const { n, dims, k } = config;
  const keepFloat = n * dims <= config.floatBudget;
  const wantInt8 = config.modes.includes('int8');
  const kinds = ['binary', ...(wantInt8 ? ['int8'] : []), ...(keepFloat ? ['float32'] : [])] as (
    | 'binary'
    | 'int8'
    | 'float32'
  )[];
  const calibration = calibrateInt8(randomRows(2000, dims, 7), 'symmetric');
  const index = gpu.createIndex({ dims, kinds, int8Calibration: calibration });
  const words = Math.ceil(dims / 32);
  const binary = new Uint32Array(n * words);
  const l1 = new Float32Array(n);
  const int8 = wantInt8 ? new Int8Array(n * dims) : undefined;
  const float32 = keepFloat ? new Float32Array(n * dims) : undefined;
  let uploadMs = 0;
  const chunk = 50_000;
  for (let start = 0; start < n; start += chunk) {
    const rows = Math.min(chunk, n - start);
    const part = randomRows(rows, dims, 1000 + start);
    const bits = quantizeBinary(part);
    binary.set(bits.words, start * words);
    l1.set(bits.l1Norms!, start);
    const codes = wantInt8 ? quantizeInt8(part, calibration) : undefined;
    if (int8 && codes) int8.set(codes.data, start * dims);
    float32?.set(part.data, start * dims);
    const t = performance.now();
    await index.append({
      binary: bits,
      ...(codes ? { int8: codes } : {}),
      ...(keepFloat ? { float32: part } : {}),
    });
    uploadMs += performance.now() - t;
  }
  const corpus: Corpus = { binary: { words: binary, rows: n, dims, wordsPerRow: words, l1Norms: l1 } };
  if (int8) corpus.int8 = { data: int8, rows: n, dims, calibration };
  if (float32) corpus.float32 = { data: float32, rows: n, dims };
  const lines: BenchLine[] = [];
  for (const mode of config.modes) {
    if ((mode === 'float32' || mode === 'binary-rescore') && !keepFloat) continue;
    for (const q of config.queries) {
      const queries = randomRows(q, dims, 5000 + q);
      // A GPU left idle (here: while the CPU path ran) drops its clocks and answers its next
      // searches several times slower: untimed searches first warm it up.
      const gpuRun = await timeMs(config.runs, () => index.search(queries, { k, mode }), config.gpuWarmUps);
      const cpuRun = await timeMs(config.runs, () => cpuSearch(mode, queries, corpus, k));
      const gpuMs = gpuRun.ms;
      const cpuMs = cpuRun.ms;
      const sameTopK = agree(gpuRun.result, cpuRun.result, mode === 'hamming' || mode === 'int8');
      lines.push({
        n,
        dims,
        mode,
        queries: q,
        gpuMs,
        cpuMs,
        scannedBytes: scannedBytes(mode, n, dims),
        uploadMs,
        backend: index.backend,
        sameTopK,
      });
      console.log(
        `bench ${n} x ${dims} ${mode} q=${q}: gpu ${gpuMs.toFixed(1)} ms, cpu ${cpuMs.toFixed(1)} ms`,
      );
    }
  }
  index.destroy();
  return lines;
}

Object.assign(globalThis, { webembedGpuBench: { run, describe } });
