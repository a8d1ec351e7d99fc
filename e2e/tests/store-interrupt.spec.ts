// Interrupted indexing: a tab writing batches to @webembed/store is interrupted mid-batch (the tab
// closed; the whole browser killed with SIGKILL), then a new tab checks the collection is
// consistent (whole batches only, vectors intact, sidecar in step) and resumes to completion.
// The page lives in packages/store/e2e and is bundled and served here on its own port.
import { mkdtempSync, rmSync } from 'node:fs';
import { type Server, createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';
import { launchBrowser, persistentProfileMissing, type Tab } from '../drivers/page-driver.ts';
import { expect, test } from './harness.ts';

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

async function openPage(tab: Tab) {
  await tab.goto(`${origin}/`);
  await tab.waitFor(() => (globalThis as { pageReady?: boolean }).pageReady === true);
}

function startIndexing(tab: Tab): Promise<unknown> {
  return tab.evaluate(
    ([total, batch]) => {
      void (
        globalThis as unknown as { startIndexing: (t: number, b: number) => Promise<void> }
      ).startIndexing(total, batch);
      return true;
    },
    [TOTAL, BATCH],
  );
}

async function startAndWait(tab: Tab, batches: number) {
  await startIndexing(tab);
  await tab.waitFor(
    (n) =>
      (globalThis as unknown as { indexingState: { committedBatches: number } }).indexingState
        .committedBatches >= n,
    batches,
    60_000,
  );
}

/** Indexes the rest, waiting until the page's indexing loop ends. */
async function resume(tab: Tab) {
  await tab.evaluate(
    ([total, batch]) =>
      (globalThis as unknown as { startIndexing: (t: number, b: number) => Promise<void> }).startIndexing(
        total,
        batch,
      ),
    [TOTAL, BATCH],
  );
}

function inspect(tab: Tab): Promise<Inspection> {
  return tab.evaluate(
    ([total, batch]) =>
      (globalThis as unknown as { inspect: (t: number, b: number) => Promise<Inspection> }).inspect(
        total,
        batch,
      ),
    [TOTAL, BATCH],
  );
}

function indexingError(tab: Tab): Promise<string> {
  return tab.evaluate(
    () => (globalThis as unknown as { indexingState: { error: string } }).indexingState.error,
  );
}

test('a tab closed mid-batch leaves whole batches only, and indexing resumes', async ({ session }) => {
  const first = await session.newTab();
  // A blank second tab, opened now: a WebDriver session ends when its last window closes, and
  // opening it later would give the first tab time to finish.
  const second = await session.newTab();
  await openPage(first);
  await startAndWait(first, 2);
  // The loop is always inside its next add() transaction: closing now interrupts a batch.
  await first.close();

  await openPage(second);
  const afterClose = await inspect(second);
  expect(afterClose.problems).toEqual([]);
  expect(afterClose.rows).toBeGreaterThanOrEqual(2 * BATCH);
  expect(afterClose.rows).toBeLessThan(TOTAL);
  expect(afterClose.rows % BATCH).toBe(0);

  await resume(second);
  const done = await inspect(second);
  expect(done.problems).toEqual([]);
  expect(done).toMatchObject({ rows: TOTAL, count: TOTAL, topHit: `doc-${TOTAL - 1}` });
  expect(await indexingError(second)).toBe('');
});

test('a browser killed mid-batch (SIGKILL) leaves whole batches only, and indexing resumes', async ({
  engine,
}) => {
  const missing = persistentProfileMissing(engine);
  test.skip(missing !== null, `needs a profile that outlives the browser: ${missing}`);
  const userDataDir = mkdtempSync(join(tmpdir(), 'webembed-store-kill-'));
  try {
    const browser = await launchBrowser(engine, { userDataDir });
    const tab = await (await browser.newSession()).newTab();
    await openPage(tab);
    await startAndWait(tab, 2);
    browser.kill();
    await browser.close();

    const again = await launchBrowser(engine, { userDataDir });
    try {
      const tab2 = await (await again.newSession()).newTab();
      await openPage(tab2);
      const afterKill = await inspect(tab2);
      expect(afterKill.problems).toEqual([]);
      expect(afterKill.rows % BATCH).toBe(0);
      expect(afterKill.rows).toBeLessThan(TOTAL);
      await resume(tab2);
      const done = await inspect(tab2);
      expect(done.problems).toEqual([]);
      expect(done).toMatchObject({ rows: TOTAL, count: TOTAL });
    } finally {
      await again.close();
    }
  } finally {
    rmSync(userDataDir, { recursive: true, force: true });
  }
});
