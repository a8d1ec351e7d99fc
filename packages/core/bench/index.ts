/**
 * `pnpm bench core`: the search-speed targets (targets.ts: latency p50 / p95 beside same-run
 * baselines, with verdicts), then CPU top-10 search throughput of every core kernel at N = 10K,
 * 100K and 1M rows of 384 dimensions, one query and a batch of 64, side by side with a naive
 * baseline (a plain loop over number arrays plus a full sort of every score) measured in the
 * same run. Also records recall@10 of the two-stage candidate stages on the vendored bge-m3
 * vectors.
 *
 * Options: `--quick` runs 10K and 100K only; `--targets` runs only the targets.
 */
import { readFileSync } from 'node:fs';
import { loadavg } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { fmt, markdownTable, median, writeResults } from '../../../bench/lib/report.js';
import { type Corpus, fillRandom, makeCorpus, runTargets } from './targets.js';
import {
  type BinaryMatrix,
  type CandidateStage,
  calibrateInt8,
  type Float32Matrix,
  hammingWasmAvailable,
  type Int8Matrix,
  quantizeBinary,
  quantizeInt8,
  searchBinaryAsymmetric,
  searchFloat,
  searchHamming,
  searchInt8,
  searchTwoStage,
  type TopK,
} from '../src/index.js';

const DIMS = 384;
const K = 10;
const BATCH = 64;
/** A measurement stops repeating after this much time (at least one timed run). */
const TIME_BUDGET_MS = 1000;
/** A case whose estimated time exceeds this is skipped (and marked so). */
const CASE_LIMIT_MS = 12_000;
const sizes = process.argv.includes('--quick') ? [10_000, 100_000] : [10_000, 100_000, 1_000_000];
const targetsOnly = process.argv.includes('--targets');

interface Timing {
  wallMs: number;
  cpuMs: number;
  runs: number;
}

function measure(fn: () => unknown): Timing {
  const wall: number[] = [];
  const cpu: number[] = [];
  // The first run warms up the JIT; when it alone is long, JIT time is negligible and it counts.
  const c0 = process.cpuUsage();
  const t0 = performance.now();
  fn();
  const first = performance.now() - t0;
  if (first > 800) {
    const c = process.cpuUsage(c0);
    return { wallMs: first, cpuMs: (c.user + c.system) / 1000, runs: 1 };
  }
  const started = performance.now();
  do {
    const c0 = process.cpuUsage();
    const t0 = performance.now();
    fn();
    wall.push(performance.now() - t0);
    const c = process.cpuUsage(c0);
    cpu.push((c.user + c.system) / 1000);
  } while (performance.now() - started < TIME_BUDGET_MS && wall.length < 15);
  return { wallMs: median(wall), cpuMs: median(cpu), runs: wall.length };
}

// ---------------------------------------------------------------------------------------------
// Naive baselines: plain number arrays, a loop per score, then a full sort of every score.

function naiveTopK(scores: number[], descending: boolean): number[] {
  const order = scores.map((_, i) => i);
  order.sort((a, b) => (descending ? scores[b] - scores[a] : scores[a] - scores[b]) || a - b);
  return order.slice(0, K);
}

function naiveFloat(queries: number[][], corpus: number[][]): number[][] {
  return queries.map((q) =>
    naiveTopK(
      corpus.map((row) => row.reduce((s, v, i) => s + v * q[i], 0)),
      true,
    ),
  );
}

function naiveHamming(queries: number[][], corpus: number[][]): number[][] {
  return queries.map((q) =>
    naiveTopK(
      corpus.map((row) => {
        let d = 0;
        for (let w = 0; w < row.length; w++) {
          let x = (row[w] ^ q[w]) >>> 0;
          while (x !== 0) {
            x &= x - 1;
            d++;
          }
        }
        return d;
      }),
      false,
    ),
  );
}

function naiveAsymmetric(queries: number[][], corpus: number[][], l1: number[] | null): number[][] {
  return queries.map((q) =>
    naiveTopK(
      corpus.map((row, r) => {
        let s = 0;
        for (let j = 0; j < q.length; j++) s += (row[j >>> 5] >>> (j & 31)) & 1 ? q[j] : -q[j];
        return l1 === null ? s : s / l1[r];
      }),
      true,
    ),
  );
}

function rowsOf(data: ArrayLike<number>, rows: number, width: number): number[][] {
  const out: number[][] = [];
  for (let r = 0; r < rows; r++) out.push(Array.from({ length: width }, (_, i) => data[r * width + i]));
  return out;
}

// ---------------------------------------------------------------------------------------------

