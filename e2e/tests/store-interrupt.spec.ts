// Interrupted indexing: a tab writing batches to @webembed/store is killed mid-batch (renderer
// crash via CDP, and a plain close), then a new tab checks the collection is consistent (whole
// batches only, vectors intact, sidecar in step) and resumes to completion.
// The page lives in packages/store/e2e and is bundled and served here on its own port.
import { type Server, createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { type Page, expect, test } from '@playwright/test';
import { build } from 'esbuild';

const entry = join(
  dirname(fileURLToPath(import.meta.url)),
  '..',
  '..',
  'packages',
  'store',
  'e2e',
  'interrupt-page.ts',
);
const TOTAL = 60_000;
const BATCH = 3_000;

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

test('a tab killed mid-batch leaves whole batches only, and indexing resumes', async ({ context }) => {
  const first = await context.newPage();
  await openPage(first);
  await startAndWait(first, 2);
  // Kill the renderer while the loop is inside its next add() transaction.
  const cdp = await context.newCDPSession(first);
  await cdp.send('Page.crash').catch(() => undefined);

  const second = await context.newPage();
  await openPage(second);
  const afterCrash = await inspect(second);
  expect(afterCrash.problems).toEqual([]);
  expect(afterCrash.rows).toBeGreaterThanOrEqual(2 * BATCH);
  expect(afterCrash.rows).toBeLessThan(TOTAL);
  expect(afterCrash.rows % BATCH).toBe(0);

  // Interrupt again with an ordinary close, then resume to the end in a third tab.
  await startAndWait(second, 1);
  await second.close({ runBeforeUnload: false });
  const third = await context.newPage();
  await openPage(third);
  const afterClose = await inspect(third);
  expect(afterClose.problems).toEqual([]);
  expect(afterClose.rows % BATCH).toBe(0);
  expect(afterClose.rows).toBeGreaterThan(afterCrash.rows);

  await third.evaluate(
    ([total, batch]) =>
      (globalThis as unknown as { startIndexing: (t: number, b: number) => Promise<void> }).startIndexing(
        total,
        batch,
      ),
    [TOTAL, BATCH],
  );
  const done = await inspect(third);
  expect(done.problems).toEqual([]);
  expect(done.rows).toBe(TOTAL);
  expect(done.count).toBe(TOTAL);
  expect(done.topHit).toBe(`doc-${TOTAL - 1}`);
  expect(
    await third.evaluate(
      () => (globalThis as unknown as { indexingState: { error: string } }).indexingState.error,
    ),
  ).toBe('');
});
