/**
 * The search-speed targets of `pnpm bench core` (issue 18), each measured beside a baseline run
 * in the same process: latency p50 / p95 of single queries over prepared and plain corpora, a
 * bare WebAssembly popcount scan with a JavaScript top-k (the Hamming baseline), native usearch
 * exact search on one thread (the float32 baseline), and 64-query batches against single queries.
 * Prints a verdict for every target.
 *
 * @module
 */
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import wabtFactory from 'wabt';
import { fmt, markdownTable, percentile } from '../../../bench/lib/report.js';
import {
  type BinaryMatrix,
  calibrateInt8,
  createTopKHeap,
  drainTopK,
  type Float32Matrix,
  type Int8Matrix,
  offerTopK,
  prepareBinaryCorpus,
  prepareFloatCorpus,
  quantizeBinary,
  quantizeInt8,
  searchBinaryAsymmetric,
  searchFloat,
  searchHamming,
  searchInt8,
  searchTwoStage,
} from '../src/index.js';

const DIMS = 384;
const K = 10;
const BATCH = 64;
/** Distinct queries cycled through by the single-query measurements. */
const QUERIES = 32;

/** Cheap deterministic uniform values in [-1, 1) (xorshift32), filled in place. */
export function fillRandom(data: Float32Array, seed: number): void {
  let x = seed >>> 0 || 1;
  for (let i = 0; i < data.length; i++) {
    x ^= x << 13;
    x ^= x >>> 17;
    x ^= x << 5;
    data[i] = (x >>> 0) / 2147483648 - 1;
  }
}

/**
 * Latency of one case in ms: wall-clock p50 / p95 and the process CPU time's p50 / p95 over the
 * same runs. On a shared machine a run longer than a scheduler slice waits for a core, which
 * wall time counts and CPU time does not; garbage collection is CPU time, so a search that
 * allocates per query still shows in the CPU p95.
 */
export interface Latency {
  p50: number;
  p95: number;
  cpu: number;
  cpu95: number;
  runs: number;
}

/**
 * Measures several cases round-robin: each round runs every case once (`fn(i)` with the round
 * number i), so contention from the rest of the machine falls on all of them alike and their
 * ratios hold even when absolute times wander. Rounds continue until `budgetMs` has passed (at
 * least 10, at most 400), after a few warm-up rounds and a garbage collection.
 */
export function interleaved(fns: readonly ((i: number) => unknown)[], budgetMs: number): Latency[] {
  for (let i = 0; i < 3; i++) for (const fn of fns) fn(i);
  (globalThis as { gc?: () => void }).gc?.();
  const wall = fns.map(() => [] as number[]);
  const cpu = fns.map(() => [] as number[]);
  const started = performance.now();
  let round = 0;
  do {
    for (let c = 0; c < fns.length; c++) {
      const c0 = process.cpuUsage();
      const t0 = performance.now();
      fns[c](round);
      wall[c].push(performance.now() - t0);
      const used = process.cpuUsage(c0);
      cpu[c].push((used.user + used.system) / 1000);
    }
    round++;
  } while ((performance.now() - started < budgetMs && round < 400) || round < 10);
  return fns.map((_, c) => ({
    p50: percentile(wall[c], 50),
    p95: percentile(wall[c], 95),
    cpu: percentile(cpu[c], 50),
    cpu95: percentile(cpu[c], 95),
    runs: round,
  }));
}

// ---------------------------------------------------------------------------------------------
// Baselines.

/**
 * The bare Hamming scan the target is held against: a small WebAssembly module (assembled here
 * with wabt) writes the distance of every row with i8x16.popcnt, then a JavaScript loop keeps the
 * top-k with a threshold. Rows live in the module's memory, copied once.
 */
