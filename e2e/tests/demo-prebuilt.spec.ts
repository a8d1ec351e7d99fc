/**
 * The demo loading a prebuilt index (`pnpm webembed index`) instead of embedding its corpus.
 *
 * The files are built here with the CLI from the CLI's own fixture documents
 * (packages/cli/test/fixtures/docs): one on the demo's test model and dtype (crosslingual-bert, q8),
 * one on another model (mini-bert), and the setup's `.fixtures/cli/fixture-docs.webembed` (same model,
 * fp32 weights) when present: the last two have other fingerprints and must be refused. The demo
 * server serves them under `prebuilt-e2e/` and the page loads one named by `?index=`; it runs without
 * its service worker (`?sw=off`), so every visit asks the server.
 */
import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import {
  attr,
  demoUrl,
  figure,
  pageErrors,
  progressSeen,
  resultIds,
  search,
  shot,
  text,
  waitReady,
} from './demo-helpers.ts';
import { expect, test } from './harness.ts';

const repoRoot = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
const FIXTURE_DOCS = join(repoRoot, 'packages', 'cli', 'test', 'fixtures', 'docs');
const SETUP_FILE = join(repoRoot, '.fixtures', 'cli', 'fixture-docs.webembed');
const ROWS = 7; // chunks in the CLI's fixture documents, one per document

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
  tab,
  demo,
  engine,
}) => {
  for (const [name, body] of files) demo.files.set(name, body);
  const open = (file: string) => tab.goto(demoUrl(demo, pageFor(file)));

  // 1. First visit: the file is downloaded with byte progress and imported; nothing is embedded.
  await open('docs.webembed');
  await waitReady(tab);
  expect(await attr(tab, 'body', 'data-prebuilt')).toBe('loaded');
  expect(await text(tab, '#status')).toBe(`Loaded prebuilt index: ${ROWS} passages, 0 embedded.`);
  const size = files.get('docs.webembed')?.byteLength ?? 0;
  expect(
    (await progressSeen(tab)).some((t) => t.startsWith(`${size} / ${size} · bytes of docs.webembed`)),
  ).toBe(true);
  expect(await attr(tab, '#progress-index', 'data-done')).toBe(String(ROWS));
  await expect.poll(() => figure(tab, 'stat-count')).toBe(ROWS);
  await expect.poll(() => figure(tab, 'stat-embedded')).toBe(0);
  expect(await pageErrors(tab)).toEqual([]);

  // A French query finds the English chunk (the fixture model maps word-for-word translations together).
  await search(tab, 'le chat mange le poisson');
  expect((await resultIds(tab))[0]).toBe('cat');
  expect(await text(tab, '#results > li:first-child')).toContain('cat');
  await expect.poll(() => figure(tab, 'stat-embedded')).toBe(0);
  await shot(tab, engine, 'prebuilt-loaded');

  // 2. A second visit restores it from IndexedDB: no download, nothing embedded.
  await tab.reload();
  await waitReady(tab);
  expect(await attr(tab, 'body', 'data-prebuilt')).toBe('restored');
  expect(await text(tab, '#status')).toContain(`${ROWS} passages, 0 embedded`);

  // 3. Files with another fingerprint are refused with MODEL_MISMATCH shown, and the index is unchanged.
  const refused = [
    'foreign.webembed',
    ...(files.has('fixture-docs-fp32.webembed') ? ['fixture-docs-fp32.webembed'] : []),
  ];
  for (const file of refused) {
    await open(file);
    await waitReady(tab);
    expect(await attr(tab, 'body', 'data-prebuilt')).toBe('error');
    expect(await attr(tab, 'body', 'data-prebuilt-error')).toBe('MODEL_MISMATCH');
    expect(await text(tab, '#status')).toContain(`Could not load the prebuilt index ${file}: MODEL_MISMATCH`);
    expect(await attr(tab, '#status', 'data-kind')).toBe('error');
    await expect.poll(() => figure(tab, 'stat-count')).toBe(ROWS);
    await expect.poll(() => figure(tab, 'stat-embedded')).toBe(0);
    await search(tab, 'the cat eats the fish');
    expect((await resultIds(tab))[0]).toBe('cat');
  }
  await shot(tab, engine, 'prebuilt-refused');

  // 4. A missing file is reported as NOT_FOUND, also leaving the index as it was.
  await open('missing.webembed');
  await waitReady(tab);
  expect(await attr(tab, 'body', 'data-prebuilt-error')).toBe('NOT_FOUND');
  await expect.poll(() => figure(tab, 'stat-count')).toBe(ROWS);
  expect(await pageErrors(tab)).toEqual([]);
});
