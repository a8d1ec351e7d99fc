import {
  attr,
  demoUrl,
  figure,
  resultIds,
  search,
  shot,
  testPassages,
  testQueries,
  text,
  WASM_PAGE,
  waitReady,
} from './demo-helpers.ts';
import { expect, recordSupport, test } from './harness.ts';

test('a reload keeps the index in IndexedDB without embedding it again', async ({ tab, demo, engine }) => {
  await tab.goto(demoUrl(demo, WASM_PAGE));
  await waitReady(tab);
  const total = testPassages.length;
  await expect.poll(() => figure(tab, 'stat-embedded')).toBe(total);

  await tab.reload();
  await waitReady(tab);
  await expect.poll(() => figure(tab, 'stat-count')).toBe(total);
  await expect.poll(() => figure(tab, 'stat-embedded')).toBe(0);
  expect(await text(tab, '#status')).toContain('restored from IndexedDB');
  expect(await text(tab, '#progress-index-text')).toContain('restored');
  const q = testQueries[2];
  await search(tab, q.query);
  expect((await resultIds(tab))[0]).toBe(q.expectedId);
  recordSupport(engine, {
    indexedDbAcrossReload: true,
    storage: await attr(tab, '#badge-storage', 'data-state'),
    storageNote: await text(tab, '#badge-storage'),
  });
});

test('the service worker isolates the page, and a second visit searches with the network off', async ({
  tab,
  demo,
  session,
  engine,
}) => {
  await tab.goto(demoUrl(demo, WASM_PAGE));
  await waitReady(tab);
  // vite preview sends no COOP/COEP: isolation comes from the service worker's headers, which
  // needed one reload once the worker controlled the page.
  const response = await fetch(demoUrl(demo, WASM_PAGE));
  expect(response.headers.get('cross-origin-embedder-policy')).toBeNull();
  // (Counted by the test probe: WebKit reports that reload's navigation type as 'navigate'.)
  expect(await tab.evaluate(() => (window as unknown as { __e2e: { loads: number } }).__e2e.loads)).toBe(2);
  expect(await tab.evaluate(() => crossOriginIsolated)).toBe(true);
  expect(await attr(tab, '#badge-threads', 'data-isolated')).toBe('true');
  expect(await attr(tab, '#badge-threads', 'data-threads')).toMatch(/^[1-9]\d*$/);
  expect(await attr(tab, 'body', 'data-service-worker')).toBe('registered');
  expect(await tab.evaluate(() => navigator.serviceWorker.controller !== null)).toBe(true);
  // The service worker stores model files and the ORT runtime as they load (in the background),
  // each under the SHA-256 the build listed for it, once the bytes have matched it.
  await expect
    .poll(
      () =>
        tab.evaluate(async () => {
          const cache = await caches.open('webembed-assets-v2');
          return (await cache.keys())
            .map((r) => new URL(r.url))
            .filter((u) => /^[0-9a-f]{64}$/.test(u.searchParams.get('sha256') ?? ''))
            .map((u) => u.pathname.split('/').pop())
            .sort();
        }),
      { timeout: 20_000 },
    )
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
  recordSupport(engine, {
    isolated: true,
    isolatedThreads: Number(await attr(tab, '#badge-threads', 'data-threads')),
    isolatedThreadsNote: await attr(tab, '#badge-threads', 'data-note'),
  });

  // The network goes away: the server stops (every engine); where the driver can, the browser is
  // also told it is offline, and the page must say so.
  await demo.stop();
  const emulated = session.offlineUnsupported === null;
  if (emulated) await session.setOffline(true);
  await tab.reload();
  await waitReady(tab);
  if (emulated) expect(await text(tab, '#badge-network')).toBe('Offline');
  await expect.poll(() => figure(tab, 'stat-embedded')).toBe(0);
  const q = testQueries[1];
  await search(tab, q.query);
  expect((await resultIds(tab))[0]).toBe(q.expectedId);
  await shot(tab, engine, '04-offline');
  if (emulated) await session.setOffline(false);
  recordSupport(engine, { offlineReload: true });
});

/** Whether the page's browser gives a WebGPU adapter. */
function hasWebGpu(): Promise<boolean> {
  const gpu = (navigator as Navigator & { gpu?: GPU }).gpu;
  return gpu
    ? gpu.requestAdapter().then(
        (a) => a !== null,
        () => false,
      )
    : Promise.resolve(false);
}

test('WebGPU (emulated adapter) and WASM return the same top results', async ({ driven, demo, engine }) => {
  const top: Record<string, { ids: string[]; scores: number[] }[]> = {};
  for (const device of ['webgpu', 'wasm']) {
    const session = await driven.newSession();
    try {
      const tab = await session.newTab();
      await tab.goto(demoUrl(demo, `./?device=${device}`));
      if (device === 'webgpu')
        test.skip(!(await tab.evaluate(hasWebGpu)), `needs WebGPU: ${driven.version} has no WebGPU adapter`);
      await waitReady(tab);
      expect(await attr(tab, '#badge-backend', 'data-backend')).toBe(device);
      expect(await attr(tab, '#badge-backend', 'data-search')).toBe(device === 'wasm' ? 'cpu' : 'webgpu');
      if (device === 'webgpu') {
        expect(await text(tab, '#badge-backend')).toContain('CPU-emulated');
        recordSupport(engine, { autoBackend: 'webgpu', webgpuBadge: await text(tab, '#badge-backend') });
      }
      top[device] = [];
      for (const q of testQueries) {
        await search(tab, q.query);
        const scores = await tab.evaluate(() =>
          [...document.querySelectorAll('#results .score')]
            .slice(0, 5)
            .map((n) => Number(n.getAttribute('data-score'))),
        );
        top[device].push({ ids: (await resultIds(tab)).slice(0, 5), scores });
      }
      await shot(tab, engine, `05-device-${device}`);
    } finally {
      await session.close();
    }
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

test('without WebGPU, auto runs on WASM and says why; ?device=webgpu fails with GPU_UNAVAILABLE', async ({
  tab,
  demo,
  driven,
  engine,
}) => {
  await tab.goto(demoUrl(demo, './?device=auto'));
  test.skip(
    await tab.evaluate(hasWebGpu),
    `${driven.version} has a WebGPU adapter, so auto does not fall back`,
  );
  await waitReady(tab);
  expect(await attr(tab, '#badge-backend', 'data-backend')).toBe('wasm');
  expect(await attr(tab, '#badge-backend', 'data-search')).toBe('cpu');
  const fallback = await attr(tab, '#badge-backend', 'data-fallback');
  expect(fallback).toBe('webgpu: no WebGPU adapter in this context');
  expect(await text(tab, '#badge-backend')).toContain('WebGPU unavailable');
  await search(tab, testQueries[1].query);
  expect((await resultIds(tab))[0]).toBe(testQueries[1].expectedId);
  await shot(tab, engine, '05-auto-without-webgpu');
  recordSupport(engine, { autoBackend: 'wasm', autoFallback: fallback });

  await tab.goto(demoUrl(demo, './?device=webgpu'));
  await tab.waitFor(() => document.body.dataset.error ?? null);
  expect(await attr(tab, 'body', 'data-error')).toBe('GPU_UNAVAILABLE');
  expect(await text(tab, '#status')).toContain('no WebGPU adapter');
  expect(await attr(tab, '#badge-backend', 'data-state')).toBe('error');
});
