/**
 * `pnpm bench gpu-node [--sizes 100K,1M] [--dims 384,1024] [--queries 1,64] [--runs 5]
 *   [--engine-sizes 10K,100K] [--engine-queries 30] [--engine-batch 64] [--float-budget N]
 *   [--dawn-flag f ...]`
 *
 * The GPU benchmarks in Node on Dawn's WebGPU (the `webgpu` package) rather than in Chromium,
 * for a machine that has a GPU but no browser (how the real-GPU figures in the README were
 * taken). Two parts, both in one process, each beside the CPU path in the same run:
 *
 * 1. Kernels: the table of `pnpm bench gpu` (packages/gpu/bench/page.ts): every search mode, one
 *    and 64 queries, GPU end to end against `@webembed/core` on the same rows, same top-10.
 * 2. Engine: `collection.search` end to end (minus the query embedding) through
 *    `engineFromEmbedder` over fake-indexeddb (bench/search/run-size.ts), once per
 *    `searchBackend` ('auto' as shipped, then 'webgpu' and 'cpu'): which backend `auto` chose
 *    and why, p50/p95, the bare core kernel in the same run, and whether the hits agree; and per
 *    mode one `collection.searchMany` of `--engine-batch` queries (default 64) beside the same
 *    queries searched one at a time, with where `auto` routed the batch and why.
 *
 * On a software adapter (SwiftShader) `auto` keeps the CPU path by design, and the kernel
 * figures say nothing about a real GPU. Dawn finds Vulkan drivers through the usual loader
 * (`VK_ICD_FILENAMES` picks one). Writes bench-results/gpu-node.{md,json}.
 *
 * @module
 */
import 'fake-indexeddb/auto';
import { cpus, totalmem } from 'node:os';
import {
  type BenchConfig,
  type BenchLine,
  type BenchMode,
  describe,
  run,
} from '../packages/gpu/bench/page.js';
import { ALL_MODES, GPU_TABLE_NOTE, gpuLinesMarkdown } from '../packages/gpu/bench/table.js';
import { parseArgs, parseSize } from './lib/args.js';
import { fmt, markdownTable, median, percentile, writeResults } from './lib/report.js';
import { type SearchBenchResult, runSize } from './search/run-size.js';
import { agreementText } from './search/agreement.js';

const K = 10;

const args = parseArgs(process.argv.slice(2), {
  sizes: 'list',
  dims: 'list',
  queries: 'list',
  modes: 'list',
  runs: 'number',
  'float-budget': 'number',
  'engine-sizes': 'list',
  'engine-queries': 'number',
  'engine-batch': 'number',
  'dawn-flag': 'list',
  'engine-only': 'boolean',
});

/** Puts Dawn's `GPU` at `navigator.gpu` and its classes (GPUBufferUsage, ...) on globalThis. */
async function installDawn(flags: readonly string[]): Promise<void> {
  const { create, globals } = await import('webgpu');
  Object.assign(globalThis, globals);
  const gpu = create([...flags]);
  const nav = (globalThis as { navigator?: object }).navigator;
  if (nav) Object.defineProperty(nav, 'gpu', { value: gpu, configurable: true });
  else Object.defineProperty(globalThis, 'navigator', { value: { gpu }, configurable: true });
}

function list(name: string, fallback: string): string[] {
  const value = args[name];
  return Array.isArray(value) ? value.map(String) : fallback.split(',');
}

