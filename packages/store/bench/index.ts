/**
 * `pnpm bench store`: IndexedDB write and open-plus-load times in headless Chromium, block layout
 * (this package) against a naive one-record-per-vector layout, measured in the same run.
 *
 * Usage: `pnpm bench store [--sizes 100000,1000000] [--naive-max 1000000] [--runs 3] [--kinds binary,int8+binary]`
 */
import { rmSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium } from 'playwright';
import { chromiumArgs, chromiumPath, freshUserDataDir } from '../../../scripts/chromium.mjs';
import { bundleForBrowser, servePage } from '../../../bench/lib/browser-page.js';
import { fmt, markdownTable, median, writeResults } from '../../../bench/lib/report.js';
import type { BenchRow } from './page.js';

const here = dirname(fileURLToPath(import.meta.url));

function arg(name: string, fallback: string): string {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 && process.argv[i + 1] ? process.argv[i + 1] : fallback;
}

const sizes = arg('sizes', '100000,1000000').split(',').map(Number);
const naiveMax = Number(arg('naive-max', '1000000'));
const runs = Number(arg('runs', '3'));
const kindSets = arg('kinds', 'binary,int8+binary').split(',');

async function main() {
  const script = await bundleForBrowser(join(here, 'page.ts'));
  const server = await servePage(script, 'store bench');
  const port = (server.address() as AddressInfo).port;
  const userDataDir = freshUserDataDir();
  const context = await chromium.launchPersistentContext(userDataDir, {
    executablePath: chromiumPath,
    // --expose-gc: the page collects the write phase's garbage before each timed load.
    args: [...chromiumArgs, '--js-flags=--expose-gc'],
    headless: true,
  });
  const rows: BenchRow[] = [];
  try {
    const page = await context.newPage();
    page.on('console', (msg) => console.log(msg.text()));
    page.on('pageerror', (err) => console.error('page error:', err));
    await page.goto(`http://127.0.0.1:${port}/`);
    await page.waitForFunction(() => (globalThis as { benchReady?: boolean }).benchReady === true);
    for (const size of sizes) {
      const config = { rows: size, naive: size <= naiveMax, loadRuns: runs, kindSets };
      const result = await page.evaluate(
        (c) =>
          (globalThis as unknown as { runStoreBench: (c: unknown) => Promise<BenchRow[]> }).runStoreBench(c),
        config,
      );
      rows.push(...result);
    }
  } finally {
    await context.close();
    server.close();
    rmSync(userDataDir, { recursive: true, force: true });
  }

  const table = rows.map((r) => {
    const load = median(r.loadSamples);
    const peer = rows.find((o) => o.layout === 'naive' && o.kinds === r.kinds && o.rows === r.rows);
    const loadRatio =
      r.layout === 'blocks' && peer ? `${fmt(median(peer.loadSamples) / load, 1)}x faster` : '';
    const writeRatio = r.layout === 'blocks' && peer ? `${fmt(peer.writeMs / r.writeMs, 1)}x faster` : '';
    return [
      r.layout,
      r.kinds,
      r.rows.toLocaleString('en-US'),
      Number.isNaN(r.writeMs) ? '(same)' : fmt(r.writeMs, 0),
      Number.isNaN(r.writeMs) ? '' : fmt(r.rows / (r.writeMs / 1000), 0),
      fmt(load, 0),
      fmt(Math.min(...r.loadSamples), 0),
      fmt(median(r.idSamples), 0),
      loadRatio,
      writeRatio,
    ];
  });
  const md = [
    '# Store benchmark (IndexedDB, headless Chromium)',
    '',
    `384-dim vectors: int8 codes (384 B/row) and 384-bit binary (48 B/row + 4 B L1 norm), plus id and a short text. ` +
      `"blocks" is @webembed/store (4096 rows per record); "naive" stores one record per vector (16K puts per transaction). ` +
      `Open + load = open a fresh database handle and read every stored vector form, L1 norms and tombstones ` +
      `into contiguous typed arrays (median and best of ${runs} runs; warm OS cache; texts not loaded). ` +
      `The store decodes ids lazily on first access; "+ decode all ids" is that extra cost, measured separately ` +
      `(the naive load builds its id array inside its load time). Same run, same browser profile.`,
    '',
    markdownTable(
      [
        'layout',
        'kinds',
        'rows',
        'write ms',
        'rows/s written',
        'open+load ms (median)',
        'best ms',
        '+ decode all ids ms',
        'load vs naive',
        'write vs naive',
      ],
      table,
    ),
    '',
    sizes.some((s) => s > naiveMax)
      ? `Naive layout measured only up to ${naiveMax.toLocaleString('en-US')} rows.`
      : '',
  ].join('\n');
  console.log(`\n${md}`);
  writeResults('store', md, { sizes, naiveMax, runs, rows });
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
