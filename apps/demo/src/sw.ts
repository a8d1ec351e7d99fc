/**
 * The demo's service worker (built by vite-plugin-pwa's injectManifest, which fills in
 * `self.__WB_MANIFEST`). It
 * - precaches the app shell, so a second visit starts with the network off;
 * - caches model files and the ORT runtime the first time they load (cache first afterwards), keyed
 *   by content: files the build hosts under their SHA-256 from the build's file list, Hub files
 *   under their URL (model id + revision); bytes enter the cache only once their size and SHA-256
 *   (or the Hub's size and ETag) check out, and a new build's worker drops what its list no longer
 *   names, so an upgrade never serves a stale runtime or model file;
 * - adds COOP/COEP to every same-origin response so the page is cross-origin isolated (threads)
 *   even on hosts that cannot set headers.
 */
import { withIsolationHeaders } from './sw/headers';
import type { DemoBuildConfig } from './build-config';
import {
  ASSET_CACHE,
  type AssetList,
  type AssetPlan,
  RETIRED_CACHES,
  assetPlan,
  classifyRequest,
  expectedFromHeaders,
  integrityProblem,
  manifestHash,
  navigationKey,
  staleAssetKeys,
} from './sw/routes';

/** The build's model and runtime files with their sizes and SHA-256 (vite.config.ts). */
declare const __WEBEMBED_ASSETS__: AssetList;
declare const __WEBEMBED_DEMO__: DemoBuildConfig;

interface PrecacheEntry {
  readonly url: string;
  readonly revision: string | null;
}
interface ExtendableEvent extends Event {
  waitUntil(promise: Promise<unknown>): void;
}
interface FetchEvent extends ExtendableEvent {
  readonly request: Request;
  respondWith(response: Promise<Response> | Response): void;
}
interface WorkerScope {
  readonly registration: { readonly scope: string };
  readonly clients: { claim(): Promise<void>; matchAll(): Promise<readonly WindowClient[]> };
  skipWaiting(): Promise<void>;
  addEventListener(type: 'install' | 'activate', listener: (event: ExtendableEvent) => void): void;
  addEventListener(type: 'fetch', listener: (event: FetchEvent) => void): void;
  addEventListener(type: 'message', listener: (event: MessageEvent) => void): void;
}
interface WindowClient {
  postMessage(message: unknown): void;
}

const sw = self as unknown as WorkerScope;
// The build replaces `self.__WB_MANIFEST` (spelled exactly so) with the list of app-shell files.
const injected = (self as unknown as { __WB_MANIFEST: readonly (PrecacheEntry | string)[] }).__WB_MANIFEST;
const manifest = injected.map((entry) =>
  typeof entry === 'string' ? { url: entry, revision: null } : entry,
);
const scope = new URL(sw.registration.scope);
const SHELL_CACHE = `webembed-shell-${manifestHash(JSON.stringify(manifest))}`;
const assets = __WEBEMBED_ASSETS__;
const build = __WEBEMBED_DEMO__;
/** The Hub model this build loads, whose cached files survive activation (null: models on this origin). */
const hubModel = build.allowRemoteModels ? { id: build.model, revision: build.modelRevision } : null;

function absolute(url: string): string {
  const u = new URL(url, scope);
  return u.origin + u.pathname;
}
const precached = new Set(manifest.map((entry) => absolute(entry.url)));

sw.addEventListener('install', (event) => {
  event.waitUntil(
    (async () => {
      const cache = await caches.open(SHELL_CACHE);
      await cache.addAll(manifest.map((entry) => new Request(absolute(entry.url), { cache: 'reload' })));
      // No skipWaiting: an updated worker waits until every tab of the old version is closed, so an
      // open page never loses the shell files (lazy chunks) it was built with. The first install
      // has nothing to wait for and takes control at once through clients.claim().
    })(),
  );
});

sw.addEventListener('activate', (event) => {
  event.waitUntil(
    (async () => {
      for (const name of await caches.keys()) {
        if (name.startsWith('webembed-shell-') && name !== SHELL_CACHE) await caches.delete(name);
        if (RETIRED_CACHES.includes(name)) await caches.delete(name);
      }
      const cache = await caches.open(ASSET_CACHE);
      const keys = (await cache.keys()).map((request) => request.url);
      for (const key of staleAssetKeys(keys, scope, assets, hubModel)) await cache.delete(key);
      await sw.clients.claim();
    })(),
  );
});

async function fromShell(request: Request): Promise<Response> {
  const url = new URL(request.url);
  const key = request.mode === 'navigate' ? navigationKey(url) : url.origin + url.pathname;
  const cached = await caches.match(key, { cacheName: SHELL_CACHE });
  return cached ?? fetch(request);
}

/**
 * Cache first under the file's content key. A network answer is handed to the page at once (its
 * download progress keeps streaming) while a copy is checked (size and SHA-256) and stored only
 * when it passes, so the cache never holds a truncated, altered or outdated file.
 */
async function fromAssetCache(request: Request, event: FetchEvent): Promise<Response> {
  const plan = assetPlan(new URL(request.url), scope, assets);
  if (plan.kind === 'uncached') return fetch(request);
  const cache = await caches.open(ASSET_CACHE);
  const cached = await cache.match(plan.key);
  if (cached) return cached;
  const response = await fetch(request);
  if (response.status === 200) event.waitUntil(storeVerified(cache, plan, response.clone(), request.url));
  return response;
}

async function storeVerified(
  cache: Cache,
  plan: Exclude<AssetPlan, { kind: 'uncached' }>,
  response: Response,
  url: string,
): Promise<void> {
  try {
    const bytes = await response.arrayBuffer();
    const expected = plan.kind === 'hosted' ? plan.expected : expectedFromHeaders(response.headers);
    const problem = await integrityProblem(bytes, expected);
    if (problem !== null) {
      console.warn(`not cached: ${url} failed its integrity check (${problem})`);
      for (const client of await sw.clients.matchAll()) {
        client.postMessage({ type: 'webembed-integrity', url, problem });
      }
      return;
    }
    const { status, statusText, headers } = response;
    await cache.put(plan.key, new Response(bytes, { status, statusText, headers }));
  } catch (err) {
    console.warn('not cached', url, err);
  }
}

async function networkThenCache(request: Request): Promise<Response> {
  try {
    return await fetch(request);
  } catch (err) {
    const url = new URL(request.url);
    const cached =
      (await caches.match(request, { ignoreSearch: true })) ??
      (request.mode === 'navigate'
        ? await caches.match(absolute('index.html'), { cacheName: SHELL_CACHE })
        : undefined);
    if (cached) return cached;
    throw err instanceof Error ? err : new Error(`offline and ${url.pathname} is not cached`);
  }
}

sw.addEventListener('fetch', (event) => {
  const request = event.request;
  const url = new URL(request.url);
  const kind = classifyRequest(url, request.method, scope, precached, request.mode === 'navigate');
  if (kind === 'bypass') return;
  const sameOrigin = url.origin === scope.origin;
  const respond =
    kind === 'shell'
      ? fromShell(request)
      : kind === 'model'
        ? fromAssetCache(request, event)
        : networkThenCache(request);
  event.respondWith(respond.then((response) => (sameOrigin ? withIsolationHeaders(response) : response)));
});

sw.addEventListener('message', (event) => {
  if (event.data === 'skip-waiting') void sw.skipWaiting();
});
