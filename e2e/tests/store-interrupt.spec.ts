// Interrupted indexing: a tab writing batches to @webembed/store is interrupted mid-batch (the tab
// closed; the whole browser killed with SIGKILL), then a new tab checks the collection is
// consistent (whole batches only, vectors intact, sidecar in step) and resumes to completion.
// The page lives in packages/store/e2e and is bundled and served here on its own port.
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { type Server, createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { type Page, chromium, expect, test } from '@playwright/test';
import { build } from 'esbuild';
import { chromiumArgs, chromiumPath } from '../../scripts/chromium.mjs';

const entry = join(
  dirname(fileURLToPath(import.meta.url)),
  '..',
  '..',
  'packages',
  'store',
  'e2e',
  'interrupt-page.ts',
);
const TOTAL = 30_000;
const BATCH = 2_000;

let server: Server;
let origin: string;

test.beforeAll(async () => {
  const bundle = await build({
    entryPoints: [entry],
    bundle: true,
    format: 'esm',
    platform: 'browser',
    conditions: ['@webembed/source'],
    write: false,
    logLevel: 'warning',
  });
  const script = bundle.outputFiles[0].text;
  server = createServer((req, res) => {
    if (req.url === '/page.js') {
      res.writeHead(200, { 'content-type': 'text/javascript' });
      res.end(script);
      return;
    }
    res.writeHead(200, { 'content-type': 'text/html' });
    res.end(
      '<!doctype html><meta charset="utf-8"><title>store interrupt</title><script type="module" src="/page.js"></script>',
    );
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  origin = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});

test.afterAll(() => {
  server?.close();
});

type Inspection = { rows: number; count: number; problems: string[]; topHit: string | null };

async function openPage(page: Page) {
  await page.goto(`${origin}/`);
  await page.waitForFunction(() => (globalThis as { pageReady?: boolean }).pageReady === true);
}

async function startAndWait(page: Page, batches: number) {
  await page.evaluate(
    ([total, batch]) => {
      void (
        globalThis as unknown as { startIndexing: (t: number, b: number) => Promise<void> }
      ).startIndexing(total, batch);
    },
    [TOTAL, BATCH],
  );
  await page.waitForFunction(
    (n) =>
      (globalThis as unknown as { indexingState: { committedBatches: number } }).indexingState
        .committedBatches >= n,
    batches,
    { timeout: 60_000 },
  );
}

function inspect(page: Page): Promise<Inspection> {
  return page.evaluate(
    ([total, batch]) =>
      (globalThis as unknown as { inspect: (t: number, b: number) => Promise<Inspection> }).inspect(
        total,
        batch,
      ),
    [TOTAL, BATCH],
  );
}

test('a tab closed mid-batch leaves whole batches only, and indexing resumes', async ({ context }) => {
  const first = await context.newPage();
  await openPage(first);
  await startAndWait(first, 2);
  // The loop is always inside its next add() transaction: closing now interrupts a batch.
  await first.close({ runBeforeUnload: false });

  const second = await context.newPage();
  await openPage(second);
  const afterClose = await inspect(second);
  expect(afterClose.problems).toEqual([]);
  expect(afterClose.rows).toBeGreaterThanOrEqual(2 * BATCH);
  expect(afterClose.rows).toBeLessThan(TOTAL);
  expect(afterClose.rows % BATCH).toBe(0);

  await second.evaluate(
    ([total, batch]) =>
      (globalThis as unknown as { startIndexing: (t: number, b: number) => Promise<void> }).startIndexing(
        total,
        batch,
      ),
    [TOTAL, BATCH],
  );
  const done = await inspect(second);
  expect(done.problems).toEqual([]);
  expect(done).toMatchObject({ rows: TOTAL, count: TOTAL, topHit: `doc-${TOTAL - 1}` });
  expect(
    await second.evaluate(
      () => (globalThis as unknown as { indexingState: { error: string } }).indexingState.error,
    ),
  ).toBe('');
});

/** Pid of the browser (main) process launched with `userDataDir`, found by its command line. */
function browserPid(userDataDir: string): number {
  const lines = execFileSync('ps', ['-eo', 'pid=,args='], { encoding: 'utf8' }).split('\n');
  const main = lines.find(
    (line) => line.includes(`--user-data-dir=${userDataDir}`) && !line.includes('--type='),
  );
  if (!main) throw new Error(`no browser process found for ${userDataDir}`);
  return Number(main.trim().split(/\s+/)[0]);
}

test('a browser killed mid-batch (SIGKILL) leaves whole batches only, and indexing resumes', async () => {
  const userDataDir = mkdtempSync(join(tmpdir(), 'webembed-store-kill-'));
  const launch = () =>
    chromium.launchPersistentContext(userDataDir, {
      executablePath: chromiumPath,
      args: chromiumArgs,
      headless: true,
    });
  try {
    const context = await launch();
    const page = await context.newPage();
    await openPage(page);
    await startAndWait(page, 2);
    process.kill(browserPid(userDataDir), 'SIGKILL');
    await context.close().catch(() => undefined);

    const again = await launch();
    const page2 = await again.newPage();
    await openPage(page2);
    const afterKill = await inspect(page2);
    expect(afterKill.problems).toEqual([]);
    expect(afterKill.rows % BATCH).toBe(0);
    expect(afterKill.rows).toBeLessThan(TOTAL);
    await page2.evaluate(
      ([total, batch]) =>
        (globalThis as unknown as { startIndexing: (t: number, b: number) => Promise<void> }).startIndexing(
          total,
          batch,
        ),
      [TOTAL, BATCH],
    );
    const done = await inspect(page2);
    expect(done.problems).toEqual([]);
    expect(done).toMatchObject({ rows: TOTAL, count: TOTAL });
    await again.close();
  } finally {
    rmSync(userDataDir, { recursive: true, force: true });
  }
});
