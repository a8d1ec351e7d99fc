/**
 * The demo's service worker (built by vite-plugin-pwa's injectManifest, which fills in
 * `self.__WB_MANIFEST`). It
 * - precaches the app shell, so a second visit starts with the network off;
 * - caches model files and the ORT runtime the first time they load (cache first afterwards);
 * - adds COOP/COEP to every same-origin response so the page is cross-origin isolated (threads)
 *   even on hosts that cannot set headers.
 */
import { withIsolationHeaders } from './sw/headers';
import { classifyRequest, manifestHash, navigationKey } from './sw/routes';

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
  readonly clients: { claim(): Promise<void> };
  skipWaiting(): Promise<void>;
  addEventListener(type: 'install' | 'activate', listener: (event: ExtendableEvent) => void): void;
  addEventListener(type: 'fetch', listener: (event: FetchEvent) => void): void;
  addEventListener(type: 'message', listener: (event: MessageEvent) => void): void;
}

const sw = self as unknown as WorkerScope;
// The build replaces `self.__WB_MANIFEST` (spelled exactly so) with the list of app-shell files.
const injected = (self as unknown as { __WB_MANIFEST: readonly (PrecacheEntry | string)[] }).__WB_MANIFEST;
const manifest = injected.map((entry) =>
  typeof entry === 'string' ? { url: entry, revision: null } : entry,
);
const scope = new URL(sw.registration.scope);
const SHELL_CACHE = `webembed-shell-${manifestHash(JSON.stringify(manifest))}`;
/** Model and runtime files; kept across app updates (a model id names its own files). */
const MODEL_CACHE = 'webembed-models-v1';

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
      }
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

/** Cache first; a network answer is handed to the page at once and stored while the worker lives on. */
async function cacheFirst(request: Request, event: FetchEvent): Promise<Response> {
  const cache = await caches.open(MODEL_CACHE);
  const cached = await cache.match(request.url);
  if (cached) return cached;
  const response = await fetch(request);
  if (response.ok && response.status === 200) {
    event.waitUntil(
      cache
        .put(request.url, response.clone())
        .catch((err: unknown) => console.warn('not cached', request.url, err)),
    );
  }
  return response;
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
        ? cacheFirst(request, event)
        : networkThenCache(request);
  event.respondWith(respond.then((response) => (sameOrigin ? withIsolationHeaders(response) : response)));
});

sw.addEventListener('message', (event) => {
  if (event.data === 'skip-waiting') void sw.skipWaiting();
});
