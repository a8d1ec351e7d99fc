/**
 * `pnpm bench peers`: this project's CPU and WebGPU search paths against in-browser peer
 * libraries (client-vector-search, voy-search, Orama, hnswlib-wasm, EntityDB), the plain loop a
 * transformers.js user writes, and usearch (native, Node only), on the same vectors and queries.
 * Browser systems run in headless Chromium (scripts/chromium.mjs flags) on a page served from
 * 127.0.0.1; usearch runs in this Node process.
 *
 * Usage (all flags optional):
 *   pnpm bench peers [--sizes 10K,100K,1M] [--dims 384] [--queries 100] [--systems webembed,hnsw]
 *                    [--latency-queries 30] [--recall-budget-s 20] [--skip-real] [--skip-browser]
 *                    [--skip-node] [--ignore-limits] [--gpu-max-rows 10K] [--merge] [--report-only]
 *
 * `--merge` replaces only the rows this run measured in the previous bench-results/peers.json
 * (e.g. re-run one system) and rewrites the report from the combination.
 *
 * Output: bench-results/peers.md, peers.json and peers.svg.
 *
 * @module
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';
import { chromium } from 'playwright';
import { chromiumArgs, chromiumPath, freshUserDataDir } from '../scripts/chromium.mjs';
import { parseArgs, parseSize } from './lib/args.js';
import { type PreparedScenario, prepareReal, prepareSynthetic } from './peers/data.js';
import { measureIndex } from './peers/measure.js';
import { nodeSystems } from './peers/node-systems.js';
import type { MeasureBudget, SystemResult } from './peers/protocol.js';
import { WebEmbedError } from '@webembed/core';
import { mergeResults, readEarlierRun, readEarlierResults, writePeerReport } from './peers/report.js';
import { skippedRow } from './peers/extrapolate.js';
import type { PageSystem } from './peers/systems-types.js';

const here = dirname(fileURLToPath(import.meta.url));
const root = join(here, '..');
const work = join(root, '.tmp', 'bench-peers');
const started = performance.now();

function log(line: string): void {
  const s = ((performance.now() - started) / 1000).toFixed(0).padStart(5);
  console.log(`[${s}s] ${line}`);
}

interface SystemInfo {
  readonly id: string;
  readonly maxRows: number;
  readonly limitReason: string;
}

async function bundlePage(): Promise<string> {
  const www = join(work, 'www');
  mkdirSync(www, { recursive: true });
  await build({
    entryPoints: [join(here, 'peers', 'page.ts')],
    bundle: true,
    format: 'esm',
    platform: 'browser',
    target: 'es2022',
    conditions: ['@webembed/source'],
    alias: { '@xenova/transformers': join(here, 'peers', 'transformers-stub.ts') },
    outfile: join(www, 'page.js'),
    logLevel: 'error',
  });
  writeFileSync(
    join(www, 'index.html'),
    '<!doctype html><meta charset="utf-8"><title>peer bench</title><script type="module" src="/page.js"></script>\n',
  );
  return www;
}

async function main(): Promise<void> {
  const args = parseArgs(process.argv.slice(2), {
    sizes: 'list',
    dims: 'number',
    queries: 'number',
    systems: 'list',
    'latency-queries': 'number',
    'recall-budget-s': 'number',
    'skip-real': 'boolean',
    'skip-browser': 'boolean',
    'skip-node': 'boolean',
    'ignore-limits': 'boolean',
    'gpu-max-rows': 'number',
    merge: 'boolean',
    'report-only': 'boolean',
  });
  const sizes = ((args.sizes as string[] | undefined) ?? ['10K', '100K', '1M'])
    .map(parseSize)
    .sort((a, b) => a - b);
  const dims = (args.dims as number | undefined) ?? 384;
  const queryCount = (args.queries as number | undefined) ?? 100;
  const k = 10;
  const budget: MeasureBudget = {
    latencyQueries: (args['latency-queries'] as number | undefined) ?? 30,
    batch: 64,
    recallBudgetMs: ((args['recall-budget-s'] as number | undefined) ?? 20) * 1000,
  };
  const filters = (args.systems as string[] | undefined)?.map((s) => s.toLowerCase());
  const wanted = (id: string) => !filters || filters.some((f) => id.toLowerCase().includes(f));
  const ignoreLimits = args['ignore-limits'] === true;
  const gpuEmulatedMaxRows = (args['gpu-max-rows'] as number | undefined) ?? 10_000;
  const dataDir = join(work, 'data');
  if (args['report-only'] === true) {
    // Rewrites peers.md / peers.svg from peers.json (after a change to the report format).
    const { info, results } = readEarlierRun();
    if (!info)
      throw new WebEmbedError('NOT_FOUND', 'bench-results/peers.json holds no earlier run to report');
    writePeerReport(results, info);
    return;
  }
  log(`sizes ${sizes.join(', ')} x ${dims} dims, ${queryCount} queries, k = ${k}`);

  const results: SystemResult[] = [];
  const lastRun = new Map<string, SystemResult>();
  let gpuLine = 'browser not run';
  let isolated = false;

  let closeBrowser: () => Promise<void> = async () => {};
  let api: ((fn: string, ...a: unknown[]) => Promise<unknown>) | null = null;
  let pageSystems: SystemInfo[] = [];
  let closeServer = () => {};
  if (args['skip-browser'] !== true) {
    const www = await bundlePage();
    const { serveStatic } = await import('./peers/server.js');
    const { server, origin } = await serveStatic({
      '/data/': dataDir,
      '/voy/': join(here, 'node_modules', 'voy-search'),
      '/': www,
    });
    closeServer = () => server.close();
    const context = await chromium.launchPersistentContext(freshUserDataDir(), {
      executablePath: chromiumPath,
      headless: true,
      args: [
        ...chromiumArgs,
        '--js-flags=--expose-gc --max-old-space-size=8192',
        '--enable-blink-features=ForceEagerMeasureMemory',
        '--enable-precise-memory-info',
      ],
    });
    closeBrowser = () => context.close();
    const page = context.pages()[0] ?? (await context.newPage());
    page.on('console', (msg) => {
      if (msg.type() === 'log') log(msg.text());
      else if (msg.type() === 'error') log(`page error: ${msg.text()}`);
    });
    page.on('pageerror', (err) => log(`page exception: ${err.message}`));
    await page.goto(`${origin}/`);
    await page.waitForFunction(() => document.title === 'peer bench ready', undefined, { timeout: 60_000 });
    api = (fn, ...a) =>
      page.evaluate(
        ([name, params]) => {
          const bench = (globalThis as unknown as { peerBench: Record<string, (...x: unknown[]) => unknown> })
            .peerBench;
          return bench[name as string](...(params as unknown[]));
        },
        [fn, a] as const,
      );
    gpuLine = (await api('describeGpu')) as string;
    isolated = (await api('crossOriginIsolated')) as boolean;
    pageSystems = ((await api('systems')) as SystemInfo[]).filter((s) => wanted(s.id));
    if (/fallback|no WebGPU/.test(gpuLine)) {
      // CPU-emulated WebGPU (SwiftShader) takes seconds per query at 100K: keep it to the smallest sizes.
      pageSystems = pageSystems.map((s) =>
        s.id.includes('WebGPU')
          ? {
              ...s,
              maxRows: gpuEmulatedMaxRows,
              limitReason: `the WebGPU adapter here is CPU-emulated (SwiftShader): ~3.5 s per Hamming query at 100K x 384, and its timings say nothing about a real GPU; run on a machine with a GPU for these rows (or pass --gpu-max-rows)`,
            }
          : s,
      );
    }
    log(`browser: Chromium at ${chromiumPath}; ${gpuLine}; cross-origin isolated: ${isolated}`);
  }
  const nodeList: PageSystem[] = args['skip-node'] === true ? [] : nodeSystems.filter((s) => wanted(s.id));

  const scenarios: (() => PreparedScenario)[] = [];
  if (args['skip-real'] !== true) scenarios.push(() => prepareReal(dataDir, k, log));
  for (const rows of sizes) scenarios.push(() => prepareSynthetic(dataDir, rows, dims, queryCount, k, log));

  const earlier = args.merge === true ? readEarlierResults() : [];
  // With --merge, a skipped row may extrapolate from a size measured in the earlier run.
  for (const r of earlier) {
    const seen = lastRun.get(r.system);
    if (!r.skipped && r.data === 'synthetic' && r.dims === dims && (!seen || seen.rows < r.rows))
      lastRun.set(r.system, r);
  }
  // Written after every scenario too, so a long run that is stopped keeps what it measured.
  const report = () =>
    writePeerReport(args.merge === true ? mergeResults(earlier, results) : results, {
      sizes,
      dims,
      queries: queryCount,
      k,
      budget,
      gpu: gpuLine,
      crossOriginIsolated: isolated,
      totalSeconds: (performance.now() - started) / 1000,
      merged: args.merge === true,
    });

  try {
    for (const prepare of scenarios) {
      const scenario = prepare();
      const { data } = scenario;
      log(
        `=== ${data.kind} data: ${data.rows.toLocaleString('en-US')} x ${data.dims}, ${data.queries} queries`,
      );
      const runnable = (s: SystemInfo) => ignoreLimits || data.kind === 'real' || data.rows <= s.maxRows;
      if (api && pageSystems.some(runnable)) await api('load', data);
      for (const system of pageSystems) {
        if (!runnable(system)) {
          results.push(skippedRow(system, 'browser', data.rows, data.dims, lastRun.get(system.id)));
          log(`  ${system.id}: skipped at this size`);
          continue;
        }
        log(`  ${system.id} (browser)`);
        const result = (await api!('run', system.id, budget)) as SystemResult;
        results.push(result);
        if (result.skipped) log(`    ${result.skipped}`);
        else if (data.kind === 'synthetic') lastRun.set(system.id, result);
      }
      for (const system of nodeList) {
        if (!runnable(system)) {
          results.push(skippedRow(system, 'node', data.rows, data.dims, lastRun.get(system.id)));
          log(`  ${system.id}: skipped at this size`);
          continue;
        }
        log(`  ${system.id} (node)`);
        const base = {
          system: system.id,
          where: 'node' as const,
          data: data.kind,
          rows: data.rows,
          dims: data.dims,
        };
        const start = performance.now();
        const index = await system.build(scenario.corpus);
        const buildMs = performance.now() - start;
        log(`    build ${(buildMs / 1000).toFixed(2)} s`);
        const figures = await measureIndex(index, scenario.queries, scenario.truth, k, budget, (l) => log(l));
        await index.dispose();
        const result: SystemResult = {
          ...base,
          buildMs,
          bytesPerVector: index.indexBytes !== undefined ? index.indexBytes / data.rows : undefined,
          memoryMethod: index.indexBytes !== undefined ? 'index arrays' : 'native heap, not measured',
          reopenNote: index.reopenNote,
          note: index.note,
          ...figures,
        };
        results.push(result);
        if (data.kind === 'synthetic') lastRun.set(system.id, result);
      }
      report();
    }
  } finally {
    await closeBrowser();
    closeServer();
  }
  report();
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