async function main(): Promise<void> {
  await installDawn(list('dawn-flag', '').filter(Boolean));
  const info = await describe();
  const adapter = info.adapter as { isFallbackAdapter?: boolean } | null;
  const emulated = info.backend !== 'webgpu' || Boolean(adapter?.isFallbackAdapter);
  const banner = `Search backend in Node (Dawn${process.env.VK_ICD_FILENAMES ? `, VK_ICD_FILENAMES=${process.env.VK_ICD_FILENAMES}` : ''}): ${info.backend} (${info.reason}).${emulated ? ' Software or no adapter: these "GPU" figures say nothing about a real GPU.' : ''}`;
  console.log(banner);

  const sizes = list('sizes', emulated ? '20000' : '100000,1000000').map((s) => parseSize(s));
  const dimsList = list('dims', emulated ? '384' : '384,1024').map(Number);
  const queries = list('queries', '1,64').map(Number);
  const modes = list('modes', ALL_MODES.join(',')) as BenchMode[];
  const runs = (args.runs as number | undefined) ?? (emulated ? 1 : 5);
  const gpuWarmUps = emulated ? 1 : 10;
  const floatBudget = (args['float-budget'] as number | undefined) ?? 110_000_000;
  const kernelLines: BenchLine[] = [];
  // --engine-only: the engine tables alone, written to gpu-node-engine.{md,json}.
  const engineOnly = args['engine-only'] === true;
  for (const n of engineOnly ? [] : sizes) {
    for (const dims of dimsList) {
      console.log(`kernels: N=${n} dims=${dims}`);
      const config: BenchConfig = { n, dims, queries, modes, runs, k: K, floatBudget, gpuWarmUps };
      kernelLines.push(...(await run(config)));
    }
  }

  const engineSizes = list('engine-sizes', emulated ? '10000' : '10000,100000').map((s) => parseSize(s));
  const engineQueries = (args['engine-queries'] as number | undefined) ?? 30;
  const engineBatch = (args['engine-batch'] as number | undefined) ?? 64;
  const engineRuns: { request: 'auto' | 'webgpu' | 'cpu'; result: SearchBenchResult }[] = [];
  for (const rows of engineSizes) {
    for (const request of ['auto', 'webgpu', 'cpu'] as const) {
      console.log(`engine: ${rows} rows, searchBackend '${request}'`);
      const result = await runSize(
        {
          rows,
          dims: 384,
          kinds: ['float32', 'int8', 'binary'],
          modes: ['default', 'float32', 'int8', 'hamming', 'binary-rescore'],
          queries: engineQueries,
          k: K,
          searchBackend: request,
          batchQueries: engineBatch,
        },
        (message) => console.log(message),
      );
      engineRuns.push({ request, result });
    }
  }

  const ms = (v: number) => fmt(v, v < 1 ? 3 : 2);
  const engineHeader = [
    'rows',
    'searchBackend',
    'mode',
    'ran on',
    'why',
    'e2e p50 ms',
    'e2e p95 ms',
    'core CPU kernel p50 ms',
    'first search ms',
    'same hits as the CPU kernel',
  ];
  const engineRows = engineRuns.flatMap(({ request, result }) =>
    result.lines.map((line) => [
      result.rows,
      request,
      line.requested === 'default' ? `${line.mode} (default)` : line.mode,
      line.backend,
      line.backendReason.replace(/\|/g, '/'),
      ms(median(line.endToEnd)),
      ms(percentile(line.endToEnd, 95)),
      ms(median(line.kernel)),
      ms(line.firstMs),
      line.sameHits ? 'yes' : 'no',
    ]),
  );
  const manyHeader = [
    'rows',
    'searchBackend',
    'mode',
    'queries',
    'batch ran on',
    'why',
    'searchMany ms',
    'per query ms',
    'one search at a time, ms',
    'throughput, batch / singles',
    'first searchMany ms',
    'same hits',
  ];
  const manyRows = engineRuns.flatMap(({ request, result }) =>
    result.lines.flatMap((line) =>
      line.many
        ? [
            [
              result.rows,
              request,
              line.requested === 'default' ? `${line.mode} (default)` : line.mode,
              line.many.queries,
              line.many.backend,
              line.many.reason.replace(/\|/g, '/'),
              ms(line.many.manyMs),
              ms(line.many.manyMs / line.many.queries),
              ms(line.many.singlesMs),
              `x${fmt(line.many.throughputRatio, 2)}`,
              ms(line.many.firstMs),
              agreementText(line.many),
            ],
          ]
        : [],
    ),
  );
  const md = [
    '# GPU search in Node on Dawn (`pnpm bench gpu-node`)',
    '',
    banner,
    '',
    `Host: ${cpus()[0]?.model ?? 'unknown CPU'}, ${cpus().length} cores, ${Math.round(totalmem() / 2 ** 30)} GiB. The CPU path is single-threaded WebAssembly in the same Node process.`,
    '',
    ...(engineOnly ? ['(--engine-only: kernel table skipped.)', ''] : []),
    '## Kernels',
    '',
    `k = ${K}; median of ${runs} timed run(s), on the GPU after ${gpuWarmUps} untimed searches (a GPU idle for a while answers its first searches several times slower: clocks ramp up), on the CPU after one. ${GPU_TABLE_NOTE} Float32 storage is skipped above ${floatBudget} values.`,
    '',
    gpuLinesMarkdown(kernelLines),
    '',
    '## collection.search through the engine',
    '',
    `${engineQueries} queries per mode after a first (untimed here, shown as "first search") search; 384 dims; kinds float32 + int8 + binary; fake-indexeddb in Node. "e2e" excludes the query embedding (a stand-in embedder). "ran on" and "why" are the response's searchBackend and searchReason: with 'auto' the engine timed both paths on the first search of each mode and routed to the faster.`,
    '',
    markdownTable(engineHeader, engineRows),
    ...(manyRows.length > 0
      ? [
          '',
          `## collection.searchMany: ${engineBatch} queries at once beside one at a time`,
          '',
          `Per mode, one \`searchMany\` of ${engineBatch} queries (one embedding, one batched ranking; minus the embedding) against \`search\` of each of them in turn (summed), median of 3 runs each after one untimed first batch. With 'auto' the first batch timed both paths for its batch-size bucket (1, 2-8, 9-64, 65+), apart from single searches; "why" is the batch's searchReason. "same hits": every query's ids and scores equal its single search's ("same ids, scores within x": float rounding where the batch and the single searches ran on different backends).`,
          '',
          markdownTable(manyHeader, manyRows),
        ]
      : []),
  ].join('\n');
  console.log(`\n${md}`);
  writeResults(engineOnly ? 'gpu-node-engine' : 'gpu-node', md, { info, emulated, kernelLines, engineRuns });
}

main().then(
  () => process.exit(0),
  (err) => {
    console.error(err);
    process.exit(1);
  },
);