interface Row {
  n: number;
  kernel: string;
  queries: number;
  bytesPerRow: number;
  timing: Timing | null;
  naive: Timing | null;
  note: string;
}

function makeQueries(
  count: number,
  corpus: Corpus,
): { float32: Float32Matrix; int8: Int8Matrix; binary: BinaryMatrix } {
  const data = new Float32Array(count * DIMS);
  fillRandom(data, 12345 + count);
  const float32 = { data, rows: count, dims: DIMS };
  return { float32, int8: quantizeInt8(float32, corpus.int8.calibration), binary: quantizeBinary(float32) };
}

type Kernel = {
  name: string;
  bytesPerRow: number;
  run: (q: ReturnType<typeof makeQueries>, c: Corpus) => TopK;
  /** Builds the naive inputs once and returns the naive search, or `null` when too large. */
  naive: (q: ReturnType<typeof makeQueries>, c: Corpus) => (() => unknown) | null;
};

const NAIVE_FLOAT_LIMIT = 100_000 * DIMS; // number[] of floats: about 8 bytes a value plus overhead

const kernels: Kernel[] = [
  {
    name: 'hamming (JS)',
    bytesPerRow: DIMS / 8,
    run: (q, c) => searchHamming(q.binary, c.binary, { k: K, kernel: 'js' }),
    naive: (q, c) => {
      const qs = rowsOf(q.binary.words, q.binary.rows, q.binary.wordsPerRow);
      const cs = rowsOf(c.binary.words, c.n, c.binary.wordsPerRow);
      return () => naiveHamming(qs, cs);
    },
  },
  {
    name: 'hamming (WASM SIMD, tile copy)',
    bytesPerRow: DIMS / 8,
    run: (q, c) => searchHamming(q.binary, c.binary, { k: K, kernel: 'wasm' }),
    naive: () => null,
  },
  {
    name: 'hamming (WASM SIMD, prepared corpus)',
    bytesPerRow: DIMS / 8,
    run: (q, c) => searchHamming(q.binary, c.prepared, { k: K, kernel: 'wasm' }),
    naive: () => null,
  },
  {
    name: 'asymmetric (JS)',
    bytesPerRow: DIMS / 8,
    run: (q, c) => searchBinaryAsymmetric(q.float32, c.binary, { k: K, correction: 'none', kernel: 'js' }),
    naive: () => null,
  },
  {
    name: 'asymmetric (WASM)',
    bytesPerRow: DIMS / 8,
    run: (q, c) => searchBinaryAsymmetric(q.float32, c.binary, { k: K, correction: 'none' }),
    naive: (q, c) => {
      const qs = rowsOf(q.float32.data, q.float32.rows, DIMS);
      const cs = rowsOf(c.binary.words, c.n, c.binary.wordsPerRow);
      return () => naiveAsymmetric(qs, cs, null);
    },
  },
  {
    name: 'asymmetric-l1 (WASM, prepared corpus)',
    bytesPerRow: DIMS / 8 + 4,
    run: (q, c) => searchBinaryAsymmetric(q.float32, c.prepared, { k: K, correction: 'l1' }),
    naive: () => null,
  },
  {
    name: 'asymmetric-l1 (WASM)',
    bytesPerRow: DIMS / 8 + 4,
    run: (q, c) => searchBinaryAsymmetric(q.float32, c.binary, { k: K, correction: 'l1' }),
    naive: (q, c) => {
      const qs = rowsOf(q.float32.data, q.float32.rows, DIMS);
      const cs = rowsOf(c.binary.words, c.n, c.binary.wordsPerRow);
      const l1 = Array.from(c.binary.l1Norms ?? []);
      return () => naiveAsymmetric(qs, cs, l1);
    },
  },
  {
    name: 'int8 dot (JS)',
    bytesPerRow: DIMS,
    run: (q, c) => searchInt8(q.int8, c.int8, { k: K, kernel: 'js' }),
    naive: () => null,
  },
  {
    name: 'int8 dot (WASM SIMD)',
    bytesPerRow: DIMS,
    run: (q, c) => searchInt8(q.int8, c.int8, { k: K }),
    naive: (q, c) => {
      if (c.n * DIMS > NAIVE_FLOAT_LIMIT) return null;
      const qs = rowsOf(q.int8.data, q.int8.rows, DIMS);
      const cs = rowsOf(c.int8.data, c.n, DIMS);
      return () => naiveFloat(qs, cs);
    },
  },
  {
    name: 'float32 dot (JS)',
    bytesPerRow: DIMS * 4,
    run: (q, c) => searchFloat(q.float32, c.float32, { k: K, kernel: 'js' }),
    naive: () => null,
  },
  {
    name: 'float32 dot (WASM SIMD)',
    bytesPerRow: DIMS * 4,
    run: (q, c) => searchFloat(q.float32, c.float32, { k: K }),
    naive: (q, c) => {
      if (c.n * DIMS > NAIVE_FLOAT_LIMIT) return null;
      const qs = rowsOf(q.float32.data, q.float32.rows, DIMS);
      const cs = rowsOf(c.float32.data, c.n, DIMS);
      return () => naiveFloat(qs, cs);
    },
  },
  {
    name: 'two-stage (asymmetric-l1 x4 over the prepared corpus, float32 rescore)',
    bytesPerRow: DIMS / 8 + 4,
    run: (q, c) => searchTwoStage(q.float32, { binary: c.prepared, float32: c.float32 }, { k: K }),
    naive: () => null,
  },
  {
    name: 'two-stage (asymmetric-l1 x4, float32 rescore)',
    bytesPerRow: DIMS / 8 + 4,
    run: (q, c) => searchTwoStage(q.float32, { binary: c.binary, float32: c.float32 }, { k: K }),
    naive: () => null,
  },
];

