import { copyFileSync, mkdirSync } from 'node:fs';
import { dirname, join } from 'node:path';
import {
  attr,
  clickByText,
  count,
  demoUrl,
  figure,
  pageErrors,
  progressSeen,
  resultIds,
  SCREENSHOT_DIR,
  search,
  shot,
  testPassages,
  testQueries,
  text,
  WASM_PAGE,
  waitReady,
} from './demo-helpers.ts';
import { expect, recordSupport, repoRoot, test } from './harness.ts';

test('first load indexes the test corpus with progress shown, then a query finds its passage', async ({
  tab,
  demo,
  engine,
  session,
}) => {
  await tab.goto(demoUrl(demo, WASM_PAGE));
  await waitReady(tab);

  const total = testPassages.length;
  expect(await attr(tab, '#progress-index', 'data-done')).toBe(String(total));
  expect(await attr(tab, '#progress-index', 'data-total')).toBe(String(total));
  expect((await progressSeen(tab)).some((t) => /embedding/.test(t))).toBe(true);
  expect(await text(tab, '#progress-model-text')).toContain('loaded');
  await expect.poll(() => figure(tab, 'stat-count')).toBe(total);
  await expect.poll(() => figure(tab, 'stat-embedded')).toBe(total);
  expect(await text(tab, '#badge-model')).toContain('webembed-fixtures/crosslingual-bert');
  expect(await attr(tab, '#badge-backend', 'data-backend')).toBe('wasm');

  const sameLanguage = testQueries.find((q) => q.note === 'same language')!;
  await search(tab, sameLanguage.query);
  expect((await resultIds(tab))[0]).toBe(sameLanguage.expectedId);
  expect(await count(tab, '#results > li:first-child mark')).toBeGreaterThan(0);
  expect(await text(tab, '#stat-embed')).toMatch(/\d/);
  expect(await text(tab, '#stat-search')).toMatch(/\d/);
  expect(await text(tab, '#stat-recall')).toContain('1.00');
  await shot(tab, engine, '01-first-load-search');
  expect(await pageErrors(tab)).toEqual([]);

  // Facts for the browser-support table (bench-results/browsers.md).
  recordSupport(engine, {
    version: session.version,
    wasmSearchBackend: await attr(tab, '#badge-backend', 'data-search'),
    threads: Number(await attr(tab, '#badge-threads', 'data-threads')),
    threadsNote: await attr(tab, '#badge-threads', 'data-note'),
    indexMs: Number(await attr(tab, '#status', 'data-index-ms')),
    searchMs: Number(await attr(tab, '#stat-search', 'data-ms')),
    embedMs: Number(await attr(tab, '#stat-embed', 'data-ms')),
    corpus: total,
  });
});

test('cross-lingual queries find the passage written in another language, in every search mode', async ({
  tab,
  demo,
  engine,
}) => {
  await tab.goto(demoUrl(demo, WASM_PAGE));
  await waitReady(tab);
  for (const q of testQueries.filter((q) => q.note !== 'same language')) {
    await search(tab, q.query);
    const top = (await resultIds(tab))[0];
    const expected = testPassages.find((p) => p.id === q.expectedId)!;
    expect(top, `${q.note}: "${q.query}"`).toBe(q.expectedId);
    expect(expected.lang).not.toBe(q.lang);
    expect(await attr(tab, '#results > li:first-child', 'data-lang')).toBe(expected.lang);
  }
  // The example buttons run cross-lingual queries too.
  const example = testQueries.find((q) => q.note === 'French query, English passage')!;
  await clickByText(tab, '#examples button', example.query);
  await tab.waitFor((q) => document.body.dataset.lastQuery === q, example.query);
  expect((await resultIds(tab))[0]).toBe(example.expectedId);
  const score = Number(await attr(tab, '#results > li:first-child .score', 'data-score'));
  expect(score).toBeGreaterThan(0.99);
  await shot(tab, engine, '02-cross-lingual');
  if (process.env.UPDATE_DOCS_SCREENSHOT === '1' && engine === 'chromium') {
    const target = join(repoRoot, 'docs', 'demo-screenshot.png');
    mkdirSync(dirname(target), { recursive: true });
    await tab.screenshot(target);
    copyFileSync(target, join(SCREENSHOT_DIR, 'docs-demo-screenshot.png'));
  }

  // Every other search mode answers too, with recall@10 against float search shown.
  const q = testQueries[1];
  for (const mode of ['int8', 'hamming', 'binary-rescore', 'hybrid']) {
    await search(tab, q.query, mode);
    const ids = await resultIds(tab);
    expect(ids.length, mode).toBeGreaterThan(0);
    const recall = await figure(tab, 'stat-recall');
    expect(recall, mode).toBeGreaterThanOrEqual(0);
    expect(recall, mode).toBeLessThanOrEqual(1);
    expect(await text(tab, '#stat-recall')).toBe(recall.toFixed(2));
  }
  // Index sizes for 24 vectors of 64 dims: float32 4 B a value, int8 1 B (+ 64 x 8 B calibration),
  // binary 2 words of 4 B a row + a 4 B L1 norm.
  expect(await text(tab, '#badge-model')).toContain('64d');
  expect(await text(tab, '#size-float32')).toBe('6.1 kB');
  expect(await text(tab, '#size-int8')).toBe('2.0 kB');
  expect(await text(tab, '#size-binary')).toBe('288 B');
  await shot(tab, engine, '03-modes');
});

test('an unknown ?device= is refused on the page with a typed error naming it', async ({ tab, demo }) => {
  await tab.goto(demoUrl(demo, './?device=cuda'));
  await tab.waitFor(() => document.body.dataset.error === 'INVALID_ARGUMENT');
  expect(await text(tab, '#status')).toContain('?device= must be webgpu, wasm or auto, got "cuda"');
  expect(await tab.evaluate(() => (document.getElementById('query') as HTMLInputElement).disabled)).toBe(
    true,
  );
});
