import { copyFileSync, mkdirSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { expect, test } from '@playwright/test';
import {
  figure,
  resultIds,
  search,
  shot,
  testPassages,
  testQueries,
  waitReady,
  watchPageErrors,
  WASM_PAGE,
} from './demo-helpers';

test('first load indexes the test corpus with progress shown, then a query finds its passage', async ({
  page,
}) => {
  const errors = watchPageErrors(page);
  const seenProgress: string[] = [];
  await page.exposeFunction('recordProgress', (text: string) => seenProgress.push(text));
  await page.addInitScript(() => {
    // Records every text the indexing progress line shows, to check progress was reported on the way.
    new MutationObserver(() => {
      const text = document.getElementById('progress-index-text')?.textContent;
      if (text) (window as unknown as { recordProgress(t: string): void }).recordProgress(text);
    }).observe(document, { subtree: true, childList: true, characterData: true });
  });
  await page.goto(WASM_PAGE);
  await waitReady(page);

  const total = testPassages.length;
  await expect(page.locator('#progress-index')).toHaveAttribute('data-done', String(total));
  await expect(page.locator('#progress-index')).toHaveAttribute('data-total', String(total));
  expect(seenProgress.some((t) => /embedding/.test(t))).toBe(true);
  await expect(page.locator('#progress-model-text')).toContainText('loaded');
  await expect.poll(() => figure(page, 'stat-count')).toBe(total);
  await expect.poll(() => figure(page, 'stat-embedded')).toBe(total);
  await expect(page.locator('#badge-model')).toContainText('webembed-fixtures/crosslingual-bert');
  await expect(page.locator('#badge-backend')).toHaveAttribute('data-backend', /^(webgpu|wasm)$/);

  const sameLanguage = testQueries.find((q) => q.note === 'same language')!;
  await search(page, sameLanguage.query);
  expect((await resultIds(page))[0]).toBe(sameLanguage.expectedId);
  await expect(page.locator('#results > li').first().locator('mark').first()).toBeVisible();
  await expect(page.locator('#stat-embed')).toHaveText(/\d/);
  await expect(page.locator('#stat-search')).toHaveText(/\d/);
  await expect(page.locator('#stat-recall')).toContainText('1.00');
  await shot(page, '01-first-load-search');
  expect(errors).toEqual([]);
});

test('cross-lingual queries find the passage written in another language, in every search mode', async ({
  page,
}) => {
  await page.goto(WASM_PAGE);
  await waitReady(page);
  for (const q of testQueries.filter((q) => q.note !== 'same language')) {
    await search(page, q.query);
    const top = (await resultIds(page))[0];
    const expected = testPassages.find((p) => p.id === q.expectedId)!;
    expect(top, `${q.note}: "${q.query}"`).toBe(q.expectedId);
    expect(expected.lang).not.toBe(q.lang);
    await expect(page.locator('#results > li').first()).toHaveAttribute('data-lang', expected.lang);
  }
  // The example buttons run cross-lingual queries too.
  const example = testQueries.find((q) => q.note === 'French query, English passage')!;
  await page.getByRole('button', { name: example.query }).click();
  await expect(page.locator('body')).toHaveAttribute('data-last-query', example.query);
  expect((await resultIds(page))[0]).toBe(example.expectedId);
  const score = Number(
    await page.locator('#results > li').first().locator('.score').getAttribute('data-score'),
  );
  expect(score).toBeGreaterThan(0.99);
  await shot(page, '02-cross-lingual');
  if (process.env.UPDATE_DOCS_SCREENSHOT === '1') {
    const here = dirname(fileURLToPath(import.meta.url));
    const target = join(here, '..', '..', 'docs', 'demo-screenshot.png');
    mkdirSync(dirname(target), { recursive: true });
    await page.setViewportSize({ width: 1280, height: 1100 });
    await page.screenshot({ path: target });
    copyFileSync(
      target,
      join(here, '..', '..', 'test-results', 'demo-screenshots', 'docs-demo-screenshot.png'),
    );
  }

  // Every other search mode answers too, with recall@10 against float search shown.
  const q = testQueries[1];
  for (const mode of ['int8', 'hamming', 'binary-rescore', 'hybrid']) {
    await search(page, q.query, mode);
    const ids = await resultIds(page);
    expect(ids.length, mode).toBeGreaterThan(0);
    const recall = await figure(page, 'stat-recall');
    expect(recall, mode).toBeGreaterThanOrEqual(0);
    expect(recall, mode).toBeLessThanOrEqual(1);
    await expect(page.locator('#stat-recall')).toHaveText(recall.toFixed(2));
  }
  // Index sizes for 24 vectors of 64 dims: float32 4 B a value, int8 1 B (+ 64 x 8 B calibration),
  // binary 2 words of 4 B a row + a 4 B L1 norm.
  await expect(page.locator('#badge-model')).toContainText('64d');
  await expect(page.locator('#size-float32')).toHaveText('6.1 kB');
  await expect(page.locator('#size-int8')).toHaveText('2.0 kB');
  await expect(page.locator('#size-binary')).toHaveText('288 B');
  await shot(page, '03-modes');
});

test('an unknown ?device= is refused on the page with a typed error naming it', async ({ page }) => {
  await page.goto('./?device=cuda');
  await expect(page.locator('body')).toHaveAttribute('data-error', 'INVALID_ARGUMENT');
  await expect(page.locator('#status')).toContainText('?device= must be webgpu, wasm or auto, got "cuda"');
  await expect(page.locator('#query')).toBeDisabled();
});