async function bareHamming(corpus: BinaryMatrix): Promise<(query: BinaryMatrix) => unknown> {
  const wabt = await wabtFactory();
  const text = `(module
  (memory (export "memory") 1)
  ;; scan(q, c, n, chunks, out): distance of each of n rows (chunks x 16 bytes) at c to q.
  (func (export "scan") (param $q i32) (param $c i32) (param $n i32) (param $chunks i32) (param $out i32)
    (local $acc v128) (local $qp i32) (local $k i32)
    (loop $rows
      (local.set $acc (v128.const i64x2 0 0))
      (local.set $qp (local.get $q))
      (local.set $k (local.get $chunks))
      (loop $chunk
        (local.set $acc (i8x16.add (local.get $acc)
          (i8x16.popcnt (v128.xor (v128.load (local.get $qp)) (v128.load (local.get $c))))))
        (local.set $qp (i32.add (local.get $qp) (i32.const 16)))
        (local.set $c (i32.add (local.get $c) (i32.const 16)))
        (br_if $chunk (local.tee $k (i32.sub (local.get $k) (i32.const 1)))))
      (local.set $acc (i32x4.extadd_pairwise_i16x8_u (i16x8.extadd_pairwise_i8x16_u (local.get $acc))))
      (i32.store (local.get $out)
        (i32.add
          (i32.add (i32x4.extract_lane 0 (local.get $acc)) (i32x4.extract_lane 1 (local.get $acc)))
          (i32.add (i32x4.extract_lane 2 (local.get $acc)) (i32x4.extract_lane 3 (local.get $acc)))))
      (local.set $out (i32.add (local.get $out) (i32.const 4)))
      (br_if $rows (local.tee $n (i32.sub (local.get $n) (i32.const 1))))))
)`;
  const parsed = wabt.parseWat('bare-hamming.wat', text, { simd: true });
  parsed.validate();
  const { buffer } = parsed.toBinary({});
  parsed.destroy();
  const exports = new WebAssembly.Instance(new WebAssembly.Module(new Uint8Array(buffer)), {}).exports as {
    memory: WebAssembly.Memory;
    scan: (q: number, c: number, n: number, chunks: number, out: number) => void;
  };
  const rowBytes = corpus.wordsPerRow * 4;
  if (rowBytes % 16 !== 0) throw new Error('the bare scan handles rows of whole 16-byte chunks only');
  const c = 64;
  const out = c + corpus.rows * rowBytes;
  const need = out + corpus.rows * 4;
  exports.memory.grow(Math.ceil(need / 65536));
  const words = new Uint32Array(exports.memory.buffer);
  words.set(corpus.words.subarray(0, corpus.rows * corpus.wordsPerRow), c >>> 2);
  const distances = new Int32Array(exports.memory.buffer, out, corpus.rows);
  const heap = createTopKHeap(K);
  const indices = new Int32Array(K);
  const scores = new Float32Array(K);
  return (query) => {
    words.set(query.words.subarray(0, corpus.wordsPerRow), 0);
    exports.scan(0, c, corpus.rows, rowBytes / 16, out);
    for (let r = 0; r < corpus.rows; r++) {
      const key = -distances[r];
      if (key > heap.threshold) offerTopK(heap, key, r);
    }
    drainTopK(heap, indices, scores, 0, true);
    return indices;
  };
}

interface UsearchModule {
  exactSearch(
    dataset: Float32Array,
    queries: Float32Array,
    dims: number,
    count: number,
    metric: unknown,
    threads?: number,
  ): unknown;
  MetricKind: { IP: unknown };
}

/**
 * usearch (a native C++ addon, Node only) is a devDependency of the bench workspace package
 * (`pnpm bench peers` runs it); it is loaded from there so @webembed/core keeps no native
 * dependency. `null` when it is not installed.
 */
function loadUsearch(): UsearchModule | null {
  try {
    const here = dirname(fileURLToPath(import.meta.url));
    const require = createRequire(join(here, '..', '..', '..', 'bench', 'package.json'));
    return require('usearch') as UsearchModule;
  } catch {
    return null;
  }
}

// ---------------------------------------------------------------------------------------------

/** One measured row of the targets table. */
export interface TargetRow {
  n: number;
  name: string;
  queries: number;
  latency: Latency;
  /** Bytes of the scanned representation a query reads (for GB/s), or 0. */
  bytes: number;
}

/** A target and whether this run met it. */
export interface Verdict {
  target: string;
  measured: string;
  met: boolean;
}

/** One synthetic corpus in every representation the benchmarks search. */
export interface Corpus {
  n: number;
  float32: Float32Matrix;
  binary: BinaryMatrix;
  /** `binary` from prepareBinaryCorpus. */
  prepared: BinaryMatrix;
  /** int8 rows, calibrated ('ranges') on the first 10K rows. */
  int8: Int8Matrix;
}

/** `n` random rows of 384 dims (seeded by `n`) in every representation. */
export function makeCorpus(n: number): Corpus {
  const data = new Float32Array(n * DIMS);
  fillRandom(data, 0x9e3779b9 ^ n);
  const float32 = { data, rows: n, dims: DIMS };
  const sampleRows = Math.min(n, 10_000);
  const sample = { data: data.subarray(0, sampleRows * DIMS), rows: sampleRows, dims: DIMS };
  const binary = quantizeBinary(float32);
  return {
    n,
    float32,
    binary,
    prepared: prepareBinaryCorpus(binary),
    int8: quantizeInt8(float32, calibrateInt8(sample, 'ranges')),
  };
}