function runSpeed(): Row[] {
  const rows: Row[] = [];
  for (const n of sizes) {
    const corpus = makeCorpus(n);
    const single = makeQueries(1, corpus);
    const batch = makeQueries(BATCH, corpus);
    for (const kernel of kernels) {
      const one = measure(() => kernel.run(single, corpus));
      let naiveOne: Timing | null = null;
      let naiveBatch: Timing | null = null;
      const naiveSingle = kernel.naive(single, corpus);
      if (naiveSingle !== null) naiveOne = measure(naiveSingle);
      rows.push({
        n,
        kernel: kernel.name,
        queries: 1,
        bytesPerRow: kernel.bytesPerRow,
        timing: one,
        naive: naiveOne,
        note: '',
      });
      const estimate = one.wallMs * BATCH * 0.5;
      let batchTiming: Timing | null = null;
      let note = '';
      if (estimate <= CASE_LIMIT_MS) {
        batchTiming = measure(() => kernel.run(batch, corpus));
        if (naiveOne !== null && naiveOne.wallMs * BATCH <= CASE_LIMIT_MS / 2) {
          const naiveMany = kernel.naive(batch, corpus);
          if (naiveMany !== null) naiveBatch = measure(naiveMany);
        }
      } else {
        note = `skipped: estimated ${fmt(estimate / 1000, 0)} s`;
      }
      rows.push({
        n,
        kernel: kernel.name,
        queries: BATCH,
        bytesPerRow: kernel.bytesPerRow,
        timing: batchTiming,
        naive: naiveBatch,
        note,
      });
      const last = rows[rows.length - 1];
      console.log(
        `N=${n} ${kernel.name}: 1 query ${fmt(one.wallMs)} ms` +
          (naiveOne ? ` (naive ${fmt(naiveOne.wallMs)} ms)` : '') +
          (last.timing ? `; ${BATCH} queries ${fmt(last.timing.wallMs)} ms` : `; ${BATCH} queries ${note}`) +
          (last.naive ? ` (naive ${fmt(last.naive.wallMs)} ms)` : ''),
      );
    }
  }
  return rows;
}

// ---------------------------------------------------------------------------------------------
// Recall@10 on the vendored real vectors (leave-one-out), for the candidate-stage default.

function loadBgeM3(): Float32Matrix {
  const dir = join(dirname(fileURLToPath(import.meta.url)), '..', '..', '..', 'data', 'bge-m3-alice');
  const parts = ['bge-m3-sentence.f32', 'bge-m3-paragraph.f32'].map((f) => {
    const b = readFileSync(join(dir, f));
    return new Float32Array(b.buffer.slice(b.byteOffset, b.byteOffset + b.byteLength));
  });
  const data = new Float32Array(parts[0].length + parts[1].length);
  data.set(parts[0]);
  data.set(parts[1], parts[0].length);
  return { data, rows: data.length / 1024, dims: 1024 };
}

