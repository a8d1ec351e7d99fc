/**
 * `pnpm bench search`: engine-level search cost in a headless Chromium module worker.
 * `collection.search` end to end (minus the query embedding) against the bare `@webembed/core`
 * kernel on the same rows and queries, in the same worker and run, with the engine's own
 * breakdown per search (snapshot check, kernel, hit hydration) and the IndexedDB transactions
 * each search opened. Per mode, also one `collection.searchMany` of `--batch` queries (default
 * 64; 0 skips it) beside the same queries searched one at a time: throughput ratio, where `auto`
 * routed the batch and why.
 *
 * Usage: `pnpm bench search [--sizes 24,10K,100K,1M] [--dims 384] [--queries 50] [--k 10]
 *   [--modes default,hamming] [--kinds float32,int8,binary] [--large-kinds float32,binary]
 *   [--backend auto|cpu|webgpu] [--batch 64] [--port 0]`
 *
 * `--large-kinds` applies from 500K rows (int8 rows are not read by the default mode and would
 * add 384 MB at 1M). Writes bench-results/search.{md,json}.
 *
 * @module
 */
import { execFileSync } from 'node:child_process';
import { rmSync } from 'node:fs';
import { type Server, createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';
import { chromium } from 'playwright';
import { chromiumArgs, chromiumPath, freshUserDataDir } from '../scripts/chromium.mjs';
import { parseArgs, parseSize } from './lib/args.js';
import { fmt, markdownTable, median, percentile, writeResults } from './lib/report.js';
import type { SearchBenchConfig, SearchBenchLine, SearchBenchResult } from './search/run-size.js';
import { agreementText } from './search/agreement.js';

const here = dirname(fileURLToPath(import.meta.url));
const LARGE = 500_000;
/** The issue's budget: end to end within the kernel's time plus this. */
const OVERHEAD_TARGET_MS = 0.5;

const args = parseArgs(process.argv.slice(2), {
  sizes: 'list',
  dims: 'number',
  queries: 'number',
  k: 'number',
  modes: 'list',
  kinds: 'list',
  'large-kinds': 'list',
  backend: 'string',
  batch: 'number',
  port: 'string',
});
const sizes = ((args.sizes as string[] | undefined) ?? ['24', '10K', '100K', '1M']).map(parseSize);
const dims = (args.dims as number | undefined) ?? 384;
const queries = (args.queries as number | undefined) ?? 50;
const k = (args.k as number | undefined) ?? 10;
const modes = (args.modes as string[] | undefined) ?? ['default', 'hamming'];
const kinds = (args.kinds as string[] | undefined) ?? ['float32', 'int8', 'binary'];
const largeKinds = (args['large-kinds'] as string[] | undefined) ?? ['float32', 'binary'];
const backend = (args.backend as string | undefined) ?? 'auto';
const port = Number((args.port as string | undefined) ?? '0');
const batchQueries = (args.batch as number | undefined) ?? 64;

async function bundle(entry: string): Promise<string> {
  const result = await build({
    entryPoints: [join(here, 'search', entry)],
    bundle: true,
    format: 'esm',
    platform: 'browser',
    target: 'es2022',
    conditions: ['@webembed/source'],
    // The stand-in embedder never loads a model: keep transformers.js out of the worker bundle.
    external: ['@huggingface/transformers'],
    write: false,
    logLevel: 'warning',
  });
  return result.outputFiles[0].text;
}

function serve(files: Record<string, string>): Promise<Server> {
  const html =
    '<!doctype html><meta charset="utf-8"><title>search bench</title><script type="module" src="/page.js"></script>';
  const server = createServer((req, res) => {
    const body = files[req.url ?? ''];
    // Cross-origin isolation gives the worker a 5 us performance.now() instead of 100 us.
    res.writeHead(200, {
      'content-type': body === undefined ? 'text/html' : 'text/javascript',
      'cross-origin-opener-policy': 'same-origin',
      'cross-origin-embedder-policy': 'require-corp',
    });
    res.end(body ?? html);
  });
  return new Promise((resolve) => server.listen(port, '127.0.0.1', () => resolve(server)));
}

function loadAverage(): string {
  try {
    return execFileSync('uptime', { encoding: 'utf8' }).trim();
  } catch {
    return 'uptime unavailable';
  }
}

const p50 = (xs: readonly number[]) => (xs.length ? median(xs) : Number.NaN);
const p95 = (xs: readonly number[]) => (xs.length ? percentile(xs, 95) : Number.NaN);
const ms = (x: number, digits = 3) => (Number.isNaN(x) ? '-' : fmt(x, digits));

/** Per search: end to end minus the engine's own kernel time in that same search. */
function outsideKernel(line: SearchBenchLine): number[] {
  return line.engineKernel.map((kernelMs, i) => line.endToEnd[i] - kernelMs);
}

function tableRow(line: SearchBenchLine): (string | number)[] {
  const overhead = p50(line.endToEnd) - p50(line.kernel);
  const outside = outsideKernel(line);
  return [
    line.rows.toLocaleString('en-US'),
    line.requested === 'default' ? `${line.mode} (default)` : line.mode,
    line.backend,
    ms(p50(line.endToEnd)),
    ms(p95(line.endToEnd)),
    ms(p50(line.kernel)),
    ms(p95(line.kernel)),
    `${ms(overhead)} ${overhead <= OVERHEAD_TARGET_MS ? '(met)' : '(missed)'}`,
    `${ms(p50(outside))} / ${ms(p95(outside))}`,
    ms(p50(line.snapshot)),
    ms(p50(line.engineKernel)),
    ms(p50(line.hydrate)),
    fmt(line.transactionsPerSearch, 1),
    ms(line.firstMs, 1),
    line.sameHits ? 'yes' : 'no',
  ];
}

/** The searchMany table's row of one line (null when the batch was skipped). */
function manyRow(line: SearchBenchLine): (string | number)[] | null {
  const many = line.many;
  if (!many) return null;
  return [
    line.rows.toLocaleString('en-US'),
    line.requested === 'default' ? `${line.mode} (default)` : line.mode,
    many.queries,
    many.backend,
    ms(many.manyMs, 2),
    ms(many.manyMs / many.queries),
    ms(many.singlesMs, 2),
    ms(many.singlesMs / many.queries),
    `x${fmt(many.throughputRatio, 2)}`,
    ms(many.firstMs, 1),
    agreementText(many),
    many.reason.replace(/\|/g, '/'),
  ];
}

async function main(): Promise<void> {
  const [page, worker] = await Promise.all([bundle('page.ts'), bundle('worker.ts')]);
  const server = await serve({ '/page.js': page, '/worker.js': worker });
  const address = server.address() as AddressInfo;
  const userDataDir = freshUserDataDir();
  const context = await chromium.launchPersistentContext(userDataDir, {
    executablePath: chromiumPath,
    args: chromiumArgs,
    headless: true,
  });
  const loadBefore = loadAverage();
  const results: SearchBenchResult[] = [];
  const started = Date.now();
  try {
    const tab = await context.newPage();
    tab.on('console', (msg) => {
      if (msg.text().startsWith('bench ')) {
        console.log(`[${Math.round((Date.now() - started) / 1000)} s] ${msg.text().slice(6)}`);
      }
    });
    tab.on('pageerror', (err) => console.error('page error:', err));
    await tab.goto(`http://127.0.0.1:${address.port}/`);
    await tab.waitForFunction(() => (globalThis as { searchBenchReady?: boolean }).searchBenchReady === true);
    for (const rows of sizes) {
      const config: SearchBenchConfig = {
        rows,
        dims,
        kinds: (rows >= LARGE ? largeKinds : kinds) as SearchBenchConfig['kinds'],
        modes: modes as SearchBenchConfig['modes'],
        queries,
        k,
        searchBackend: backend as SearchBenchConfig['searchBackend'],
        batchQueries,
      };
      console.log(`size ${rows.toLocaleString('en-US')} x ${dims}, kinds ${config.kinds.join('+')}`);
      const result = await tab.evaluate(
        (c) =>
          (
            globalThis as unknown as { runSearchBench: (c: SearchBenchConfig) => Promise<SearchBenchResult> }
          ).runSearchBench(c),
        config,
      );
      results.push(result);
      for (const line of result.lines) {
        console.log(`  ${tableRow(line).join(' | ')}`);
        const many = manyRow(line);
        if (many) console.log(`  searchMany: ${many.join(' | ')}`);
      }
    }
  } finally {
    await context.close();
    server.close();
    rmSync(userDataDir, { recursive: true, force: true });
  }
  const loadAfter = loadAverage();
  const header = [
    'rows',
    'mode',
    'backend',
    'search p50 ms',
    'p95',
    'bare kernel p50 ms',
    'p95',
    'search p50 - bare p50 ms (target <= 0.5)',
    'outside the kernel, same search, p50 / p95 ms',
    'snapshot check p50',
    'engine kernel p50',
    'hit hydration p50',
    'IDB tx / search',
    'first search ms',
    'same top-k',
  ];
  const lines = results.flatMap((r) => r.lines);
  const manyHeader = [
    'rows',
    'mode',
    'queries',
    'batch ran on',
    'searchMany ms',
    'per query',
    'one search at a time, ms',
    'per query',
    'throughput, batch / singles',
    'first searchMany ms',
    'same hits',
    'why there',
  ];
  const manyRows = lines.map(manyRow).filter((row) => row !== null);
  const engineInfo = results[0]?.engineSearchInfo;
  const md = [
    '# Engine search benchmark (headless Chromium, module worker)',
    '',
    `\`collection.search\` of the engine (\`engineFromEmbedder\` over IndexedDB, in a module worker) against`,
    `the bare \`@webembed/core\` kernel on the same rows and the same query, alternating query by query in the`,
    `same worker and run. ${dims}-dim synthetic unit vectors (uniform, normalized; queries are corpus rows plus`,
    `noise), k = ${k}, ${queries} timed queries per line after one untimed first search. "search" is the wall time`,
    `of \`collection.search\` minus its embedding time (a table lookup here). Kinds stored: ${kinds.join('+')}`,
    `below ${LARGE.toLocaleString('en-US')} rows, ${largeKinds.join('+')} from there. The breakdown columns are the`,
    'engine\'s own `timings` (snapshot check, kernel, hit hydration); "outside the kernel" is, search by search,',
    "the end-to-end time minus the kernel time of that same search (immune to the kernel's run-to-run noise,",
    'which on a loaded machine exceeds the 0.5 ms budget); "IDB tx / search" counts IndexedDB',
    'transactions opened during the timed searches. The bare kernels: `searchFloat` (float32), `searchTwoStage`',
    '(binary-rescore: asymmetric-l1 x4 + float32 rescore), `searchHamming` over a `prepareHammingCorpus` corpus',
    '(hamming), `searchInt8` (int8).',
    '',
    `Search backend requested: \`${backend}\`; engine.info.search: ${engineInfo ? `${engineInfo.backend} (${engineInfo.reason})` : '-'}.`,
    '',
    `Load: before \`${loadBefore}\`; after \`${loadAfter}\`.`,
    '',
    markdownTable(header, lines.map(tableRow)),
    '',
    ...(manyRows.length > 0
      ? [
          `## searchMany: a batch of ${batchQueries} queries beside the same queries one search at a time`,
          '',
          'Per mode, `collection.searchMany` of the batch (one embedding, one batched ranking; minus the embedding)',
          'against `collection.search` of each of its queries in turn (summed, minus the embeddings), median of 3 runs',
          'each, after one untimed first batch (where `auto` times both paths for the batch-size bucket). The',
          "throughput column is the singles' total over the batch's time; \"same hits\" compares every query's ids and",
          'scores; "why there" is the batch\'s searchReason.',
          '',
          markdownTable(manyHeader, manyRows),
          '',
        ]
      : []),
    ...results.map(
      (r) =>
        `- ${r.rows.toLocaleString('en-US')} rows (${r.kinds.join('+')}): written in ${fmt(r.writeMs / 1000, 1)} s; ${r.lines
          .map((l) => `${l.mode} on ${l.backend}: ${l.backendReason}`)
          .join('; ')}`,
    ),
  ].join('\n');
  console.log(`\n${md}`);
  writeResults('search', md, {
    dims,
    k,
    queries,
    kinds,
    largeKinds,
    backend,
    loadBefore,
    loadAfter,
    results,
  });
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
