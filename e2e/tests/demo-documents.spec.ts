import {
  attr,
  count,
  demoUrl,
  figure,
  resultIds,
  search,
  shot,
  testPassages,
  text,
  WASM_PAGE,
  waitReady,
} from './demo-helpers.ts';
import { expect, test } from './harness.ts';

// Words from the cross-lingual fixture's vocabulary, so the fixture model embeds them meaningfully.
const OWN_DOC = 'the doctor sings a new song with the teacher in the school';
const OWN_QUERY = 'the doctor sings with the teacher';

test('own documents: pasted and dropped files are indexed, found, and removed', async ({
  tab,
  demo,
  engine,
}) => {
  await tab.goto(demoUrl(demo, WASM_PAGE));
  await waitReady(tab);
  const total = testPassages.length;

  await tab.fill('#paste-title', 'Choir notes');
  await tab.fill('#paste-text', OWN_DOC);
  await tab.click('#paste-add');
  await expect.poll(() => text(tab, '#docs-report')).toContain('Added “Choir notes”');
  await expect.poll(() => count(tab, '#doc-list > li')).toBe(1);
  await expect.poll(() => figure(tab, 'stat-count')).toBe(total + 1);

  await search(tab, OWN_QUERY);
  expect(await text(tab, '#results > li:first-child .tag-user')).toContain('Choir notes');
  const ownId = await attr(tab, '#results > li:first-child', 'data-id');
  expect(ownId).toMatch(/^user-/);

  // A dropped/picked Markdown file goes through the same path.
  await tab.setFile('#file-input', {
    name: 'garden.md',
    buffer: Buffer.from('# Garden\n\nthe green tree is very old and the garden is beautiful\n'),
  });
  await expect.poll(() => count(tab, '#doc-list > li')).toBe(2);
  expect(await text(tab, '#doc-list')).toContain('garden');
  // A file of another kind is refused by name.
  await tab.setFile('#file-input', { name: 'photo.png', buffer: Buffer.from([1]) });
  await expect.poll(() => text(tab, '#docs-report')).toContain('photo.png is not a .txt or .md file');
  await shot(tab, engine, '06-own-documents');

  // Survives a reload, then removal takes it out of the index.
  await tab.reload();
  await waitReady(tab);
  expect(await count(tab, '#doc-list > li')).toBe(2);
  await tab.click('button[aria-label="Remove Choir notes"]');
  await expect.poll(() => count(tab, '#doc-list > li')).toBe(1);
  await search(tab, OWN_QUERY);
  expect(await resultIds(tab)).not.toContain(ownId);
});

test('a large paste is chunked and the UI reports chunks and the cut', async ({ tab, demo, engine }) => {
  await tab.goto(demoUrl(demo, WASM_PAGE));
  await waitReady(tab);
  const sentence = 'the cat eats the fish and the dog runs in the garden with my friend . ';
  const large = sentence.repeat(Math.ceil(104_000 / sentence.length));
  await tab.fill('#paste-title', 'Long paste');
  await tab.fill('#paste-text', large);
  await tab.click('#paste-add');
  await expect.poll(() => text(tab, '#docs-report'), { timeout: 120_000 }).toContain('Added “Long paste”');
  const report = await text(tab, '#docs-report');
  const chunks = Number(/in ([\d,]+) chunks/.exec(report)?.[1].replace(/,/g, ''));
  expect(chunks).toBeGreaterThan(50);
  expect(report).toMatch(/characters past the [\d,]+-character limit were cut/);
  expect(await attr(tab, '#docs-report', 'data-kind')).toBe('warn');
  expect(await text(tab, '#doc-list > li:first-child')).toContain(`${chunks} chunks`);
  await expect.poll(() => figure(tab, 'stat-count')).toBe(testPassages.length + chunks);
  await shot(tab, engine, '07-large-paste');

  // Clear all data (its confirm dialog accepted): index, documents and cached models go; the
  // corpus is indexed afresh.
  await tab.click('#clear-all');
  await tab.waitFor(() => document.body?.dataset.ready !== 'true');
  await waitReady(tab);
  expect(await count(tab, '#doc-list > li')).toBe(0);
  await expect.poll(() => figure(tab, 'stat-count')).toBe(testPassages.length);
  await expect.poll(() => figure(tab, 'stat-embedded')).toBe(testPassages.length);
});

test('document text and titles are shown as text, never as HTML', async ({ tab, demo }) => {
  await tab.goto(demoUrl(demo, WASM_PAGE));
  await waitReady(tab);
  const markup = '<img src=x onerror="window.__injected=1"> the cat <b>sleeps</b> in the garden';
  await tab.fill('#paste-title', '<i>title</i>');
  await tab.fill('#paste-text', markup);
  await tab.click('#paste-add');
  await expect.poll(() => count(tab, '#doc-list > li')).toBe(1);
  await search(tab, markup); // the query itself is markup too
  expect(await text(tab, '#results-hint')).toContain(markup);
  const own = await tab.evaluate(() => {
    const li = [...document.querySelectorAll('#results > li')].find((l) => l.querySelector('.tag-user'));
    return li
      ? {
          text: li.querySelector('.result-text')?.textContent ?? '',
          tag: li.querySelector('.tag-user')?.textContent ?? '',
        }
      : null;
  });
  expect(own?.text).toContain('<img src=x onerror="window.__injected=1">');
  expect(own?.tag).toContain('<i>title</i>');
  expect(await count(tab, '#results img, #results b, #results i, #doc-list i')).toBe(0);
  expect(
    await tab.evaluate(() => (window as unknown as { __injected?: number }).__injected ?? null),
  ).toBeNull();
});
