/**
 * `pnpm bench gpu [--sizes=100000,1000000] [--dims=384,1024] [--queries=1,64] [--modes=...]
 * [--runs=3] [--float-budget=N] [--full]`
 *
 * Defaults: on a real GPU, the full matrix (N = 100K and 1M, 384 and 1024 dims, 1 and 64
 * queries, every mode). On a software adapter (SwiftShader, as on machines without a GPU), a
 * reduced matrix (N = 20K, 384 dims, 1 and 64 queries, 1 timed run) that finishes in minutes;
 * `--full` forces the full matrix anyway (expect hours on SwiftShader).
 *
 * Serves `page.html` with Vite on 127.0.0.1, opens it in headless Chromium (the project's
 * flags, scripts/chromium.mjs) and times the WebGPU search against the CPU path of
 * `@webembed/core` on the same rows, in the same page and run: milliseconds end to end (query
 * upload, dispatches, one readback), corpus vectors per second, GB/s of the scanned column, and
 * the CPU/GPU ratio. Writes bench-results/gpu.{md,json}.
 *
 * Without a GPU, Chromium's adapter is SwiftShader (CPU-emulated, on the same cores as the CPU
 * path): those figures check the GPU path end to end and say nothing about a real GPU.
 *
 * @module
 */
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium } from 'playwright';
import { createServer } from 'vite';
import { writeResults } from '../../../bench/lib/report.js';
import { chromiumArgs, chromiumPath } from '../../../scripts/chromium.mjs';
import type { BenchConfig, BenchLine, BenchMode } from './page.js';
import { ALL_MODES, GPU_TABLE_NOTE, gpuLinesMarkdown } from './table.js';

const root = join(dirname(fileURLToPath(import.meta.url)), '..', '..', '..');

function arg(name: string, fallback: string): string {
  const hit = process.argv.find((a) => a.startsWith(`--${name}=`));
  return hit ? hit.slice(name.length + 3) : fallback;
}
const full = process.argv.includes('--full');
const queries = arg('queries', '1,64').split(',').map(Number);
const modes = arg('modes', ALL_MODES.join(',')).split(',') as BenchMode[];
const floatBudget = Number(arg('float-budget', String(110_000_000)));
const K = 10;

interface PageApi {
  webembedGpuBench: {
    run(config: BenchConfig): Promise<BenchLine[]>;
    describe(): Promise<{ backend: string; reason: string; adapter: { isFallbackAdapter?: boolean } | null }>;
  };
}

async function main() {
  const server = await createServer({
    configFile: join(root, 'vite.config.ts'),
    root,
    logLevel: 'warn',
    server: { host: '127.0.0.1', port: 0, strictPort: false, hmr: false, watch: null },
    optimizeDeps: { noDiscovery: true, include: [] },
  });
  await server.listen();
  const address = server.httpServer?.address();
  const port = typeof address === 'object' && address ? address.port : 5173;
  const browser = await chromium.launch({ executablePath: chromiumPath, args: chromiumArgs, headless: true });
  try {
    const page = await browser.newPage();
    page.on('console', (msg) => {
      if (msg.text().startsWith('bench ')) console.log(`  ${msg.text()}`);
    });
    page.on('pageerror', (err) => console.error(`page error: ${err.message}`));
    await page.goto(`http://127.0.0.1:${port}/packages/gpu/bench/page.html`);
    await page.waitForFunction(() => 'webembedGpuBench' in globalThis, undefined, { timeout: 120_000 });
    const info = await page.evaluate(() => (globalThis as unknown as PageApi).webembedGpuBench.describe());
    const emulated = info.backend === 'cpu' || Boolean(info.adapter?.isFallbackAdapter);
    const banner = [
      `Search backend in Chromium: ${info.backend} (${info.reason}).`,
      emulated
        ? 'NOTE: no real GPU here. The "GPU" figures come from SwiftShader, a CPU-emulated WebGPU adapter running on the same 2 CPU cores as the CPU path; they show the GPU path runs end to end with the same answers and say NOTHING about real-GPU speed. No GPU machine was lent to this task, so real-GPU figures are out of reach.'
        : 'Real GPU adapter.',
    ];
    console.log(banner.join('\n'));
    const reduced = emulated && !full;
    const sizes = arg('sizes', reduced ? '20000' : '100000,1000000')
      .split(',')
      .map(Number);
    const dimsList = arg('dims', reduced ? '384' : '384,1024')
      .split(',')
      .map(Number);
    const runs = Number(arg('runs', reduced ? '1' : '3'));
    const gpuWarmUps = emulated ? 1 : 10;
    if (reduced)
      console.log('Software adapter: reduced default sizes (pass --full or --sizes/--dims to change).');
    const lines: BenchLine[] = [];
    for (const n of sizes) {
      for (const dims of dimsList) {
        const config: BenchConfig = { n, dims, queries, modes, runs, k: K, floatBudget, gpuWarmUps };
        console.log(`N=${n} dims=${dims}`);
        lines.push(
          ...(await page.evaluate((c) => (globalThis as unknown as PageApi).webembedGpuBench.run(c), config)),
        );
      }
    }
    const md = [
      '# GPU search vs the CPU path (`pnpm bench gpu`)',
      '',
      ...banner,
      '',
      `k = ${K}; median of ${runs} timed run(s), on the GPU after ${gpuWarmUps} untimed searches (a GPU idle for a while answers its first searches several times slower: clocks ramp up), on the CPU after one, in one Chromium page. ${GPU_TABLE_NOTE} Float32 storage is skipped above ${floatBudget} values (--float-budget).`,
      '',
      gpuLinesMarkdown(lines),
    ].join('\n');
    console.log(`\n${md}`);
    writeResults('gpu', md, { info, emulated, lines });
  } finally {
    await browser.close();
    await server.close();
  }
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
