import { expect, test } from '@playwright/test';
import {
  figure,
  resultIds,
  search,
  shot,
  testPassages,
  testQueries,
  waitReady,
  WASM_PAGE,
} from './demo-helpers';

test('a reload keeps the index in IndexedDB without embedding it again', async ({ page }) => {
  await page.goto(WASM_PAGE);
  await waitReady(page);
  const total = testPassages.length;
  await expect.poll(() => figure(page, 'stat-embedded')).toBe(total);

  await page.reload();
  await waitReady(page);
  await expect.poll(() => figure(page, 'stat-count')).toBe(total);
  await expect.poll(() => figure(page, 'stat-embedded')).toBe(0);
  await expect(page.locator('#status')).toContainText('restored from IndexedDB');
  await expect(page.locator('#progress-index-text')).toContainText('restored');
  const q = testQueries[2];
  await search(page, q.query);
  expect((await resultIds(page))[0]).toBe(q.expectedId);
});

test('the service worker isolates the page, and a second visit searches with the network off', async ({
  page,
  context,
}) => {
  await page.goto(WASM_PAGE);
  await waitReady(page);
  // vite preview sends no COOP/COEP: isolation comes from the service worker's headers, which
  // needed one reload once the worker controlled the page.
  const response = await page.request.get(WASM_PAGE);
  expect(response.headers()['cross-origin-embedder-policy']).toBeUndefined();
  expect(
    await page.evaluate(
      () => (performance.getEntriesByType('navigation')[0] as PerformanceNavigationTiming).type,
    ),
  ).toBe('reload');
  expect(await page.evaluate(() => crossOriginIsolated)).toBe(true);
  await expect(page.locator('#badge-threads')).toHaveAttribute('data-isolated', 'true');
  await expect(page.locator('#badge-threads')).toHaveAttribute('data-threads', /^[1-9]\d*$/);
  await expect(page.locator('body')).toHaveAttribute('data-service-worker', 'registered');
  expect(await page.evaluate(() => navigator.serviceWorker.controller !== null)).toBe(true);
  // The service worker stores model files and the ORT runtime as they load (in the background),
  // each under the SHA-256 the build listed for it, once the bytes have matched it.
  const cachedModelFiles = () =>
    page.evaluate(async () => {
      const cache = await caches.open('webembed-assets-v2');
      return (await cache.keys())
        .map((r) => new URL(r.url))
        .filter((u) => /^[0-9a-f]{64}$/.test(u.searchParams.get('sha256') ?? ''))
        .map((u) => u.pathname.split('/').pop())
        .sort();
    });
  await expect
    .poll(cachedModelFiles, { timeout: 20_000 })
    .toEqual(
      expect.arrayContaining([
        'config.json',
        'tokenizer.json',
        'tokenizer_config.json',
        'model_quantized.onnx',
        'ort-wasm-simd-threaded.asyncify.mjs',
        'ort-wasm-simd-threaded.asyncify.wasm',
      ]),
    );

  await context.setOffline(true);
  await page.reload();
  await waitReady(page);
  await expect(page.locator('#badge-network')).toHaveText('Offline');
  await expect.poll(() => figure(page, 'stat-embedded')).toBe(0);
  const q = testQueries[1];
  await search(page, q.query);
  expect((await resultIds(page))[0]).toBe(q.expectedId);
  await shot(page, '04-offline');
  await context.setOffline(false);
});

test('WebGPU (emulated adapter) and WASM return the same top results', async ({ browser }) => {
  const top: Record<string, { ids: string[]; scores: number[] }[]> = {};
  for (const device of ['webgpu', 'wasm']) {
    const context = await browser.newContext();
    const page = await context.newPage();
    await page.goto(`./?device=${device}`);
    await waitReady(page);
    await expect(page.locator('#badge-backend')).toHaveAttribute('data-backend', device);
    await expect(page.locator('#badge-backend')).toHaveAttribute(
      'data-search',
      device === 'wasm' ? 'cpu' : 'webgpu',
    );
    if (device === 'webgpu') await expect(page.locator('#badge-backend')).toContainText('CPU-emulated');
    top[device] = [];
    for (const q of testQueries) {
      await search(page, q.query);
      const scores = await page
        .locator('#results .score')
        .evaluateAll((nodes) => nodes.slice(0, 5).map((n) => Number(n.getAttribute('data-score'))));
      top[device].push({ ids: (await resultIds(page)).slice(0, 5), scores });
    }
    await shot(page, `05-device-${device}`);
    await context.close();
  }
  expect(top.wasm.map((r) => r.ids[0])).toEqual(testQueries.map((q) => q.expectedId));
  expect(top.webgpu.map((r) => r.ids[0])).toEqual(top.wasm.map((r) => r.ids[0]));
  // Ranks 2-5 may swap between tied passages, but the score profile is the same on both paths.
  top.webgpu.forEach((r, i) => {
    for (const [rank, score] of r.scores.entries()) {
      expect(Math.abs(score - top.wasm[i].scores[rank])).toBeLessThan(1e-3);
    }
  });
});
