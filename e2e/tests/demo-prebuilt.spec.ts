/**
 * The demo loading a prebuilt index (`pnpm webembed index`) instead of embedding its corpus.
 *
 * The files are built here with the CLI from the CLI's own fixture documents
 * (packages/cli/test/fixtures/docs): one on the demo's test model and dtype (crosslingual-bert, q8),
 * one on another model (mini-bert), and the setup's `.fixtures/cli/fixture-docs.webembed` (same model,
 * fp32 weights) when present: the last two have other fingerprints and must be refused. They are
 * served through a route at `?index=`, so the page runs without its service worker (`?sw=off`;
 * Playwright's routes do not see requests a service worker answers).
 */
import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { expect, test } from '@playwright/test';
import { figure, resultIds, search, shot, waitReady, watchPageErrors } from './demo-helpers';

const repoRoot = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
const FIXTURE_DOCS = join(repoRoot, 'packages', 'cli', 'test', 'fixtures', 'docs');
const SETUP_FILE = join(repoRoot, '.fixtures', 'cli', 'fixture-docs.webembed');
const ROWS = 7; // chunks in the CLI's fixture documents, one per document

test.use({ serviceWorkers: 'block' });

let workDir = '';
const files = new Map<string, Buffer>();

function buildIndex(model: string, out: string): Buffer {
  execFileSync(
    'pnpm',
    ['-s', 'webembed', 'index', FIXTURE_DOCS, '--model', model, '--dtype', 'q8'].concat([
      '--models-dir',
      join(repoRoot, '.fixtures', 'models'),
      '--out',
      out,
    ]),
    { cwd: repoRoot, stdio: ['ignore', 'ignore', 'pipe'] },
  );
  return readFileSync(out);
}

test.beforeAll(() => {
  workDir = mkdtempSync(join(tmpdir(), 'webembed-prebuilt-e2e-'));
  files.set(
    'docs.webembed',
    buildIndex('webembed-fixtures/crosslingual-bert', join(workDir, 'docs.webembed')),
  );
  files.set('foreign.webembed', buildIndex('webembed-fixtures/mini-bert', join(workDir, 'foreign.webembed')));
  if (existsSync(SETUP_FILE)) files.set('fixture-docs-fp32.webembed', readFileSync(SETUP_FILE));
});

test.afterAll(() => {
  if (workDir) rmSync(workDir, { recursive: true, force: true });
});

const pageFor = (file: string) => `./?device=wasm&sw=off&index=prebuilt-e2e/${file}`;

test('loads a CLI-built index without embedding, searches it cross-lingually, and refuses other models', async ({
  page,
}) => {
  const errors = watchPageErrors(page);
  await page.route('**/prebuilt-e2e/*', async (route) => {
    const name = new URL(route.request().url()).pathname.split('/').pop() ?? '';
    const body = files.get(name);
    if (!body) return route.fulfill({ status: 404, body: 'not found' });
    return route.fulfill({ status: 200, body, contentType: 'application/octet-stream' });
  });
  const seenProgress: string[] = [];
  await page.exposeFunction('recordProgress', (text: string) => seenProgress.push(text));
  await page.addInitScript(() => {
    new MutationObserver(() => {
      const text = document.getElementById('progress-index-text')?.textContent;
      if (text) (window as unknown as { recordProgress(t: string): void }).recordProgress(text);
    }).observe(document, { subtree: true, childList: true, characterData: true });
  });

  // 1. First visit: the file is downloaded with byte progress and imported; nothing is embedded.
  await page.goto(pageFor('docs.webembed'));
  await waitReady(page);
  await expect(page.locator('body')).toHaveAttribute('data-prebuilt', 'loaded');
  await expect(page.locator('#status')).toHaveText(`Loaded prebuilt index: ${ROWS} passages, 0 embedded.`);
  const size = files.get('docs.webembed')?.byteLength ?? 0;
  expect(seenProgress.some((t) => t.startsWith(`${size} / ${size} · bytes of docs.webembed`))).toBe(true);
  await expect(page.locator('#progress-index')).toHaveAttribute('data-done', String(ROWS));
  await expect.poll(() => figure(page, 'stat-count')).toBe(ROWS);
  await expect.poll(() => figure(page, 'stat-embedded')).toBe(0);

  // A French query finds the English chunk (the fixture model maps word-for-word translations together).
  await search(page, 'le chat mange le poisson');
  expect((await resultIds(page))[0]).toBe('cat');
  await expect(page.locator('#results > li').first()).toContainText('cat');
  await expect.poll(() => figure(page, 'stat-embedded')).toBe(0);
  await shot(page, 'prebuilt-loaded');

  // 2. A second visit restores it from IndexedDB: no download, nothing embedded.
  await page.reload();
  await waitReady(page);
  await expect(page.locator('body')).toHaveAttribute('data-prebuilt', 'restored');
  await expect(page.locator('#status')).toContainText(`${ROWS} passages, 0 embedded`);

  // 3. Files with another fingerprint are refused with MODEL_MISMATCH shown, and the index is unchanged.
  const refused = [
    'foreign.webembed',
    ...(files.has('fixture-docs-fp32.webembed') ? ['fixture-docs-fp32.webembed'] : []),
  ];
  for (const file of refused) {
    await page.goto(pageFor(file));
    await waitReady(page);
    await expect(page.locator('body')).toHaveAttribute('data-prebuilt', 'error');
    await expect(page.locator('body')).toHaveAttribute('data-prebuilt-error', 'MODEL_MISMATCH');
    await expect(page.locator('#status')).toContainText(
      `Could not load the prebuilt index ${file}: MODEL_MISMATCH`,
    );
    await expect(page.locator('#status')).toHaveAttribute('data-kind', 'error');
    await expect.poll(() => figure(page, 'stat-count')).toBe(ROWS);
    await expect.poll(() => figure(page, 'stat-embedded')).toBe(0);
    await search(page, 'the cat eats the fish');
    expect((await resultIds(page))[0]).toBe('cat');
  }
  await shot(page, 'prebuilt-refused');

  // 4. A missing file is reported as NOT_FOUND, also leaving the index as it was.
  await page.goto(pageFor('missing.webembed'));
  await waitReady(page);
  await expect(page.locator('body')).toHaveAttribute('data-prebuilt-error', 'NOT_FOUND');
  await expect.poll(() => figure(page, 'stat-count')).toBe(ROWS);
  expect(errors).toEqual([]);
});