function singleQueries(): Float32Matrix[] {
  const data = new Float32Array(QUERIES * DIMS);
  fillRandom(data, 777);
  return Array.from({ length: QUERIES }, (_, i) => ({
    data: data.subarray(i * DIMS, (i + 1) * DIMS),
    rows: 1,
    dims: DIMS,
  }));
}

/** Measures every target at `sizes` rows; `budgetMs` per case. */
export async function runTargets(
  sizes: readonly number[],
  budgetMs: number,
): Promise<{ rows: TargetRow[]; verdicts: Verdict[]; markdown: string }> {
  const rows: TargetRow[] = [];
  const verdicts: Verdict[] = [];
  const usearch = loadUsearch();
  const singles = singleQueries();
  const singleBits = singles.map((q) => quantizeBinary(q));
  const batchData = new Float32Array(BATCH * DIMS);
  fillRandom(batchData, 999);
  const batch = { data: batchData, rows: BATCH, dims: DIMS };
  const batchBits = quantizeBinary(batch);
  const find = (n: number, name: string) => rows.find((r) => r.n === n && r.name === name);
  for (const n of sizes) {
    const c = makeCorpus(n);
    const big = n >= 1_000_000;
    // Cases are measured in groups, round-robin within a group (see interleaved).
    let group: { name: string; fn: (i: number) => unknown; bytes: number; queries: number }[] = [];
    const add = (name: string, fn: (i: number) => unknown, bytes = 0, queries = 1) => {
      group.push({ name, fn, bytes, queries });
    };
    const measureGroup = (budget: number) => {
      const measured = interleaved(
        group.map((g) => g.fn),
        big ? 2 * budget : budget,
      );
      group.forEach((g, i) => {
        const l = measured[i];
        rows.push({ n, name: g.name, queries: g.queries, latency: l, bytes: g.bytes });
        console.log(
          `N=${n} ${g.name}: p50 ${fmt(l.p50, 3)} ms, p95 ${fmt(l.p95, 3)} ms, cpu p50 ${fmt(l.cpu, 3)} p95 ${fmt(l.cpu95, 3)} ms (${l.runs} runs)`,
        );
      });
      group = [];
    };
    const bits = n * (DIMS / 8);
    const bare = await bareHamming(c.binary);
    add('bare WAT popcount scan + JS top-k (baseline)', (i) => bare(singleBits[i % QUERIES]), bits);
    add('searchHamming, prepared', (i) => searchHamming(singleBits[i % QUERIES], c.prepared, { k: K }), bits);
    add('searchHamming, plain', (i) => searchHamming(singleBits[i % QUERIES], c.binary, { k: K }), bits);
    for (const k of [K, 4 * K]) {
      add(
        `searchBinaryAsymmetric l1 k=${k}, prepared`,
        (i) => searchBinaryAsymmetric(singles[i % QUERIES], c.prepared, { k, correction: 'l1' }),
        bits + 4 * n,
      );
      add(
        `searchBinaryAsymmetric l1 k=${k}, plain`,
        (i) => searchBinaryAsymmetric(singles[i % QUERIES], c.binary, { k, correction: 'l1' }),
        bits + 4 * n,
      );
    }
    for (const oversample of [4, 2]) {
      const tag = oversample === 4 ? 'x4 (default)' : 'x2';
      add(`searchTwoStage ${tag}, prepared binary`, (i) =>
        searchTwoStage(
          singles[i % QUERIES],
          { binary: c.prepared, float32: c.float32 },
          { k: K, oversample },
        ),
      );
      add(`searchTwoStage ${tag}, plain`, (i) =>
        searchTwoStage(singles[i % QUERIES], { binary: c.binary, float32: c.float32 }, { k: K, oversample }),
      );
    }
    measureGroup(4 * budgetMs);
    if (!big) {
      const preparedFloat = prepareFloatCorpus(c.float32);
      add('searchInt8 (float query)', (i) => searchInt8(singles[i % QUERIES], c.int8, { k: K }), n * DIMS);
      add('searchFloat, plain', (i) => searchFloat(singles[i % QUERIES], c.float32, { k: K }), n * DIMS * 4);
      add(
        'searchFloat, prepared',
        (i) => searchFloat(singles[i % QUERIES], preparedFloat, { k: K }),
        n * DIMS * 4,
      );
      if (usearch !== null) {
        const own = singles.map((q) => q.data.slice());
        add(
          'usearch exactSearch, 1 thread (baseline)',
          (i) => usearch.exactSearch(c.float32.data, own[i % QUERIES], DIMS, K, usearch.MetricKind.IP, 1),
          n * DIMS * 4,
        );
      }
      measureGroup(3 * budgetMs);
      // Batches beside the same searches one query at a time, in the same rounds.
      add(
        'one query beside the batches: searchHamming, prepared',
        (i) => searchHamming(singleBits[i % QUERIES], c.prepared, { k: K }),
        bits,
      );
      add(
        'one query beside the batches: searchBinaryAsymmetric l1 k=10, prepared',
        (i) => searchBinaryAsymmetric(singles[i % QUERIES], c.prepared, { k: K, correction: 'l1' }),
        bits + 4 * n,
      );
      add(
        'one query beside the batches: searchInt8 (float query)',
        (i) => searchInt8(singles[i % QUERIES], c.int8, { k: K }),
        n * DIMS,
      );
      add(
        'batch of 64: searchHamming, prepared',
        () => searchHamming(batchBits, c.prepared, { k: K }),
        bits,
        BATCH,
      );
      add(
        'batch of 64: searchBinaryAsymmetric l1, prepared',
        () => searchBinaryAsymmetric(batch, c.prepared, { k: K, correction: 'l1' }),
        bits + 4 * n,
        BATCH,
      );
      add(
        'batch of 64: searchInt8 (float queries)',
        () => searchInt8(batch, c.int8, { k: K }),
        n * DIMS,
        BATCH,
      );
      measureGroup(4 * budgetMs);
    }
    // Verdicts use CPU time (see Latency): the machine these figures come from is shared.
    const p50 = (name: string) => find(n, name)?.latency.cpu ?? Number.NaN;
    const p95 = (name: string) => find(n, name)?.latency.cpu95 ?? Number.NaN;
    const ratio = (a: string, b: string) => p50(a) / p50(b);
    const label = n >= 1_000_000 ? `${n / 1_000_000}M` : `${n / 1000}K`;
    if (n === 100_000) {
      for (const [k, prep] of [
        [4 * K, 'prepared'],
        [K, 'prepared'],
        [4 * K, 'plain'],
      ] as const) {
        const r = ratio(`searchBinaryAsymmetric l1 k=${k}, ${prep}`, 'searchHamming, prepared');
        verdicts.push({
          target: `${label}: asymmetric-l1 scan (k=${k}, ${prep}) within 1.5x of the Hamming scan (prepared)`,
          measured: `${fmt(r)}x`,
          met: r <= 1.5,
        });
      }
      for (const prep of ['prepared binary', 'plain']) {
        const name = `searchTwoStage x4 (default), ${prep}`;
        verdicts.push({
          target: `${label}: default two-stage (${prep}) p50 <= 1.0 ms`,
          measured: `${fmt(p50(name), 3)} ms`,
          met: p50(name) <= 1.0,
        });
        verdicts.push({
          target: `${label}: default two-stage (${prep}) p95 <= 1.3 x p50 (CPU time)`,
          // The bare scan allocates nothing; its spread in the same rounds is the machine's.
          measured: `${fmt(p95(name) / p50(name))}x (bare scan in the same rounds: ${fmt(
            p95('bare WAT popcount scan + JS top-k (baseline)') /
              p50('bare WAT popcount scan + JS top-k (baseline)'),
          )}x)`,
          met: p95(name) <= 1.3 * p50(name),
        });
      }
      verdicts.push({
        target: `${label}: two-stage x4 costs little more than x2 (plain; was 1.5 ms more)`,
        measured: `${fmt(p50('searchTwoStage x4 (default), plain') - p50('searchTwoStage x2, plain'), 3)} ms more`,
        met: p50('searchTwoStage x4 (default), plain') - p50('searchTwoStage x2, plain') <= 0.2,
      });
      const gbs = bits / (p50('searchHamming, prepared') / 1000) / 1e9;
      verdicts.push({
        target: `${label}: Hamming (prepared) >= 12 GB/s including top-k`,
        measured: `${fmt(gbs, 1)} GB/s`,
        met: gbs >= 12,
      });
      const f = ratio('searchFloat, prepared', 'usearch exactSearch, 1 thread (baseline)');
      if (Number.isFinite(f)) {
        verdicts.push({
          target: `${label}: exact float32 (prepared) within 1.5x of usearch exact, 1 thread`,
          measured: `${fmt(f)}x`,
          met: f <= 1.5,
        });
        const plain = ratio('searchFloat, plain', 'usearch exactSearch, 1 thread (baseline)');
        verdicts.push({
          target: `${label}: exact float32 (plain array) within 1.5x of usearch exact, 1 thread`,
          measured: `${fmt(plain)}x`,
          met: plain <= 1.5,
        });
      }
      for (const [batchName, single] of [
        ['batch of 64: searchHamming, prepared', 'one query beside the batches: searchHamming, prepared'],
        [
          'batch of 64: searchBinaryAsymmetric l1, prepared',
          'one query beside the batches: searchBinaryAsymmetric l1 k=10, prepared',
        ],
        ['batch of 64: searchInt8 (float queries)', 'one query beside the batches: searchInt8 (float query)'],
      ]) {
        const speedup = p50(single) / (p50(batchName) / BATCH);
        verdicts.push({
          target: `${label}: ${batchName.replace('batch of 64: ', '')}: 64-query batch >= 4x the per-query throughput of single queries`,
          measured: `${fmt(speedup)}x`,
          met: speedup >= 4,
        });
      }
    }
    if (n === 10_000) {
      const gap = p50('searchHamming, prepared') - p50('bare WAT popcount scan + JS top-k (baseline)');
      verdicts.push({
        target: `${label}: Hamming (prepared) within 0.05 ms of the bare scan`,
        measured: `${fmt(gap, 3)} ms slower`,
        met: gap <= 0.05,
      });
    }
    if (n === 1_000_000) {
      const name = 'searchTwoStage x4 (default), prepared binary';
      verdicts.push({
        target: `${label}: default two-stage (prepared binary) p50 <= 10 ms`,
        measured: `${fmt(p50(name), 2)} ms`,
        met: p50(name) <= 10,
      });
      const plain = 'searchTwoStage x4 (default), plain';
      verdicts.push({
        target: `${label}: default two-stage (plain) p50 <= 10 ms`,
        measured: `${fmt(p50(plain), 2)} ms`,
        met: p50(plain) <= 10,
      });
    }
  }
  const table = markdownTable(
    [
      'N',
      'case',
      'wall p50 ms',
      'wall p95 ms',
      'cpu p50 ms',
      'cpu p95 ms',
      'cpu ms per query',
      'GB/s (cpu p50)',
      'runs',
    ],
    rows.map((r) => [
      r.n.toLocaleString('en-US'),
      r.name,
      fmt(r.latency.p50, 3),
      fmt(r.latency.p95, 3),
      fmt(r.latency.cpu, 3),
      fmt(r.latency.cpu95, 3),
      r.queries > 1 ? fmt(r.latency.cpu / r.queries, 4) : '',
      r.bytes > 0 ? fmt((r.bytes * r.queries) / (r.latency.cpu / 1000) / 1e9, 1) : '',
      r.latency.runs,
    ]),
  );
  const verdictTable = markdownTable(
    ['target', 'measured (same run)', 'verdict'],
    verdicts.map((v) => [v.target, v.measured, v.met ? 'met' : 'NOT met']),
  );
  const markdown = [
    '## Search-speed targets',
    '',
    `Top-${K} over N random vectors of ${DIMS} dims, one thread (Node). Single queries cycle through ${QUERIES}`,
    'different queries; the cases of a group run round-robin (one run each per round), so the rest of the',
    "machine's load falls on a case and its baseline alike; p50 / p95 over the rounds, of wall-clock time and",
    'of process CPU time. Verdicts use CPU',
    'time: on this shared machine a run longer than a scheduler slice also waits for a core, which wall time',
    'counts; garbage collection is CPU time, so per-query allocation still shows in the CPU p95. "prepared"',
    'corpora come from prepareBinaryCorpus / prepareFloatCorpus (kept',
    'in WebAssembly memory, no copy per search); "plain" ones are the typed arrays as they are. Baselines in',
    'the same run: a bare i8x16.popcnt WebAssembly scan writing every distance plus a JavaScript top-k loop, and',
    `usearch ${usearch === null ? '(not installed: float baseline skipped)' : 'exactSearch'} on one thread (native, reads the array in place).`,
    '',
    verdictTable,
    '',
    table,
    '',
  ].join('\n');
  return { rows, verdicts, markdown };
}
