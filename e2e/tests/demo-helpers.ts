/** Shared steps for the demo specs (this file holds no tests), over the engine-neutral page driver. */
import { mkdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { DemoServer } from '../demo-server.ts';
import type { EngineName } from '../drivers/engines.ts';
import type { Tab } from '../drivers/page-driver.ts';
import { expect, repoRoot } from './harness.ts';

/** Screenshots of the main states, one folder per engine, kept after the run. */
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
 * The page most specs open: WASM inference and CPU search, the fast path on this CPU-only machine
 * and the one every engine has. `auto` and WebGPU are covered by the first-load and device specs.
 */
export const WASM_PAGE = '?device=wasm';

/** The absolute URL of a page of the demo (`path` relative to its origin). */
export function demoUrl(demo: DemoServer, path: string): string {
  return new URL(path, demo.origin).href;
}

/** Waits until the demo has loaded the model and indexed (or restored) its corpus. */
export async function waitReady(tab: Tab, timeout = 120_000): Promise<void> {
  let state: { error: string; status: string };
  try {
    state = await tab.waitFor(
      () => {
        const body = document.body;
        if (!body || (body.dataset.ready !== 'true' && !body.dataset.error)) return null;
        return {
          error: body.dataset.error ?? '',
          status: document.getElementById('status')?.textContent ?? '',
        };
      },
      undefined,
      timeout,
    );
  } catch (err) {
    // Say where the page stood, so a hang can be told apart from a slow start.
    const where = await tab
      .evaluate(() =>
        JSON.stringify({
          url: location.href,
          readyState: document.readyState,
          body: { ...document.body?.dataset },
          status: document.getElementById('status')?.textContent ?? null,
          progress: document.getElementById('progress-model-text')?.textContent ?? null,
          controller: navigator.serviceWorker?.controller?.scriptURL ?? null,
          isolated: globalThis.crossOriginIsolated,
        }),
      )
      .catch((e: unknown) => `(page not readable: ${String(e)})`);
    throw new Error(`demo not ready after ${timeout} ms; page state: ${where}\n${(err as Error).message}`);
  }
  if (state.error) throw new Error(`demo failed to start (${state.error}): ${state.status}`);
}

/** Text of the first element matching `selector` ('' when there is none). */
export function text(tab: Tab, selector: string): Promise<string> {
  return tab.evaluate((s) => document.querySelector(s)?.textContent ?? '', selector);
}

/** An attribute of the first element matching `selector` (null when absent). */
export function attr(tab: Tab, selector: string, name: string): Promise<string | null> {
  return tab.evaluate(([s, n]) => document.querySelector(s)?.getAttribute(n) ?? null, [selector, name]);
}

/** How many elements match `selector`. */
export function count(tab: Tab, selector: string): Promise<number> {
  return tab.evaluate((s) => document.querySelectorAll(s).length, selector);
}

/** Picks a search mode, runs a query and waits for its results. */
export async function search(tab: Tab, query: string, mode = 'float32'): Promise<void> {
  await tab.click(`input[name="mode"][value="${mode}"]`);
  await tab.fill('#query', query);
  await tab.click('#search-button');
  await tab.waitFor(
    ([q, m]) => document.body.dataset.lastQuery === q && document.body.dataset.lastMode === m,
    [query, mode],
  );
}

/** Ids of the results shown, best first. */
export function resultIds(tab: Tab): Promise<string[]> {
  return tab.evaluate(() =>
    [...document.querySelectorAll('#results > li')].map((li) => li.getAttribute('data-id') ?? ''),
  );
}

/** Reads a numeric `data-value` from one of the figures. */
export async function figure(tab: Tab, id: string): Promise<number> {
  return Number(await attr(tab, `#${id}`, 'data-value'));
}

/** Saves a full-page screenshot of the current state under test-results/demo-screenshots/<engine>/. */
export async function shot(tab: Tab, engine: EngineName, name: string): Promise<string> {
  const dir = join(SCREENSHOT_DIR, engine);
  mkdirSync(dir, { recursive: true });
  const path = join(dir, `${name}.png`);
  await tab.screenshot(path);
  return path;
}

/** What the demo server's probe saw in this page: uncaught errors and CSP violations. */
export async function pageErrors(tab: Tab): Promise<string[]> {
  const errors = await tab.evaluate(
    () => (window as unknown as { __e2e?: { errors: string[] } }).__e2e?.errors ?? null,
  );
  if (errors === null) throw new Error('the e2e probe is not in this page (served by demo-server.ts?)');
  return errors;
}

/** Every text the indexing progress line showed in this page, in order (from the probe). */
export async function progressSeen(tab: Tab): Promise<string[]> {
  const seen = await tab.evaluate(
    () => (window as unknown as { __e2e?: { progress: string[] } }).__e2e?.progress ?? null,
  );
  if (seen === null) throw new Error('the e2e probe is not in this page (served by demo-server.ts?)');
  return seen;
}

/** Clicks the first `selector` element whose text contains `label` (e.g. an example query button). */
export async function clickByText(tab: Tab, selector: string, label: string): Promise<void> {
  const found = await tab.evaluate(
    ([s, l]) => {
      const el = [...document.querySelectorAll(s)].find((e) => (e.textContent ?? '').includes(l));
      if (!el) return false;
      el.setAttribute('data-e2e-click', 'target');
      return true;
    },
    [selector, label],
  );
  expect(found, `${selector} containing "${label}"`).toBe(true);
  await tab.click('[data-e2e-click="target"]');
  await tab.evaluate(() => document.querySelector('[data-e2e-click]')?.removeAttribute('data-e2e-click'));
}