function runRecall(): { stage: CandidateStage; oversample: number; rescore: string; recall: number }[] {
  const v = loadBgeM3();
  const binary = quantizeBinary(v);
  const int8 = quantizeInt8(v, calibrateInt8(v, 'ranges'));
  const others = (t: TopK, q: number) =>
    Array.from(t.indices.subarray(q * t.k, (q + 1) * t.k))
      .filter((r) => r !== q)
      .slice(0, K);
  const exact = searchFloat(v, v, { k: K + 1 });
  const out: { stage: CandidateStage; oversample: number; rescore: string; recall: number }[] = [];
  for (const stage of ['hamming', 'asymmetric', 'asymmetric-l1'] as const) {
    for (const oversample of [1, 2, 4]) {
      for (const rescore of ['float32', 'int8'] as const) {
        const t = searchTwoStage(
          v,
          { binary, int8, float32: v },
          { k: K + 1, oversample: (K * oversample + 1) / (K + 1), candidates: stage, rescore },
        );
        let sum = 0;
        for (let q = 0; q < v.rows; q++) {
          const truth = new Set(others(exact, q));
          sum += others(t, q).filter((r) => truth.has(r)).length / K;
        }
        out.push({ stage, oversample, rescore, recall: sum / v.rows });
      }
    }
  }
  return out;
}

// ---------------------------------------------------------------------------------------------

const loadBefore = loadavg()[0];
console.log(
  `core bench: N = ${sizes.join(', ')} x ${DIMS} dims, top-${K}; WASM SIMD ${hammingWasmAvailable() ? 'available' : 'missing'}`,
);
const targets = await runTargets(sizes, 1500);
const loadAfterTargets = loadavg()[0];
const speed = targetsOnly ? [] : runSpeed();
const recall = targetsOnly ? [] : runRecall();
const loadAfter = loadavg()[0];

const speedTable = markdownTable(
  [
    'N',
    'kernel',
    'queries',
    'ms (wall, median)',
    'cpu ms',
    'vectors/s (wall)',
    'GB/s scanned (wall)',
    'GB/s scanned (cpu)',
    'naive ms (wall)',
    'speed-up vs naive (cpu)',
  ],
  speed.map((r) => {
    if (r.timing === null)
      return [r.n.toLocaleString('en-US'), r.kernel, r.queries, r.note, '', '', '', '', '', ''];
    const scanned = r.n * r.queries;
    const seconds = r.timing.wallMs / 1000;
    return [
      r.n.toLocaleString('en-US'),
      r.kernel,
      r.queries,
      fmt(r.timing.wallMs),
      fmt(r.timing.cpuMs),
      fmt(scanned / seconds, 0),
      fmt((scanned * r.bytesPerRow) / seconds / 1e9),
      fmt((scanned * r.bytesPerRow) / (r.timing.cpuMs / 1000) / 1e9),
      r.naive ? fmt(r.naive.wallMs) : '-',
      r.naive ? `${fmt(r.naive.cpuMs / r.timing.cpuMs, 1)}x` : '-',
    ];
  }),
);
const recallTable = markdownTable(
  ['candidates', 'oversample', 'rescore', 'recall@10'],
  recall.map((r) => [r.stage, `x${r.oversample}`, r.rescore, r.recall.toFixed(4)]),
);
const markdown = [
  '# @webembed/core CPU search',
  '',
  `1-minute load average ${loadBefore.toFixed(1)} at start, ${loadAfterTargets.toFixed(1)} after the targets, ${loadAfter.toFixed(1)} at end (2 cores).`,
  '',
  targets.markdown,
  '## Throughput of every kernel',
  '',
  `Top-${K} over N random vectors of ${DIMS} dims, one query and a batch of ${BATCH}; one thread (Node, no GPU).`,
  '"GB/s scanned" counts the bytes of the searched representation read per query: 48 B a row packed binary',
  '(+4 B L1 norm for asymmetric-l1), 384 B int8, 1536 B float32. The naive baseline is a plain loop over',
  'number arrays plus a full sort of every score, measured in the same run (skipped where it would not fit',
  'in memory or time). Wall-clock medians; "cpu ms" is the median process CPU time of the same runs. On a',
  'shared, loaded machine wall time includes waiting for a core, so the cpu-time throughput is the better',
  `estimate of one core's speed (1-minute load average ${loadBefore.toFixed(1)} at start, ${loadAfter.toFixed(1)} at end, 2 cores).`,
  'Rows marked WASM use the hand-written WebAssembly modules (the default where available); JS rows force the fallback.',
  '',
  speedTable,
  '',
  '## Recall@10 of two-stage search on real bge-m3 vectors',
  '',
  'Leave-one-out over data/bge-m3-alice (1000 x 1024), against float32 exact search.',
  '',
  recallTable,
  '',
].join('\n');
console.log(`\n${markdown}`);
writeResults('core', markdown, {
  dims: DIMS,
  k: K,
  batch: BATCH,
  loadAverage: { start: loadBefore, afterTargets: loadAfterTargets, end: loadAfter },
  targets: { rows: targets.rows, verdicts: targets.verdicts },
  speed: speed.map((r) => ({ ...r })),
  recall,
});
