import { expect, test } from '@playwright/test';
import { figure, resultIds, search, shot, testPassages, waitReady, WASM_PAGE } from './demo-helpers';

// Words from the cross-lingual fixture's vocabulary, so the fixture model embeds them meaningfully.
const OWN_DOC = 'the doctor sings a new song with the teacher in the school';
const OWN_QUERY = 'the doctor sings with the teacher';

test('own documents: pasted and dropped files are indexed, found, and removed', async ({ page }) => {
  await page.goto(WASM_PAGE);
  await waitReady(page);
  const total = testPassages.length;

  await page.locator('#paste-title').fill('Choir notes');
  await page.locator('#paste-text').fill(OWN_DOC);
  await page.locator('#paste-add').click();
  await expect(page.locator('#docs-report')).toContainText('Added “Choir notes”');
  await expect(page.locator('#doc-list > li')).toHaveCount(1);
  await expect.poll(() => figure(page, 'stat-count')).toBe(total + 1);

  await search(page, OWN_QUERY);
  const first = page.locator('#results > li').first();
  await expect(first.locator('.tag-user')).toContainText('Choir notes');
  const ownId = await first.getAttribute('data-id');
  expect(ownId).toMatch(/^user-/);

  // A dropped/picked Markdown file goes through the same path.
  await page.locator('#file-input').setInputFiles({
    name: 'garden.md',
    mimeType: 'text/markdown',
    buffer: Buffer.from('# Garden\n\nthe green tree is very old and the garden is beautiful\n'),
  });
  await expect(page.locator('#doc-list > li')).toHaveCount(2);
  await expect(page.locator('#doc-list')).toContainText('garden');
  // A file of another kind is refused by name.
  await page
    .locator('#file-input')
    .setInputFiles({ name: 'photo.png', mimeType: 'image/png', buffer: Buffer.from([1]) });
  await expect(page.locator('#docs-report')).toContainText('photo.png is not a .txt or .md file');
  await shot(page, '06-own-documents');

  // Survives a reload, then removal takes it out of the index.
  await page.reload();
  await waitReady(page);
  await expect(page.locator('#doc-list > li')).toHaveCount(2);
  await page.getByRole('button', { name: 'Remove Choir notes' }).click();
  await expect(page.locator('#doc-list > li')).toHaveCount(1);
  await search(page, OWN_QUERY);
  expect(await resultIds(page)).not.toContain(ownId);
});

test('a large paste is chunked and the UI reports chunks and the cut', async ({ page }) => {
  await page.goto(WASM_PAGE);
  await waitReady(page);
  const sentence = 'the cat eats the fish and the dog runs in the garden with my friend . ';
  const large = sentence.repeat(Math.ceil(104_000 / sentence.length));
  await page.locator('#paste-title').fill('Long paste');
  await page.locator('#paste-text').fill(large);
  await page.locator('#paste-add').click();
  const report = page.locator('#docs-report');
  await expect(report).toContainText('Added “Long paste”', { timeout: 90_000 });
  const text = (await report.textContent()) ?? '';
  const chunks = Number(/in ([\d,]+) chunks/.exec(text)?.[1].replace(/,/g, ''));
  expect(chunks).toBeGreaterThan(50);
  expect(text).toMatch(/characters past the [\d,]+-character limit were cut/);
  await expect(report).toHaveAttribute('data-kind', 'warn');
  await expect(page.locator('#doc-list > li').first()).toContainText(`${chunks} chunks`);
  await expect.poll(() => figure(page, 'stat-count')).toBe(testPassages.length + chunks);
  await shot(page, '07-large-paste');

  // Clear all data: index, documents and cached models go; the corpus is indexed afresh.
  page.once('dialog', (dialog) => void dialog.accept());
  await page.locator('#clear-all').click();
  await waitReady(page);
  await expect(page.locator('#doc-list > li')).toHaveCount(0);
  await expect.poll(() => figure(page, 'stat-count')).toBe(testPassages.length);
  await expect.poll(() => figure(page, 'stat-embedded')).toBe(testPassages.length);
});

test('document text and titles are shown as text, never as HTML', async ({ page }) => {
  await page.goto(WASM_PAGE);
  await waitReady(page);
  const markup = '<img src=x onerror="window.__injected=1"> the cat <b>sleeps</b> in the garden';
  await page.locator('#paste-title').fill('<i>title</i>');
  await page.locator('#paste-text').fill(markup);
  await page.locator('#paste-add').click();
  await expect(page.locator('#doc-list > li')).toHaveCount(1);
  await search(page, markup); // the query itself is markup too
  await expect(page.locator('#results-hint')).toContainText(markup);
  const own = page.locator('#results > li', { has: page.locator('.tag-user') });
  await expect(own.locator('.result-text')).toContainText('<img src=x onerror="window.__injected=1">');
  await expect(own.locator('.tag-user')).toContainText('<i>title</i>');
  expect(await page.locator('#results img, #results b, #results i, #doc-list i').count()).toBe(0);
  expect(
    await page.evaluate(() => (window as unknown as { __injected?: number }).__injected),
  ).toBeUndefined();
});
