/** Shared steps for the demo specs (this file holds no tests). */
import { mkdirSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { expect, type Page } from '@playwright/test';

const here = dirname(fileURLToPath(import.meta.url));
const repoRoot = join(here, '..', '..');
/** Screenshots of the main states, kept after the run (Playwright cleans test-results/e2e itself). */
export const SCREENSHOT_DIR = join(repoRoot, 'test-results', 'demo-screenshots');

export interface TestPassage {
  readonly id: string;
  readonly lang: string;
  readonly topic: string;
  readonly text: string;
}
export interface TestQuery {
  readonly query: string;
  readonly lang: string;
  readonly expectedId: string;
  readonly note: string;
}

const corpusDir = join(repoRoot, 'apps', 'demo', 'src', 'corpus');
export const testPassages: TestPassage[] = JSON.parse(
  readFileSync(join(corpusDir, 'test-passages.json'), 'utf8'),
);
export const testQueries: TestQuery[] = JSON.parse(
  readFileSync(join(corpusDir, 'test-queries.json'), 'utf8'),
);

/**
 * The page most specs open: WASM inference and CPU search, the fast path on this CPU-only machine.
 * The WebGPU path (SwiftShader here) is covered by the first-load spec (`auto`) and the device spec.
 */
export const WASM_PAGE = './?device=wasm';

/** Waits until the demo has loaded the model and indexed (or restored) its corpus. */
export async function waitReady(page: Page, timeout = 90_000): Promise<void> {
  const settled = page.locator('body[data-ready="true"], body[data-error]');
  await expect(settled).toHaveCount(1, { timeout });
  const error = await page.locator('body').getAttribute('data-error');
  if (error)
    throw new Error(`demo failed to start (${error}): ${await page.locator('#status').textContent()}`);
}

/** Picks a search mode, runs a query and waits for its results. */
export async function search(page: Page, query: string, mode = 'float32'): Promise<void> {
  await page.locator(`input[name="mode"][value="${mode}"]`).check();
  await page.locator('#query').fill(query);
  await page.locator('#search-button').click();
  await expect(page.locator('body')).toHaveAttribute('data-last-query', query);
  await expect(page.locator('body')).toHaveAttribute('data-last-mode', mode);
}

/** Ids of the results shown, best first. */
export function resultIds(page: Page): Promise<string[]> {
  return page
    .locator('#results > li')
    .evaluateAll((items) => items.map((li) => li.getAttribute('data-id') ?? ''));
}

/** Reads a numeric `data-value` from one of the figures. */
export async function figure(page: Page, id: string): Promise<number> {
  return Number(await page.locator(`#${id}`).getAttribute('data-value'));
}

/** Saves a full-page screenshot of the current state. */
export async function shot(page: Page, name: string): Promise<string> {
  mkdirSync(SCREENSHOT_DIR, { recursive: true });
  const path = join(SCREENSHOT_DIR, `${name}.png`);
  await page.screenshot({ path, fullPage: true });
  return path;
}

/** Fails the test on uncaught page errors and Content-Security-Policy violations. */
export function watchPageErrors(page: Page): string[] {
  const errors: string[] = [];
  page.on('pageerror', (err) => errors.push(`pageerror: ${err.message}`));
  page.on('console', (msg) => {
    if (msg.type() === 'error' && /Content Security Policy|Refused to/i.test(msg.text()))
      errors.push(msg.text());
  });
  return errors;
}
